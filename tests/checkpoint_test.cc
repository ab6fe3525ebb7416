// Checkpoints (train --checkpoint) and resumed runs (train --resume) through the runtime.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "parley/runtime/model_file.h"
#include "parley/runtime/runner.h"
#include "run_fixtures.h"
#include "test_util.h"

namespace parley {
namespace {

using parley::testing::MetricLines;
using parley::testing::SmallLogreg;
using parley::testing::TempDir;

// A checkpoint at a whole epoch carries everything sequential SGD without momentum needs: the
// resumed run sees the batches of the uninterrupted one (each epoch's order depends only on
// the seed and the epoch) and continues its step-size schedule (invsqrt here, so a schedule
// restarted at step 0 would show), so both end with the same parameters to rounding.
TEST(Checkpoint, SequentialResumedAtAnEpochContinuesTheSameTrajectory) {
  auto dir = TempDir();
  RunOptions o = SmallLogreg(dir);
  o.train.epochs = 4;
  o.train.optimizer.schedule.kind = "invsqrt";
  o.train.optimizer.schedule.t0 = 100;
  o.model_out = (dir / "whole.parley").string();
  o.metrics_path = (dir / "whole.jsonl").string();
  ASSERT_TRUE(Train(o).ok());

  RunOptions first = o;
  first.train.epochs = 2;
  first.model_out.clear();
  first.metrics_path.clear();
  first.checkpoint_path = (dir / "run.ck").string();
  ASSERT_TRUE(Train(first).ok());
  auto ck = LoadModel(first.checkpoint_path);
  ASSERT_TRUE(ck.ok()) << ck.status().ToString();
  EXPECT_EQ(ck->checkpoint["epoch"].get<double>(), 2.0);
  EXPECT_GT(ck->checkpoint["updates"].get<int64_t>(), 0);

  RunOptions second = o;
  second.resume_path = first.checkpoint_path;
  second.model_out = (dir / "resumed.parley").string();
  second.metrics_path = (dir / "resumed.jsonl").string();
  auto s = Train(second);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)["resumed_from"]["epoch"].get<double>(), 2.0);

  auto a = LoadModel(o.model_out), b = LoadModel(second.model_out);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->params.size(), b->params.size());
  for (size_t i = 0; i < a->params.size(); ++i)
    ASSERT_NEAR(a->params[i], b->params[i], 1e-9 * (1 + std::abs(a->params[i]))) << i;
  // The resumed log holds the evaluation points after epoch 2, counted from the start.
  auto whole = MetricLines(dir / "whole.jsonl"), resumed = MetricLines(dir / "resumed.jsonl");
  ASSERT_EQ(whole.size(), 4u);
  ASSERT_EQ(resumed.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(resumed[i]["epoch"], whole[i + 2]["epoch"]);
    EXPECT_EQ(resumed[i]["updates"], whole[i + 2]["updates"]);
    EXPECT_NEAR(resumed[i]["test"]["logloss"].get<double>(), whole[i + 2]["test"]["logloss"].get<double>(), 1e-9);
  }
  auto events = MetricLines(dir / "resumed.jsonl", /*events=*/true);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["resumed_from"]["path"], first.checkpoint_path);
}

// A run that cannot go on (sync without backups loses a worker) ends with its error and says
// where its last checkpoint is; resuming from it finishes the run.
TEST(Checkpoint, AFailedRunNamesItsLastCheckpointAndResumesFromIt) {
  auto dir = TempDir();
  RunOptions o = SmallLogreg(dir);
  o.algo.name = "sync";
  o.algo.workers = 3;
  o.algo.deadline = 1.0;
  o.train.epochs = 4;
  o.train.eval_every = 0.5;
  o.emulation.step_time = 2e-4;
  o.emulation.kills = {KillRule{1, -1, 1500}};  // worker 1 dies at its step 1500 (epoch ~3.75)
  o.checkpoint_path = (dir / "run.ck").string();
  auto failed = Train(o);
  ASSERT_FALSE(failed.ok());
  const std::string why = failed.status().message();
  EXPECT_NE(why.find("worker 1"), std::string::npos) << why;
  EXPECT_NE(why.find("continue with --resume " + o.checkpoint_path), std::string::npos) << why;
  auto ck = LoadModel(o.checkpoint_path);
  ASSERT_TRUE(ck.ok()) << ck.status().ToString();
  const double at = ck->checkpoint["epoch"].get<double>();
  EXPECT_GE(at, 3.0);
  EXPECT_LT(at, 4.0);
  EXPECT_NE(why.find("at epoch " + std::to_string(static_cast<int>(at))), std::string::npos) << why;

  o.emulation.kills.clear();
  o.resume_path = o.checkpoint_path;
  o.metrics_path = (dir / "resumed.jsonl").string();
  auto s = Train(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ((*s)["epochs"].get<double>(), 4.0);
  EXPECT_GT((*s)["test"]["accuracy"].get<double>(), 0.85);
  auto lines = MetricLines(dir / "resumed.jsonl");
  ASSERT_FALSE(lines.empty());
  EXPECT_GT(lines.front()["epoch"].get<double>(), at);
}

TEST(Checkpoint, WrittenAtEveryEvaluationAndNothingElseIsLeftBehind) {
  auto dir = TempDir();
  RunOptions o = SmallLogreg(dir);
  o.train.eval_every = 0.5;
  o.checkpoint_path = (dir / "run.ck").string();
  o.model_out = (dir / "final.parley").string();
  ASSERT_TRUE(Train(o).ok());
  auto ck = LoadModel(o.checkpoint_path);
  auto final_model = LoadModel(o.model_out);
  ASSERT_TRUE(ck.ok() && final_model.ok());
  EXPECT_EQ(ck->checkpoint["epoch"].get<double>(), 3.0);
  EXPECT_EQ(ck->checkpoint["algo"], "sequential");
  EXPECT_TRUE(ck->params == final_model->params);  // the last checkpoint is the final evaluation
  EXPECT_TRUE(final_model->checkpoint.is_null());
  // Atomic writes rename a temporary file: none may remain.
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "data.svm" || name == "run.ck" || name == "final.parley") << name;
  }
}

TEST(Checkpoint, BadCheckpointsAndResumesAreRefusedWithTheReason) {
  auto dir = TempDir();
  RunOptions o = SmallLogreg(dir);
  o.train.epochs = 1;
  o.checkpoint_path = (dir / "run.ck").string();
  o.model_out = (dir / "plain.parley").string();
  ASSERT_TRUE(Train(o).ok());
  auto error = [&](RunOptions r) {
    auto s = Train(r);
    EXPECT_FALSE(s.ok());
    return s.ok() ? std::string() : s.status().message();
  };
  auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  RunOptions r = SmallLogreg(dir);
  r.train.epochs = 3;
  r.resume_path = o.checkpoint_path;

  RunOptions other_seed = r;
  other_seed.seed = 12;
  EXPECT_TRUE(has(error(other_seed), "written by a run with --seed 11, this run has --seed 12"));
  RunOptions no_epochs = r;
  no_epochs.train.epochs = 1;
  EXPECT_TRUE(has(error(no_epochs), "at epoch 1 and --epochs is 1: nothing left to train"));
  RunOptions other_model = r;
  other_model.model.l2 = 1e-3;
  EXPECT_TRUE(has(error(other_model), "the checkpoint holds the model"));
  RunOptions plain = r;
  plain.resume_path = o.model_out;
  EXPECT_TRUE(has(error(plain), "a model file, not a checkpoint"));
  RunOptions missing = r;
  missing.resume_path = (dir / "none.ck").string();
  EXPECT_TRUE(has(error(missing), "none.ck"));
  {
    // One flipped byte in the parameters: the checksum catches it.
    std::fstream f(o.checkpoint_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-20, std::ios::end);
    f.put('\x7f');
  }
  std::string corrupt = error(r);
  EXPECT_TRUE(has(corrupt, "run.ck") && has(corrupt, "checksum")) << corrupt;
  RunOptions nowhere = SmallLogreg(dir);
  nowhere.checkpoint_path = (dir / "no" / "such" / "dir" / "run.ck").string();
  EXPECT_TRUE(has(error(nowhere), "does not exist"));
}

}  // namespace
}  // namespace parley
