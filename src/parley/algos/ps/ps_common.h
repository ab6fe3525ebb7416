// Pieces shared by the parameter-server algorithms (sync with backup workers, async): the
// block layout of parameters over servers, the wire format of their messages, the worker
// role (identical in both: wait for parameters, compute a gradient, push it), and the
// collection of parameter slices on server 0 for evaluation.
//
// Ranks: servers are 0..S-1, workers S..S+W-1 (worker i is rank S + i).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "parley/algos/algorithm.h"
#include "parley/comm/node.h"
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
bool DecodeParams(const Bytes& b, ParamsMsg* out);

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
bool DecodeGradient(const Bytes& b, GradientMsg* out);
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

// The worker role of both algorithms. Worker `index` trains on shard `index`; it waits for a
// fresh block from every server (sync: all of the same, newest version), computes a gradient
// on its next mini-batch inside node.Compute, and pushes one block to each server. Ends on
// kStop or when the run stops; fails, naming the server, when a server is silent for
// `deadline` seconds.
// `dense`: ask for whole blocks even when the model is sparse (--dense-exchange).
void RunWorker(Node& node, const AlgorithmSetup& setup, int index, int servers,
               bool same_version, double deadline, bool dense);

// Server 0's assembly of the blocks of all servers into full parameters for Report.
class SliceCollector {
 public:
  SliceCollector(const std::vector<Block>& blocks) : blocks_(blocks) {}
  // Adds server `s`'s block for evaluation point `index`; returns true when that point is
  // complete (then Take gives its parameters).
  bool Add(int64_t index, int s, double scale, std::span<const double> values);
  std::vector<double> Take(int64_t index);
  bool Has(int64_t index) const { return pending_.count(index) > 0; }

 private:
  struct Pending {
    std::vector<double> full;
    int have = 0;
  };
  const std::vector<Block>& blocks_;
  std::map<int64_t, Pending> pending_;
};

// Human name of a rank for error messages: "worker 3 (rank 4)" / "server 0 (rank 0)".
std::string RankName(int rank, int servers);

}  // namespace parley::ps
