#include "parley/models/twolayer.h"

#include <gtest/gtest.h>

#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

float Target(Rng& r) { return static_cast<float>(r.Normal()); }

TEST(TwoLayerModelTest, DefaultThresholdAndLayout) {
  TwoLayerModel model(6, 100, -1);
  EXPECT_DOUBLE_EQ(model.threshold(), std::sqrt(0.4 * std::log(100.0)));
  EXPECT_EQ(model.NumParams(), 600u);
  EXPECT_FALSE(model.SparseGradient());
  EXPECT_EQ(model.L2(), 0.0);
  EXPECT_EQ(TwoLayerModel(6, 100, 0.7).threshold(), 0.7);
}

TEST(TwoLayerModelTest, InitDrawsSignsAndStandardNormalWeights) {
  TwoLayerModel model(50, 400, -1);
  std::vector<double> w(model.NumParams());
  Rng rng(70);
  model.Init(w, Dataset{}, rng);
  ASSERT_EQ(model.signs().size(), 400u);
  int plus = 0;
  for (double a : model.signs()) {
    EXPECT_TRUE(a == 1 || a == -1);
    plus += a == 1;
  }
  EXPECT_GT(plus, 150);
  EXPECT_LT(plus, 250);
  double s2 = 0;
  for (double x : w) s2 += x * x;
  EXPECT_NEAR(s2 / static_cast<double>(w.size()), 1.0, 0.03);
}

TEST(TwoLayerModelTest, GradientMatchesFiniteDifferencesAwayFromKinks) {
  Rng rng(71);
  TwoLayerModel model(5, 16, -1);
  Dataset d = RandomDense(12, 5, rng, Target);
  std::vector<double> w(model.NumParams());
  model.Init(w, d, rng);
  std::vector<uint32_t> rows;  // points with no neuron within 1e-3 of its threshold
  for (uint32_t r = 0; r < d.rows(); ++r) {
    bool clear = true;
    for (size_t n = 0; n < 16; ++n) {
      double z = -model.threshold();
      for (size_t j = 0; j < 5; ++j) z += w[n * 5 + j] * d.dense.row(r)[j];
      clear = clear && std::abs(z) > 1e-3;
    }
    if (clear) rows.push_back(r);
  }
  ASSERT_GE(rows.size(), 8u);
  EXPECT_LT(GradientError(model, w, d, rows), 1e-5);
  EXPECT_LT(GradientError(model, w, d, std::span(rows).first(1)), 1e-5);
}

TEST(TwoLayerModelTest, PredictMatchesTheFormulaAndEvaluate) {
  TwoLayerModel model(2, 3, 0.5, {1, -1, 1});
  // w_0 = (1, 0), w_1 = (0, 1), w_2 = (1, 1); x = (2, 1): relu(1.5), relu(0.5), relu(2.5).
  std::vector<double> w = {1, 0, 0, 1, 1, 1};
  const float x[2] = {2, 1};
  const double f = (1.5 - 0.5 + 2.5) / std::sqrt(3.0);
  EXPECT_NEAR(model.Predict({w.data(), 1.0, 6}, x), f, 1e-15);
  Dataset d = DenseData(2, {2, 1, 2, 1}, {static_cast<float>(f), static_cast<float>(f) + 2});
  const MetricSet m = model.Evaluate({w.data(), 1.0, 6}, d);
  EXPECT_NEAR(m.at("rmse"), std::sqrt(2.0), 1e-6);
  EXPECT_NEAR(m.at("objective"), 0.5 * 2.0, 1e-6);
}

TEST(TwoLayerModelTest, EvaluateInChunksMatchesGradientLoss) {
  Rng rng(72);
  TwoLayerModel model(4, 32, -1);
  Dataset d = RandomDense(2100, 4, rng, Target);
  std::vector<double> w(model.NumParams());
  model.Init(w, d, rng);
  const double loss = LossAt(model, w, d, AllRows(d.rows()));
  EXPECT_NEAR(model.Evaluate({w.data(), 1.0, w.size()}, d).at("objective"), loss, 1e-12);
}

TEST(TwoLayerModelTest, SgdFitsATeacher) {
  Rng rng(73);
  TwoLayerModel teacher(6, 64, -1);
  std::vector<double> wt(teacher.NumParams());
  teacher.Init(wt, Dataset{}, rng);
  Dataset d = RandomDense(300, 6, rng, Target);
  for (size_t r = 0; r < d.rows(); ++r)
    d.label[r] = static_cast<float>(teacher.Predict({wt.data(), 1.0, wt.size()}, d.dense.row(r)));
  TwoLayerModel student(6, 256, -1);
  Weights w0(student.NumParams());
  Rng init = Rng(74).Fork("init");
  student.Init(w0.Mutable(), d, init);
  const double before = student.Evaluate(w0.view(), d).at("objective");
  Weights w = TrainSgd(student, d, 0.5, 40, 10, 74);
  EXPECT_LT(student.Evaluate(w.view(), d).at("objective"), 0.2 * before);
}

TEST(TwoLayerModelTest, ConfigRestoresSignsAndPredictions) {
  Rng rng(75);
  TwoLayerModel model(3, 20, -1);
  std::vector<double> w(model.NumParams());
  model.Init(w, Dataset{}, rng);
  Dataset d = RandomDense(30, 3, rng, Target);
  ExpectConfigRoundTrip(model, w, d);
  auto rebuilt = MakeModelFromConfig(model.Config());
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ(static_cast<TwoLayerModel&>(**rebuilt).signs(), model.signs());
}

TEST(TwoLayerModelTest, CheckDataRejectsBadShapes) {
  TwoLayerModel model(3, 4, -1);
  EXPECT_TRUE(model.CheckData(DenseData(3, {1, 2, 3}, {0.5})).ok());
  EXPECT_FALSE(model.CheckData(DenseData(2, {1, 2}, {0.5})).ok());
  EXPECT_FALSE(model.CheckData(DenseData(3, {1, 2, 3}, {NAN})).ok());
}

// Regression (found with fuzz/model_file_fuzz.cc): a config with "signs": [] was accepted, and
// the network built from it read its output signs out of bounds (a crash in `parley eval` of
// such a model file).
TEST(TwoLayerModelTest, ConfigWithoutSignsIsRefused) {
  auto m = MakeModelFromConfig({{"kind", "twolayer"}, {"dim", 2}, {"width", 2},
                                 {"threshold", 0.5}, {"signs", nlohmann::json::array()}});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("0 signs for width 2"), std::string::npos)
      << m.status().message();
}

}  // namespace
}  // namespace parley
