#include "parley/models/mf.h"

#include <algorithm>
#include <cmath>

#include "parley/models/config_util.h"

#include "parley/optim/sgd.h"

namespace parley {

namespace {

// <p, q> and |p|^2 + |q|^2 over k coordinates, each as 8 partial sums (sum l adds the
// coordinates f = l mod 8 in order) added pairwise at the end: the compiler keeps the lanes
// in vector registers, and every build rounds alike (no reassociation, no FMA contraction).
// Every place that needs these sums uses this one, so they agree to the bit.
struct RowSums {
  double dot, norm2;
};
inline RowSums SumRows(const double* p, const double* q, size_t k) {
  constexpr size_t kLanes = 8;
  double dot[kLanes] = {}, norm[kLanes] = {};
  size_t f = 0;
  for (; f + kLanes <= k; f += kLanes)
    for (size_t l = 0; l < kLanes; ++l) {
      dot[l] += p[f + l] * q[f + l];
      norm[l] += p[f + l] * p[f + l] + q[f + l] * q[f + l];
    }
  for (size_t l = 0; f + l < k; ++l) {
    dot[l] += p[f + l] * q[f + l];
    norm[l] += p[f + l] * p[f + l] + q[f + l] * q[f + l];
  }
  auto total = [](const double* a) {
    return ((a[0] + a[4]) + (a[1] + a[5])) + ((a[2] + a[6]) + (a[3] + a[7]));
  };
  return {total(dot), total(norm)};
}

// Brings a factor row of k doubles towards the cache (a hint; no effect on results).
inline void PrefetchRow(const double* row, size_t k) {
  const char* b = reinterpret_cast<const char*>(row);
  for (size_t off = 0; off < k * sizeof(double); off += 64) __builtin_prefetch(b + off, 1);
}

}  // namespace

MfModel::MfModel(size_t users, size_t items, int rank, double lambda, double init_scale,
                 double rating_min, double rating_max, double rating_mean)
    : users_(users),
      items_(items),
      rank_(static_cast<size_t>(rank)),
      lambda_(lambda),
      init_scale_(init_scale),
      rating_min_(rating_min),
      rating_max_(rating_max),
      rating_mean_(rating_mean),
      shared_(1 + items * (1 + static_cast<size_t>(rank))) {}

nlohmann::json MfModel::Config() const {
  return {{"kind", "mf"},
          {"users", users_},
          {"items", items_},
          {"rank", rank_},
          {"l2", lambda_},
          {"init_scale", init_scale_},
          {"rating_min", rating_min_},
          {"rating_max", rating_max_}};
}

Status MfModel::CheckData(const Dataset& data) const {
  if (data.kind != Dataset::Kind::kRatings)
    return InvalidArgument(
        "mf needs ratings, but " + data.source + " holds " +
        (data.kind == Dataset::Kind::kSparse ? "sparse rows" : "dense rows") +
        "; if it holds ratings under other column names, name them: "
        "ratings(USER,ITEM,RATING):" + data.source + " (header names, or column numbers from 1)");
  const Ratings& r = data.ratings;
  if (r.user.size() != r.rows() || r.item.size() != r.rows())
    return InvalidArgument(data.source + ": ratings, users and items differ in count");
  for (size_t k = 0; k < r.rows(); ++k) {
    if (r.user[k] >= users_ || r.item[k] >= items_)
      return InvalidArgument(data.source + ": rating " + std::to_string(k + 1) + " has user " +
                             std::to_string(r.user[k]) + " and item " + std::to_string(r.item[k]) +
                             " but the mf model has " + std::to_string(users_) + " users and " +
                             std::to_string(items_) +
                             " items; load it with the training data's id maps");
    if (!std::isfinite(r.rating[k]))
      return InvalidArgument(data.source + ": rating " + std::to_string(k + 1) +
                             " is not a finite number");
  }
  return OkStatus();
}

void MfModel::Init(std::span<double> w, const Dataset& train, Rng& rng) {
  (void)train;
  std::fill(w.begin(), w.end(), 0.0);
  w[0] = rating_mean_;
  const double sd = init_scale_ / std::sqrt(static_cast<double>(rank_));
  for (size_t k = 0; k < items_ * rank_; ++k) w[ItemFactors(0) + k] = sd * rng.Normal();
  for (size_t k = 0; k < users_ * rank_; ++k) w[UserFactors(0) + k] = sd * rng.Normal();
}

double MfModel::Predict(WeightsView w, uint32_t user, uint32_t item) const {
  const double dot = SumRows(w.v + UserFactors(user), w.v + ItemFactors(item), rank_).dot;
  return w.scale * (w.v[0] + w.v[UserBias(user)] + w.v[ItemBias(item)]) + w.scale * w.scale * dot;
}

double MfModel::Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                         GradientBuffer& g) {
  if (rows.empty()) return 0;
  const Ratings& R = data.ratings;
  const double s = w.scale, s2 = s * s;
  const double* v = w.v;
  double* gd = g.data();
  const double c = 1.0 / static_cast<double>(rows.size());
  const size_t k = rank_;
  double total = 0;
  for (uint32_t r : rows) {
    const uint32_t u = R.user[r], i = R.item[r];
    const size_t pu = UserFactors(u), qi = ItemFactors(i), bu = UserBias(u), bi = ItemBias(i);
    const auto [dot, norm2] = SumRows(v + pu, v + qi, k);
    const double bu_v = s * v[bu], bi_v = s * v[bi];
    const double e = R.rating[r] - (s * v[0] + bu_v + bi_v + s2 * dot);
    total += e * e + lambda_ * (s2 * norm2 + bu_v * bu_v + bi_v * bi_v);

    g.Add(0, -2 * c * e);
    g.Add(bu, 2 * c * (lambda_ * bu_v - e));
    g.Add(bi, 2 * c * (lambda_ * bi_v - e));
    g.TouchRange(pu, k);
    g.TouchRange(qi, k);
    const double a = -2 * c * e * s, b = 2 * c * lambda_ * s;
    for (size_t f = 0; f < k; ++f) {
      const double pf = v[pu + f], qf = v[qi + f];
      gd[pu + f] += a * qf + b * pf;
      gd[qi + f] += a * pf + b * qf;
    }
  }
  return total * c;
}

void MfModel::GradientKeys(const Dataset& data, std::span<const uint32_t> rows,
                           std::vector<uint32_t>& keys) const {
  const Ratings& R = data.ratings;
  keys.push_back(0);
  for (uint32_t r : rows) {
    const uint32_t u = R.user[r], i = R.item[r];
    keys.push_back(static_cast<uint32_t>(ItemBias(i)));
    keys.push_back(static_cast<uint32_t>(UserBias(u)));
    for (size_t f = 0; f < rank_; ++f) {
      keys.push_back(static_cast<uint32_t>(ItemFactors(i) + f));
      keys.push_back(static_cast<uint32_t>(UserFactors(u) + f));
    }
  }
}

double MfModel::SgdStep(Weights& w, const Dataset& data, std::span<const uint32_t> rows,
                        double eta, std::span<const uint32_t> next) {
  if (rows.empty()) return 0;
  if (rows.size() > 1) {
    if (step_grad_.size() != NumParams()) step_grad_.Reset(NumParams(), /*sparse=*/true);
    step_grad_.Clear();
    const double loss = Gradient(w.view(), data, rows, step_grad_);
    PlainSgdStep(w, step_grad_, eta, L2());
    return loss;
  }
  // Gradient for one rating (c = 1) followed by PlainSgdStep's v[i] += (-eta / scale) * g[i],
  // operation for operation, written into w as it is computed.
  const Ratings& R = data.ratings;
  double* v = w.raw().data();
  // A shuffled epoch visits the ratings, and so their factor rows, in random order: a two-stage
  // prefetch pipeline, the rating's user, item and value kRatingAhead steps ahead, then (those
  // now cached) its factor rows and biases kRowsAhead steps ahead.
  constexpr size_t kRatingAhead = 8, kRowsAhead = 3;
  if (next.size() >= kRatingAhead) {
    const uint32_t n = next[kRatingAhead - 1];
    __builtin_prefetch(&R.user[n]);
    __builtin_prefetch(&R.item[n]);
    __builtin_prefetch(&R.rating[n]);
  }
  if (next.size() >= kRowsAhead) {
    const uint32_t n = next[kRowsAhead - 1], nu = R.user[n], ni = R.item[n];
    PrefetchRow(v + UserFactors(nu), rank_);
    PrefetchRow(v + ItemFactors(ni), rank_);
    __builtin_prefetch(v + UserBias(nu), 1);
    __builtin_prefetch(v + ItemBias(ni), 1);
  }
  const uint32_t r = rows.front();
  const uint32_t u = R.user[r], i = R.item[r];
  const size_t pu = UserFactors(u), qi = ItemFactors(i), bu = UserBias(u), bi = ItemBias(i);
  const size_t k = rank_;
  const double s = w.scale(), s2 = s * s;
  const auto [dot, norm2] = SumRows(v + pu, v + qi, k);
  const double bu_v = s * v[bu], bi_v = s * v[bi];
  const double e = R.rating[r] - (s * v[0] + bu_v + bi_v + s2 * dot);
  const double loss = e * e + lambda_ * (s2 * norm2 + bu_v * bu_v + bi_v * bi_v);
  const double f = -eta / s;
  v[0] += f * (-2 * e);
  v[bu] += f * (2 * (lambda_ * bu_v - e));
  v[bi] += f * (2 * (lambda_ * bi_v - e));
  const double a = -2 * e * s, b = 2 * lambda_ * s;
  double* p = v + pu;
  double* q = v + qi;
  for (size_t j = 0; j < k; ++j) {
    const double pj = p[j], qj = q[j];
    p[j] = pj + f * (a * qj + b * pj);
    q[j] = qj + f * (a * pj + b * qj);
  }
  return loss;
}

MetricSet MfModel::Evaluate(WeightsView w, const Dataset& data) const {
  const Ratings& R = data.ratings;
  const size_t n = R.rows();
  double objective = 0, se = 0, ae = 0;
  for (size_t r = 0; r < n; ++r) {
    const uint32_t u = R.user[r], i = R.item[r];
    const double pred = Predict(w, u, i);
    const double e = R.rating[r] - pred;
    double norm2 = 0;
    for (size_t f = 0; f < rank_; ++f) {
      const double pf = w[UserFactors(u) + f], qf = w[ItemFactors(i) + f];
      norm2 += pf * pf + qf * qf;
    }
    const double bu = w[UserBias(u)], bi = w[ItemBias(i)];
    objective += e * e + lambda_ * (norm2 + bu * bu + bi * bi);
    const double ec = R.rating[r] - std::clamp(pred, rating_min_, rating_max_);
    se += ec * ec;
    ae += std::abs(ec);
  }
  const double inv = n == 0 ? 0.0 : 1.0 / static_cast<double>(n);
  return {{"objective", objective * inv}, {"rmse", std::sqrt(se * inv)}, {"mae", ae * inv}};
}

StatusOr<std::unique_ptr<Model>> MfModel::FromConfig(const nlohmann::json& config) {
  ConfigReader r(config, "mf");
  ModelOptions o;
  o.kind = "mf";
  const size_t users = r.Size("users"), items = r.Size("items"), rank = r.Size("rank");
  o.l2 = r.Number("l2");
  o.init_scale = r.Number("init_scale");
  const double lo = r.Number("rating_min"), hi = r.Number("rating_max");
  PARLEY_RETURN_IF_ERROR(r.status());
  o.rank = rank > (1u << 20) ? 0 : static_cast<int>(rank);
  PARLEY_RETURN_IF_ERROR(ValidateModelOptions(o));
  if (users == 0 || items == 0 || !(lo <= hi))
    return InvalidArgument(
        "model config for mf: needs users > 0, items > 0 and rating_min <= rating_max");
  const size_t row = 1 + static_cast<size_t>(o.rank);  // a bias and `rank` factors
  if (ParamCount(users, row, ParamCount(items, row, 1)) > kMaxModelParams)
    return InvalidArgument("model config for mf: users, items and rank are above 2^40 parameters");
  // A loaded model keeps its parameters and is not initialised again: Init's mean is not
  // recorded, the midpoint stands in for it.
  return std::unique_ptr<Model>(
      std::make_unique<MfModel>(users, items, o.rank, o.l2, o.init_scale, lo, hi, 0.5 * (lo + hi)));
}

}  // namespace parley
