#include "parley/runtime/runner.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "parley/comm/inproc/inproc_transport.h"
#include "parley/comm/netem_transport.h"
#include "parley/data/read.h"
#include "parley/data/split.h"
#include "parley/runtime/model_file.h"

namespace parley {
namespace {

using Seconds = std::chrono::duration<double>;

nlohmann::json ToJson(const MetricSet& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
  return j;
}

std::string FormatMetrics(const MetricSet& m) {
  std::string s;
  char buf[64];
  for (const auto& [k, v] : m) {
    std::snprintf(buf, sizeof(buf), " %s %.4f", k.c_str(), v);
    s += buf;
  }
  return s;
}

// Loads train and test data so that both share dimensions (features, users, items).
Status LoadData(const RunOptions& o, Rng& rng, Dataset* train, Dataset* test) {
  IdMap users, items;
  PARLEY_ASSIGN_OR_RETURN(Dataset all, ReadDataset(o.train_path, users, items));
  if (!o.test_path.empty()) {
    PARLEY_ASSIGN_OR_RETURN(*test, ReadDataset(o.test_path, users, items));
    *train = std::move(all);
    if (train->kind != test->kind)
      return InvalidArgument("--test " + o.test_path + " is not of the same kind of data as --data " +
                             o.train_path);
  } else if (o.test_fraction > 0) {
    if (o.test_fraction >= 1) return InvalidArgument("--test-fraction must be in [0, 1)");
    Rng split = rng.Fork("split");
    TrainTestSplit(all, o.test_fraction, split, train, test);
  } else {
    *train = std::move(all);
  }
  // Same dimensions on both sides.
  uint32_t nf = std::max(train->sparse.num_features, test->sparse.num_features);
  train->sparse.num_features = test->sparse.num_features = nf;
  if (train->kind == Dataset::Kind::kDense && test->rows() > 0 && train->dense.cols != test->dense.cols)
    return InvalidArgument("--test " + o.test_path + " has " + std::to_string(test->dense.cols) +
                           " columns, --data " + o.train_path + " has " +
                           std::to_string(train->dense.cols));
  train->ratings.num_users = test->ratings.num_users = static_cast<uint32_t>(users.size());
  train->ratings.num_items = test->ratings.num_items = static_cast<uint32_t>(items.size());
  if (test->rows() == 0) test->kind = train->kind;
  return OkStatus();
}

class Runner final : public RunContext {
 public:
  Runner(const RunOptions& o, const Dataset& train, const Dataset& test, const Model& model)
      : o_(o), test_(test), start_(SteadyClock::now()), eval_model_(model.Clone()) {
    // Train metrics on a seeded sample.
    if (o.train_eval_rows == 0 || train.rows() <= o.train_eval_rows) {
      train_eval_ = &train;
    } else {
      Rng r = Rng(o.seed).Fork("train-eval");
      std::vector<uint32_t> idx(train.rows());
      for (uint32_t i = 0; i < idx.size(); ++i) idx[i] = i;
      r.Shuffle(idx);
      idx.resize(o.train_eval_rows);
      train_sample_ = train.Subset(idx);
      train_eval_ = &train_sample_;
    }
    tty_ = o.progress && !o.quiet && ::isatty(2);
  }

  Status Open() {
    if (!o_.metrics_path.empty()) {
      log_.open(o_.metrics_path, std::ios::trunc);
      if (!log_) return InvalidArgument("--metrics: cannot write " + o_.metrics_path);
    }
    return OkStatus();
  }

  double Now() const override {
    return Seconds(SteadyClock::now() - start_).count() - eval_seconds_.load();
  }
  double Wall() const { return Seconds(SteadyClock::now() - start_).count(); }

  double ChargeCompute(int rank, double seconds) override {
    if (!emulator_) return seconds;
    const ComputeEmulator::Outcome out = emulator_->Step(rank, seconds, Now());
    if (out.killed) {
      Event({{"event", "killed"}, {"worker", emulator_->worker_of(rank)}, {"rank", rank}});
      throw NodeKilled{rank};
    }
    if (out.seconds > seconds) std::this_thread::sleep_for(Seconds(out.seconds - seconds));
    return out.seconds;
  }

  // An event line in the metrics log (and the summary): kills, silent workers.
  void Event(nlohmann::json e) {
    std::lock_guard<std::mutex> lock(report_mu_);
    e["time"] = Now();
    e["wall"] = Wall();
    if (log_.is_open()) {
      log_ << e.dump() << '\n';
      log_.flush();
    }
    if (!o_.quiet) {
      std::lock_guard<std::mutex> plock(print_mu_);
      if (tty_) std::fprintf(stderr, "\r\033[K");
      std::printf("event: %s\n", e.dump().c_str());
      std::fflush(stdout);
    }
    events_.push_back(std::move(e));
  }

  bool ShouldStop() const override {
    if (stop_.load(std::memory_order_acquire)) return true;
    return o_.time_limit > 0 && Now() >= o_.time_limit;
  }

  void Fail(int rank, Status status) override {
    {
      std::lock_guard<std::mutex> lock(fail_mu_);
      if (failure_.ok()) failure_ = std::move(status);
    }
    stop_.store(true, std::memory_order_release);
    if (transport_) transport_->Abort();
  }

  void Tick(int rank, double epochs) override {
    epochs_.store(epochs, std::memory_order_relaxed);
  }

  void Report(int rank, const Progress& p, WeightsView w, bool final) override {
    std::lock_guard<std::mutex> lock(report_mu_);
    auto t0 = SteadyClock::now();
    const double time = Now();
    MetricSet train = eval_model_->Evaluate(w, *train_eval_);
    MetricSet test;
    if (test_.rows() > 0) test = eval_model_->Evaluate(w, test_);
    eval_seconds_.store(eval_seconds_.load() + Seconds(SteadyClock::now() - t0).count());

    nlohmann::json line = {{"time", time}, {"wall", Wall()}, {"epoch", p.epochs},
                           {"updates", p.updates}, {"train", ToJson(train)}, {"test", ToJson(test)}};
    if (p.train_loss >= 0) line["train_loss"] = p.train_loss;
    line.update(Traffic());
    if (p.extra.is_object()) line.update(p.extra);
    last_extra_ = p.extra;
    if (final) line["final"] = true;
    if (log_.is_open()) {
      log_ << line.dump() << '\n';
      log_.flush();
    }
    if (!o_.quiet) {
      std::lock_guard<std::mutex> plock(print_mu_);
      if (tty_) std::fprintf(stderr, "\r\033[K");
      std::printf("epoch %6.2f  updates %9lld  time %7.2fs  batch loss %s |%s%s%s\n", p.epochs,
                  static_cast<long long>(p.updates), time,
                  p.train_loss >= 0 ? std::to_string(p.train_loss).c_str() : "-",
                  test.empty() ? " train" : " test", FormatMetrics(test.empty() ? train : test).c_str(),
                  final ? "  (final)" : "");
      std::fflush(stdout);
    }
    last_ = {p, train, test, time};
    if (!o_.target_metric.empty() && !target_reached_ && test.count(o_.target_metric)) {
      double v = test[o_.target_metric];
      bool hit = HigherIsBetter(o_.target_metric) ? v >= o_.target_value : v <= o_.target_value;
      if (hit) {
        target_reached_ = true;
        target_time_ = time;
        stop_.store(true, std::memory_order_release);
      }
    }
    if (final) {
      final_params_.resize(w.size);
      for (size_t i = 0; i < w.size; ++i) final_params_[i] = w[i];
      has_final_ = true;
    }
  }

  // Messages, bytes and steps of every node so far, and per-worker step counts.
  nlohmann::json Traffic() const {
    int64_t messages = 0, bytes = 0;
    std::vector<int64_t> steps;
    for (size_t r = 0; r < nodes_.size(); ++r) {
      const NodeCounters& c = nodes_[r]->counters();
      messages += c.messages_sent.load(std::memory_order_relaxed);
      bytes += c.bytes_sent.load(std::memory_order_relaxed);
      if (r < worker_of_rank_.size() && worker_of_rank_[r] >= 0) {
        if (steps.size() <= static_cast<size_t>(worker_of_rank_[r])) steps.resize(worker_of_rank_[r] + 1);
        steps[worker_of_rank_[r]] = c.steps.load(std::memory_order_relaxed);
      }
    }
    nlohmann::json j = {{"messages", messages}, {"bytes", bytes}, {"worker_steps", steps}};
    if (emulator_ && o_.emulation.straggle_prob > 0) j["stragglers"] = emulator_->Stragglers();
    return j;
  }

  // Runs the roles, one thread each, and waits for all of them.
  Status RunRoles(std::vector<Role>& roles) {
    InprocTransport inproc(static_cast<int>(roles.size()));
    std::unique_ptr<NetemTransport> netem;
    Transport* transport = &inproc;
    if (o_.emulation.network.active()) {
      netem = std::make_unique<NetemTransport>(inproc, o_.emulation.network, Rng(o_.seed).Fork("network")());
      transport = netem.get();
    }
    transport_ = transport;
    for (const Role& r : roles) worker_of_rank_.push_back(r.worker);
    if (o_.emulation.compute_active()) {
      for (const KillRule& k : o_.emulation.kills)
        if (std::find(worker_of_rank_.begin(), worker_of_rank_.end(), k.worker) == worker_of_rank_.end())
          return InvalidArgument("--kill names worker " + std::to_string(k.worker) + " but the run has workers 0.." +
                                 std::to_string(*std::max_element(worker_of_rank_.begin(), worker_of_rank_.end())));
      emulator_ = std::make_unique<ComputeEmulator>(o_.emulation, worker_of_rank_, o_.seed);
    }
    Rng run_rng(o_.seed);
    for (size_t r = 0; r < roles.size(); ++r)
      nodes_.push_back(std::make_unique<Node>(static_cast<int>(r), roles[r].name, *transport, *this,
                                              run_rng.Fork("node").Fork(r)));
    if (log_.is_open()) {
      nlohmann::json start = {{"event", "start"}, {"algo", o_.algo.name}, {"workers", o_.algo.workers},
                              {"ranks", roles.size()}, {"seed", o_.seed}};
      if (o_.emulation.compute_active() || o_.emulation.network.active())
        start["emulation"] = o_.emulation.ToJson();
      log_ << start.dump() << '\n';
    }
    std::atomic<bool> done{false};
    std::thread bar;
    if (tty_) bar = std::thread([&] { ProgressBar(done); });
    std::vector<std::thread> threads;
    for (size_t r = 0; r < roles.size(); ++r)
      threads.emplace_back([&, r] {
        try {
          roles[r].run(*nodes_[r]);
        } catch (const NodeKilled&) {
          // The emulated machine died: the role is gone; its peers find out on their own.
        }
      });
    for (auto& t : threads) t.join();
    if (netem) netem->Abort();  // drop what is still on the wire
    done.store(true);
    {
      std::lock_guard<std::mutex> lock(bar_mu_);
      bar_cv_.notify_all();
    }
    if (bar.joinable()) bar.join();
    transport_ = nullptr;
    std::lock_guard<std::mutex> lock(fail_mu_);
    return failure_;
  }

  nlohmann::json Summary(const Algorithm& algo, const Model& model) const {
    nlohmann::json s;
    s["model"] = model.Kind();
    s["algo"] = algo.Name();
    s["workers"] = o_.algo.workers;
    s["transport"] = o_.transport;
    s["seed"] = o_.seed;
    s["wall_seconds"] = Wall();
    s["train_seconds"] = Now();
    s["eval_seconds"] = eval_seconds_.load();
    s["epochs"] = last_.progress.epochs;
    s["updates"] = last_.progress.updates;
    s["train"] = ToJson(last_.train);
    s["test"] = ToJson(last_.test);
    s["params"] = model.NumParams();
    s["data"] = {{"train", o_.train_path}, {"test", o_.test_path}, {"test_fraction", o_.test_fraction}};
    if (!o_.target_metric.empty()) {
      s["target"] = {{"metric", o_.target_metric}, {"value", o_.target_value},
                     {"reached", target_reached_},
                     {"time", target_reached_ ? nlohmann::json(target_time_) : nlohmann::json()}};
    }
    s["config"] = model.Config();
    s.update(Traffic());
    for (const char* key : {"dropped", "applied", "staleness_hist", "staleness_mean", "silent_workers", "aggregate"})
      if (last_extra_.contains(key)) s[key] = last_extra_[key];
    if (o_.algo.name != "sequential") {
      s["backup"] = o_.algo.backup;
      s["servers"] = o_.algo.servers;
    }
    if (o_.emulation.compute_active() || o_.emulation.network.active())
      s["emulation"] = o_.emulation.ToJson();
    s["events"] = events_;
    return s;
  }

  bool has_final() const { return has_final_; }
  const std::vector<double>& final_params() const { return final_params_; }

 private:
  void ProgressBar(std::atomic<bool>& done) {
    const int width = 30;
    std::unique_lock<std::mutex> lock(bar_mu_);
    while (!done.load()) {
      bar_cv_.wait_for(lock, std::chrono::milliseconds(200));
      if (done.load()) break;
      double e = epochs_.load(std::memory_order_relaxed);
      double frac = std::clamp(e / o_.train.epochs, 0.0, 1.0);
      int fill = static_cast<int>(frac * width);
      std::lock_guard<std::mutex> plock(print_mu_);
      std::fprintf(stderr, "\r\033[K[%s%s] %.2f/%g epochs  %.1fs", std::string(fill, '#').c_str(),
                   std::string(width - fill, '.').c_str(), e, o_.train.epochs, Now());
      std::fflush(stderr);
    }
    std::lock_guard<std::mutex> plock(print_mu_);
    std::fprintf(stderr, "\r\033[K");
  }

  struct Last {
    Progress progress;
    MetricSet train, test;
    double time = 0;
  };

  // Constant after construction.
  const RunOptions& o_;
  const Dataset& test_;
  const Dataset* train_eval_ = nullptr;
  Dataset train_sample_;
  const SteadyClock::time_point start_;
  bool tty_ = false;

  std::atomic<bool> stop_{false};
  std::atomic<double> eval_seconds_{0};
  std::atomic<double> epochs_{0};
  Transport* transport_ = nullptr;  // set while roles run

  std::mutex fail_mu_;
  Status failure_;  // GUARDED_BY(fail_mu_)

  std::mutex report_mu_;  // serialises Report
  std::unique_ptr<Model> eval_model_;
  std::ofstream log_;
  Last last_;
  bool target_reached_ = false;
  double target_time_ = 0;
  std::vector<double> final_params_;
  bool has_final_ = false;
  nlohmann::json last_extra_;
  nlohmann::json events_ = nlohmann::json::array();  // GUARDED_BY(report_mu_)

  std::unique_ptr<ComputeEmulator> emulator_;  // set before the roles start
  std::vector<int> worker_of_rank_;
  std::vector<std::unique_ptr<Node>> nodes_;   // set before the roles start

  std::mutex print_mu_;
  std::mutex bar_mu_;
  std::condition_variable bar_cv_;
};

}  // namespace

StatusOr<nlohmann::json> Train(const RunOptions& o) {
  if (o.train_path.empty()) return InvalidArgument("--data is required: the training data file");
  if (o.transport != "inproc")
    return InvalidArgument("--transport must be inproc (mpi is not built yet); got '" + o.transport +
                           "'");
  if (o.time_limit < 0) return InvalidArgument("--time-limit must be >= 0");
  Rng rng(o.seed);
  Dataset train, test;
  PARLEY_RETURN_IF_ERROR(LoadData(o, rng, &train, &test));
  if (train.rows() == 0) return InvalidArgument("--data " + o.train_path + " has no rows");

  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, MakeModel(o.model, train));
  if (test.rows() > 0) {
    Status s = model->CheckData(test);
    if (!s.ok()) return InvalidArgument("test data: " + s.message());
  }
  PARLEY_RETURN_IF_ERROR(ValidateTrainOptions(o.train, *model));
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<Algorithm> algo, MakeAlgorithm(o.algo));
  if (!o.target_metric.empty()) {
    if (test.rows() == 0)
      return InvalidArgument("--target needs test data (--test or --test-fraction)");
  }

  AlgorithmSetup setup;
  setup.prototype = model.get();
  setup.train = &train;
  setup.train_options = o.train;
  setup.init_rng = rng.Fork("init");
  std::vector<Dataset> shards;
  if (algo->NumShards() == 1) {
    setup.shards = {&train};
  } else {
    Rng shard_rng = rng.Fork("shard");
    shards = train.kind == Dataset::Kind::kRatings && model->SharedSize() < model->NumParams()
                 ? ShardByUser(train, algo->NumShards(), shard_rng)
                 : Shard(train, algo->NumShards(), shard_rng);
    for (const Dataset& s : shards) setup.shards.push_back(&s);
  }

  // Initialise the prototype once, with the roles' own init stream: models with state drawn
  // at Init (the two-layer network's output signs) then carry it into the evaluation copy and
  // the model file, identical to what every role's clone draws.
  {
    std::vector<double> scratch(model->NumParams());
    Rng init = setup.init_rng;
    model->Init(scratch, train, init);
  }
  Runner runner(o, train, test, *model);
  PARLEY_RETURN_IF_ERROR(runner.Open());
  std::vector<Role> roles = algo->Roles(setup);
  PARLEY_RETURN_IF_ERROR(runner.RunRoles(roles));
  if (!runner.has_final()) return Internal("the run ended without final parameters");

  nlohmann::json summary = runner.Summary(*algo, *model);
  if (!o.model_out.empty()) PARLEY_RETURN_IF_ERROR(SaveModel(o.model_out, *model, runner.final_params()));
  if (!o.summary_path.empty())
    PARLEY_RETURN_IF_ERROR(WriteFileAtomic(o.summary_path, summary.dump(2) + "\n"));
  return summary;
}

}  // namespace parley
