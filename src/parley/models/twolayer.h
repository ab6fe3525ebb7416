// The two-layer shifted-ReLU regression network of ALGORITHMS.md D (dense version):
//   f(W, x) = (1/sqrt(m)) * sum_r a_r * relu(<w_r, x> - b_thr)
// with fixed output signs a_r in {-1, +1}, threshold b_thr = sqrt(0.4 ln m) unless given,
// and only W (m x d, row-major: w_r is row r) trained. Loss of a point: 1/2 (f(W, x) - y)^2,
// with y the row's label. ReLU derivative at the kink (<w_r, x> == b_thr) is taken as 0.
//
// The signs are model state: drawn at Init (from rng.Fork("twolayer/signs"), before W), kept
// by Clone() and written to Config(), so a model file restores them. A model built by
// MakeModel has no signs until Init; REQUIRES Init (or MakeModelFromConfig) before
// Gradient/Evaluate/Predict.
//
// Everything is float64 (a Kronecker trainer reproduces this trajectory to 1e-9). Dense
// gradient, L2() = 0; reads weights through WeightsView::dense() (REQUIRES scale == 1).
// Batches are computed as matrix products in scratch space reused across calls.
#pragma once

#include "parley/core/eigen.h"
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parley/models/model.h"

namespace parley {

class TwoLayerModel final : public Model {
 public:
  // threshold < 0 selects sqrt(0.4 ln width). signs: empty (drawn at Init) or `width` values
  // in {-1, +1}.
  TwoLayerModel(size_t dim, size_t width, double threshold, std::vector<double> signs = {});

  std::string Kind() const override { return "twolayer"; }
  // {"kind", "dim", "width", "threshold", "signs"} (threshold resolved to its value).
  nlohmann::json Config() const override;
  std::unique_ptr<Model> Clone() const override { return std::make_unique<TwoLayerModel>(*this); }
  size_t NumParams() const override { return m_ * d_; }
  // Requires dense rows with d columns and one finite label (target) per row.
  Status CheckData(const Dataset& data) const override;
  // Draws the signs, then w_r ~ N(0, I_d).
  void Init(std::span<double> w, const Dataset& train, Rng& rng) override;
  bool InitReadsData() const override { return false; }
  double Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                  GradientBuffer& g) override;
  // "objective" = mean 1/2 (f - y)^2, "rmse" = sqrt(mean (f - y)^2); chunks of 1024 rows.
  MetricSet Evaluate(WeightsView w, const Dataset& data) const override;

  // f(W, x) for one input of d values.
  double Predict(WeightsView w, const float* x) const;

  static StatusOr<std::unique_ptr<Model>> FromConfig(const nlohmann::json& config);

  size_t dim() const { return d_; }
  size_t width() const { return m_; }
  double threshold() const { return threshold_; }
  const std::vector<double>& signs() const { return signs_; }

 private:
  struct Scratch {
    size_t capacity = 0;
    Eigen::MatrixXd x;  // inputs, d x capacity
    Eigen::MatrixXd z;  // shifted pre-activations <w_r, x> - b_thr, m x capacity
    Eigen::VectorXd f;  // outputs f(W, x), capacity
  };
  void Reserve(Scratch& s, size_t batch) const;
  // Computes s.z and s.f for the first B columns of s.x.
  void Forward(const double* w, Scratch& s, size_t B) const;

  // Constant after construction (signs_ also set by Init).
  size_t d_, m_;
  double threshold_;
  std::vector<double> signs_;

  Scratch scratch_;  // Gradient's scratch space
};

}  // namespace parley
