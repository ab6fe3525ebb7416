#include "parley/algos/asgd/asgd_wire.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(AsgdWire, StateBlocksMustBeBlocksOfTheReceiver) {
  const std::vector<ps::Block> blocks = ps::SplitBlocks(5, 2);  // [0, 2) and [2, 5)
  const std::vector<double> raw = {0.5, 1, 1.5, 2, 2.5};
  const WeightsView w{raw.data(), 2.0, raw.size()};  // true values 1 .. 5
  Bytes b = asgd::EncodeState(w, blocks, /*first=*/1, /*count=*/2);  // block 1, then block 0
  EXPECT_EQ(b.size(), 4u + (4 + 8 + 3 * 8) + (4 + 8 + 2 * 8));  // count; (block, n, values)
  std::vector<asgd::BlockMsg> in;
  ASSERT_TRUE(asgd::DecodeState(b, blocks, &in));
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].block, 1u);
  EXPECT_EQ(in[0].values, (std::vector<double>{3, 4, 5}));
  EXPECT_EQ(in[1].values, (std::vector<double>{1, 2}));
  EXPECT_FALSE(asgd::DecodeState(b, ps::SplitBlocks(5, 1), &in));  // block 1 does not exist
  EXPECT_FALSE(asgd::DecodeState(b, ps::SplitBlocks(6, 2), &in));  // blocks of 3 values
  b.push_back(std::byte{0});
  EXPECT_FALSE(asgd::DecodeState(b, blocks, &in));  // trailing bytes
}

// The one-sided slots (Algorithm::SlotBytes) are sized by MaxStateBytes: a message of every
// block fills it exactly.
TEST(AsgdWire, AStateOfEveryBlockIsMaxStateBytes) {
  const std::vector<double> w(20, 1.0);
  for (int blocks : {1, 3, 7}) {
    const std::vector<ps::Block> split = ps::SplitBlocks(20, blocks);
    const int n = static_cast<int>(split.size());
    const Bytes b = asgd::EncodeState(WeightsView{w.data(), 1.0, w.size()}, split, 0, n);
    EXPECT_EQ(b.size(), asgd::MaxStateBytes(20, split.size())) << blocks << " blocks";
  }
}

TEST(AsgdWire, FinalPartialAndCentresRoundTrip) {
  std::vector<double> v;
  SlotCounts slots;
  const Bytes f = asgd::EncodeFinal(std::vector<double>{1, 2}, {3, 4});
  ASSERT_TRUE(asgd::DecodeFinal(f, 2, &v, &slots));
  EXPECT_EQ(v, (std::vector<double>{1, 2}));
  EXPECT_EQ(slots.puts, 3);
  EXPECT_EQ(slots.reads, 4);
  EXPECT_FALSE(asgd::DecodeFinal(asgd::EncodeFinal(std::vector<double>{1}, {}), 2, &v, &slots));

  int64_t pass = 0;
  std::vector<double> sums, counts;
  const Bytes p = asgd::EncodePartial(7, std::vector<double>{1, 2}, std::vector<double>{3});
  ASSERT_TRUE(asgd::DecodePartial(p, 2, 1, &pass, &sums, &counts));
  EXPECT_EQ(pass, 7);
  EXPECT_EQ(counts, (std::vector<double>{3}));
  EXPECT_FALSE(asgd::DecodePartial(p, 2, 2, &pass, &sums, &counts));

  std::vector<double> c;
  ASSERT_TRUE(asgd::DecodeCentres(asgd::EncodeCentres(3, std::vector<double>{5, 6}), 2, &c));
  EXPECT_EQ(c, (std::vector<double>{5, 6}));
  EXPECT_FALSE(asgd::DecodeCentres(asgd::EncodeCentres(3, std::vector<double>{5}), 2, &c));
}

}  // namespace
}  // namespace parley
