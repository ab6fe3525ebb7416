#include "parley/comm/sim/sim_transport.h"

#include <gtest/gtest.h>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>

#include <atomic>
#include <memory>

#include "parley/comm/sim/sim_platform.h"

namespace parley {
namespace {
namespace sg4 = simgrid::s4u;

// One simulation: an Engine, the built-in platform for `profile`, a transport on it, and one
// actor per rank running body(rank).
struct Sim {
  explicit Sim(int ranks, const std::string& profile = "1gbe") {
    static int argc = 2;
    static char name[] = "sim_transport_test";
    static char quiet[] = "--log=root.thresh:warning";
    static char* argv[] = {name, quiet, nullptr};
    engine = std::make_unique<sg4::Engine>(&argc, argv);
    StatusOr<NetworkOptions> net = MakeNetworkOptions(profile, -1, -1, -1);
    EXPECT_TRUE(net.ok());
    StatusOr<std::vector<sg4::Host*>> h = BuildSimPlatform(*engine, *net, "", ranks);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    hosts = *h;
    clock = std::make_unique<SimClock>();
    transport = std::make_unique<SimTransport>(hosts, *clock);
  }
  void Run(const std::function<void(int)>& body) {
    for (size_t r = 0; r < hosts.size(); ++r)
      sg4::Actor::create("rank" + std::to_string(r), hosts[r], [body, r] { body(static_cast<int>(r)); });
    engine->run();
  }
  std::unique_ptr<sg4::Engine> engine;
  std::vector<sg4::Host*> hosts;
  std::unique_ptr<SimClock> clock;
  std::unique_ptr<SimTransport> transport;
};

Bytes Of(size_t n, int fill) { return Bytes(n, std::byte{static_cast<unsigned char>(fill)}); }

// A message takes the route's latency (two private links) and its size over the link bandwidth,
// in virtual time; a receive that times out returns at its deadline on the same clock.
TEST(SimTransport, MessagesTakeTheirTransferTimeAndTimeoutsFireInVirtualTime) {
  Sim sim(2);
  const double latency = 100e-6, bandwidth = 117e6;  // the 1gbe profile
  const size_t bytes = 1 << 20;
  double timed_out_at = -1, received_at = -1;
  size_t received = 0;
  auto done = std::make_shared<std::atomic<bool>>(false);
  sim.Run([&](int r) {
    if (r == 0) {
      sim.clock->SleepUntil(1.0);
      sim.transport->Send(0, 1, 7, Of(bytes, 1), done);
      return;
    }
    EXPECT_FALSE(sim.transport->Receive(1, 0.5).has_value());
    timed_out_at = sim.clock->Now();
    std::optional<Message> m = sim.transport->Receive(1, 10.0);
    ASSERT_TRUE(m.has_value());
    received_at = sim.clock->Now();
    received = m->payload.size();
    EXPECT_EQ(m->from, 0);
    EXPECT_EQ(m->tag, 7);
  });
  EXPECT_DOUBLE_EQ(timed_out_at, 0.5);
  EXPECT_EQ(received, bytes);
  EXPECT_TRUE(done->load());
  // Two private links (up, down) and the backbone (no latency); SimGrid's CM02 model: latency
  // plus size over the bottleneck bandwidth.
  const double ideal = 2 * latency + (bytes + SimTransport::kEnvelopeBytes) / bandwidth;
  EXPECT_NEAR(received_at - 1.0, ideal, 1e-9 + ideal * 1e-6);
}

// Messages from one sender arrive in order; two senders into one rank share its link, so the
// second of two equal messages sent at once arrives about one transfer time after the first.
TEST(SimTransport, OrderPerPairAndSharedLinks) {
  Sim sim(3);
  std::vector<int> tags;
  std::vector<double> at;
  sim.Run([&](int r) {
    if (r == 0) {
      for (int k = 0; k < 5; ++k) sim.transport->Send(0, 2, k, Of(1000, k), nullptr);
      sim.transport->Send(0, 2, 100, Of(10 << 20, 0), nullptr);
    } else if (r == 1) {
      sim.transport->Send(1, 2, 200, Of(10 << 20, 0), nullptr);
    } else {
      for (int k = 0; k < 7; ++k) {
        std::optional<Message> m = sim.transport->Receive(2, 100.0);
        ASSERT_TRUE(m.has_value());
        tags.push_back(m->tag);
        if (m->tag >= 100) at.push_back(sim.clock->Now());
      }
    }
  });
  ASSERT_EQ(tags.size(), 7u);
  for (int k = 0; k < 5; ++k) EXPECT_EQ(tags[static_cast<size_t>(k)], k);
  ASSERT_EQ(at.size(), 2u);
  const double alone = (10 << 20) / 117e6;
  // Sharing rank 2's link, both 10 MiB messages end at about twice the time of one alone.
  EXPECT_GT(at[0], 1.6 * alone);
  EXPECT_GT(at[1], 1.6 * alone);
}

// One-sided puts: the newest state of each sender wins; older unread ones are counted as
// overwritten; each state is read once.
TEST(SimTransport, SlotsKeepTheNewestStateAndCountOverwrites) {
  Sim sim(3);
  std::vector<std::pair<int, int>> first, second;
  sim.Run([&](int r) {
    if (r == 1 || r == 2) {
      for (int k = 1; k <= 3; ++k) sim.transport->Put(r, 0, Of(8, 10 * r + k), nullptr);
      return;
    }
    sim.clock->SleepUntil(1.0);
    sim.transport->ReadFreshSlots(0, [&](int from, std::span<const std::byte> s) {
      first.emplace_back(from, static_cast<int>(s[0]));
    });
    sim.transport->ReadFreshSlots(0, [&](int from, std::span<const std::byte> s) {
      second.emplace_back(from, static_cast<int>(s[0]));
    });
  });
  EXPECT_EQ(first, (std::vector<std::pair<int, int>>{{1, 13}, {2, 23}}));
  EXPECT_TRUE(second.empty());
  EXPECT_EQ(sim.transport->SlotOverwrites(0), 4);
}

// A message outlives its sender's actor, and Abort makes Receive return nothing.
TEST(SimTransport, MessagesOutliveTheirSenderAndAbortStopsReceives) {
  Sim sim(2);
  bool got = false, after_abort = true;
  sim.Run([&](int r) {
    if (r == 0) {
      sim.transport->Send(0, 1, 1, Of(1 << 20, 0), nullptr);
      return;  // ends while the message is on the wire
    }
    sim.clock->SleepUntil(1.0);
    got = sim.transport->Receive(1, 2.0).has_value();
    sim.transport->Abort();
    after_abort = sim.transport->Receive(1, 3.0).has_value();
  });
  EXPECT_TRUE(got);
  EXPECT_FALSE(after_abort);
}

}  // namespace
}  // namespace parley
