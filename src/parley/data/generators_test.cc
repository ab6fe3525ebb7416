#include "parley/data/generators.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace parley {
namespace {

bool SameData(const Dataset& a, const Dataset& b) {
  return a.kind == b.kind && a.source == b.source && a.label == b.label && a.dense.x == b.dense.x &&
         a.dense.cols == b.dense.cols && a.sparse.row_ptr == b.sparse.row_ptr &&
         a.sparse.col == b.sparse.col && a.sparse.val == b.sparse.val &&
         a.ratings.user == b.ratings.user && a.ratings.item == b.ratings.item &&
         a.ratings.rating == b.ratings.rating && a.true_centres == b.true_centres;
}

TEST(Generators, SameSeedSameDataDifferentSeedDifferentData) {
  auto mixture = [](uint64_t seed) {
    Rng r(seed);
    return GenerateMixture(200, 3, 4, 1, 10, r);
  };
  auto sparse = [](uint64_t seed) {
    Rng r(seed);
    return GenerateSparseBinary(300, 1000, 20, 0.1, r);
  };
  auto ratings = [](uint64_t seed) {
    Rng r(seed);
    return GenerateRatings(50, 80, 3, 600, 0.1, r);
  };
  EXPECT_TRUE(SameData(mixture(1), mixture(1)));
  EXPECT_FALSE(SameData(mixture(1), mixture(2)));
  EXPECT_TRUE(SameData(sparse(1), sparse(1)));
  EXPECT_FALSE(SameData(sparse(1), sparse(2)));
  EXPECT_TRUE(SameData(ratings(1), ratings(1)));
  EXPECT_FALSE(SameData(ratings(1), ratings(2)));
}

TEST(Generators, MixtureCentresAreRecoverableFromSampleMeans) {
  Rng rng(7);
  const size_t dim = 5;
  const int k = 6;
  Dataset d = GenerateMixture(6000, dim, k, 0.5, 20, rng);
  ASSERT_EQ(d.kind, Dataset::Kind::kDense);
  ASSERT_EQ(d.rows(), 6000u);
  ASSERT_EQ(d.features(), dim);
  ASSERT_EQ(d.true_centres.size(), k * dim);
  EXPECT_EQ(d.NumClasses(), k);
  std::vector<double> sum(k * dim, 0.0);
  std::vector<int> count(k, 0);
  for (size_t i = 0; i < d.rows(); ++i) {
    const int c = static_cast<int>(d.label[i]);
    ++count[c];
    for (size_t j = 0; j < dim; ++j) sum[c * dim + j] += d.dense.row(i)[j];
  }
  for (int c = 0; c < k; ++c) {
    ASSERT_GT(count[c], 700);  // about 1000 each
    for (size_t j = 0; j < dim; ++j) {
      // Standard error 0.5 / sqrt(1000) ~ 0.016.
      EXPECT_NEAR(sum[c * dim + j] / count[c], d.true_centres[c * dim + j], 0.1);
    }
  }
  // Centres lie in the box and are apart relative to the spread.
  double nearest = 1e300;
  for (int a = 0; a < k; ++a) {
    for (int b = a + 1; b < k; ++b) {
      double s = 0;
      for (size_t j = 0; j < dim; ++j) {
        s += std::pow(d.true_centres[a * dim + j] - d.true_centres[b * dim + j], 2);
      }
      nearest = std::min(nearest, std::sqrt(s));
    }
  }
  EXPECT_GT(nearest, 4 * 0.5);
  for (float v : d.true_centres) EXPECT_TRUE(v >= 0 && v < 20);
}

TEST(Generators, SparseBinaryLooksLikeText) {
  Rng rng(3);
  const uint32_t features = 5000;
  Dataset d = GenerateSparseBinary(4000, features, 40, 0.0, rng);
  ASSERT_EQ(d.kind, Dataset::Kind::kSparse);
  ASSERT_EQ(d.rows(), 4000u);
  EXPECT_EQ(d.features(), features);
  const SparseRows& s = d.sparse;
  int positives = 0;
  std::vector<int> freq(features, 0);
  for (size_t i = 0; i < d.rows(); ++i) {
    ASSERT_TRUE(d.label[i] == 1 || d.label[i] == -1);
    positives += d.label[i] > 0;
    ASSERT_GT(s.row_ptr[i + 1], s.row_ptr[i]);
    double norm2 = 0;
    for (uint64_t k = s.row_ptr[i]; k < s.row_ptr[i + 1]; ++k) {
      ASSERT_LT(s.col[k], features);
      if (k > s.row_ptr[i]) {
        ASSERT_LT(s.col[k - 1], s.col[k]);
      }
      ASSERT_GT(s.val[k], 0);
      norm2 += double{s.val[k]} * s.val[k];
      ++freq[s.col[k]];
    }
    ASSERT_NEAR(norm2, 1.0, 1e-5);
  }
  const double mean_nnz = static_cast<double>(s.nnz()) / d.rows();
  EXPECT_GT(mean_nnz, 30);
  EXPECT_LT(mean_nnz, 45);
  EXPECT_GT(positives, 4000 * 0.3);  // about balanced
  EXPECT_LT(positives, 4000 * 0.7);
  // Power law: the most frequent feature is far more common than the median one.
  std::sort(freq.rbegin(), freq.rend());
  EXPECT_GT(freq[0], 20 * std::max(1, freq[features / 2]));
}

TEST(Generators, SparseBinaryLabelNoiseFlipsAboutThatFraction) {
  Rng a(11), b(11);
  Dataset clean = GenerateSparseBinary(5000, 2000, 30, 0.0, a);
  Dataset noisy = GenerateSparseBinary(5000, 2000, 30, 0.2, b);
  ASSERT_EQ(clean.sparse.col, noisy.sparse.col);  // same rows; labels drawn last
  int flipped = 0;
  for (size_t i = 0; i < clean.rows(); ++i) flipped += clean.label[i] != noisy.label[i];
  EXPECT_NEAR(flipped / 5000.0, 0.2, 0.03);
}

TEST(Generators, RatingsAreLowRankClippedAndUnique) {
  Rng rng(5);
  Dataset d = GenerateRatings(300, 400, 4, 10000, 0.2, rng);
  ASSERT_EQ(d.kind, Dataset::Kind::kRatings);
  ASSERT_EQ(d.rows(), 10000u);
  EXPECT_EQ(d.ratings.num_users, 300u);
  EXPECT_EQ(d.ratings.num_items, 400u);
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  std::vector<int> per_user(300, 0);
  double mean = 0;
  for (size_t k = 0; k < d.rows(); ++k) {
    ASSERT_LT(d.ratings.user[k], 300u);
    ASSERT_LT(d.ratings.item[k], 400u);
    ASSERT_GE(d.ratings.rating[k], 1.0f);
    ASSERT_LE(d.ratings.rating[k], 5.0f);
    ASSERT_TRUE(pairs.insert({d.ratings.user[k], d.ratings.item[k]}).second) << "duplicate pair";
    ++per_user[d.ratings.user[k]];
    mean += d.ratings.rating[k];
  }
  mean /= d.rows();
  EXPECT_GT(mean, 2.5);
  EXPECT_LT(mean, 4.5);
  std::sort(per_user.rbegin(), per_user.rend());
  EXPECT_GT(per_user[0], 3 * per_user[150]);  // skewed activity
}

TEST(Generators, RatingsDenseRequestIsCappedAndUnique) {
  Rng rng(5);
  Dataset d = GenerateRatings(10, 10, 2, 1000, 0.1, rng);
  EXPECT_EQ(d.rows(), 100u);
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  for (size_t k = 0; k < d.rows(); ++k) pairs.insert({d.ratings.user[k], d.ratings.item[k]});
  EXPECT_EQ(pairs.size(), 100u);
}

}  // namespace
}  // namespace parley
