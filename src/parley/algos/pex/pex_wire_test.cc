#include "parley/algos/pex/pex_wire.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(PexWire, MessagesRoundTripAndWrongShapesAreRefused) {
  const std::vector<double> shared = {1, 2, 3};
  const std::vector<uint32_t> local = {0, 4};
  const std::vector<double> values = {7, 8};
  const Bytes c = pex::EncodeContribution(10, 2, 1.5, shared, local, values);
  pex::Contribution got;
  ASSERT_TRUE(pex::DecodeContribution(c, 3, 5, &got));
  EXPECT_EQ(got.rows, 10);
  EXPECT_EQ(got.steps, 2);
  EXPECT_EQ(got.loss_sum, 1.5);
  EXPECT_EQ(got.shared, shared);
  EXPECT_EQ(got.local_index, local);
  EXPECT_EQ(got.local_values, values);
  EXPECT_FALSE(pex::DecodeContribution(c, 2, 5, &got));  // not the master's shared size
  EXPECT_FALSE(pex::DecodeContribution(c, 3, 4, &got));  // local entry 4 outside
  Bytes truncated = c;
  truncated.pop_back();
  EXPECT_FALSE(pex::DecodeContribution(truncated, 3, 5, &got));

  const Bytes a = pex::EncodeAverage(100, 5, shared);
  double budget = 0;
  int64_t clock = 0;
  std::vector<double> average;
  ASSERT_TRUE(pex::DecodeAverage(a, 3, &budget, &clock, &average));
  EXPECT_EQ(budget, 100);
  EXPECT_EQ(clock, 5);
  EXPECT_EQ(average, shared);
  EXPECT_FALSE(pex::DecodeAverage(a, 4, &budget, &clock, &average));
}

}  // namespace
}  // namespace parley
