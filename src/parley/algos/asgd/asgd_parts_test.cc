// Unit tests of the pure parts of ASGD: the Parzen-window test, the load balancer, and the
// one-sided slots it reads through Node.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "parley/algos/asgd/balancer.h"
#include "parley/algos/asgd/parzen.h"
#include "parley/comm/link_schedule.h"
#include "parley/comm/inproc/inproc_transport.h"
#include "parley/comm/node.h"

namespace parley {
namespace {

using V = std::vector<double>;

TEST(ParzenAccept, AcceptsAStateTheStepMovesTowards) {
  // w_i = (0, 0), g = (-1, 0), eps = 0.1: the step goes to (0.1, 0).
  V wi{0, 0}, g{-1, 0};
  EXPECT_TRUE(ParzenAccept(wi, g, 0.1, V{1, 0}));    // 0.81 < 1
  EXPECT_TRUE(ParzenAccept(wi, g, 0.1, V{1, 5}));    // 0.81 + 25 < 1 + 25
  EXPECT_FALSE(ParzenAccept(wi, g, 0.1, V{-1, 0}));  // 1.21 > 1
  EXPECT_FALSE(ParzenAccept(wi, g, 0.1, V{0, 1}));   // 0.01 + 1 > 1
}

TEST(ParzenAccept, BoundaryAndDegenerateCasesReject) {
  V wi{0, 0}, g{-1, 0};
  // Step (0.2, 0) lands exactly as far from (0.1, 0) as the start: not strictly closer.
  EXPECT_FALSE(ParzenAccept(wi, g, 0.2, V{0.1, 0}));
  // Overshoot: step 3 past a state 1 away.
  EXPECT_FALSE(ParzenAccept(wi, g, 3.0, V{1, 0}));
  // No step (g = 0): nothing moves towards anything.
  EXPECT_FALSE(ParzenAccept(wi, V{0, 0}, 0.1, V{1, 0}));
  // The state equal to mine: any step moves away.
  EXPECT_FALSE(ParzenAccept(wi, g, 0.1, wi));
  // Cheap form agrees: 2 <g, w_i - w_j> > eps ||g||^2.
  V a{0.3, -0.2, 1.0}, gg{0.5, 0.1, -0.4}, b{0.1, -0.5, 1.4};
  double dot = 0, gn = 0;
  for (int k = 0; k < 3; ++k) dot += gg[k] * (a[k] - b[k]), gn += gg[k] * gg[k];
  for (double eps : {0.01, 0.1, 0.5, 1.0, 2.0})
    EXPECT_EQ(ParzenAccept(a, gg, eps, b), 2 * dot > eps * gn) << eps;
}

TEST(Balancer, OffAlwaysSendsAndNeverChanges) {
  Balancer b({.mode = "off", .interval = 3, .blocks = 4, .msg_blocks = 4});
  for (int q : {0, 5, 9, 0, 0, 0, 0}) EXPECT_TRUE(b.OnScheduledSend(q));
  EXPECT_EQ(b.interval(), 3);
  EXPECT_EQ(b.msg_blocks(), 4);
}

TEST(Balancer, IntervalLengthensUnderLoadAndShortensWhenIdle) {
  Balancer b({.mode = "interval", .interval = 1, .interval_max = 16, .q_hi = 1, .calm = 3});
  std::vector<int> intervals;
  std::vector<bool> sent;
  for (int q : {2, 3, 5, 4, 9, 9}) {
    sent.push_back(b.OnScheduledSend(q));
    intervals.push_back(b.interval());
  }
  EXPECT_EQ(intervals, (std::vector<int>{2, 4, 8, 16, 16, 16}));
  EXPECT_EQ(sent, std::vector<bool>(6, false));
  EXPECT_EQ(b.skipped(), 6);
  // q == 1 (not above q_hi) sends without change; zeros halve the interval every 3rd send.
  EXPECT_TRUE(b.OnScheduledSend(1));
  EXPECT_EQ(b.interval(), 16);
  intervals.clear();
  for (int i = 0; i < 9; ++i) {
    EXPECT_TRUE(b.OnScheduledSend(0));
    intervals.push_back(b.interval());
  }
  EXPECT_EQ(intervals, (std::vector<int>{16, 16, 8, 8, 8, 4, 4, 4, 2}));
  // A busy send breaks the calm run.
  EXPECT_TRUE(b.OnScheduledSend(0));
  EXPECT_TRUE(b.OnScheduledSend(1));
  EXPECT_TRUE(b.OnScheduledSend(0));
  EXPECT_TRUE(b.OnScheduledSend(0));
  EXPECT_EQ(b.interval(), 2);
  EXPECT_TRUE(b.OnScheduledSend(0));
  EXPECT_EQ(b.interval(), 1);
  // Never below 1.
  for (int i = 0; i < 100; ++i) b.OnScheduledSend(0);
  EXPECT_EQ(b.interval(), 1);
}

// One peer in virtual time: a step every millisecond, a state message of 10 kB at each
// scheduled send into an emulated link (LinkSchedule, the timing NetemTransport uses) with
// 0.1 ms latency and `bw_before` bytes/s until `switch_time`, then a new link of `bw_after`;
// the balancer is fed the number of its messages not yet arrived. Deterministic: no threads,
// no clock. Returns the interval after each step.
std::vector<int> BalancedIntervals(double bw_before, double bw_after, double switch_time, int steps) {
  Balancer b({.mode = "interval", .interval = 1, .interval_max = 64, .q_hi = 1, .calm = 3});
  NetworkOptions before, after;
  before.latency = after.latency = 1e-4;
  before.bandwidth = bw_before;
  after.bandwidth = bw_after;
  LinkSchedule link_before(before, 1), link_after(after, 1);
  std::vector<int> out;
  std::vector<double> arrivals;  // of the messages sent so far
  int since = 0;
  for (int step = 0; step < steps; ++step) {
    const double now = 1e-3 * (step + 1);
    if (++since >= b.interval()) {
      since = 0;
      const auto in_flight = std::count_if(arrivals.begin(), arrivals.end(), [&](double a) { return a > now; });
      if (b.OnScheduledSend(static_cast<int>(in_flight)))
        arrivals.push_back((now < switch_time ? link_before : link_after).Arrival(0, 1, 10000, now));
    }
    out.push_back(b.interval());
  }
  return out;
}

TEST(Balancer, DeterministicEmulatedLinkLengthensWhenSaturatedAndShortensWhenIdle) {
  // 10 kB per message: at 40 MB/s a message takes 0.25 ms, far less than a step (idle link);
  // at 2.5 MB/s it takes 4 ms, four steps (saturated at any interval below 4).
  const std::vector<int> idle = BalancedIntervals(40e6, 40e6, 0, 2000);
  EXPECT_EQ(*std::max_element(idle.begin(), idle.end()), 1);  // never backs off
  const std::vector<int> saturated = BalancedIntervals(2.5e6, 2.5e6, 0, 2000);
  // Backs off past the link's 4 steps per message, then stays within a factor 2 of it:
  // never at 1 or 2 (the queue would grow without bound), never above 8.
  const std::vector<int> late(saturated.begin() + 200, saturated.end());
  EXPECT_GE(*std::min_element(late.begin(), late.end()), 4);
  EXPECT_LE(*std::max_element(late.begin(), late.end()), 8);
  EXPECT_EQ(BalancedIntervals(2.5e6, 2.5e6, 0, 2000), saturated);  // deterministic
  // Slow for 1 s, then fast: the interval is back at 1 within 100 steps of the change.
  const std::vector<int> both = BalancedIntervals(2.5e6, 40e6, 1.0, 2000);
  EXPECT_GE(both[990], 4);
  EXPECT_EQ(both[1100], 1);
  EXPECT_EQ(*std::max_element(both.begin() + 1100, both.end()), 1);
}

TEST(Balancer, SizeHalvesUnderLoadAndDoublesWhenIdle) {
  Balancer b({.mode = "size", .interval = 2, .blocks = 8, .msg_blocks = 8, .q_hi = 1, .calm = 2});
  std::vector<int> sizes;
  for (int q : {3, 3, 3, 3}) {
    EXPECT_FALSE(b.OnScheduledSend(q));
    sizes.push_back(b.msg_blocks());
  }
  EXPECT_EQ(sizes, (std::vector<int>{4, 2, 1, 1}));
  EXPECT_EQ(b.interval(), 2);  // size mode leaves the interval alone
  sizes.clear();
  for (int i = 0; i < 8; ++i) {
    b.OnScheduledSend(0);
    sizes.push_back(b.msg_blocks());
  }
  EXPECT_EQ(sizes, (std::vector<int>{1, 2, 2, 4, 4, 8, 8, 8}));
}

TEST(Balancer, BothShrinksFirstThenLengthens) {
  Balancer b({.mode = "both", .interval = 1, .interval_max = 8, .blocks = 4, .msg_blocks = 4, .calm = 1});
  std::vector<std::pair<int, int>> s;
  for (int i = 0; i < 4; ++i) {
    b.OnScheduledSend(2);
    s.push_back({b.interval(), b.msg_blocks()});
  }
  EXPECT_EQ(s, (std::vector<std::pair<int, int>>{{1, 2}, {1, 1}, {2, 1}, {4, 1}}));
  s.clear();
  for (int i = 0; i < 6; ++i) {
    b.OnScheduledSend(0);
    s.push_back({b.interval(), b.msg_blocks()});
  }
  EXPECT_EQ(s, (std::vector<std::pair<int, int>>{{2, 1}, {1, 1}, {1, 2}, {1, 4}, {1, 4}, {1, 4}}));
}

TEST(BalancerMode, Validation) {
  EXPECT_TRUE(ValidateBalancerMode("both").ok());
  EXPECT_FALSE(ValidateBalancerMode("fast").ok());
}

class NullContext : public RunContext {
 public:
  double Now() const override { return 0; }
  bool ShouldStop() const override { return false; }
  void Fail(int, Status) override {}
  void Report(int, const Progress&, WeightsView, bool) override {}
};

TEST(AsgdSlots, ASlotIsReadOnceAndTheNewestWriteWins) {
  RealClock clock;
  InprocTransport t(3, clock);
  NullContext ctx;
  Node a(0, "peer", t, ctx, Rng(1)), b(1, "peer", t, ctx, Rng(2)), c(2, "peer", t, ctx, Rng(3));
  a.Put(2, Bytes{std::byte{1}});
  a.Put(2, Bytes{std::byte{2}});  // overwrites the unread first write
  b.Put(2, Bytes{std::byte{7}, std::byte{8}});
  std::vector<std::pair<int, std::vector<std::byte>>> seen;
  auto read = [&](int from, std::span<const std::byte> s) { seen.push_back({from, {s.begin(), s.end()}}); };
  EXPECT_EQ(c.ReadFreshSlots(read), 2);
  ASSERT_EQ(seen.size(), 2u);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen[0].first, 0);
  EXPECT_EQ(seen[0].second, (std::vector<std::byte>{std::byte{2}}));
  EXPECT_EQ(seen[1].first, 1);
  EXPECT_EQ(seen[1].second.size(), 2u);
  // Read again: nothing new.
  seen.clear();
  EXPECT_EQ(c.ReadFreshSlots(read), 0);
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(t.SlotOverwrites(2), 1);
  // A new write is fresh again, once.
  b.Put(2, Bytes{std::byte{9}});
  EXPECT_EQ(c.ReadFreshSlots(read), 1);
  EXPECT_EQ(c.ReadFreshSlots(read), 0);
  EXPECT_EQ(c.counters().messages_received.load(), 3);
}

}  // namespace
}  // namespace parley
