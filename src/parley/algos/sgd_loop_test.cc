#include "parley/algos/sgd_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace parley {
namespace {

std::vector<uint32_t> Epoch(BatchStream& s, size_t rows, std::vector<size_t>* sizes = nullptr) {
  std::vector<uint32_t> order;
  const int64_t e = s.epoch();
  while (order.size() < rows) {
    std::span<const uint32_t> b = s.Next();
    EXPECT_EQ(s.epoch(), e + 1) << "a batch crossed an epoch";
    if (sizes) sizes->push_back(b.size());
    order.insert(order.end(), b.begin(), b.end());
  }
  return order;
}

bool IsPermutation(std::vector<uint32_t> v) {
  std::sort(v.begin(), v.end());
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] != i) return false;
  return true;
}

TEST(IndexPermutationTest, EverySizeGivesAPermutation) {
  for (uint64_t n : {1u, 2u, 3u, 4u, 5u, 15u, 16u, 17u, 1000u, 1023u, 1024u, 1025u, 65537u}) {
    Rng rng(n);
    IndexPermutation p(n, rng);
    std::vector<uint32_t> v(n);
    for (uint64_t i = 0; i < n; ++i) {
      v[i] = p(i);
      ASSERT_LT(v[i], n);
    }
    EXPECT_TRUE(IsPermutation(v)) << "n = " << n;
  }
}

TEST(IndexPermutationTest, LooksShuffled) {
  // 10,000 points: a permutation that kept order (or a simple shift) would show up as many
  // fixed points or ascending neighbours; a random one has about 1 and about n / 2.
  const uint64_t n = 10000;
  Rng rng(3);
  IndexPermutation p(n, rng);
  int fixed = 0, ascending = 0;
  for (uint64_t i = 0; i < n; ++i) {
    fixed += p(i) == i;
    if (i > 0) ascending += p(i) > p(i - 1);
  }
  EXPECT_LT(fixed, 10);
  EXPECT_GT(ascending, 4700);
  EXPECT_LT(ascending, 5300);
  // Where the first position lands is spread out over seeds: every tenth of [0, n) is hit.
  std::vector<int> decile(10);
  for (uint64_t seed = 0; seed < 400; ++seed) {
    Rng r(seed);
    decile[IndexPermutation(n, r)(0) * 10 / n]++;
  }
  for (int d = 0; d < 10; ++d) EXPECT_GT(decile[d], 15) << "decile " << d;
}

TEST(BatchStreamTest, EachEpochIsAFreshPermutationInBatches) {
  const size_t rows = 1003;
  BatchStream s(rows, 100, Rng(5));
  std::vector<size_t> sizes;
  const std::vector<uint32_t> e0 = Epoch(s, rows, &sizes);
  EXPECT_TRUE(IsPermutation(e0));
  ASSERT_EQ(sizes.size(), 11u);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) EXPECT_EQ(sizes[i], 100u);
  EXPECT_EQ(sizes.back(), 3u);  // the epoch's last batch is short, not topped up
  const std::vector<uint32_t> e1 = Epoch(s, rows);
  EXPECT_TRUE(IsPermutation(e1));
  EXPECT_NE(e0, e1);
  // The same seed gives the same batches; another seed other ones.
  BatchStream again(rows, 100, Rng(5));
  EXPECT_EQ(Epoch(again, rows), e0);
  BatchStream other(rows, 100, Rng(6));
  EXPECT_NE(Epoch(other, rows), e0);
}

TEST(BatchStreamTest, ResumedAtAnEpochSeesTheSameBatches) {
  const size_t rows = 257;
  BatchStream whole(rows, 16, Rng(7));
  Epoch(whole, rows);
  Epoch(whole, rows);
  const std::vector<uint32_t> third = Epoch(whole, rows);
  BatchStream resumed(rows, 16, Rng(7), /*first_epoch=*/2);
  EXPECT_EQ(Epoch(resumed, rows), third);
}

TEST(BatchStreamTest, UpcomingIsWhatNextReturns) {
  const size_t rows = 500;
  BatchStream s(rows, 32, Rng(9));
  std::vector<uint32_t> promised;
  size_t handed = 0;
  while (handed < rows) {
    std::span<const uint32_t> b = s.Next();
    // What the previous call promised comes first, in order.
    for (size_t i = 0; i < std::min(promised.size(), b.size()); ++i) {
      ASSERT_EQ(b[i], promised[i]);
    }
    handed += b.size();
    std::span<const uint32_t> up = s.Upcoming();
    if (handed < rows) {
      EXPECT_GE(up.size(), std::min<size_t>(64, rows - handed));
    }
    promised.assign(up.begin(), up.end());
  }
  EXPECT_TRUE(s.Upcoming().empty());  // the epoch is done: the next call reshuffles
}

TEST(BatchStreamTest, SmallShards) {
  BatchStream one(1, 8, Rng(1));
  for (int i = 0; i < 3; ++i) {
    std::span<const uint32_t> b = one.Next();
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0], 0u);
  }
  EXPECT_EQ(one.epoch(), 2);
  BatchStream two(2, 8, Rng(1));
  EXPECT_TRUE(IsPermutation(Epoch(two, 2)));
}

}  // namespace
}  // namespace parley
