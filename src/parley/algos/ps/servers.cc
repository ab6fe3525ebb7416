// The servers of sync (with backup workers) and async parameter-server SGD; see ps.h.
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "parley/algos/ps/ps.h"
#include "parley/algos/ps/ps_common.h"
#include "parley/algos/sgd_loop.h"

namespace parley {
namespace {

using ps::Block;
using ps::RankName;

// Once the run is stopping, how long server 0 waits for the other servers' final blocks, and
// they for server 0's kStop, before giving up.
constexpr double kStopGrace = 1.0;

// What both servers share: the block of parameters, its optimizer, evaluation and stopping.
class Server {
 public:
  Server(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index)
      : node_(node), setup_(setup), o_(o), s_(index), servers_(o.servers), workers_(o.workers),
        model_(setup.prototype->Clone()),
        blocks_(ps::SplitBlocks(model_->NumParams(), o.servers)),
        block_(blocks_[static_cast<size_t>(index)]),
        w_(block_.size()),
        optimizer_(setup.train_options.optimizer),
        agg_(block_.size(), model_->SparseGradient()),
        eval_(setup.train_options, setup.TrainRows()),
        collector_(blocks_),
        dropped_(static_cast<size_t>(o.workers), 0),
        applied_(static_cast<size_t>(o.workers), 0),
        requests_(static_cast<size_t>(o.workers)) {
    // Every server computes the same full initialisation and keeps its block, so that the
    // run starts where sequential SGD with the same seed starts.
    std::vector<double> full(model_->NumParams());
    Rng init = setup.init_rng;
    setup.InitParams(*model_, full, init);
    std::copy(full.begin() + static_cast<long>(block_.begin),
              full.begin() + static_cast<long>(block_.end), w_.raw().begin());
    if (o.average > 0) average_.assign(full.begin() + static_cast<long>(block_.begin),
                                       full.begin() + static_cast<long>(block_.end));
  }

  int worker_rank(int w) const { return servers_ + w; }
  int worker_of(int rank) const { return rank - servers_; }
  bool is_worker(int rank) const { return rank >= servers_ && rank < servers_ + workers_; }

  // The current version to worker `rank`: at the coordinates of its latest request when that
  // was a sparse pull, else the whole block.
  void SendParams(int rank) {
    const Request& r = requests_[static_cast<size_t>(worker_of(rank))];
    node_.Send(rank, ps::kParams,
               ps::EncodeParams(t_, r.number, w_.scale(), w_.raw(), r.sparse ? &r.keys : nullptr));
  }
  // Records the request that came with gradient msg_ from worker w (DecodeGradient checked
  // that its coordinates lie in the block).
  void NoteRequest(int w) {
    Request& r = requests_[static_cast<size_t>(w)];
    r.number = msg_.request;
    r.sparse = msg_.pull_sparse;
    std::swap(r.keys, msg_.want);
  }
  void Broadcast() {
    for (int w = 0; w < workers_; ++w) SendParams(worker_rank(w));
  }

  // What a server does with a message before its own algorithm sees it: kStop (servers other
  // than 0: end once caught up), evaluation slices (server 0), and a worker's gradient, decoded
  // into msg_ with its request noted. kEnd: the role must return (stop reached, or a malformed
  // message failed the run); kGradient: msg_ holds worker *w's gradient; kHandled: nothing more.
  enum class Inbox { kHandled, kGradient, kEnd };
  Inbox Receive(const Message& m, const char* kind, int* w) {
    if (m.tag == ps::kStop) return OnStopMessage(m) ? Inbox::kEnd : Inbox::kHandled;
    if (m.tag == ps::kEvalSlice && s_ == 0) {
      OnEvalSlice(m);
      return Inbox::kHandled;
    }
    if (m.tag != ps::kGradient || !is_worker(m.from)) return Inbox::kHandled;
    if (!ps::DecodeGradient(m.payload, block_.size(), &msg_)) {
      node_.Fail(Internal(std::string(kind) + " server " + std::to_string(s_) +
                          ": malformed gradient from " + RankName(m.from, servers_)));
      return Inbox::kEnd;
    }
    *w = worker_of(m.from);
    NoteRequest(*w);
    return Inbox::kGradient;
  }

  // Applies agg_ (already averaged) as step t and advances the version.
  void Apply() {
    optimizer_.Step(w_, agg_, model_->L2(), t_++);
    if (o_.average > 0) {
      const double d = o_.average;
      const double scale = w_.scale();
      const std::vector<double>& v = w_.raw();
      for (size_t i = 0; i < average_.size(); ++i) average_[i] = d * average_[i] + (1 - d) * scale * v[i];
    }
  }

  // Parameters to evaluate: the moving average when enabled, else the block itself.
  std::pair<double, std::span<const double>> EvalBlock() {
    if (o_.average > 0) return {1.0, average_};
    return {w_.scale(), w_.raw()};
  }

  // An evaluation point (or the final one, index -1) from this server's side.
  void EvalPoint(bool final, nlohmann::json extra) {
    const int64_t index = final ? -1 : eval_index_++;
    Progress p = eval_.Take(t_);
    p.extra = std::move(extra);
    auto [scale, values] = EvalBlock();
    if (servers_ == 1) {
      node_.Report(p, WeightsView{values.data(), scale, values.size()}, final);
      return;
    }
    if (s_ != 0) {
      node_.Send(0, ps::kEvalSlice, ps::EncodeEvalSlice(index, scale, values));
      return;
    }
    progress_[index] = std::move(p);
    if (collector_.Add(index, 0, scale, values)) ReportCollected(index);
  }

  // Server 0: an evaluation block from another server.
  void OnEvalSlice(const Message& m) {
    ps::EvalSliceMsg e;
    if (!ps::DecodeEvalSlice(m.payload, &e) || m.from <= 0 || m.from >= servers_) {
      node_.Fail(Internal("server 0: malformed evaluation block from rank " + std::to_string(m.from)));
      return;
    }
    if (collector_.Add(e.index, m.from, e.scale, e.values) && progress_.count(e.index))
      ReportCollected(e.index);
  }

  // Server 0 ends the run: tells everyone (the servers with its last version), gathers the
  // final blocks and reports them.
  void Finish(nlohmann::json extra) {
    for (int s = 1; s < servers_; ++s) node_.Send(s, ps::kStop, ps::EncodeStop(t_));
    for (int w = 0; w < workers_; ++w) node_.Send(worker_rank(w), ps::kStop, {});
    EvalPoint(/*final=*/true, std::move(extra));
    if (servers_ == 1) return;
    const double start = node_.Now(), deadline = start + o_.deadline;
    while (!reported_final_) {
      Awaited a = node_.Await([](const Message& m) { return m.tag == ps::kEvalSlice; }, deadline);
      if (a.has_message()) {
        OnEvalSlice(a.message);
      } else if (node_.Now() > deadline) {
        std::ostringstream secs;
        secs << o_.deadline;
        node_.Fail(DeadlineExceeded("server 0 waited " + secs.str() +
                                    " s for the final parameter blocks of the other servers"));
        return;
      } else if (node_.Now() - start > kStopGrace) {
        return;  // stopping: the other servers had as long to send theirs
      }
    }
  }

  // Servers other than 0, on kStop: notes server 0's last version and ends (true) once this
  // server has applied as many steps. A worker pushes its gradient to server 0 before server
  // s, so kStop can overtake the gradients of the last step; ending at once would leave this
  // block a step behind, and the final parameters would depend on timing.
  bool OnStopMessage(const Message& m) {
    if (!ps::DecodeStop(m.payload, &stop_at_)) {
      node_.Fail(Internal("server " + std::to_string(s_) + ": malformed stop message from rank " +
                          std::to_string(m.from)));
      return true;
    }
    return EndIfCaughtUp();
  }
  // Servers other than 0, when the run stops (a stop rule, a failure): server 0's kStop, and
  // with it the chance to send the final block, should follow; true once it has not come
  // within kStopGrace (server 0 waits as long for the blocks).
  bool StopWaitOver() {
    if (stop_seen_ < 0) stop_seen_ = node_.Now();
    return node_.Now() - stop_seen_ > kStopGrace;
  }
  // After each step: ends (true) when kStop came and this server has reached its version.
  bool EndIfCaughtUp() {
    if (stop_at_ < 0 || t_ < stop_at_) return false;
    auto [scale, values] = EvalBlock();
    node_.Send(0, ps::kEvalSlice, ps::EncodeEvalSlice(-1, scale, values));
    return true;
  }

  nlohmann::json CommonExtra() const {
    return {{"dropped", dropped_}, {"applied", applied_}, {"version", t_}};
  }

  Node& node_;
  const AlgorithmSetup& setup_;
  const AlgorithmOptions& o_;
  const int s_, servers_, workers_;
  std::unique_ptr<Model> model_;
  const std::vector<Block> blocks_;
  const Block block_;
  Weights w_;
  SgdOptimizer optimizer_;
  GradientBuffer agg_;
  EvalClock eval_;
  std::vector<double> average_;
  int64_t t_ = 0;
  int64_t eval_index_ = 0;
  ps::SliceCollector collector_;
  std::map<int64_t, Progress> progress_;
  bool reported_final_ = false;
  int64_t stop_at_ = -1;  // servers other than 0: server 0's last version, once kStop came
  double stop_seen_ = -1;  // servers other than 0: when they first saw the run stopping
  std::vector<int64_t> dropped_, applied_;
  ps::GradientMsg msg_;
  // Each worker's latest request: the values it wants with the next version it is sent.
  struct Request {
    int64_t number = 0;
    bool sparse = false;
    std::vector<uint32_t> keys;
  };
  std::vector<Request> requests_;

 private:
  void ReportCollected(int64_t index) {
    std::vector<double> full = collector_.Take(index);
    Progress p = std::move(progress_.at(index));
    progress_.erase(index);
    node_.Report(p, WeightsView{full.data(), 1.0, full.size()}, index < 0);
    if (index < 0) reported_final_ = true;
  }
};

// Arrival times of the gradients of each step, relative to the step's broadcast.
class Arrivals {
 public:
  void Start(int64_t version, double now) { steps_[version].start = now; }
  void Arrive(int64_t version, double now) {
    auto it = steps_.find(version);
    if (it != steps_.end()) it->second.times.push_back(now - it->second.start);
  }
  // Sorted arrival times of the steps older than `keep_after` (all when < 0); removes them.
  nlohmann::json Flush(int64_t keep_after) {
    nlohmann::json out = nlohmann::json::array();
    for (auto it = steps_.begin(); it != steps_.end() && (keep_after < 0 || it->first < keep_after);) {
      std::sort(it->second.times.begin(), it->second.times.end());
      out.push_back(it->second.times);
      it = steps_.erase(it);
    }
    return out;
  }

 private:
  struct Step {
    double start = 0;
    std::vector<double> times;
  };
  std::map<int64_t, Step> steps_;
};

void RunSyncServer(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index) {
  Server sv(node, setup, o, index);
  const int n = o.workers - o.backup;  // gradients aggregated per step
  const double inv_n = 1.0 / n;
  // Straggler gradients of a step can arrive several steps later; their times are kept this
  // many steps before the step's arrival list goes to the log.
  constexpr int64_t kArrivalWindow = 16;
  Arrivals arrivals;
  std::vector<int64_t> last_version(static_cast<size_t>(o.workers), -1);
  std::vector<double> last_time(static_cast<size_t>(o.workers), -1);
  std::vector<char> have(static_cast<size_t>(o.workers));
  std::vector<ps::GradientMsg> held(static_cast<size_t>(o.workers));  // this step's gradients
  double step_seconds = 0;
  int64_t steps_since_report = 0;

  auto extra = [&](bool final) {
    nlohmann::json e = sv.CommonExtra();
    if (index == 0) e["arrivals"] = arrivals.Flush(final ? -1 : sv.t_ - kArrivalWindow);
    e["aggregate"] = n;
    e["step_seconds"] = steps_since_report > 0 ? step_seconds / steps_since_report : 0.0;
    step_seconds = 0;
    steps_since_report = 0;
    return e;
  };

  // The error of a step that did not gather its n gradients within `limit` seconds.
  auto step_timed_out = [&](int got, double limit) {
    std::ostringstream why;
    why << "sync server " << index << ": step " << sv.t_ << " has " << got << " of the " << n
        << " gradients it needs after waiting " << limit << " s; missing ";
    bool first = true;
    for (int w = 0; w < o.workers; ++w) {
      if (have[w]) continue;
      why << (first ? "" : ", ") << RankName(sv.worker_rank(w), o.servers);
      if (last_version[w] >= 0)
        why << " (last gradient for step " << last_version[w] << " at t=" << last_time[w] << " s)";
      else
        why << " (no gradient yet)";
      first = false;
    }
    why << ". A worker is dead or hung: run with --backup to tolerate it, or raise --deadline"
           " if it is only slow";
    return DeadlineExceeded(why.str());
  };

  arrivals.Start(0, node.Now());
  sv.Broadcast();
  while (true) {
    std::fill(have.begin(), have.end(), 0);
    sv.agg_.Clear();
    int got = 0;
    double loss_sum = 0;
    int64_t rows = 0;
    const double step_begin = node.Now();
    while (got < n) {
      // No gradient at all while there are other servers: the likelier cause is a dead
      // server, whose parameters every worker is waiting for. The workers name it after
      // 2 x deadline; wait 3 x here so that their error is the run's.
      const double limit = got == 0 && o.servers > 1 ? 3 * o.deadline : o.deadline;
      Awaited a = node.Await(step_begin + limit);
      if (a.stopped()) {
        if (index == 0) break;
        if (sv.StopWaitOver()) return;
        continue;
      }
      if (a.timed_out()) {
        node.Fail(step_timed_out(got, limit));
        return;
      }
      int w = -1;
      const Server::Inbox in = sv.Receive(a.message, "sync", &w);
      if (in == Server::Inbox::kEnd) return;
      if (in != Server::Inbox::kGradient) continue;
      const double now = node.Now();
      arrivals.Arrive(sv.msg_.version, now);
      last_version[w] = sv.msg_.version;
      last_time[w] = now;
      if (sv.msg_.version == sv.t_ && !have[w]) {
        have[w] = 1;
        ++got;
        std::swap(held[w], sv.msg_);  // added below, in worker order
        sv.applied_[w]++;
      } else {
        sv.dropped_[w]++;  // stale: an older version (one of the b slowest of its step)
        // It missed the broadcast of the current version at its new request: answer now.
        if (sv.msg_.version < sv.t_ && sv.requests_[w].sparse) sv.SendParams(sv.worker_rank(w));
      }
    }
    if (got < n) break;  // stopping (server 0)
    // Summed in worker order, not arrival order: floating-point addition is not associative,
    // and the step must not depend on which gradient came first (runs are reproducible).
    for (int w = 0; w < o.workers; ++w) {
      if (!have[w]) continue;
      ps::AddGradient(held[w], inv_n, sv.agg_);
      loss_sum += held[w].loss;
      rows += held[w].rows;
    }
    sv.Apply();
    step_seconds += node.Now() - step_begin;
    ++steps_since_report;
    if (sv.eval_.Advance(static_cast<size_t>(rows), loss_sum / n)) sv.EvalPoint(false, extra(false));
    node.Tick(sv.eval_.epochs());
    if (index != 0 && sv.EndIfCaughtUp()) return;
    // Server 0 decides the end before it broadcasts: no worker sees its last version, so no
    // other server can apply a step past it.
    if (index == 0 && (sv.eval_.Done() || node.ShouldStop())) break;
    arrivals.Start(sv.t_, node.Now());
    sv.Broadcast();
  }
  sv.Finish(extra(true));
}

void RunAsyncServer(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index) {
  Server sv(node, setup, o, index);
  std::map<int64_t, int64_t> staleness;  // staleness -> count
  double staleness_sum = 0;
  int64_t staleness_n = 0;
  std::vector<double> last_heard(static_cast<size_t>(o.workers), node.Now());
  std::vector<char> silent(static_cast<size_t>(o.workers), 0);

  auto extra = [&](bool) {
    nlohmann::json e = sv.CommonExtra();
    nlohmann::json hist = nlohmann::json::object();
    for (auto [k, c] : staleness) hist[std::to_string(k)] = c;
    e["staleness_hist"] = hist;
    e["staleness_mean"] = staleness_n > 0 ? staleness_sum / staleness_n : 0.0;
    std::vector<int> silent_list;
    for (int w = 0; w < o.workers; ++w)
      if (silent[w]) silent_list.push_back(w);
    e["silent_workers"] = silent_list;
    return e;
  };

  // Every worker silent while there are other servers: the likelier cause is a dead
  // server, whose parameters the workers are waiting for; they name it after 2 x
  // deadline, so wait 3 x here before blaming them (as the sync server does).
  const double limit = o.servers > 1 ? 3 * o.deadline : o.deadline;
  // When the next worker falls silent, or, with all of them silent, when the server gives up.
  auto next_check = [&] {
    double t = Node::kNoDeadline;
    for (int w = 0; w < o.workers; ++w)
      if (!silent[w]) t = std::min(t, last_heard[w] + o.deadline);
    if (t == Node::kNoDeadline) t = *std::max_element(last_heard.begin(), last_heard.end()) + limit;
    return t;
  };

  sv.Broadcast();
  while (true) {
    Awaited a = node.Await(next_check());
    if (a.stopped()) {
      if (index == 0) break;
      if (sv.StopWaitOver()) return;
      continue;
    }
    if (a.timed_out()) {
      const double now = node.Now();
      int alive = 0;
      for (int w = 0; w < o.workers; ++w) {
        if (now - last_heard[w] > o.deadline) silent[w] = 1;
        if (!silent[w]) ++alive;
      }
      if (alive == 0 &&
          now - *std::max_element(last_heard.begin(), last_heard.end()) > limit) {
        std::ostringstream secs;
        secs << limit;
        node.Fail(DeadlineExceeded("async server " + std::to_string(index) + ": no worker sent a gradient for " +
                                   secs.str() + " s; all " + std::to_string(o.workers) +
                                   " workers are dead or hung"));
        return;
      }
      continue;
    }
    int w = -1;
    const Server::Inbox in = sv.Receive(a.message, "async", &w);
    if (in == Server::Inbox::kEnd) return;
    if (in != Server::Inbox::kGradient) continue;
    last_heard[w] = node.Now();
    silent[w] = 0;
    const int64_t stale = sv.t_ - sv.msg_.version;
    staleness[stale]++;
    staleness_sum += static_cast<double>(stale);
    ++staleness_n;
    sv.agg_.Clear();
    ps::AddGradient(sv.msg_, 1.0, sv.agg_);
    sv.Apply();
    sv.applied_[w]++;
    if (sv.eval_.Advance(static_cast<size_t>(sv.msg_.rows), sv.msg_.loss)) sv.EvalPoint(false, extra(false));
    node.Tick(sv.eval_.epochs());
    if (index != 0 && sv.EndIfCaughtUp()) return;
    // Server 0 decides the end before it answers, so that no other server applies a gradient
    // computed on parameters newer than server 0's last version.
    if (index == 0 && (sv.eval_.Done() || node.ShouldStop())) break;
    sv.SendParams(sv.worker_rank(w));
  }
  sv.Finish(extra(true));
}

}  // namespace

std::vector<Role> ParameterServerSgd::Roles(const AlgorithmSetup& setup) {
  std::vector<Role> roles;
  const AlgorithmOptions& o = o_;
  const bool sync = sync_;
  for (int s = 0; s < o.servers; ++s) {
    roles.push_back(Role{"server", [&setup, &o, sync, s](Node& node) {
                           if (sync) RunSyncServer(node, setup, o, s);
                           else RunAsyncServer(node, setup, o, s);
                         }});
  }
  for (int w = 0; w < o.workers; ++w) {
    roles.push_back(Role{"worker",
                         [&setup, &o, sync, w](Node& node) {
                           ps::RunWorker(node, setup, w, o.servers, /*same_version=*/sync, o.deadline,
                                         o.dense_exchange);
                         },
                         w});
  }
  return roles;
}

}  // namespace parley
