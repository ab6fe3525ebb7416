#include "parley/algos/sgd_loop.h"

#include <algorithm>

namespace parley {

IndexPermutation::IndexPermutation(uint64_t n, Rng& rng) : n_(n) {
  while ((uint64_t{1} << (2 * half_bits_)) < n) ++half_bits_;
  mask_ = (uint64_t{1} << half_bits_) - 1;
  for (uint64_t& k : keys_) k = rng();
}

BatchStream::BatchStream(size_t rows, int batch, const Rng& rng, int64_t first_epoch)
    : rows_(rows), batch_(static_cast<size_t>(batch)), pos_(rows), rng_(rng), first_epoch_(first_epoch) {
  buf_.reserve(batch_ + kLookahead);
}

std::span<const uint32_t> BatchStream::Next() {
  if (pos_ >= rows_) {
    ++epoch_;
    Rng shuffle = rng_.Fork(static_cast<uint64_t>(first_epoch_ + epoch_));
    perm_ = IndexPermutation(rows_, shuffle);
    pos_ = front_ = 0;
    buf_.clear();
  }
  // Drop the rows handed out before; what was looked ahead moves to the front.
  const size_t done = pos_ - front_;
  const size_t kept = buf_.size() - done;
  for (size_t i = 0; i < kept; ++i) buf_[i] = buf_[done + i];
  buf_.resize(kept);
  front_ = pos_;
  const size_t n = std::min(batch_, rows_ - pos_);
  const size_t upto = std::min(rows_, pos_ + n + kLookahead);
  for (size_t p = front_ + buf_.size(); p < upto; ++p) buf_.push_back(perm_(p));
  pos_ += n;
  return std::span<const uint32_t>(buf_.data(), n);
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
