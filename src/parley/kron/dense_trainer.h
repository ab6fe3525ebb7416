// The dense baseline for the Kronecker trainer: plain mini-batch SGD on the same two-layer
// shifted-ReLU network (TwoLayerModel's function, loss and gradient), holding W (m x d)
// explicitly, in float64. Given the same init Rng, batches and step sizes as a KronTrainer it
// follows the same trajectory; that is what the equivalence tests and bench/kron_bench check.
// Inputs are expanded from the factors on the fly (x_i = u_i (x) v_i, d values per batch
// point), so memory is the m x d of W plus scratch, not n x d.
// A step costs O(m d |B|) (two matrix products through Eigen).
// Not thread-safe.
#pragma once

#include "parley/core/eigen.h"
#include <cstdint>
#include <span>
#include <vector>

#include "parley/core/metrics.h"
#include "parley/core/rng.h"
#include "parley/kron/kron_data.h"

namespace parley {

class DenseTrainer {
 public:
  // Draws signs and W0 from init_rng as TwoLayerModel::Init does. threshold < 0 selects
  // sqrt(0.4 ln width). `train` must outlive the trainer. REQUIRES: width >= 1,
  // CheckKronData(train).ok().
  DenseTrainer(const KronData& train, size_t width, double threshold, const Rng& init_rng);

  // One SGD step (W -= eta * mean gradient over the batch); returns the mean
  // 1/2 (f - y)^2 over the batch before the step.
  double Step(std::span<const uint32_t> batch, double eta);

  // W, m x d row-major.
  std::span<const double> W() const { return {w_.data(), static_cast<size_t>(w_.size())}; }
  // {r : <w_r, x> > b_thr} (ascending) for the dense input x of d values: O(m d).
  std::vector<uint32_t> Fired(const double* x) const;
  // f(W, x) for a dense input of d values.
  double Predict(const double* x) const;
  // "objective" and "rmse" over every point of data (same d1, d2 as train).
  MetricSet Evaluate(const KronData& data) const;

  size_t width() const { return m_; }
  double threshold() const { return b_; }
  const std::vector<double>& signs() const { return signs_; }
  // Bytes of W and the step scratch.
  size_t memory_bytes() const;

 private:
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // Constant after construction.
  const KronData& train_;
  size_t m_, d_;
  double b_, inv_sqrt_m_;
  std::vector<double> signs_;

  RowMajor w_;          // m x d
  Eigen::MatrixXd x_;   // step scratch: batch inputs, d x |B|
  Eigen::MatrixXd z_;   // step scratch: m x |B|
};

}  // namespace parley
