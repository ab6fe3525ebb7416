#include "parley/kron/kron_run.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>

#include "parley/algos/algorithm.h"
#include "parley/algos/sgd_loop.h"
#include "parley/data/split.h"
#include "parley/kron/dense_trainer.h"
#include "parley/kron/kron_file.h"
#include "parley/kron/kron_trainer.h"
#include "parley/models/twolayer.h"
#include "parley/optim/schedule.h"
#include "parley/runtime/model_file.h"

namespace parley {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

Status CheckKronOptions(const RunOptions& o, const KronRunOptions& k) {
  const std::string what = k.kron ? "--kron" : "a Kronecker points file";
  if (o.train_path.empty()) return InvalidArgument("--data is required: the training data file");
  if (o.model.kind != "twolayer")
    return InvalidArgument(what + " trains --model twolayer only; got --model " + o.model.kind);
  if (o.algo.name != "sequential" || o.algo.workers != 1)
    return InvalidArgument(what + " trains with sequential SGD and one worker (--algo sequential "
                           "--workers 1; --kron-threads sets threads); got --algo " +
                           o.algo.name + " --workers " + std::to_string(o.algo.workers));
  if (o.transport != "inproc")
    return InvalidArgument(what + " trains in this process; --transport must be inproc, got '" +
                           o.transport + "'");
  if (o.train.optimizer.momentum != 0)
    return InvalidArgument(what + " does not support --momentum (plain SGD steps only)");
  if (o.time_limit < 0) return InvalidArgument("--time-limit must be >= 0");
  if (!o.target_metric.empty() && o.test_path.empty() && !(o.test_fraction > 0))
    return InvalidArgument("--target needs test data (--test or --test-fraction)");
  return OkStatus();
}

// Reads a Kronecker file for --kron, saying what --kron expects when it is something else.
StatusOr<KronData> ReadForKron(const std::string& flag, const std::string& path) {
  StatusOr<KronData> d = ReadKron(path);
  if (!d.ok() && d.status().code() == StatusCode::kInvalidArgument && !IsKronFile(path))
    return InvalidArgument(flag + " " + path + " is not a Kronecker points file (docs/kron.md), which --kron needs: " +
                           d.status().message());
  return d;
}

// What the run loop needs from a trainer: the Kronecker one or the dense baseline.
class Trainer {
 public:
  virtual ~Trainer() = default;
  virtual double Step(std::span<const uint32_t> batch, double eta) = 0;
  // Metrics on the train-eval points and on the test points (empty without test points).
  virtual MetricSet EvaluateTrain() const = 0;
  virtual MetricSet EvaluateTest() const = 0;
  // W, m x d row-major (materialised by the Kronecker trainer).
  virtual std::vector<double> Weights() const = 0;
  virtual const std::vector<double>& signs() const = 0;
  virtual double threshold() const = 0;
  // Extra keys for each metrics line and for the summary.
  virtual void AddToLine(nlohmann::json& line) const = 0;
  virtual void AddToSummary(nlohmann::json& summary) const = 0;
};

class KronAdapter final : public Trainer {
 public:
  KronAdapter(std::unique_ptr<KronTrainer> t, std::span<const uint32_t> eval_rows)
      : t_(std::move(t)), eval_rows_(eval_rows) {}
  double Step(std::span<const uint32_t> batch, double eta) override { return t_->Step(batch, eta); }
  MetricSet EvaluateTrain() const override { return t_->EvaluateTrain(eval_rows_); }
  MetricSet EvaluateTest() const override { return t_->EvaluateHeldOut(); }
  std::vector<double> Weights() const override { return t_->MaterializeW(); }
  const std::vector<double>& signs() const override { return t_->signs(); }
  double threshold() const override { return t_->threshold(); }
  void AddToLine(nlohmann::json& line) const override { line["kron"] = Fired(); }
  void AddToSummary(nlohmann::json& s) const override {
    const KronInitStats& init = t_->init_stats();
    const KronMemory mem = t_->memory();
    nlohmann::json k = Fired();
    k["threads"] = t_->threads();
    k["init_seconds"] = {{"gram", init.gram_seconds},
                         {"projections", init.projection_seconds},
                         {"total", init.total_seconds}};
    k["memory_bytes"] = {{"projections", mem.projections}, {"duals", mem.duals},
                         {"gram", mem.gram}, {"fired", mem.fired},
                         {"held_out", mem.held_out}, {"total", mem.total()}};
    s["kron"] = k;
  }

 private:
  nlohmann::json Fired() const {
    const auto fired = t_->FiredFraction();
    return {{"fired_fraction", {{"mean", fired.mean}, {"min", fired.min}, {"max", fired.max}}},
            {"crossings", t_->crossings()}};
  }
  std::unique_ptr<KronTrainer> t_;
  std::span<const uint32_t> eval_rows_;
};

class DenseAdapter final : public Trainer {
 public:
  DenseAdapter(const KronData& train, const KronData& test, std::span<const uint32_t> eval_rows,
               size_t width, double threshold, const Rng& init)
      : t_(train, width, threshold, init), train_(train), test_(test) {
    if (!eval_rows.empty()) sample_ = train.Subset(eval_rows);
  }
  double Step(std::span<const uint32_t> batch, double eta) override { return t_.Step(batch, eta); }
  MetricSet EvaluateTrain() const override {
    return t_.Evaluate(sample_.rows() > 0 ? sample_ : train_);
  }
  MetricSet EvaluateTest() const override {
    return test_.rows() > 0 ? t_.Evaluate(test_) : MetricSet{};
  }
  std::vector<double> Weights() const override { return {t_.W().begin(), t_.W().end()}; }
  const std::vector<double>& signs() const override { return t_.signs(); }
  double threshold() const override { return t_.threshold(); }
  void AddToLine(nlohmann::json&) const override {}
  void AddToSummary(nlohmann::json& s) const override {
    s["dense"] = {{"memory_bytes", t_.memory_bytes()}};
  }

 private:
  DenseTrainer t_;
  const KronData& train_;
  const KronData& test_;
  KronData sample_;  // the train-eval sample, when it is not every training point
};

// A training run on Kronecker points: the sequential role's loop (algos/sequential) with the
// trainer's Step in place of Gradient + optimizer step, and the runtime's reporting.
class KronRun {
 public:
  KronRun(const RunOptions& o, const KronRunOptions& k) : o_(o), k_(k) {}

  StatusOr<nlohmann::json> Run() {
    PARLEY_RETURN_IF_ERROR(CheckKronOptions(o_, k_));
    if (o_.model.width < 1) return InvalidArgument("--width must be at least 1");
    PARLEY_RETURN_IF_ERROR(Load());
    const size_t m = static_cast<size_t>(o_.model.width);
    TwoLayerModel proto(train_.dim(), m, o_.model.threshold);
    PARLEY_RETURN_IF_ERROR(ValidateTrainOptions(o_.train, proto));
    if (!o_.metrics_path.empty()) {
      log_.open(o_.metrics_path, std::ios::trunc);
      if (!log_) return InvalidArgument("--metrics: cannot write " + o_.metrics_path);
    }
    SampleTrainEvalRows();

    start_ = Clock::now();
    const Rng run_rng(o_.seed);
    const Rng init = run_rng.Fork("init");  // as the runtime's AlgorithmSetup::init_rng
    if (k_.kron) {
      KronTrainerOptions ko{.width = m, .threshold = o_.model.threshold, .threads = k_.threads};
      PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<KronTrainer> t,
                              KronTrainer::Create(train_, test_.rows() > 0 ? &test_ : nullptr, ko, init));
      trainer_ = std::make_unique<KronAdapter>(std::move(t), train_eval_rows_);
    } else {
      trainer_ = std::make_unique<DenseAdapter>(train_, test_, train_eval_rows_, m,
                                                o_.model.threshold, init);
    }
    // The batch order of SequentialSgd's worker: AlgorithmSetup::BatchRng(0) of the runtime.
    Rng batch_rng = run_rng.Fork("batch").Fork(0);
    BatchStream batches(train_.rows(), o_.train.batch_size, batch_rng);
    EvalClock eval(o_.train, train_.rows());
    const Schedule schedule(o_.train.optimizer.schedule);
    int64_t t = 0;
    while (!ShouldStop() && !eval.Done()) {
      std::span<const uint32_t> batch = batches.Next();
      const double loss = trainer_->Step(batch, schedule.At(t++));
      if (eval.Advance(batch.size(), loss)) Report(eval.Take(t), false);
    }
    Report(eval.Take(t), true);

    nlohmann::json summary = Summary(proto);
    if (!o_.model_out.empty()) {
      TwoLayerModel model(train_.dim(), m, trainer_->threshold(), trainer_->signs());
      PARLEY_RETURN_IF_ERROR(SaveModel(o_.model_out, model, trainer_->Weights()));
    }
    if (!o_.summary_path.empty())
      PARLEY_RETURN_IF_ERROR(WriteFileAtomic(o_.summary_path, summary.dump(2) + "\n"));
    return summary;
  }

 private:
  // As the runtime's LoadData: --test, or a seeded --test-fraction split, or no test data.
  Status Load() {
    PARLEY_ASSIGN_OR_RETURN(KronData all, ReadForKron("--data", o_.train_path));
    if (!o_.test_path.empty()) {
      PARLEY_ASSIGN_OR_RETURN(test_, ReadForKron("--test", o_.test_path));
      if (test_.d1 != all.d1 || test_.d2 != all.d2)
        return InvalidArgument("--test " + o_.test_path + " has d1 x d2 = " + std::to_string(test_.d1) +
                               " x " + std::to_string(test_.d2) + ", --data " + o_.train_path +
                               " has " + std::to_string(all.d1) + " x " + std::to_string(all.d2));
      train_ = std::move(all);
    } else if (o_.test_fraction > 0) {
      if (o_.test_fraction >= 1) return InvalidArgument("--test-fraction must be in [0, 1)");
      if (all.rows() >= (size_t{1} << 24))
        return InvalidArgument("--kron --test-fraction supports up to 2^24 points; split the file");
      // TrainTestSplit on a stand-in with the same row count picks the same rows.
      Dataset index;
      index.dense.cols = 1;
      index.dense.x.resize(all.rows());
      std::iota(index.dense.x.begin(), index.dense.x.end(), 0.0f);
      index.label = index.dense.x;
      Dataset tr, te;
      Rng split = Rng(o_.seed).Fork("split");
      TrainTestSplit(index, o_.test_fraction, split, &tr, &te);
      auto rows = [](const Dataset& d) {
        return std::vector<uint32_t>(d.label.begin(), d.label.end());
      };
      train_ = all.Subset(rows(tr));
      test_ = all.Subset(rows(te));
    } else {
      train_ = std::move(all);
    }
    return OkStatus();
  }

  // As the runtime: train metrics on a seeded sample of train_eval_rows points.
  void SampleTrainEvalRows() {
    if (o_.train_eval_rows == 0 || train_.rows() <= o_.train_eval_rows) return;
    Rng r = Rng(o_.seed).Fork("train-eval");
    std::vector<uint32_t> idx(train_.rows());
    std::iota(idx.begin(), idx.end(), 0u);
    r.Shuffle(idx);
    idx.resize(o_.train_eval_rows);
    train_eval_rows_ = std::move(idx);
  }

  double Now() const { return Seconds(Clock::now() - start_) - eval_seconds_; }
  double Wall() const { return Seconds(Clock::now() - start_); }
  bool ShouldStop() const { return stop_ || (o_.time_limit > 0 && Now() >= o_.time_limit); }

  void Report(const Progress& p, bool final) {
    const auto t0 = Clock::now();
    const double time = Now();
    MetricSet train = trainer_->EvaluateTrain();
    MetricSet test = trainer_->EvaluateTest();
    eval_seconds_ += Seconds(Clock::now() - t0);

    nlohmann::json line = {{"time", time}, {"wall", Wall()}, {"epoch", p.epochs},
                           {"updates", p.updates}, {"train", MetricsJson(train)}, {"test", MetricsJson(test)}};
    if (p.train_loss >= 0) line["train_loss"] = p.train_loss;
    if (final) line["final"] = true;
    trainer_->AddToLine(line);
    if (log_.is_open()) {
      log_ << line.dump() << '\n';
      log_.flush();
    }
    if (!o_.quiet) {
      std::fputs(ReportLine(p.epochs, p.updates, time, p.train_loss, train, test, final).c_str(),
                 stdout);
      std::fflush(stdout);
    }
    last_ = {p, train, test};
    if (!o_.target_metric.empty() && !target_reached_ && test.count(o_.target_metric)) {
      const double v = test[o_.target_metric];
      if (HigherIsBetter(o_.target_metric) ? v >= o_.target_value : v <= o_.target_value) {
        target_reached_ = true;
        target_time_ = time;
        stop_ = true;
      }
    }
  }

  nlohmann::json Summary(const TwoLayerModel& proto) const {
    nlohmann::json s;
    s["model"] = "twolayer";
    s["algo"] = o_.algo.name;
    s["workers"] = o_.algo.workers;
    s["transport"] = o_.transport;
    s["seed"] = o_.seed;
    s["wall_seconds"] = Wall();
    s["train_seconds"] = Now();
    s["eval_seconds"] = eval_seconds_;
    s["epochs"] = last_.progress.epochs;
    s["updates"] = last_.progress.updates;
    s["train"] = MetricsJson(last_.train);
    s["test"] = MetricsJson(last_.test);
    s["params"] = proto.NumParams();
    s["data"] = {{"train", o_.train_path}, {"test", o_.test_path},
                 {"test_fraction", o_.test_fraction}};
    if (!o_.target_metric.empty()) {
      s["target"] = {{"metric", o_.target_metric}, {"value", o_.target_value},
                     {"reached", target_reached_},
                     {"time", target_reached_ ? nlohmann::json(target_time_) : nlohmann::json()}};
    }
    s["config"] = TwoLayerModel(train_.dim(), proto.width(), trainer_->threshold(),
                                trainer_->signs())
                      .Config();
    s["trainer"] = k_.kron ? "kron" : "dense";
    s["d1"] = train_.d1;
    s["d2"] = train_.d2;
    trainer_->AddToSummary(s);
    return s;
  }

  struct Last {
    Progress progress;
    MetricSet train, test;
  };

  const RunOptions& o_;
  const KronRunOptions& k_;
  KronData train_, test_;
  std::vector<uint32_t> train_eval_rows_;  // empty: every training point
  std::unique_ptr<Trainer> trainer_;
  std::ofstream log_;
  Clock::time_point start_;
  double eval_seconds_ = 0;
  bool stop_ = false;
  bool target_reached_ = false;
  double target_time_ = 0;
  Last last_;
};

}  // namespace

StatusOr<nlohmann::json> TrainKron(const RunOptions& options, const KronRunOptions& kron) {
  KronRun run(options, kron);
  return run.Run();
}

}  // namespace parley
