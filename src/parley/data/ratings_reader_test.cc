#include "parley/data/ratings_reader.h"

#include <gtest/gtest.h>

#include <set>

#include "parley/data/test_files.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::ScratchDir;

TEST(RatingsReader, MovieLensDoubleColonFormat) {
  ScratchDir dir;
  IdMap users, items;
  StatusOr<Dataset> d = ReadRatings(
      dir.Write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n7::1193::4::9\n"),
      users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kRatings);
  ASSERT_EQ(d->rows(), 3u);
  EXPECT_EQ(d->ratings.user, (std::vector<uint32_t>{0, 0, 1}));
  EXPECT_EQ(d->ratings.item, (std::vector<uint32_t>{0, 1, 0}));
  EXPECT_EQ(d->ratings.rating, (std::vector<float>{5, 3, 4}));
  EXPECT_EQ(d->ratings.num_users, 2u);
  EXPECT_EQ(d->ratings.num_items, 2u);
  EXPECT_EQ(users.external, (std::vector<int64_t>{1, 7}));
  EXPECT_EQ(items.external, (std::vector<int64_t>{1193, 661}));
}

TEST(RatingsReader, CsvWithQuotedHeaderAsRWritesIt) {
  ScratchDir dir;
  IdMap users, items;
  StatusOr<Dataset> d =
      ReadRatings(dir.Write("r.csv",
                            "\"userId\",\"movieId\",\"rating\",\"timestamp\"\n1,31,2.5,1260759144\n"
                            "1,1029,3,1260759179\n2,31,0.5,1260759182\n"),
                  users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->rows(), 3u);
  EXPECT_EQ(d->ratings.rating, (std::vector<float>{2.5f, 3, 0.5f}));
  EXPECT_EQ(d->ratings.item, (std::vector<uint32_t>{0, 1, 0}));
}

TEST(RatingsReader, CsvWithRowNameColumnAndReorderedColumns) {
  ScratchDir dir;
  IdMap users, items;
  // R's write.csv(row.names = TRUE): a first unnamed column of quoted row names.
  StatusOr<Dataset> d = ReadRatings(
      dir.Write("r.csv",
                "\"\",\"Rating\",\"ItemId\",\"UserID\"\n\"1\",4,10,100\n\"2\",3.5,11,100\n"),
      users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->ratings.rating, (std::vector<float>{4, 3.5f}));
  EXPECT_EQ(items.external, (std::vector<int64_t>{10, 11}));
  EXPECT_EQ(users.external, (std::vector<int64_t>{100}));
}

TEST(RatingsReader, HeaderlessAndTabSeparated) {
  ScratchDir dir;
  IdMap users, items;
  StatusOr<Dataset> d =
      ReadRatings(dir.Write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t1\n"), users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows(), 2u);
  IdMap u2, i2;
  d = ReadRatings(dir.Write("h.csv", "5,6,1.5\n"), u2, i2);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->ratings.rating[0], 1.5f);
}

TEST(RatingsReader, IdMapsAreSharedBetweenTrainAndTest) {
  ScratchDir dir;
  IdMap users, items;
  StatusOr<Dataset> train =
      ReadRatings(dir.Write("train.csv", "user,item,rating\n10,20,1\n11,21,2\n"), users, items);
  StatusOr<Dataset> test =
      ReadRatings(dir.Write("test.csv", "user,item,rating\n11,20,3\n12,22,4\n"), users, items);
  ASSERT_TRUE(train.ok() && test.ok());
  EXPECT_EQ(test->ratings.user, (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(test->ratings.item, (std::vector<uint32_t>{0, 2}));
  EXPECT_EQ(test->ratings.num_users, 3u);
  EXPECT_EQ(train->ratings.num_users, 2u);
}

struct BadRatings {
  const char* name;
  const char* file;  // file name, whose extension does not matter
  const char* text;
  const char* line;
  const char* reason;
};
// Test names in ctest output: the case name, not the bytes of the struct.
void PrintTo(const BadRatings& c, std::ostream* os) { *os << c.name; }


class RatingsErrors : public ::testing::TestWithParam<BadRatings> {};

TEST_P(RatingsErrors, NamesFileLineAndReason) {
  ScratchDir dir;
  const BadRatings& c = GetParam();
  IdMap users, items;
  StatusOr<Dataset> d = ReadRatings(dir.Write(c.file, c.text), users, items);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectErrorWith(d.status(), {std::string(c.file) + c.line, c.reason});
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, RatingsErrors,
    ::testing::Values(
        BadRatings{"csv_too_few_columns", "a.csv",
                   "userId,movieId,rating,timestamp\n1,2,3,4\n1,2,3\n",
                   ":3:", "wrong column count: found 3 fields, expected 4"},
        BadRatings{"csv_too_many_columns", "a.csv", "userId,movieId,rating\n1,2,3,4\n",
                   ":2:", "wrong column count"},
        BadRatings{"dat_wrong_columns", "r.dat", "1::2::3::4\n\n1::2::3::4::5\n",
                   ":3:", "wrong column count"},
        BadRatings{"non_numeric_user", "a.csv", "userId,movieId,rating\nbob,2,3\n",
                   ":2:", "user id 'bob' is not an integer"},
        BadRatings{"non_integer_item", "r.dat", "1::2.5::3::4\n",
                   ":1:", "item id '2.5' is not an integer"},
        BadRatings{"nan_rating", "a.csv", "userId,movieId,rating\n1,2,3\n1,3,NA\n1,4,nan\n",
                   ":3:", "rating 'NA' is not a number"},
        BadRatings{"nan_rating2", "a.csv", "userId,movieId,rating\n1,4,nan\n",
                   ":2:", "rating is NaN"},
        BadRatings{"inf_rating", "r.dat", "1::2::inf::4\n", ":1:", "rating is Inf"},
        BadRatings{"empty_rating", "a.csv", "userId,movieId,rating\n1,4,\n",
                   ":2:", "rating is empty"},
        BadRatings{"header_without_rating", "a.csv", "userId,movieId,score\n1,4,5\n",
                   ":1:", "header has no rating column"},
        BadRatings{"header_without_item", "a.csv", "userId,rating\n1,4\n",
                   ":1:", "header has no item"},
        BadRatings{"header_only", "a.csv", "userId,movieId,rating\n", ":1:", "empty file"},
        BadRatings{"too_few_fields", "a.csv", "1,2\n", ":1:", "expected user, item and rating"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RatingsReader, EmptyAndMissingFiles) {
  ScratchDir dir;
  IdMap users, items;
  StatusOr<Dataset> d = ReadRatings(dir.Write("empty.csv", "\n \n"), users, items);
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectErrorWith(d.status(), {"empty.csv", "empty file"});
  d = ReadRatings(dir.Path("missing.dat"), users, items);
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  ExpectErrorWith(d.status(), {"missing.dat", "no such file"});
}

TEST(RatingsReader, LooksLikeRatings) {
  EXPECT_TRUE(LooksLikeRatings("1::2::3::4"));
  EXPECT_TRUE(LooksLikeRatings("\"userId\",\"movieId\",\"rating\",\"timestamp\""));
  EXPECT_TRUE(LooksLikeRatings("user\titem\trating"));
  EXPECT_FALSE(LooksLikeRatings("label,x1,x2"));
  EXPECT_FALSE(LooksLikeRatings("1,2,3"));
}

// Columns named by the user (issue 19: a header customer,product,stars was refused with no
// way out): by header name in any case, or by number; wrong names list the header's columns.
TEST(RatingsReader, NamedColumns) {
  const std::string text = "Stars,customer,day,product\n4,10,1,7\n2,11,2,7\n";
  IdMap users, items;
  StatusOr<Dataset> d =
      ParseRatings(text, "sales.csv", users, items, {"customer", "PRODUCT", "stars"});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->ratings.rating, (std::vector<float>{4, 2}));
  EXPECT_EQ(d->ratings.num_users, 2u);
  EXPECT_EQ(d->ratings.num_items, 1u);
  IdMap u2, i2;
  StatusOr<Dataset> by_number = ParseRatings(text, "sales.csv", u2, i2, {"2", "4", "1"});
  ASSERT_TRUE(by_number.ok()) << by_number.status().ToString();
  EXPECT_EQ(by_number->ratings.rating, d->ratings.rating);
  EXPECT_EQ(by_number->ratings.user, d->ratings.user);
  IdMap u3, i3;
  StatusOr<Dataset> headerless = ParseRatings("4,10,7\n", "h.csv", u3, i3, {"2", "3", "1"});
  ASSERT_TRUE(headerless.ok()) << headerless.status().ToString();
  EXPECT_EQ(headerless->ratings.rating, (std::vector<float>{4}));

  IdMap u4, i4;
  ExpectErrorWith(ParseRatings(text, "sales.csv", u4, i4, {"customer", "item", "stars"}).status(),
                  {"sales.csv:1: header has no column named 'item' (for the item)",
                   "its columns: Stars, customer, day, product"});
  ExpectErrorWith(ParseRatings(text, "sales.csv", u4, i4, {"customer", "9", "stars"}).status(),
                  {"sales.csv:1: the item column is given as number 9, but the rows have 4"});
  ExpectErrorWith(ParseRatings("4,10,7\n", "h.csv", u4, i4, {"a", "b", "c"}).status(),
                  {"h.csv:1: the user column is given by the name 'a', but the file has no "
                   "header line; give column numbers from 1"});
  // Without names, a header it cannot place says how to name them.
  ExpectErrorWith(ParseRatings(text, "sales.csv", u4, i4).status(),
                  {"sales.csv:1: header has no user (userId) column",
                   "ratings(USER,ITEM,RATING):sales.csv"});
}

// The real MovieLens latest-small export that scripts/get-data.sh makes, if present.
TEST(RatingsReader, MovieLensSmallFromGetDataScript) {
#ifdef PARLEY_SOURCE_DIR
  const std::string p = std::string(PARLEY_SOURCE_DIR) + "/data/movielens-small/ratings.csv";
#else
  const std::string p = "data/movielens-small/ratings.csv";
#endif
  ASSERT_TRUE(std::filesystem::exists(p)) << p << " absent: scripts/get-data.sh makes it";
  IdMap users, items;
  StatusOr<Dataset> d = ReadRatings(p, users, items);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows(), 100004u);
  EXPECT_EQ(d->ratings.num_users, 671u);
  EXPECT_EQ(d->ratings.num_items, 9066u);
  const auto [lo, hi] = std::minmax_element(d->ratings.rating.begin(), d->ratings.rating.end());
  EXPECT_EQ(*lo, 0.5f);
  EXPECT_EQ(*hi, 5.0f);
}

}  // namespace
}  // namespace parley
