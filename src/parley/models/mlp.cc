#include "parley/models/mlp.h"

#include <algorithm>
#include <cmath>

#include "parley/models/config_util.h"

namespace parley {
namespace {

constexpr size_t kEvalChunk = 1024;

using MatrixMap = Eigen::Map<const Eigen::MatrixXd>;
using VectorMap = Eigen::Map<const Eigen::VectorXd>;

}  // namespace

MlpModel::MlpModel(std::string kind, size_t inputs, int classes, std::vector<int> hidden, double l2)
    : kind_(std::move(kind)),
      inputs_(inputs),
      classes_(classes),
      hidden_(std::move(hidden)),
      l2_(l2) {
  size_t in = inputs_;
  std::vector<size_t> outs(hidden_.begin(), hidden_.end());
  outs.push_back(static_cast<size_t>(classes_));
  for (size_t out : outs) {
    layers_.push_back({in, out, num_params_});
    num_params_ += in * out + out;
    in = out;
  }
}

nlohmann::json MlpModel::Config() const {
  nlohmann::json c = {{"kind", kind_}, {"inputs", inputs_}, {"classes", classes_}, {"l2", l2_}};
  if (kind_ == "mlp") c["hidden"] = hidden_;
  return c;
}

Status MlpModel::CheckData(const Dataset& data) const {
  if (data.kind != Dataset::Kind::kDense)
    return InvalidArgument(kind_ + " needs dense rows, but " + data.source + " holds " +
                           (data.kind == Dataset::Kind::kSparse ? "sparse rows" : "ratings"));
  if (data.dense.cols != inputs_)
    return InvalidArgument(data.source + " has " + std::to_string(data.dense.cols) +
                           " columns but the " + kind_ + " model expects " +
                           std::to_string(inputs_));
  if (data.label.size() != data.rows())
    return InvalidArgument(data.source + " has " + std::to_string(data.rows()) + " rows but " +
                           std::to_string(data.label.size()) + " labels");
  for (size_t r = 0; r < data.label.size(); ++r) {
    const float y = data.label[r];
    if (!(y >= 0 && y < classes_ && y == std::floor(y)))
      return InvalidArgument(data.source + ": row " + std::to_string(r + 1) + " has label " +
                             std::to_string(y) + "; " + kind_ + " needs class labels 0.." +
                             std::to_string(classes_ - 1));
  }
  return OkStatus();
}

void MlpModel::Init(std::span<double> w, const Dataset&, Rng& rng) {
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const bool relu_follows = l + 1 < layers_.size();
    const double sd = std::sqrt((relu_follows ? 2.0 : 1.0) / static_cast<double>(L.in));
    for (size_t i = 0; i < L.in * L.out; ++i) w[L.offset + i] = sd * rng.Normal();
    std::fill_n(w.begin() + static_cast<ptrdiff_t>(L.offset + L.in * L.out), L.out, 0.0);
  }
}

void MlpModel::Reserve(Scratch& s, size_t batch) const {
  if (s.capacity >= batch) return;
  s.capacity = batch;
  s.x.resize(static_cast<Eigen::Index>(inputs_), static_cast<Eigen::Index>(batch));
  s.a.resize(layers_.size());
  s.delta.resize(layers_.size());
  for (size_t l = 0; l < layers_.size(); ++l) {
    s.a[l].resize(static_cast<Eigen::Index>(layers_[l].out), static_cast<Eigen::Index>(batch));
    s.delta[l].resize(s.a[l].rows(), s.a[l].cols());
  }
  s.y.resize(batch);
}

double MlpModel::Forward(const double* w, Scratch& s, size_t B) const {
  const auto n = static_cast<Eigen::Index>(B);
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    MatrixMap W(w + L.offset, static_cast<Eigen::Index>(L.out), static_cast<Eigen::Index>(L.in));
    VectorMap b(w + L.offset + L.in * L.out, static_cast<Eigen::Index>(L.out));
    const Eigen::MatrixXd& prev = l == 0 ? s.x : s.a[l - 1];
    auto z = s.a[l].leftCols(n);
    z.noalias() = W * prev.leftCols(n);
    z.colwise() += b;
    if (l + 1 < layers_.size()) z = z.cwiseMax(0.0);
  }
  // Softmax per column, stably; loss = log(sum exp(z - max)) - (z_y - max).
  auto p = s.a.back().leftCols(n);
  double loss = 0;
  for (Eigen::Index j = 0; j < n; ++j) {
    auto col = p.col(j);
    const double mx = col.maxCoeff();
    const double zy = col(s.y[static_cast<size_t>(j)]) - mx;
    col = (col.array() - mx).exp();
    const double sum = col.sum();
    loss += std::log(sum) - zy;
    col /= sum;
  }
  return loss;
}

void MlpModel::Backward(const double* w, Scratch& s, size_t B, double scale, double* g) const {
  const auto n = static_cast<Eigen::Index>(B);
  auto top = s.delta.back().leftCols(n);
  top = s.a.back().leftCols(n);
  for (Eigen::Index j = 0; j < n; ++j) top(s.y[static_cast<size_t>(j)], j) -= 1.0;
  top *= scale;
  for (size_t l = layers_.size(); l-- > 0;) {
    const Layer& L = layers_[l];
    const auto out = static_cast<Eigen::Index>(L.out), in = static_cast<Eigen::Index>(L.in);
    Eigen::Map<Eigen::MatrixXd> gW(g + L.offset, out, in);
    Eigen::Map<Eigen::VectorXd> gb(g + L.offset + L.in * L.out, out);
    const Eigen::MatrixXd& prev = l == 0 ? s.x : s.a[l - 1];
    auto d = s.delta[l].leftCols(n);
    gW.noalias() += d * prev.leftCols(n).transpose();
    gb.noalias() += d.rowwise().sum();
    if (l > 0) {
      MatrixMap W(w + L.offset, out, in);
      auto dprev = s.delta[l - 1].leftCols(n);
      dprev.noalias() = W.transpose() * d;
      dprev.array() = (prev.leftCols(n).array() > 0).select(dprev.array(), 0.0);
    }
  }
}

double MlpModel::Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                          GradientBuffer& g) {
  if (rows.empty()) return 0;
  const size_t B = rows.size();
  Reserve(scratch_, B);
  const auto d = static_cast<Eigen::Index>(inputs_);
  for (size_t j = 0; j < B; ++j) {
    scratch_.x.col(static_cast<Eigen::Index>(j)) =
        Eigen::Map<const Eigen::VectorXf>(data.dense.row(rows[j]), d).cast<double>();
    scratch_.y[j] = static_cast<int>(data.label[rows[j]]);
  }
  const double inv = 1.0 / static_cast<double>(B);
  const double loss = Forward(w.dense(), scratch_, B);
  Backward(w.dense(), scratch_, B, inv, g.data());
  return loss * inv;
}

MetricSet MlpModel::Evaluate(WeightsView w, const Dataset& data) const {
  const size_t n = data.rows();
  Scratch s;
  Reserve(s, std::min(n, kEvalChunk));
  const auto d = static_cast<Eigen::Index>(inputs_);
  double loss = 0;
  size_t correct = 0;
  for (size_t begin = 0; begin < n; begin += kEvalChunk) {
    const size_t B = std::min(kEvalChunk, n - begin);
    const auto nb = static_cast<Eigen::Index>(B);
    s.x.leftCols(nb) =
        Eigen::Map<const Eigen::MatrixXf>(data.dense.row(begin), d, nb).cast<double>();
    for (size_t j = 0; j < B; ++j) s.y[j] = static_cast<int>(data.label[begin + j]);
    loss += Forward(w.dense(), s, B);
    for (size_t j = 0; j < B; ++j) {
      Eigen::Index best;
      s.a.back().col(static_cast<Eigen::Index>(j)).maxCoeff(&best);
      correct += best == s.y[j];
    }
  }
  const double* v = w.dense();
  double norm2 = 0;
  for (size_t i = 0; i < num_params_; ++i) norm2 += v[i] * v[i];
  const double inv = n == 0 ? 0.0 : 1.0 / static_cast<double>(n);
  return {{"objective", loss * inv + 0.5 * l2_ * norm2},
          {"accuracy", static_cast<double>(correct) * inv},
          {"logloss", loss * inv}};
}

StatusOr<std::unique_ptr<Model>> MlpModel::FromConfig(const nlohmann::json& config) {
  const std::string kind = config.value("kind", "");
  ConfigReader r(config, kind);
  ModelOptions o;
  o.kind = kind;
  const size_t inputs = r.Size("inputs");
  const size_t classes = r.Size("classes");
  o.l2 = r.Number("l2");
  o.hidden = kind == "mlp" ? r.IntList("hidden") : std::vector<int>{};
  PARLEY_RETURN_IF_ERROR(r.status());
  PARLEY_RETURN_IF_ERROR(ValidateModelOptions(o));
  if (inputs == 0 || classes < 2 || classes > 1u << 20)
    return InvalidArgument("model config for " + kind +
                           ": needs inputs > 0 and at least 2 classes");
  size_t params = 0, in = inputs;
  for (int h : o.hidden) {  // widths > 0 (ValidateModelOptions)
    params = ParamCount(in + 1, static_cast<size_t>(h), params);
    in = static_cast<size_t>(h);
  }
  if (ParamCount(in + 1, classes, params) > kMaxModelParams)
    return InvalidArgument("model config for " + kind + ": its layers are above 2^40 parameters");
  return std::unique_ptr<Model>(
      std::make_unique<MlpModel>(kind, inputs, static_cast<int>(classes), o.hidden, o.l2));
}

}  // namespace parley
