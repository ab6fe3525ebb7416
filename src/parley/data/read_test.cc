#include "parley/data/read.h"

#include <gtest/gtest.h>

#include "parley/data/row_reader.h"
#include "parley/data/test_files.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::PutU32;
using testing_files::ScratchDir;

TEST(ReadDataset, ChoosesReaderByNameAndContent) {
  ScratchDir dir;
  IdMap users, items;
  StatusOr<Dataset> d = ReadDataset(dir.Write("a.svm", "1 2:1\n"), users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kSparse);
  d = ReadDataset(dir.Write("a9a.t", "-1 2:1\n"), users, items, 123);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->features(), 123u);
  d = ReadDataset(dir.Write("ratings.dat", "1::2::3::4\n"), users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kRatings);
  d = ReadDataset(dir.WriteGz("r.csv.gz", "\"userId\",\"movieId\",\"rating\"\n1,2,3\n"), users,
                  items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kRatings);
  d = ReadDataset(dir.Write("points.csv", "y,a,b\n1,2,3\n"), users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kDense);
  EXPECT_EQ(d->features(), 2u);
}

TEST(ReadDataset, ExplicitPrefixes) {
  ScratchDir dir;
  const std::string p = dir.Write("odd.csv", "1 3:1\n");
  StatusOr<Dataset> d = ReadDataset("libsvm:" + p);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kSparse);
  d = ReadDataset("ratings:" + dir.Write("x.txt", "1,2,3\n"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kRatings);
  d = ReadDataset("csv:" + dir.Write("y.txt", "1,2,3\n"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kDense);
}

TEST(ReadDataset, RatingsPrefixNamesTheColumns) {
  ScratchDir dir;
  const std::string p = dir.Write("sales.csv", "customer,product,stars\n1,5,4\n2,5,3\n");
  StatusOr<Dataset> plain = ReadDataset(p);  // dense rows: not recognised as ratings
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->kind, Dataset::Kind::kDense);
  StatusOr<Dataset> d = ReadDataset("ratings(customer, product, stars):" + p);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kRatings);
  EXPECT_EQ(d->source, p);
  EXPECT_EQ(d->ratings.rating, (std::vector<float>{4, 3}));
  StatusOr<DataFile> f = ResolveDataFile("ratings(customer,product,stars):" + p);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->columns.rating, "stars");
  IdMap users, items;  // the streaming reader of every MPI rank takes the same names
  StatusOr<std::unique_ptr<RowReader>> rows =
      RowReader::Open("ratings(customer,product,stars):" + p, users, items);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<float> streamed;
  for (const Dataset* row = nullptr; (*rows)->Next(&row).ok() && row != nullptr;) {
    streamed.insert(streamed.end(), row->ratings.rating.begin(), row->ratings.rating.end());
  }
  EXPECT_EQ(streamed, d->ratings.rating);
  ExpectErrorWith(ReadDataset("ratings(customer,product):" + p).status(),
                  {"ratings(...) takes three columns"});
  ExpectErrorWith(ReadDataset("ratings(a,b,c)" + p).status(), {"with a ':' after ')'"});
}

TEST(ReadDataset, IdxFindsLabelsFileByName) {
  ScratchDir dir;
  std::string images, labels;
  PutU32(images, 0x803), PutU32(images, 2), PutU32(images, 1), PutU32(images, 2);
  images += std::string("\x00\xff\x10\x20", 4);
  PutU32(labels, 0x801), PutU32(labels, 2);
  labels += std::string("\x03\x07", 2);
  const std::string ip = dir.WriteGz("train-images-idx3-ubyte.gz", images);
  const std::string lp = dir.WriteGz("train-labels-idx1-ubyte.gz", labels);
  StatusOr<Dataset> d = ReadDataset(ip);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kDense);
  EXPECT_EQ(d->label, (std::vector<float>{3, 7}));
  d = ReadDataset("idx:" + ip + "," + lp);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  d = ReadDataset("idx:" + dir.Write("pics.bin", images));
  ExpectErrorWith(d.status(), {"pics.bin", "labels file"});
}

TEST(ReadDataset, ErrorsComeFromTheReader) {
  ScratchDir dir;
  StatusOr<Dataset> d = ReadDataset(dir.Path("nothing.csv"));
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  ExpectErrorWith(d.status(), {"nothing.csv"});
  d = ReadDataset(dir.Write("bad.svm", "1 0:1\n"));
  ExpectErrorWith(d.status(), {"bad.svm:1:", "index 0"});
}

}  // namespace
}  // namespace parley
