#include "parley/models/twolayer.h"

#include <algorithm>
#include <cmath>

#include "parley/models/config_util.h"

namespace parley {
namespace {

constexpr size_t kEvalChunk = 1024;
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace

TwoLayerModel::TwoLayerModel(size_t dim, size_t width, double threshold, std::vector<double> signs)
    : d_(dim),
      m_(width),
      threshold_(threshold >= 0 ? threshold
                                : std::sqrt(0.4 * std::log(static_cast<double>(width)))),
      signs_(std::move(signs)) {}

nlohmann::json TwoLayerModel::Config() const {
  return {{"kind", "twolayer"},
          {"dim", d_},
          {"width", m_},
          {"threshold", threshold_},
          {"signs", signs_}};
}

Status TwoLayerModel::CheckData(const Dataset& data) const {
  if (data.kind != Dataset::Kind::kDense)
    return InvalidArgument("twolayer needs dense rows, but " + data.source + " holds " +
                           (data.kind == Dataset::Kind::kSparse ? "sparse rows" : "ratings"));
  if (data.dense.cols != d_)
    return InvalidArgument(data.source + " has " + std::to_string(data.dense.cols) +
                           " columns but the twolayer model expects " + std::to_string(d_));
  if (data.label.size() != data.rows())
    return InvalidArgument(data.source + " has " + std::to_string(data.rows()) + " rows but " +
                           std::to_string(data.label.size()) + " targets");
  for (size_t r = 0; r < data.label.size(); ++r)
    if (!std::isfinite(data.label[r]))
      return InvalidArgument(data.source + ": row " + std::to_string(r + 1) +
                             " has a target that is not a finite number");
  return OkStatus();
}

void TwoLayerModel::Init(std::span<double> w, const Dataset&, Rng& rng) {
  Rng sign_rng = rng.Fork("twolayer/signs");
  signs_.resize(m_);
  for (double& a : signs_) a = (sign_rng() >> 63) ? 1.0 : -1.0;
  for (double& x : w) x = rng.Normal();
}

void TwoLayerModel::Reserve(Scratch& s, size_t batch) const {
  if (s.capacity >= batch) return;
  s.capacity = batch;
  s.x.resize(static_cast<Eigen::Index>(d_), static_cast<Eigen::Index>(batch));
  s.z.resize(static_cast<Eigen::Index>(m_), static_cast<Eigen::Index>(batch));
  s.f.resize(static_cast<Eigen::Index>(batch));
}

void TwoLayerModel::Forward(const double* w, Scratch& s, size_t B) const {
  assert(signs_.size() == m_ && "TwoLayerModel used before Init");
  const auto n = static_cast<Eigen::Index>(B);
  const auto m = static_cast<Eigen::Index>(m_), d = static_cast<Eigen::Index>(d_);
  Eigen::Map<const RowMajor> W(w, m, d);
  Eigen::Map<const Eigen::VectorXd> a(signs_.data(), m);
  auto z = s.z.leftCols(n);
  z.noalias() = W * s.x.leftCols(n);
  z.array() -= threshold_;
  const double inv_sqrt_m = 1.0 / std::sqrt(static_cast<double>(m_));
  for (Eigen::Index j = 0; j < n; ++j) s.f(j) = inv_sqrt_m * a.dot(z.col(j).cwiseMax(0.0));
}

double TwoLayerModel::Predict(WeightsView w, const float* x) const {
  assert(signs_.size() == m_ && "TwoLayerModel used before Init");
  const double* v = w.dense();
  double f = 0;
  for (size_t r = 0; r < m_; ++r) {
    double z = -threshold_;
    for (size_t j = 0; j < d_; ++j) z += v[r * d_ + j] * x[j];
    if (z > 0) f += signs_[r] * z;
  }
  return f / std::sqrt(static_cast<double>(m_));
}

double TwoLayerModel::Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                               GradientBuffer& g) {
  if (rows.empty()) return 0;
  const size_t B = rows.size();
  Scratch& s = scratch_;
  Reserve(s, B);
  const auto n = static_cast<Eigen::Index>(B);
  const auto m = static_cast<Eigen::Index>(m_), d = static_cast<Eigen::Index>(d_);
  for (size_t j = 0; j < B; ++j)
    s.x.col(static_cast<Eigen::Index>(j)) =
        Eigen::Map<const Eigen::VectorXf>(data.dense.row(rows[j]), d).cast<double>();
  Forward(w.dense(), s, B);

  // d loss_j / d w_r = e_j * a_r / sqrt(m) * [z_rj > 0] * x_j, averaged over the batch.
  const double k = 1.0 / (std::sqrt(static_cast<double>(m_)) * static_cast<double>(B));
  double loss = 0;
  auto z = s.z.leftCols(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double e = s.f(j) - data.label[rows[static_cast<size_t>(j)]];
    loss += 0.5 * e * e;
    for (Eigen::Index r = 0; r < m; ++r)
      z(r, j) = z(r, j) > 0 ? signs_[static_cast<size_t>(r)] * e * k : 0.0;
  }
  Eigen::Map<RowMajor> G(g.data(), m, d);
  G.noalias() += z * s.x.leftCols(n).transpose();
  return loss / static_cast<double>(B);
}

MetricSet TwoLayerModel::Evaluate(WeightsView w, const Dataset& data) const {
  const size_t n = data.rows();
  Scratch s;
  Reserve(s, std::min(n, kEvalChunk));
  const auto d = static_cast<Eigen::Index>(d_);
  double se = 0;
  for (size_t begin = 0; begin < n; begin += kEvalChunk) {
    const size_t B = std::min(kEvalChunk, n - begin);
    const auto nb = static_cast<Eigen::Index>(B);
    s.x.leftCols(nb) =
        Eigen::Map<const Eigen::MatrixXf>(data.dense.row(begin), d, nb).cast<double>();
    Forward(w.dense(), s, B);
    for (size_t j = 0; j < B; ++j) {
      const double e = s.f(static_cast<Eigen::Index>(j)) - data.label[begin + j];
      se += e * e;
    }
  }
  const double mse = n == 0 ? 0.0 : se / static_cast<double>(n);
  return {{"objective", 0.5 * mse}, {"rmse", std::sqrt(mse)}};
}

StatusOr<std::unique_ptr<Model>> TwoLayerModel::FromConfig(const nlohmann::json& config) {
  ConfigReader r(config, "twolayer");
  const size_t d = r.Size("dim"), m = r.Size("width");
  const double threshold = r.Number("threshold");
  std::vector<double> signs = r.NumberList("signs");
  PARLEY_RETURN_IF_ERROR(r.status());
  if (d == 0 || m == 0 || threshold < 0)
    return InvalidArgument("model config for twolayer: needs dim > 0, width > 0, threshold >= 0");
  if (ParamCount(m, d) > kMaxModelParams)
    return InvalidArgument("model config for twolayer: width x dim is above 2^40 parameters");
  // The signs are drawn at Init, before any model is saved, and the network reads one per
  // neuron: a config without them describes no usable model.
  if (signs.size() != m)
    return InvalidArgument("model config for twolayer: " + std::to_string(signs.size()) +
                           " signs for width " + std::to_string(m));
  for (double a : signs)
    if (a != 1 && a != -1)
      return InvalidArgument("model config for twolayer: signs must be -1 or +1");
  return std::unique_ptr<Model>(std::make_unique<TwoLayerModel>(d, m, threshold, std::move(signs)));
}

}  // namespace parley
