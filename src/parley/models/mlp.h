// Softmax classifier on dense rows with zero or more ReLU hidden layers ("mlp"; with no
// hidden layers it is multinomial softmax regression, "softmax", see softmax.h).
//
// Layout: for each layer l (in_l -> out_l), first W_l as a column-major out_l x in_l matrix,
// then the bias b_l (out_l). Layer l computes z_l = W_l a_{l-1} + b_l; hidden layers apply
// ReLU, the last one softmax. Labels are classes 0..C-1. Loss: mean cross-entropy.
// Regularisation: L2() = l2 on every parameter, biases included (applied by the optimizer).
//
// Init: W of a layer followed by ReLU ~ N(0, 2/in) (He), of the output layer ~ N(0, 1/in)
// (LeCun); biases 0. Inputs are expected on a unit scale (pixels in [0, 1]).
//
// Gradient works on whole batches as matrix products (Eigen) in float64, in scratch space
// kept in the model and reused (it grows only when a larger batch arrives; Eigen's GEMM may
// still allocate its packing buffers for large products). Dense gradient; reads weights
// through WeightsView::dense(), so REQUIRES w.scale == 1.
#pragma once

#include "parley/core/eigen.h"
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "parley/models/model.h"

namespace parley {

class MlpModel final : public Model {
 public:
  // kind is "mlp" (hidden non-empty) or "softmax" (hidden empty). Options are validated by
  // the factory.
  MlpModel(std::string kind, size_t inputs, int classes, std::vector<int> hidden, double l2);

  std::string Kind() const override { return kind_; }
  // {"kind", "inputs", "classes", "l2"} plus "hidden" for mlp.
  nlohmann::json Config() const override;
  std::unique_ptr<Model> Clone() const override { return std::make_unique<MlpModel>(*this); }
  size_t NumParams() const override { return num_params_; }
  // Requires dense rows with `inputs` columns and integer labels in [0, classes).
  Status CheckData(const Dataset& data) const override;
  void Init(std::span<double> w, const Dataset& train, Rng& rng) override;
  bool InitReadsData() const override { return false; }
  double L2() const override { return l2_; }
  double Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                  GradientBuffer& g) override;
  // "objective" (mean cross-entropy + l2/2 ||w||^2), "accuracy", "logloss"; processes the
  // rows in chunks of 1024.
  MetricSet Evaluate(WeightsView w, const Dataset& data) const override;

  static StatusOr<std::unique_ptr<Model>> FromConfig(const nlohmann::json& config);

 private:
  struct Layer {
    size_t in, out;
    size_t offset;  // W at offset, b at offset + in * out
  };
  // Activations of one batch; columns are examples. Sized for `capacity` columns, of which
  // the first B are in use.
  struct Scratch {
    size_t capacity = 0;
    Eigen::MatrixXd x;                   // inputs, in_0 x capacity
    std::vector<Eigen::MatrixXd> a;      // a[l]: ReLU outputs, or probabilities for the last
    std::vector<Eigen::MatrixXd> delta;  // delta[l] = d(loss)/d(z_l)
    std::vector<int> y;                  // labels of the batch
  };

  void Reserve(Scratch& s, size_t batch) const;
  // Runs the network on s.x's first B columns; leaves probabilities in s.a.back() and
  // returns the summed cross-entropy against s.y.
  double Forward(const double* w, Scratch& s, size_t B) const;
  // Adds to g the gradient of (summed loss) * scale, from the state left by Forward.
  void Backward(const double* w, Scratch& s, size_t B, double scale, double* g) const;

  // Constant after construction.
  std::string kind_;
  size_t inputs_;
  int classes_;
  std::vector<int> hidden_;
  double l2_;
  std::vector<Layer> layers_;
  size_t num_params_ = 0;

  // Gradient's scratch space (why a Model is not thread-safe).
  Scratch scratch_;
};

}  // namespace parley
