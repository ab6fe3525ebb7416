#include "parley/models/svm.h"

#include <gtest/gtest.h>

#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

TEST(SvmModelTest, GradientMatchesFiniteDifferencesAwayFromKink) {
  Rng rng(20);
  SvmModel model(12, 1.0, 0.1);
  Dataset d = RandomSparse(40, 12, 0.4, rng);
  std::vector<double> w = RandomVector(model.NumParams(), 0.7, rng);
  std::vector<uint32_t> rows;  // rows whose margin is not near the hinge at 1
  for (uint32_t r = 0; r < d.rows(); ++r) {
    const double m =
        (d.label[r] > 0 ? 1 : -1) * model.Score({w.data(), 1.0, w.size()}, d.sparse, r);
    if (std::abs(m - 1) > 1e-3) rows.push_back(r);
  }
  ASSERT_GT(rows.size(), 20u);
  EXPECT_LT(GradientError(model, w, d, rows), 1e-5);
}

TEST(SvmModelTest, ZeroGradientBeyondTheMargin) {
  SvmModel model(2, -1, 0);
  Dataset d = SparseData({{{0, 1.0f}}}, {1}, 2);
  std::vector<double> w = {3.0, 0.0};
  EXPECT_EQ(LossAt(model, w, d, AllRows(1)), 0.0);
  EXPECT_TRUE(Touched(model, w, d, AllRows(1)).empty());
}

TEST(SvmModelTest, EvaluateReportsHingeAndAccuracy) {
  SvmModel model(1, -1, 0);
  Dataset d = SparseData({{{0, 1.0f}}, {{0, -1.0f}}, {{0, 0.25f}}}, {1, -1, 1}, 1);
  std::vector<double> w = {2.0};  // margins 2, 2, 0.5
  const MetricSet m = model.Evaluate({w.data(), 1.0, 1}, d);
  EXPECT_EQ(m.at("accuracy"), 1.0);
  EXPECT_NEAR(m.at("hinge"), 0.5 / 3, 1e-12);
  EXPECT_NEAR(m.at("objective"), 0.5 / 3, 1e-12);
  EXPECT_TRUE(m.count("logloss"));
  EXPECT_EQ(model.Kind(), "svm");
}

}  // namespace
}  // namespace parley
