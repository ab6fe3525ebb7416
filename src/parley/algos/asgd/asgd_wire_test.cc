#include "parley/algos/asgd/asgd_wire.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(AsgdWire, StateBlocksMustBeBlocksOfTheReceiver) {
  const std::vector<ps::Block> blocks = ps::SplitBlocks(5, 2);  // [0, 2) and [2, 5)
  Bytes b;
  WireWriter w(b);
  asgd::PutStateCount(w, 2);
  asgd::PutStateBlock(w, 1, std::vector<double>{3, 4, 5});
  asgd::PutStateBlock(w, 0, std::vector<double>{1, 2});
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
  for (size_t blocks : {1, 3, 7}) {
    const std::vector<ps::Block> split = ps::SplitBlocks(20, static_cast<int>(blocks));
    Bytes b;
    WireWriter w(b);
    asgd::PutStateCount(w, static_cast<uint32_t>(split.size()));
    for (size_t i = 0; i < split.size(); ++i)
      asgd::PutStateBlock(w, static_cast<uint32_t>(i), std::vector<double>(split[i].size(), 1.0));
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
