// Parameter storage shared by models and optimizers.
//
// Weights hold a flat float64 vector with a global scale factor: the true parameter i is
// scale * v[i]. The scale lets L2 decay of a sparse SGD step cost O(non-zeros) instead of
// O(parameters) (the trick of Bottou's SGD and scikit-learn's WeightVector). Models read
// parameters through a WeightsView; dense models may require scale == 1 (see
// WeightsView::dense()), which holds whenever the optimizer takes dense steps.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace parley {

struct WeightsView {
  const double* v = nullptr;
  double scale = 1.0;
  size_t size = 0;

  double operator[](size_t i) const { return scale * v[i]; }
  // The raw values; valid only when scale == 1 (dense models, materialised weights).
  const double* dense() const {
    assert(scale == 1.0 && "dense view of scaled weights: call Weights::Materialize first");
    return v;
  }
};

class Weights {
 public:
  Weights() = default;
  explicit Weights(size_t n) : v_(n, 0.0) {}

  size_t size() const { return v_.size(); }
  double scale() const { return scale_; }
  WeightsView view() const { return {v_.data(), scale_, v_.size()}; }
  // Raw values, scale folded in first.
  std::span<double> Mutable() { Materialize(); return v_; }
  std::span<const double> Values() { Materialize(); return v_; }
  // Folds the scale into the values (O(size)); afterwards scale() == 1.
  void Materialize();
  // Multiplies every parameter by f (O(1)). REQUIRES: f > 0.
  void ScaleBy(double f);
  // Adds delta to true parameter i (O(1)).
  void AddTo(size_t i, double delta) { v_[i] += delta / scale_; }
  // Direct access to the stored (unscaled) values, for optimizers.
  std::vector<double>& raw() { return v_; }

 private:
  std::vector<double> v_;
  double scale_ = 1.0;
};

// A gradient accumulator of fixed size. A sparse buffer also records which coordinates were
// touched since the last Clear(), so that clearing and applying it cost O(touched); a dense
// buffer is cleared and applied in O(size). Not thread-safe.
class GradientBuffer {
 public:
  GradientBuffer() = default;
  GradientBuffer(size_t n, bool sparse) { Reset(n, sparse); }

  void Reset(size_t n, bool sparse);
  size_t size() const { return g_.size(); }
  bool sparse() const { return sparse_; }

  // Marks coordinate i as touched (sparse buffers) and adds v to it.
  void Add(size_t i, double v) {
    Touch(i);
    g_[i] += v;
  }
  void Touch(size_t i) {
    if (sparse_ && !mark_[i]) {
      mark_[i] = 1;
      touched_.push_back(static_cast<uint32_t>(i));
    }
  }
  void TouchRange(size_t begin, size_t n) {
    for (size_t i = begin; i < begin + n; ++i) Touch(i);
  }
  // Raw values; a sparse-buffer writer must Touch() every coordinate it writes.
  double* data() { return g_.data(); }
  const double* data() const { return g_.data(); }
  double operator[](size_t i) const { return g_[i]; }
  // The coordinates touched since Clear(), in first-touch order (sparse buffers only).
  std::span<const uint32_t> touched() const { return touched_; }
  // Multiplies every (touched) value by f.
  void Scale(double f);
  // Sets every (touched) value to zero.
  void Clear();

 private:
  std::vector<double> g_;
  std::vector<uint8_t> mark_;
  std::vector<uint32_t> touched_;
  bool sparse_ = false;
};

}  // namespace parley
