#include "parley/models/mf.h"

#include <gtest/gtest.h>

#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

Dataset RandomRatings(uint32_t users, uint32_t items, size_t n, Rng& rng) {
  std::vector<uint32_t> u(n), i(n);
  std::vector<float> r(n);
  for (size_t k = 0; k < n; ++k) {
    u[k] = static_cast<uint32_t>(rng.Below(users));
    i[k] = static_cast<uint32_t>(rng.Below(items));
    r[k] = static_cast<float>(1 + rng.Below(5));
  }
  return RatingsData(users, items, u, i, r);
}

TEST(MfModelTest, LayoutSharedFirst) {
  MfModel model(3, 4, 2, 0.05, 0.1, 1, 5, 3);
  EXPECT_EQ(model.SharedSize(), 1u + 4 * 3);
  EXPECT_EQ(model.NumParams(), 13u + 3 * 3);
  EXPECT_EQ(model.ItemBias(0), 1u);
  EXPECT_EQ(model.ItemFactors(0), 5u);
  EXPECT_EQ(model.ItemFactors(3), 11u);
  EXPECT_EQ(model.UserBias(0), 13u);
  EXPECT_EQ(model.UserFactors(0), 16u);
  EXPECT_EQ(model.UserFactors(2), 20u);
  EXPECT_EQ(model.L2(), 0.0);
  EXPECT_TRUE(model.SparseGradient());
}

TEST(MfModelTest, InitSetsTheMeanAndSmallFactors) {
  Rng rng(50);
  Dataset d = RandomRatings(50, 40, 300, rng);
  ModelOptions o;
  o.kind = "mf";
  o.rank = 8;
  o.init_scale = 0.1;
  auto built = MakeModel(o, d);  // the mean comes from the data's shape
  ASSERT_TRUE(built.ok()) << built.status().message();
  const auto& model = static_cast<const MfModel&>(**built);
  EXPECT_FALSE(model.InitReadsData());
  std::vector<double> w(model.NumParams(), 9.0);
  (*built)->Init(w, d.Empty(), rng);  // no rows needed
  double mean = 0;
  for (float r : d.ratings.rating) mean += r;
  EXPECT_EQ(w[0], mean / 300);
  // An MPI rank adds the rows one at a time (LoadRankData): the same sum to the bit.
  DataShape by_row = DataShape::Of(d.Empty());
  for (uint32_t i = 0; i < d.rows(); ++i) by_row.Add(d.Subset(std::vector<uint32_t>{i}));
  EXPECT_EQ(by_row.rating_sum, DataShape::Of(d).rating_sum);
  EXPECT_EQ(w[model.ItemBias(7)], 0.0);
  EXPECT_EQ(w[model.UserBias(7)], 0.0);
  double s2 = 0;
  for (size_t k = 0; k < 40 * 8; ++k)
    s2 += w[model.ItemFactors(0) + k] * w[model.ItemFactors(0) + k];
  EXPECT_NEAR(std::sqrt(s2 / (40 * 8)), 0.1 / std::sqrt(8.0), 0.01);
}

TEST(MfModelTest, GradientMatchesFiniteDifferences) {
  Rng rng(51);
  MfModel model(6, 5, 3, 0.07, 0.1, 1, 5, 3);
  Dataset d = RandomRatings(6, 5, 30, rng);
  std::vector<double> w = RandomVector(model.NumParams(), 0.6, rng);
  EXPECT_LT(GradientError(model, w, d, std::vector<uint32_t>{0, 4, 4, 9, 17, 29}), 1e-5);
  EXPECT_LT(GradientError(model, w, d, std::vector<uint32_t>{12}), 1e-5);
}

TEST(MfModelTest, GradientHonoursScale) {
  Rng rng(52);
  MfModel model(6, 5, 3, 0.07, 0.1, 1, 5, 3);
  Dataset d = RandomRatings(6, 5, 30, rng);
  std::vector<double> w = RandomVector(model.NumParams(), 0.6, rng);
  const std::vector<uint32_t> rows = {1, 2, 3, 5, 8};
  const std::vector<double> g1 = GradientAt(model, w, d, rows);
  const std::vector<double> gs = GradientAt(model, w, d, rows, 0.3);
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(gs[i], g1[i], 1e-12) << i;
}

TEST(MfModelTest, FusedSgdStepEqualsGradientThenPlainStepToTheBit) {
  // SgdStep must take the steps of Gradient + PlainSgdStep exactly: single ratings (in place)
  // and batches with repeated users and items (the kept buffer), from unit and scaled weights,
  // for ranks that are and are not multiples of the 8 partial sums.
  for (int rank : {3, 8, 13}) {
    for (double scale : {1.0, 0.7}) {
      Rng rng(56);
      MfModel model(9, 7, rank, 0.05, 0.1, 1, 5, 3);
      EXPECT_TRUE(model.FusedSgdStep());
      Dataset d = RandomRatings(9, 7, 60, rng);
      Weights fused(model.NumParams()), plain(model.NumParams());
      const std::vector<double> w0 = RandomVector(model.NumParams(), 0.4, rng);
      for (size_t i = 0; i < w0.size(); ++i) fused.raw()[i] = plain.raw()[i] = w0[i];
      fused.ScaleBy(scale);
      plain.ScaleBy(scale);
      GradientBuffer g(model.NumParams(), true);
      std::vector<uint32_t> order = AllRows(d.rows());
      for (int t = 0; t < 80; ++t) {
        rng.Shuffle(order);
        const size_t n = t % 2 == 0 ? 1 : 1 + t % 6;
        std::span<const uint32_t> rows(order.data(), n), next(order.data() + n, t % 4);
        const double eta = 0.05 / (1 + t % 3);
        g.Clear();
        const double want = model.Gradient(plain.view(), d, rows, g);
        PlainSgdStep(plain, g, eta, model.L2());
        EXPECT_EQ(model.SgdStep(fused, d, rows, eta, next), want) << "rank " << rank << " t " << t;
      }
      EXPECT_EQ(fused.scale(), plain.scale());
      EXPECT_EQ(fused.raw(), plain.raw()) << "rank " << rank << " scale " << scale;
    }
  }
}

TEST(MfModelTest, TouchesOnlyTheBatchUsersAndItems) {
  MfModel model(4, 4, 2, 0.05, 0.1, 1, 5, 3);
  Dataset d = RatingsData(4, 4, {1, 3}, {2, 0}, {4, 2});
  std::vector<double> w(model.NumParams(), 0.1);
  const std::vector<uint32_t> rows = {0};
  const size_t q = model.ItemFactors(2), p = model.UserFactors(1);
  const std::set<uint32_t> want = {0,
                                   static_cast<uint32_t>(model.ItemBias(2)),
                                   static_cast<uint32_t>(q),
                                   static_cast<uint32_t>(q + 1),
                                   static_cast<uint32_t>(model.UserBias(1)),
                                   static_cast<uint32_t>(p),
                                   static_cast<uint32_t>(p + 1)};
  EXPECT_EQ(Touched(model, w, d, rows), want);
}

TEST(MfModelTest, GradientKeysAreWhatGradientReads) {
  MfModel model(6, 5, 3, 0.05, 0.1, 1, 5, 3);
  Rng rng(8);
  const Dataset d = RandomRatings(6, 5, 30, rng);
  const std::vector<double> w = RandomVector(model.NumParams(), 0.4, rng);
  for (const std::vector<uint32_t>& rows : {std::vector<uint32_t>{4}, {1, 9, 9, 20, 29}}) {
    ExpectGradientKeysSuffice(model, w, d, rows);
    ExpectGradientKeysSuffice(model, w, d, rows, /*scale=*/0.5);
  }
}

TEST(MfModelTest, EvaluateOfAKnownModel) {
  MfModel model(2, 2, 1, 0.5, 0.1, 1, 5, 3);
  std::vector<double> w(model.NumParams(), 0.0);
  w[0] = 3;
  w[model.ItemBias(1)] = 1;
  w[model.UserBias(0)] = 0.5;
  w[model.UserFactors(1)] = 2;
  w[model.ItemFactors(1)] = 1;
  // Predictions: (0,0) 3.5; (0,1) 4.5; (1,1) 3 + 1 + 2 = 6 -> clipped to 5.
  Dataset d = RatingsData(2, 2, {0, 0, 1}, {0, 1, 1}, {4, 4.5, 4});
  const MetricSet m = model.Evaluate({w.data(), 1.0, w.size()}, d);
  EXPECT_NEAR(m.at("rmse"), std::sqrt((0.25 + 0 + 1) / 3), 1e-12);
  EXPECT_NEAR(m.at("mae"), (0.5 + 0 + 1) / 3, 1e-12);
  // Objective: unclipped errors 0.5, 0, -2 plus lambda * (|p|^2 + |q|^2 + bu^2 + bi^2).
  const double obj = (0.25 + 0.5 * 0.25) + (0 + 0.5 * (1 + 0.25 + 1)) + (4 + 0.5 * (4 + 1 + 1));
  EXPECT_NEAR(m.at("objective"), obj / 3, 1e-12);
  EXPECT_NEAR(m.at("objective"), LossAt(model, w, d, AllRows(3)), 1e-12);
}

TEST(MfModelTest, SgdRecoversALowRankMatrix) {
  // 3-factor ratings plus biases and noise 0.1; 50% observed; hold out 10%.
  Rng rng(53);
  const uint32_t users = 120, items = 100, k = 3;
  std::vector<double> P = RandomVector(users * k, 0.6, rng), Q = RandomVector(items * k, 0.6, rng);
  std::vector<double> bu = RandomVector(users, 0.3, rng), bi = RandomVector(items, 0.3, rng);
  std::vector<uint32_t> u, i;
  std::vector<float> r;
  for (uint32_t a = 0; a < users; ++a)
    for (uint32_t b = 0; b < items; ++b) {
      if (rng.Uniform() > 0.5) continue;
      double v = 3.5 + bu[a] + bi[b] + 0.1 * rng.Normal();
      for (uint32_t f = 0; f < k; ++f) v += P[a * k + f] * Q[b * k + f];
      u.push_back(a);
      i.push_back(b);
      r.push_back(static_cast<float>(v));
    }
  Dataset all = RatingsData(users, items, u, i, r);
  std::vector<uint32_t> order = AllRows(all.rows());
  rng.Shuffle(order);
  const size_t n_test = order.size() / 10;
  Dataset test = all.Subset(std::span(order).first(n_test));
  Dataset train = all.Subset(std::span(order).subspan(n_test));
  ModelOptions o{.kind = "mf", .l2 = 0.01, .rank = 8};
  auto model = MakeModel(o, train);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Weights w = TrainSgd(**model, train, 0.02, 40, 1, 54);
  const double rmse = (*model)->Evaluate(w.view(), test).at("rmse");
  EXPECT_LT(rmse, 0.2);
}

TEST(MfModelTest, CheckDataRejectsUnknownUsersAndOtherKinds) {
  MfModel model(3, 3, 2, 0.05, 0.1, 1, 5, 3);
  EXPECT_TRUE(model.CheckData(RatingsData(3, 3, {2}, {2}, {1})).ok());
  const Status user = model.CheckData(RatingsData(4, 3, {3}, {0}, {1}));
  EXPECT_EQ(user.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(user.message().find("3 users"), std::string::npos) << user.message();
  EXPECT_FALSE(model.CheckData(RatingsData(3, 4, {0}, {3}, {1})).ok());
  EXPECT_NE(model.CheckData(DenseData(1, {1}, {1})).message().find("ratings"), std::string::npos);
}

TEST(MfModelTest, ConfigRoundTrip) {
  Rng rng(55);
  MfModel model(5, 7, 3, 0.04, 0.2, 0.5, 5, 3);
  Dataset d = RandomRatings(5, 7, 40, rng);
  ExpectConfigRoundTrip(model, RandomVector(model.NumParams(), 0.5, rng), d);
}

}  // namespace
}  // namespace parley
