// `parley gen kron` and `parley train --model twolayer [--kron]` end to end: the Kronecker
// trainer and the dense baseline on the same file report the same run.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "parley/data/test_files.h"
#include "parley/kron/kron_file.h"
#include "parley/kron/kron_generator.h"
#include "parley/kron/kron_run.h"

namespace parley {
namespace {

struct Result {
  int exit_code = -1;
  std::string output;
};

Result RunParley(const std::string& args) {
  const std::string cmd = std::string(PARLEY_BINARY) + " " + args + " 2>&1";
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f, nullptr, /*allow_exceptions=*/false);
}

std::vector<nlohmann::json> ReadJsonLines(const std::string& path) {
  std::ifstream f(path);
  std::vector<nlohmann::json> lines;
  std::string line;
  while (std::getline(f, line)) lines.push_back(nlohmann::json::parse(line, nullptr, false));
  return lines;
}

double RelDiff(double a, double b) {
  return std::abs(a - b) / std::max({std::abs(a), std::abs(b), 1e-300});
}

TEST(KronRunTest, KronAndDenseViewRunsReportTheSameTrajectory) {
  testing_files::ScratchDir dir;
  const std::string data = dir.Path("points.kron");
  Result r = RunParley("gen kron --n 240 --d1 4 --d2 3 --m 16 --seed 5 --out " + data);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string common = "train --data " + data +
                             " --test-fraction 0.25 --model twolayer --width 64 --batch 4"
                             " --lr 2 --epochs 6 --eval-every 1 --seed 3 --quiet";
  r = RunParley(common + " --kron --kron-threads 2 --metrics " + dir.Path("k.jsonl") +
                " --summary " + dir.Path("k.json") + " --model-out " + dir.Path("k.parley"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = RunParley(common + " --metrics " + dir.Path("d.jsonl") + " --summary " + dir.Path("d.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const nlohmann::json k = ReadJson(dir.Path("k.json")), d = ReadJson(dir.Path("d.json"));
  ASSERT_FALSE(k.is_discarded());
  ASSERT_FALSE(d.is_discarded());
  for (const char* key : {"model", "algo", "workers", "wall_seconds", "train_seconds", "epochs",
                          "updates", "train", "test", "config", "data"}) {
    EXPECT_TRUE(k.contains(key)) << key;
    EXPECT_TRUE(d.contains(key)) << key;
  }
  EXPECT_EQ(k["model"], "twolayer");
  EXPECT_EQ(k["data"]["train"], data);
  EXPECT_EQ(d["data"]["train"], data);
  EXPECT_EQ(k["trainer"], "kron");
  EXPECT_EQ(d["trainer"], "dense");
  EXPECT_FALSE(d.contains("kron"));
  EXPECT_EQ(k["updates"], d["updates"]);
  EXPECT_EQ(k["config"]["signs"], d["config"]["signs"]);
  for (const char* part : {"train", "test"})
    for (const char* metric : {"objective", "rmse"})
      EXPECT_LT(RelDiff(k[part][metric].get<double>(), d[part][metric].get<double>()), 1e-9)
          << part << " " << metric << ": " << k[part][metric] << " vs " << d[part][metric];
  ASSERT_TRUE(k.contains("kron"));
  EXPECT_EQ(k["kron"]["threads"], 2);
  EXPECT_GT(k["kron"]["memory_bytes"]["total"].get<double>(), 0);
  EXPECT_GT(k["kron"]["fired_fraction"]["mean"].get<double>(), 0);
  // Building the state (Gram matrix, then projections) is timed within the run's training
  // time, which starts before it and ends after 6 epochs of steps.
  const nlohmann::json& init = k["kron"]["init_seconds"];
  EXPECT_GT(init["gram"].get<double>(), 0);
  EXPECT_GT(init["projections"].get<double>(), 0);
  EXPECT_LE(init["gram"].get<double>() + init["projections"].get<double>(),
            init["total"].get<double>());
  EXPECT_LT(init["total"].get<double>(), k["train_seconds"].get<double>());

  const auto kl = ReadJsonLines(dir.Path("k.jsonl")), dl = ReadJsonLines(dir.Path("d.jsonl"));
  ASSERT_EQ(kl.size(), 6u);
  ASSERT_EQ(kl.size(), dl.size());
  for (size_t i = 0; i < kl.size(); ++i) {
    EXPECT_EQ(kl[i]["updates"], dl[i]["updates"]);
    EXPECT_LT(RelDiff(kl[i]["train_loss"].get<double>(), dl[i]["train_loss"].get<double>()), 1e-9)
        << "line " << i;
    EXPECT_LT(RelDiff(kl[i]["test"]["objective"].get<double>(), dl[i]["test"]["objective"].get<double>()),
              1e-9)
        << "line " << i;
    EXPECT_TRUE(kl[i].contains("kron"));
  }
  EXPECT_TRUE(kl.back().value("final", false));
  // Training did something: the last test objective is below the first.
  EXPECT_LT(kl.back()["test"]["objective"].get<double>(), kl.front()["test"]["objective"].get<double>());

  // The materialised W in the model file evaluates (by TwoLayerModel, on the float dense view)
  // like the dense trainer's W.
  r = RunParley(common + " --model-out " + dir.Path("d.parley"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Result ek = RunParley("eval --model-file " + dir.Path("k.parley") + " --data " + data);
  Result ed = RunParley("eval --model-file " + dir.Path("d.parley") + " --data " + data);
  ASSERT_EQ(ek.exit_code, 0) << ek.output;
  ASSERT_EQ(ed.exit_code, 0) << ed.output;
  const auto jk = nlohmann::json::parse(ek.output, nullptr, false);
  const auto jd = nlohmann::json::parse(ed.output, nullptr, false);
  ASSERT_FALSE(jk.is_discarded()) << ek.output;
  ASSERT_FALSE(jd.is_discarded()) << ed.output;
  EXPECT_EQ(jk["rows"], 240);
  EXPECT_LT(RelDiff(jk["metrics"]["objective"].get<double>(), jd["metrics"]["objective"].get<double>()),
            1e-9);
}

// The same comparison in this process (so that sanitizer builds cover the run loop too),
// with a held-out file instead of a split and an invsqrt schedule.
TEST(KronRunTest, TrainKronInProcessKronEqualsDense) {
  testing_files::ScratchDir dir;
  Rng rng(17);
  ASSERT_TRUE(WriteKron(GenerateKron(150, 3, 5, 8, 0.01, rng), dir.Path("train.kron")).ok());
  ASSERT_TRUE(WriteKron(GenerateKron(40, 3, 5, 8, 0.01, rng), dir.Path("test.kron")).ok());
  RunOptions o;
  o.train_path = dir.Path("train.kron");
  o.test_path = dir.Path("test.kron");
  o.model.kind = "twolayer";
  o.model.width = 40;
  o.train.batch_size = 6;
  o.train.epochs = 3;
  o.train.eval_every = 0.5;
  o.train.optimizer.schedule.kind = "invsqrt";
  o.train.optimizer.schedule.lr = 3;
  o.train.optimizer.schedule.t0 = 20;
  o.train_eval_rows = 100;  // a seeded sample of the 150 points
  o.quiet = true;
  o.metrics_path = dir.Path("k.jsonl");
  StatusOr<nlohmann::json> k = TrainKron(o, {.kron = true, .threads = 2});
  ASSERT_TRUE(k.ok()) << k.status().message();
  o.metrics_path = dir.Path("d.jsonl");
  StatusOr<nlohmann::json> d = TrainKron(o, {.kron = false});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ((*k)["updates"], 75);
  for (const char* part : {"train", "test"})
    EXPECT_LT(RelDiff((*k)[part]["rmse"].get<double>(), (*d)[part]["rmse"].get<double>()), 1e-9) << part;
  EXPECT_EQ(ReadJsonLines(dir.Path("k.jsonl")).size(), 6u);
  o.test_path = dir.Path("missing.kron");
  EXPECT_EQ(TrainKron(o, {.kron = true}).status().code(), StatusCode::kNotFound);
}

TEST(KronRunTest, KronFlagErrorsSayWhatIsWrong) {
  testing_files::ScratchDir dir;
  const std::string data = dir.Path("p.kron");
  ASSERT_EQ(RunParley("gen kron --n 30 --d1 2 --d2 2 --m 4 --out " + data).exit_code, 0);
  Result r = RunParley("train --data " + data + " --model logreg --kron --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--kron trains --model twolayer only"), std::string::npos) << r.output;
  r = RunParley("train --data " + data + " --model logreg --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("a Kronecker points file trains --model twolayer only"), std::string::npos)
      << r.output;
  r = RunParley("train --data " + data + " --model twolayer --kron --momentum 0.9 --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--momentum"), std::string::npos) << r.output;
  const std::string csv = dir.Write("x.csv", "1,2,3\n0,1,1\n");
  r = RunParley("train --data " + csv + " --model twolayer --kron --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("not a Kronecker points file"), std::string::npos) << r.output;
  const std::string bad = dir.Write("bad.kron", "kron 2 2\n1 1 1 | 1\n");
  r = RunParley("train --data " + bad + " --model twolayer --kron --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.kron:2:"), std::string::npos) << r.output;
  r = RunParley("gen kron --n 0 --out " + dir.Path("z.kron"));
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace parley
