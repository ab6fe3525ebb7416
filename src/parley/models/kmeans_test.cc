#include "parley/models/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "parley/models/model_test_util.h"

namespace parley {
namespace {

using namespace parley::testing;

// A mixture of k Gaussians in d dimensions with centres ~ N(0, spread^2 I), redrawn until
// every two are at least 8 * noise apart, and N(0, noise^2 I) noise; labels are the component
// indices and true_centres is set.
Dataset Mixture(size_t k, size_t d, size_t n, double spread, double noise, Rng& rng) {
  std::vector<float> centres(k * d);
  for (bool separated = false; !separated;) {
    for (float& c : centres) c = static_cast<float>(spread * rng.Normal());
    separated = true;
    for (size_t a = 0; a < k; ++a)
      for (size_t b = 0; b < a; ++b) {
        double d2 = 0;
        for (size_t j = 0; j < d; ++j)
          d2 +=
              (centres[a * d + j] - centres[b * d + j]) * (centres[a * d + j] - centres[b * d + j]);
        separated = separated && d2 >= 64 * noise * noise;
      }
  }
  std::vector<float> x(n * d), y(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = rng.Below(k);
    y[i] = static_cast<float>(c);
    for (size_t j = 0; j < d; ++j)
      x[i * d + j] = centres[c * d + j] + static_cast<float>(noise * rng.Normal());
  }
  Dataset data = DenseData(d, x, y);
  data.true_centres = centres;
  return data;
}

TEST(KMeansModelTest, GradientMatchesFiniteDifferencesAwayFromTies) {
  Rng rng(60);
  KMeansModel model(3, 4);
  Dataset d = Mixture(3, 4, 20, 5.0, 1.0, rng);
  std::vector<double> w(d.true_centres.begin(), d.true_centres.end());
  for (double& c : w) c += 0.3 * rng.Normal();
  EXPECT_LT(GradientError(model, w, d, std::vector<uint32_t>{0, 1, 2, 5, 5, 19}), 1e-5);
}

TEST(KMeansModelTest, TouchesOnlyAssignedCentresAndHonoursScale) {
  KMeansModel model(3, 2);
  Dataset d = DenseData(2, {0.1f, 0, 9.9f, 10, 0, -0.2f}, {0, 1, 0});
  std::vector<double> w = {0, 0, 10, 10, -10, -10};
  EXPECT_EQ(Touched(model, w, d, std::vector<uint32_t>{0, 2}), (std::set<uint32_t>{0, 1}));
  EXPECT_EQ(Touched(model, w, d, std::vector<uint32_t>{1}), (std::set<uint32_t>{2, 3}));
  const std::vector<uint32_t> all = AllRows(3);
  const std::vector<double> g1 = GradientAt(model, w, d, all);
  const std::vector<double> gs = GradientAt(model, w, d, all, 2.5);
  for (size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(gs[i], g1[i], 1e-12);
  // Mean over the batch of (c - x) for the assigned centre.
  EXPECT_NEAR(g1[0], (-0.1 - 0.0) / 3, 1e-7);
  EXPECT_NEAR(g1[3], (10 - 10.0) / 3, 1e-7);
}

TEST(KMeansModelTest, CentreTableMatchesTheReferenceLoopToTheBit) {
  Rng rng(68);
  for (size_t k : {1u, 3u, 10u, 17u}) {
    const size_t d = 7;
    std::vector<float> x(300 * d);
    for (float& v : x) v = static_cast<float>(rng.Normal());
    // Exact ties: rows equal to a centre, and duplicated centres.
    std::vector<double> w(k * d);
    for (double& v : w) v = rng.Normal();
    if (k > 2) std::copy(w.begin(), w.begin() + d, w.begin() + 2 * d);
    for (size_t j = 0; j < d; ++j) x[j] = static_cast<float>(w[j]);
    KMeansModel model(k, d);
    for (double scale : {1.0, 0.75}) {
      const WeightsView view{w.data(), scale, w.size()};
      KMeansCentreTable table;
      table.Load(view, k, d);
      for (size_t r = 0; r < 300; ++r) {
        double a, b;
        const size_t ca = model.Nearest(view, &x[r * d], &a);
        const size_t cb = table.Nearest(&x[r * d], &b);
        ASSERT_EQ(ca, cb) << "k " << k << " row " << r;
        ASSERT_EQ(a, b) << "k " << k << " row " << r;
      }
    }
  }
}

TEST(KMeansModelTest, InitSamplesDistinctRowsDeterministically) {
  KMeansModel model(10, 2);
  Rng a(69), b(69);
  const std::vector<uint32_t> s = model.InitSample(100000, a);
  EXPECT_EQ(s.size(), KMeansModel::kInitSampleMin);
  EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
  EXPECT_EQ(std::set<uint32_t>(s.begin(), s.end()).size(), s.size());
  EXPECT_LT(s.back(), 100000u);
  EXPECT_EQ(model.InitSample(100000, b), s);
  // Spread over the rows, not a prefix: about half the sample in each half of the rows.
  const auto low = std::count_if(s.begin(), s.end(), [](uint32_t r) { return r < 50000; });
  EXPECT_NEAR(static_cast<double>(low) / static_cast<double>(s.size()), 0.5, 0.05);
  // Many clusters: 32 rows per cluster; few rows: all of them.
  KMeansModel many(200, 2);
  EXPECT_EQ(many.InitSample(100000, a).size(), 200u * KMeansModel::kInitSamplePerCluster);
  EXPECT_EQ(model.InitSample(500, a), AllRows(500));
}

TEST(KMeansModelTest, InitOnALargeSetHitsEveryComponent) {
  Rng rng(70);
  Dataset d = Mixture(8, 4, 50000, 10.0, 1.0, rng);
  KMeansModel model(8, 4);
  std::vector<double> w(32);
  Rng init(71);
  model.Init(w, d, init);
  const MetricSet m = model.Evaluate({w.data(), 1.0, w.size()}, d);
  EXPECT_LT(m.at("centre_distance_rel"), 3.0);  // each found centre is a point of its component
}

TEST(KMeansModelTest, InitPicksDistinctTrainingPoints) {
  Rng rng(61);
  Dataset d = Mixture(5, 3, 200, 10.0, 1.0, rng);
  KMeansModel model(5, 3);
  std::vector<double> w(15);
  Rng init(62);
  model.Init(w, d, init);
  std::set<size_t> rows;
  for (size_t c = 0; c < 5; ++c) {
    for (size_t r = 0; r < d.rows(); ++r) {
      bool same = true;
      for (size_t j = 0; j < 3; ++j) same = same && w[c * 3 + j] == d.dense.row(r)[j];
      if (same) rows.insert(r);
    }
  }
  EXPECT_EQ(rows.size(), 5u);
  // k-means++ on a well separated mixture hits every component.
  std::set<float> labels;
  for (size_t r : rows) labels.insert(d.label[r]);
  EXPECT_EQ(labels.size(), 5u);
}

TEST(KMeansModelTest, LloydConvergesToTrueCentres) {
  Rng rng(63);
  // 20000 points: the sample means themselves are within about sqrt(d / 4000) sigma.
  Dataset d = Mixture(5, 3, 20000, 8.0, 1.0, rng);
  KMeansModel model(5, 3);
  std::vector<double> w(15);
  Rng init(64);
  model.Init(w, d, init);
  const std::vector<uint32_t> all = AllRows(d.rows());
  for (int it = 0; it < 20; ++it) {
    std::vector<double> sums, counts;
    // Two halves accumulated separately and summed, as two workers would.
    model.LloydAccumulate({w.data(), 1.0, w.size()}, d, std::span(all).first(10000), sums, counts);
    model.LloydAccumulate({w.data(), 1.0, w.size()}, d, std::span(all).subspan(10000), sums,
                          counts);
    KMeansModel::LloydUpdate(w, sums, counts);
  }
  const MetricSet m = model.Evaluate({w.data(), 1.0, w.size()}, d);
  EXPECT_LT(m.at("centre_distance_rel"), 0.05);
  EXPECT_NEAR(m.at("objective"), 0.5 * 3, 0.1);  // 1/2 E||noise||^2 = d/2
}

TEST(KMeansModelTest, LloydKeepsEmptyClusters) {
  std::vector<double> centres = {1, 2, 3, 4};
  KMeansModel::LloydUpdate(centres, std::vector<double>{10, 20, 0, 0}, std::vector<double>{5, 0});
  EXPECT_EQ(centres, (std::vector<double>{2, 4, 3, 4}));
}

TEST(KMeansModelTest, CentreDistanceMatchesPermutedCentres) {
  KMeansModel model(2, 1);
  Dataset d = DenseData(1, {0, 2, 9, 11}, {0, 0, 1, 1});
  d.true_centres = {1, 10};
  std::vector<double> w = {10.5, 1};  // found in the other order, one off by 0.5
  const MetricSet m = model.Evaluate({w.data(), 1.0, 2}, d);
  EXPECT_NEAR(m.at("centre_distance"), 0.25, 1e-12);
  EXPECT_NEAR(m.at("centre_distance_rel"), 0.25 / 1.0, 1e-12);  // sigma = 1
  // objective: nearest distances 1, 1, 1.5, 0.5.
  EXPECT_NEAR(m.at("objective"), 0.5 * (1 + 1 + 2.25 + 0.25) / 4, 1e-12);
}

TEST(KMeansModelTest, SgdReducesTheQuantisationError) {
  Rng rng(65);
  Dataset d = Mixture(4, 3, 800, 6.0, 1.0, rng);
  KMeansModel model(4, 3);
  Weights w0(12);
  Rng init = Rng(66).Fork("init");
  model.Init(w0.Mutable(), d, init);
  const double before = model.Evaluate(w0.view(), d).at("objective");
  Weights w = TrainSgd(model, d, 0.05, 10, 4, 66);
  EXPECT_LT(model.Evaluate(w.view(), d).at("objective"), before);
  EXPECT_LT(model.Evaluate(w.view(), d).at("centre_distance_rel"), 0.2);
}

TEST(KMeansModelTest, ConfigRoundTrip) {
  Rng rng(67);
  KMeansModel model(3, 4);
  Dataset d = Mixture(3, 4, 50, 5.0, 1.0, rng);
  ExpectConfigRoundTrip(model, RandomVector(12, 3.0, rng), d);
}

}  // namespace
}  // namespace parley
