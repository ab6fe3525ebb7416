#include "parley/comm/netem_transport.h"

#include <gtest/gtest.h>

#include "parley/comm/inproc/inproc_transport.h"

namespace parley {
namespace {

double Since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

TEST(Netem, ProfilesAndOverrides) {
  auto o = MakeNetworkOptions("1gbe", -1, -1, -1);
  ASSERT_TRUE(o.ok());
  EXPECT_GT(o->latency, 0);
  EXPECT_GT(o->bandwidth, 0);
  o = MakeNetworkOptions("none", 0.01, -1, -1);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->profile, "custom");
  EXPECT_TRUE(o->active());
  EXPECT_FALSE(MakeNetworkOptions("none", -1, -1, -1)->active());
  auto bad = MakeNetworkOptions("token-ring", -1, -1, -1);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--network"), std::string::npos);
}

TEST(Netem, LinkIsAFifoThatTakesBytesOverBandwidthPlusLatency) {
  RealClock clock;
  InprocTransport inner(2, clock);
  NetworkOptions o;
  o.latency = 0.02;
  o.bandwidth = 1e6;  // 10 kB take 10 ms
  o.jitter = 0.005;
  NetemTransport net(inner, o, 1);
  const auto start = SteadyClock::now();
  std::vector<SendDone> done;
  for (int i = 0; i < 5; ++i) {
    done.push_back(std::make_shared<std::atomic<bool>>(false));
    net.Send(0, 1, i, Bytes(10000), done.back());
  }
  EXPECT_FALSE(done[0]->load());  // nothing arrives before the latency
  for (int i = 0; i < 5; ++i) {
    auto m = net.Receive(1, clock.Now() + 5);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->tag, i);  // in order despite the jitter
    // The i-th message leaves after (i + 1) transmissions and then needs the latency.
    EXPECT_GE(Since(start), 0.02 + (i + 1) * 0.01 - 2e-3) << i;
  }
  for (auto& d : done) EXPECT_TRUE(d->load());
}

TEST(LinkSchedule, OneLinkPerSenderWhateverTheReceiver) {
  NetworkOptions o;
  o.latency = 1e-3;
  o.bandwidth = 1e6;  // 1 kB take 1 ms
  LinkSchedule link(o, 1);
  // Three messages sent at once to three receivers leave one after the other.
  EXPECT_DOUBLE_EQ(link.Arrival(0, 1, 1000, 0), 0.002);
  EXPECT_DOUBLE_EQ(link.Arrival(0, 2, 1000, 0), 0.003);
  EXPECT_DOUBLE_EQ(link.Arrival(0, 3, 1000, 0), 0.004);
  // Another sender has a link of its own.
  EXPECT_DOUBLE_EQ(link.Arrival(1, 2, 1000, 0), 0.002);
  // An idle link starts at once.
  EXPECT_DOUBLE_EQ(link.Arrival(0, 1, 1000, 1.0), 1.002);
}

TEST(LinkSchedule, JitterNeverReordersOneSendersMessagesToOneReceiver) {
  NetworkOptions o;
  o.latency = 1e-4;
  o.bandwidth = 1e8;
  o.jitter = 5e-3;  // much more than a message's transmission
  LinkSchedule a(o, 3), b(o, 3);
  double last = 0;
  for (int i = 0; i < 200; ++i) {
    const double t = a.Arrival(0, 1, 1000, i * 1e-4);
    EXPECT_GE(t, last);
    EXPECT_EQ(t, b.Arrival(0, 1, 1000, i * 1e-4));  // seeded
    last = t;
  }
}

TEST(Netem, NetworkSlowdownScalesTheWholeProfile) {
  auto base = MakeNetworkOptions("cloud", -1, -1, -1);
  auto slow = MakeNetworkOptions("cloud", -1, -1, -1, 8);
  ASSERT_TRUE(base.ok() && slow.ok());
  EXPECT_DOUBLE_EQ(slow->latency, 8 * base->latency);
  EXPECT_DOUBLE_EQ(slow->jitter, 8 * base->jitter);
  EXPECT_DOUBLE_EQ(slow->bandwidth, base->bandwidth / 8);
  EXPECT_DOUBLE_EQ(slow->variation_period, 8 * base->variation_period);
  EXPECT_EQ(slow->variation_low, base->variation_low);
  auto bad = MakeNetworkOptions("1gbe", -1, -1, -1, 0.5);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("--network-slowdown"), std::string::npos);
}

TEST(Netem, PutsAreDelayedToo) {
  RealClock clock;
  InprocTransport inner(2, clock);
  NetworkOptions o;
  o.latency = 0.03;
  NetemTransport net(inner, o, 1);
  auto done = std::make_shared<std::atomic<bool>>(false);
  net.Put(0, 1, Bytes(8), done);
  auto count = [&] { return net.ReadFreshSlots(1, [](int, std::span<const std::byte>) {}); };
  EXPECT_EQ(count(), 0);
  while (!done->load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(count(), 1);
}

TEST(Netem, VariableBandwidthIsSeededAndBounded) {
  RealClock clock;
  InprocTransport inner(2, clock);
  NetworkOptions o = *MakeNetworkOptions("cloud", -1, -1, -1);
  NetemTransport a(inner, o, 7), b(inner, o, 7);
  bool varies = false;
  for (int k = 0; k < 20; ++k) {
    const double t = k * o.variation_period + 0.01;
    EXPECT_EQ(a.BandwidthAt(t), b.BandwidthAt(t));
    EXPECT_GE(a.BandwidthAt(t), o.bandwidth * o.variation_low);
    EXPECT_LE(a.BandwidthAt(t), o.bandwidth);
    if (a.BandwidthAt(t) != a.BandwidthAt(0.01)) varies = true;
  }
  EXPECT_TRUE(varies);
}

}  // namespace
}  // namespace parley
