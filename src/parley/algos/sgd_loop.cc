#include "parley/algos/sgd_loop.h"

#include <algorithm>

namespace parley {

IndexPermutation::IndexPermutation(uint64_t n, Rng& rng) : n_(n) {
  while ((uint64_t{1} << (2 * half_bits_)) < n) ++half_bits_;
  mask_ = (uint64_t{1} << half_bits_) - 1;
  for (uint64_t& k : keys_) k = rng();
}

void IndexPermutation::Fill(uint64_t begin, size_t count, uint32_t* out) const {
  constexpr size_t kLanes = 32;
  size_t j = 0;
  for (; j + kLanes <= count; j += kLanes) {
    uint64_t x[kLanes];
    for (size_t l = 0; l < kLanes; ++l) x[l] = Encrypt(begin + j + l);
    // Cycle walking, every lane in step and without branches (which lanes still walk is a coin
    // toss the branch predictor would lose): a lane already in [0, n) keeps its value.
    for (;;) {
      bool walking = false;
      for (size_t l = 0; l < kLanes; ++l) walking |= x[l] >= n_;
      if (!walking) break;
      for (size_t l = 0; l < kLanes; ++l) {
        const uint64_t y = Encrypt(x[l]);
        x[l] = x[l] >= n_ ? y : x[l];
      }
    }
    for (size_t l = 0; l < kLanes; ++l) out[j + l] = static_cast<uint32_t>(x[l]);
  }
  for (; j < count; ++j) out[j] = (*this)(begin + j);
}

BatchStream::BatchStream(size_t rows, int batch, const Rng& rng, int64_t first_epoch)
    : rows_(rows), batch_(static_cast<size_t>(batch)), pos_(rows), rng_(rng), first_epoch_(first_epoch) {
  buf_.reserve(batch_ + kLookahead + kRefill);
}

std::span<const uint32_t> BatchStream::Next() {
  if (pos_ >= rows_) {
    ++epoch_;
    Rng shuffle = rng_.Fork(static_cast<uint64_t>(first_epoch_ + epoch_));
    perm_ = IndexPermutation(rows_, shuffle);
    pos_ = front_ = 0;
    buf_.clear();
  }
  const size_t n = std::min(batch_, rows_ - pos_);
  const size_t want = std::min(rows_, pos_ + n + kLookahead);
  if (want > front_ + buf_.size()) {
    // Drop the rows handed out before; what was looked ahead moves to the front.
    const size_t done = pos_ - front_;
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(done));
    front_ = pos_;
    const size_t have = front_ + buf_.size();
    const size_t upto = std::min(rows_, want + kRefill);
    buf_.resize(upto - front_);
    perm_.Fill(have, upto - have, buf_.data() + (have - front_));
  }
  const size_t at = pos_ - front_;
  pos_ += n;
  return std::span<const uint32_t>(buf_.data() + at, n);
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

LocalLearner::LocalLearner(const AlgorithmSetup& setup, int shard, bool allow_fused)
    : model_(setup.prototype->Clone()),
      data_(*setup.shards.at(static_cast<size_t>(shard))),
      w_(model_->NumParams()),
      optimizer_(setup.train_options.optimizer),
      g_(model_->NumParams(), model_->SparseGradient()),
      batches_(data_.rows(), setup.train_options.batch_size, setup.BatchRng(shard),
               setup.train_options.first_epoch),
      fused_(allow_fused && optimizer_.plain() && model_->FusedSgdStep()) {}

double LocalLearner::Step(Node& node, int64_t t) {
  batch_ = batches_.Next();
  if (fused_) {
    const double eta = optimizer_.LearningRate(t);
    return node.Compute(
        [&] { return model_->SgdStep(w_, data_, batch_, eta, batches_.Upcoming()); });
  }
  g_.Clear();
  const double loss = node.Compute([&] { return model_->Gradient(w_.view(), data_, batch_, g_); });
  optimizer_.Step(w_, g_, model_->L2(), t);
  return loss;
}

}  // namespace parley
