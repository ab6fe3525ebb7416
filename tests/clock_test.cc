// The run's clock injected (core/clock.h): deadlines and emulated step times are read on the
// clock the runtime hands to the nodes and transports, so under a ManualClock they fire in the
// clock's time without waiting in wall time.
#include <gtest/gtest.h>

#include <chrono>

#include "parley/comm/inproc/inproc_transport.h"
#include "parley/comm/node.h"
#include "parley/core/clock.h"
#include "parley/runtime/runner.h"
#include "run_fixtures.h"

namespace parley {
namespace {

using parley::testing::TempDir;

double WallSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(Clock, ManualClockMovesOnlyForwardAndOnlyWhenTold) {
  ManualClock c(5);
  EXPECT_EQ(c.Now(), 5);
  c.Advance(2);
  EXPECT_EQ(c.Now(), 7);
  c.SleepFor(3);
  EXPECT_EQ(c.Now(), 10);
  c.SleepUntil(4);  // in the past: returns at once, the clock stays
  EXPECT_EQ(c.Now(), 10);
  std::mutex mu;
  std::condition_variable cv;
  std::unique_lock<std::mutex> lock(mu);
  EXPECT_TRUE(c.WaitUntil(cv, lock, 20, [] { return true; }));  // ready: no time passes
  EXPECT_EQ(c.Now(), 10);
  EXPECT_FALSE(c.WaitUntil(cv, lock, 20, [] { return false; }));
  EXPECT_EQ(c.Now(), 20);
}

TEST(Clock, RealClockCountsFromItsOrigin) {
  RealClock c;
  c.Restart(RealClock::Steady::now() - std::chrono::seconds(3));
  EXPECT_GE(c.Now(), 3.0);
  EXPECT_LT(c.Now(), 60.0);
  const double t = c.Now();
  c.SleepFor(0.002);
  EXPECT_GE(c.Now() - t, 0.002);
}

// A run context on a manual clock: the node's Now() is the clock's.
class ClockContext : public RunContext {
 public:
  explicit ClockContext(const Clock& clock) : clock_(clock) {}
  double Now() const override { return clock_.Now(); }
  bool ShouldStop() const override { return stop; }
  void Fail(int, Status s) override { failure = s; }
  void Report(int, const Progress&, WeightsView, bool) override {}
  Status failure;
  bool stop = false;

 private:
  const Clock& clock_;
};

// Two nodes (0 sends, 1 waits) of one in-process transport on a manual clock.
class NodeClock : public ::testing::Test {
 protected:
  ManualClock clock;
  InprocTransport transport{2, clock};
  ClockContext ctx{clock};
  Node a{0, "worker", transport, ctx, Rng(1)};
  Node b{1, "server", transport, ctx, Rng(2)};
};

// A role's Receive timeout of a minute fires in the clock's minute, not in wall time.
TEST_F(NodeClock, ReceiveTimeoutFiresInTheClocksTime) {
  const auto wall = std::chrono::steady_clock::now();
  EXPECT_FALSE(b.Receive(std::chrono::seconds(60)).has_value());
  EXPECT_DOUBLE_EQ(b.Now(), 60.0);
  // A message already waiting is taken at once: no time passes.
  a.Send(1, 3, Bytes(4));
  std::optional<Message> m = b.Receive(std::chrono::seconds(60));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->tag, 3);
  EXPECT_DOUBLE_EQ(b.Now(), 60.0);
  EXPECT_LT(WallSince(wall), 5.0);
}

// Node::Await: a message wins even past the deadline; messages match() refuses are dropped;
// without a message it ends at the deadline or at the stop, on the clock.
TEST_F(NodeClock, AwaitReturnsMessageStopOrTimeoutInTheClocksTime) {
  const auto wall = std::chrono::steady_clock::now();

  Awaited r = b.Await(/*deadline=*/30);
  EXPECT_TRUE(r.timed_out());
  EXPECT_GT(b.Now(), 30.0);
  EXPECT_LT(b.Now(), 30.2);  // one poll past the deadline at most

  a.Send(1, 7, Bytes(1));
  r = b.Await(/*deadline=*/0);  // long past: the waiting message still comes first
  ASSERT_TRUE(r.has_message());
  EXPECT_EQ(r.message.tag, 7);

  a.Send(1, 8, Bytes(1));
  a.Send(1, 9, Bytes(1));
  r = b.Await([](const Message& m) { return m.tag == 9; }, b.Now() + 10);
  ASSERT_TRUE(r.has_message());
  EXPECT_EQ(r.message.tag, 9);  // tag 8 dropped
  EXPECT_EQ(b.counters().messages_received.load(), 3);

  ctx.stop = true;
  const double before = b.Now();
  r = b.Await(Node::kNoDeadline);
  EXPECT_TRUE(r.stopped());
  EXPECT_LT(b.Now() - before, 0.2);
  EXPECT_LT(WallSince(wall), 5.0);
  EXPECT_TRUE(ctx.failure.ok());
}

// Through the whole runtime: emulated steps of 1 s and a 100 s time limit. The run ends after
// about 100 steps of the clock's time, in a fraction of that in wall time.
TEST(RunnerClock, EmulatedStepsAndTimeLimitRunInTheClocksTime) {
  auto dir = TempDir();
  RunOptions o = parley::testing::SmallLogreg(dir);
  ManualClock clock;
  o.clock = &clock;
  o.algo.name = "sequential";
  o.emulation.step_time = 1.0;
  o.time_limit = 100;
  const auto wall = std::chrono::steady_clock::now();
  StatusOr<nlohmann::json> s = Train(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  const double train_seconds = (*s)["train_seconds"].get<double>();
  EXPECT_GE(train_seconds, 100.0);
  EXPECT_LT(train_seconds, 102.0);
  EXPECT_GE(clock.Now(), 100.0);
  // Steps of 1 s each: about as many updates as seconds.
  EXPECT_GE((*s)["updates"].get<int64_t>(), 90);
  EXPECT_LE((*s)["updates"].get<int64_t>(), 102);
  EXPECT_LT((*s)["wall_seconds"].get<double>(), 30.0);
  EXPECT_LT(WallSince(wall), 30.0);

  o.transport = "mpi";  // MPI ranks run in real time only
  EXPECT_FALSE(Train(o).ok());
}

}  // namespace
}  // namespace parley
