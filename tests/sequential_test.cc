// End-to-end tests of sequential SGD through the runtime: real files written by the data
// layer, read back, trained, evaluated, saved and loaded.
#include <gtest/gtest.h>

#include <cmath>

#include "parley/data/generators.h"
#include "parley/data/read.h"
#include "parley/data/split.h"
#include "parley/data/writers.h"
#include "parley/runtime/model_file.h"
#include "parley/runtime/runner.h"
#include "test_util.h"

namespace parley {
namespace {

using parley::testing::ReadAll;
using parley::testing::TempDir;

RunOptions SparseLogreg(const std::filesystem::path& dir) {
  Rng rng(7);
  Dataset d = GenerateSparseBinary(8000, 2000, 20, 0.0, rng);
  EXPECT_TRUE(WriteLibsvm(d, (dir / "data.svm").string()).ok());
  RunOptions o;
  o.train_path = (dir / "data.svm").string();
  o.test_fraction = 0.25;
  o.model.kind = "logreg";
  o.model.l2 = 1e-5;
  o.train.epochs = 5;
  o.train.batch_size = 1;
  o.train.optimizer.schedule.lr = 0.5;
  o.quiet = true;
  o.seed = 11;
  return o;
}

TEST(Sequential, LogregLearnsSeparableSparseData) {
  auto dir = TempDir();
  RunOptions o = SparseLogreg(dir);
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_GT((*summary)["test"]["accuracy"].get<double>(), 0.85);
  EXPECT_NEAR((*summary)["epochs"].get<double>(), 5.0, 1e-9);
  EXPECT_EQ((*summary)["algo"], "sequential");
  EXPECT_EQ((*summary)["model"], "logreg");
  // The SGD settings the run used.
  const nlohmann::json& sgd = (*summary)["sgd"];
  EXPECT_EQ(sgd["batch"], 1);
  EXPECT_EQ(sgd["epochs"], 5.0);
  EXPECT_EQ(sgd["lr"], 0.5);
  EXPECT_EQ(sgd["schedule"], "constant");
  EXPECT_EQ(sgd["momentum"], 0.0);
  EXPECT_EQ(sgd["l2"], 1e-5);
  EXPECT_FALSE(sgd.contains("lr_t0"));
}

TEST(Sequential, SameSeedSameModelFileDifferentSeedDifferent) {
  auto dir = TempDir();
  RunOptions o = SparseLogreg(dir);
  o.model_out = (dir / "a.parley").string();
  ASSERT_TRUE(Train(o).ok());
  o.model_out = (dir / "b.parley").string();
  ASSERT_TRUE(Train(o).ok());
  EXPECT_EQ(ReadAll(dir / "a.parley"), ReadAll(dir / "b.parley"));
  o.seed = 12;
  o.model_out = (dir / "c.parley").string();
  ASSERT_TRUE(Train(o).ok());
  EXPECT_NE(ReadAll(dir / "a.parley"), ReadAll(dir / "c.parley"));
}

// The same split for both seeds (a fixed test file) and a model whose initial parameters do
// not depend on the seed (logreg starts at zero): only the mini-batch order can differ.
TEST(Sequential, TheSeedChoosesTheBatchOrder) {
  auto dir = TempDir();
  RunOptions o = SparseLogreg(dir);
  Rng rng(8);
  const Dataset test = GenerateSparseBinary(500, 2000, 20, 0.0, rng);
  ASSERT_TRUE(WriteLibsvm(test, (dir / "test.svm").string()).ok());
  o.test_fraction = 0;
  o.test_path = (dir / "test.svm").string();
  o.train.epochs = 1;
  for (uint64_t seed : {11, 12}) {
    o.seed = seed;
    o.model_out = (dir / ("s" + std::to_string(seed) + ".parley")).string();
    ASSERT_TRUE(Train(o).ok());
  }
  EXPECT_NE(ReadAll(dir / "s11.parley"), ReadAll(dir / "s12.parley"));
}

TEST(Sequential, MetricsLogHasOneLinePerEvaluation) {
  auto dir = TempDir();
  RunOptions o = SparseLogreg(dir);
  o.train.eval_every = 0.5;
  o.metrics_path = (dir / "m.jsonl").string();
  ASSERT_TRUE(Train(o).ok());
  std::istringstream in(ReadAll(dir / "m.jsonl"));
  std::string line;
  int n = 0;
  double last_epoch = 0;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("event")) continue;  // the run's start, kills, ...
    EXPECT_TRUE(j.contains("time"));
    EXPECT_TRUE(j["test"].contains("accuracy"));
    EXPECT_GE(j["epoch"].get<double>(), last_epoch);
    last_epoch = j["epoch"].get<double>();
    ++n;
  }
  EXPECT_EQ(n, 10);  // 9 periodic evaluations (0.5 .. 4.5 epochs) and the final one
  EXPECT_NEAR(last_epoch, 5.0, 1e-9);
}

TEST(Sequential, TargetStopsEarly) {
  auto dir = TempDir();
  RunOptions o = SparseLogreg(dir);
  o.train.epochs = 50;
  o.train.eval_every = 0.25;
  o.target_metric = "accuracy";
  o.target_value = 0.8;
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE((*summary)["target"]["reached"].get<bool>());
  EXPECT_LT((*summary)["epochs"].get<double>(), 50);
}

// The model file, loaded and evaluated on the run's test file as `parley eval` does, gives the
// test metrics the run reported for its final model.
TEST(Sequential, SavedModelEvaluatesLikeTheRun) {
  auto dir = TempDir();
  RunOptions o = SparseLogreg(dir);
  // The run's test set as a file of its own, so that it can be read back here.
  Rng rng(7);
  Dataset train, test_rows;
  TrainTestSplit(GenerateSparseBinary(8000, 2000, 20, 0.0, rng), 0.25, rng, &train, &test_rows);
  ASSERT_TRUE(WriteLibsvm(train, (dir / "train.svm").string()).ok());
  ASSERT_TRUE(WriteLibsvm(test_rows, (dir / "test.svm").string()).ok());
  o.train_path = (dir / "train.svm").string();
  o.test_fraction = 0;
  o.test_path = (dir / "test.svm").string();
  o.model_out = (dir / "m.parley").string();
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  auto loaded = LoadModel(o.model_out);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->model->Kind(), "logreg");
  ASSERT_EQ(loaded->params.size(), loaded->model->NumParams());
  auto test = ReadDataset(o.test_path);
  ASSERT_TRUE(test.ok()) << test.status().ToString();
  test->sparse.num_features = loaded->model->Config()["num_features"].get<uint32_t>();
  ASSERT_TRUE(loaded->model->CheckData(*test).ok());
  const WeightsView w{loaded->params.data(), 1.0, loaded->params.size()};
  const MetricSet m = loaded->model->Evaluate(w, *test);
  const nlohmann::json& reported = (*summary)["test"];
  ASSERT_EQ(m.size(), reported.size());
  for (const auto& [name, value] : m) {
    ASSERT_TRUE(reported.contains(name)) << name;
    // Equal to rounding: the run scores rows as scale x (raw weights . x), the file holds the
    // weights with the scale multiplied in.
    EXPECT_NEAR(value, reported[name].get<double>(), 1e-9 * (1 + std::abs(value))) << name;
  }
  EXPECT_GT(m.at("accuracy"), 0.85);
}

TEST(Sequential, KmeansFindsMixtureCentres) {
  auto dir = TempDir();
  Rng rng(5);
  Dataset d = GenerateMixture(20000, 5, 4, 1.0, 40.0, rng);
  ASSERT_TRUE(WriteDenseCsv(d, (dir / "mix.csv").string()).ok());
  RunOptions o;
  o.train_path = "csv:" + (dir / "mix.csv").string();
  o.test_fraction = 0.1;
  o.model.kind = "kmeans";
  o.model.clusters = 4;
  // A constant step leaves each centre jittering around its cluster mean; halving the step
  // every 200 batches averages the jitter away.
  o.train.epochs = 5;
  o.train.batch_size = 64;
  o.train.optimizer.schedule.lr = 0.5;
  o.train.optimizer.schedule.kind = "step";
  o.train.optimizer.schedule.every = 200;
  o.train.optimizer.schedule.factor = 0.5;
  o.quiet = true;
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_LT((*summary)["test"]["centre_distance_rel"].get<double>(), 0.05);
}

TEST(Sequential, MatrixFactorisationBeatsTheMeanOnLowRankRatings) {
  auto dir = TempDir();
  Rng rng(9);
  Dataset d = GenerateRatings(300, 400, 5, 30000, 0.3, rng);
  ASSERT_TRUE(WriteRatingsCsv(d, (dir / "r.csv").string()).ok());
  RunOptions o;
  o.train_path = (dir / "r.csv").string();
  o.test_fraction = 0.1;
  o.model.kind = "mf";
  o.model.rank = 8;
  o.model.l2 = 0.02;
  o.train.epochs = 30;
  o.train.batch_size = 1;
  o.train.optimizer.schedule.lr = 0.02;
  o.quiet = true;
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  // Standard deviation of the ratings around their mean, for comparison.
  double mean = 0, var = 0;
  for (float r : d.ratings.rating) mean += r;
  mean /= d.rows();
  for (float r : d.ratings.rating) var += (r - mean) * (r - mean);
  double sd = std::sqrt(var / d.rows());
  EXPECT_LT((*summary)["test"]["rmse"].get<double>(), 0.7 * sd);
}

// The two-layer network draws its output signs at Init: the evaluation copy and the model file
// must carry the same signs as the trained parameters (this crashed before the runtime
// initialised its prototype).
TEST(Sequential, TwoLayerNetworkTrainsEvaluatesAndSaves) {
  auto dir = TempDir();
  Rng rng(5);
  Dataset d = GenerateMixture(2000, 6, 3, 1.0, 10.0, rng);
  ASSERT_TRUE(WriteDenseCsv(d, (dir / "mix.csv").string()).ok());
  RunOptions o;
  o.train_path = "csv:" + (dir / "mix.csv").string();
  o.test_fraction = 0.2;
  o.model.kind = "twolayer";
  o.model.width = 64;
  o.train.epochs = 2;
  o.train.optimizer.schedule.lr = 0.01;
  o.model_out = (dir / "m.parley").string();
  o.quiet = true;
  auto summary = Train(o);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(std::isfinite((*summary)["test"]["rmse"].get<double>()));
  auto loaded = LoadModel(o.model_out);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->model->Config()["signs"].size(), 64u);
}

TEST(Sequential, BadInputIsAClearError) {
  RunOptions o;
  o.train_path = "/nonexistent/file.svm";
  auto s = Train(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent/file.svm"), std::string::npos);
  auto dir = TempDir();
  RunOptions p = SparseLogreg(dir);
  p.algo.name = "magic";
  s = Train(p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--algo"), std::string::npos);
  p = SparseLogreg(dir);
  p.train.batch_size = 0;
  s = Train(p);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--batch"), std::string::npos);
}

}  // namespace
}  // namespace parley
