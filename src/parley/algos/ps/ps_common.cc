#include "parley/algos/ps/ps_common.h"

#include <algorithm>
#include <cstdio>

#include "parley/algos/sgd_loop.h"

namespace parley::ps {

bool SliceCollector::Add(int64_t index, int s, double scale, std::span<const double> values) {
  Pending& p = pending_[index];
  if (p.full.empty()) p.full.assign(blocks_.back().end, 0.0);
  const Block& b = blocks_.at(static_cast<size_t>(s));
  for (size_t i = 0; i < b.size() && i < values.size(); ++i) p.full[b.begin + i] = scale * values[i];
  return ++p.have == static_cast<int>(blocks_.size());
}

std::vector<double> SliceCollector::Take(int64_t index) {
  std::vector<double> full = std::move(pending_.at(index).full);
  pending_.erase(index);
  return full;
}

std::string RankName(int rank, int servers) {
  if (rank < servers) return "server " + std::to_string(rank) + " (rank " + std::to_string(rank) + ")";
  return "worker " + std::to_string(rank - servers) + " (rank " + std::to_string(rank) + ")";
}

void RunWorker(Node& node, const AlgorithmSetup& setup, int index, int servers,
               bool same_version, double deadline, bool dense) {
  std::unique_ptr<Model> model = setup.prototype->Clone();
  const Dataset& data = *setup.shards.at(static_cast<size_t>(index));
  const size_t P = model->NumParams();
  const std::vector<Block> blocks = SplitBlocks(P, servers);
  Rng batch_rng = setup.BatchRng(index);
  BatchStream batches(data.rows(), setup.train_options.batch_size, batch_rng, setup.train_options.first_epoch);
  GradientBuffer g(P, model->SparseGradient());
  // Sparse pulls: with each gradient the worker asks every server for the coordinates its
  // next mini-batch reads (Model::GradientKeys), and assembles them into `full`, whose other
  // entries are stale and never read.
  const bool pull = model->SparseGradient() && !dense;

  struct Slot {
    ParamsMsg msg;
    bool received = false;  // ever
    bool fresh = false;     // since the last gradient
  };
  std::vector<Slot> slots(static_cast<size_t>(servers));
  std::vector<double> full(servers > 1 || pull ? P : 0);
  std::vector<std::vector<uint32_t>> touched(static_cast<size_t>(servers));
  std::vector<std::vector<uint32_t>> want(static_cast<size_t>(servers));
  std::vector<uint32_t> keys;
  std::vector<uint8_t> mark(pull ? P : 0);
  int64_t request = 0;
  ParamsMsg incoming;
  double waiting_since = node.Now();

  // Takes one message; returns false when the worker should end.
  auto handle = [&](const Message& m) -> bool {
    if (m.tag == kStop) return false;
    if (m.tag != kParams || m.from >= servers) return true;
    if (!DecodeParams(m.payload, blocks[static_cast<size_t>(m.from)].size(), &incoming)) {
      node.Fail(Internal("worker " + std::to_string(index) + ": malformed parameters from " +
                         RankName(m.from, servers)));
      return false;
    }
    // Values at the keys of an earlier request (sync sends each version at the keys it last
    // heard of) are of no use: the answer to the current one follows.
    if (incoming.sparse && incoming.answers != request) return true;
    Slot& s = slots[static_cast<size_t>(m.from)];
    if (!s.received || incoming.version >= s.msg.version) {
      std::swap(s.msg, incoming);
      s.received = s.fresh = true;
    }
    return true;
  };
  auto ready = [&] {
    for (const Slot& s : slots)
      if (!s.fresh) return false;
    if (same_version)
      for (const Slot& s : slots)
        if (s.msg.version != slots[0].msg.version) return false;
    return true;
  };

  std::vector<uint32_t> batch, next;
  auto draw = [&](std::vector<uint32_t>& into) {
    std::span<const uint32_t> b = batches.Next();
    into.assign(b.begin(), b.end());
  };
  draw(batch);
  while (!node.ShouldStop()) {
    // Wait for a fresh block from every server, then take the newest already queued.
    while (!ready()) {
      if (node.ShouldStop()) return;
      // A server waits up to `deadline` for a step's gradients; the workers wait twice as
      // long, so that the server, which knows which worker is missing, is the one to report.
      Awaited a = node.Await(waiting_since + 2 * deadline);
      if (a.stopped()) return;
      if (a.timed_out()) {
        std::string missing;
        for (int s = 0; s < servers; ++s)
          if (!slots[s].fresh) missing += (missing.empty() ? "" : ", ") + RankName(s, servers);
        char secs[32];
        std::snprintf(secs, sizeof(secs), "%g", 2 * deadline);
        node.Fail(DeadlineExceeded("worker " + std::to_string(index) + " waited " + secs +
                                   " s for parameters from " + missing +
                                   "; it is dead or hung (raise --deadline if it is only slow)"));
        return;
      }
      if (!handle(a.message)) return;
    }
    while (std::optional<Message> m = node.Poll())
      if (!handle(*m)) return;
    if (same_version && !ready()) continue;  // a newer version of some block arrived: wait for the rest

    // One server: the block is the whole vector, read at its scale (as the server holds it).
    // Several: each block's true values, assembled.
    WeightsView view;
    if (servers == 1 && !slots[0].msg.sparse) {
      view = WeightsView{slots[0].msg.values.data(), slots[0].msg.scale, slots[0].msg.values.size()};
    } else {
      for (int s = 0; s < servers; ++s) {
        const Block& b = blocks[s];
        const ParamsMsg& p = slots[s].msg;
        const double scale = servers == 1 ? 1.0 : p.scale;
        if (p.sparse) {
          for (size_t k = 0; k < p.index.size(); ++k)
            full[b.begin + p.index[k]] = scale * p.values[k];
        } else {
          for (size_t i = 0; i < b.size(); ++i) full[b.begin + i] = scale * p.values[i];
        }
      }
      view = WeightsView{full.data(), servers == 1 ? slots[0].msg.scale : 1.0, full.size()};
    }
    g.Clear();
    const double loss = node.Compute([&] { return model->Gradient(view, data, batch, g); });

    if (g.sparse() && servers > 1) {
      for (auto& t : touched) t.clear();
      for (uint32_t i : g.touched()) touched[BlockOf(blocks, i)].push_back(i);
    }
    draw(next);
    if (pull) {  // the next batch's keys, once each, split by block
      keys.clear();
      model->GradientKeys(data, next, keys);
      for (auto& k : want) k.clear();
      for (uint32_t k : keys) {
        if (mark[k]) continue;
        mark[k] = 1;
        const int s = servers == 1 ? 0 : BlockOf(blocks, k);
        want[s].push_back(static_cast<uint32_t>(k - blocks[s].begin));
      }
      for (int s = 0; s < servers; ++s)
        for (uint32_t k : want[s]) mark[blocks[s].begin + k] = 0;
    }
    ++request;
    for (int s = 0; s < servers; ++s) {
      std::span<const uint32_t> in_block =
          !g.sparse() ? std::span<const uint32_t>() : servers == 1 ? g.touched() : touched[s];
      const bool sparse = pull && SparseIsSmaller(want[s].size(), blocks[s].size());
      node.Send(s, kGradient,
                EncodeGradient(slots[s].msg.version, static_cast<int64_t>(batch.size()), loss, g,
                               blocks[s], in_block, request, sparse ? &want[s] : nullptr));
      slots[s].fresh = false;
    }
    batch.swap(next);
    waiting_since = node.Now();
  }
}

}  // namespace parley::ps
