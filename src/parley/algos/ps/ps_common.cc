#include "parley/algos/ps/ps_common.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "parley/algos/sgd_loop.h"
#include "parley/core/wire.h"

namespace parley::ps {

std::vector<Block> SplitBlocks(size_t num_params, int servers) {
  std::vector<Block> blocks(static_cast<size_t>(servers));
  for (int s = 0; s < servers; ++s) {
    blocks[s].begin = num_params * static_cast<size_t>(s) / static_cast<size_t>(servers);
    blocks[s].end = num_params * static_cast<size_t>(s + 1) / static_cast<size_t>(servers);
  }
  return blocks;
}

int BlockOf(const std::vector<Block>& blocks, size_t i) {
  auto it = std::upper_bound(blocks.begin(), blocks.end(), i,
                             [](size_t v, const Block& b) { return v < b.end; });
  return static_cast<int>(it - blocks.begin());
}

Bytes EncodeParams(int64_t version, int64_t answers, double scale, std::span<const double> block,
                   const std::vector<uint32_t>* keys) {
  Bytes b;
  b.reserve(40 + (keys ? keys->size() * 12 : block.size_bytes()));
  WireWriter w(b);
  w.Put(version);
  w.Put(answers);
  w.Put(scale);
  w.Put<uint8_t>(keys ? 1 : 0);
  if (keys) {
    w.PutArray<uint32_t>(*keys);
    const size_t n = keys->size();
    w.Put<uint64_t>(n);
    for (uint32_t k : *keys) w.Put(block[k]);
  } else {
    w.PutArray(block);
  }
  return b;
}

bool DecodeParams(const Bytes& b, ParamsMsg* out) {
  WireReader r(b);
  out->version = r.Get<int64_t>();
  out->answers = r.Get<int64_t>();
  out->scale = r.Get<double>();
  out->sparse = r.Get<uint8_t>() != 0;
  if (out->sparse) {
    r.GetArrayInto(out->index);
  } else {
    out->index.clear();
  }
  r.GetArrayInto(out->values);
  return r.ok() && r.AtEnd() && (!out->sparse || out->index.size() == out->values.size());
}

Bytes EncodeGradient(int64_t version, int64_t rows, double loss, const GradientBuffer& g,
                     const Block& block, std::span<const uint32_t> touched_in_block,
                     int64_t request, const std::vector<uint32_t>* want) {
  const bool sparse = g.sparse() && SparseIsSmaller(touched_in_block.size(), block.size());
  Bytes b;
  b.reserve(64 + (sparse ? touched_in_block.size() * 12 : block.size() * 8) +
            (want ? want->size() * 4 : 0));
  WireWriter w(b);
  w.Put(version);
  w.Put(rows);
  w.Put(loss);
  w.Put<uint8_t>(sparse ? 1 : 0);
  if (sparse) {
    const size_t n = touched_in_block.size();
    w.Put<uint64_t>(n);
    for (uint32_t i : touched_in_block) w.Put(static_cast<uint32_t>(i - block.begin));
    w.Put<uint64_t>(n);
    for (uint32_t i : touched_in_block) w.Put(g[i]);
  } else {
    w.PutArray<double>(std::span<const double>(g.data() + block.begin, block.size()));
  }
  w.Put(request);
  w.Put<uint8_t>(want ? 1 : 0);
  w.PutArray<uint32_t>(want ? std::span<const uint32_t>(*want) : std::span<const uint32_t>());
  return b;
}

bool DecodeGradient(const Bytes& b, GradientMsg* out) {
  WireReader r(b);
  out->version = r.Get<int64_t>();
  out->rows = r.Get<int64_t>();
  out->loss = r.Get<double>();
  out->sparse = r.Get<uint8_t>() != 0;
  if (out->sparse) {
    r.GetArrayInto(out->index);
    r.GetArrayInto(out->values);
    if (out->index.size() != out->values.size()) return false;
  } else {
    out->index.clear();
    r.GetArrayInto(out->values);
  }
  out->request = r.Get<int64_t>();
  out->pull_sparse = r.Get<uint8_t>() != 0;
  r.GetArrayInto(out->want);
  return r.ok() && r.AtEnd();
}

void AddGradient(const GradientMsg& m, double factor, GradientBuffer& g) {
  if (m.sparse) {
    for (size_t k = 0; k < m.index.size(); ++k) g.Add(m.index[k], factor * m.values[k]);
  } else {
    double* d = g.data();
    if (g.sparse()) g.TouchRange(0, m.values.size());
    if (factor == 1.0) {
      for (size_t i = 0; i < m.values.size(); ++i) d[i] += m.values[i];
    } else {
      for (size_t i = 0; i < m.values.size(); ++i) d[i] += factor * m.values[i];
    }
  }
}

Bytes EncodeStop(int64_t version) {
  Bytes b;
  WireWriter w(b);
  w.Put(version);
  return b;
}

bool DecodeStop(const Bytes& b, int64_t* version) {
  WireReader r(b);
  *version = r.Get<int64_t>();
  return r.ok() && r.AtEnd();
}

Bytes EncodeEvalSlice(int64_t index, double scale, std::span<const double> values) {
  Bytes b;
  WireWriter w(b);
  w.Put(index);
  w.Put(scale);
  w.PutArray(values);
  return b;
}

bool DecodeEvalSlice(const Bytes& b, EvalSliceMsg* out) {
  WireReader r(b);
  out->index = r.Get<int64_t>();
  out->scale = r.Get<double>();
  r.GetArrayInto(out->values);
  return r.ok() && r.AtEnd();
}

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
    if (!DecodeParams(m.payload, &incoming)) {
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
      std::optional<Message> m = node.Receive(std::chrono::duration<double>(0.05));
      if (!m) {
        if (node.ShouldStop()) return;
        // A server waits up to `deadline` for a step's gradients; the workers wait twice as
        // long, so that the server, which knows which worker is missing, is the one to report.
        if (node.Now() - waiting_since > 2 * deadline) {
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
        continue;
      }
      if (!handle(*m)) return;
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
