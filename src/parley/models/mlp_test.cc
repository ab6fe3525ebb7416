#include "parley/models/mlp.h"

#include <gtest/gtest.h>

#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

float Class3(Rng& r) { return static_cast<float>(r.Below(3)); }

TEST(MlpModelTest, LayoutAndInit) {
  MlpModel model("mlp", 4, 3, {5, 6}, 0.01);
  EXPECT_EQ(model.NumParams(), (4u * 5 + 5) + (5u * 6 + 6) + (6u * 3 + 3));
  std::vector<double> w(model.NumParams(), 7.0);
  Rng rng(40);
  model.Init(w, Dataset{}, rng);
  // Biases are zero, weights are not.
  for (size_t i = 20; i < 25; ++i) EXPECT_EQ(w[i], 0.0);
  EXPECT_NE(w[0], 0.0);
  EXPECT_EQ(w.back(), 0.0);
}

TEST(MlpModelTest, HeInitHasTheRightScale) {
  MlpModel model("mlp", 400, 10, {300}, 0);
  std::vector<double> w(model.NumParams());
  Rng rng(41);
  model.Init(w, Dataset{}, rng);
  double s2 = 0;
  for (size_t i = 0; i < 400 * 300; ++i) s2 += w[i] * w[i];
  EXPECT_NEAR(s2 / (400 * 300), 2.0 / 400, 0.05 * 2.0 / 400);
}

TEST(MlpModelTest, GradientMatchesFiniteDifferences) {
  Rng rng(42);
  MlpModel model("mlp", 4, 3, {5, 3}, 0.01);
  Dataset d = RandomDense(10, 4, rng, Class3);
  std::vector<double> w = RandomVector(model.NumParams(), 0.8, rng);
  for (double& b : w) b += 0.1;  // keep most units active
  EXPECT_LT(GradientError(model, w, d, std::vector<uint32_t>{0, 1, 2, 3, 9, 9}), 1e-5);
  EXPECT_LT(GradientError(model, w, d, std::vector<uint32_t>{6}), 1e-5);
}

TEST(MlpModelTest, ScratchReuseAcrossBatchSizesIsExact) {
  Rng rng(43);
  MlpModel warm("mlp", 6, 3, {8}, 0);
  Dataset d = RandomDense(20, 6, rng, Class3);
  std::vector<double> w = RandomVector(warm.NumParams(), 0.5, rng);
  const std::vector<uint32_t> big = AllRows(20), small = {4, 2, 7};
  GradientAt(warm, w, d, big);
  const std::vector<double> after_big = GradientAt(warm, w, d, small);
  MlpModel fresh("mlp", 6, 3, {8}, 0);
  EXPECT_EQ(after_big, GradientAt(fresh, w, d, small));
}

TEST(MlpModelTest, EvaluateInChunksMatchesOneBigBatch) {
  Rng rng(44);
  MlpModel model("mlp", 5, 3, {7}, 0);
  Dataset d = RandomDense(2600, 5, rng, Class3);  // three chunks, the last one partial
  std::vector<double> w = RandomVector(model.NumParams(), 0.5, rng);
  const double loss = LossAt(model, w, d, AllRows(d.rows()));
  const MetricSet m = model.Evaluate({w.data(), 1.0, w.size()}, d);
  EXPECT_NEAR(m.at("logloss"), loss, 1e-12);
  double norm2 = 0;
  for (double x : w) norm2 += x * x;
  EXPECT_NEAR(m.at("objective"), loss, 1e-12);  // l2 = 0
  MlpModel reg("mlp", 5, 3, {7}, 0.1);
  EXPECT_NEAR(reg.Evaluate({w.data(), 1.0, w.size()}, d).at("objective"), loss + 0.05 * norm2,
              1e-10);
}

TEST(MlpModelTest, LearnsANonLinearProblem) {
  // Class = quadrant parity (XOR), not linearly separable.
  Rng rng(45);
  std::vector<float> x, y;
  for (int i = 0; i < 600; ++i) {
    const float a = static_cast<float>(rng.Uniform() * 2 - 1),
                b = static_cast<float>(rng.Uniform() * 2 - 1);
    if (std::abs(a) < 0.1 || std::abs(b) < 0.1) continue;
    x.push_back(a);
    x.push_back(b);
    y.push_back((a > 0) != (b > 0) ? 1.0f : 0.0f);
  }
  Dataset d = DenseData(2, x, y);
  MlpModel model("mlp", 2, 2, {32}, 1e-4);
  Weights w = TrainSgd(model, d, 0.1, 60, 16, 46, 0.9);
  EXPECT_GE(model.Evaluate(w.view(), d).at("accuracy"), 0.97);
}

TEST(MlpModelTest, CheckDataRejectsBadLabelsAndShapes) {
  MlpModel model("mlp", 3, 3, {4}, 0);
  EXPECT_TRUE(model.CheckData(DenseData(3, {1, 2, 3}, {2})).ok());
  const Status label = model.CheckData(DenseData(3, {1, 2, 3}, {3}));
  EXPECT_NE(label.message().find("class labels 0..2"), std::string::npos) << label.message();
  EXPECT_FALSE(model.CheckData(DenseData(3, {1, 2, 3}, {0.5})).ok());
  EXPECT_FALSE(model.CheckData(DenseData(1, {1, 2, 3}, {0, 1, 2})).ok());
  Dataset sparse;
  sparse.kind = Dataset::Kind::kSparse;
  EXPECT_NE(model.CheckData(sparse).message().find("dense"), std::string::npos);
}

TEST(MlpModelTest, ConfigRoundTrip) {
  Rng rng(47);
  MlpModel model("mlp", 6, 4, {5, 3}, 0.03);
  Dataset d = RandomDense(20, 6, rng, [](Rng& r) { return static_cast<float>(r.Below(4)); });
  ExpectConfigRoundTrip(model, RandomVector(model.NumParams(), 0.5, rng), d);
}

}  // namespace
}  // namespace parley
