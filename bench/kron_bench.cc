// Benchmark of Kronecker-structured SGD (ALGORITHMS.md D, src/parley/kron) against the dense
// baseline. A plain program (built with -DPARLEY_BENCH=ON like the other bench/*_bench.cc);
// bench/kron.sh runs the sweeps and bench/kron_plot.py draws them.
//
//   kron_bench step  --trainer kron|dense --n N --d1 A --d2 B --m M --batch S [--threads T]
//                    [--steps K] [--budget SECONDS] [--lr ETA] [--seed X]
//     Generates N points (GenerateKron), builds the trainer (timed: initialisation), runs a
//     few warm-up steps, then times up to K steps (stopping early once BUDGET seconds are
//     spent, after at least 3) and prints one JSON line: the configuration, initialisation
//     seconds (kron: Gram and projections apart), per-step seconds (median, mean, min),
//     bytes held by the trainer, the data's bytes, and the process's peak RSS.
//
//   kron_bench fired --n N --d1 A --d2 B --m M --batch S --lr ETA --epochs E [--every F]
//     Trains the Kronecker trainer and prints a JSON line every F epochs with the fraction of
//     the m neurons fired per training point (mean, min, quantiles, max), the fired-set
//     changes so far and the train objective.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>
#include <vector>

#include "parley/algos/sgd_loop.h"
#include "parley/kron/dense_trainer.h"
#include "parley/kron/kron_generator.h"
#include "parley/kron/kron_trainer.h"

namespace parley {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

size_t PeakRssBytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<size_t>(u.ru_maxrss) * 1024;
}

struct Config {
  std::string trainer = "kron";
  size_t n = 1024, d1 = 32, d2 = 32, m = 256, teacher = 64;
  int batch = 16, threads = 1, steps = 200, warmup = 5;
  double budget = 2.0, lr = 1.0, epochs = 10, every = 0.5;
  uint64_t seed = 1;
};

double Quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

int RunStep(const Config& c) {
  Rng data_rng = Rng(c.seed).Fork("data");
  const KronData data = GenerateKron(c.n, c.d1, c.d2, c.teacher, 0.0, data_rng);
  const size_t data_bytes = (data.u.size() + data.v.size() + data.y.size()) * sizeof(double);
  const Rng init = Rng(c.seed).Fork("init");
  Rng batch_rng = Rng(c.seed).Fork("batches");
  BatchStream batches(c.n, c.batch, batch_rng);

  nlohmann::json out = {{"trainer", c.trainer}, {"n", c.n},          {"d1", c.d1},
                        {"d2", c.d2},           {"d", c.d1 * c.d2}, {"m", c.m},
                        {"batch", c.batch},     {"threads", c.threads}};
  std::unique_ptr<KronTrainer> kron;
  std::unique_ptr<DenseTrainer> dense;
  const auto t0 = Clock::now();
  if (c.trainer == "kron") {
    KronTrainerOptions o{.width = c.m, .threshold = -1, .threads = c.threads};
    StatusOr<std::unique_ptr<KronTrainer>> t = KronTrainer::Create(data, nullptr, o, init);
    if (!t.ok()) {
      std::fprintf(stderr, "error: %s\n", t.status().message().c_str());
      return 1;
    }
    kron = std::move(t).value();
  } else {
    dense = std::make_unique<DenseTrainer>(data, c.m, -1, init);
  }
  out["init_seconds"] = Since(t0);
  auto step = [&](std::span<const uint32_t> b) {
    return kron ? kron->Step(b, c.lr) : dense->Step(b, c.lr);
  };
  for (int k = 0; k < c.warmup; ++k) step(batches.Next());
  std::vector<double> times;
  const auto start = Clock::now();
  for (int k = 0; k < c.steps; ++k) {
    std::span<const uint32_t> b = batches.Next();
    const auto s0 = Clock::now();
    step(b);
    times.push_back(Since(s0));
    if (k >= 2 && Since(start) > c.budget) break;
  }
  out["steps_timed"] = times.size();
  out["step_seconds"] = {{"median", Quantile(times, 0.5)},
                         {"mean", std::accumulate(times.begin(), times.end(), 0.0) /
                                      static_cast<double>(times.size())},
                         {"min", *std::min_element(times.begin(), times.end())}};
  out["data_bytes"] = data_bytes;
  if (kron) {
    const KronInitStats& s = kron->init_stats();
    const KronMemory mem = kron->memory();
    out["gram_seconds"] = s.gram_seconds;
    out["projection_seconds"] = s.projection_seconds;
    out["memory_bytes"] = mem.total();
    out["memory"] = {{"projections", mem.projections}, {"duals", mem.duals}, {"gram", mem.gram},
                     {"fired", mem.fired}};
    out["fired_fraction"] = kron->FiredFraction().mean;
  } else {
    out["memory_bytes"] = dense->memory_bytes();
  }
  out["peak_rss_bytes"] = PeakRssBytes();
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

int RunFired(const Config& c) {
  Rng data_rng = Rng(c.seed).Fork("data");
  const KronData data = GenerateKron(c.n, c.d1, c.d2, c.teacher, 0.0, data_rng);
  KronTrainerOptions o{.width = c.m, .threshold = -1, .threads = c.threads};
  StatusOr<std::unique_ptr<KronTrainer>> t =
      KronTrainer::Create(data, nullptr, o, Rng(c.seed).Fork("init"));
  if (!t.ok()) {
    std::fprintf(stderr, "error: %s\n", t.status().message().c_str());
    return 1;
  }
  KronTrainer& kron = **t;
  Rng batch_rng = Rng(c.seed).Fork("batches");
  BatchStream batches(c.n, c.batch, batch_rng);
  const double rows_per_report = c.every * static_cast<double>(c.n);
  double rows = 0, next = 0;
  auto report = [&] {
    std::vector<double> frac(c.n);
    for (size_t j = 0; j < c.n; ++j)
      frac[j] = static_cast<double>(kron.Fired(j).size()) / static_cast<double>(c.m);
    nlohmann::json line = {
        {"epoch", rows / static_cast<double>(c.n)},
        {"steps", kron.steps()},
        {"crossings", kron.crossings()},
        {"objective", kron.EvaluateTrain().at("objective")},
        {"fired", {{"mean", std::accumulate(frac.begin(), frac.end(), 0.0) / static_cast<double>(c.n)},
                   {"min", Quantile(frac, 0)},
                   {"p10", Quantile(frac, 0.1)},
                   {"median", Quantile(frac, 0.5)},
                   {"p90", Quantile(frac, 0.9)},
                   {"max", Quantile(frac, 1)}}},
        {"n", c.n}, {"d1", c.d1}, {"d2", c.d2}, {"m", c.m}, {"batch", c.batch}, {"lr", c.lr}};
    std::printf("%s\n", line.dump().c_str());
    std::fflush(stdout);
  };
  while (rows < c.epochs * static_cast<double>(c.n)) {
    if (rows >= next) {
      report();
      next += rows_per_report;
    }
    std::span<const uint32_t> b = batches.Next();
    kron.Step(b, c.lr);
    rows += static_cast<double>(b.size());
  }
  report();
  return 0;
}

}  // namespace
}  // namespace parley

int main(int argc, char** argv) {
  parley::Config c;
  CLI::App app{"Kronecker-structured SGD against dense SGD (bench/kron.sh)"};
  app.require_subcommand(1);
  for (CLI::App* sub : {app.add_subcommand("step", "Time initialisation and steps of one trainer"),
                        app.add_subcommand("fired", "Fraction of neurons fired per point over training")}) {
    sub->add_option("--trainer", c.trainer, "kron | dense")->check(CLI::IsMember({"kron", "dense"}));
    sub->add_option("--n", c.n, "Training points");
    sub->add_option("--d1", c.d1, "Length of u");
    sub->add_option("--d2", c.d2, "Length of v");
    sub->add_option("--m", c.m, "Neurons");
    sub->add_option("--teacher", c.teacher, "Width of the teacher network of the targets");
    sub->add_option("--batch", c.batch, "Points per step");
    sub->add_option("--threads", c.threads, "Kronecker trainer threads");
    sub->add_option("--steps", c.steps, "step: at most this many timed steps");
    sub->add_option("--warmup", c.warmup, "step: untimed steps first");
    sub->add_option("--budget", c.budget, "step: stop timing after this many seconds (>= 3 steps)");
    sub->add_option("--lr", c.lr, "Step size");
    sub->add_option("--epochs", c.epochs, "fired: epochs to train");
    sub->add_option("--every", c.every, "fired: epochs between reports");
    sub->add_option("--seed", c.seed, "Seed of data, initial weights and batches");
  }
  CLI11_PARSE(app, argc, argv);
  if (c.n == 0 || c.d1 == 0 || c.d2 == 0 || c.m == 0 || c.batch < 1 || c.threads < 0) {
    std::fprintf(stderr, "error: --n, --d1, --d2, --m, --batch must be positive\n");
    return 2;
  }
  if (app.got_subcommand("step")) return parley::RunStep(c);
  return parley::RunFired(c);
}
