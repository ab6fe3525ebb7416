// The peer roles of asgd, simu and lloyd; see asgd.h.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <sstream>

#include "parley/algos/asgd/asgd.h"

#include "parley/algos/asgd/asgd_wire.h"
#include "parley/algos/asgd/balancer.h"
#include "parley/algos/asgd/parzen.h"
#include "parley/algos/exchange_interval.h"
#include "parley/algos/ps/ps_common.h"
#include "parley/algos/sgd_loop.h"
#include "parley/models/kmeans.h"

namespace parley {
namespace {

enum Tag : int {
  kFinal = 21,    // peer -> peer 0: final parameters (true values)
  kPartial = 22,  // lloyd, peer -> peer 0: sums and counts of a pass
  kCentres = 23,  // lloyd, peer 0 -> peers: centres after a pass; empty payload: stop
};

std::vector<double> TrueValues(const Weights& w) {
  WeightsView v = w.view();
  std::vector<double> out(v.size);
  for (size_t i = 0; i < v.size; ++i) out[i] = v[i];
  return out;
}

// The one-sided traffic of all `peers` so far (puts_all, received_all): `final[r]` for the peers
// whose final message said it (exact), the runtime's counts for the others (under MPI the latest
// a rank sent; see RunContext::SlotTraffic).
SlotCounts AllSlots(const Node& node, int peers, const std::vector<std::optional<SlotCounts>>& final = {}) {
  SlotCounts all;
  for (int r = 0; r < peers; ++r) {
    const size_t i = static_cast<size_t>(r);
    const SlotCounts c = i < final.size() && final[i] ? *final[i] : node.SlotTraffic(r);
    all.puts += c.puts;
    all.reads += c.reads;
  }
  return all;
}

// Peer 0: gathers the other peers' final parameters (tag kFinal) and combines them with its
// own: shared parameters averaged, private ones init + sum of changes. Returns how many peers
// were combined (fewer than W if some never sent, e.g. killed); *slots: the one-sided traffic
// each combined peer reported.
int CombineFinal(Node& node, const Model& model, const AlgorithmSetup& setup, int peers, double deadline,
                 std::vector<double>& w, std::vector<std::optional<SlotCounts>>* slots) {
  slots->assign(static_cast<size_t>(peers), std::nullopt);
  const size_t shared = model.SharedSize();
  std::vector<double> init;
  if (shared < w.size()) {
    std::unique_ptr<Model> m = model.Clone();
    init.resize(w.size());
    Rng rng = setup.init_rng;
    setup.InitParams(*m, init, rng);
  }
  std::vector<double> sum = w;
  int have = 1;
  std::vector<char> seen(static_cast<size_t>(peers), 0);
  seen[0] = 1;
  auto unseen_final = [&](const Message& m) {
    return m.tag == kFinal && m.from > 0 && m.from < peers && !seen[m.from];
  };
  const double start = node.Now();
  while (have < peers) {
    Awaited a = node.Await(unseen_final, start + deadline);
    if (!a.has_message()) {
      const double waited = node.Now() - start;  // once stopping, 2 s at most
      if (waited > deadline || (a.stopped() && waited > 2.0)) break;
      continue;
    }
    const int from = a.message.from;
    std::vector<double> v;
    SlotCounts c;
    if (!asgd::DecodeFinal(a.message.payload, w.size(), &v, &c)) {
      node.Fail(Internal("peer 0: malformed final parameters from peer " + std::to_string(from)));
      return have;
    }
    (*slots)[static_cast<size_t>(from)] = c;
    for (size_t i = 0; i < v.size(); ++i) sum[i] += v[i];
    seen[from] = 1;
    ++have;
  }
  for (size_t i = 0; i < shared; ++i) w[i] = sum[i] / have;
  for (size_t i = shared; i < w.size(); ++i) w[i] = sum[i] - (have - 1) * init[i];
  return have;
}

}  // namespace

const std::vector<double>& SharedInit::Get(const Model& model, const AlgorithmSetup& setup) {
  std::call_once(once_, [&] {
    std::unique_ptr<Model> m = model.Clone();
    w_.assign(m->NumParams(), 0.0);
    Rng rng = setup.init_rng;
    setup.InitParams(*m, w_, rng);
    computed_.fetch_add(1);
  });
  return w_;
}

namespace {

using asgd::BlockMsg;

void CopyInit(const std::vector<double>& init, Weights& w) {
  std::span<double> v = w.Mutable();
  std::copy(init.begin(), init.end(), v.begin());
}

void RunAsgdPeer(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index,
                 SharedInit& shared_init) {
  const int peers = o.workers;
  std::unique_ptr<Model> model = setup.prototype->Clone();
  const Dataset& data = *setup.shards.at(static_cast<size_t>(index));
  const size_t n = model->NumParams();
  Weights w(n);
  CopyInit(shared_init.Get(*model, setup), w);
  SgdOptimizer optimizer(setup.train_options.optimizer);
  GradientBuffer g(n, model->SparseGradient());
  Rng batch_rng = setup.BatchRng(index);
  BatchStream batches(data.rows(), setup.train_options.batch_size, batch_rng, setup.train_options.first_epoch);
  // Each peer's own rows against epochs of its shard (= epochs of the whole set when the
  // peers keep pace); see asgd.h.
  EvalClock clock(setup.train_options, data.rows());
  const std::vector<ps::Block> blocks = ps::SplitBlocks(model->SharedSize(), o.blocks);
  const int nb = static_cast<int>(blocks.size());
  BalancerOptions bo;
  bo.mode = o.balance;
  bo.interval = std::max(1, o.send_every);
  bo.blocks = nb;
  bo.msg_blocks = o.msg_blocks > 0 ? o.msg_blocks : nb;
  Balancer balancer(bo);
  const double lambda = model->L2();

  // The send interval: --send-every, the balancer's (--balance interval|both), or (the
  // default) sized from measured times (ExchangeInterval: exchanging at most a tenth of the
  // time). What one message costs is what this peer pays to send it plus what its receiver
  // pays to test and merge it, taken as this peer's own mean cost of a received state (the
  // send cost until it has received one): charging a peer only for the states it happens to
  // receive let a peer that received few send every few steps and flood the others.
  const bool sized = o.send_every == 0 && !balancer.adapts_interval();
  ExchangeInterval sizer(1, static_cast<int64_t>(data.rows()) /
                                (10 * static_cast<int64_t>(setup.train_options.batch_size)));
  auto interval = [&]() -> int64_t { return sized ? sizer.Next() : balancer.interval(); };
  double interval_began = node.Now(), merge_seconds = 0, merge_cost = -1;

  int64_t t = 0, sends = 0, received = 0, accepted = 0, rejected = 0;
  int64_t acc_since = 0, rej_since = 0;
  int last_q = 0, steps_since_send = 0, next_block = 0;
  std::vector<BlockMsg> incoming;
  std::vector<std::vector<const BlockMsg*>> accepted_by_block(static_cast<size_t>(nb));
  std::vector<double> wi, gi;

  auto extra = [&] {
    const SlotCounts all = AllSlots(node, peers);
    nlohmann::json e = {{"interval", interval()}, {"msg_blocks", balancer.msg_blocks()},
                        {"queue", last_q}, {"sends", sends}, {"skipped_sends", balancer.skipped()},
                        {"received", received}, {"overwritten", node.SlotOverwrites()},
                        {"accepted", accepted}, {"rejected", rejected},
                        {"acceptance", acc_since + rej_since > 0
                                           ? static_cast<double>(acc_since) / static_cast<double>(acc_since + rej_since)
                                           : -1.0},
                        {"puts_all", all.puts}, {"received_all", all.reads}};
    acc_since = rej_since = 0;
    return e;
  };
  auto progress = [&] {
    Progress p = clock.Take(t);
    p.extra = extra();
    return p;
  };

  // Plain SGD on a model with a fused step (sparse linear models, MF): a step with no state
  // to test takes it, as sequential SGD does; the Parzen test needs the gradient itself.
  const bool fused = optimizer.plain() && model->FusedSgdStep();

  while (!node.ShouldStop() && !clock.Done()) {
    std::span<const uint32_t> batch = batches.Next();
    const double eta = optimizer.LearningRate(t);

    // Fresh external states, each tested block by block against the pre-step state.
    incoming.clear();
    bool bad = false;
    int fresh = node.ReadFreshSlots([&](int from, std::span<const std::byte> bytes) {
      if (!bad && !asgd::DecodeState(bytes, blocks, &incoming)) bad = true;
      (void)from;
    });
    if (bad) {
      node.Fail(Internal("asgd peer " + std::to_string(index) + ": malformed state message"));
      return;
    }
    received += fresh;
    double loss;
    if (fused && incoming.empty()) {
      loss = node.Compute([&] { return model->SgdStep(w, data, batch, eta, batches.Upcoming()); });
    } else {
      g.Clear();
      loss = node.Compute([&] { return model->Gradient(w.view(), data, batch, g); });
    }
    bool any = false;
    const double merge_began = incoming.empty() || !sized ? 0 : node.Now();
    if (!incoming.empty()) {
      for (auto& v : accepted_by_block) v.clear();
      WeightsView view = w.view();
      for (const BlockMsg& m : incoming) {
        const ps::Block& b = blocks[m.block];
        wi.resize(b.size());
        gi.resize(b.size());
        for (size_t k = 0; k < b.size(); ++k) {
          wi[k] = view[b.begin + k];
          gi[k] = g[b.begin + k] + lambda * wi[k];
        }
        if (ParzenAccept(wi, gi, eta, m.values)) {
          accepted_by_block[m.block].push_back(&m);
          ++accepted;
          ++acc_since;
          any = true;
        } else {
          ++rejected;
          ++rej_since;
        }
      }
    }
    if (!fused || !incoming.empty()) optimizer.Step(w, g, lambda, t);
    if (any) {
      std::span<double> v = w.Mutable();
      for (int b = 0; b < nb; ++b) {
        const auto& acc = accepted_by_block[static_cast<size_t>(b)];
        if (acc.empty()) continue;
        const double inv = 1.0 / static_cast<double>(1 + acc.size());
        for (size_t k = 0; k < blocks[b].size(); ++k) {
          double s = v[blocks[b].begin + k];
          for (const BlockMsg* m : acc) s += m->values[k];
          v[blocks[b].begin + k] = s * inv;
        }
      }
    }
    if (merge_began > 0) {
      const double took = node.Now() - merge_began;
      merge_seconds += took;
      const double per = took / static_cast<double>(incoming.size());
      merge_cost = merge_cost < 0 ? per : 0.75 * merge_cost + 0.25 * per;
    }
    ++t;
    const bool due = clock.Advance(batch.size(), loss);

    // Scheduled send.
    if (peers > 1 && ++steps_since_send >= interval()) {
      const int64_t steps = steps_since_send;
      steps_since_send = 0;
      const double send_began = sized ? node.Now() : 0;
      last_q = node.SendsInFlight();
      if (balancer.OnScheduledSend(last_q)) {
        int to = static_cast<int>(node.rng().Below(static_cast<uint64_t>(peers - 1)));
        if (to >= index) ++to;
        const int count = std::min(balancer.msg_blocks(), nb);
        node.Put(to, asgd::EncodeState(w.view(), blocks, next_block, count));
        next_block = (next_block + count) % nb;
        ++sends;
      }
      if (sized) {
        const double now = node.Now(), send = now - send_began;
        const double compute = std::max(0.0, now - interval_began - send - merge_seconds);
        sizer.Record(steps, compute, send + (merge_cost < 0 ? send : merge_cost));
        interval_began = now;
        merge_seconds = 0;
      }
    }
    if (index == 0 && due) node.Report(progress(), w.view());
    node.Tick(clock.epochs());
  }

  std::vector<double> final_w = TrueValues(w);
  if (index != 0) {
    node.Send(0, kFinal, asgd::EncodeFinal(final_w, node.SlotTraffic(index)));
    return;
  }
  Progress p = progress();
  const double epochs = p.epochs;
  p.extra["state"] = "peer0";
  node.Report(p, w.view());
  std::vector<std::optional<SlotCounts>> final_slots;
  const int have = CombineFinal(node, *model, setup, peers, o.deadline, final_w, &final_slots);
  final_slots[0] = node.SlotTraffic(0);
  const SlotCounts all = AllSlots(node, peers, final_slots);
  Progress f;
  f.updates = t;
  f.epochs = epochs;
  f.extra = {{"state", "average"}, {"peers_averaged", have}, {"puts_all", all.puts},
             {"received_all", all.reads}};
  node.Report(f, WeightsView{final_w.data(), 1.0, final_w.size()}, /*final=*/true);
}

void RunSimuPeer(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index,
                 SharedInit& shared_init) {
  LocalLearner learner(setup, index);
  Weights& w = learner.w();
  CopyInit(shared_init.Get(learner.model(), setup), w);
  // Each peer's epochs over its own shard: the same count as epochs over the whole set.
  EvalClock eval(setup.train_options, learner.data().rows());
  int64_t t = 0;
  while (!node.ShouldStop() && !eval.Done()) {
    const double loss = learner.Step(node, t);
    ++t;
    const bool due = eval.Advance(learner.batch().size(), loss);
    if (index == 0 && due) node.Report(eval.Take(t), w.view());
    node.Tick(eval.epochs());
  }
  std::vector<double> final_w = TrueValues(w);
  if (index != 0) {
    node.Send(0, kFinal, asgd::EncodeFinal(final_w, node.SlotTraffic(index)));
    return;
  }
  Progress p = eval.Take(t);
  std::vector<std::optional<SlotCounts>> unused;
  p.extra = {{"state", "average"},
             {"peers_averaged", CombineFinal(node, learner.model(), setup, o.workers, o.deadline,
                                             final_w, &unused)}};
  node.Report(p, WeightsView{final_w.data(), 1.0, final_w.size()}, /*final=*/true);
}

void RunLloydPeer(Node& node, const AlgorithmSetup& setup, const AlgorithmOptions& o, int index,
                  SharedInit& shared_init) {
  const auto* km = dynamic_cast<const KMeansModel*>(setup.prototype);
  const int peers = o.workers;
  const Dataset& data = *setup.shards.at(static_cast<size_t>(index));
  std::vector<double> centres = shared_init.Get(*km, setup);
  std::vector<uint32_t> all(data.rows());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint32_t>(i);
  const TrainOptions& to = setup.train_options;
  const int64_t passes = static_cast<int64_t>(std::ceil(to.epochs - 1e-9));
  double next_eval = to.eval_every;
  std::vector<double> sums, counts;

  // Peer 0 waits one deadline for the partial sums and then names the peers still missing;
  // the others wait two for the centres, so that when a peer other than 0 dies the error is
  // peer 0's, which knows who it is.
  auto wait = [&](int tag, int from, double limit,
                  const std::function<std::string()>& missing) -> std::optional<Message> {
    auto expected = [&](const Message& m) { return m.tag == tag && (from < 0 || m.from == from); };
    Awaited a = node.Await(expected, node.Now() + limit);
    if (a.has_message()) return std::move(a.message);
    if (a.timed_out()) {
      std::ostringstream why;
      why << "lloyd peer " << index << " waited " << limit << " s for " << missing()
          << ": dead or hung; raise --deadline if it is only slow";
      node.Fail(DeadlineExceeded(why.str()));
    }
    return std::nullopt;
  };
  std::vector<bool> delivered(static_cast<size_t>(peers));
  auto missing_partials = [&] {
    std::string names;
    for (int p = 1; p < peers; ++p) {
      if (delivered[static_cast<size_t>(p)]) continue;
      names.append(names.empty() ? "" : ", ")
          .append("peer " + std::to_string(p) + " (rank " + std::to_string(p) + ")");
    }
    return "the partial sums of " + names;
  };

  int64_t pass = 0;
  while (pass < passes) {
    sums.clear();
    counts.clear();
    WeightsView view{centres.data(), 1.0, centres.size()};
    node.Compute([&] { km->LloydAccumulate(view, data, all, sums, counts); });
    if (index != 0) {
      node.Send(0, kPartial, asgd::EncodePartial(pass, sums, counts));
      std::optional<Message> m = wait(kCentres, 0, 2 * o.deadline,
                                      [] { return std::string("the centres of peer 0 (rank 0)"); });
      if (!m) return;
      if (m->payload.empty()) return;  // stop
      std::vector<double> c;
      if (!asgd::DecodeCentres(m->payload, centres.size(), &c)) {
        node.Fail(Internal("lloyd peer " + std::to_string(index) + ": malformed centres"));
        return;
      }
      centres = std::move(c);
      ++pass;
      node.Tick(static_cast<double>(pass));
      continue;
    }
    // Peer 0: add the other peers' partial sums of this pass.
    std::fill(delivered.begin(), delivered.end(), false);
    for (int got = 1; got < peers; ++got) {
      std::optional<Message> m = wait(kPartial, -1, o.deadline, missing_partials);
      if (!m) {  // failed (already reported) or stopped (time limit, target): end here
        for (int p = 1; p < peers; ++p) node.Send(p, kCentres, {});
        Progress pr;
        pr.updates = pass;
        pr.epochs = static_cast<double>(pass);
        node.Report(pr, WeightsView{centres.data(), 1.0, centres.size()}, /*final=*/true);
        return;
      }
      int64_t their = 0;
      std::vector<double> s, c;
      if (!asgd::DecodePartial(m->payload, sums.size(), counts.size(), &their, &s, &c) ||
          their != pass) {
        node.Fail(Internal("lloyd peer 0: malformed partial sums from peer " + std::to_string(m->from)));
        return;
      }
      delivered[static_cast<size_t>(m->from)] = true;
      for (size_t i = 0; i < s.size(); ++i) sums[i] += s[i];
      for (size_t i = 0; i < c.size(); ++i) counts[i] += c[i];
    }
    KMeansModel::LloydUpdate(centres, sums, counts);
    ++pass;
    const bool last = pass >= passes || node.ShouldStop();
    for (int p = 1; p < peers; ++p)
      node.Send(p, kCentres, last ? Bytes{} : asgd::EncodeCentres(pass, centres));
    Progress pr;
    pr.updates = pass;
    pr.epochs = static_cast<double>(pass);
    pr.extra = {{"passes", pass}};
    if (last) {
      node.Report(pr, WeightsView{centres.data(), 1.0, centres.size()}, /*final=*/true);
      return;
    }
    if (pr.epochs >= next_eval - 1e-9) {
      while (next_eval <= pr.epochs + 1e-9) next_eval += to.eval_every;
      node.Report(pr, WeightsView{centres.data(), 1.0, centres.size()});
    }
    node.Tick(static_cast<double>(pass));
  }
}

}  // namespace

size_t Asgd::SlotBytes(const Model& model) const {
  const size_t shared = model.SharedSize();
  return asgd::MaxStateBytes(shared, ps::SplitBlocks(shared, o_.blocks).size());
}

std::vector<Role> PeerAlgorithm::Roles(const AlgorithmSetup& setup) {
  init_ = std::make_shared<SharedInit>();
  std::vector<Role> roles;
  for (int i = 0; i < o_.workers; ++i)
    roles.push_back(Role{"peer", [this, &setup, i, in = init_](Node& node) {
                           RunPeer(node, setup, i, *in);
                         }, i});
  return roles;
}

void Asgd::RunPeer(Node& node, const AlgorithmSetup& setup, int i, SharedInit& init) {
  RunAsgdPeer(node, setup, o_, i, init);
}

void SimuParallelSgd::RunPeer(Node& node, const AlgorithmSetup& setup, int i, SharedInit& init) {
  RunSimuPeer(node, setup, o_, i, init);
}

void LloydKmeans::RunPeer(Node& node, const AlgorithmSetup& setup, int i, SharedInit& init) {
  if (dynamic_cast<const KMeansModel*>(setup.prototype) == nullptr) {
    if (i == 0)
      node.Fail(InvalidArgument("--algo lloyd is batch K-means: it needs --model kmeans, got --model " +
                                setup.prototype->Kind() + " (use --algo asgd or simu for other models)"));
    return;
  }
  RunLloydPeer(node, setup, o_, i, init);
}

}  // namespace parley
