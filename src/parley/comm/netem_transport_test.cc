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
  InprocTransport inner(2);
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
    auto m = net.Receive(1, SteadyClock::now() + std::chrono::seconds(5));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->tag, i);  // in order despite the jitter
    // The i-th message leaves after (i + 1) transmissions and then needs the latency.
    EXPECT_GE(Since(start), 0.02 + (i + 1) * 0.01 - 2e-3) << i;
  }
  for (auto& d : done) EXPECT_TRUE(d->load());
}

TEST(Netem, PutsAreDelayedToo) {
  InprocTransport inner(2);
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
  InprocTransport inner(2);
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
