// Seeded splits of a Dataset: train/test, and disjoint shards for workers. Rows keep their
// original relative order inside each part; which rows go where is decided by the Rng alone.
#pragma once

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

}  // namespace parley
