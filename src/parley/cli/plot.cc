#include "parley/cli/plot.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "parley/cli/subprocess.h"
#include "parley/core/metrics.h"

namespace parley {
namespace fs = std::filesystem;

namespace {

std::string At(const std::string& path, int line) { return path + ":" + std::to_string(line); }

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

// The metric names of a line's "test" and "train" objects, for error messages.
std::string MetricsOf(const nlohmann::json& line) {
  std::vector<std::string> names;
  for (const char* src : {"test", "train"}) {
    if (!line.contains(src) || !line[src].is_object()) continue;
    for (const auto& [k, v] : line[src].items()) names.push_back(std::string(src) + "." + k);
  }
  return names.empty() ? "no metrics" : "has " + Join(names, ", ");
}

bool HasMetric(const nlohmann::json& line, const char* source, const std::string& metric) {
  return line.contains(source) && line[source].is_object() && line[source].contains(metric);
}

// A temporary file in the system temp dir; removed when this goes out of scope.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& suffix) {
    std::string templ = (fs::temp_directory_path() / ("parley-plot-XXXXXX" + suffix)).string();
    int fd = mkstemps(templ.data(), static_cast<int>(suffix.size()));
    if (fd >= 0) {
      close(fd);
      path = templ;
    }
  }
  ~TempFile() {
    if (!path.empty()) {
      std::error_code ec;
      fs::remove(path, ec);
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

}  // namespace

StatusOr<MetricsLog> ReadMetricsLog(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read metrics log " + path);
  MetricsLog log;
  log.path = path;
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      std::string why = e.what();
      auto pos = why.find("parse error");
      if (pos != std::string::npos) why = why.substr(pos);
      return InvalidArgument(At(path, number) + ": malformed JSON (" + why + ")");
    }
    if (!j.is_object())
      return InvalidArgument(At(path, number) + ": expected a JSON object per line, got " + j.type_name());
    if (j.contains("event")) {
      log.events.push_back({number, std::move(j)});
      continue;
    }
    for (const char* src : {"train", "test"}) {
      if (j.contains(src) && !j[src].is_object())
        return InvalidArgument(At(path, number) + ": \"" + src + "\" must be an object of metrics, got " +
                               j[src].type_name());
    }
    log.evals.push_back({number, std::move(j)});
  }
  if (in.bad()) return DataLoss("error reading " + path);
  if (log.evals.empty())
    return InvalidArgument(path + ": no evaluation lines (is it a metrics log written by 'parley train --metrics'?)");
  return log;
}

StatusOr<std::string> DefaultMetric(const std::vector<MetricsLog>& logs) {
  for (const char* m : kDefaultPlotMetrics) {
    bool all = !logs.empty();
    for (const auto& log : logs) {
      const auto& first = log.evals.front().value;
      if (!HasMetric(first, "test", m) && !HasMetric(first, "train", m)) all = false;
    }
    if (all) return std::string(m);
  }
  std::string have;
  for (const auto& log : logs)
    have += "; " + At(log.path, log.evals.front().number) + " " + MetricsOf(log.evals.front().value);
  return InvalidArgument("none of " + Join({std::begin(kDefaultPlotMetrics), std::end(kDefaultPlotMetrics)}, ", ") +
                         " is in every log; name one with --metric" + have);
}

StatusOr<Series> ExtractSeries(const MetricsLog& log, const std::string& metric, const std::string& x_axis,
                               const std::string& label) {
  Series s;
  s.label = label;
  s.path = log.path;
  const auto& first = log.evals.front();
  if (HasMetric(first.value, "test", metric)) {
    s.source = "test";
  } else if (HasMetric(first.value, "train", metric)) {
    s.source = "train";
  } else {
    return InvalidArgument(At(log.path, first.number) + ": no metric '" + metric + "' in \"test\" or \"train\" (" +
                           MetricsOf(first.value) + ")");
  }
  const bool higher = HigherIsBetter(metric);
  bool have_best = false;
  const MetricsLog::Line* final_line = &log.evals.back();
  for (const auto& line : log.evals) {
    const auto& j = line.value;
    if (!j.contains(x_axis) || !j[x_axis].is_number())
      return InvalidArgument(At(log.path, line.number) + ": no number \"" + x_axis + "\" for the x axis");
    if (!HasMetric(j, s.source.c_str(), metric))
      return InvalidArgument(At(log.path, line.number) + ": no metric '" + metric + "' in \"" + s.source +
                             "\" (" + MetricsOf(j) + ")");
    const auto& v = j[s.source][metric];
    double y;
    if (v.is_number()) {
      y = v.get<double>();
    } else if (v.is_null()) {
      y = std::numeric_limits<double>::quiet_NaN();  // JSON has no NaN; the writer turns it into null
    } else {
      return InvalidArgument(At(log.path, line.number) + ": metric '" + metric + "' is " + v.type_name() +
                             ", not a number");
    }
    s.x.push_back(j[x_axis].get<double>());
    s.y.push_back(y);
    if (std::isfinite(y) && (!have_best || (higher ? y > s.best_value : y < s.best_value))) {
      s.best_value = y;
      have_best = true;
    }
    if (j.value("final", false)) final_line = &line;
  }
  if (!have_best) s.best_value = std::numeric_limits<double>::quiet_NaN();
  const auto& f = final_line->value;
  const auto& fv = f[s.source][metric];
  s.final_value = fv.is_number() ? fv.get<double>() : std::numeric_limits<double>::quiet_NaN();
  auto num = [&](const char* key) { return f.contains(key) && f[key].is_number() ? f[key].get<double>() : NAN; };
  s.time = num("time");
  s.epochs = num("epoch");
  s.updates = num("updates");
  for (const auto& e : log.events) {
    if (!e.value.contains(x_axis) || !e.value[x_axis].is_number()) continue;
    std::string what = e.value["event"].is_string() ? e.value["event"].get<std::string>() : e.value["event"].dump();
    if (e.value.contains("worker")) {
      what += ' ';
      what += e.value["worker"].dump();
    }
    s.markers.push_back({e.value[x_axis].get<double>(), what});
  }
  return s;
}

std::vector<std::string> DefaultLabels(const std::vector<std::string>& paths) {
  std::vector<std::string> labels;
  std::map<std::string, int> count;
  for (const auto& p : paths) ++count[fs::path(p).stem().string()];
  for (const auto& p : paths) {
    std::string stem = fs::path(p).stem().string();
    labels.push_back(count[stem] > 1 ? p : stem);
  }
  return labels;
}

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  double a = std::fabs(v);
  if (v == 0 || (a >= 1e-3 && a < 1e5)) std::snprintf(buf, sizeof(buf), "%.4f", v);
  else std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

std::string FormatFixed(double v, int decimals) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string SeriesTable(const std::vector<Series>& series, const std::string& metric) {
  std::ostringstream t;
  t << "| log | final " << metric << " | best " << metric << " | time (s) | epochs |\n";
  t << "|---|---:|---:|---:|---:|\n";
  for (const auto& s : series) {
    std::string label = EscapeCell(s.label);
    if (s.source == "train") label += " (train)";
    t << "| " << label << " | " << FormatNumber(s.final_value) << " | " << FormatNumber(s.best_value) << " | "
      << FormatNumber(s.time) << " | " << FormatFixed(s.epochs, 2) << " |\n";
  }
  return t.str();
}

std::string PythonInterpreter() {
  const char* env = std::getenv("PARLEY_PYTHON");
  return env != nullptr && *env != '\0' ? env : "/usr/bin/python3";
}

StatusOr<std::string> FindPlotScript() {
  const char* env = std::getenv("PARLEY_PLOT_SCRIPT");
  if (env != nullptr && *env != '\0') {
    if (!fs::is_regular_file(env)) return NotFound("PARLEY_PLOT_SCRIPT=" + std::string(env) + " is not a file");
    return std::string(env);
  }
  std::vector<std::string> tried;
#ifdef PARLEY_TOOLS_DIR
  tried.push_back(std::string(PARLEY_TOOLS_DIR) + "/plot_series.py");
#endif
  if (auto self = SelfExecutable(); self.ok()) {
    // build/<flavour>/parley -> <source>/tools; look a few levels up.
    fs::path dir = fs::path(*self).parent_path();
    for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
      tried.push_back((dir / "tools" / "plot_series.py").string());
      if (dir == dir.parent_path()) break;
    }
  }
  for (const auto& p : tried)
    if (fs::is_regular_file(p)) return p;
  return NotFound("cannot find the plotting script tools/plot_series.py (tried " + Join(tried, ", ") +
                  "); set PARLEY_PLOT_SCRIPT to its path");
}

Status DrawPlot(const std::vector<Series>& series, const PlotSpec& spec) {
  if (series.empty()) return InvalidArgument("nothing to plot");
  if (spec.out.empty()) return InvalidArgument("no output file for the plot");
  const std::string python = PythonInterpreter();
  if (!IsExecutable(python))
    return NotFound("cannot plot: " + python +
                    " not found; run scripts/install-deps.sh build (installs python3 and python3-matplotlib)"
                    " or set PARLEY_PYTHON to a python3 with matplotlib");
  PARLEY_ASSIGN_OR_RETURN(std::string script, FindPlotScript());

  nlohmann::json data = {{"out", fs::absolute(spec.out).string()}, {"title", spec.title},
                         {"xlabel", spec.x_label}, {"ylabel", spec.y_label}, {"log_y", spec.log_y}};
  data["series"] = nlohmann::json::array();
  for (const auto& s : series) {
    nlohmann::json js = {{"label", s.label}, {"x", s.x}, {"y", nlohmann::json::array()},
                         {"markers", nlohmann::json::array()}};
    for (double y : s.y) js["y"].push_back(std::isfinite(y) ? nlohmann::json(y) : nlohmann::json());
    for (const auto& m : s.markers) js["markers"].push_back({{"x", m.x}, {"label", m.label}});
    data["series"].push_back(std::move(js));
  }
  TempFile input(".json"), output(".txt");
  if (input.path.empty() || output.path.empty())
    return Internal("cannot create a temporary file in " + fs::temp_directory_path().string());
  {
    std::ofstream f(input.path);
    f << data.dump();
    if (!f) return Internal("cannot write " + input.path);
  }
  std::error_code ec;
  fs::remove(spec.out, ec);
  PARLEY_ASSIGN_OR_RETURN(ProcessResult r, RunProcess({python, script, input.path}, output.path));
  std::string text;
  {
    std::ifstream f(output.path);
    std::stringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (r.exit_code == 3)  // the script's code for "matplotlib cannot be imported"
    return NotFound("cannot plot: matplotlib is not available to " + python +
                    "; run scripts/install-deps.sh build (installs python3-matplotlib) or set PARLEY_PYTHON"
                    " to a python3 that has it (" + text + ")");
  if (!r.ok())
    return Internal("plotting with " + script + " failed (" + r.Describe() + "): " + text);
  if (!fs::is_regular_file(spec.out, ec) || fs::file_size(spec.out, ec) == 0)
    return Internal("plotting with " + script + " wrote no " + spec.out);
  return OkStatus();
}

std::string EscapeCell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace parley
