#include "parley/data/split.h"

#include <gtest/gtest.h>

#include <algorithm>
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

std::vector<float> Ids(const Dataset& d) { return d.dense.x.ToVector(); }

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

// The index-level twins pick the rows of the Dataset-level splits, advancing the rng alike.
TEST(Split, RowIndicesPickTheSameRowsAsTheDatasetSplits) {
  for (size_t n : {0u, 1u, 7u, 1001u}) {
    const Dataset all = Numbered(n);
    for (double fraction : {0.0, 0.2, 0.5}) {
      Rng a(11), b(11);
      Dataset train, test;
      TrainTestSplit(all, fraction, a, &train, &test);
      const std::vector<uint32_t> rows = TestRows(n, fraction, b);
      EXPECT_EQ(all.Subset(rows).dense.x, test.dense.x);
      EXPECT_EQ(a(), b());  // the same draws
    }
    for (int k : {1, 3, 4}) {
      Rng a(12);
      const std::vector<Dataset> shards = Shard(all, k, a);
      const std::vector<size_t> sizes = ShardSizes(n, k);
      ASSERT_EQ(sizes.size(), static_cast<size_t>(k));
      for (int s = 0; s < k; ++s) {
        Rng b(12);
        const std::vector<uint32_t> rows = ShardRows(n, k, s, b);
        EXPECT_EQ(all.Subset(rows).dense.x, shards[s].dense.x) << "n " << n << " shard " << s << " of " << k;
        EXPECT_EQ(sizes[s], shards[s].rows());
        if (s == k - 1) {
          EXPECT_EQ(a(), b());
        }
      }
    }
  }
  Rng gen(8);
  Dataset r = GenerateRatings(101, 60, 2, 2000, 0.1, gen);
  Rng a(5), b(5);
  const std::vector<Dataset> shards = ShardByUser(r, 3, a);
  const std::vector<uint32_t> shard_of = UserShards(101, 3, b);
  for (int s = 0; s < 3; ++s) {
    std::vector<uint32_t> rows;
    for (uint32_t i = 0; i < r.rows(); ++i)
      if (shard_of[r.ratings.user[i]] == static_cast<uint32_t>(s)) rows.push_back(i);
    EXPECT_EQ(r.Subset(rows).ratings.user, shards[s].ratings.user);
    EXPECT_EQ(r.Subset(rows).ratings.rating, shards[s].ratings.rating);
  }
  EXPECT_EQ(a(), b());
}

TEST(Dataset, AppendEmptyAndShape) {
  Rng gen(1);
  const Dataset d = GenerateSparseBinary(50, 300, 8, 0, gen);
  std::vector<uint32_t> first(20), rest(30);
  for (uint32_t i = 0; i < 20; ++i) first[i] = i;
  for (uint32_t i = 0; i < 30; ++i) rest[i] = 20 + i;
  Dataset joined = d.Empty();
  EXPECT_EQ(joined.rows(), 0u);
  EXPECT_EQ(joined.features(), d.features());
  joined.Append(d.Subset(first));
  joined.Append(d.Subset(rest));
  EXPECT_EQ(joined.sparse.row_ptr, d.sparse.row_ptr);
  EXPECT_EQ(joined.sparse.col, d.sparse.col);
  EXPECT_EQ(joined.label, d.label);
  // DataShape: what MakeModel reads of a Dataset, added up in parts as in one go.
  const Dataset dense = Numbered(9);
  DataShape parts = DataShape::Of(dense.Empty());
  for (uint32_t i = 0; i < 9; ++i) parts.Add(dense.Subset(std::vector<uint32_t>{i}));
  const DataShape whole = DataShape::Of(dense);
  EXPECT_EQ(parts.rows, 9u);
  EXPECT_EQ(parts.NumClasses(), dense.NumClasses());
  EXPECT_EQ(whole.NumClasses(), dense.NumClasses());
  Dataset odd = dense;
  odd.label[4] = 0.5f;
  EXPECT_EQ(DataShape::Of(odd).NumClasses(), 0);
  const Dataset ratings = GenerateRatings(10, 10, 2, 100, 0.1, gen);
  DataShape rparts = DataShape::Of(ratings.Empty());
  for (uint32_t i = 0; i < 100; ++i) rparts.Add(ratings.Subset(std::vector<uint32_t>{i}));
  const auto [lo, hi] = std::minmax_element(ratings.ratings.rating.begin(), ratings.ratings.rating.end());
  EXPECT_EQ(rparts.rating_min, *lo);
  EXPECT_EQ(rparts.rating_max, *hi);
  EXPECT_EQ(rparts.num_users, ratings.ratings.num_users);
}

}  // namespace
}  // namespace parley
