#include "parley/models/softmax.h"

#include <gtest/gtest.h>

#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

int RandomClass(Rng& rng) { return static_cast<int>(rng.Below(3)); }

TEST(SoftmaxModelTest, LayoutAndKind) {
  auto model = NewSoftmaxModel(5, 3, 0.01);
  EXPECT_EQ(model->Kind(), "softmax");
  EXPECT_EQ(model->NumParams(), 5u * 3 + 3);
  EXPECT_FALSE(model->SparseGradient());
  EXPECT_EQ(model->L2(), 0.01);
}

TEST(SoftmaxModelTest, GradientMatchesFiniteDifferences) {
  Rng rng(30);
  auto model = NewSoftmaxModel(5, 3, 0.01);
  Dataset d = RandomDense(9, 5, rng, [](Rng& r) { return static_cast<float>(RandomClass(r)); });
  std::vector<double> w = RandomVector(model->NumParams(), 0.5, rng);
  EXPECT_LT(GradientError(*model, w, d, std::vector<uint32_t>{0, 3, 3, 8}), 1e-5);
  EXPECT_LT(GradientError(*model, w, d, std::vector<uint32_t>{4}), 1e-5);
}

TEST(SoftmaxModelTest, DefaultSgdStepIsGradientThenPlainStep) {
  // A dense model has no fused step; Model::SgdStep's default must still take the plain step.
  Rng rng(34);
  auto model = NewSoftmaxModel(5, 3, 0.01);
  EXPECT_FALSE(model->FusedSgdStep());
  Dataset d = RandomDense(9, 5, rng, [](Rng& r) { return static_cast<float>(RandomClass(r)); });
  const std::vector<double> w0 = RandomVector(model->NumParams(), 0.5, rng);
  Weights a(model->NumParams()), b(model->NumParams());
  for (size_t i = 0; i < w0.size(); ++i) a.raw()[i] = b.raw()[i] = w0[i];
  const std::vector<uint32_t> rows = {1, 4, 4, 7};
  GradientBuffer g(model->NumParams(), false);
  const double want = model->Gradient(b.view(), d, rows, g);
  PlainSgdStep(b, g, 0.3, model->L2());
  EXPECT_DOUBLE_EQ(model->SgdStep(a, d, rows, 0.3, {}), want);
  const auto va = a.Values();
  const auto vb = b.Values();
  for (size_t i = 0; i < va.size(); ++i) EXPECT_DOUBLE_EQ(va[i], vb[i]) << i;
}

TEST(SoftmaxModelTest, ZeroWeightsGiveLogCLoss) {
  auto model = NewSoftmaxModel(4, 10, 0);
  Rng rng(31);
  Dataset d = RandomDense(50, 4, rng, [](Rng& r) { return static_cast<float>(r.Below(10)); });
  std::vector<double> w(model->NumParams(), 0.0);
  const MetricSet m = model->Evaluate({w.data(), 1.0, w.size()}, d);
  EXPECT_NEAR(m.at("logloss"), std::log(10.0), 1e-12);
  EXPECT_NEAR(m.at("objective"), std::log(10.0), 1e-12);
}

TEST(SoftmaxModelTest, LearnsSeparableClasses) {
  // Three well separated blobs in 2-D.
  Rng rng(32);
  const float centres[3][2] = {{4, 0}, {-4, 4}, {-4, -4}};
  std::vector<float> x, y;
  for (int i = 0; i < 300; ++i) {
    const int c = i % 3;
    x.push_back(centres[c][0] + static_cast<float>(rng.Normal()));
    x.push_back(centres[c][1] + static_cast<float>(rng.Normal()));
    y.push_back(static_cast<float>(c));
  }
  Dataset d = DenseData(2, x, y);
  auto model = NewSoftmaxModel(2, 3, 1e-4);
  Weights w = TrainSgd(*model, d, 0.1, 20, 8, 33);
  const MetricSet m = model->Evaluate(w.view(), d);
  EXPECT_EQ(m.at("accuracy"), 1.0);
  EXPECT_LT(m.at("logloss"), 0.05);
}

TEST(SoftmaxModelTest, ConfigRoundTrip) {
  Rng rng(34);
  auto model = NewSoftmaxModel(6, 4, 0.03);
  Dataset d = RandomDense(20, 6, rng, [](Rng& r) { return static_cast<float>(r.Below(4)); });
  ExpectConfigRoundTrip(*model, RandomVector(model->NumParams(), 0.5, rng), d);
}

}  // namespace
}  // namespace parley
