#include "parley/algos/ps/ps_wire.h"

#include <algorithm>

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

namespace {

// The values of a block as both messages carry them: a sparse flag, then the coordinates
// (sparse only; cleared for a dense block) and the values.
void GetBlockValues(WireReader& r, bool* sparse, std::vector<uint32_t>* index,
                    std::vector<double>* values) {
  *sparse = r.Get<uint8_t>() != 0;
  if (*sparse) {
    r.GetArrayInto(*index);
  } else {
    index->clear();
  }
  r.GetArrayInto(*values);
}

// Whether a decoded block, dense (`index` empty) or sparse, fits a block of `block_size`.
bool FitsBlock(bool sparse, const std::vector<uint32_t>& index, const std::vector<double>& values,
               size_t block_size) {
  if (!sparse) return values.size() == block_size;
  return index.size() == values.size() &&
         std::all_of(index.begin(), index.end(), [&](uint32_t i) { return i < block_size; });
}

}  // namespace

bool DecodeParams(const Bytes& b, size_t block_size, ParamsMsg* out) {
  WireReader r(b);
  out->version = r.Get<int64_t>();
  out->answers = r.Get<int64_t>();
  out->scale = r.Get<double>();
  GetBlockValues(r, &out->sparse, &out->index, &out->values);
  return r.ok() && r.AtEnd() && FitsBlock(out->sparse, out->index, out->values, block_size);
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

bool DecodeGradient(const Bytes& b, size_t block_size, GradientMsg* out) {
  WireReader r(b);
  out->version = r.Get<int64_t>();
  out->rows = r.Get<int64_t>();
  out->loss = r.Get<double>();
  GetBlockValues(r, &out->sparse, &out->index, &out->values);
  out->request = r.Get<int64_t>();
  out->pull_sparse = r.Get<uint8_t>() != 0;
  r.GetArrayInto(out->want);
  auto in_block = [&](uint32_t k) { return k < block_size; };
  return r.ok() && r.AtEnd() && FitsBlock(out->sparse, out->index, out->values, block_size) &&
         std::all_of(out->want.begin(), out->want.end(), in_block);
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

}  // namespace parley::ps
