// The Kronecker trainer against dense SGD: same loss trajectory, fired sets and weights.
#include "parley/kron/kron_trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>

#include "parley/algos/sgd_loop.h"
#include "parley/data/test_files.h"
#include "parley/kron/dense_trainer.h"
#include "parley/kron/kron_generator.h"
#include "parley/kron/twolayer_init.h"
#include "parley/models/twolayer.h"
#include "parley/optim/sgd.h"

namespace parley {
namespace {

double RelDiff(double a, double b) {
  return std::abs(a - b) / std::max({std::abs(a), std::abs(b), 1e-300});
}

// max |a - b| / max |b|
double MaxRelDiff(std::span<const double> a, std::span<const double> b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0, scale = 0;
  for (size_t k = 0; k < std::min(a.size(), b.size()); ++k) {
    diff = std::max(diff, std::abs(a[k] - b[k]));
    scale = std::max(scale, std::abs(b[k]));
  }
  return diff / scale;
}

std::unique_ptr<KronTrainer> MakeKron(const KronData& train, const KronData* held_out,
                                      size_t width, int threads, const Rng& init) {
  KronTrainerOptions o{.width = width, .threshold = -1, .threads = threads,
                       .min_updates_per_thread = 1};
  StatusOr<std::unique_ptr<KronTrainer>> t = KronTrainer::Create(train, held_out, o, init);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(t).value() : nullptr;
}

TEST(TwoLayerInitStreamTest, DrawsWhatTwoLayerModelInitDraws) {
  const size_t d = 7, m = 10;
  TwoLayerModel model(d, m, -1);
  std::vector<double> w(m * d);
  const Rng init = Rng(5).Fork("init");
  Rng model_rng = init;
  model.Init(w, Dataset{}, model_rng);
  TwoLayerInitStream stream(init, m, d);
  EXPECT_EQ(stream.signs(), model.signs());
  std::vector<double> rows(m * d);
  stream.NextRows(3, rows.data());
  stream.NextRows(m - 3, rows.data() + 3 * d);
  EXPECT_EQ(stream.next_row(), m);
  EXPECT_EQ(rows, w);
}

struct EquivalenceCase {
  size_t n, d1, d2, width;
  int batch;
  double lr;
  int threads;
};

void PrintTo(const EquivalenceCase& c, std::ostream* os) {
  *os << "n=" << c.n << " d=" << c.d1 << "x" << c.d2 << " m=" << c.width << " batch=" << c.batch
      << " lr=" << c.lr << " threads=" << c.threads;
}

class KronEquivalenceTest : public ::testing::TestWithParam<EquivalenceCase> {};

// Over 1200 steps: every batch loss within 1e-9 (relative) of dense SGD's, every fired set
// equal to the dense network's every 150 steps, and the materialised W equal to dense W.
TEST_P(KronEquivalenceTest, SameLossesFiredSetsAndWeightsAsDenseSgd) {
  const EquivalenceCase c = GetParam();
  Rng data_rng(21);
  const KronData train = GenerateKron(c.n, c.d1, c.d2, 24, 0.05, data_rng);
  const KronData held = GenerateKron(37, c.d1, c.d2, 24, 0.05, data_rng);
  const Rng init = Rng(7).Fork("init");
  auto kron = MakeKron(train, &held, c.width, c.threads, init);
  ASSERT_NE(kron, nullptr);
  DenseTrainer dense(train, c.width, -1, init);
  ASSERT_EQ(kron->signs(), dense.signs());
  EXPECT_EQ(kron->threshold(), dense.threshold());

  Rng batch_rng(8);
  BatchStream batches(c.n, c.batch, batch_rng);
  std::vector<double> x(train.dim());
  auto expect_same_fired_sets = [&](int step) {
    for (size_t j = 0; j < c.n; ++j) {
      train.DenseRow(j, x.data());
      const std::vector<uint32_t> want = dense.Fired(x.data());
      std::span<const uint32_t> got = kron->Fired(j);
      ASSERT_TRUE(std::equal(got.begin(), got.end(), want.begin(), want.end()))
          << "point " << j << " after step " << step << ": " << got.size() << " vs " << want.size();
    }
  };
  expect_same_fired_sets(0);
  const double first = kron->EvaluateTrain().at("objective");
  const int steps = 1200;
  double worst = 0;
  for (int t = 0; t < steps; ++t) {
    std::span<const uint32_t> batch = batches.Next();
    const double lk = kron->Step(batch, c.lr);
    const double ld = dense.Step(batch, c.lr);
    worst = std::max(worst, RelDiff(lk, ld));
    ASSERT_LT(RelDiff(lk, ld), 1e-9) << "step " << t << ": " << lk << " vs " << ld;
    if ((t + 1) % 150 == 0) expect_same_fired_sets(t + 1);
  }
  EXPECT_EQ(kron->steps(), steps);
  std::vector<double> w = kron->MaterializeW();
  EXPECT_LT(MaxRelDiff(w, dense.W()), 1e-9);
  const MetricSet kt = kron->EvaluateTrain(), dt = dense.Evaluate(train);
  const MetricSet kh = kron->EvaluateHeldOut(), dh = dense.Evaluate(held);
  EXPECT_LT(RelDiff(kt.at("objective"), dt.at("objective")), 1e-9);
  EXPECT_LT(RelDiff(kh.at("objective"), dh.at("objective")), 1e-9);
  EXPECT_LT(RelDiff(kh.at("rmse"), dh.at("rmse")), 1e-9);
  // The run was not trivial: training made progress and fired sets changed along the way.
  EXPECT_LT(kt.at("objective"), 0.8 * first);
  EXPECT_GT(kron->crossings(), 20);
  const auto fired = kron->FiredFraction();
  EXPECT_GT(fired.mean, 0.0);
  EXPECT_LT(fired.mean, 0.5);
  EXPECT_LE(fired.min, fired.mean);
  EXPECT_GE(fired.max, fired.mean);
  char worst_text[32];
  std::snprintf(worst_text, sizeof worst_text, "%.3g", worst);
  RecordProperty("worst_relative_loss_difference", worst_text);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, KronEquivalenceTest,
    ::testing::Values(EquivalenceCase{64, 4, 5, 128, 1, 1.0, 1},     // single-point batches
                      EquivalenceCase{75, 3, 6, 96, 8, 2.0, 2},      // n not a multiple of 8
                      EquivalenceCase{300, 4, 3, 64, 16, 4.0, 3}),   // several column blocks
    [](const ::testing::TestParamInfo<EquivalenceCase>& info) {
      const EquivalenceCase& c = info.param;
      return "n" + std::to_string(c.n) + "_d" + std::to_string(c.d1) + "x" + std::to_string(c.d2) +
             "_m" + std::to_string(c.width) + "_b" + std::to_string(c.batch) + "_t" +
             std::to_string(c.threads);
    });

// The project's own dense model (TwoLayerModel + SgdOptimizer on the float dense view, exact
// for generated data) follows the same trajectory.
TEST(KronTrainerTest, MatchesTwoLayerModelWithSgdOptimizer) {
  Rng data_rng(31);
  const KronData data = GenerateKron(80, 3, 4, 16, 0.0, data_rng);
  const Dataset view = data.DenseView();
  const size_t m = 48;
  TwoLayerModel model(data.dim(), m, -1);
  Weights w(model.NumParams());
  const Rng init = Rng(3).Fork("init");
  Rng model_rng = init;
  model.Init(w.Mutable(), view, model_rng);
  OptimizerOptions oo;
  oo.schedule.kind = "invsqrt";
  oo.schedule.lr = 2.0;
  oo.schedule.t0 = 50;
  SgdOptimizer optimizer(oo);
  const Schedule schedule(oo.schedule);
  GradientBuffer g(model.NumParams(), false);
  auto kron = MakeKron(data, nullptr, m, 1, init);
  ASSERT_NE(kron, nullptr);
  Rng batch_rng(4);
  BatchStream batches(data.rows(), 5, batch_rng);
  for (int64_t t = 0; t < 400; ++t) {
    std::span<const uint32_t> batch = batches.Next();
    g.Clear();
    const double ld = model.Gradient(w.view(), view, batch, g);
    optimizer.Step(w, g, model.L2(), t);
    const double lk = kron->Step(batch, schedule.At(t));
    ASSERT_LT(RelDiff(lk, ld), 1e-9) << "step " << t;
  }
  EXPECT_LT(MaxRelDiff(kron->MaterializeW(), w.Values()), 1e-9);
  EXPECT_LT(RelDiff(kron->EvaluateTrain().at("rmse"), model.Evaluate(w.view(), view).at("rmse")),
            1e-9);
  EXPECT_TRUE(kron->EvaluateHeldOut().empty());
}

// Threads own disjoint ranges of points, so any thread count gives bit-identical state.
TEST(KronTrainerTest, ThreadCountDoesNotChangeAnyBit) {
  Rng data_rng(41);
  const KronData data = GenerateKron(203, 5, 2, 16, 0.1, data_rng);
  const Rng init = Rng(9).Fork("init");
  auto one = MakeKron(data, nullptr, 80, 1, init);
  auto three = MakeKron(data, nullptr, 80, 3, init);
  ASSERT_NE(one, nullptr);
  ASSERT_NE(three, nullptr);
  EXPECT_EQ(three->threads(), 3);
  Rng batch_rng(10);
  BatchStream batches(data.rows(), 7, batch_rng);
  for (int t = 0; t < 300; ++t) {
    std::span<const uint32_t> batch = batches.Next();
    ASSERT_EQ(one->Step(batch, 3.0), three->Step(batch, 3.0)) << "step " << t;
  }
  EXPECT_GT(one->crossings(), 0);
  EXPECT_EQ(one->crossings(), three->crossings());
  for (size_t r = 0; r < 80; ++r)
    for (size_t j = 0; j < data.rows(); ++j) ASSERT_EQ(one->Projection(r, j), three->Projection(r, j));
  for (size_t j = 0; j < data.rows(); ++j) {
    auto a = one->Fired(j), b = three->Fired(j);
    ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
  EXPECT_EQ(one->MaterializeW(), three->MaterializeW());
}

TEST(KronTrainerTest, StateSizesAndInitialProjections) {
  Rng data_rng(51);
  const KronData data = GenerateKron(13, 2, 3, 4, 0.0, data_rng);
  const KronData held = GenerateKron(5, 2, 3, 4, 0.0, data_rng);
  const Rng init = Rng(2).Fork("init");
  const auto before = std::chrono::steady_clock::now();
  auto kron = MakeKron(data, &held, 6, 1, init);
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - before;
  ASSERT_NE(kron, nullptr);
  // P[r][j] = <w_r(0), x_j> with W0 as TwoLayerModel draws it.
  TwoLayerInitStream stream(init, 6, 6);
  std::vector<double> w0(36), x(6);
  stream.NextRows(6, w0.data());
  for (size_t r = 0; r < 6; ++r) {
    for (size_t j = 0; j < 13; ++j) {
      data.DenseRow(j, x.data());
      double z = 0;
      for (size_t k = 0; k < 6; ++k) z += w0[r * 6 + k] * x[k];
      EXPECT_NEAR(kron->Projection(r, j), z, 1e-13);
    }
  }
  EXPECT_EQ(kron->MaterializeW(), w0);  // no step taken: W = W0 exactly
  const KronMemory mem = kron->memory();
  EXPECT_EQ(mem.projections, 6 * 16 * sizeof(double));  // rows padded to 16 points
  EXPECT_EQ(mem.duals, mem.projections);
  EXPECT_EQ(mem.gram, 13 * 16 * sizeof(double));
  EXPECT_EQ(mem.held_out, (6 * 5 + 13 * 5) * sizeof(double));
  EXPECT_GT(mem.total(), mem.projections + mem.duals + mem.gram);
  // The build's timings: its parts within its total, the total within the wall time around it.
  const KronInitStats& t = kron->init_stats();
  EXPECT_GT(t.gram_seconds, 0.0);
  EXPECT_GT(t.projection_seconds, 0.0);
  EXPECT_LE(t.gram_seconds + t.projection_seconds, t.total_seconds);
  EXPECT_LE(t.total_seconds, wall.count());
  EXPECT_EQ(kron->Step({}, 1.0), 0.0);
}

TEST(KronTrainerTest, CreateRejectsBadOptionsAndData) {
  Rng data_rng(61);
  const KronData data = GenerateKron(10, 2, 2, 4, 0.0, data_rng);
  const KronData other = GenerateKron(10, 2, 3, 4, 0.0, data_rng);
  const Rng init(1);
  using testing_files::ExpectErrorWith;
  ExpectErrorWith(KronTrainer::Create(data, nullptr, {.width = 0}, init).status(), {"width"});
  ExpectErrorWith(KronTrainer::Create(data, nullptr, {.width = 4, .threshold = std::nan("")}, init).status(),
                  {"NaN"});
  ExpectErrorWith(KronTrainer::Create(data, &other, {.width = 4}, init).status(),
                  {"2 x 3", "2 x 2"});
  KronData empty;
  empty.d1 = empty.d2 = 2;
  empty.source = "empty";
  ExpectErrorWith(KronTrainer::Create(empty, nullptr, {.width = 4}, init).status(), {"empty", "no points"});
  // An empty held-out set is no held-out set.
  StatusOr<std::unique_ptr<KronTrainer>> ok = KronTrainer::Create(data, &empty, {.width = 4}, init);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE((*ok)->EvaluateHeldOut().empty());
}

}  // namespace
}  // namespace parley
