#include "parley/models/kmeans.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>

#include "parley/algos/algorithm.h"
#include "parley/models/model_test_util.h"
#include "parley/optim/sgd.h"

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
  // Block sizes of the kernel: 16 centres, two blocks at a time, a last block part padding.
  for (size_t k : {1u, 3u, 10u, 16u, 17u, 32u, 33u, 48u, 100u}) {
    const size_t d = k == 100 ? 10 : 7;
    std::vector<float> x(300 * d);
    for (float& v : x) v = static_cast<float>(rng.Normal());
    // Exact ties: rows equal to a centre, and duplicated centres.
    std::vector<double> w(k * d);
    for (double& v : w) v = rng.Normal();
    if (k > 2) std::copy(w.begin(), w.begin() + d, w.begin() + 2 * d);
    if (k > 16) std::copy(w.begin() + d, w.begin() + 2 * d, w.end() - d);  // across blocks
    for (size_t j = 0; j < d; ++j) x[j] = static_cast<float>(w[j]);
    if (k > 1)
      for (size_t j = 0; j < d; ++j) x[d + j] = static_cast<float>(w[d + j]);
    KMeansModel model(k, d);
    for (double scale : {1.0, 0.75}) {
      const WeightsView view{w.data(), scale, w.size()};
      // Both kernels (the AVX2 one only where the CPU has it).
      for (auto kernel : {KMeansCentreTable::Kernel::kAuto, KMeansCentreTable::Kernel::kBaseline}) {
        KMeansCentreTable table(kernel);
        table.Load(view, k, d);
        for (size_t r = 0; r < 300; ++r) {
          double a, b;
          const size_t ca = model.Nearest(view, &x[r * d], &a);
          const size_t cb = table.Nearest(&x[r * d], &b);
          ASSERT_EQ(ca, cb) << "k " << k << " row " << r << " avx2 " << table.uses_avx2();
          ASSERT_EQ(a, b) << "k " << k << " row " << r << " avx2 " << table.uses_avx2();
        }
      }
    }
  }
}

TEST(KMeansModelTest, SeedStepMatchesTheReferenceLoopToTheBit) {
  Rng rng(70);
  // Sizes around the kernel's 512-point chunks and its 8 partial sums.
  for (size_t n : {1u, 7u, 8u, 9u, 511u, 512u, 513u, 1100u}) {
    const size_t d = 5;
    std::vector<double> cols(n * d), d2(n);
    for (double& v : cols) v = rng.Normal();
    for (size_t i = 0; i < n; ++i) d2[i] = i % 3 == 0 ? std::numeric_limits<double>::infinity() : rng.Uniform();
    const size_t cand = n / 2;
    std::vector<double> want(n);
    double lane[8] = {};
    for (size_t i = 0; i < n; ++i) {
      double e = 0;
      for (size_t j = 0; j < d; ++j) {
        const double diff = cols[j * n + i] - cols[j * n + cand];
        e += diff * diff;
      }
      want[i] = std::min(d2[i], e);
      lane[i % 8] += want[i];
    }
    const double want_total =
        ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    for (auto kernel : {KMeansCentreTable::Kernel::kAuto, KMeansCentreTable::Kernel::kBaseline}) {
      std::vector<double> out(n);
      const double total = KMeansSeedStep(cols.data(), n, d, cand, d2.data(), out.data(), kernel);
      EXPECT_EQ(total, want_total) << "n " << n;
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], want[i]) << "n " << n << " i " << i;
      EXPECT_EQ(out[cand], 0.0);
      // In place, as Init calls it for the first centre.
      std::vector<double> inplace = d2;
      EXPECT_EQ(KMeansSeedStep(cols.data(), n, d, cand, inplace.data(), inplace.data(), kernel), want_total);
      EXPECT_EQ(inplace, want);
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

TEST(KMeansModelTest, InitOnItsRowsAloneGivesInitsCentres) {
  // What an MPI rank 0 does: draw InitRows, hold only those rows, seed on them.
  Rng rng(72);
  Dataset d = Mixture(8, 4, 20000, 10.0, 1.0, rng);
  KMeansModel model(8, 4);
  std::vector<double> whole(32), part(32);
  Rng a(73), b(73);
  model.Init(whole, d, a);
  const std::optional<std::vector<uint32_t>> rows = model.InitRows(d.rows(), b);
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->size(), KMeansModel::kInitSampleMin);
  model.InitOnRows(part, d.Subset(*rows), b);
  EXPECT_EQ(part, whole);
  EXPECT_EQ(a.Below(1000000), b.Below(1000000));  // the same draws were made
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

// --kmeans-step count with lr 1 and plain SGD: after every batch each centre is the mean of
// all points assigned to it so far (centres without points stay put), also through a
// WeightsView scale != 1; the counts are the assignment counts.
TEST(KMeansModelTest, CountStepKeepsEachCentreAtTheRunningMeanOfItsPoints) {
  const size_t k = 3, d = 2;
  KMeansModel model(k, d, KMeansStep::kCount);
  // Three groups, near (0, 0), (10, 10) and (-10, 5).
  Dataset data = DenseData(d, {0.5f, -1, 1.25f, 0.75f, 9, 11.5f, 10.5f, 9.25f, -0.25f, 0.5f,
                               -9.5f, 5.5f, 11, 10, -10.5f, 4, 0, 0.125f, 8.75f, 10.5f},
                           std::vector<float>(10, 0));
  Weights w(k * d);
  const std::vector<double> start = {1, 1, 9, 9, -9, 6};
  std::copy(start.begin(), start.end(), w.Mutable().begin());
  std::vector<double> sums(k * d, 0.0);
  std::vector<uint64_t> counts(k, 0);
  const std::vector<std::vector<uint32_t>> batches = {{0, 1, 4}, {2, 3}, {5, 6, 7, 8, 9}, {1, 2}};
  GradientBuffer g(k * d, true);
  int step = 0;
  for (const std::vector<uint32_t>& batch : batches) {
    // Expected assignments at the current centres (the reference search).
    for (uint32_t r : batch) {
      double dist2;
      const size_t c = model.Nearest(w.view(), data.dense.row(r), &dist2);
      ++counts[c];
      for (size_t j = 0; j < d; ++j) sums[c * d + j] += data.dense.row(r)[j];
    }
    if (step++ == 2) {  // the same true centres stored with scale 0.5
      w.ScaleBy(0.5);
      for (double& v : w.raw()) v *= 2;
      ASSERT_EQ(w.scale(), 0.5);
    }
    g.Clear();
    model.Gradient(w.view(), data, batch, g);
    PlainSgdStep(w, g, 1.0, model.L2());
    ASSERT_EQ(std::vector<uint64_t>(model.counts().begin(), model.counts().end()), counts);
    for (size_t c = 0; c < k; ++c)
      for (size_t j = 0; j < d; ++j) {
        const double want = counts[c] == 0 ? start[c * d + j] : sums[c * d + j] / counts[c];
        EXPECT_NEAR(w.view()[c * d + j], want, 1e-12) << "step " << step << " centre " << c;
      }
  }
  // Every group was seen; the third centre got only its two points.
  EXPECT_EQ(counts, (std::vector<uint64_t>{5, 5, 2}));
}

// lr multiplies the count step: c <- c - lr (n_c / v_c) (c - mean of its batch points).
TEST(KMeansModelTest, CountStepIsScaledByTheLearningRate) {
  KMeansModel model(2, 1, KMeansStep::kCount);
  Dataset data = DenseData(1, {1, 3, 10, 12, 14}, std::vector<float>(5, 0));
  Weights w(2);
  w.Mutable()[0] = 0;
  w.Mutable()[1] = 11;
  GradientBuffer g(2, true);
  model.Gradient(w.view(), data, std::vector<uint32_t>{0, 1, 2}, g);
  PlainSgdStep(w, g, 0.5, 0);
  EXPECT_NEAR(w.view()[0], 0 + 0.5 * (2 - 0), 1e-12);     // v = 2, n = 2, mean 2
  EXPECT_NEAR(w.view()[1], 11 + 0.5 * (10 - 11), 1e-12);  // v = 1, n = 1, mean 10
  g.Clear();
  model.Gradient(w.view(), data, std::vector<uint32_t>{3, 4}, g);  // both nearest centre 1
  PlainSgdStep(w, g, 0.5, 0);
  EXPECT_NEAR(w.view()[0], 1, 1e-12);
  EXPECT_NEAR(w.view()[1], 10.5 + 0.5 * (2.0 / 3.0) * (13 - 10.5), 1e-12);  // v = 3, n = 2
  // The default rule on the same first batch: the batch-mean gradient.
  KMeansModel lr(2, 1);
  EXPECT_TRUE(lr.counts().empty());
  const std::vector<double> g1 = GradientAt(lr, {0, 11}, data, std::vector<uint32_t>{0, 1, 2});
  EXPECT_NEAR(g1[0], ((0 - 1) + (0 - 3)) / 3.0, 1e-12);
  EXPECT_NEAR(g1[1], (11 - 10) / 3.0, 1e-12);
}

TEST(KMeansModelTest, CountStepCloneStartsAtZeroAndConfigRecordsTheRule) {
  KMeansModel model(2, 1, KMeansStep::kCount);
  Dataset data = DenseData(1, {1, 3, 10}, std::vector<float>(3, 0));
  const std::vector<double> w = {0, 11};
  GradientAt(model, w, data, std::vector<uint32_t>{0, 1, 2});
  EXPECT_EQ(model.counts()[0], 2u);
  EXPECT_EQ(model.counts()[1], 1u);
  std::unique_ptr<Model> clone = model.Clone();
  const auto* k = dynamic_cast<const KMeansModel*>(clone.get());
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->step(), KMeansStep::kCount);
  EXPECT_EQ(std::vector<uint64_t>(k->counts().begin(), k->counts().end()),
            (std::vector<uint64_t>{0, 0}));
  EXPECT_EQ(model.counts()[0], 2u);  // the original keeps its own
  // A clone's first step puts each centre on the mean of its batch points.
  const std::vector<double> g = GradientAt(*clone, w, data, std::vector<uint32_t>{0, 1, 2});
  EXPECT_NEAR(w[0] - g[0], 2, 1e-12);
  EXPECT_NEAR(w[1] - g[1], 10, 1e-12);

  EXPECT_EQ(model.Config().at("step"), "count");
  EXPECT_EQ(KMeansModel(2, 1).Config().at("step"), "lr");
  ExpectConfigRoundTrip(model, w, data);
  auto old = MakeModelFromConfig({{"kind", "kmeans"}, {"clusters", 2}, {"dim", 1}});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ((*old)->Config().at("step"), "lr");  // model files from before the count rule
  auto bad = MakeModelFromConfig({{"kind", "kmeans"}, {"clusters", 2}, {"dim", 1}, {"step", "x"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'step'"), std::string::npos);
  EXPECT_TRUE(UsesKMeansCountStep(model));
  EXPECT_FALSE(UsesKMeansCountStep(KMeansModel(2, 1)));
}

TEST(KMeansModelTest, CountStepOptionIsValidated) {
  Dataset data = DenseData(1, {1, 3, 10}, std::vector<float>(3, 0));
  auto count = MakeModel({.kind = "kmeans", .clusters = 2, .kmeans_step = "count"}, data);
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ((*count)->Config().at("step"), "count");
  auto bad = MakeModel({.kind = "kmeans", .clusters = 2, .kmeans_step = "counts"}, data);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--kmeans-step must be lr or count, got 'counts'"),
            std::string::npos)
      << bad.status().message();
  // Momentum is refused with the count rule only.
  TrainOptions o;
  o.optimizer.momentum = 0.9;
  const Status s = ValidateTrainOptions(o, **count);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--kmeans-step count"), std::string::npos) << s.message();
  EXPECT_TRUE(ValidateTrainOptions(o, KMeansModel(2, 1)).ok());
}

// The team's search gives the bits one thread gives: gradients, touched coordinates (in the
// same order), losses and counts, for both step rules and batches above and below
// kParallelRows; clones keep the thread count.
TEST(KMeansModelTest, ThreadsGiveTheSameBitsAsOne) {
  Rng rng(71);
  const size_t k = 20, d = 6;
  Dataset data = Mixture(k, d, 3000, 6.0, 1.0, rng);
  for (KMeansStep step : {KMeansStep::kLr, KMeansStep::kCount}) {
    KMeansModel one(k, d, step, 1);
    KMeansModel three(k, d, step, 3);
    std::unique_ptr<Model> clone = three.Clone();
    ASSERT_EQ(dynamic_cast<const KMeansModel&>(*clone).threads(), 3);
    std::vector<double> w(k * d);
    Rng init(5);
    one.Init(w, data, init);
    std::vector<double> w3 = w, wc = w;
    size_t at = 0;
    for (size_t m : {300u, 64u, 63u, 1u, 257u, 1000u}) {
      std::vector<uint32_t> rows(m);
      for (uint32_t& r : rows) r = static_cast<uint32_t>(rng.Below(data.rows()));
      GradientBuffer g1(k * d, true), g3(k * d, true), gc(k * d, true);
      const double l1 = one.Gradient({w.data(), 0.75, w.size()}, data, rows, g1);
      const double l3 = three.Gradient({w3.data(), 0.75, w3.size()}, data, rows, g3);
      const double lc = clone->Gradient({wc.data(), 0.75, wc.size()}, data, rows, gc);
      EXPECT_EQ(l1, l3) << "batch " << at;
      EXPECT_EQ(l1, lc) << "batch " << at;
      ASSERT_TRUE(std::equal(g1.touched().begin(), g1.touched().end(), g3.touched().begin(), g3.touched().end()));
      ASSERT_TRUE(std::equal(g1.touched().begin(), g1.touched().end(), gc.touched().begin(), gc.touched().end()));
      for (size_t i = 0; i < k * d; ++i) {
        ASSERT_EQ(g1[i], g3[i]) << "batch " << at << " coordinate " << i;
        ASSERT_EQ(g1[i], gc[i]) << "batch " << at << " coordinate " << i;
        w[i] -= g1[i] / 0.75;
        w3[i] -= g3[i] / 0.75;
        wc[i] -= gc[i] / 0.75;
      }
      ++at;
    }
    EXPECT_TRUE(std::equal(one.counts().begin(), one.counts().end(), three.counts().begin(), three.counts().end()));
  }
  // The option is validated.
  auto bad = MakeModel({.kind = "kmeans", .clusters = 2, .kmeans_threads = -1}, DenseData(1, {1, 3, 10}, std::vector<float>(3, 0)));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--kmeans-threads must be >= 0"), std::string::npos) << bad.status().message();
}

TEST(KMeansModelTest, ConfigRoundTrip) {
  Rng rng(67);
  KMeansModel model(3, 4);
  Dataset d = Mixture(3, 4, 50, 5.0, 1.0, rng);
  ExpectConfigRoundTrip(model, RandomVector(12, 3.0, rng), d);
}

}  // namespace
}  // namespace parley
