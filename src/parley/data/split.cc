#include "parley/data/split.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace parley {
namespace {

std::vector<uint32_t> ShuffledRows(size_t n, Rng& rng) {
  std::vector<uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0u);
  rng.Shuffle(p);
  return p;
}

// d.Subset of the given rows, taken in increasing order.
Dataset SortedSubset(const Dataset& d, std::vector<uint32_t> rows) {
  std::sort(rows.begin(), rows.end());
  return d.Subset(rows);
}

}  // namespace

std::vector<uint32_t> TestRows(size_t n, double test_fraction, Rng& rng) {
  std::vector<uint32_t> perm = ShuffledRows(n, rng);
  const size_t n_test =
      std::min(n, static_cast<size_t>(std::llround(test_fraction * static_cast<double>(n))));
  perm.resize(n_test);
  perm.shrink_to_fit();
  std::sort(perm.begin(), perm.end());
  return perm;
}

std::vector<uint32_t> ShardRows(size_t n, int shards, int shard, Rng& rng) {
  assert(shards >= 1 && shard >= 0 && shard < shards);
  const size_t k = static_cast<size_t>(shards);
  const std::vector<uint32_t> perm = ShuffledRows(n, rng);
  std::vector<uint32_t> rows;
  rows.reserve(n / k + 1);
  for (size_t i = static_cast<size_t>(shard); i < perm.size(); i += k) rows.push_back(perm[i]);  // as Shard: i % k
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<size_t> ShardSizes(size_t n, int shards) {
  assert(shards >= 1);
  const size_t k = static_cast<size_t>(shards);
  std::vector<size_t> sizes(k, n / k);
  for (size_t i = 0; i < n % k; ++i) ++sizes[i];
  return sizes;
}

std::vector<uint32_t> UserShards(size_t users, int shards, Rng& rng) {
  assert(shards >= 1);
  const size_t k = static_cast<size_t>(shards);
  const std::vector<uint32_t> perm = ShuffledRows(users, rng);
  std::vector<uint32_t> shard_of(users);
  for (size_t i = 0; i < perm.size(); ++i) shard_of[perm[i]] = static_cast<uint32_t>(i % k);
  return shard_of;
}

void TrainTestSplit(const Dataset& all, double test_fraction, Rng& rng, Dataset* train,
                    Dataset* test) {
  assert(test_fraction >= 0 && test_fraction <= 1 && train && test && train != test);
  const size_t n = all.rows();
  const std::vector<uint32_t> test_rows = TestRows(n, test_fraction, rng);
  std::vector<uint32_t> train_rows;
  train_rows.reserve(n - test_rows.size());
  for (uint32_t i = 0, t = 0; i < n; ++i) {
    if (t < test_rows.size() && test_rows[t] == i) {
      ++t;
    } else {
      train_rows.push_back(i);
    }
  }
  *test = all.Subset(test_rows);
  *train = all.Subset(train_rows);
}

std::vector<Dataset> Shard(const Dataset& d, int shards, Rng& rng) {
  assert(shards >= 1);
  const size_t k = static_cast<size_t>(shards);
  const std::vector<uint32_t> perm = ShuffledRows(d.rows(), rng);
  std::vector<std::vector<uint32_t>> parts(k);
  for (size_t i = 0; i < perm.size(); ++i) parts[i % k].push_back(perm[i]);
  std::vector<Dataset> out;
  out.reserve(k);
  for (auto& p : parts) out.push_back(SortedSubset(d, std::move(p)));
  return out;
}

std::vector<Dataset> ShardByUser(const Dataset& ratings, int shards, Rng& rng) {
  assert(ratings.kind == Dataset::Kind::kRatings && shards >= 1);
  const size_t k = static_cast<size_t>(shards);
  const Ratings& r = ratings.ratings;
  // Users that appear may exceed num_users if the caller set it too small; size by both.
  uint32_t users = r.num_users;
  for (uint32_t u : r.user) users = std::max(users, u + 1);
  const std::vector<uint32_t> shard_of = UserShards(users, shards, rng);
  std::vector<std::vector<uint32_t>> parts(k);
  for (size_t i = 0; i < r.rows(); ++i)
    parts[shard_of[r.user[i]]].push_back(static_cast<uint32_t>(i));
  std::vector<Dataset> out;
  out.reserve(k);
  for (auto& p : parts) out.push_back(ratings.Subset(p));
  return out;
}

}  // namespace parley
