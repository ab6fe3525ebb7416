#include "parley/models/logreg.h"

#include <gtest/gtest.h>

#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

TEST(LogRegModelTest, GradientMatchesFiniteDifferences) {
  Rng rng(10);
  LogRegModel model(12, 1.5, 0.1);
  Dataset d = RandomSparse(20, 12, 0.4, rng);
  const std::vector<uint32_t> rows = {0, 5, 7, 7, 19, 3};
  std::vector<double> w = RandomVector(model.NumParams(), 0.7, rng);
  EXPECT_LT(GradientError(model, w, d, rows), 1e-5);
  EXPECT_LT(GradientError(model, w, d, std::vector<uint32_t>{11}), 1e-5);
}

TEST(LogRegModelTest, LossIsStableForLargeMargins) {
  double d;
  EXPECT_EQ(LogisticLoss::Eval(1000, &d), 0.0);
  EXPECT_EQ(d, -0.0);
  EXPECT_DOUBLE_EQ(LogisticLoss::Eval(-1000, &d), 1000.0);
  EXPECT_DOUBLE_EQ(d, -1.0);
  EXPECT_NEAR(LogisticLoss::Eval(0, &d), std::log(2.0), 1e-15);
  EXPECT_DOUBLE_EQ(d, -0.5);
  EXPECT_NEAR(LogisticLoss::Value(-3.0), std::log1p(std::exp(3.0)), 1e-14);
}

TEST(LogRegModelTest, PerfectSeparationGivesAccuracyOne) {
  LogRegModel model(2, -1, 0);
  Dataset d = SparseData({{{0, 1.0f}}, {{0, -1.0f}}, {{0, 2.0f}, {1, 1.0f}}, {{1, -3.0f}}},
                         {1, 0, 1, 0}, 2);  // 0/1 labels
  std::vector<double> w = {20.0, 20.0};
  const MetricSet m = model.Evaluate({w.data(), 1.0, 2}, d);
  EXPECT_EQ(m.at("accuracy"), 1.0);
  EXPECT_LT(m.at("logloss"), 1e-8);
  EXPECT_EQ(m.count("hinge"), 0u);
  EXPECT_EQ(model.Kind(), "logreg");
}

}  // namespace
}  // namespace parley
