#include "parley/runtime/runner.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "parley/comm/inproc/inproc_transport.h"
#include "parley/comm/netem_transport.h"
#include "parley/data/split.h"
#include "parley/models/kmeans.h"
#include "parley/runtime/load_data.h"
#include "parley/runtime/model_file.h"
#include "parley/runtime/role_guard.h"
#include "parley/runtime/ranks.h"
#if PARLEY_HAVE_SIMGRID
#include "parley/comm/sim/sim_session.h"
#endif
#if PARLEY_HAVE_MPI
#include "parley/comm/mpi/mpi_session.h"
#include "parley/comm/mpi/mpi_transport.h"
#endif

namespace parley {
namespace {

using Seconds = std::chrono::duration<double>;

#if PARLEY_HAVE_MPI
// Control messages between the runtimes of the ranks of an MPI run (MpiTransport's control
// channel). Payloads are JSON text.
enum ControlTag : int {
  kCtlFail = 1,      // rank r -> 0: {"code", "message"}: a role failed
  kCtlEvent = 2,     // rank r -> 0: an event object for the metrics log
  kCtlCounters = 3,  // rank r -> 0: {"messages", "bytes", "steps", "stragglers", "puts", "slot_reads"}, every 250 ms
  kCtlRoleDone = 4,  // rank r -> 0: its role has ended (counters as kCtlCounters)
  kCtlStop = 10,     // 0 -> all: the stop rule is met
  kCtlAbort = 11,    // 0 -> all: the run failed; end the roles now
  kCtlEnd = 12,      // 0 -> all: every role has ended; shut down
  kCtlClock = 13,    // 0 -> all, every 250 ms: {"eval_seconds", "stop"}; also rank 0's heartbeat
};

Bytes JsonBytes(const nlohmann::json& j) {
  const std::string s = j.dump();
  return Bytes(reinterpret_cast<const std::byte*>(s.data()), reinterpret_cast<const std::byte*>(s.data() + s.size()));
}
nlohmann::json BytesJson(const Bytes& b) {
  return nlohmann::json::parse(std::string(reinterpret_cast<const char*>(b.data()), b.size()), nullptr, false);
}

// A field of a control message from another rank: `fallback` when the message is not an
// object, lacks the field or holds another type there (json::value would throw).
int64_t IntField(const nlohmann::json& j, const char* key, int64_t fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}
double NumberField(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}
std::string StringField(const nlohmann::json& j, const char* key, std::string fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}
#endif

class Runner final : public RunContext {
 public:
  // mpi_rank: this process's rank in an MPI run (it hosts that role only), or -1: every role
  // is a thread of this process. train_eval: the training rows train metrics are computed on
  // (the training set or its seeded sample, TrainEvalRows; empty on an MPI rank other than 0).
  Runner(const RunOptions& o, const Dataset& train_eval, const Dataset& test, const Model& model, int mpi_rank = -1)
      : o_(o), test_(test), me_(mpi_rank), train_eval_(&train_eval),
        clock_(o.clock ? o.clock : &wall_), sim_(o.transport == "sim"), eval_model_(model.Clone()) {
    tty_ = o.progress && !o.quiet && ::isatty(2) && me_ <= 0;
  }

  // The run's clock: the nodes read it (Now), the transports wait on it.
  Clock& clock() { return *clock_; }

  // What the process holds of the data, for the log's start line ("data").
  void SetDataLog(nlohmann::json data) { data_log_ = std::move(data); }

  // Whether this process writes the outputs (every in-process run; rank 0 of an MPI run).
  bool reporting() const { return me_ <= 0; }

  Status Open() {
    if (!o_.metrics_path.empty() && reporting()) {
      log_.open(o_.metrics_path, std::ios::trunc);
      if (!log_) return InvalidArgument("--metrics: cannot write " + o_.metrics_path);
    }
    return OkStatus();
  }

  double Now() const override { return clock_->Now() - eval_seconds_.load(); }
  // Real seconds since the roles started, whatever the run's clock.
  double Wall() const { return wall_.Now(); }

  bool EmulatesCompute() const override { return emulator_ != nullptr; }

  // The emulated step is based on the thread's CPU time, not its wall-clock time: with more
  // roles than cores (8 peers on 2 here) a step's wall time includes waiting for a core, which
  // a machine of its own would not; the CPU time is what the step costs on a dedicated core.
  // The sleep makes up the difference between the emulated duration and the wall time spent.
  double ChargeCompute(int rank, double seconds, double cpu_seconds) override {
    if (!emulator_) return seconds;
    double measured = cpu_seconds >= 0 ? cpu_seconds : seconds;
    // Simulated: no virtual time passes while a step computes (seconds is 0); a step costs
    // --step-time's model alone (nothing measured: the run is deterministic), else its CPU
    // time times --compute-scale.
    if (sim_) measured = o_.emulation.step_time > 0 ? 0.0 : cpu_seconds * o_.compute_scale;
    const ComputeEmulator::Outcome out = emulator_->Step(rank, measured, Now());
    if (out.killed) {
      Event(rank, {{"event", "killed"}, {"worker", emulator_->worker_of(rank)}, {"rank", rank}});
      throw NodeKilled{rank};
    }
    if (emulator_->worker_of(rank) < 0) return seconds;  // servers, masters: not emulated
    if (out.seconds > seconds) SleepOff(rank, out.seconds - seconds);
    return std::max(out.seconds, seconds);
  }

  // Emulated time a step did not spend computing is owed per rank and slept off once it
  // reaches kMinSleep: sleep_for overshoots by tens of microseconds, which would stretch
  // steps of a few microseconds many times over. The time actually slept is subtracted, so an
  // overshoot is paid back by the next steps and the emulated duration is right on average.
  // Steps of kMinSleep or more still sleep every step. Called by rank's own thread only.
  void SleepOff(int rank, double seconds) {
    double& owed = sleep_owed_.at(static_cast<size_t>(rank));
    owed += seconds;
    if (owed < kMinSleep && !sim_) return;  // virtual sleeps are exact
    const double t0 = clock_->Now();
    clock_->SleepFor(owed);
    owed -= clock_->Now() - t0;
  }

  void Event(int rank, nlohmann::json e) override {
    e["by_rank"] = rank;
#if PARLEY_HAVE_MPI
    if (mpi_ && me_ != 0) {
      e["time"] = Now();
      mpi_->SendControl(0, kCtlEvent, JsonBytes(e));
      return;
    }
#endif
    Event(std::move(e));
  }

  // An event line in the metrics log (and the summary): kills, silent workers.
  void Event(nlohmann::json e) {
    std::lock_guard<std::mutex> lock(report_mu_);
    if (!e.contains("time")) e["time"] = Now();
    if (!sim_) e["wall"] = Wall();
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
    if (o_.cancel != nullptr && o_.cancel->load(std::memory_order_acquire)) return true;
    return o_.time_limit > 0 && Now() >= o_.time_limit;
  }

  bool RunFailed() {
    std::lock_guard<std::mutex> lock(fail_mu_);
    return !failure_.ok();
  }

  void Fail(int rank, Status status) override {
#if PARLEY_HAVE_MPI
    if (mpi_ && me_ != 0)
      mpi_->SendControl(0, kCtlFail, JsonBytes({{"code", static_cast<int>(status.code())}, {"message", status.message()}}));
#endif
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(fail_mu_);
      if (failure_.ok()) {
        failure_ = std::move(status);
        first = true;
      }
    }
    stop_.store(true, std::memory_order_release);
    if (transport_) transport_->Abort();
#if PARLEY_HAVE_MPI
    if (mpi_ && me_ == 0 && first)
      for (int r = 1; r < mpi_->size(); ++r) mpi_->SendControl(r, kCtlAbort, {});
#endif
    (void)first;
  }

  SlotCounts SlotTraffic(int rank) const override {
    const size_t r = static_cast<size_t>(rank);
    if (r < nodes_.size() && nodes_[r]) return nodes_[r]->SlotTraffic(rank);
    std::lock_guard<std::mutex> lock(remote_mu_);
    if (r < remote_.size()) return {remote_[r].puts, remote_[r].slot_reads};
    return {};
  }

  void Tick(int rank, double epochs) override {
    epochs_.store(epochs + resume_epoch_, std::memory_order_relaxed);
    // Servers take no steps: an emulated server death (--kill sS@t=T) happens here, at the
    // server's first version at or after T.
    if (!emulator_ || static_cast<size_t>(rank) >= server_of_rank_.size()) return;
    const int server = server_of_rank_[static_cast<size_t>(rank)];
    if (server < 0) return;
    for (const KillRule& k : o_.emulation.kills) {
      if (k.server == server && Now() >= k.at_time) {
        Event(rank, {{"event", "killed"}, {"server", server}, {"rank", rank}});
        throw NodeKilled{rank};
      }
    }
  }

  // A resumed run: the algorithm counts epochs and updates from 0; the log, the summary and
  // the next checkpoints count from the checkpoint's. Set before the roles start.
  void SetResume(const std::string& path, double epoch, int64_t updates) {
    resumed_from_ = path;
    resume_epoch_ = epoch;
    resume_updates_ = updates;
  }

  // For the error of a failed run: where its last checkpoint is ("" when none was written).
  std::string CheckpointHint() {
    std::lock_guard<std::mutex> lock(report_mu_);
    if (checkpoint_epoch_ < 0) return "";
    std::ostringstream s;
    s << "the last checkpoint, at epoch " << checkpoint_epoch_ << ", is " << o_.checkpoint_path
      << ": continue with --resume " << o_.checkpoint_path;
    return s.str();
  }

  void Report(int rank, const Progress& progress, WeightsView w, bool final) override {
    Progress p = progress;
    p.epochs += resume_epoch_;
    p.updates += resume_updates_;
    if (!reporting()) {
      Fail(rank, Internal("rank " + std::to_string(rank) + " reported an evaluation point; under --transport mpi "
                          "only rank 0 evaluates (the algorithm must report from rank 0)"));
      return;
    }
    std::lock_guard<std::mutex> lock(report_mu_);
    const double t0 = clock_->Now();
    const double time = Now();
    MetricSet train = eval_model_->Evaluate(w, *train_eval_);
    MetricSet test;
    if (test_.rows() > 0) test = eval_model_->Evaluate(w, test_);
    eval_seconds_.store(eval_seconds_.load() + (clock_->Now() - t0));

    nlohmann::json line = {{"time", time}, {"wall", Wall()}, {"epoch", p.epochs},
                           {"updates", p.updates}, {"train", MetricsJson(train)}, {"test", MetricsJson(test)}};
    if (sim_) line.erase("wall");  // a simulated run's log is the same whatever the machine
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
      std::fputs(ReportLine(p.epochs, p.updates, time, p.train_loss, train, test, final).c_str(),
                 stdout);
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
    if (!o_.checkpoint_path.empty()) WriteCheckpoint(rank, p, w, time);
  }

  // The checkpoint: the evaluated parameters and where the run is, written atomically (a
  // failed write leaves the previous checkpoint as it was). REQUIRES: report_mu_ held.
  void WriteCheckpoint(int rank, const Progress& p, WeightsView w, double time) {
    std::vector<double> params(w.size);
    for (size_t i = 0; i < w.size; ++i) params[i] = w[i];
    nlohmann::json where = {{"epoch", p.epochs}, {"updates", p.updates}, {"time", time},
                            {"algo", o_.algo.name}, {"seed", o_.seed}, {"data", o_.train_path}};
    Status s = SaveModel(o_.checkpoint_path, *eval_model_, params, where);
    if (!s.ok()) {
      Fail(rank, Status(s.code(), "cannot write the checkpoint: " + s.message() +
                                      (checkpoint_epoch_ >= 0 ? " (the previous checkpoint is intact)" : "")));
      return;
    }
    checkpoint_epoch_ = p.epochs;
  }

  // Messages, bytes and steps of every node so far, and per-worker step counts.
  // In an MPI run, the other ranks' counters are the latest they sent (every 250 ms and when
  // their role ends).
  nlohmann::json Traffic() const {
    int64_t messages = 0, bytes = 0;
    std::vector<int64_t> steps;
    std::vector<int64_t> stragglers;
    if (emulator_ && o_.emulation.straggle_prob > 0) stragglers = emulator_->Stragglers();
    std::lock_guard<std::mutex> lock(remote_mu_);
    for (size_t r = 0; r < nodes_.size(); ++r) {
      RemoteCounters c;
      if (nodes_[r]) {
        c = LocalCounters(static_cast<int>(r));
      } else if (r < remote_.size()) {
        c = remote_[r];
        if (r < worker_of_rank_.size() && worker_of_rank_[r] >= 0 &&
            static_cast<size_t>(worker_of_rank_[r]) < stragglers.size())
          stragglers[static_cast<size_t>(worker_of_rank_[r])] = c.stragglers;
      }
      messages += c.messages;
      bytes += c.bytes;
      if (r < worker_of_rank_.size() && worker_of_rank_[r] >= 0) {
        if (steps.size() <= static_cast<size_t>(worker_of_rank_[r])) steps.resize(worker_of_rank_[r] + 1);
        steps[worker_of_rank_[r]] = c.steps;
      }
    }
    nlohmann::json j = {{"messages", messages}, {"bytes", bytes}, {"worker_steps", steps}};
    if (emulator_ && o_.emulation.straggle_prob > 0) j["stragglers"] = stragglers;
    return j;
  }

  // Runs the roles, one thread each, and waits for all of them.
  Status RunRoles(std::vector<Role>& roles) {
#if PARLEY_HAVE_MPI
    if (mpi_) return RunRoleMpi(roles);
#endif
#if PARLEY_HAVE_SIMGRID
    if (sim_) return RunRolesSim(roles);
#endif
    InprocTransport inproc(static_cast<int>(roles.size()), *clock_);
    return RunOn(roles, inproc, {{"ranks", roles.size()}}, [](auto& bodies) {
      std::vector<std::thread> threads;
      for (auto& body : bodies) threads.emplace_back(body);
      for (auto& t : threads) t.join();
    });
  }

#if PARLEY_HAVE_SIMGRID
  // --transport sim: every role an actor of a SimGrid simulation (comm/sim) in virtual time;
  // the session, and with it the clock, lives as long as the runner.
  Status RunRolesSim(std::vector<Role>& roles) {
    PARLEY_ASSIGN_OR_RETURN(sim_session_, SimSession::Create(o_.emulation.network, o_.platform_path,
                                                             static_cast<int>(roles.size())));
    clock_ = &sim_session_->clock();
    SimTransport sim(sim_session_->hosts(), sim_session_->clock());
    return RunOn(roles, sim, {{"ranks", roles.size()}, {"simulation", sim_session_->Describe()}},
                 [&](auto& bodies) { sim_session_->Run(bodies); });
  }
#endif

  // The roles of an in-process run over `base` (wrapped in the emulated network where the
  // options ask for it, SetUpRoles): a node each, the start line, the progress bar; `launch`
  // runs one body per role and returns when all have ended (threads, or simulation actors).
  using Launch = std::function<void(std::vector<std::function<void()>>&)>;
  Status RunOn(std::vector<Role>& roles, Transport& base, nlohmann::json start,
               const Launch& launch) {
    std::unique_ptr<NetemTransport> netem;
    PARLEY_ASSIGN_OR_RETURN(Transport* transport, SetUpRoles(roles, base, netem));
    Rng run_rng(o_.seed);
    for (size_t r = 0; r < roles.size(); ++r)
      nodes_.push_back(std::make_unique<Node>(static_cast<int>(r), roles[r].name, *transport, *this,
                                              run_rng.Fork("node").Fork(r)));
    // Training seconds count from here, as the roles start (the data loaded, the model and the
    // roles built, the log open); what the roles do first, such as initialising, counts.
    // (An injected clock keeps its own origin.)
    wall_.Restart();
    LogStart(start);
    std::atomic<bool> done{false};
    std::thread bar;
    if (tty_) bar = std::thread([&] { ProgressBar(done); });
    std::vector<std::function<void()>> bodies;
    for (size_t r = 0; r < roles.size(); ++r)
      bodies.push_back([&, r] {
        // A role whose emulated machine died is gone; its peers find out on their own.
        if (!RunGuarded(roles[r], *nodes_[r])) NoteKilled(roles[r], static_cast<int>(r));
      });
    launch(bodies);
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

  void AddResume(nlohmann::json& j) const {
    if (!resumed_from_.empty())
      j["resumed_from"] = {{"path", resumed_from_}, {"epoch", resume_epoch_}, {"updates", resume_updates_}};
  }

  // The run's SGD settings as the run used them (flags and defaults), so that runs can be
  // compared from their summaries alone.
  nlohmann::json SgdSettings() const {
    const TrainOptions& t = o_.train;
    const ScheduleOptions& sc = t.optimizer.schedule;
    nlohmann::json j = {{"batch", t.batch_size}, {"epochs", t.epochs}, {"eval_every", t.eval_every},
                        {"lr", sc.lr}, {"schedule", sc.kind}, {"momentum", t.optimizer.momentum},
                        {"l2", o_.model.l2}};
    if (sc.kind == "invsqrt") j["lr_t0"] = sc.t0;
    if (sc.kind == "step") {
      j["lr_every"] = sc.every;
      j["lr_factor"] = sc.factor;
    }
    return j;
  }

  nlohmann::json Summary(const Algorithm& algo, const Model& model) const {
    nlohmann::json s;
    s["model"] = model.Kind();
    s["algo"] = algo.Name();
    s["workers"] = o_.algo.workers;
    s["transport"] = o_.transport;
    s["ranks"] = nodes_.size();
    s["seed"] = o_.seed;
    s["wall_seconds"] = Wall();
    s["train_seconds"] = Now();
    s["eval_seconds"] = eval_seconds_.load();
    s["epochs"] = last_.progress.epochs;
    s["updates"] = last_.progress.updates;
    s["train"] = MetricsJson(last_.train);
    s["test"] = MetricsJson(last_.test);
    s["params"] = model.NumParams();
    s["data"] = {{"train", o_.train_path}, {"test", o_.test_path}, {"test_fraction", o_.test_fraction}};
    if (!o_.target_metric.empty()) {
      s["target"] = {{"metric", o_.target_metric}, {"value", o_.target_value},
                     {"reached", target_reached_},
                     {"time", target_reached_ ? nlohmann::json(target_time_) : nlohmann::json()}};
    }
    s["config"] = model.Config();
    s["sgd"] = SgdSettings();
    s.update(Traffic());
    for (const std::string& key : algo.SummaryKeys())
      if (last_extra_.contains(key)) s[key] = last_extra_[key];
    if (o_.algo.name != "sequential") {
      s["backup"] = o_.algo.backup;
      s["servers"] = o_.algo.servers;
    }
    if (o_.emulation.compute_active() || o_.emulation.network.active())
      s["emulation"] = o_.emulation.ToJson();
    s["events"] = events_;
    AddResume(s);
    if (!o_.checkpoint_path.empty()) s["checkpoint"] = o_.checkpoint_path;
    return s;
  }

#if PARLEY_HAVE_MPI
  // Places this process's role on `mpi` (set before RunRoles).
  void UseMpi(MpiTransport* mpi) { mpi_ = mpi; }
  // Set when a rank did not end its role in time: the outputs may be written, then the job
  // must be aborted (MPI cannot be finalised with a hung rank).
  const std::string& abort_reason() const { return abort_reason_; }
#endif

  void NoteKilled(const Role& role, int rank) {
    std::lock_guard<std::mutex> lock(fail_mu_);
    if (!killed_.empty()) killed_ += ", ";
    killed_ += RoleName(role, rank);
  }
  bool has_final() const { return has_final_; }
  // The roles of this process whose emulated machine died (--kill), as "worker 0 (rank 0)",
  // comma separated; "" when none did.
  std::string Killed() const {
    std::lock_guard<std::mutex> lock(fail_mu_);
    return killed_;
  }
  const std::vector<double>& final_params() const { return final_params_; }

 private:
  // What both ways of running the roles (threads, MPI ranks) set up before the roles start:
  // the emulated network over `base` (owned by `netem`), each rank's worker index and role
  // name, and the compute emulator after checking that --kill names existing workers. Returns
  // the transport the nodes use.
  StatusOr<Transport*> SetUpRoles(const std::vector<Role>& roles, Transport& base,
                                  std::unique_ptr<NetemTransport>& netem) {
    Transport* transport = &base;
    if (o_.emulation.network.active() && !sim_) {  // a simulation's network is SimGrid's
      netem = std::make_unique<NetemTransport>(base, o_.emulation.network, Rng(o_.seed).Fork("network")());
      transport = netem.get();
    }
    transport_ = transport;
    int servers = 0;
    for (const Role& r : roles) {
      worker_of_rank_.push_back(r.worker);
      server_of_rank_.push_back(r.name == "server" ? servers++ : -1);
      role_names_.push_back(r.name);
    }
    if (o_.emulation.compute_active() || sim_) {  // simulated steps always cost virtual time
      for (const KillRule& k : o_.emulation.kills) {
        if (k.server >= servers)
          return InvalidArgument("--kill names server " + std::to_string(k.server) + " but the run has " +
                                 (servers == 0 ? std::string("no parameter servers (sync and async have them)")
                                               : "servers 0.." + std::to_string(servers - 1)));
        if (k.server < 0 &&
            std::find(worker_of_rank_.begin(), worker_of_rank_.end(), k.worker) == worker_of_rank_.end())
          return InvalidArgument("--kill names worker " + std::to_string(k.worker) + " but the run has workers 0.." +
                                 std::to_string(*std::max_element(worker_of_rank_.begin(), worker_of_rank_.end())));
      }
      emulator_ = std::make_unique<ComputeEmulator>(o_.emulation, worker_of_rank_, o_.seed);
      sleep_owed_.assign(worker_of_rank_.size(), 0.0);
    }
    return transport;
  }

  // The metrics log's start line: the run's settings plus `extra` (ranks, transport).
  void LogStart(const nlohmann::json& extra) {
    if (!log_.is_open()) return;
    nlohmann::json start = {{"event", "start"}, {"algo", o_.algo.name}, {"workers", o_.algo.workers},
                            {"seed", o_.seed}};
    start.update(extra);
    if (!data_log_.is_null()) start["data"] = data_log_;
    AddResume(start);
    if (o_.emulation.compute_active() || o_.emulation.network.active())
      start["emulation"] = o_.emulation.ToJson();
    log_ << start.dump() << '\n';
  }

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

  struct RemoteCounters {
    int64_t messages = 0, bytes = 0, steps = 0, stragglers = 0, puts = 0, slot_reads = 0;
    bool done = false;
  };
  RemoteCounters LocalCounters(int r) const {
    const NodeCounters& c = nodes_[static_cast<size_t>(r)]->counters();
    RemoteCounters out;
    out.messages = c.messages_sent.load(std::memory_order_relaxed);
    out.bytes = c.bytes_sent.load(std::memory_order_relaxed);
    out.steps = c.steps.load(std::memory_order_relaxed);
    out.puts = c.puts.load(std::memory_order_relaxed);
    out.slot_reads = c.slot_reads.load(std::memory_order_relaxed);
    if (emulator_ && worker_of_rank_[static_cast<size_t>(r)] >= 0) {
      std::vector<int64_t> st = emulator_->Stragglers();
      const size_t w = static_cast<size_t>(worker_of_rank_[static_cast<size_t>(r)]);
      if (w < st.size()) out.stragglers = st[w];
    }
    return out;
  }

#if PARLEY_HAVE_MPI
  nlohmann::json CountersJson() const {
    RemoteCounters c = LocalCounters(me_);
    return {{"messages", c.messages}, {"bytes", c.bytes}, {"steps", c.steps}, {"stragglers", c.stragglers},
            {"puts", c.puts}, {"slot_reads", c.slot_reads}};
  }

  std::string RankName(int r) const {
    std::string role = r < static_cast<int>(role_names_.size()) ? role_names_[static_cast<size_t>(r)] : "role";
    const int w = r < static_cast<int>(worker_of_rank_.size()) ? worker_of_rank_[static_cast<size_t>(r)] : -1;
    std::string name = "rank " + std::to_string(r) + " (" + role;
    if (w >= 0) {
      name += ' ';
      name += std::to_string(w);
    }
    name += ')';
    return name;
  }

  // Rank 0: a control message from another rank.
  void OnControlAtRoot(const Message& m) {
    nlohmann::json j = m.payload.empty() ? nlohmann::json::object() : BytesJson(m.payload);
    if (!j.is_object()) j = nlohmann::json::object();  // unparsable or not an object
    switch (m.tag) {
      case kCtlFail: {
        int64_t code = IntField(j, "code", static_cast<int>(StatusCode::kInternal));
        if (code <= static_cast<int>(StatusCode::kOk) || code > static_cast<int>(StatusCode::kInternal))
          code = static_cast<int>(StatusCode::kInternal);
        Fail(m.from, Status(static_cast<StatusCode>(code),
                            StringField(j, "message", RankName(m.from) + " failed")));
        break;
      }
      case kCtlEvent:
        Event(std::move(j));
        break;
      case kCtlCounters:
      case kCtlRoleDone: {
        std::lock_guard<std::mutex> lock(remote_mu_);
        RemoteCounters& c = remote_[static_cast<size_t>(m.from)];
        c.messages = IntField(j, "messages", c.messages);
        c.bytes = IntField(j, "bytes", c.bytes);
        c.steps = IntField(j, "steps", c.steps);
        c.stragglers = IntField(j, "stragglers", c.stragglers);
        c.puts = IntField(j, "puts", c.puts);
        c.slot_reads = IntField(j, "slot_reads", c.slot_reads);
        if (m.tag == kCtlRoleDone) c.done = true;
        break;
      }
      default:
        break;
    }
  }

  // Runs this process's role (rank me_ of the MPI run) and the control loop that ties the
  // ranks' runtimes together: failures and events flow to rank 0, stop/abort/end from it.
  // Rank 0 waits for every role to end; a rank that does not end within --deadline + 5 s after
  // rank 0's own role ended (5 s when the run has failed) is named in abort_reason(). The other ranks end the job themselves
  // when rank 0 falls silent for --deadline + 5 s.
  Status RunRoleMpi(std::vector<Role>& roles) {
    const int n = static_cast<int>(roles.size());
    std::unique_ptr<NetemTransport> netem;
    PARLEY_ASSIGN_OR_RETURN(Transport* transport, SetUpRoles(roles, *mpi_, netem));
    Rng run_rng(o_.seed);
    nodes_.resize(static_cast<size_t>(n));
    remote_.assign(static_cast<size_t>(n), RemoteCounters{});
    nodes_[static_cast<size_t>(me_)] = std::make_unique<Node>(me_, roles[static_cast<size_t>(me_)].name, *transport,
                                                               *this, run_rng.Fork("node").Fork(me_));
    wall_.Restart(mpi_->start_time());
    LogStart({{"ranks", n}, {"transport", "mpi"}});
    std::atomic<bool> done{false};
    std::thread bar;
    if (tty_) bar = std::thread([&] { ProgressBar(done); });
    std::atomic<bool> role_done{false};
    std::thread role([&] {
      // A role whose emulated machine died is gone; the process stays to end the job cleanly.
      if (!RunGuarded(roles[static_cast<size_t>(me_)], *nodes_[static_cast<size_t>(me_)]))
        NoteKilled(roles[static_cast<size_t>(me_)], me_);
      role_done.store(true, std::memory_order_release);
    });

    const auto period = std::chrono::milliseconds(250);
    // After rank 0's role ends, the others get --deadline + 5 s to end theirs (they may still
    // be finishing a step or reporting); once the run has failed, 5 s: every live rank has
    // been told to abort, so one that stays silent is the stopped or unreachable one, and the
    // job ends within --deadline + 10 s of a rank stopping (its peer notices after --deadline).
    const auto grace = Seconds(o_.algo.deadline + 5);
    const auto failed_grace = Seconds(5.0);
    auto next_tick = SteadyClock::now();
    auto last_from_root = SteadyClock::now();
    SteadyClock::time_point own_done_at{};
    bool sent_stop = false, sent_done = false, ended = false;
    while (!ended) {
      std::optional<Message> m = mpi_->ReceiveControl(SteadyClock::now() + std::chrono::milliseconds(50));
      const auto now = SteadyClock::now();
      if (me_ == 0) {
        if (m) OnControlAtRoot(*m);
        if (!sent_stop && stop_.load(std::memory_order_acquire)) {
          sent_stop = true;
          for (int r = 1; r < n; ++r) mpi_->SendControl(r, kCtlStop, {});
        }
        if (now >= next_tick) {
          next_tick = now + period;
          Bytes clock = JsonBytes({{"eval_seconds", eval_seconds_.load()}});
          for (int r = 1; r < n; ++r) mpi_->SendControl(r, kCtlClock, clock);
        }
        if (role_done.load(std::memory_order_acquire)) {
          if (own_done_at == SteadyClock::time_point{}) own_done_at = now;
          std::vector<int> missing;
          {
            std::lock_guard<std::mutex> lock(remote_mu_);
            for (int r = 1; r < n; ++r)
              if (!remote_[static_cast<size_t>(r)].done) missing.push_back(r);
          }
          if (missing.empty()) {
            ended = true;
          } else if (const auto wait = RunFailed() ? failed_grace : grace; now - own_done_at > wait) {
            std::string names;
            for (int r : missing) names += (names.empty() ? "" : ", ") + RankName(r);
            std::ostringstream secs;
            secs << wait.count();
            abort_reason_ = names + (missing.size() == 1 ? " did not" : " did not") + " end within " + secs.str() +
                            " s after the run ended (hung, stopped or unreachable); ending the job";
            ended = true;
          }
        }
      } else {
        if (m) {
          if (m->from == 0) last_from_root = now;
          switch (m->tag) {
            case kCtlStop:
              stop_.store(true, std::memory_order_release);
              break;
            case kCtlAbort:
              stop_.store(true, std::memory_order_release);
              transport->Abort();
              break;
            case kCtlClock: {
              const nlohmann::json j = BytesJson(m->payload);
              if (j.is_object()) eval_seconds_.store(NumberField(j, "eval_seconds", 0.0));
              break;
            }
            case kCtlEnd:
              ended = true;
              break;
            default:
              break;
          }
        }
        if (!sent_done && role_done.load(std::memory_order_acquire)) {
          sent_done = true;
          mpi_->SendControl(0, kCtlRoleDone, JsonBytes(CountersJson()));
        } else if (now >= next_tick && !sent_done) {
          next_tick = now + period;
          mpi_->SendControl(0, kCtlCounters, JsonBytes(CountersJson()));
        }
        if (!ended && now - last_from_root > grace) {
          std::ostringstream secs;
          secs << grace.count();
          std::fprintf(stderr, "error: %s: rank 0 (%s) has not been heard from for %s s (dead, stopped or unreachable); ending the job\n",
                       RankName(me_).c_str(), role_names_[0].c_str(), secs.str().c_str());
          MpiSession::AbortJob(1);
        }
      }
    }
    if (me_ == 0 && abort_reason_.empty())
      for (int r = 1; r < n; ++r) mpi_->SendControl(r, kCtlEnd, {});
    if (abort_reason_.empty()) {
      role.join();
    } else {
      role.detach();  // hung elsewhere: the job is aborted once the outputs are written
    }
    if (netem) netem->Abort();
    done.store(true);
    {
      std::lock_guard<std::mutex> lock(bar_mu_);
      bar_cv_.notify_all();
    }
    if (bar.joinable()) bar.join();
    std::lock_guard<std::mutex> lock(fail_mu_);
    return failure_;
  }
#endif

  struct Last {
    Progress progress;
    MetricSet train, test;
    double time = 0;
  };

  // Constant after construction.
  const RunOptions& o_;
  const Dataset& test_;
  const int me_;  // this process's MPI rank, or -1 (in-process: every rank)
  const Dataset* train_eval_ = nullptr;
  nlohmann::json data_log_;
  RealClock wall_;  // real time; restarted as the roles start
  Clock* clock_;    // the run's clock: o_.clock, wall_, or a simulation's virtual clock
  const bool sim_;  // --transport sim
#if PARLEY_HAVE_SIMGRID
  std::unique_ptr<SimSession> sim_session_;
#endif
  bool tty_ = false;

  std::atomic<bool> stop_{false};
  std::atomic<double> eval_seconds_{0};
  std::atomic<double> epochs_{0};
  Transport* transport_ = nullptr;  // set while roles run

  mutable std::mutex fail_mu_;
  Status failure_;      // GUARDED_BY(fail_mu_)
  std::string killed_;  // GUARDED_BY(fail_mu_); see Killed()

  std::mutex report_mu_;  // serialises Report
  std::unique_ptr<Model> eval_model_;
  std::ofstream log_;
  Last last_;
  bool target_reached_ = false;
  double target_time_ = 0;
  std::vector<double> final_params_;
  bool has_final_ = false;
  double checkpoint_epoch_ = -1;  // GUARDED_BY(report_mu_): the epoch of the last checkpoint written
  // A resumed run (set before the roles start).
  std::string resumed_from_;
  double resume_epoch_ = 0;
  int64_t resume_updates_ = 0;
  nlohmann::json last_extra_;
  nlohmann::json events_ = nlohmann::json::array();  // GUARDED_BY(report_mu_)

  std::unique_ptr<ComputeEmulator> emulator_;  // set before the roles start
  std::vector<int> server_of_rank_;  // index among the "server" roles, -1 for other roles
  static constexpr double kMinSleep = 200e-6;
  std::vector<double> sleep_owed_;             // per rank; each entry its rank's thread only
  std::vector<int> worker_of_rank_;
  std::vector<std::unique_ptr<Node>> nodes_;   // set before the roles start; MPI: own rank only
  std::vector<std::string> role_names_;

  mutable std::mutex remote_mu_;
  std::vector<RemoteCounters> remote_;  // GUARDED_BY(remote_mu_): MPI, rank 0: the other ranks'
#if PARLEY_HAVE_MPI
  MpiTransport* mpi_ = nullptr;
  std::string abort_reason_;
#endif

  std::mutex print_mu_;
  std::mutex bar_mu_;
  std::condition_variable bar_cv_;
};

// Everything a run is built from, in one place so that its addresses stay fixed (the setup
// points into it).
struct Prepared {
  Dataset train, test;   // in one process all of it; an MPI rank: see LoadRankData
  Dataset shard;         // an MPI rank's own shard (of several)
  Dataset train_sample;  // the train-evaluation sample (when not the whole training set)
  Dataset init_rows;     // MPI rank 0 without the training set: the rows Init reads (InitRows)
  size_t test_rows = 0;  // test.rows(), also where the test set is not held
  std::unique_ptr<Model> model;
  std::unique_ptr<Algorithm> algo;
  AlgorithmSetup setup;
  std::vector<Dataset> shards;
  std::unique_ptr<Runner> runner;
  std::vector<Role> roles;
  nlohmann::json data_log;  // what the process holds of the data (the start line's "data")
};

#if PARLEY_HAVE_MPI
// An MPI rank's data (runtime/load_data.h): only what its role needs, with the split, the
// shards and the model of the one-process run. Builds p.model and sets p.train (the whole
// training set, only where needed), p.shard, p.test and p.train_sample (rank 0), and the
// setup's data pointers and row counts. REQUIRES: p.algo built.
Status LoadForRank(const RunOptions& o, const Rng& rng, int rank, Prepared& p) {
  const int shards = p.algo->NumShards();
  const RankNeeds needs{shards, p.algo->ShardOfRank(rank), rank == 0};
  // Rank 0 runs a data-reading Init (and ships its parameters, see TrainMpi).
  auto model_needs = [&](const DataShape& all_rows, const Dataset& no_rows) {
    ModelNeeds m;
    StatusOr<std::unique_ptr<Model>> probe = MakeModel(o.model, all_rows, no_rows);
    if (probe.ok()) {
      m.by_user = (*probe)->SharedSize() < (*probe)->NumParams();
      if (rank == 0 && (*probe)->InitReadsData()) {
        // Init's rows, drawn as Prepare's Init will draw them (the same model dimensions).
        m.init_rows = [model = std::shared_ptr<Model>(std::move(*probe)), init = rng.Fork("init")](size_t n) {
          Rng r = init;
          return model->InitRows(n, r);
        };
      }
    }
    return m;  // a model that cannot be built fails below with its own error
  };
  PARLEY_ASSIGN_OR_RETURN(RankData d, LoadRankData(o, rng, rng.Fork("shard"), needs, model_needs));
  if (d.train_shape.rows == 0) return InvalidArgument("--data " + o.train_path + " has no rows");
  p.train = std::move(d.train);
  p.shard = std::move(d.shard);
  p.test = std::move(d.test);
  p.train_sample = std::move(d.train_eval);
  p.init_rows = std::move(d.init_rows);
  p.test_rows = d.test_rows;
  // The model of the one-process run (built from the whole training set's shape), checked
  // against the training rows held here.
  const Dataset& held = d.whole_train ? p.train : (needs.shard >= 0 ? p.shard : d.header);
  PARLEY_ASSIGN_OR_RETURN(p.model, MakeModel(o.model, d.train_shape, held));
  const Model& model = *p.model;
  const bool by_user = shards > 1 && d.header.kind == Dataset::Kind::kRatings && model.SharedSize() < model.NumParams();
  if (by_user != d.by_user ||
      (rank == 0 && model.InitReadsData() && !d.whole_train && p.init_rows.rows() == 0 && d.train_shape.rows > 0))
    return Internal("rank " + std::to_string(rank) + ": the model's data layout changed between the two reads of --data");
  AlgorithmSetup& setup = p.setup;
  setup.train = d.whole_train ? &p.train : nullptr;
  setup.train_rows = d.train_shape.rows;
  setup.shard_rows = d.shard_rows;
  setup.shards.assign(static_cast<size_t>(shards), nullptr);
  if (needs.shard >= 0) setup.shards[static_cast<size_t>(needs.shard)] = shards == 1 ? &p.train : &p.shard;
  p.data_log = {{"train_rows", d.train_shape.rows}, {"test_rows", d.test_rows}, {"shard_rows", d.shard_rows},
                {"peak_rows", d.peak_rows}};
  return OkStatus();
}
#endif

// --resume: the checkpoint must come from the same data, model and seed (the split and the
// shards depend on the seed: another seed would train on test rows) and leave epochs to train.
// Sets the initial parameters, the epochs left, the batch orders' epoch and the schedule's step.
Status Resume(const RunOptions& o, const Model& model, AlgorithmSetup& setup, Runner& runner) {
  const std::string& path = o.resume_path;
  if (UsesKMeansCountStep(model))
    return InvalidArgument("--resume is not supported with --kmeans-step count: the per-centre point "
                           "counts are not in checkpoints, and restarting them at 0 would reset every "
                           "centre to the mean of its next batch");
  StatusOr<LoadedModel> loaded = LoadModel(path);
  if (!loaded.ok()) return Status(loaded.status().code(), "--resume: " + loaded.status().message());
  const nlohmann::json& where = loaded->checkpoint;
  if (where.is_null())
    return InvalidArgument("--resume " + path + ": a model file, not a checkpoint (train --checkpoint writes those)");
  if (loaded->model->Config() != model.Config())
    return InvalidArgument("--resume " + path + ": the checkpoint holds the model " + loaded->model->Config().dump() +
                           ", this run builds " + model.Config().dump() +
                           " (resume with the data and model options of the run that wrote it)");
  if (!where.contains("epoch") || !where["epoch"].is_number() || !where.contains("updates") ||
      !where["updates"].is_number_integer() || !where.contains("seed") || !where["seed"].is_number_unsigned())
    return DataLoss("--resume " + path + ": the checkpoint does not say its epoch, update count and seed");
  const double epoch = where["epoch"].get<double>();
  const int64_t updates = where["updates"].get<int64_t>();
  const uint64_t seed = where["seed"].get<uint64_t>();
  if (seed != o.seed)
    return InvalidArgument("--resume " + path + ": the checkpoint was written by a run with --seed " +
                           std::to_string(seed) + ", this run has --seed " + std::to_string(o.seed) +
                           " (the data split and shards depend on the seed: use the same one)");
  if (!(epoch >= 0) || updates < 0) return DataLoss("--resume " + path + ": negative epoch or update count");
  if (epoch >= o.train.epochs - 1e-9) {
    std::ostringstream why;
    why << "--resume " << path << ": the checkpoint is at epoch " << epoch << " and --epochs is " << o.train.epochs
        << ": nothing left to train (--epochs counts from the start of the original run)";
    return InvalidArgument(why.str());
  }
  setup.resume_params = std::move(loaded->params);
  setup.train_options.epochs = o.train.epochs - epoch;
  setup.train_options.first_epoch = static_cast<int64_t>(std::floor(epoch + 1e-9));
  setup.train_options.optimizer.schedule.start = updates;
  runner.SetResume(path, epoch, updates);
  return OkStatus();
}

// --checkpoint: its directory must exist and be writable before hours of training depend on it.
Status CheckWritable(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return InvalidArgument("--checkpoint " + path + ": directory " + dir.string() + " does not exist");
  if (std::filesystem::is_directory(path, ec))
    return InvalidArgument("--checkpoint " + path + " is a directory; give a file name");
  if (access(dir.c_str(), W_OK) != 0)
    return InvalidArgument("--checkpoint " + path + ": directory " + dir.string() + " is not writable");
  return OkStatus();
}

// A failed run's error, with where its last checkpoint is.
Status WithCheckpointHint(Status run, Runner& runner) {
  const std::string hint = runner.CheckpointHint();
  if (run.ok() || hint.empty()) return run;
  return Status(run.code(), run.message() + "; " + hint);
}

// Loads the data, builds the model, the algorithm, its roles and the runner (metrics log open).
// mpi_rank: as Runner; an MPI rank loads only what its role needs (LoadForRank).
StatusOr<std::unique_ptr<Prepared>> Prepare(const RunOptions& o, int mpi_rank) {
  auto p = std::make_unique<Prepared>();
  Rng rng(o.seed);
  Dataset& train = p->train;
  Dataset& test = p->test;
  AlgorithmSetup& setup = p->setup;
  if (mpi_rank < 0) {
    PARLEY_RETURN_IF_ERROR(LoadData(o, rng, &train, &test));
    if (train.rows() == 0) return InvalidArgument("--data " + o.train_path + " has no rows");
    PARLEY_ASSIGN_OR_RETURN(p->model, MakeModel(o.model, train));
    p->test_rows = test.rows();
  } else {
#if PARLEY_HAVE_MPI
    PARLEY_ASSIGN_OR_RETURN(p->algo, MakeAlgorithm(o.algo));  // checked by TrainMpi already
    PARLEY_RETURN_IF_ERROR(LoadForRank(o, rng, mpi_rank, *p));
#endif
  }
  Model& model = *p->model;
  if (test.rows() > 0) {
    Status s = model.CheckData(test);
    if (!s.ok()) return InvalidArgument("test data: " + s.message());
  }
  PARLEY_RETURN_IF_ERROR(ValidateTrainOptions(o.train, model));
  if (!p->algo) {
    PARLEY_ASSIGN_OR_RETURN(p->algo, MakeAlgorithm(o.algo));
  }
  if (!o.target_metric.empty()) {
    if (p->test_rows == 0)
      return InvalidArgument("--target needs test data (--test or --test-fraction)");
  }

  setup.prototype = p->model.get();
  setup.train_options = o.train;
  setup.init_rng = rng.Fork("init");
  setup.batch_rng = rng.Fork("batch");  // each worker forks its own order from it (BatchRng)
  if (mpi_rank < 0) {
    setup.train = &train;
    if (p->algo->NumShards() == 1) {
      setup.shards = {&train};
    } else {
      Rng shard_rng = rng.Fork("shard");
      p->shards = train.kind == Dataset::Kind::kRatings && model.SharedSize() < model.NumParams()
                      ? ShardByUser(train, p->algo->NumShards(), shard_rng)
                      : Shard(train, p->algo->NumShards(), shard_rng);
      for (const Dataset& s : p->shards) setup.shards.push_back(&s);
    }
    for (const Dataset* s : setup.shards) setup.shard_rows.push_back(s->rows());
    setup.train_rows = train.rows();
    p->data_log = {{"train_rows", train.rows()}, {"test_rows", test.rows()}, {"shard_rows", setup.shard_rows}};
    if (std::optional<std::vector<uint32_t>> sample = TrainEvalRows(o, train.rows())) p->train_sample = train.Subset(*sample);
  }

  // Initialise the prototype once, with the roles' own init stream: models with state drawn
  // at Init (the two-layer network's output signs) then carry it into the evaluation copy and
  // the model file, identical to what every role's clone draws. An MPI rank without the
  // training set skips an Init that reads it: rank 0 holds the set for it, keeps the
  // parameters as the roles' init_params and ships them to the other ranks (TrainMpi).
  if (mpi_rank < 0 || !model.InitReadsData() || mpi_rank == 0) {
    std::vector<double> scratch(model.NumParams());
    Rng init = setup.init_rng;
    static const Dataset kNoRows;
    if (mpi_rank == 0 && model.InitReadsData() && !setup.train) {
      // Rank 0 holds only the rows Init reads: the same draws, the same parameters.
      std::optional<std::vector<uint32_t>> rows = model.InitRows(setup.train_rows, init);
      if (!rows || rows->size() != p->init_rows.rows())
        return Internal("rank 0 does not hold the rows the model's Init reads");
      model.InitOnRows(scratch, p->init_rows, init);
      p->init_rows = Dataset{};
    } else {
      model.Init(scratch, setup.train ? *setup.train : kNoRows, init);
    }
    if (mpi_rank >= 0 && model.InitReadsData()) setup.init_params = std::move(scratch);
  }
  const Dataset& train_eval = p->train_sample.rows() > 0 ? p->train_sample : train;
  if (mpi_rank >= 0 && setup.train && p->algo->NumShards() > 1 && &train_eval != &train) {
    // Rank 0 held the whole training set only for the Init above: free it before training.
    setup.train = nullptr;
    train = Dataset{};
  }
  p->runner = std::make_unique<Runner>(o, train_eval, test, model, mpi_rank);
  p->runner->SetDataLog(p->data_log);
  if (!o.resume_path.empty()) PARLEY_RETURN_IF_ERROR(Resume(o, model, setup, *p->runner));
  if (o.initial_params) {
    if (o.initial_params->size() != model.NumParams())
      return InvalidArgument("the initial parameters are " +
                             std::to_string(o.initial_params->size()) + " numbers, the model has " +
                             std::to_string(model.NumParams()));
    setup.resume_params = *o.initial_params;
  }
  if (!o.checkpoint_path.empty() && mpi_rank <= 0) PARLEY_RETURN_IF_ERROR(CheckWritable(o.checkpoint_path));
  PARLEY_RETURN_IF_ERROR(p->runner->Open());
  p->roles = p->algo->Roles(setup);
  return p;
}

// The end of a run on the reporting process: the summary, the model file.
StatusOr<nlohmann::json> Finish(const RunOptions& o, Prepared& p) {
  if (!p.runner->has_final()) {
    const std::string killed = p.runner->Killed();
    if (killed.empty()) return Internal("the run ended without final parameters");
    return Unavailable("the run ended without final parameters: " + killed +
                       " died (--kill) before reporting them; the role that reports the final "
                       "parameters (worker or peer 0 where there is no server or master) must live");
  }
  nlohmann::json summary = p.runner->Summary(*p.algo, *p.model);
  if (!o.model_out.empty()) PARLEY_RETURN_IF_ERROR(SaveModel(o.model_out, *p.model, p.runner->final_params()));
  if (!o.summary_path.empty())
    PARLEY_RETURN_IF_ERROR(WriteFileAtomic(o.summary_path, summary.dump(2) + "\n"));
  return summary;
}

#if PARLEY_HAVE_MPI
// One rank of an MPI run (mpirun -np N parley train --transport mpi ...): every rank parses the
// same flags and builds the same roles; this process runs role[rank]. Rank 0 evaluates and
// writes the outputs; the other ranks return {"rank": r} and print nothing.
StatusOr<nlohmann::json> TrainMpi(const RunOptions& o) {
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<MpiSession> session, MpiSession::Start());
  const int me = session->rank();
  // Rank 0 prints an error before any rank may exit (a rank exiting non-zero makes mpirun kill
  // the others, rank 0 with its message unprinted): the collective waits for its print.
  auto report_on_root = [&](const Status& st) {
    if (me == 0) {
      std::fprintf(stderr, "error: %s\n", st.message().c_str());
      std::fflush(stderr);
      SetErrorReported();
    }
  };
  // Same flags on every rank: these checks agree everywhere, so every rank returns (and
  // finalises) after the same collective.
  StatusOr<std::unique_ptr<Algorithm>> algo = MakeAlgorithm(o.algo);
  if (!algo.ok() || (*algo)->InProcessOnly()) {
    Status st = algo.ok() ? InvalidArgument("--algo " + o.algo.name +
                                            " shares one parameter vector between the threads of one process; "
                                            "MPI ranks share no memory: run it without mpirun and --transport mpi")
                          : algo.status();
    report_on_root(st);
    session->NotOk(false);
    return st;
  }
  const RankLayout need = (*algo)->Ranks();
  if (need.ranks != session->size()) {
    std::string what = o.algo.name;
    if (o.algo.name != "sequential") what += " with --workers " + std::to_string(o.algo.workers);
    if (o.algo.servers != 1) what += " --servers " + std::to_string(o.algo.servers);
    Status st = InvalidArgument(what + " needs " + std::to_string(need.ranks) + " rank" + (need.ranks == 1 ? "" : "s") +
                                " (" + need.description + "); mpirun started " + std::to_string(session->size()) +
                                ": run mpirun -np " + std::to_string(need.ranks) + " parley train --transport mpi ...");
    report_on_root(st);
    session->NotOk(false);
    return st;
  }
  // What may differ between ranks (a file missing on one host) is agreed on before the run.
  StatusOr<std::unique_ptr<Prepared>> prepared = Prepare(o, me);
  if (!prepared.ok()) report_on_root(prepared.status());
  const std::vector<int> bad = session->NotOk(prepared.ok());
  if (!bad.empty()) {
    const bool root_bad = bad.front() == 0;
    if (!prepared.ok()) {
      if (me != 0 && !root_bad)  // rank 0 cannot print this one: its rank says it here
        std::fprintf(stderr, "error: rank %d (%s): %s\n", me, session->host().c_str(),
                     prepared.status().message().c_str());
      return prepared.status();
    }
    std::string ranks;
    for (int r : bad) ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
    return Unavailable("rank " + ranks + " could not start the run (its error is above)");
  }
  Prepared& p = **prepared;
  if (static_cast<int>(p.roles.size()) != session->size())
    return Internal(o.algo.name + " built " + std::to_string(p.roles.size()) + " roles, expected " +
                    std::to_string(need.ranks));
  const int shard = p.algo->ShardOfRank(me);
  if (p.roles[static_cast<size_t>(me)].worker != shard)
    return Internal("rank " + std::to_string(me) + " loaded shard " + std::to_string(shard) + " for role " +
                    p.roles[static_cast<size_t>(me)].name + " " + std::to_string(p.roles[static_cast<size_t>(me)].worker));
  // A model whose Init reads the training data: rank 0 ran it (Prepare) and every rank starts
  // from its parameters.
  if (p.model->InitReadsData()) session->Broadcast(p.setup.init_params);
  // What each rank holds of the data, for rank 0's start line.
  {
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const AlgorithmSetup& s = p.setup;
    const Dataset* own = shard >= 0 ? s.shards[static_cast<size_t>(shard)] : nullptr;
    const std::vector<int64_t> mine = {shard,
                                       own ? static_cast<int64_t>(own->rows()) : 0,
                                       static_cast<int64_t>(p.train.rows()),
                                       static_cast<int64_t>(p.test.rows()),
                                       static_cast<int64_t>(p.train_sample.rows()),
                                       p.data_log.value("peak_rows", int64_t{0}),
                                       static_cast<int64_t>(usage.ru_maxrss)};
    const std::vector<int64_t> all = session->Gather(mine);
    if (me == 0) {
      nlohmann::json by_rank = nlohmann::json::array();
      for (size_t r = 0; r < all.size() / mine.size(); ++r) {
        const int64_t* v = all.data() + r * mine.size();
        by_rank.push_back({{"rank", r}, {"role", p.roles[r].name}, {"shard", v[0]}, {"shard_rows", v[1]},
                           {"train_rows", v[2]}, {"test_rows", v[3]}, {"train_eval_rows", v[4]},
                           {"peak_rows", v[5]}, {"max_rss_mb", static_cast<double>(v[6]) / 1024.0}});
      }
      p.data_log.erase("peak_rows");
      p.data_log["by_rank"] = std::move(by_rank);
      p.runner->SetDataLog(p.data_log);
    }
  }
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<MpiTransport> mpi,
                          MpiTransport::Create(p.algo->SlotBytes(*p.model), p.runner->clock()));
  p.runner->UseMpi(mpi.get());
  Status run = p.runner->RunRoles(p.roles);
  if (!p.runner->abort_reason().empty()) {
    // A rank is hung: write what there is, then end the job (it cannot be finalised).
    if (run.ok()) (void)Finish(o, p);
    if (!run.ok()) {
      const Status shown = me == 0 ? WithCheckpointHint(run, *p.runner) : run;
      std::fprintf(stderr, "error: %s\n", shown.message().c_str());
    }
    std::fprintf(stderr, "error: %s\n", p.runner->abort_reason().c_str());
    MpiSession::AbortJob(1);
  }
  if (!run.ok() && me == 0) {
    // Said before the shutdown handshake: once it completes the other ranks exit, non-zero,
    // and mpiexec could end the job before rank 0 had written its line (seen once in CI).
    std::fprintf(stderr, "error: %s\n", WithCheckpointHint(run, *p.runner).message().c_str());
    SetErrorReported();
  }
  Status down = mpi->Shutdown(Seconds(o.algo.deadline + 10));
  if (!down.ok()) {
    std::fprintf(stderr, "error: rank %d: %s; ending the job\n", me, down.message().c_str());
    MpiSession::AbortJob(1);
  }
  if (!run.ok()) return me == 0 ? WithCheckpointHint(run, *p.runner) : run;
  if (me != 0) return nlohmann::json{{"rank", me}};
  return Finish(o, p);
}
#endif

}  // namespace

StatusOr<nlohmann::json> Train(const RunOptions& o) {
  if (o.train_path.empty() && !o.train_data)
    return InvalidArgument("--data is required: the training data file");
  if (o.train_data && o.transport != "inproc")
    return InvalidArgument("data in memory trains with --transport inproc only");
  if (o.transport != "inproc" && o.transport != "mpi" && o.transport != "sim")
    return InvalidArgument("--transport must be inproc (every role a thread of this process), mpi (one role per "
                           "MPI rank, under mpirun) or sim (every role an actor of a SimGrid simulation, in "
                           "virtual time); got '" + o.transport + "'");
  if (!o.platform_path.empty() && o.transport != "sim")
    return InvalidArgument("--platform is for --transport sim (a SimGrid platform file)");
  if (!(o.compute_scale > 0) || !std::isfinite(o.compute_scale))
    return InvalidArgument("--compute-scale must be a positive factor");
  if (o.transport == "sim" && !PARLEY_HAVE_SIMGRID)
    return InvalidArgument("--transport sim: this parley was built without SimGrid (configure with "
                           "-DPARLEY_SIM=ON after scripts/install-deps.sh)");
  if (o.time_limit < 0) return InvalidArgument("--time-limit must be >= 0");
  if (o.clock && o.transport != "inproc")
    return InvalidArgument("RunOptions::clock: only in-process runs take an injected clock");
  if (o.transport == "mpi") {
#if PARLEY_HAVE_MPI
    return TrainMpi(o);
#else
    return InvalidArgument("--transport mpi: this parley was built without MPI (configure with -DPARLEY_MPI=ON "
                           "after scripts/install-deps.sh)");
#endif
  }
  PARLEY_ASSIGN_OR_RETURN(std::unique_ptr<Prepared> p, Prepare(o, -1));
  PARLEY_RETURN_IF_ERROR(WithCheckpointHint(p->runner->RunRoles(p->roles), *p->runner));
  return Finish(o, *p);
}

}  // namespace parley
