// Behaviour shared by the sparse linear models (logreg, svm): layout, scale, sparsity,
// data checks and config round trips.
#include "parley/models/sparse_linear.h"

#include <gtest/gtest.h>

#include "parley/models/logreg.h"
#include "parley/models/model_test_util.h"
#include "parley/models/svm.h"
#include "parley/optim/sgd.h"

namespace parley {
namespace {

using namespace parley::testing;

template <class M>
class SparseLinearModelTest : public ::testing::Test {};
using Kinds = ::testing::Types<LogRegModel, SvmModel>;
TYPED_TEST_SUITE(SparseLinearModelTest, Kinds);

TYPED_TEST(SparseLinearModelTest, LayoutWithAndWithoutBias) {
  TypeParam plain(7, -1, 0.1), biased(7, 2.5, 0.1);
  EXPECT_EQ(plain.NumParams(), 7u);
  EXPECT_EQ(biased.NumParams(), 8u);
  EXPECT_EQ(biased.SharedSize(), 8u);
  EXPECT_TRUE(biased.SparseGradient());
  EXPECT_EQ(biased.L2(), 0.1);
  std::vector<double> w(8, 1.0);
  Rng rng(1);
  biased.Init(w, Dataset{}, rng);
  EXPECT_EQ(w, std::vector<double>(8, 0.0));
}

TYPED_TEST(SparseLinearModelTest, GradientKeysAreWhatGradientReads) {
  Rng rng(4);
  const Dataset d = RandomSparse(20, 30, 0.15, rng);
  const std::vector<uint32_t> rows = {3, 7, 7, 12};
  for (double bias : {-1.0, 1.5}) {
    TypeParam model(30, bias, 0.01);
    const std::vector<double> w = RandomVector(model.NumParams(), 0.3, rng);
    ExpectGradientKeysSuffice(model, w, d, rows);
    ExpectGradientKeysSuffice(model, w, d, rows, /*scale=*/0.25);
    std::vector<uint32_t> keys;
    model.GradientKeys(d, std::span<const uint32_t>(rows).subspan(0, 1), keys);
    EXPECT_EQ(keys.size(), d.sparse.row_ptr[4] - d.sparse.row_ptr[3] + (bias >= 0 ? 1 : 0));
  }
}

TYPED_TEST(SparseLinearModelTest, ScoreIncludesBiasFeature) {
  TypeParam model(3, 2.0, 0);
  Dataset d = SparseData({{{0, 1.0f}, {2, 3.0f}}}, {1}, 3);
  std::vector<double> w = {0.5, 7.0, -1.0, 0.25};
  EXPECT_DOUBLE_EQ(model.Score({w.data(), 1.0, 4}, d.sparse, 0), 0.5 - 3.0 + 0.5);
  std::vector<double> half = {1.0, 14.0, -2.0, 0.5};
  EXPECT_DOUBLE_EQ(model.Score({half.data(), 0.5, 4}, d.sparse, 0), 0.5 - 3.0 + 0.5);
}

TYPED_TEST(SparseLinearModelTest, GradientHonoursScale) {
  Rng rng(2);
  TypeParam model(20, 1.0, 0.01);
  Dataset d = RandomSparse(12, 20, 0.3, rng);
  std::vector<double> w = RandomVector(model.NumParams(), 0.3, rng);
  const std::vector<uint32_t> rows = {3, 1, 4, 1, 5, 9};
  const std::vector<double> g1 = GradientAt(model, w, d, rows, 1.0);
  for (double scale : {0.37, 4.0}) {
    const std::vector<double> gs = GradientAt(model, w, d, rows, scale);
    for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(gs[i], g1[i], 1e-12) << i;
  }
}

TYPED_TEST(SparseLinearModelTest, TouchesOnlyTheBatchFeatures) {
  TypeParam model(10, 1.0, 0.01);
  Dataset d =
      SparseData({{{1, 1.0f}, {4, -2.0f}}, {{7, 3.0f}}, {{2, 1.0f}, {9, 1.0f}}}, {1, -1, 1}, 10);
  std::vector<double> w(model.NumParams(), 0.0);  // every margin 0 < 1: all rows contribute
  const std::vector<uint32_t> rows = {0, 2};
  EXPECT_EQ(Touched(model, w, d, rows), (std::set<uint32_t>{1, 4, 2, 9, 10}));
}

TYPED_TEST(SparseLinearModelTest, CheckDataRejectsOtherKindsAndWiderData) {
  TypeParam model(5, -1, 0);
  Rng rng(3);
  EXPECT_TRUE(model.CheckData(RandomSparse(4, 5, 0.5, rng)).ok());
  EXPECT_TRUE(model.CheckData(RandomSparse(4, 3, 0.5, rng)).ok());  // fewer features is fine
  const Status wide = model.CheckData(RandomSparse(4, 6, 0.5, rng));
  EXPECT_EQ(wide.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wide.message().find("6 features"), std::string::npos) << wide.message();
  const Status dense = model.CheckData(DenseData(2, {1, 2}, {1}));
  EXPECT_EQ(dense.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dense.message().find("sparse"), std::string::npos) << dense.message();
  Dataset unlabelled = RandomSparse(4, 5, 0.5, rng);
  unlabelled.label.pop_back();
  EXPECT_FALSE(model.CheckData(unlabelled).ok());
}

TYPED_TEST(SparseLinearModelTest, ObjectiveIsMeanLossPlusL2) {
  TypeParam model(2, -1, 0.5);
  Dataset d = SparseData({{{0, 1.0f}}, {{1, 1.0f}}}, {1, -1}, 2);
  std::vector<double> w = {2.0, 1.0};  // margins 2 and -1
  const MetricSet m = model.Evaluate({w.data(), 1.0, 2}, d);
  const double mean_loss = LossAt(model, w, d, AllRows(2));
  EXPECT_NEAR(m.at("objective"), mean_loss + 0.25 * 5.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.at("accuracy"), 0.5);
  EXPECT_NEAR(m.at("logloss"), 0.5 * (std::log1p(std::exp(-2.0)) + std::log1p(std::exp(1.0))),
              1e-12);
}

TYPED_TEST(SparseLinearModelTest, ConfigRoundTrip) {
  Rng rng(4);
  TypeParam model(15, 0.5, 0.02);
  Dataset d = RandomSparse(30, 15, 0.3, rng);
  ExpectConfigRoundTrip(model, RandomVector(model.NumParams(), 0.5, rng), d);
}

TYPED_TEST(SparseLinearModelTest, FusedSgdStepEqualsGradientThenPlainStep) {
  // SgdStep (no gradient buffer, straight into w) must take the same steps as Gradient
  // followed by PlainSgdStep, for single rows and for batches with repeated features, with and
  // without the bias feature and L2, from scaled weights.
  for (double bias : {-1.0, 1.5}) {
    for (double l2 : {0.0, 0.05}) {
      Rng rng(7);
      TypeParam model(25, bias, l2);
      EXPECT_TRUE(model.FusedSgdStep());
      Dataset d = RandomSparse(40, 25, 0.3, rng);
      Weights fused(model.NumParams()), plain(model.NumParams());
      const std::vector<double> w0 = RandomVector(model.NumParams(), 0.3, rng);
      for (size_t i = 0; i < w0.size(); ++i) fused.raw()[i] = plain.raw()[i] = w0[i];
      GradientBuffer g(model.NumParams(), true);
      std::vector<uint32_t> order = AllRows(d.rows());
      for (int t = 0; t < 60; ++t) {
        rng.Shuffle(order);
        const size_t n = t % 3 == 0 ? 1 : 1 + t % 7;
        std::span<const uint32_t> rows(order.data(), n), next(order.data() + n, 2);
        const double eta = 0.2 / (1 + t % 4);
        g.Clear();
        const double want = model.Gradient(plain.view(), d, rows, g);
        PlainSgdStep(plain, g, eta, l2);
        EXPECT_NEAR(model.SgdStep(fused, d, rows, eta, next), want, 1e-12);
      }
      if (l2 != 0) {
        EXPECT_LT(fused.scale(), 1.0);  // the decay went into the scale
      }
      const auto a = fused.Values();
      const auto b = plain.Values();
      for (size_t i = 0; i < a.size(); ++i)
        EXPECT_NEAR(a[i], b[i], 1e-10 * (1 + std::abs(b[i]))) << "bias " << bias << " l2 " << l2;
    }
  }
}

TYPED_TEST(SparseLinearModelTest, SgdSeparatesSeparableData) {
  // Labels from a known direction with a margin; SGD with the scaled-weights L2 path must
  // separate them.
  Rng rng(5);
  Dataset d = RandomSparse(400, 30, 0.2, rng);
  std::vector<double> truth = RandomVector(30, 1.0, rng);
  std::vector<uint32_t> keep;
  for (uint32_t r = 0; r < d.rows(); ++r) {
    double z = 0;
    for (uint64_t k = d.sparse.row_ptr[r]; k < d.sparse.row_ptr[r + 1]; ++k)
      z += truth[d.sparse.col[k]] * d.sparse.val[k];
    d.label[r] = z > 0 ? 1.0f : -1.0f;
    if (std::abs(z) > 0.3) keep.push_back(r);
  }
  Dataset sep = d.Subset(keep);
  TypeParam model(30, -1, 1e-4);
  Weights w = TrainSgd(model, sep, 0.1, 30, 1, 6);
  EXPECT_GE(model.Evaluate(w.view(), sep).at("accuracy"), 0.99);
}

}  // namespace
}  // namespace parley
