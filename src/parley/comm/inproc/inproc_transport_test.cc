#include "parley/comm/inproc/inproc_transport.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <thread>

#include "parley/comm/node.h"

namespace parley {
namespace {

Bytes B(std::string_view s) {
  Bytes b(s.size());
  std::memcpy(b.data(), s.data(), s.size());
  return b;
}
std::string S(std::span<const std::byte> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

TEST(InprocTransport, DeliversInOrderPerSender) {
  RealClock clock;
  InprocTransport t(2, clock);
  auto done = std::make_shared<std::atomic<bool>>(false);
  t.Send(0, 1, 7, B("a"), done);
  t.Send(0, 1, 8, B("b"), nullptr);
  EXPECT_TRUE(done->load());
  const double deadline = clock.Now() + 1;
  auto m1 = t.Receive(1, deadline);
  auto m2 = t.Receive(1, deadline);
  ASSERT_TRUE(m1 && m2);
  EXPECT_EQ(m1->from, 0);
  EXPECT_EQ(m1->tag, 7);
  EXPECT_EQ(S(m1->payload), "a");
  EXPECT_EQ(S(m2->payload), "b");
}

TEST(InprocTransport, ReceiveTimesOutWithoutMessage) {
  RealClock clock;
  InprocTransport t(2, clock);
  auto start = SteadyClock::now();
  auto m = t.Receive(0, clock.Now() + 0.03);
  EXPECT_FALSE(m.has_value());
  EXPECT_GE(SteadyClock::now() - start, std::chrono::milliseconds(30));
}

TEST(InprocTransport, AbortWakesBlockedReceiver) {
  RealClock clock;
  InprocTransport t(2, clock);
  std::atomic<bool> returned{false};
  std::thread waiter([&] {
    auto m = t.Receive(0, clock.Now() + 60);
    EXPECT_FALSE(m.has_value());
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  t.Abort();
  waiter.join();
  EXPECT_TRUE(returned);
}

TEST(InprocTransport, SlotNewestWriteWinsAndIsReadOnce) {
  RealClock clock;
  InprocTransport t(3, clock);
  t.Put(1, 0, B("old"), nullptr);
  t.Put(1, 0, B("new"), nullptr);
  t.Put(2, 0, B("two"), nullptr);
  EXPECT_EQ(t.SlotOverwrites(0), 1);
  std::map<int, std::string> got;
  int n = t.ReadFreshSlots(0, [&](int from, std::span<const std::byte> s) { got[from] = S(s); });
  EXPECT_EQ(n, 2);
  EXPECT_EQ(got[1], "new");
  EXPECT_EQ(got[2], "two");
  // A second read yields nothing new.
  n = t.ReadFreshSlots(0, [&](int, std::span<const std::byte>) { ADD_FAILURE(); });
  EXPECT_EQ(n, 0);
}

TEST(InprocTransport, ManyThreadsManyMessages) {
  const int kRanks = 4, kPerSender = 2000;
  RealClock clock;
  InprocTransport t(kRanks, clock);
  std::vector<std::thread> threads;
  std::vector<int64_t> sums(kRanks, 0);
  for (int r = 0; r < kRanks; ++r) {
    threads.emplace_back([&, r] {
      for (int i = 0; i < kPerSender; ++i)
        for (int to = 0; to < kRanks; ++to)
          if (to != r) t.Send(r, to, i, Bytes(8), nullptr);
      for (int i = 0; i < kPerSender * (kRanks - 1); ++i) {
        auto m = t.Receive(r, clock.Now() + 10);
        ASSERT_TRUE(m.has_value());
        sums[r] += m->tag;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int r = 0; r < kRanks; ++r)
    EXPECT_EQ(sums[r], int64_t{kRanks - 1} * kPerSender * (kPerSender - 1) / 2);
}

class FakeContext : public RunContext {
 public:
  double Now() const override { return 0; }
  bool ShouldStop() const override { return false; }
  void Fail(int, Status s) override { failure = s; }
  void Report(int, const Progress&, WeightsView, bool) override {}
  Status failure;
};

TEST(Node, CountsBytesAndMessages) {
  RealClock clock;
  InprocTransport t(2, clock);
  FakeContext ctx;
  Node a(0, "worker", t, ctx, Rng(1)), b(1, "server", t, ctx, Rng(2));
  a.Send(1, 0, Bytes(100));
  a.Put(1, Bytes(40));
  EXPECT_EQ(a.counters().messages_sent.load(), 2);
  EXPECT_EQ(a.counters().bytes_sent.load(), 140);
  EXPECT_EQ(a.SendsInFlight(), 0);  // in-process sends complete at once
  auto m = b.Receive(std::chrono::seconds(1));
  ASSERT_TRUE(m);
  EXPECT_EQ(b.ReadFreshSlots([](int, std::span<const std::byte>) {}), 1);
  EXPECT_EQ(b.counters().messages_received.load(), 2);
  EXPECT_EQ(b.counters().bytes_received.load(), 140);
  EXPECT_FALSE(b.Poll().has_value());
}

}  // namespace
}  // namespace parley
