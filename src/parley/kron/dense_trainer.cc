#include "parley/kron/dense_trainer.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "parley/kron/twolayer_init.h"

namespace parley {

DenseTrainer::DenseTrainer(const KronData& train, size_t width, double threshold,
                           const Rng& init_rng)
    : train_(train),
      m_(width),
      d_(train.dim()),
      b_(threshold >= 0 ? threshold : std::sqrt(0.4 * std::log(static_cast<double>(width)))),
      inv_sqrt_m_(1.0 / std::sqrt(static_cast<double>(width))) {
  assert(width >= 1);
  TwoLayerInitStream stream(init_rng, m_, d_);
  signs_ = stream.signs();
  w_.resize(static_cast<Eigen::Index>(m_), static_cast<Eigen::Index>(d_));
  stream.NextRows(m_, w_.data());
}

double DenseTrainer::Step(std::span<const uint32_t> batch, double eta) {
  if (batch.empty()) return 0;
  const auto nb = static_cast<Eigen::Index>(batch.size());
  if (x_.cols() < nb) {
    x_.resize(static_cast<Eigen::Index>(d_), nb);
    z_.resize(static_cast<Eigen::Index>(m_), nb);
  }
  for (Eigen::Index s = 0; s < nb; ++s) train_.DenseRow(batch[static_cast<size_t>(s)], x_.col(s).data());
  auto x = x_.leftCols(nb);
  auto z = z_.leftCols(nb);
  z.noalias() = w_ * x;
  z.array() -= b_;
  Eigen::Map<const Eigen::VectorXd> a(signs_.data(), static_cast<Eigen::Index>(m_));
  const double k = inv_sqrt_m_ / static_cast<double>(batch.size());
  double loss = 0;
  for (Eigen::Index s = 0; s < nb; ++s) {
    const double f = inv_sqrt_m_ * a.dot(z.col(s).cwiseMax(0.0));
    const double e = f - train_.y[batch[static_cast<size_t>(s)]];
    loss += 0.5 * e * e;
    // z becomes d loss / d z, already scaled by -eta: the update is W += z x^T.
    for (Eigen::Index r = 0; r < z.rows(); ++r)
      z(r, s) = z(r, s) > 0 ? -eta * k * e * signs_[static_cast<size_t>(r)] : 0.0;
  }
  w_.noalias() += z * x.transpose();
  return loss / static_cast<double>(batch.size());
}

std::vector<uint32_t> DenseTrainer::Fired(const double* x) const {
  Eigen::Map<const Eigen::VectorXd> xv(x, static_cast<Eigen::Index>(d_));
  Eigen::VectorXd z = w_ * xv;
  std::vector<uint32_t> fired;
  for (Eigen::Index r = 0; r < z.size(); ++r)
    if (z(r) > b_) fired.push_back(static_cast<uint32_t>(r));
  return fired;
}

double DenseTrainer::Predict(const double* x) const {
  Eigen::Map<const Eigen::VectorXd> xv(x, static_cast<Eigen::Index>(d_));
  Eigen::Map<const Eigen::VectorXd> a(signs_.data(), static_cast<Eigen::Index>(m_));
  Eigen::VectorXd z = w_ * xv;
  z.array() -= b_;
  return inv_sqrt_m_ * a.dot(z.cwiseMax(0.0));
}

MetricSet DenseTrainer::Evaluate(const KronData& data) const {
  constexpr size_t kChunk = 256;
  const size_t n = data.rows();
  Eigen::MatrixXd x(static_cast<Eigen::Index>(d_), static_cast<Eigen::Index>(std::min(n, kChunk)));
  Eigen::MatrixXd z;
  Eigen::Map<const Eigen::VectorXd> a(signs_.data(), static_cast<Eigen::Index>(m_));
  double se = 0;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    const auto nb = static_cast<Eigen::Index>(std::min(kChunk, n - begin));
    for (Eigen::Index s = 0; s < nb; ++s) data.DenseRow(begin + static_cast<size_t>(s), x.col(s).data());
    z.noalias() = w_ * x.leftCols(nb);
    z.array() -= b_;
    for (Eigen::Index s = 0; s < nb; ++s) {
      const double e = inv_sqrt_m_ * a.dot(z.col(s).cwiseMax(0.0)) - data.y[begin + static_cast<size_t>(s)];
      se += e * e;
    }
  }
  const double mse = n == 0 ? 0.0 : se / static_cast<double>(n);
  return {{"objective", 0.5 * mse}, {"rmse", std::sqrt(mse)}};
}

size_t DenseTrainer::memory_bytes() const {
  return static_cast<size_t>(w_.size() + x_.size() + z_.size()) * sizeof(double);
}

}  // namespace parley
