// Pieces every SGD role shares: a seeded stream of mini-batches over a shard, and the clock
// that decides when an epoch budget is spent and when to report.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "parley/algos/algorithm.h"
#include "parley/comm/node.h"
#include "parley/core/rng.h"

namespace parley {

// Mini-batches of row indices 0..rows-1: a fresh seeded permutation each epoch, cut into
// batches of `batch` rows (the last batch of an epoch may be shorter; none crosses an epoch).
// The permutation is a forward Fisher-Yates shuffle done lazily, a batch (plus kLookahead
// rows) at a time, so an epoch costs nothing up front but an O(rows) identity fill: a run
// that needs a few hundred rows of a large shard starts at once.
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
  // At least kLookahead rows unless the epoch ends sooner.
  std::span<const uint32_t> Upcoming() const {
    return std::span<const uint32_t>(order_).subspan(pos_, settled_ - pos_);
  }
  int64_t epoch() const { return epoch_; }

 private:
  static constexpr size_t kLookahead = 64;
  // Shuffles positions [settled_, upto) of this epoch's order into their final place.
  void Settle(size_t upto);

  std::vector<uint32_t> order_;  // [0, settled_) final this epoch; the rest not yet drawn
  size_t batch_;
  size_t pos_;
  size_t settled_ = 0;
  Rng shuffle_;                  // this epoch's shuffle stream
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

}  // namespace parley
