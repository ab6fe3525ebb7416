// The master and workers of asynchronous (pex) and synchronous (pex-sync) parameter exchange;
// see pex.h.
#include "parley/algos/pex/pex.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "parley/algos/exchange_interval.h"
#include "parley/algos/pex/pex_wire.h"
#include "parley/algos/sgd_loop.h"

namespace parley {
namespace {

enum Tag : int {
  kContribution = 1,  // worker -> master: its shared parameters after K local steps
  kAverage = 2,       // master -> worker: the current weighted average
  kStop = 3,          // master -> workers: the run is over
};

std::string WorkerName(int w) {
  return "worker " + std::to_string(w) + " (rank " + std::to_string(w + 1) + ")";
}

std::string Seconds(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

void RunWorker(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index) {
  const size_t P = setup.prototype->NumParams(), S = setup.prototype->SharedSize();
  // Fused steps (as sequential SGD takes them) only without local parameters: the changed local
  // entries are read from each step's gradient.
  LocalLearner learner(setup, index, /*allow_fused=*/S == P);
  Weights& w = learner.w();
  Rng init = setup.init_rng;
  setup.InitParams(learner.model(), w.Mutable(), init);
  const Dataset& data = learner.data();
  const GradientBuffer& g = learner.g();
  const bool has_local = S < P;
  const bool track = has_local && g.sparse();  // else every local entry goes with each exchange
  // momentum moves entries after their last gradient
  const bool resend_all = !learner.optimizer().plain();
  std::vector<uint8_t> mark(track ? P - S : 0);
  std::vector<uint32_t> dirty;
  std::vector<double> dirty_values;
  if (has_local && !track) {
    dirty.resize(P - S);
    for (size_t k = 0; k < P - S; ++k) dirty[k] = static_cast<uint32_t>(k);
  }
  // Until the first reply: this worker's share of the whole budget.
  double budget = setup.train_options.epochs * static_cast<double>(data.rows());
  int64_t t = 0;
  std::vector<double> average;
  // --local-steps K, or (0) sized from measured times: at least 10 (parley's fixed default
  // before), at most a tenth of a pass over the shard (the paper's choice of K).
  const int64_t batch = setup.train_options.batch_size;
  ExchangeInterval interval(o.local_steps > 0 ? o.local_steps : 10,
                            o.local_steps > 0 ? o.local_steps
                                              : static_cast<int64_t>(data.rows()) / (10 * batch));

  while (!node.ShouldStop()) {
    int64_t steps = 0, rows = 0;
    double loss_sum = 0;
    const int64_t K = interval.Next();
    const double began = node.Now();
    while (steps < K && (steps == 0 || static_cast<double>(rows) < budget)) {
      if (node.ShouldStop()) return;
      const double loss = learner.Step(node, t);
      if (track)
        for (uint32_t i : g.touched())
          if (i >= S && !mark[i - S]) {
            mark[i - S] = 1;
            dirty.push_back(static_cast<uint32_t>(i - S));
          }
      ++t;
      ++steps;
      rows += static_cast<int64_t>(learner.batch().size());
      loss_sum += loss;
    }

    const double computed = node.Now();
    std::span<const double> values = w.Values();
    dirty_values.resize(dirty.size());
    for (size_t k = 0; k < dirty.size(); ++k) dirty_values[k] = values[S + dirty[k]];
    node.Send(0, kContribution,
              pex::EncodeContribution(rows, steps, loss_sum, values.subspan(0, S), dirty, dirty_values));
    if (track && !resend_all) {
      for (uint32_t k : dirty) mark[k] = 0;
      dirty.clear();
    }

    // Wait for the master's answer (or its end of the run).
    auto answer = [](const Message& m) {
      return m.tag == kStop || (m.tag == kAverage && m.from == 0);
    };
    Awaited a = node.Await(answer, node.Now() + 2 * o.deadline);
    if (a.timed_out())
      node.Fail(DeadlineExceeded(WorkerName(index) + " waited " + Seconds(2 * o.deadline) +
                                 " s for the average from the master (rank 0); it is dead or hung"
                                 " (raise --deadline if it is only slow)"));
    if (!a.has_message() || a.message.tag == kStop) return;
    int64_t clock = 0;
    if (!pex::DecodeAverage(a.message.payload, S, &budget, &clock, &average)) {
      node.Fail(Internal(WorkerName(index) + ": malformed average from the master"));
      return;
    }
    t = std::max(t, clock);  // the step size follows the run's progress, not only mine
    std::span<double> mut = w.Mutable();
    std::copy(average.begin(), average.end(), mut.begin());
    if (o.local_steps == 0) interval.Record(steps, computed - began, node.Now() - computed);
  }
}

class Master {
 public:
  Master(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, bool sync)
      : node_(node), o_(o), sync_(sync), W_(o.workers),
        model_(setup.prototype->Clone()),
        P_(model_->NumParams()), S_(model_->SharedSize()),
        full_(P_),
        eval_(setup.train_options, setup.TrainRows()),
        total_rows_(setup.train_options.epochs * static_cast<double>(setup.TrainRows())),
        pi_(static_cast<size_t>(W_)),
        last_(static_cast<size_t>(W_)),
        worker_exchanges_(static_cast<size_t>(W_), 0),
        last_heard_(static_cast<size_t>(W_), node.Now()),
        silent_(static_cast<size_t>(W_), 0),
        ever_silent_(static_cast<size_t>(W_), 0),
        dropped_(static_cast<size_t>(W_), 0),
        ever_dropped_(static_cast<size_t>(W_), 0) {
    Rng init = setup.init_rng;
    setup.InitParams(*model_, full_, init);
    xbar_.assign(full_.begin(), full_.begin() + static_cast<long>(S_));
    for (auto& l : last_) l = xbar_;
    const double n = static_cast<double>(setup.TrainRows());
    for (int i = 0; i < W_; ++i) pi_[i] = static_cast<double>(setup.ShardRows(static_cast<size_t>(i))) / n;
    live_weight_ = 0;
    for (double p : pi_) live_weight_ += p;
  }

  void Run() {
    if (sync_) RunSync();
    else RunAsync();
    if (!failed_) Finish();
  }

 private:
  // Decodes a contribution of worker m.from - 1 into c_, applies its local entries and counts
  // its rows; returns the worker, or -1 (after Fail) when malformed.
  int Take(const Message& m, bool* due) {
    const int i = m.from - 1;
    if (!pex::DecodeContribution(m.payload, S_, P_ - S_, &c_)) {
      Fail(Internal("pex master: malformed contribution from " + WorkerName(i)));
      return -1;
    }
    for (size_t k = 0; k < c_.local_index.size(); ++k) full_[S_ + c_.local_index[k]] = c_.local_values[k];
    const int64_t local = static_cast<int64_t>(c_.local_index.size() * 12);  // (index, value) pairs
    local_bytes_ += local;
    exchange_bytes_ += static_cast<int64_t>(m.payload.size()) - local;
    ++exchanges_;
    ++worker_exchanges_[i];
    last_heard_[i] = node_.Now();
    silent_[i] = 0;
    updates_ += c_.steps;
    rows_done_ += static_cast<double>(c_.rows);
    if (eval_.Advance(static_cast<size_t>(c_.rows), c_.steps > 0 ? c_.loss_sum / c_.steps : 0)) *due = true;
    return i;
  }

  void Fail(Status status) {
    failed_ = true;
    node_.Fail(std::move(status));
  }

  bool is_worker(int rank) const { return rank >= 1 && rank <= W_; }

  void Reply(int i) {
    const double budget = std::max(1.0, (total_rows_ - rows_done_) * pi_[i]);
    Bytes b = pex::EncodeAverage(budget, updates_ / W_, xbar_);
    exchange_bytes_ += static_cast<int64_t>(b.size());
    node_.Send(i + 1, kAverage, std::move(b));
  }

  void RunAsync() {
    while (!eval_.Done() && !node_.ShouldStop()) {
      Awaited a = node_.Await(NextSilence());
      // Busy: checks for silent workers now and then all the same.
      if (a.has_message() && node_.Now() - last_check_ > Node::kAwaitPoll.count()) MarkSilent();
      if (a.stopped()) return;
      if (a.timed_out()) {
        MarkSilent();
        std::string names;
        int alive = 0;
        for (int i = 0; i < W_; ++i) {
          if (!silent_[i]) ++alive;
          else names += (names.empty() ? "" : ", ") + WorkerName(i);
        }
        if (alive == 0) {
          Fail(DeadlineExceeded("pex master: no contribution for " + Seconds(o_.deadline) +
                                      " s from any worker (" + names +
                                      "); all are dead or hung (raise --deadline if they are only slow)"));
          return;
        }
        continue;
      }
      const Message* m = &a.message;
      if (m->tag != kContribution || !is_worker(m->from)) continue;
      const bool rejoins = silent_[m->from - 1];
      bool due = false;
      const int i = Take(*m, &due);
      if (i < 0) return;
      std::vector<double>& old = last_[i];
      if (rejoins) {  // back in the average
        std::swap(old, c_.shared);
        Reaverage();
        node_.Event({{"event", "rejoined"}, {"worker", i}, {"rank", i + 1},
                     {"message", WorkerName(i) + " spoke again: back in the average"}});
      } else {
        const double p = pi_[i] / live_weight_;
        for (size_t k = 0; k < S_; ++k) xbar_[k] += p * (c_.shared[k] - old[k]);
        std::swap(old, c_.shared);
      }
      if (o_.pex_check) CheckInvariant();
      node_.Tick(eval_.epochs());
      if (eval_.Done()) return;
      Reply(i);
      if (due) Report(false);
    }
  }

  // When the next worker falls silent; with all of them silent, now (the run fails).
  double NextSilence() const {
    double t = Node::kNoDeadline;
    for (int i = 0; i < W_; ++i)
      if (!silent_[i]) t = std::min(t, last_heard_[i] + o_.deadline);
    return t == Node::kNoDeadline ? -Node::kNoDeadline : t;
  }

  void MarkSilent() {
    const double now = last_check_ = node_.Now();
    bool changed = false;
    for (int i = 0; i < W_; ++i)
      if (!silent_[i] && now - last_heard_[i] > o_.deadline) {
        silent_[i] = ever_silent_[i] = 1;
        changed = true;
        node_.Event({{"event", "silent"}, {"worker", i}, {"rank", i + 1},
                     {"message", WorkerName(i) + " silent for more than " + Seconds(o_.deadline) +
                                     " s: its contribution leaves the average; the others carry on"}});
      }
    if (changed) Reaverage();
  }

  // xbar = sum over live workers of pi_i last_i / (their total weight): a silent worker's
  // contribution leaves the average until it speaks again. Unchanged when every worker is
  // silent (the run is about to fail).
  void Reaverage() {
    double live = 0;
    for (int i = 0; i < W_; ++i)
      if (!silent_[i]) live += pi_[i];
    if (live <= 0) return;
    live_weight_ = live;
    std::fill(xbar_.begin(), xbar_.end(), 0.0);
    for (int i = 0; i < W_; ++i) {
      if (silent_[i]) continue;
      const double p = pi_[i] / live;
      for (size_t k = 0; k < S_; ++k) xbar_[k] += p * last_[i][k];
    }
  }

  // xbar == sum over live i of pi_i last_i / (live weight), recomputed from the stored
  // contributions.
  void CheckInvariant() {
    ++invariant_checks_;
    double diff = 0, scale = 1;
    for (size_t k = 0; k < S_; ++k) {
      double r = 0;
      for (int i = 0; i < W_; ++i)
        if (!silent_[i]) r += pi_[i] / live_weight_ * last_[i][k];
      diff = std::max(diff, std::abs(r - xbar_[k]));
      scale = std::max(scale, std::abs(r));
    }
    if (diff > 1e-12 * scale) ++invariant_violations_;
  }

  void RunSync() {
    std::vector<char> have(static_cast<size_t>(W_));
    while (!eval_.Done() && !node_.ShouldStop()) {
      std::fill(have.begin(), have.end(), 0);
      int got = 0;
      bool due = false;
      const double start = node_.Now();
      auto need = [&] {
        int n = 0;
        for (int i = 0; i < W_; ++i) n += !dropped_[i] || have[i];
        return n;
      };
      while (got < need()) {
        Awaited a = node_.Await(start + o_.deadline);
        if (a.stopped()) return;
        if (a.timed_out()) {
          std::string names;
          for (int i = 0; i < W_; ++i)
            if (!dropped_[i] && !have[i]) names += (names.empty() ? "" : ", ") + WorkerName(i);
          if (got == 0) {
            Fail(DeadlineExceeded("pex-sync master: round " + std::to_string(rounds_) +
                                  " has no contribution after " + Seconds(o_.deadline) +
                                  " s; missing " + names +
                                  ": all are dead or hung (raise --deadline if they are only slow)"));
            return;
          }
          for (int i = 0; i < W_; ++i)
            if (!dropped_[i] && !have[i]) {
              dropped_[i] = ever_dropped_[i] = 1;
              node_.Event({{"event", "dropped"}, {"worker", i}, {"rank", i + 1},
                           {"message", WorkerName(i) + " missed round " + std::to_string(rounds_) +
                                           " by " + Seconds(o_.deadline) +
                                           " s: dropped from the rounds; the others carry on"}});
            }
          continue;
        }
        const Message* m = &a.message;
        if (m->tag != kContribution || !is_worker(m->from)) continue;
        const int w = m->from - 1;
        if (have[w]) continue;  // cannot happen: a worker waits for the reply
        const int i = Take(*m, &due);
        if (i < 0) return;
        dropped_[i] = 0;  // a dropped worker that speaks again rejoins
        have[i] = 1;
        ++got;
        std::swap(last_[i], c_.shared);
      }
      double wsum = 0;
      for (int i = 0; i < W_; ++i)
        if (have[i]) wsum += pi_[i];
      std::fill(xbar_.begin(), xbar_.end(), 0.0);
      for (int i = 0; i < W_; ++i) {
        if (!have[i]) continue;
        const double p = pi_[i] / wsum;
        for (size_t k = 0; k < S_; ++k) xbar_[k] += p * last_[i][k];
      }
      ++rounds_;
      node_.Tick(eval_.epochs());
      if (eval_.Done()) return;
      for (int i = 0; i < W_; ++i)
        if (have[i]) Reply(i);
      if (due) Report(false);
    }
  }

  nlohmann::json Extra() const {
    nlohmann::json e = {{"exchanges", exchanges_},
                        {"exchange_bytes", exchange_bytes_},
                        {"local_bytes", local_bytes_},
                        {"worker_exchanges", worker_exchanges_},
                        {"local_steps", o_.local_steps},
                        {"steps_per_exchange",
                         exchanges_ > 0 ? static_cast<double>(updates_) / exchanges_ : 0.0}};
    std::vector<int> list;
    if (sync_) {
      for (int i = 0; i < W_; ++i)
        if (ever_dropped_[i]) list.push_back(i);
      e["dropped_workers"] = list;
      e["rounds"] = rounds_;
    } else {
      for (int i = 0; i < W_; ++i)
        if (silent_[i]) list.push_back(i);
      e["silent_workers"] = list;
      list.clear();
      for (int i = 0; i < W_; ++i)
        if (ever_silent_[i]) list.push_back(i);
      e["ever_silent_workers"] = list;
      e["invariant_checks"] = invariant_checks_;
      e["invariant_violations"] = invariant_violations_;
    }
    return e;
  }

  void Report(bool final) {
    Progress p = eval_.Take(updates_);
    p.extra = Extra();
    std::copy(xbar_.begin(), xbar_.end(), full_.begin());
    node_.Report(p, WeightsView{full_.data(), 1.0, P_}, final);
  }

  void Finish() {
    for (int i = 0; i < W_; ++i) node_.Send(i + 1, kStop, {});
    Report(/*final=*/true);
  }

  Node& node_;
  const AlgorithmOptions& o_;
  const bool sync_;
  const int W_;
  std::unique_ptr<Model> model_;
  const size_t P_, S_;
  std::vector<double> full_;  // report buffer: [xbar | assembled local part]
  std::vector<double> xbar_;
  EvalClock eval_;
  const double total_rows_;
  double rows_done_ = 0;
  std::vector<double> pi_;
  std::vector<std::vector<double>> last_;
  pex::Contribution c_;
  int64_t updates_ = 0, exchanges_ = 0, exchange_bytes_ = 0, local_bytes_ = 0, rounds_ = 0;
  int64_t invariant_checks_ = 0, invariant_violations_ = 0;
  bool failed_ = false;
  double last_check_ = 0;
  double live_weight_ = 1;  // sum of pi_i over the workers not silent
  std::vector<int64_t> worker_exchanges_;
  std::vector<double> last_heard_;
  std::vector<char> silent_, ever_silent_, dropped_, ever_dropped_;
};

}  // namespace

std::vector<Role> ParameterExchange::Roles(const AlgorithmSetup& setup) {
  std::vector<Role> roles;
  const AlgorithmOptions& o = o_;
  const bool sync = sync_;
  roles.push_back(Role{"master", [&setup, &o, sync](Node& node) { Master(node, setup, o, sync).Run(); }});
  for (int w = 0; w < o.workers; ++w)
    roles.push_back(Role{"worker", [&setup, &o, w](Node& node) { RunWorker(node, setup, o, w); }, w});
  return roles;
}

}  // namespace parley
