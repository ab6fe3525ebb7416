#include "parley/models/sparse_linear.h"

#include <algorithm>
#include <cmath>

#include "parley/models/config_util.h"

namespace parley {

nlohmann::json SparseLinearModel::Config() const {
  return {{"kind", Kind()}, {"num_features", num_features_}, {"bias", bias_}, {"l2", l2_}};
}

void SparseLinearModel::GradientKeys(const Dataset& data, std::span<const uint32_t> rows,
                                     std::vector<uint32_t>& keys) const {
  const SparseRows& x = data.sparse;
  for (uint32_t r : rows)
    keys.insert(keys.end(), x.col.begin() + static_cast<long>(x.row_ptr[r]),
                x.col.begin() + static_cast<long>(x.row_ptr[r + 1]));
  if (bias_ >= 0) keys.push_back(static_cast<uint32_t>(num_features_));
}

Status SparseLinearModel::CheckData(const Dataset& data) const {
  if (data.kind != Dataset::Kind::kSparse)
    return InvalidArgument(Kind() + " needs sparse (LIBSVM) rows, but " + data.source + " holds " +
                           (data.kind == Dataset::Kind::kDense ? "dense rows" : "ratings"));
  if (data.label.size() != data.rows())
    return InvalidArgument(data.source + " has " + std::to_string(data.rows()) + " rows but " +
                           std::to_string(data.label.size()) + " labels");
  if (data.sparse.num_features > num_features_)
    return InvalidArgument(data.source + " has " + std::to_string(data.sparse.num_features) +
                           " features but the " + Kind() + " model was built for " +
                           std::to_string(num_features_) +
                           "; load it with the training data's feature count");
  for (uint32_t c : data.sparse.col)
    if (c >= num_features_)
      return InvalidArgument(data.source + " has feature index " + std::to_string(c + 1) +
                             " beyond the model's " + std::to_string(num_features_) + " features");
  return OkStatus();
}

void SparseLinearModel::Init(std::span<double> w, const Dataset&, Rng&) {
  std::fill(w.begin(), w.end(), 0.0);
}

MetricSet SparseLinearModel::EvaluateWith(WeightsView w, const Dataset& data,
                                          double (*loss)(double margin),
                                          const char* loss_name) const {
  const size_t n = data.rows();
  double sum_loss = 0, sum_logloss = 0;
  size_t correct = 0;
  for (size_t r = 0; r < n; ++r) {
    const double z = Score(w, data.sparse, r);
    const bool positive = data.label[r] > 0;
    const double m = positive ? z : -z;
    sum_loss += loss(m);
    sum_logloss += std::log1p(std::exp(-std::abs(m))) + std::max(-m, 0.0);
    correct += (z > 0) == positive;
  }
  double norm2 = 0;
  for (size_t i = 0; i < NumParams(); ++i) norm2 += w.v[i] * w.v[i];
  norm2 *= w.scale * w.scale;

  const double inv = n == 0 ? 0.0 : 1.0 / static_cast<double>(n);
  MetricSet m;
  m["objective"] = sum_loss * inv + 0.5 * l2_ * norm2;
  m["accuracy"] = static_cast<double>(correct) * inv;
  m["logloss"] = sum_logloss * inv;
  if (std::string(loss_name) != "logloss") m[loss_name] = sum_loss * inv;
  return m;
}

StatusOr<SparseLinearShape> ReadSparseLinearConfig(const nlohmann::json& config,
                                                   const std::string& kind) {
  ConfigReader r(config, kind);
  SparseLinearShape s{r.Size("num_features"), r.Number("bias"), r.Number("l2")};
  PARLEY_RETURN_IF_ERROR(r.status());
  ModelOptions o;
  o.kind = kind;
  o.bias = s.bias;
  o.l2 = s.l2;
  PARLEY_RETURN_IF_ERROR(ValidateModelOptions(o));
  if (s.num_features == 0) return InvalidArgument("model config for " + kind + ": no features");
  return s;
}

}  // namespace parley
