// Kronecker-structured SGD for the two-layer shifted-ReLU network (ALGORITHMS.md D, Song & Ye):
// the same trajectory as dense mini-batch SGD on
//   f(W, x) = (1/sqrt(m)) sum_r a_r relu(<w_r, x> - b_thr),  loss 1/2 (f(W, x) - y)^2,
// with W -= eta * (mean gradient over the batch), but a step never touches a d-dimensional
// vector when every training input is x_j = u_j (x) v_j. W is never updated explicitly.
//
// State, for m neurons and n training points:
//  - P[r][j] = <w_r, x_j>, m x n, row-major by neuron (a neuron's row is what a step updates,
//    contiguously). Initialised as u_j^T mat(w_r(0)) v_j: m * n * d flops with plain BLAS,
//    streaming W0 in chunks of rows, never storing it.
//  - G[i][j] = <x_i, x_j> = <u_i, u_j> <v_i, v_j>, n x n: O(n^2 (d1 + d2)) once.
//  - The fired set S_j = {r : P[r][j] > b_thr} of every point, a sorted list of neuron ids.
//    Why a list and not the paper's tree: the threshold is fixed, so the only query a step
//    needs is "enumerate S_i" (a list does it in O(|S_i|)), and a step already visits every
//    P[r][j] it changes, so it sees each crossing of b_thr as it happens and edits S_j on the
//    spot (O(|S_j|) per crossing; crossings are rare). A max-tree would answer "which neurons
//    exceed a varying threshold" in O(log m) per reported neuron, a query this algorithm
//    never asks, at the cost of O(log m) per P update instead of O(1).
//  - Dual weights A[r][i], m x n: w_r(t) = w_r(0) + sum_i A[r][i] x_i. Materialised only on
//    demand (MaterializeW, for a model file; EvaluateHeldOut for points known at creation).
// A step on batch B (eta: step size, k = 1 / (sqrt(m) |B|)):
//   e_i = f(x_i) - y_i = (1/sqrt m) sum_{r in S_i} a_r (P[r][i] - b) - y_i      O(|S_i|)
//   c[r][i] = -eta * k * a_r * e_i for r in S_i (from the pre-step P)
//   P[r][j] += sum_i c[r][i] G[i][j] for every touched r and every j; S_j updated on crossings
//   A[r][i] += c[r][i]
// Cost: O(n * sum_i |S_i|) per step, independent of d; memory O(m n + n^2).
// Everything is float64. The P updates are split over threads by ranges of points j: each
// thread owns P[.][j] and S_j for its j, so no locks, and the result is bit-for-bit the same
// for any thread count.
//
// Thread-safety: a KronTrainer is used by one thread (it drives its own helper threads);
// const methods may be called concurrently when no Step runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <vector>

#include "parley/core/metrics.h"
#include "parley/core/rng.h"
#include "parley/core/status.h"
#include "parley/core/fork_join_pool.h"
#include "parley/kron/kron_data.h"

namespace parley {

struct KronTrainerOptions {
  size_t width = 256;     // m, neurons
  double threshold = -1;  // b_thr; < 0 selects sqrt(0.4 ln m), as TwoLayerModel does
  int threads = 1;        // threads for initialisation and the P updates; 0: one per core
  // A step uses one more thread per this many P updates (waking a thread costs about as much
  // as 2^15 updates); tests set 1 to exercise the threads on small problems.
  size_t min_updates_per_thread = size_t{1} << 15;
};

// Seconds spent building the state (reported apart from the per-step cost).
struct KronInitStats {
  double gram_seconds = 0;        // G (and the train x held-out Gram)
  double projection_seconds = 0;  // P and the held-out P0: m * (n + n_held) * d flops
  double total_seconds = 0;
};

// Bytes held by the trainer (not counting the KronData it reads).
struct KronMemory {
  size_t projections = 0;  // P
  size_t duals = 0;        // A
  size_t gram = 0;         // G
  size_t fired = 0;        // fired lists
  size_t held_out = 0;     // held-out P0 and train x held-out Gram
  size_t total() const { return projections + duals + gram + fired + held_out; }
};

// 64-byte aligned storage for the hot arrays.
template <typename T>
struct CacheAligned {
  using value_type = T;
  CacheAligned() = default;
  template <typename U>
  CacheAligned(const CacheAligned<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  friend bool operator==(const CacheAligned&, const CacheAligned&) { return true; }
};
using AlignedDoubles = std::vector<double, CacheAligned<double>>;

class KronTrainer {
 public:
  // Builds the state for training on `train` and, if held_out is non-null, for evaluating
  // held_out: draws the signs and W0 from init_rng exactly as TwoLayerModel::Init would
  // (so a dense model given the same Rng starts from the same W), then computes P, the fired
  // sets and G. train and held_out must outlive the trainer.
  // Errors: InvalidArgument for width 0, threshold NaN, data that fails CheckKronData, a
  // held-out set whose d1, d2 differ from train's, or more than 2^32 - 1 points.
  static StatusOr<std::unique_ptr<KronTrainer>> Create(const KronData& train,
                                                       const KronData* held_out,
                                                       const KronTrainerOptions& options,
                                                       const Rng& init_rng);
  ~KronTrainer();

  // One SGD step on the training points `batch` (indices < train.rows(); duplicates allowed)
  // with step size eta. Returns the mean over the batch of 1/2 (f - y)^2 before the step,
  // as TwoLayerModel::Gradient does.
  double Step(std::span<const uint32_t> batch, double eta);

  // f(W, x_j) for training point j, read from P: O(|S_j|).
  double PredictTrain(size_t j) const;
  // "objective" (mean 1/2 (f - y)^2) and "rmse" over the training points `rows` (every point
  // when empty), from P: O(sum |S_j|), no d.
  MetricSet EvaluateTrain(std::span<const uint32_t> rows = {}) const;
  // The same metrics over the held-out points: their projections are P0 + A K with K the
  // train x held-out Gram, O(m n n_held), no d. Empty when there is no held-out set.
  MetricSet EvaluateHeldOut() const;
  // W = W0 + sum_i A[.][i] x_i as m x d row-major values (what a dense trainer would hold):
  // replays W0 from the init Rng. O(m d + nnz(A) d) time, m d memory, on demand only.
  std::vector<double> MaterializeW() const;

  // S_j: the neurons fired by training point j, ascending.
  std::span<const uint32_t> Fired(size_t j) const { return fired_[j]; }
  // Mean, min and max over training points of |S_j| / m.
  struct FiredStats {
    double mean = 0, min = 0, max = 0;
  };
  FiredStats FiredFraction() const;
  double Projection(size_t r, size_t j) const { return p_[r * stride_ + j]; }

  size_t width() const { return m_; }
  size_t dim() const { return train_.dim(); }
  double threshold() const { return b_; }
  const std::vector<double>& signs() const { return signs_; }
  int threads() const { return pool_->size(); }
  int64_t steps() const { return steps_; }
  // Fired-set changes (a P[r][j] crossing b_thr) over all steps so far.
  int64_t crossings() const { return crossings_; }
  const KronInitStats& init_stats() const { return init_stats_; }
  KronMemory memory() const;

 private:
  KronTrainer(const KronData& train, const KronData* held_out, const KronTrainerOptions& o,
              const Rng& init_rng);
  void Initialise();
  void ComputeProjections();
  // Updates rows of P touched by the current step for points [j0, j1); returns crossings.
  int64_t UpdateRange(size_t j0, size_t j1);

  struct Term {     // one c[r][i]
    uint32_t r;     // neuron
    uint32_t i;     // training point
    uint32_t seq;   // position in the step, for a deterministic order
    double c;
  };

  // Constant after construction.
  const KronData& train_;
  const KronData* held_out_;  // may be null
  size_t n_, m_, stride_;     // stride_: row stride of P, A, G: n rounded up to 8 doubles (rows
                              // start on cache lines), plus 8 when that is a multiple of 4 KiB
                              // (power-of-two strides made the threads' row ranges collide in
                              // the cache: 2 threads were slower than 1 at n = 4096)
  double b_, inv_sqrt_m_;
  size_t min_updates_per_thread_;
  Rng init_rng_;              // the Rng W0 was drawn from, to replay it
  std::vector<double> signs_;
  std::unique_ptr<ForkJoinPool> pool_;
  AlignedDoubles g_;          // G, n x stride_
  AlignedDoubles k_held_;     // train x held-out Gram, n x n_held
  KronInitStats init_stats_;

  // Training state (written by Step).
  AlignedDoubles p_;          // P, m x stride_
  AlignedDoubles a_;          // A, m x stride_
  AlignedDoubles p0_held_;    // held-out <w_r(0), x>, m x n_held
  std::vector<std::vector<uint32_t>> fired_;  // S_j; during a step, S_j is written only by
                                              // the thread that owns j
  int64_t steps_ = 0;
  int64_t crossings_ = 0;

  // Scratch of one step, reused.
  std::vector<Term> terms_;
  std::vector<size_t> group_begin_;  // terms_ of neuron group g: [group_begin_[g], group_begin_[g+1])
  std::vector<int64_t> thread_crossings_;
};

}  // namespace parley
