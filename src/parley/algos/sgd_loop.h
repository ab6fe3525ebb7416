// Pieces every SGD role shares: a seeded stream of mini-batches over a shard, the clock that
// decides when an epoch budget is spent and when to report, and a worker's local SGD.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "parley/algos/algorithm.h"
#include "parley/comm/node.h"
#include "parley/core/rng.h"

namespace parley {

// A seeded pseudo-random permutation of [0, n), evaluated one index at a time in O(1) time
// and memory: a balanced Feistel network on 2h bits (4^h >= n) with kRounds rounds keyed from
// the Rng, walked along its cycle until the value falls below n ("cycle walking"; the
// expected number of walks is 4^h / n < 4). Nothing is allocated or filled up front, so a
// run that needs a few batches of a large shard starts at once (an O(n) permutation array
// cost ~3 ms of first-touch page faults per million rows on this project's VMs).
class IndexPermutation {
 public:
  IndexPermutation() = default;
  IndexPermutation(uint64_t n, Rng& rng);
  uint64_t size() const { return n_; }
  // The value at position i < size().
  uint32_t operator()(uint64_t i) const {
    uint64_t x = i;
    do x = Encrypt(x);
    while (x >= n_);
    return static_cast<uint32_t>(x);
  }
  // out[j] = (*this)(begin + j) for j < count, the same values computed kLanes at a time with
  // their rounds interleaved (independent chains the CPU overlaps: about 3x faster per value).
  // REQUIRES: begin + count <= size().
  void Fill(uint64_t begin, size_t count, uint32_t* out) const;

 private:
  static constexpr int kRounds = 4;
  uint64_t Encrypt(uint64_t x) const {
    uint64_t l = x >> half_bits_, r = x & mask_;
    for (int k = 0; k < kRounds; ++k) {
      const uint64_t f = Mix(r ^ keys_[k]) & mask_;
      const uint64_t t = l ^ f;
      l = r;
      r = t;
    }
    return (l << half_bits_) | r;
  }
  static uint64_t Mix(uint64_t z) {  // SplitMix64's finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t n_ = 0;
  int half_bits_ = 0;
  uint64_t mask_ = 0;
  uint64_t keys_[kRounds] = {};
};

// Mini-batches of row indices 0..rows-1: a fresh seeded permutation each epoch
// (IndexPermutation), cut into batches of `batch` rows (the last batch of an epoch may be
// shorter; none crosses an epoch). Only the current batch and kLookahead rows after it are
// held, so starting an epoch costs nothing.
class BatchStream {
 public:
  // Epoch e's order is a permutation drawn from rng.Fork(first_epoch + e) alone, so a run
  // resumed at a whole epoch (TrainOptions::first_epoch) sees the batches the uninterrupted
  // run would have seen.
  BatchStream(size_t rows, int batch, const Rng& rng, int64_t first_epoch = 0);
  std::span<const uint32_t> Next();
  // The rows later calls of Next() return in this epoch, in order (empty when the next call
  // starts a new epoch and reshuffles): a prefetch hint for Model::SgdStep. Valid until the
  // next call of Next().
  // At least kLookahead rows unless the epoch ends sooner (often more).
  std::span<const uint32_t> Upcoming() const {
    return std::span<const uint32_t>(buf_).subspan(pos_ - front_);
  }
  int64_t epoch() const { return epoch_; }

 private:
  static constexpr size_t kLookahead = 64;
  // Positions computed beyond the lookahead when the buffer runs short, so that handed-out
  // rows are dropped (and the rest moved to the front) once every kRefill rows, not every step.
  static constexpr size_t kRefill = 256;

  const size_t rows_;
  size_t batch_;
  size_t pos_;        // this epoch's next position to hand out
  size_t front_ = 0;  // the position buf_[0] holds
  std::vector<uint32_t> buf_;  // this epoch's order at positions [front_, front_ + size)
  IndexPermutation perm_;      // this epoch's order
  int64_t epoch_ = -1;
  const Rng rng_;
  const int64_t first_epoch_;
};

// Counts the rows a role has processed against the run's epoch budget and evaluation period.
// `rows_per_epoch` is how many processed rows make one epoch for this role (the whole
// training set for a sequential worker).
class EvalClock {
 public:
  EvalClock(const TrainOptions& o, size_t rows_per_epoch);
  // Records a processed batch and its loss; true when an evaluation is due.
  bool Advance(size_t rows, double loss);
  // Whether the epoch budget is spent.
  bool Done() const { return rows_done_ >= total_rows_; }
  double epochs() const { return static_cast<double>(rows_done_) / rows_per_epoch_; }
  // The progress to report now; resets the running train loss.
  Progress Take(int64_t updates);

 private:
  double rows_per_epoch_;
  double total_rows_;
  double eval_rows_;
  double rows_done_ = 0;
  double next_eval_;
  double loss_sum_ = 0;
  int64_t loss_count_ = 0;
};

// One worker's local SGD on its shard (sequential SGD, SimuParallelSGD's peers, pex's workers):
// its own copy of the model, parameters, optimizer (velocity kept across steps), gradient
// buffer and batch stream (setup.BatchRng(shard), from the run's first epoch). The parameters
// start at zero: the role sets w() (AlgorithmSetup::InitParams, or a shared x_0).
// Not thread-safe: one role owns it.
class LocalLearner {
 public:
  // allow_fused = false keeps every step in two passes, so that g() holds each step's gradient.
  LocalLearner(const AlgorithmSetup& setup, int shard, bool allow_fused = true);

  // One mini-batch step at schedule time t, charged to the node's compute; returns the batch
  // loss. Plain SGD on a model with a fused step (Model::FusedSgdStep: sparse linear models,
  // MF) takes gradient and update in one pass (g() untouched); otherwise the gradient goes
  // into g() and the optimizer steps with it.
  double Step(Node& node, int64_t t);
  // The rows of the last Step().
  std::span<const uint32_t> batch() const { return batch_; }
  bool fused() const { return fused_; }

  Model& model() { return *model_; }
  const Dataset& data() const { return data_; }
  Weights& w() { return w_; }
  const GradientBuffer& g() const { return g_; }
  SgdOptimizer& optimizer() { return optimizer_; }

 private:
  std::unique_ptr<Model> model_;
  const Dataset& data_;
  Weights w_;
  SgdOptimizer optimizer_;
  GradientBuffer g_;
  BatchStream batches_;
  bool fused_;
  std::span<const uint32_t> batch_;
};

}  // namespace parley
