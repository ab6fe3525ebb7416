#include "parley/data/split.h"

#include <gtest/gtest.h>

#include <set>

#include "parley/data/generators.h"

namespace parley {
namespace {

// A dense dataset whose single feature is the row id, so parts can be traced back.
Dataset Numbered(size_t n) {
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.dense.cols = 1;
  for (size_t i = 0; i < n; ++i) {
    d.dense.x.push_back(static_cast<float>(i));
    d.label.push_back(static_cast<float>(i % 2));
  }
  return d;
}

std::vector<float> Ids(const Dataset& d) { return d.dense.x; }

TEST(Split, TrainTestIsDisjointCoversAllAndIsSeeded) {
  Dataset all = Numbered(1001);
  Rng rng(1);
  Dataset train, test;
  TrainTestSplit(all, 0.2, rng, &train, &test);
  EXPECT_EQ(test.rows(), 200u);
  EXPECT_EQ(train.rows(), 801u);
  std::set<float> seen;
  for (float v : Ids(train)) EXPECT_TRUE(seen.insert(v).second);
  for (float v : Ids(test)) EXPECT_TRUE(seen.insert(v).second);
  EXPECT_EQ(seen.size(), 1001u);
  EXPECT_TRUE(std::is_sorted(test.dense.x.begin(), test.dense.x.end()));
  // Labels travel with their rows.
  for (size_t i = 0; i < test.rows(); ++i) {
    EXPECT_EQ(test.label[i], static_cast<float>(static_cast<int>(test.dense.x[i]) % 2));
  }

  Rng same(1), other(2);
  Dataset train2, test2, train3, test3;
  TrainTestSplit(all, 0.2, same, &train2, &test2);
  TrainTestSplit(all, 0.2, other, &train3, &test3);
  EXPECT_EQ(Ids(test), Ids(test2));
  EXPECT_NE(Ids(test), Ids(test3));
}

TEST(Split, TrainTestEdgeFractions) {
  Dataset all = Numbered(10);
  Rng rng(1);
  Dataset train, test;
  TrainTestSplit(all, 0.0, rng, &train, &test);
  EXPECT_EQ(train.rows(), 10u);
  EXPECT_EQ(test.rows(), 0u);
  TrainTestSplit(all, 1.0, rng, &train, &test);
  EXPECT_EQ(test.rows(), 10u);
}

TEST(Split, TrainTestOnRatingsKeepsIdSpace) {
  Rng gen(4);
  Dataset r = GenerateRatings(40, 50, 2, 500, 0.1, gen);
  Rng rng(9);
  Dataset train, test;
  TrainTestSplit(r, 0.1, rng, &train, &test);
  EXPECT_EQ(train.rows() + test.rows(), 500u);
  EXPECT_EQ(test.rows(), 50u);
  EXPECT_EQ(test.ratings.num_users, 40u);
  EXPECT_EQ(train.ratings.num_items, 50u);
}

TEST(Split, ShardsAreDisjointBalancedAndCoverEverything) {
  Dataset all = Numbered(103);
  Rng rng(3);
  std::vector<Dataset> shards = Shard(all, 4, rng);
  ASSERT_EQ(shards.size(), 4u);
  std::set<float> seen;
  size_t lo = 1000, hi = 0;
  for (const Dataset& s : shards) {
    lo = std::min(lo, s.rows());
    hi = std::max(hi, s.rows());
    for (float v : Ids(s)) EXPECT_TRUE(seen.insert(v).second);
  }
  EXPECT_LE(hi - lo, 1u);
  EXPECT_EQ(seen.size(), 103u);
  Rng same(3);
  EXPECT_EQ(Ids(Shard(all, 4, same)[2]), Ids(shards[2]));
}

TEST(Split, ShardBySparseRowsKeepsWidth) {
  Rng gen(1);
  Dataset d = GenerateSparseBinary(100, 500, 10, 0, gen);
  Rng rng(2);
  std::vector<Dataset> shards = Shard(d, 3, rng);
  size_t rows = 0, nnz = 0;
  for (const Dataset& s : shards) {
    rows += s.rows();
    nnz += s.sparse.nnz();
    EXPECT_EQ(s.features(), 500u);
  }
  EXPECT_EQ(rows, 100u);
  EXPECT_EQ(nnz, d.sparse.nnz());
}

TEST(Split, ShardByUserPutsEachUserOnOneShard) {
  Rng gen(8);
  Dataset r = GenerateRatings(101, 60, 2, 2000, 0.1, gen);
  Rng rng(5);
  std::vector<Dataset> shards = ShardByUser(r, 4, rng);
  ASSERT_EQ(shards.size(), 4u);
  std::vector<int> shard_of(101, -1);
  size_t total = 0;
  for (int s = 0; s < 4; ++s) {
    total += shards[s].rows();
    EXPECT_EQ(shards[s].ratings.num_users, 101u);
    for (uint32_t u : shards[s].ratings.user) {
      EXPECT_TRUE(shard_of[u] == -1 || shard_of[u] == s) << "user " << u << " on two shards";
      shard_of[u] = s;
    }
  }
  EXPECT_EQ(total, 2000u);
  Rng same(5);
  EXPECT_EQ(ShardByUser(r, 4, same)[1].ratings.user, shards[1].ratings.user);
}

}  // namespace
}  // namespace parley
