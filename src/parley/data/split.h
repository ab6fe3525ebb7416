// Seeded splits of a Dataset: train/test, and disjoint shards for workers. Rows keep their
// original relative order inside each part; which rows go where is decided by the Rng alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "parley/core/rng.h"
#include "parley/data/dataset.h"

namespace parley {

// Splits `all` into *train and *test: a random round(test_fraction * rows) rows (ratings:
// triples) go to *test, the rest to *train. Both keep all's kind, width, num_users/num_items
// and true_centres. Advances `rng`.
// REQUIRES: 0 <= test_fraction <= 1; train and test non-null and distinct from &all.
void TrainTestSplit(const Dataset& all, double test_fraction, Rng& rng, Dataset* train,
                    Dataset* test);

// Splits `d` into `shards` disjoint parts that together hold every row once; part sizes
// differ by at most one. Rows are assigned by a seeded random permutation. Advances `rng`.
// REQUIRES: shards >= 1.
std::vector<Dataset> Shard(const Dataset& d, int shards, Rng& rng);

// Splits a ratings Dataset by user: users are dealt at random to `shards` parts (user counts
// differ by at most one), and all ratings of a user land in that user's part. Every part
// keeps the global num_users/num_items. Advances `rng`.
// REQUIRES: ratings.kind == kRatings, shards >= 1.
std::vector<Dataset> ShardByUser(const Dataset& ratings, int shards, Rng& rng);

// The row indices behind the splits above, for a process that reads only the rows it keeps
// (runtime/load_data.h): each advances `rng` exactly as its Dataset twin does and picks the
// same rows, so a shard read this way equals the in-memory one row for row.

// TrainTestSplit of n rows: the rows that go to the test part, sorted (the others are train).
std::vector<uint32_t> TestRows(size_t n, double test_fraction, Rng& rng);
// Shard of n rows: part `shard`'s rows, sorted. REQUIRES: 0 <= shard < shards.
std::vector<uint32_t> ShardRows(size_t n, int shards, int shard, Rng& rng);
// The part sizes of Shard of n rows (no rng needed): n / shards, one more for the first
// n % shards parts.
std::vector<size_t> ShardSizes(size_t n, int shards);
// ShardByUser with `users` users (max(num_users, largest user index + 1)): each user's part.
std::vector<uint32_t> UserShards(size_t users, int shards, Rng& rng);

}  // namespace parley
