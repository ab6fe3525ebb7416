#include "parley/algos/sgd_loop.h"

#include <algorithm>
#include <numeric>

namespace parley {

BatchStream::BatchStream(size_t rows, int batch, const Rng& rng, int64_t first_epoch)
    : order_(rows), batch_(static_cast<size_t>(batch)), pos_(rows), rng_(rng), first_epoch_(first_epoch) {}

void BatchStream::Settle(size_t upto) {
  const size_t n = order_.size();
  for (; settled_ < upto; ++settled_)
    std::swap(order_[settled_], order_[settled_ + shuffle_.Below(n - settled_)]);
}

std::span<const uint32_t> BatchStream::Next() {
  if (pos_ >= order_.size()) {
    ++epoch_;
    std::iota(order_.begin(), order_.end(), 0u);
    shuffle_ = rng_.Fork(static_cast<uint64_t>(first_epoch_ + epoch_));
    pos_ = settled_ = 0;
  }
  const size_t n = std::min(batch_, order_.size() - pos_);
  Settle(std::min(order_.size(), pos_ + n + kLookahead));
  std::span<const uint32_t> b(order_.data() + pos_, n);
  pos_ += n;
  return b;
}

EvalClock::EvalClock(const TrainOptions& o, size_t rows_per_epoch)
    : rows_per_epoch_(static_cast<double>(rows_per_epoch)),
      total_rows_(o.epochs * rows_per_epoch_),
      eval_rows_(o.eval_every * rows_per_epoch_),
      next_eval_(eval_rows_) {}

bool EvalClock::Advance(size_t rows, double loss) {
  rows_done_ += static_cast<double>(rows);
  loss_sum_ += loss;
  loss_count_++;
  // The final evaluation is reported by the role itself when the budget is spent.
  if (rows_done_ >= next_eval_ && !Done()) {
    while (next_eval_ <= rows_done_) next_eval_ += eval_rows_;
    return true;
  }
  return false;
}

Progress EvalClock::Take(int64_t updates) {
  Progress p;
  p.updates = updates;
  p.epochs = epochs();
  p.train_loss = loss_count_ > 0 ? loss_sum_ / static_cast<double>(loss_count_) : -1;
  loss_sum_ = 0;
  loss_count_ = 0;
  return p;
}

}  // namespace parley
