// Tests of `parley plot` and `parley compare` through the built binary.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "test_util.h"

namespace parley {
namespace {

using parley::testing::ReadAll;
using parley::testing::RunParley;
using parley::testing::TempDir;
using parley::testing::WriteAll;

bool IsPng(const std::filesystem::path& p) {
  std::string bytes = ReadAll(p);
  return bytes.size() > 100 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

// Whether the plotting interpreter has matplotlib. Without it the commands must fail loudly
// (checked below); the PNG checks need it (scripts/install-deps.sh bench installs it).
bool HaveMatplotlib() {
  const char* py = std::getenv("PARLEY_PYTHON");
  std::string cmd = std::string(py != nullptr && *py ? py : "/usr/bin/python3") +
                    " -c 'import matplotlib' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string Log(double acc0, double acc1) {
  auto line = [](double t, double epoch, int updates, double acc, bool final) {
    return "{\"time\":" + std::to_string(t) + ",\"wall\":" + std::to_string(t + 0.1) + ",\"epoch\":" +
           std::to_string(epoch) + ",\"updates\":" + std::to_string(updates) +
           ",\"train\":{\"accuracy\":0.7,\"logloss\":0.6},\"test\":{\"accuracy\":" + std::to_string(acc) +
           ",\"logloss\":0.5},\"train_loss\":0.4" + (final ? ",\"final\":true" : "") + "}\n";
  };
  return line(0.0, 0.0, 0, 0.5, false) + line(0.5, 0.5, 100, acc0, false) +
         "{\"event\":\"killed\",\"worker\":2,\"time\":0.7}\n\n" + line(1.0, 1.0, 200, acc1, true);
}

TEST(Plot, TwoLogsMakeAPngAndATable) {
  auto dir = TempDir();
  WriteAll(dir / "alpha.jsonl", Log(0.8, 0.85));
  WriteAll(dir / "beta.jsonl", Log(0.9, 0.88));
  auto r = RunParley("plot " + (dir / "alpha.jsonl").string() + " " + (dir / "beta.jsonl").string() + " -o " +
                     (dir / "p.png").string() + " --title 'two logs'");
  // scripts/install-deps.sh build installs matplotlib; without it plot must say so (and this fails).
  ASSERT_TRUE(HaveMatplotlib()) << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(IsPng(dir / "p.png"));
  // The table: both logs, final and best test accuracy, time and epochs of the final line.
  EXPECT_NE(r.output.find("| alpha | 0.8500 | 0.8500 | 1.0000 | 1.00 |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| beta | 0.8800 | 0.9000 | 1.0000 | 1.00 |"), std::string::npos) << r.output;

  // Labels, another metric and x axis, log scale.
  r = RunParley("plot " + (dir / "alpha.jsonl").string() + " " + (dir / "beta.jsonl").string() + " -o " +
                (dir / "q.png").string() + " --labels A,B --metric logloss --x epoch --log-y");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(IsPng(dir / "q.png"));
  EXPECT_NE(r.output.find("| A | 0.5000 | 0.5000 |"), std::string::npos) << r.output;
}

TEST(Plot, BadLogsAreNamedWithTheLine) {
  auto dir = TempDir();
  WriteAll(dir / "good.jsonl", Log(0.8, 0.85));
  WriteAll(dir / "bad.jsonl", Log(0.8, 0.85) + "{\"time\": 2.0, \"test\": {\"accuracy\": 0.9\n");
  auto r = RunParley("plot " + (dir / "good.jsonl").string() + " " + (dir / "bad.jsonl").string() + " -o " +
                     (dir / "p.png").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.jsonl:6"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "p.png"));

  // A metric the log does not have: the file, the line and what it has.
  r = RunParley("plot " + (dir / "good.jsonl").string() + " -o " + (dir / "p.png").string() + " --metric rmse");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("good.jsonl:1"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rmse"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("test.accuracy"), std::string::npos) << r.output;

  // A line that lacks the metric the others have.
  WriteAll(dir / "gap.jsonl", Log(0.8, 0.85) + "{\"time\":2,\"epoch\":2,\"updates\":300,\"wall\":2,\"test\":{\"logloss\":0.4}}\n");
  r = RunParley("plot " + (dir / "gap.jsonl").string() + " -o " + (dir / "p.png").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("gap.jsonl:6"), std::string::npos) << r.output;

  r = RunParley("plot " + (dir / "missing.jsonl").string() + " -o " + (dir / "p.png").string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("missing.jsonl"), std::string::npos) << r.output;

  r = RunParley("plot " + (dir / "good.jsonl").string() + " -o " + (dir / "p.png").string() + " --labels a,b");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--labels"), std::string::npos) << r.output;
}

class Compare : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    data_ = (dir_ / "d.svm").string();
    ASSERT_EQ(RunParley("gen sparse-binary --rows 2000 --features 500 --nnz 10 --out " + data_).exit_code, 0);
  }
  std::string Workload(const std::string& extra = "") const {
    return "[workload]\ndata = \"" + data_ + "\"\ntest-fraction = 0.2\nepochs = 1\nbatch = 4\n" + extra;
  }
  std::filesystem::path dir_;
  std::string data_;
};

TEST_F(Compare, TwoRunsMakeATableAndAPlot) {
  WriteAll(dir_ / "exp.toml", Workload("target = \"accuracy=0.6\"\n") +
                                  "\n[[run]]\nname = \"slow\"\nalgo = \"sequential\"\nlr = 0.05\n"
                                  "\n[[run]]\nname = \"fast\"\nalgo = \"sequential\"\nlr = 0.5\n");
  auto out = dir_ / "out";
  auto r = RunParley("compare --config " + (dir_ / "exp.toml").string() + " --out " + out.string());
  ASSERT_TRUE(HaveMatplotlib()) << r.output;
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[1/2] slow: ok"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[2/2] fast: ok"), std::string::npos) << r.output;
  std::string md = ReadAll(out / "compare.md");
  EXPECT_NE(md.find("| run | algo | workers | test accuracy |"), std::string::npos) << md;
  EXPECT_NE(md.find("time to target"), std::string::npos) << md;
  EXPECT_NE(md.find("| slow | sequential | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| fast | sequential | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("--lr=0.05"), std::string::npos) << md;
  EXPECT_TRUE(IsPng(out / "compare.png"));
  for (const char* f : {"slow.jsonl", "slow.json", "fast.jsonl", "fast.json"})
    EXPECT_TRUE(std::filesystem::exists(out / f)) << f;
}

TEST_F(Compare, AFailedRunIsReportedAndTheOthersStillRun) {
  WriteAll(dir_ / "exp.toml", Workload() +
                                  "\n[[run]]\nname = \"bad\"\nlr = 0.1\nno-such-flag = 3\n"
                                  "\n[[run]]\nname = \"good\"\nlr = 0.1\n");
  auto out = dir_ / "out";
  auto r = RunParley("compare --config " + (dir_ / "exp.toml").string() + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("bad: FAILED"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no-such-flag"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[2/2] good: ok"), std::string::npos) << r.output;
  std::string md = ReadAll(out / "compare.md");
  EXPECT_NE(md.find("| bad |"), std::string::npos) << md;
  EXPECT_NE(md.find("FAILED"), std::string::npos) << md;
  EXPECT_NE(md.find("no-such-flag"), std::string::npos) << md;
  EXPECT_NE(md.find("| good |"), std::string::npos) << md;
}

TEST_F(Compare, ExperimentErrorsNameTheFile) {
  auto run = [&](const std::string& name, const std::string& text) {
    WriteAll(dir_ / name, text);
    return RunParley("compare --config " + (dir_ / name).string() + " --out " + (dir_ / "out").string());
  };
  auto r = run("noname.toml", Workload() + "[[run]]\nlr = 0.1\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("noname.toml:6"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("name"), std::string::npos) << r.output;

  r = run("dup.toml", Workload() + "[[run]]\nname = \"a\"\n[[run]]\nname = \"a\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("dup.toml:9"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("duplicate run name 'a'"), std::string::npos) << r.output;

  r = run("empty.toml", Workload());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("empty.toml"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[[run]]"), std::string::npos) << r.output;

  r = run("syntax.toml", "[workload]\nepochs = = 2\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("syntax.toml:2"), std::string::npos) << r.output;

  r = run("summary.toml", Workload() + "[[run]]\nname = \"a\"\nsummary = \"x.json\"\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("summary.toml:8"), std::string::npos) << r.output;

  EXPECT_FALSE(std::filesystem::exists(dir_ / "out"));  // nothing ran
}

}  // namespace
}  // namespace parley
