// LoadRankData against the one-process path: for every rank of a layout, the rows a rank keeps
// are exactly the one-process run's (LoadData, then Shard / ShardByUser, the train-evaluation
// sample), and the rank keeps nothing else.
#include "parley/runtime/load_data.h"

#include <gtest/gtest.h>

#include "parley/data/generators.h"
#include "parley/data/split.h"
#include "parley/data/test_files.h"
#include "parley/data/writers.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::ExpectSameDataset;
using testing_files::PutU32;
using testing_files::ScratchDir;

// An IDX pair of n 2x3 images with labels 0..9 beside each other; returns the images path.
std::string WriteIdx(const ScratchDir& dir, const std::string& prefix, uint32_t n) {
  std::string images, labels;
  PutU32(images, 0x803), PutU32(images, n), PutU32(images, 2), PutU32(images, 3);
  PutU32(labels, 0x801), PutU32(labels, n);
  for (uint32_t i = 0; i < n; ++i) {
    for (int p = 0; p < 6; ++p) images.push_back(static_cast<char>((i * 7 + p * 31) % 256));
    labels.push_back(static_cast<char>(i % 10));
  }
  dir.WriteGz(prefix + "-labels-idx1-ubyte.gz", labels);
  return dir.WriteGz(prefix + "-images-idx3-ubyte.gz", images);
}

// The one-process run's data.
struct Reference {
  Dataset train, test;
  std::vector<Dataset> shards;
  Dataset train_eval;  // the sample, or the whole training set
};

Reference InProcess(const RunOptions& o, int shards, bool by_user) {
  Reference ref;
  const Rng rng(o.seed);
  Status s = LoadData(o, rng, &ref.train, &ref.test);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (shards == 1) {
    ref.shards = {ref.train};
  } else {
    Rng shard_rng = rng.Fork("shard");
    ref.shards = by_user ? ShardByUser(ref.train, shards, shard_rng) : Shard(ref.train, shards, shard_rng);
  }
  std::optional<std::vector<uint32_t>> sample = TrainEvalRows(o, ref.train.rows());
  ref.train_eval = sample ? ref.train.Subset(*sample) : ref.train;
  return ref;
}

// Loads rank by rank for `ranks` ranks with the given shard of each (-1: none); rank 0
// evaluates. `whole_train_at_0`: the model's Init reads the data (rank 0 keeps it all).
void ExpectRanksHoldTheirShare(const RunOptions& o, int shards, bool by_user, const std::vector<int>& shard_of_rank,
                               bool whole_train_at_0 = false) {
  const Reference ref = InProcess(o, shards, by_user);
  size_t worker_rows = 0;
  for (size_t rank = 0; rank < shard_of_rank.size(); ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    const RankNeeds needs{shards, shard_of_rank[rank], rank == 0};
    bool asked = false;
    auto model_needs = [&](const DataShape& all, const Dataset& no_rows) {
      asked = true;
      EXPECT_EQ(no_rows.rows(), 0u);
      EXPECT_EQ(all.rows, ref.train.rows() + (o.test_path.empty() ? ref.test.rows() : 0));
      ModelNeeds m{by_user, nullptr};
      if (rank == 0 && whole_train_at_0) m.init_rows = [](size_t) { return std::optional<std::vector<uint32_t>>(); };
      return m;
    };
    const Rng rng(o.seed);
    StatusOr<RankData> d = LoadRankData(o, rng, rng.Fork("shard"), needs, model_needs);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_TRUE(asked);
    // What every rank knows: the training set's shape and size, every shard's size.
    const DataShape want = DataShape::Of(ref.train);
    EXPECT_EQ(d->train_shape.kind, want.kind);
    EXPECT_EQ(d->train_shape.source, want.source);
    EXPECT_EQ(d->train_shape.rows, want.rows);
    EXPECT_EQ(d->train_shape.features, want.features);
    EXPECT_EQ(d->train_shape.num_users, want.num_users);
    EXPECT_EQ(d->train_shape.num_items, want.num_items);
    EXPECT_EQ(d->train_shape.NumClasses(), want.NumClasses());
    EXPECT_EQ(d->train_shape.rating_min, want.rating_min);
    EXPECT_EQ(d->train_shape.rating_max, want.rating_max);
    ExpectSameDataset(d->header, ref.train.Empty());
    EXPECT_EQ(d->test_rows, ref.test.rows());
    EXPECT_EQ(d->by_user, by_user && shards > 1);
    ASSERT_EQ(d->shard_rows.size(), static_cast<size_t>(shards));
    for (int s = 0; s < shards; ++s) EXPECT_EQ(d->shard_rows[s], ref.shards[s].rows()) << "shard " << s;
    // What this rank holds.
    const int shard = shard_of_rank[rank];
    const bool whole = (rank == 0 && (whole_train_at_0 || ref.train_eval.rows() == ref.train.rows())) ||
                       (shards == 1 && shard == 0);
    EXPECT_EQ(d->whole_train, whole);
    if (whole) {
      ExpectSameDataset(d->train, ref.train);
    } else {
      EXPECT_EQ(d->train.rows(), 0u);
    }
    if (shard >= 0 && shards > 1) {
      ExpectSameDataset(d->shard, ref.shards[shard]);
    } else {
      EXPECT_EQ(d->shard.rows(), 0u);
    }
    if (shard >= 0) worker_rows += shards > 1 ? d->shard.rows() : d->train.rows();
    if (rank == 0) {
      ExpectSameDataset(d->test, ref.test);
      if (ref.train_eval.rows() < ref.train.rows()) {
        ExpectSameDataset(d->train_eval, ref.train_eval);
      } else {
        EXPECT_EQ(d->train_eval.rows(), 0u);  // the whole training set is evaluated
      }
    } else {
      EXPECT_EQ(d->test.rows(), 0u);
      EXPECT_EQ(d->train_eval.rows(), 0u);
      EXPECT_EQ(d->peak_rows, d->shard.rows());  // a worker holds its shard, nothing else
    }
  }
  EXPECT_EQ(worker_rows, ref.train.rows());
}

RunOptions Options(const std::string& data, double test_fraction, size_t train_eval_rows = 40, uint64_t seed = 7) {
  RunOptions o;
  o.train_path = data;
  o.test_fraction = test_fraction;
  o.train_eval_rows = train_eval_rows;
  o.seed = seed;
  return o;
}

TEST(LoadRankData, SparseRowsWithASplitAndASample) {
  ScratchDir dir;
  Rng gen(1);
  const std::string p = dir.Path("d.svm");
  ASSERT_TRUE(WriteLibsvm(GenerateSparseBinary(301, 400, 12, 0.1, gen), p).ok());
  // sync with 1 server + 3 workers; asgd's 3 peers (rank 0 trains on shard 0 and evaluates).
  ExpectRanksHoldTheirShare(Options(p, 0.2), 3, false, {-1, 0, 1, 2});
  ExpectRanksHoldTheirShare(Options(p, 0.2, 40, 9), 3, false, {0, 1, 2});
  // Sequential: one rank, the whole training set is its shard.
  ExpectRanksHoldTheirShare(Options(p, 0.2), 1, false, {0});
  // No test data; the sample covers every training row (rank 0 holds them all).
  ExpectRanksHoldTheirShare(Options(p, 0, 0), 2, false, {-1, 0, 1});
}

TEST(LoadRankData, DenseRowsWithCentresAndAnInitThatReadsTheData) {
  ScratchDir dir;
  Rng gen(2);
  const std::string p = dir.Path("k.csv");
  ASSERT_TRUE(WriteDenseCsv(GenerateMixture(203, 3, 4, 0.5, 10, gen), p).ok());
  ExpectRanksHoldTheirShare(Options("csv:" + p, 0.1), 2, false, {0, 1}, /*whole_train_at_0=*/true);
  ExpectRanksHoldTheirShare(Options("csv:" + p, 0.1), 2, false, {-1, 0, 1});
}

TEST(LoadRankData, RatingsByUserAndByRow) {
  ScratchDir dir;
  Rng gen(3);
  const std::string p = dir.Path("r.csv");
  ASSERT_TRUE(WriteRatingsCsv(GenerateRatings(37, 29, 2, 600, 0.1, gen), p).ok());
  ExpectRanksHoldTheirShare(Options(p, 0.1), 3, true, {-1, 0, 1, 2}, /*whole_train_at_0=*/true);
  ExpectRanksHoldTheirShare(Options(p, 0.1), 3, true, {-1, 0, 1, 2});
  ExpectRanksHoldTheirShare(Options(p, 0.1), 2, false, {0, 1});
}

TEST(LoadRankData, SeparateTestFilesShareWidthAndIds) {
  ScratchDir dir;
  // LIBSVM: the test file has the highest feature index, which every rank's width must include.
  const std::string train = dir.Write("train.svm", "1 1:1 3:2\n-1 2:1\n1 4:1\n-1 1:3\n1 2:2 3:1\n-1 5:1\n");
  RunOptions o = Options(train, 0, 2);
  o.test_path = dir.Write("test.svm", "1 9:1\n-1 2:1\n");
  ExpectRanksHoldTheirShare(o, 2, false, {-1, 0, 1});
  // Ratings: test-only users and items are in every rank's id maps.
  const std::string rtrain = dir.Write("train.dat", "5::1::3::0\n6::2::4::0\n5::3::2::0\n7::1::5::0\n8::2::1::0\n");
  RunOptions r = Options(rtrain, 0, 2);
  r.test_path = dir.Write("test.dat", "9::2::1::0\n5::7::2::0\n");
  ExpectRanksHoldTheirShare(r, 2, true, {-1, 0, 1});
  // IDX images, both files.
  RunOptions x = Options(WriteIdx(dir, "train", 50), 0, 10);
  x.test_path = WriteIdx(dir, "t10k", 12);
  ExpectRanksHoldTheirShare(x, 3, false, {0, 1, 2});
}

TEST(LoadRankData, BadInputFailsAsLoadData) {
  ScratchDir dir;
  auto both_fail = [](const RunOptions& o, const std::vector<std::string>& parts) {
    Dataset train, test;
    const Status a = LoadData(o, Rng(o.seed), &train, &test);
    const StatusOr<RankData> b = LoadRankData(o, Rng(o.seed), Rng(o.seed).Fork("shard"), RankNeeds{2, 1, false},
                                              [](const DataShape&, const Dataset&) { return ModelNeeds{}; });
    ExpectErrorWith(a, parts);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.status().message(), a.message());
  };
  both_fail(Options(dir.Write("bad.svm", "1 1:1\n\n1 2:x\n"), 0.2), {"bad.svm:3:", "'x' is not a number"});
  both_fail(Options(dir.Write("ok.svm", "1 1:1\n-1 2:1\n"), 1.0), {"--test-fraction must be in [0, 1)"});
  RunOptions kinds = Options(dir.Path("ok.svm"), 0);
  kinds.test_path = "csv:" + dir.Write("t.csv", "1,2\n");
  both_fail(kinds, {"is not of the same kind of data"});
  RunOptions cols = Options("csv:" + dir.Write("a.csv", "1,2,3\n0,1,1\n"), 0);
  cols.test_path = "csv:" + dir.Write("b.csv", "1,2\n");
  both_fail(cols, {"has 1 columns", "has 2"});
  RunOptions bad_test = Options(dir.Path("ok.svm"), 0);
  bad_test.test_path = dir.Write("bt.svm", "1 1:1\n1 0:1\n");
  both_fail(bad_test, {"bt.svm:2:", "index 0"});
}

}  // namespace
}  // namespace parley
