// The parameter servers' wire format (sync and async, ps.h): how the parameters are split
// into blocks over the servers, and the messages between servers and workers, encoded with
// WireWriter. Decoders take bytes from another process (an MPI rank) and return false for
// anything malformed, never reading past the end. Plain functions, safe to call from any
// thread.
//
// Ranks: servers are 0..S-1, workers S..S+W-1 (worker i is rank S + i).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "parley/comm/transport.h"
#include "parley/optim/weights.h"

namespace parley::ps {

enum Tag : int {
  kParams = 1,     // server -> worker: a version of the server's parameter block
  kGradient = 2,   // worker -> server: a gradient block computed on a version
  kStop = 3,       // server 0 -> everyone: the run is over (to servers: with its last version)
  kEvalSlice = 4,  // server s -> server 0: its block, for an evaluation point
};

// Server s owns parameters [begin, end).
struct Block {
  size_t begin = 0, end = 0;
  size_t size() const { return end - begin; }
};
std::vector<Block> SplitBlocks(size_t num_params, int servers);
// Which block holds parameter i.
int BlockOf(const std::vector<Block>& blocks, size_t i);

// Server -> worker: raw values and scale of a block (true parameter = scale * values[i]),
// either the whole block or, for a worker that asked for some coordinates (a sparse pull,
// after ps-lite's Pull of keys), the values at just those.
struct ParamsMsg {
  int64_t version = 0;
  int64_t answers = 0;  // the worker's request (GradientMsg::request) these values are for
  double scale = 1;
  bool sparse = false;
  std::vector<uint32_t> index;  // sparse only: coordinates relative to the block's begin
  std::vector<double> values;   // dense: block.size() values; sparse: one per index
};
// The whole block when `keys` is null, else the values at *keys (relative to the block).
Bytes EncodeParams(int64_t version, int64_t answers, double scale, std::span<const double> block,
                   const std::vector<uint32_t>* keys);
// True if `b` is parameters for a block of `block_size`: dense, block_size values; sparse, one
// value per index, every index below block_size.
bool DecodeParams(const Bytes& b, size_t block_size, ParamsMsg* out);

// Worker -> server: the gradient restricted to one block, dense or as (index, value) pairs
// relative to the block's begin, whichever is smaller; and the worker's next request: the
// coordinates of this block its next mini-batch reads (a sparse pull), or the whole block.
struct GradientMsg {
  int64_t version = 0;  // the server's version the gradient was computed on
  int64_t rows = 0;     // rows in the mini-batch
  double loss = 0;      // mean mini-batch loss
  bool sparse = false;
  std::vector<uint32_t> index;  // sparse only
  std::vector<double> values;   // dense: block.size() values; sparse: one per index
  int64_t request = 0;          // numbers the worker's requests, 1, 2, ...
  bool pull_sparse = false;     // whether the next parameters are wanted at `want` only
  std::vector<uint32_t> want;   // relative to the block's begin
};
// Encodes the part of g in `block` (g must have `touched` filled if sparse), and the request:
// `want` (relative to the block) when non-null, else the whole block.
Bytes EncodeGradient(int64_t version, int64_t rows, double loss, const GradientBuffer& g,
                     const Block& block, std::span<const uint32_t> touched_in_block,
                     int64_t request, const std::vector<uint32_t>* want);
// True if `b` is a gradient for a block of `block_size`: dense, block_size values; sparse, one
// value per index; every index and every wanted coordinate below block_size.
bool DecodeGradient(const Bytes& b, size_t block_size, GradientMsg* out);
// Whether `entries` (index, value) pairs are smaller on the wire than a whole block of
// `block_size` values: the choice of a gradient's and of a pull's encoding.
inline bool SparseIsSmaller(size_t entries, size_t block_size) {
  return entries * 12 < block_size * 8;
}
// g += factor * m (g is block-sized).
void AddGradient(const GradientMsg& m, double factor, GradientBuffer& g);

// Server 0 -> server s: kStop with the version server 0 ended at.
Bytes EncodeStop(int64_t version);
bool DecodeStop(const Bytes& b, int64_t* version);

// Server s -> server 0 at an evaluation point.
struct EvalSliceMsg {
  int64_t index = 0;  // evaluation point number; -1: final
  double scale = 1;
  std::vector<double> values;
};
Bytes EncodeEvalSlice(int64_t index, double scale, std::span<const double> values);
bool DecodeEvalSlice(const Bytes& b, EvalSliceMsg* out);

}  // namespace parley::ps
