#include "parley/data/writers.h"

#include <gtest/gtest.h>

#include "parley/data/csv_reader.h"
#include "parley/data/generators.h"
#include "parley/data/libsvm_reader.h"
#include "parley/data/ratings_reader.h"
#include "parley/data/test_files.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::ScratchDir;

TEST(Writers, LibsvmRoundTripIsExact) {
  ScratchDir dir;
  Rng rng(1);
  Dataset d = GenerateSparseBinary(500, 3000, 25, 0.1, rng);
  const std::string p = dir.Path("gen.svm");
  ASSERT_TRUE(WriteLibsvm(d, p).ok());
  EXPECT_FALSE(std::filesystem::exists(p + ".tmp"));
  StatusOr<Dataset> back = ReadLibsvm(p, d.sparse.num_features);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->label, d.label);
  EXPECT_EQ(back->sparse.row_ptr, d.sparse.row_ptr);
  EXPECT_EQ(back->sparse.col, d.sparse.col);
  EXPECT_EQ(back->sparse.val, d.sparse.val);  // shortest round-trip formatting
  EXPECT_EQ(back->features(), d.features());
}

TEST(Writers, RatingsCsvRoundTrip) {
  ScratchDir dir;
  Rng rng(2);
  Dataset d = GenerateRatings(30, 40, 2, 300, 0.3, rng);
  const std::string p = dir.Path("r.csv");
  ASSERT_TRUE(WriteRatingsCsv(d, p).ok());
  IdMap users, items;
  StatusOr<Dataset> back = ReadRatings(p, users, items);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->rows(), d.rows());
  EXPECT_EQ(back->ratings.rating, d.ratings.rating);
  for (size_t k = 0; k < d.rows(); ++k) {
    // The file holds the generator's indices as external ids.
    EXPECT_EQ(users.external[back->ratings.user[k]], d.ratings.user[k]);
    EXPECT_EQ(items.external[back->ratings.item[k]], d.ratings.item[k]);
  }
}

TEST(Writers, DenseCsvRoundTripWithCentres) {
  ScratchDir dir;
  Rng rng(3);
  Dataset d = GenerateMixture(200, 4, 3, 1.0, 10, rng);
  const std::string p = dir.Path("m.csv");
  ASSERT_TRUE(WriteDenseCsv(d, p).ok());
  EXPECT_TRUE(std::filesystem::exists(p + ".centres"));
  StatusOr<Dataset> back = ReadDenseCsv(p);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->dense.cols, d.dense.cols);
  EXPECT_EQ(back->dense.x, d.dense.x);
  EXPECT_EQ(back->label, d.label);
  EXPECT_EQ(back->true_centres, d.true_centres);

  // Rewriting without centres removes the stale centres file.
  d.true_centres.clear();
  ASSERT_TRUE(WriteDenseCsv(d, p).ok());
  EXPECT_FALSE(std::filesystem::exists(p + ".centres"));
  EXPECT_TRUE(ReadDenseCsv(p)->true_centres.empty());
}

TEST(Writers, RejectWrongKindAndUnwritablePathAndKeepOldFile) {
  ScratchDir dir;
  Rng rng(4);
  Dataset dense = GenerateMixture(10, 2, 2, 1, 5, rng);
  Status s = WriteLibsvm(dense, dir.Path("x.svm"));
  ExpectErrorWith(s, {"x.svm", "sparse"});
  s = WriteRatingsCsv(dense, dir.Path("x.csv"));
  ExpectErrorWith(s, {"x.csv", "ratings"});
  s = WriteDenseCsv(dense, dir.Path("no/such/dir/x.csv"));
  ExpectErrorWith(s, {"no/such/dir/x.csv", "cannot create"});

  // A failed write leaves an existing file untouched.
  const std::string p = dir.Write("keep.svm", "1 1:1\n");
  ASSERT_FALSE(WriteLibsvm(dense, p).ok());
  EXPECT_EQ(ReadLibsvm(p)->rows(), 1u);
}

}  // namespace
}  // namespace parley
