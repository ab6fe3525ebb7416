#include "parley/runtime/emulation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace parley {
namespace {

TEST(Emulation, ParsesSlowdownsStragglersAndKills) {
  auto s = ParseSlowdowns("3=4,5=2x@10");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].worker, 3);
  EXPECT_EQ((*s)[0].factor, 4);
  EXPECT_EQ((*s)[1].from_time, 10);
  double p, f;
  ASSERT_TRUE(ParseStragglers("0.05:8", &p, &f).ok());
  EXPECT_EQ(p, 0.05);
  EXPECT_EQ(f, 8);
  auto k = ParseKills("2@t=5,1@step=100");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ((*k)[0].at_time, 5);
  EXPECT_EQ((*k)[1].at_step, 100);
  EXPECT_EQ((*k)[1].server, -1);
  auto sk = ParseKills("s1@t=2.5");
  ASSERT_TRUE(sk.ok()) << sk.status().ToString();
  EXPECT_EQ((*sk)[0].server, 1);
  EXPECT_EQ((*sk)[0].at_time, 2.5);
}

TEST(Emulation, BadSpecsNameTheFlagAndTheForm) {
  for (const char* bad : {"3", "x=2", "3=0", "3=2@-1"}) {
    auto s = ParseSlowdowns(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.status().message().find("--slowdown"), std::string::npos);
    EXPECT_NE(s.status().message().find("WORKER=FACTOR"), std::string::npos);
  }
  double p, f;
  EXPECT_FALSE(ParseStragglers("2:8", &p, &f).ok());
  EXPECT_FALSE(ParseStragglers("0.1", &p, &f).ok());
  EXPECT_FALSE(ParseKills("2@5").ok());
  EXPECT_NE(ParseKills("2").status().message().find("--kill"), std::string::npos);
  EXPECT_NE(ParseKills("s1@step=5").status().message().find("a server dies at a time"),
            std::string::npos);
  EXPECT_FALSE(ParseKills("s@t=1").ok());
}

TEST(Emulation, SlowdownsChangeAtTheirTimeAndServersAreNotEmulated) {
  EmulationOptions o;
  o.step_time = 0.01;
  o.slowdowns = {{1, 3, 0}, {1, 1, 5}};
  ComputeEmulator e(o, {-1, 0, 1}, 1);
  EXPECT_EQ(e.Step(0, 0.001, 0).seconds, 0.001);  // a server: measured time only
  EXPECT_DOUBLE_EQ(e.Step(1, 0.001, 0).seconds, 0.01);
  EXPECT_DOUBLE_EQ(e.Step(2, 0.001, 1).seconds, 0.03);
  EXPECT_DOUBLE_EQ(e.Step(2, 0.001, 6).seconds, 0.01);  // back to normal from t = 5
  EXPECT_DOUBLE_EQ(e.Step(2, 0.5, 6).seconds, 0.5);     // never shorter than the work itself
}

TEST(Emulation, StragglersAndLognormalTailsAreSeeded) {
  EmulationOptions o;
  o.step_time = 1;
  o.straggle_prob = 0.1;
  o.straggle_factor = 10;
  o.step_sigma = 0.5;
  ComputeEmulator a(o, {0}, 42), b(o, {0}, 42), c(o, {0}, 43);
  double sum = 0;
  bool differs = false;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double x = a.Step(0, 0, 0).seconds;
    EXPECT_EQ(x, b.Step(0, 0, 0).seconds);
    if (x != c.Step(0, 0, 0).seconds) differs = true;
    sum += x;
  }
  EXPECT_TRUE(differs);
  // Mean: (0.9 + 0.1 * 10) * 1 (the lognormal has mean 1).
  EXPECT_NEAR(sum / n, 1.9, 0.1);
  EXPECT_NEAR(static_cast<double>(a.Stragglers()[0]) / n, 0.1, 0.01);
}

TEST(Emulation, KillsAtStepOrTime) {
  EmulationOptions o;
  o.kills = {{0, -1, 2}, {1, 3.0, -1}};
  ComputeEmulator e(o, {0, 1}, 1);
  EXPECT_FALSE(e.Step(0, 0, 0).killed);
  EXPECT_FALSE(e.Step(0, 0, 0).killed);
  EXPECT_TRUE(e.Step(0, 0, 0).killed);
  EXPECT_FALSE(e.Step(1, 0, 2.9).killed);
  EXPECT_TRUE(e.Step(1, 0, 3.0).killed);
}

}  // namespace
}  // namespace parley
