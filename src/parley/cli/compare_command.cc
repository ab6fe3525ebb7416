// parley compare: runs several settings of `parley train` on one workload (each a separate
// process of this same binary) and writes a markdown table and a plot of them.
//
// The experiment file (TOML):
//   [workload]                 # flags every run shares (train's flag names without dashes)
//   data = "d.svm"
//   test-fraction = 0.2
//   epochs = 3
//   target = "accuracy=0.85"   # optional: the table gets a time-to-target column
//   repeat = 3                 # optional, compare's own: seeds seed, seed+1, ...; medians reported
//   [[run]]
//   name = "seq-lr0.1"         # required, unique; names the output files
//   algo = "sequential"        # any other key overrides the workload and is passed to train
//   lr = 0.1

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "parley/cli/commands.h"
#include "parley/cli/experiment_file.h"
#include "parley/cli/plot.h"
#include "parley/cli/subprocess.h"

namespace parley {
namespace fs = std::filesystem;

struct CompareCommand {
  std::string config;
  std::string out;
  std::string target;
  std::string metric;
};

std::shared_ptr<CompareCommand> AddCompareCommand(CLI::App& app) {
  auto c = std::make_shared<CompareCommand>();
  CLI::App* p = app.add_subcommand(
      "compare", "Run several settings of 'parley train' on one workload; write a table (compare.md) and a plot of test metric against time (compare.png)");
  p->option_defaults()->always_capture_default();
  p->add_option("--config", c->config,
                "Experiment TOML: a [workload] table of train flags (names without dashes) and [[run]] tables, each with a name and the flags it overrides")
      ->required();
  p->add_option("--out", c->out, "Output directory (default: runs/<config file name>)");
  p->add_option("--target", c->target, "Time-to-target column, e.g. accuracy=0.85 (passed to every run as train --target; overrides the workload's target)");
  p->add_option("--metric", c->metric, "Metric of the plot and the status lines (default: the first of accuracy, rmse, logloss, objective, centre_distance_rel the runs have)");
  return c;
}

namespace {

struct Attempt {
  std::string base;  // output files DIR/<base>.{jsonl,json,log}
  uint64_t seed = 0;
  std::vector<std::string> argv;
  bool ok = false;
  std::string error;
  nlohmann::json summary;
};

std::string ReadText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The error a failed train printed: its last "error:" line, else its last line (CLI11's
// "Run with --help" hint skipped).
std::string ErrorText(const std::string& log_path) {
  std::istringstream in(ReadText(log_path));
  std::string line, last, last_error;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line.rfind("Run with --help", 0) == 0) continue;
    last = line;
    if (line.rfind("error:", 0) == 0) last_error = line;
  }
  std::string e = !last_error.empty() ? last_error : last;
  if (e.size() > 400) e = e.substr(0, 400) + "...";
  return e;
}

std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=.,/:@%") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

double Median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string FormatCount(double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), v == std::floor(v) ? "%.0f" : "%.1f", v);
  return buf;
}

double Number(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

// "test" when a summary has test metrics, else "train".
const char* MetricSource(const nlohmann::json& s) {
  return s.contains("test") && s["test"].is_object() && !s["test"].empty() ? "test" : "train";
}

// The metric for status lines: the requested one, else the first default one the summary has.
std::string StatusMetric(const nlohmann::json& s, const std::string& requested) {
  const auto& m = s[MetricSource(s)];
  if (!requested.empty()) return requested;
  for (const char* name : kDefaultPlotMetrics)
    if (m.contains(name)) return name;
  return m.empty() ? "" : m.begin().key();
}

std::vector<std::string> MetricColumns(const std::vector<std::vector<Attempt>>& results, const char* source) {
  std::set<std::string> names;
  for (const auto& run : results)
    for (const auto& a : run)
      if (a.ok && a.summary.contains(source) && a.summary[source].is_object())
        for (const auto& [k, v] : a.summary[source].items()) names.insert(k);
  std::vector<std::string> cols;
  for (const char* name : kDefaultPlotMetrics)
    if (names.erase(name)) cols.push_back(name);
  cols.insert(cols.end(), names.begin(), names.end());
  return cols;
}

}  // namespace

int RunCompareCommand(CompareCommand& c) {
  if (!c.target.empty() && (c.target.find('=') == std::string::npos || c.target[0] == '=')) {
    std::fprintf(stderr, "error: --target must be metric=value (e.g. accuracy=0.85), got '%s'\n", c.target.c_str());
    return 2;
  }
  auto specs_or = ReadExperiment(c.config, c.target);
  if (!specs_or.ok()) {
    std::fprintf(stderr, "error: %s\n", specs_or.status().message().c_str());
    return 2;
  }
  const std::vector<RunSpec>& specs = *specs_or;
  auto self = SelfExecutable();
  if (!self.ok()) {
    std::fprintf(stderr, "error: %s\n", self.status().message().c_str());
    return 1;
  }
  fs::path dir = c.out.empty() ? fs::path("runs") / fs::path(c.config).stem() : fs::path(c.out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    std::fprintf(stderr, "error: cannot create output directory %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }

  size_t total = 0;
  for (const auto& s : specs) total += static_cast<size_t>(s.repeat);
  std::vector<std::vector<Attempt>> results(specs.size());
  size_t done = 0, failed = 0;
  for (size_t r = 0; r < specs.size(); ++r) {
    const RunSpec& spec = specs[r];
    for (int k = 0; k < spec.repeat; ++k) {
      Attempt a;
      a.seed = spec.seed + static_cast<uint64_t>(k);
      a.base = spec.repeat > 1 ? spec.name + ".seed" + std::to_string(a.seed) : spec.name;
      const std::string metrics = (dir / (a.base + ".jsonl")).string();
      const std::string summary = (dir / (a.base + ".json")).string();
      const std::string log = (dir / (a.base + ".log")).string();
      fs::remove(metrics, ec);
      fs::remove(summary, ec);
      a.argv = {*self, "train"};
      for (const auto& f : spec.flags) a.argv.push_back("--" + f.key + "=" + f.value);
      if (spec.repeat > 1) a.argv.push_back("--seed=" + std::to_string(a.seed));
      a.argv.insert(a.argv.end(), {"--metrics=" + metrics, "--summary=" + summary, "--quiet"});

      auto pr = RunProcess(a.argv, log);
      if (!pr.ok()) {
        a.error = pr.status().message();
      } else if (!pr->ok()) {
        std::string text = ErrorText(log);
        a.error = pr->Describe() + (text.empty() ? "" : ": " + text);
      } else {
        try {
          a.summary = nlohmann::json::parse(ReadText(summary));
          a.ok = a.summary.is_object();
          if (!a.ok) a.error = summary + " is not a JSON object";
        } catch (const nlohmann::json::exception& e) {
          a.error = "train exited 0 but its summary " + summary + " is unreadable: " + e.what();
        }
      }
      ++done;
      if (a.ok) {
        const auto& s = a.summary;
        std::string m = StatusMetric(s, c.metric);
        const char* src = MetricSource(s);
        std::string mv = !m.empty() && s[src].contains(m) && s[src][m].is_number()
                             ? std::string(src) + " " + m + " " + FormatNumber(s[src][m].get<double>()) + ", "
                             : "";
        std::string tt;
        if (s.contains("target") && s["target"].is_object())
          tt = s["target"].value("reached", false) ? ", target at " + FormatNumber(Number(s["target"], "time")) + "s"
                                                    : ", target not reached";
        std::printf("[%zu/%zu] %s: ok, %s%.2f epochs in %.2fs%s\n", done, total, a.base.c_str(), mv.c_str(),
                    Number(s, "epochs"), Number(s, "train_seconds"), tt.c_str());
      } else {
        ++failed;
        std::printf("[%zu/%zu] %s: FAILED (%s; see %s)\n", done, total, a.base.c_str(), a.error.c_str(), log.c_str());
      }
      std::fflush(stdout);
      results[r].push_back(std::move(a));
    }
  }

  // The plot: the chosen metric against training time, one line per run (per seed with repeat).
  std::vector<Series> series;
  std::string plot_error;
  std::string metric = c.metric;
  {
    std::vector<MetricsLog> logs;
    std::vector<std::string> labels;
    for (size_t r = 0; r < specs.size() && plot_error.empty(); ++r)
      for (const auto& a : results[r]) {
        if (!a.ok) continue;
        auto log = ReadMetricsLog((dir / (a.base + ".jsonl")).string());
        if (!log.ok()) {
          plot_error = log.status().message();
          break;
        }
        logs.push_back(std::move(*log));
        labels.push_back(specs[r].repeat > 1 ? specs[r].name + " (seed " + std::to_string(a.seed) + ")" : specs[r].name);
      }
    if (plot_error.empty() && logs.empty()) plot_error = "no run succeeded";
    if (plot_error.empty() && metric.empty()) {
      auto m = DefaultMetric(logs);
      if (m.ok()) metric = *m;
      else plot_error = m.status().message();
    }
    for (size_t i = 0; i < logs.size() && plot_error.empty(); ++i) {
      auto s = ExtractSeries(logs[i], metric, "time", labels[i]);
      if (!s.ok()) plot_error = s.status().message();
      else series.push_back(std::move(*s));
    }
    if (plot_error.empty()) {
      bool all_test = std::all_of(series.begin(), series.end(), [](const Series& s) { return s.source == "test"; });
      PlotSpec spec;
      spec.out = (dir / "compare.png").string();
      spec.title = fs::path(c.config).stem().string() + ": " + (all_test ? "test " : "") + metric + " against time";
      spec.x_label = "training time (s)";
      spec.y_label = (all_test ? "test " : "") + metric;
      Status st = DrawPlot(series, spec);
      if (!st.ok()) plot_error = st.message();
    }
  }

  // The table.
  bool any_target = false;
  std::set<std::string> targets;
  for (const auto& spec : specs)
    for (const auto& f : spec.flags)
      if (f.key == "target") {
        any_target = true;
        targets.insert(f.value);
      }
  const char* source = "test";
  std::vector<std::string> cols = MetricColumns(results, "test");
  if (cols.empty()) {
    source = "train";
    cols = MetricColumns(results, "train");
  }
  bool repeated = std::any_of(specs.begin(), specs.end(), [](const RunSpec& s) { return s.repeat > 1; });

  std::ostringstream md;
  md << "# parley compare: " << c.config << "\n\n";
  if (any_target) {
    std::string t;
    for (const auto& x : targets) t += (t.empty() ? "" : ", ") + x;
    md << "Target: " << t << " (time to target is training seconds).\n";
  }
  if (repeated) md << "Runs with several seeds show the median over the seeds that succeeded.\n";
  if (any_target || repeated) md << "\n";
  md << "| run | algo | workers |";
  for (const auto& m : cols) md << " " << source << " " << m << " |";
  if (any_target) md << " time to target (s) |";
  md << " train seconds | epochs | updates | status |\n|---|---|---:|";
  for (size_t i = 0; i < cols.size(); ++i) md << "---:|";
  if (any_target) md << "---:|";
  md << "---:|---:|---:|---|\n";
  for (size_t r = 0; r < specs.size(); ++r) {
    const auto& spec = specs[r];
    std::vector<const Attempt*> ok;
    std::string errors;
    for (const auto& a : results[r]) {
      if (a.ok) ok.push_back(&a);
      else errors += (errors.empty() ? "" : "; ") + (spec.repeat > 1 ? "seed " + std::to_string(a.seed) + ": " : "") + a.error;
    }
    auto flag = [&](const char* key) -> std::string {
      for (const auto& f : spec.flags)
        if (f.key == key) return f.value;
      return "";
    };
    auto median = [&](auto get) {
      std::vector<double> v;
      for (const Attempt* a : ok) v.push_back(get(a->summary));
      return FormatNumber(Median(v));
    };
    std::string algo = !ok.empty() && ok[0]->summary.contains("algo") ? ok[0]->summary["algo"].get<std::string>()
                       : !flag("algo").empty()                       ? flag("algo")
                                                                     : "-";
    std::string workers = !ok.empty() && ok[0]->summary.contains("workers") ? ok[0]->summary["workers"].dump()
                          : !flag("workers").empty()                        ? flag("workers")
                                                                            : "-";
    md << "| " << EscapeCell(spec.name) << " | " << EscapeCell(algo) << " | "
       << EscapeCell(workers) << " |";
    for (const auto& m : cols)
      md << " " << median([&](const nlohmann::json& s) { return s.contains(source) ? Number(s[source], m.c_str()) : NAN; }) << " |";
    if (any_target) {
      std::vector<double> times;
      size_t reached = 0, with_target = 0;
      for (const Attempt* a : ok) {
        const auto& s = a->summary;
        if (!s.contains("target") || !s["target"].is_object()) continue;
        ++with_target;
        if (s["target"].value("reached", false)) {
          ++reached;
          times.push_back(Number(s["target"], "time"));
        }
      }
      std::string cell = "-";
      if (with_target > 0 && reached == 0) cell = "not reached";
      else if (reached > 0 && reached == ok.size()) cell = FormatNumber(Median(times));
      else if (reached > 0) cell = FormatNumber(Median(times)) + " (" + std::to_string(reached) + "/" + std::to_string(ok.size()) + " reached)";
      md << " " << cell << " |";
    }
    std::vector<double> updates;
    std::vector<double> epochs;
    for (const Attempt* a : ok) {
      updates.push_back(Number(a->summary, "updates"));
      epochs.push_back(Number(a->summary, "epochs"));
    }
    md << " " << median([](const nlohmann::json& s) { return Number(s, "train_seconds"); }) << " | "
       << FormatFixed(Median(epochs), 2) << " | "
       << FormatCount(Median(updates)) << " | ";
    std::string status;
    if (errors.empty()) status = spec.repeat > 1 ? "ok (" + std::to_string(ok.size()) + " seeds)" : "ok";
    else if (ok.empty()) status = "FAILED: " + errors;
    else status = std::to_string(ok.size()) + "/" + std::to_string(spec.repeat) + " ok; FAILED " + errors;
    md << EscapeCell(status) << " |\n";
  }
  md << "\n";
  if (plot_error.empty()) md << "![" << (std::string(source) == "test" ? "test " : "") << metric << " against training time](compare.png)\n\n";
  else md << "No plot: " << plot_error << "\n\n";
  md << "## Commands\n\nEach run's output is in `<run>.log`, its metrics in `<run>.jsonl`, its summary in `<run>.json`.\n\n```\n";
  for (const auto& run : results)
    for (const auto& a : run) {
      std::vector<std::string> shown = a.argv;
      shown[0] = "parley";
      std::string line;
      for (const auto& s : shown) line += (line.empty() ? "" : " ") + ShellQuote(s);
      md << line << "\n";
    }
  md << "```\n";

  const fs::path md_path = dir / "compare.md";
  {
    std::ofstream f(md_path);
    f << md.str();
    if (!f) {
      std::fprintf(stderr, "error: cannot write %s\n", md_path.c_str());
      return 1;
    }
  }
  if (plot_error.empty()) {
    std::printf("wrote %s and %s\n", md_path.c_str(), (dir / "compare.png").c_str());
  } else {
    std::printf("wrote %s\n", md_path.c_str());
    std::fprintf(stderr, "error: no plot: %s\n", plot_error.c_str());
  }
  if (failed > 0) std::fprintf(stderr, "error: %zu of %zu runs failed (see %s)\n", failed, total, md_path.c_str());
  return failed > 0 || !plot_error.empty() ? 1 : 0;
}

}  // namespace parley
