// Metrics logs as plot series, and drawing them. Shared by `parley plot` and `parley compare`.
//
// A metrics log (train --metrics) holds one JSON object per line. An evaluation line has
// "time", "wall", "epoch", "updates" and "train"/"test" metric objects; a line with an "event"
// key (a worker killed, a straggler, ...) is not an evaluation and is drawn, when it has the
// x-axis key, as a vertical marker. Drawing runs tools/plot_series.py with /usr/bin/python3 and
// matplotlib (Agg) on a temporary JSON file of the series.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parley/core/status.h"

namespace parley {

// Metrics tried, in order, when no metric is named.
inline constexpr const char* kDefaultPlotMetrics[] = {"accuracy", "rmse", "logloss", "objective",
                                                      "centre_distance_rel"};

// The x axes a log can be drawn against (keys of an evaluation line).
inline constexpr const char* kPlotAxes[] = {"time", "epoch", "updates", "wall"};

struct MetricsLog {
  std::string path;
  struct Line {
    int number = 0;  // 1-based line in the file
    nlohmann::json value;
  };
  std::vector<Line> evals;   // evaluation lines, in file order
  std::vector<Line> events;  // lines with an "event" key
};

// Reads a metrics log. Errors name the file and line: unreadable file, malformed JSON, a line
// that is not an object, "train"/"test" that are not objects, a log without evaluations.
StatusOr<MetricsLog> ReadMetricsLog(const std::string& path);

// The first of kDefaultPlotMetrics that every log has (in "test", else "train", of its first
// evaluation); an error listing what the logs have when none is common.
StatusOr<std::string> DefaultMetric(const std::vector<MetricsLog>& logs);

struct Series {
  std::string label;
  std::string path;
  std::string source;  // "test" or "train": where the metric was found
  std::vector<double> x, y;  // y is NaN where the log has null (a diverged value)
  struct Marker {
    double x;
    std::string label;
  };
  std::vector<Marker> markers;  // events with the x key
  // Of the final evaluation (the last line marked "final", else the last line).
  double final_value = 0, time = 0, epochs = 0, updates = 0;
  double best_value = 0;  // max or min over the log, by HigherIsBetter(metric)
};

// One series of `metric` against `x_axis` (one of kPlotAxes). The metric comes from the "test"
// object when the log's first evaluation has it there, else from "train"; every evaluation
// line must then have it (error: file:line, and the metrics the line has).
StatusOr<Series> ExtractSeries(const MetricsLog& log, const std::string& metric, const std::string& x_axis,
                               const std::string& label);

// Labels for logs from their file names (the stem; the whole path when stems collide).
std::vector<std::string> DefaultLabels(const std::vector<std::string>& paths);

// A markdown table: label, final, best, time, epochs (one row per series).
std::string SeriesTable(const std::vector<Series>& series, const std::string& metric);

struct PlotSpec {
  std::string out;  // PNG path
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_y = false;
};

// Draws the series into spec.out. Errors: no python3 or no matplotlib (saying to run
// scripts/install-deps.sh), no plotting script, the script failing (with its output).
Status DrawPlot(const std::vector<Series>& series, const PlotSpec& spec);

// The plotting script: $PARLEY_PLOT_SCRIPT, else tools/plot_series.py in the source tree this
// binary was built from, else tools/plot_series.py found above the executable.
StatusOr<std::string> FindPlotScript();

// The interpreter: $PARLEY_PYTHON, else /usr/bin/python3.
std::string PythonInterpreter();

// Formats a metric or number for tables: 4 decimals in the usual range, %g outside it.
std::string FormatNumber(double v);
// Fixed decimals ("-" for NaN), for epochs.
std::string FormatFixed(double v, int decimals);
// Text as one cell of a Markdown table: '|' escaped, line breaks as spaces.
std::string EscapeCell(std::string s);

}  // namespace parley
