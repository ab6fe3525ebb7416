// --transport sim (issue 21): the same roles as actors of a SimGrid simulation, in virtual
// time. A run with --step-time is deterministic to the byte (its metrics log); deadlines,
// kills and the network act in virtual time, so a run that waits a minute of virtual time
// takes a moment of wall time; workers beyond the machine's cores cost only memory.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "parley/runtime/runner.h"
#include "run_fixtures.h"
#include "test_util.h"

namespace parley {
namespace {

using parley::testing::MetricLines;
using parley::testing::ReadAll;
using parley::testing::SmallLogreg;
using parley::testing::TempDir;
using SteadyClock = std::chrono::steady_clock;

// sync with 4 workers on the logistic regression, 1 ms emulated steps (the step-time model:
// nothing measured), 1gbe links.
RunOptions SimLogreg(const std::filesystem::path& dir, const std::string& algo, int workers) {
  RunOptions o = SmallLogreg(dir);
  o.transport = "sim";
  o.algo.name = algo;
  o.algo.workers = workers;
  o.train.epochs = 1;
  o.train.eval_every = 0.25;
  o.emulation.step_time = 1e-3;
  o.emulation.network = *MakeNetworkOptions("1gbe", -1, -1, -1);
  o.metrics_path = (dir / (algo + ".jsonl")).string();
  return o;
}

// Byte-identical logs across processes (the command line, twice): SimGrid's clock does not
// restart for a second simulation in one process, so a second run there computes its times
// from another origin and may round them differently in the last digits.
TEST(Sim, ARunIsTheSameToTheByteEveryTime) {
  auto dir = TempDir();
  RunOptions o = SmallLogreg(dir);  // writes the data
  for (const char* algo : {"sync", "async", "pex", "asgd"}) {
    auto run = [&](int seed, int i) {
      const auto log = dir / (std::string(algo) + std::to_string(i) + ".jsonl");
      const auto summary = dir / (std::string(algo) + std::to_string(i) + ".json");
      const parley::testing::CommandResult r = parley::testing::RunParley(
          "train --data " + o.train_path + " --test-fraction 0.2 --model logreg --batch 4 --lr 0.5"
          " --transport sim --network 1gbe --step-time 0.001 --epochs 1 --eval-every 0.25 --quiet"
          " --algo " + std::string(algo) + " --workers 4 --seed " + std::to_string(seed) +
          " --metrics " + log.string() + " --summary " + summary.string());
      EXPECT_EQ(r.exit_code, 0) << r.output;
      return ReadAll(log);
    };
    const std::string first = run(11, 1);
    EXPECT_FALSE(first.empty()) << algo;
    EXPECT_EQ(run(11, 2), first) << algo;
    EXPECT_NE(run(12, 3), first) << algo << ": another seed, another run";
    const auto s = nlohmann::json::parse(ReadAll(dir / (std::string(algo) + "1.json")));
    EXPECT_GT(s["test"]["accuracy"].get<double>(), 0.7) << algo;
  }
}

// The same roles as in one process, with the same emulated step times: where the algorithm
// is deterministic (sequential; sync, which waits for every gradient) the simulated run ends
// with the in-process run's model to the last digit; where it is not (pex, asgd: who exchanges
// when depends on timing), with its accuracy within 0.03.
TEST(Sim, EndsWhereTheInProcessRunEnds) {
  for (const char* algo : {"sequential", "sync", "pex", "asgd"}) {
    auto dir = TempDir();
    RunOptions o = SimLogreg(dir, algo, std::string(algo) == "sequential" ? 1 : 4);
    StatusOr<nlohmann::json> sim = Train(o);
    ASSERT_TRUE(sim.ok()) << algo << ": " << sim.status().ToString();
    o.transport = "inproc";  // the same 1 ms steps, emulated; no network emulation
    o.emulation.network = NetworkOptions();
    StatusOr<nlohmann::json> threads = Train(o);
    ASSERT_TRUE(threads.ok()) << algo << ": " << threads.status().ToString();
    const double a = (*sim)["test"]["accuracy"].get<double>();
    const double b = (*threads)["test"]["accuracy"].get<double>();
    if (std::string(algo) == "sequential" || std::string(algo) == "sync") {
      EXPECT_EQ((*sim)["test"], (*threads)["test"]) << algo;
      EXPECT_EQ((*sim)["updates"], (*threads)["updates"]) << algo;
    } else {
      EXPECT_NEAR(a, b, 0.03) << algo;
    }
  }
}

// The clock is virtual: sequential SGD with 1 ms steps over 4800 rows (batch 4: 1200 steps)
// takes 1.2 s of training time, evaluation excluded, whatever the machine.
TEST(Sim, StepsCostTheirModelledTime) {
  auto dir = TempDir();
  RunOptions o = SimLogreg(dir, "sequential", 1);
  StatusOr<nlohmann::json> s = Train(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)["updates"].get<int64_t>(), 1200);
  EXPECT_NEAR((*s)["train_seconds"].get<double>(), 1.2, 1e-9);
  EXPECT_EQ((*s)["transport"], "sim");
}

// A slower network makes the parameter server's round trips, and so the run, longer in
// virtual time: sync's 4 workers each send a gradient and get parameters back every step.
TEST(Sim, TheNetworkCostsVirtualTime) {
  auto dir = TempDir();
  RunOptions o = SimLogreg(dir, "sync", 4);
  o.emulation.network = *MakeNetworkOptions("infiniband", -1, -1, -1);
  StatusOr<nlohmann::json> fast = Train(o);
  ASSERT_TRUE(fast.ok()) << fast.status().ToString();
  o.emulation.network = *MakeNetworkOptions("cloud", -1, -1, -1);
  StatusOr<nlohmann::json> slow = Train(o);
  ASSERT_TRUE(slow.ok()) << slow.status().ToString();
  EXPECT_EQ((*fast)["updates"], (*slow)["updates"]);
  // 300 steps; each adds at least a cloud round trip (2 x 2 links x (300 + 200) us) to 1 ms.
  EXPECT_GT((*slow)["train_seconds"].get<double>(), (*fast)["train_seconds"].get<double>() + 0.5);
}

// A dead worker is noticed after --deadline of virtual time: a minute's deadline passes at once.
TEST(Sim, DeadlinesPassInVirtualTime) {
  auto dir = TempDir();
  RunOptions o = SimLogreg(dir, "sync", 2);
  o.algo.deadline = 60;
  o.emulation.kills = {KillRule{1, 0.1, -1}};
  const auto start = SteadyClock::now();
  StatusOr<nlohmann::json> s = Train(o);
  const double wall = std::chrono::duration<double>(SteadyClock::now() - start).count();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(s.status().message().find("worker 1"), std::string::npos) << s.status().message();
  EXPECT_LT(wall, 30) << "a 60 s virtual deadline took " << wall << " s of wall time";
}

// Workers far beyond the cores: 200 asgd peers on 2 cores, as actors of one thread.
TEST(Sim, TwoHundredPeers) {
  auto dir = TempDir();
  RunOptions o = SimLogreg(dir, "asgd", 200);
  o.train.eval_every = 1;
  StatusOr<nlohmann::json> s = Train(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)["ranks"], 200);
  EXPECT_NEAR((*s)["epochs"].get<double>(), 1.0, 0.05);
  EXPECT_GT((*s)["test"]["accuracy"].get<double>(), 0.6);
}

// Any SimGrid platform: ranks go round robin over its hosts sorted by name (here 3 ranks on 2
// hosts; two ranks on one host exchange without the network). (CTest runs every test in a
// process of its own: a platform file loads only in a process's first simulation.)
TEST(Sim, RunsOnAPlatformFile) {
  auto dir = TempDir();
  const auto xml = dir / "two.xml";
  parley::testing::WriteAll(xml, R"(<?xml version='1.0'?>
<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">
<platform version="4.1">
  <zone id="two" routing="Full">
    <host id="a" speed="1Gf"/>
    <host id="b" speed="1Gf"/>
    <link id="ab" bandwidth="10MBps" latency="1ms"/>
    <route src="a" dst="b"><link_ctn id="ab"/></route>
  </zone>
</platform>
)");
  RunOptions o = SimLogreg(dir, "sync", 2);
  o.platform_path = xml.string();
  StatusOr<nlohmann::json> s = Train(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // 600 steps of 1 ms, each with a round trip of at least 2 ms between worker 0 (rank 1, on b)
  // and the server (rank 0, on a).
  EXPECT_GT((*s)["train_seconds"].get<double>(), 600 * 3e-3);
  const auto start = MetricLines(o.metrics_path, /*events=*/true);
  ASSERT_FALSE(start.empty());
  EXPECT_EQ(start.front()["simulation"]["platform"], o.platform_path);
}

TEST(Sim, OptionsAreChecked) {
  auto dir = TempDir();
  RunOptions o = SimLogreg(dir, "sync", 2);
  o.platform_path = (dir / "missing.xml").string();
  StatusOr<nlohmann::json> s = Train(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--platform " + o.platform_path + ": no such file"),
            std::string::npos)
      << s.status().message();
  o.transport = "inproc";
  s = Train(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--platform is for --transport sim"), std::string::npos);
}

}  // namespace
}  // namespace parley
