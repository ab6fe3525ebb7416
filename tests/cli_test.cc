// Tests of the parley program itself: flags, config files, outputs, errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace parley {
namespace {

using parley::testing::ReadAll;
using parley::testing::RunParley;
using parley::testing::TempDir;
using parley::testing::WriteAll;

TEST(Cli, HelpDocumentsEveryFlagWithItsDefault) {
  auto r = RunParley("train --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--data", "--test", "--model", "--algo", "--workers", "--batch", "--epochs",
                           "--lr", "--schedule", "--momentum", "--seed", "--metrics", "--summary",
                           "--model-out", "--config", "--l2", "--hidden", "--rank", "--clusters"}) {
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(r.output.find("--lr FLOAT=0.1"), std::string::npos) << "default of --lr not shown:\n" << r.output;
  EXPECT_NE(r.output.find("--model TEXT=logreg"), std::string::npos);
}

TEST(Cli, BadFlagSaysWhichAndWhy) {
  auto r = RunParley("train --data x.svm --epochz 3");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--epochz"), std::string::npos) << r.output;
  r = RunParley("train --data x.svm --epochs abc");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--epochs"), std::string::npos) << r.output;
}

TEST(Cli, GenTrainEvalRoundTrip) {
  auto dir = TempDir();
  auto r = RunParley("gen sparse-binary --rows 3000 --features 1000 --nnz 15 --label-noise 0 --seed 3 --out " +
                     (dir / "d.svm").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunParley("train --data " + (dir / "d.svm").string() +
                " --test-fraction 0.2 --model logreg --epochs 3 --lr 0.5 --batch 4 --quiet"
                " --metrics " + (dir / "m.jsonl").string() + " --summary " + (dir / "s.json").string() +
                " --model-out " + (dir / "m.parley").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto s = nlohmann::json::parse(ReadAll(dir / "s.json"));
  for (const char* key : {"model", "algo", "workers", "wall_seconds", "epochs", "train", "test"})
    EXPECT_TRUE(s.contains(key)) << key;
  EXPECT_TRUE(s["test"].contains("accuracy"));
  EXPECT_TRUE(s["test"].contains("logloss"));
  EXPECT_TRUE(s["train"].contains("objective"));
  r = RunParley("eval --model-file " + (dir / "m.parley").string() + " --data " + (dir / "d.svm").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto e = nlohmann::json::parse(r.output);
  EXPECT_GT(e["metrics"]["accuracy"].get<double>(), 0.8);
}

TEST(Cli, ConfigFileIsEquivalentToFlags) {
  auto dir = TempDir();
  std::string data = (dir / "d.svm").string();
  ASSERT_EQ(RunParley("gen sparse-binary --rows 2000 --features 500 --nnz 10 --out " + data).exit_code, 0);
  auto r1 = RunParley("train --data " + data + " --test-fraction 0.2 --epochs 2 --lr 0.3 --batch 2 --seed 5 --quiet --summary " +
                      (dir / "a.json").string());
  ASSERT_EQ(r1.exit_code, 0) << r1.output;
  WriteAll(dir / "run.toml", "data = \"" + data + "\"\ntest-fraction = 0.2\nepochs = 2\nlr = 0.3\nbatch = 2\nseed = 5\nquiet = true\n");
  auto r2 = RunParley("train --config " + (dir / "run.toml").string() + " --summary " + (dir / "b.json").string());
  ASSERT_EQ(r2.exit_code, 0) << r2.output;
  auto a = nlohmann::json::parse(ReadAll(dir / "a.json"));
  auto b = nlohmann::json::parse(ReadAll(dir / "b.json"));
  EXPECT_EQ(a["test"], b["test"]);
  EXPECT_EQ(a["train"], b["train"]);
  // A flag on the command line wins over the file.
  auto r3 = RunParley("train --config " + (dir / "run.toml").string() + " --seed 6 --summary " + (dir / "c.json").string());
  ASSERT_EQ(r3.exit_code, 0) << r3.output;
  auto c = nlohmann::json::parse(ReadAll(dir / "c.json"));
  EXPECT_EQ(c["seed"], 6);
}

TEST(Cli, ConfigErrorsNameFileAndLine) {
  auto dir = TempDir();
  WriteAll(dir / "bad.toml", "epochs = 2\nlr = = 3\n");
  auto r = RunParley("train --config " + (dir / "bad.toml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.toml:2"), std::string::npos) << r.output;
  WriteAll(dir / "unknown.toml", "epochs = 2\nlearning_rate = 3\n");
  r = RunParley("train --config " + (dir / "unknown.toml").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown.toml:2"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("learning_rate"), std::string::npos) << r.output;
}

TEST(Cli, MalformedDataFileIsNamedWithLine) {
  auto dir = TempDir();
  WriteAll(dir / "bad.svm", "1 1:0.5 3:1\n-1 2:abc\n");
  auto r = RunParley("train --data " + (dir / "bad.svm").string() + " --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.svm:2"), std::string::npos) << r.output;
}

TEST(Cli, CorruptModelFileIsRejected) {
  auto dir = TempDir();
  std::string data = (dir / "d.svm").string();
  ASSERT_EQ(RunParley("gen sparse-binary --rows 500 --features 100 --nnz 5 --out " + data).exit_code, 0);
  ASSERT_EQ(RunParley("train --data " + data + " --epochs 1 --quiet --model-out " + (dir / "m.parley").string()).exit_code, 0);
  std::string bytes = ReadAll(dir / "m.parley");
  bytes[bytes.size() / 2] ^= 0x5a;
  WriteAll(dir / "m.parley", bytes);
  auto r = RunParley("eval --model-file " + (dir / "m.parley").string() + " --data " + data);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("checksum"), std::string::npos) << r.output;
  WriteAll(dir / "junk.parley", "hello");
  r = RunParley("eval --model-file " + (dir / "junk.parley").string() + " --data " + data);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not a parley model file"), std::string::npos) << r.output;
}

// eval aligns a sparse file's width with the model's: narrower files are evaluated, wider ones
// refused by name (it read the key "features", which sparse models do not save, so neither ran).
TEST(Cli, EvalAlignsSparseWidthWithTheModel) {
  auto dir = TempDir();
  WriteAll(dir / "train.svm", "1 1:1 4:1\n-1 2:1 3:1\n1 1:1\n-1 2:1\n");
  WriteAll(dir / "narrow.svm", "1 1:1\n-1 2:1\n");
  WriteAll(dir / "wide.svm", "1 1:1\n-1 9:1\n");
  const std::string m = (dir / "m.parley").string();
  ASSERT_EQ(RunParley("train --data " + (dir / "train.svm").string() + " --epochs 1 --quiet --model-out " + m)
                .exit_code, 0);
  auto r = RunParley("eval --model-file " + m + " --data " + (dir / "narrow.svm").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = RunParley("eval --model-file " + m + " --data " + (dir / "wide.svm").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("wide.svm has feature indices up to 9; the model was trained on 4 features"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace parley
