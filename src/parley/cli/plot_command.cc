// parley plot: draws metrics logs (train --metrics) into a PNG and prints a table of them.
#include <cstdio>

#include "parley/cli/commands.h"
#include "parley/cli/plot.h"

namespace parley {

struct PlotCommand {
  std::vector<std::string> logs;
  std::string out;
  std::string metric;
  std::string x = "time";
  std::vector<std::string> labels;
  std::string title;
  bool log_y = false;
};

std::shared_ptr<PlotCommand> AddPlotCommand(CLI::App& app) {
  auto c = std::make_shared<PlotCommand>();
  CLI::App* p = app.add_subcommand("plot", "Draw metrics logs (train --metrics) into a PNG, one line per log, and print a table of them");
  p->option_defaults()->always_capture_default();
  p->add_option("logs", c->logs, "Metrics logs (JSON lines)")->required();
  p->add_option("-o,--out", c->out, "PNG to write")->required();
  p->add_option("--metric", c->metric, "Metric to draw, from each line's test metrics (train when a log has no test set); default: the first of accuracy, rmse, logloss, objective, centre_distance_rel every log has");
  p->add_option("--x", c->x, "x axis: time (training seconds) | epoch | updates | wall (seconds including evaluation)")
      ->check(CLI::IsMember({"time", "epoch", "updates", "wall"}));
  p->add_option("--labels", c->labels, "Legend labels, comma separated, one per log (default: the file names)")->delimiter(',');
  p->add_option("--title", c->title, "Plot title");
  p->add_flag("--log-y", c->log_y, "Logarithmic y axis");
  return c;
}

int RunPlotCommand(PlotCommand& c) {
  if (!c.labels.empty() && c.labels.size() != c.logs.size()) {
    std::fprintf(stderr, "error: --labels has %zu labels for %zu logs\n", c.labels.size(), c.logs.size());
    return 2;
  }
  std::vector<MetricsLog> logs;
  for (const auto& path : c.logs) {
    auto log = ReadMetricsLog(path);
    if (!log.ok()) {
      std::fprintf(stderr, "error: %s\n", log.status().message().c_str());
      return 2;
    }
    logs.push_back(std::move(*log));
  }
  std::string metric = c.metric;
  if (metric.empty()) {
    auto m = DefaultMetric(logs);
    if (!m.ok()) {
      std::fprintf(stderr, "error: %s\n", m.status().message().c_str());
      return 2;
    }
    metric = *m;
  }
  std::vector<std::string> labels = c.labels.empty() ? DefaultLabels(c.logs) : c.labels;
  std::vector<Series> series;
  bool all_test = true;
  for (size_t i = 0; i < logs.size(); ++i) {
    auto s = ExtractSeries(logs[i], metric, c.x, labels[i]);
    if (!s.ok()) {
      std::fprintf(stderr, "error: %s\n", s.status().message().c_str());
      return 2;
    }
    if (s->source != "test") all_test = false;
    series.push_back(std::move(*s));
  }
  std::fputs(SeriesTable(series, metric).c_str(), stdout);
  std::fflush(stdout);

  PlotSpec spec;
  spec.out = c.out;
  spec.title = c.title;
  spec.log_y = c.log_y;
  spec.x_label = c.x == "time" ? "training time (s)" : c.x == "wall" ? "wall time (s)" : c.x;
  spec.y_label = (all_test ? "test " : "") + metric;
  Status st = DrawPlot(series, spec);
  if (!st.ok()) {
    std::fprintf(stderr, "error: %s\n", st.message().c_str());
    return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::printf("wrote %s\n", c.out.c_str());
  return 0;
}

}  // namespace parley
