// Linear classifiers on sparse (CSR) rows: the machinery shared by logistic regression and
// the linear SVM, which differ only in their margin loss.
//
// Parameters: one weight per feature, plus one for a constant bias feature when bias >= 0
// (liblinear's -B: the feature is appended to every row with value `bias` and regularised
// like the others). Labels are binary: a row is positive iff its label > 0. The score of a
// row is z = <w, x>; the margin is m = y z with y in {-1, +1}.
//
// Gradient costs O(non-zeros of the batch): it reads only the batch's features, never
// allocates (beyond the GradientBuffer's first growth) and writes only their coordinates.
// SgdStep (plain SGD) does the same work without a gradient buffer, straight into w.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "parley/models/model.h"

namespace parley {

// The loss-independent part: layout, data checks, scores, and evaluation.
class SparseLinearModel : public Model {
 public:
  size_t NumParams() const override { return num_features_ + (bias_ >= 0 ? 1 : 0); }
  nlohmann::json Config() const override;
  // Requires sparse rows with one label per row and no more features than the model has.
  Status CheckData(const Dataset& data) const override;
  // All zeros (the problem is convex; this matches liblinear and scikit-learn).
  void Init(std::span<double> w, const Dataset& train, Rng& rng) override;
  bool InitReadsData() const override { return false; }
  bool SparseGradient() const override { return true; }
  double L2() const override { return l2_; }
  // The rows' features, and the bias coordinate when there is one.
  void GradientKeys(const Dataset& data, std::span<const uint32_t> rows,
                    std::vector<uint32_t>& keys) const override;

  size_t num_features() const { return num_features_; }
  double bias() const { return bias_; }

  // The score z = <w, x_row> (including the bias feature), honouring w.scale.
  double Score(WeightsView w, const SparseRows& x, size_t row) const {
    const uint32_t* col = x.col.data();
    const float* val = x.val.data();
    const uint64_t end = x.row_ptr[row + 1];
    // Two accumulators: halves the floating-point add chain of long rows.
    double s0 = 0, s1 = 0;
    uint64_t k = x.row_ptr[row];
    for (; k + 1 < end; k += 2) {
      s0 += w.v[col[k]] * val[k];
      s1 += w.v[col[k + 1]] * val[k + 1];
    }
    if (k < end) s0 += w.v[col[k]] * val[k];
    if (bias_ >= 0) s1 += w.v[num_features_] * bias_;
    return w.scale * (s0 + s1);
  }

 protected:
  SparseLinearModel(size_t num_features, double bias, double l2)
      : num_features_(num_features), bias_(bias), l2_(l2) {}

  // Adds d * x_row (including the bias feature) to g.
  void AddRow(double d, const SparseRows& x, size_t row, GradientBuffer& g) const {
    const uint32_t* col = x.col.data();
    const float* val = x.val.data();
    const uint64_t end = x.row_ptr[row + 1];
    for (uint64_t k = x.row_ptr[row]; k < end; ++k) g.Add(col[k], d * val[k]);
    if (bias_ >= 0) g.Add(num_features_, d * bias_);
  }

  // Adds d * x_row (including the bias feature) to the true parameters of w, in place (the
  // stored values are divided by w's scale).
  void AddRowTo(double d, const SparseRows& x, size_t row, Weights& w) const {
    double* v = w.raw().data();
    const double f = d / w.scale();
    const uint32_t* col = x.col.data();
    const float* val = x.val.data();
    const uint64_t end = x.row_ptr[row + 1];
    for (uint64_t k = x.row_ptr[row]; k < end; ++k) v[col[k]] += f * val[k];
    if (bias_ >= 0) v[num_features_] += f * bias_;
  }

  // Prefetching for SgdStep. Rows of a shuffled epoch are scattered over the whole data set,
  // so every row costs two dependent cache misses: its row_ptr entry (and label), then its
  // indices and values. A step is too short to hide them, so they are asked for in a
  // pipeline: the row_ptr entry kPrefetchStart rows ahead, the row's data kPrefetchData
  // rows ahead (its row_ptr entry is in cache by then).
  static void PrefetchRowStart(const Dataset& data, uint32_t row) {
    __builtin_prefetch(data.sparse.row_ptr.data() + row + 1);
    __builtin_prefetch(data.label.data() + row);
    // GCC (12) deems a function whose only effects are prefetches side-effect free and deletes
    // calls to it; an empty volatile asm keeps them.
    asm volatile("");
  }
  static void PrefetchRowData(const Dataset& data, uint32_t row) {
    const SparseRows& x = data.sparse;
    const uint64_t begin = x.row_ptr[row], end = x.row_ptr[row + 1];
    const uint32_t* col = x.col.data();
    const float* val = x.val.data();
    for (uint64_t k = begin; k < end; k += 16) {  // 16 four-byte entries to a 64-byte line
      __builtin_prefetch(col + k);
      __builtin_prefetch(val + k);
    }
    if (end > begin) {
      __builtin_prefetch(col + end - 1);
      __builtin_prefetch(val + end - 1);
    }
    asm volatile("");
  }

  void DropL2() { l2_ = 0; }  // for WithoutL2

  // w <- (1 - eta * l2) w: O(1), a scale change.
  void Decay(Weights& w, double eta) const {
    if (l2_ != 0) w.ScaleBy(1 - eta * l2_);
  }

  // Metrics over all rows: "objective" (mean of `loss` + l2/2 ||w||^2), "accuracy" (z > 0
  // predicts positive), "logloss" (logistic loss of the score) and, when loss_name is not
  // "logloss", the mean of `loss` under loss_name.
  MetricSet EvaluateWith(WeightsView w, const Dataset& data, double (*loss)(double margin),
                         const char* loss_name) const;

 private:
  size_t num_features_;
  double bias_;
  double l2_;
};

// A margin loss policy provides:
//   static constexpr const char* kKind;        // model kind, "logreg"
//   static constexpr const char* kLossMetric;  // metric name of the loss, "logloss"
//   static double Eval(double m, double* dloss);  // returns loss(m), sets dloss/dm
//   static double Value(double m);                // loss(m)
template <class Loss>
class SparseLinear final : public SparseLinearModel {
 public:
  SparseLinear(size_t num_features, double bias, double l2)
      : SparseLinearModel(num_features, bias, l2) {}

  std::string Kind() const override { return Loss::kKind; }
  std::unique_ptr<Model> Clone() const override { return std::make_unique<SparseLinear>(*this); }
  std::unique_ptr<Model> WithoutL2() const override {
    auto m = std::make_unique<SparseLinear>(*this);
    m->DropL2();
    return m;
  }

  double Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                  GradientBuffer& g) override {
    if (rows.empty()) return 0;
    const SparseRows& x = data.sparse;
    const float* label = data.label.data();
    const double inv = 1.0 / static_cast<double>(rows.size());
    double total = 0;
    for (uint32_t r : rows) {
      const double y = label[r] > 0 ? 1.0 : -1.0;
      double dloss;
      total += Loss::Eval(y * Score(w, x, r), &dloss);
      if (dloss != 0) AddRow(y * dloss * inv, x, r, g);
    }
    return total * inv;
  }

  // Plain SGD without a gradient buffer: the margins of every row at the current w, then the
  // L2 decay as a scale change, then each row added into w. One pass over the batch's
  // non-zeros for the scores and one for the update; nothing else is touched or cleared.
  bool FusedSgdStep() const override { return true; }
  double SgdStep(Weights& w, const Dataset& data, std::span<const uint32_t> rows, double eta,
                 std::span<const uint32_t> next) override {
    if (rows.empty()) return 0;
    const SparseRows& x = data.sparse;
    const float* label = data.label.data();
    // Row j of the stream rows ++ next (this step's rows, then the following steps'), if any.
    auto upcoming = [&](size_t j, uint32_t* r) {
      if (j < rows.size()) {
        *r = rows[j];
        return true;
      }
      j -= rows.size();
      if (j >= next.size()) return false;
      *r = next[j];
      return true;
    };
    // The prefetch pipeline, at row i of this step.
    auto prefetch = [&](size_t i) {
      uint32_t r;
      if (upcoming(i + kPrefetchStart, &r)) PrefetchRowStart(data, r);
      if (upcoming(i + kPrefetchData, &r)) PrefetchRowData(data, r);
    };
    if (rows.size() == 1) {  // the common case of sequential SGD: no scratch at all
      prefetch(0);
      const uint32_t r = rows.front();
      const double y = label[r] > 0 ? 1.0 : -1.0;
      double dloss;
      const double loss = Loss::Eval(y * Score(w.view(), x, r), &dloss);
      Decay(w, eta);
      if (dloss != 0) AddRowTo(-eta * y * dloss, x, r, w);
      return loss;
    }
    const double inv = 1.0 / static_cast<double>(rows.size());
    step_coef_.resize(rows.size());
    double total = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      prefetch(i);
      const uint32_t r = rows[i];
      const double y = label[r] > 0 ? 1.0 : -1.0;
      double dloss;
      total += Loss::Eval(y * Score(w.view(), x, r), &dloss);
      step_coef_[i] = -eta * y * dloss * inv;
    }
    Decay(w, eta);
    for (size_t i = 0; i < rows.size(); ++i)
      if (step_coef_[i] != 0) AddRowTo(step_coef_[i], x, rows[i], w);
    return total * inv;
  }

  MetricSet Evaluate(WeightsView w, const Dataset& data) const override {
    return EvaluateWith(w, data, &Loss::Value, Loss::kLossMetric);
  }

  // Rebuilds from Config(): {"kind", "num_features", "bias", "l2"}.
  static StatusOr<std::unique_ptr<Model>> FromConfig(const nlohmann::json& config);

 private:
  // Prefetch distances in rows (see PrefetchRowStart); 0: off.
  // Prefetch distances in rows, see PrefetchRowStart. Measured on the 180k x 50k text-like
  // set (bench/foundation.sh): 6 and 3 beat 3 and 2 or 1 and 0; prefetching the weights
  // too (they fit in L2) made steps slower.
  static constexpr size_t kPrefetchStart = 6, kPrefetchData = 3;
  std::vector<double> step_coef_;  // SgdStep scratch: one coefficient per batch row
};

// Shared by the FromConfig of every SparseLinear instantiation.
struct SparseLinearShape {
  size_t num_features;
  double bias;
  double l2;
};
StatusOr<SparseLinearShape> ReadSparseLinearConfig(const nlohmann::json& config,
                                                   const std::string& kind);

template <class Loss>
StatusOr<std::unique_ptr<Model>> SparseLinear<Loss>::FromConfig(const nlohmann::json& config) {
  PARLEY_ASSIGN_OR_RETURN(SparseLinearShape s, ReadSparseLinearConfig(config, Loss::kKind));
  return std::unique_ptr<Model>(std::make_unique<SparseLinear>(s.num_features, s.bias, s.l2));
}

}  // namespace parley
