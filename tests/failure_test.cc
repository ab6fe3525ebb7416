// Dead roles (issue 19 item 4). Every algorithm without a server: asgd and simu go on without
// a dead peer other than 0 and average the survivors; peer 0, which reports the final
// parameters, ends the run with an error naming it; lloyd, which needs every peer's partial
// sums each pass, ends with an error naming the peer that is missing. A dead parameter server
// (--kill sS@t=T) of sync or async ends the run with an error naming it, not its workers.
// Each within the deadline (or two) and a margin. (Dead workers of sync, async, pex and hogwild: ps_test, pex_test,
// hogwild_test; killed processes: tests/crash/kill_test.py.)
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "parley/data/generators.h"
#include "parley/data/writers.h"
#include "parley/runtime/runner.h"
#include "run_fixtures.h"
#include "test_util.h"

namespace parley {
namespace {

using parley::testing::MetricLines;
using parley::testing::SmallLogreg;
using parley::testing::TempDir;
using SteadyClock = std::chrono::steady_clock;

constexpr double kDeadline = 1.0;
constexpr double kMargin = 5.0;  // a loaded 2-core machine

struct Outcome {
  StatusOr<nlohmann::json> summary;
  double seconds;
};

Outcome TrainTimed(const RunOptions& o) {
  const auto start = SteadyClock::now();
  StatusOr<nlohmann::json> s = Train(o);
  return {std::move(s), std::chrono::duration<double>(SteadyClock::now() - start).count()};
}

RunOptions PeersLogreg(const std::filesystem::path& dir, const std::string& algo, int dead) {
  RunOptions o = SmallLogreg(dir);
  o.algo.name = algo;
  o.algo.workers = 3;
  o.algo.deadline = kDeadline;
  o.train.epochs = 2;
  o.emulation.kills = {KillRule{dead, -1, 50}};
  o.metrics_path = (dir / "m.jsonl").string();
  return o;
}

class DeadPeer : public ::testing::TestWithParam<std::string> {};

TEST_P(DeadPeer, OtherThanZeroTheOthersFinishAndAverageTheSurvivors) {
  auto dir = TempDir();
  const Outcome r = TrainTimed(PeersLogreg(dir, GetParam(), 1));
  ASSERT_TRUE(r.summary.ok()) << r.summary.status().ToString();
  ASSERT_EQ((*r.summary)["events"].size(), 1u);
  EXPECT_EQ((*r.summary)["events"][0]["event"], "killed");
  EXPECT_EQ((*r.summary)["events"][0]["worker"], 1);
  EXPECT_EQ(MetricLines(dir / "m.jsonl").back()["peers_averaged"].get<int>(), 2);
  EXPECT_GT((*r.summary)["test"]["accuracy"].get<double>(), 0.8);
  EXPECT_LT(r.seconds, kDeadline + kMargin);
}

TEST_P(DeadPeer, ZeroEndsTheRunNamingIt) {
  auto dir = TempDir();
  const Outcome r = TrainTimed(PeersLogreg(dir, GetParam(), 0));
  ASSERT_FALSE(r.summary.ok());
  const std::string why = r.summary.status().message();
  EXPECT_NE(why.find("peer 0 (rank 0) died"), std::string::npos) << why;
  EXPECT_LT(r.seconds, kDeadline + kMargin);
}

INSTANTIATE_TEST_SUITE_P(AsgdAndSimu, DeadPeer, ::testing::Values("asgd", "simu"));

RunOptions LloydMixture(const std::filesystem::path& dir, int dead) {
  const auto path = dir / "mix.csv";
  if (!std::filesystem::exists(path)) {
    Rng rng(3);
    Dataset d = GenerateMixture(3000, 3, 4, 1.0, 20.0, rng);
    EXPECT_TRUE(WriteDenseCsv(d, path.string()).ok());
  }
  RunOptions o;
  o.train_path = "csv:" + path.string();
  o.model.kind = "kmeans";
  o.model.clusters = 4;
  o.algo.name = "lloyd";
  o.algo.workers = 3;
  o.algo.deadline = kDeadline;
  o.train.epochs = 20;
  o.emulation.kills = {KillRule{dead, -1, 3}};
  o.quiet = true;
  o.seed = 4;
  return o;
}

TEST(DeadLloydPeer, EndsTheRunNamingTheMissingPeer) {
  for (int dead : {1, 2, 0}) {
    SCOPED_TRACE("peer " + std::to_string(dead));
    auto dir = TempDir();
    const Outcome r = TrainTimed(LloydMixture(dir, dead));
    ASSERT_FALSE(r.summary.ok());
    EXPECT_EQ(r.summary.status().code(), StatusCode::kDeadlineExceeded);
    const std::string why = r.summary.status().message();
    const std::string name = "peer " + std::to_string(dead) + " (rank " + std::to_string(dead) + ")";
    EXPECT_NE(why.find(name), std::string::npos) << why;
    // Peer 0 knows who is missing after one deadline; the others wait two for peer 0.
    EXPECT_LT(r.seconds, (dead == 0 ? 2 : 1) * kDeadline + kMargin);
  }
}

class DeadServer : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(DeadServer, EndsTheRunNamingIt) {
  const auto& [algo, server] = GetParam();
  auto dir = TempDir();
  RunOptions o = SmallLogreg(dir);
  o.algo.name = algo;
  o.algo.workers = 2;
  o.algo.servers = 2;
  o.algo.deadline = kDeadline;
  o.train.epochs = 1000;
  o.emulation.step_time = 1e-3;
  KillRule k;
  k.server = server;
  k.at_time = 0.3;
  o.emulation.kills = {k};
  const Outcome r = TrainTimed(o);
  ASSERT_FALSE(r.summary.ok());
  EXPECT_EQ(r.summary.status().code(), StatusCode::kDeadlineExceeded);
  const std::string why = r.summary.status().message();
  const std::string name = "server " + std::to_string(server) + " (rank " + std::to_string(server) + ")";
  EXPECT_NE(why.find("waited 2 s for parameters from " + name), std::string::npos) << why;
  // The workers wait 2 x deadline for the server's parameters.
  EXPECT_LT(r.seconds, 0.3 + 2 * kDeadline + kMargin);
}

INSTANTIATE_TEST_SUITE_P(SyncAndAsync, DeadServer,
                         ::testing::Combine(::testing::Values("sync", "async"), ::testing::Values(0, 1)));

TEST(DeadServer, KillRulesNameServersThatExist) {
  auto dir = TempDir();
  RunOptions o = SmallLogreg(dir);
  o.algo.name = "sync";
  o.algo.workers = 2;
  o.algo.servers = 2;
  KillRule k;
  k.server = 2;
  k.at_time = 0;
  o.emulation.kills = {k};
  const StatusOr<nlohmann::json> s = Train(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--kill names server 2 but the run has servers 0..1"),
            std::string::npos)
      << s.status().message();
  o.algo.name = "asgd";
  o.algo.servers = AlgorithmOptions().servers;
  k.server = 0;
  o.emulation.kills = {k};
  const StatusOr<nlohmann::json> p = Train(o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("no parameter servers"), std::string::npos)
      << p.status().message();
}

}  // namespace
}  // namespace parley
