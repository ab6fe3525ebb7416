#include "parley/algos/exchange_interval.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(ExchangeInterval, KeepsExchangingWithinTheShareOfTheTime) {
  ExchangeInterval k(10, 100000);
  EXPECT_EQ(k.Next(), 10);  // the floor first
  // Steps of 0.3 us, exchanges of 150 us: K = 150 * 0.9 / (0.1 * 0.3) = 4500.
  k.Record(10, 10 * 0.3e-6, 150e-6);
  EXPECT_EQ(k.Next(), 4500);
  const double share = 150e-6 / (150e-6 + 4500 * 0.3e-6);
  EXPECT_NEAR(share, 0.1, 1e-9);
  // Steps of 2 ms, exchanges of 0.5 ms (a dense MLP): 3 steps would do.
  ExchangeInterval d(1, 1000);
  d.Record(10, 10 * 2e-3, 0.5e-3);
  EXPECT_EQ(d.Next(), 3);  // ceil(0.5 * 0.9 / 0.2) = ceil(2.25)
  d.Record(3, 3 * 20e-3, 0.5e-3);
  EXPECT_EQ(d.Next(), 1);
  // ... but not fewer than the floor.
  ExchangeInterval f(10, 1000);
  f.Record(10, 10 * 2e-3, 0.5e-3);
  EXPECT_EQ(f.Next(), 10);
}

TEST(ExchangeInterval, StaysWithinItsBoundsAndFollowsChangesGradually) {
  ExchangeInterval k(50, 1000);
  k.Record(50, 0, 1e-3);  // steps too short for the clock
  EXPECT_EQ(k.Next(), 1000);
  ExchangeInterval m(5000, 1000);  // a floor above the cap is lowered to it
  EXPECT_EQ(m.Next(), 1000);
  ExchangeInterval g(1, 1000);
  g.Record(1000, 1000 * 1e-6, 9e-6);  // K = 9e-6 * 0.9 / 1e-7 = 81
  EXPECT_EQ(g.Next(), 81);
  g.Record(81, 81 * 1e-6, 9e-5);  // mean exchange 0.75 * 9e-6 + 0.25 * 9e-5 = 2.925e-5
  EXPECT_EQ(g.Next(), 264);       // ceil(2.925e-5 * 0.9 / 1e-7) = ceil(263.25)
  ExchangeInterval z(0, 0);
  EXPECT_EQ(z.Next(), 1);
}

}  // namespace
}  // namespace parley
