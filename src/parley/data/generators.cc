#include "parley/data/generators.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <numeric>
#include <string>
#include <unordered_set>

#include "parley/data/alias_sampler.h"

namespace parley {
namespace {

// Zipf weights (r + 1)^-exponent for ranks r = 0..n-1.
std::vector<double> ZipfWeights(size_t n, double exponent) {
  std::vector<double> w(n);
  for (size_t r = 0; r < n; ++r) w[r] = std::pow(static_cast<double>(r + 1), -exponent);
  return w;
}

// A random permutation of 0..n-1.
std::vector<uint32_t> Permutation(size_t n, Rng& rng) {
  std::vector<uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0u);
  rng.Shuffle(p);
  return p;
}

// Zipf weights over ids, with the ranks scattered by a random permutation: weight[id].
std::vector<double> ScatteredZipf(size_t n, double exponent, Rng& rng) {
  const std::vector<double> by_rank = ZipfWeights(n, exponent);
  const std::vector<uint32_t> id_of_rank = Permutation(n, rng);
  std::vector<double> w(n);
  for (size_t r = 0; r < n; ++r) w[id_of_rank[r]] = by_rank[r];
  return w;
}

double SquaredDistance(const float* a, const float* b, size_t dim) {
  double s = 0;
  for (size_t j = 0; j < dim; ++j) s += (double{a[j]} - b[j]) * (double{a[j]} - b[j]);
  return s;
}

// Number of non-zeros for one row: log-normal with mean `mean`, within [1, cap].
uint32_t RowLength(double mean, uint32_t cap, Rng& rng) {
  constexpr double kSigma = 0.5;
  const double n = mean * std::exp(kSigma * rng.Normal() - kSigma * kSigma / 2);
  return static_cast<uint32_t>(std::clamp(std::llround(n), 1LL, static_cast<long long>(cap)));
}

}  // namespace

Dataset GenerateMixture(size_t rows, size_t dim, int k, double spread, double separation,
                        Rng& rng) {
  assert(dim >= 1 && k >= 1 && spread >= 0 && separation >= 0);
  constexpr int kCandidates = 10;
  const size_t kk = static_cast<size_t>(k);
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.source = "mixture(rows=" + std::to_string(rows) + ", dim=" + std::to_string(dim) +
             ", k=" + std::to_string(k) + ")";
  // Centres: Mitchell's best candidate, so that they do not crowd together.
  d.true_centres.resize(kk * dim);
  std::vector<float> cand(dim);
  for (size_t c = 0; c < kk; ++c) {
    double best = -1;
    for (int t = 0; t < kCandidates; ++t) {
      for (float& v : cand) v = static_cast<float>(separation * rng.Uniform());
      double nearest = INFINITY;
      for (size_t o = 0; o < c; ++o) {
        nearest = std::min(nearest, SquaredDistance(cand.data(), &d.true_centres[o * dim], dim));
      }
      if (nearest > best) {
        best = nearest;
        std::copy(cand.begin(), cand.end(), d.true_centres.begin() + c * dim);
      }
    }
  }
  d.dense.cols = dim;
  d.dense.x.resize(rows * dim);
  d.label.resize(rows);
  for (size_t i = 0; i < rows; ++i) {
    const size_t c = rng.Below(kk);
    d.label[i] = static_cast<float>(c);
    for (size_t j = 0; j < dim; ++j) {
      d.dense.x[i * dim + j] =
          static_cast<float>(d.true_centres[c * dim + j] + spread * rng.Normal());
    }
  }
  return d;
}

Dataset GenerateSparseBinary(size_t rows, uint32_t features, double nnz_per_row, double label_noise,
                             Rng& rng) {
  assert(features >= 1 && nnz_per_row >= 1 && label_noise >= 0 && label_noise <= 1);
  constexpr double kZipf = 1.1;
  Dataset d;
  d.kind = Dataset::Kind::kSparse;
  d.source = "sparse-binary(rows=" + std::to_string(rows) +
             ", features=" + std::to_string(features) + ", nnz=" + std::to_string(nnz_per_row) +
             ")";
  SparseRows& s = d.sparse;
  s.num_features = features;

  // Feature popularity and idf-like weight (rare features weigh more).
  const std::vector<double> weight = ScatteredZipf(features, kZipf, rng);
  const AliasSampler pick(weight);
  double total = 0;
  for (double w : weight) total += w;
  std::vector<float> idf(features);
  for (uint32_t f = 0; f < features; ++f) {
    const double doc_freq = std::min(1.0, weight[f] / total * nnz_per_row);
    idf[f] = static_cast<float>(std::log1p(1 / doc_freq));
  }
  // 1 + log(tf) for term counts tf = 1..8 (geometric).
  float tf_weight[9];
  for (int t = 1; t <= 8; ++t) tf_weight[t] = static_cast<float>(1 + std::log(t));

  const uint32_t cap = std::max<uint32_t>(1, features / 2);
  const size_t expected_nnz = static_cast<size_t>(static_cast<double>(rows) * nnz_per_row * 1.05);
  s.row_ptr.reserve(rows + 1);
  s.col.reserve(expected_nnz);
  s.val.reserve(expected_nnz);
  std::vector<uint32_t> stamp(features, 0);  // row + 1 if the feature is already in the row
  std::vector<double> mean(features, 0.0);
  for (size_t i = 0; i < rows; ++i) {
    const uint32_t want = RowLength(nnz_per_row, cap, rng);
    const size_t begin = s.col.size();
    const uint32_t mark = static_cast<uint32_t>(i + 1);
    // Distinct features by rejection; rare under-filled rows are fine.
    for (uint64_t tries = 0; s.col.size() - begin < want && tries < 30ull * want; ++tries) {
      const uint32_t f = pick.Sample(rng());
      if (stamp[f] == mark) continue;
      stamp[f] = mark;
      s.col.push_back(f);
    }
    std::sort(s.col.begin() + static_cast<std::ptrdiff_t>(begin), s.col.end());
    double norm2 = 0;
    for (size_t k = begin; k < s.col.size(); ++k) {
      const int tf = 1 + std::countr_zero(rng() | (uint64_t{1} << 7));  // 1..8
      const float v = tf_weight[tf] * idf[s.col[k]];
      s.val.push_back(v);
      norm2 += double{v} * v;
    }
    const float inv = static_cast<float>(1 / std::sqrt(norm2));
    for (size_t k = begin; k < s.col.size(); ++k) {
      s.val[k] *= inv;
      mean[s.col[k]] += s.val[k];
    }
    s.row_ptr.push_back(s.col.size());
  }
  // Separating vector: N(0, 1) scaled by sqrt(document frequency), so that the label rests
  // mostly on features seen often enough to be learnt (as informative words in text are not
  // the rarest ones); then made orthogonal to the mean row so that <w, x> averages to zero.
  std::vector<double> w(features);
  for (uint32_t f = 0; f < features; ++f) {
    w[f] = rng.Normal() * std::sqrt(std::min(1.0, weight[f] / total * nnz_per_row));
  }
  double wm = 0, mm = 0;
  for (uint32_t f = 0; f < features; ++f) wm += w[f] * mean[f], mm += mean[f] * mean[f];
  if (mm > 0) {
    for (uint32_t f = 0; f < features; ++f) w[f] -= wm / mm * mean[f];
  }
  d.label.resize(rows);
  for (size_t i = 0; i < rows; ++i) {
    double score = 0;
    for (uint64_t k = s.row_ptr[i]; k < s.row_ptr[i + 1]; ++k) score += w[s.col[k]] * s.val[k];
    float y = score >= 0 ? 1.0f : -1.0f;
    if (rng.Uniform() < label_noise) y = -y;
    d.label[i] = y;
  }
  return d;
}

Dataset GenerateRatings(uint32_t users, uint32_t items, int rank, size_t ratings, double noise,
                        Rng& rng) {
  assert(users >= 1 && items >= 1 && rank >= 1 && noise >= 0);
  constexpr double kZipf = 0.6, kMean = 3.5, kUserBias = 0.4, kItemBias = 0.5;
  const uint64_t pairs = uint64_t{users} * items;
  ratings = static_cast<size_t>(std::min<uint64_t>(ratings, pairs));
  const size_t r = static_cast<size_t>(rank);
  Dataset d;
  d.kind = Dataset::Kind::kRatings;
  d.source = "ratings(users=" + std::to_string(users) + ", items=" + std::to_string(items) +
             ", rank=" + std::to_string(rank) + ", ratings=" + std::to_string(ratings) + ")";
  Ratings& out = d.ratings;
  out.num_users = users;
  out.num_items = items;

  // Factors scaled so that <p_u, q_i> has standard deviation about 0.8.
  const double scale = std::sqrt(0.8) / std::pow(static_cast<double>(rank), 0.25);
  std::vector<double> p(size_t{users} * r), q(size_t{items} * r), bu(users), bi(items);
  for (double& v : p) v = scale * rng.Normal();
  for (double& v : q) v = scale * rng.Normal();
  for (double& v : bu) v = kUserBias * rng.Normal();
  for (double& v : bi) v = kItemBias * rng.Normal();

  out.user.reserve(ratings);
  out.item.reserve(ratings);
  if (3 * static_cast<uint64_t>(ratings) > pairs) {
    // Dense request: a uniform sample of all pairs, in random order.
    std::vector<uint64_t> all(pairs);
    std::iota(all.begin(), all.end(), uint64_t{0});
    for (size_t k = 0; k < ratings; ++k) std::swap(all[k], all[k + rng.Below(pairs - k)]);
    for (size_t k = 0; k < ratings; ++k) {
      out.user.push_back(static_cast<uint32_t>(all[k] / items));
      out.item.push_back(static_cast<uint32_t>(all[k] % items));
    }
  } else {
    const AliasSampler pick_user(ScatteredZipf(users, kZipf, rng));
    const AliasSampler pick_item(ScatteredZipf(items, kZipf, rng));
    std::unordered_set<uint64_t> seen;
    seen.reserve(ratings);
    while (out.user.size() < ratings) {
      const uint32_t u = pick_user.Sample(rng());
      const uint32_t i = pick_item.Sample(rng());
      if (!seen.insert(uint64_t{u} * items + i).second) continue;
      out.user.push_back(u);
      out.item.push_back(i);
    }
  }
  out.rating.reserve(ratings);
  for (size_t k = 0; k < ratings; ++k) {
    const uint32_t u = out.user[k], i = out.item[k];
    double v = kMean + bu[u] + bi[i] + noise * rng.Normal();
    for (size_t f = 0; f < r; ++f) v += p[u * r + f] * q[i * r + f];
    out.rating.push_back(static_cast<float>(std::clamp(v, 1.0, 5.0)));
  }
  return d;
}

}  // namespace parley
