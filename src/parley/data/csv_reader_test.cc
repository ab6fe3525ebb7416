#include "parley/data/csv_reader.h"

#include <gtest/gtest.h>

#include "parley/data/test_files.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::ScratchDir;

TEST(CsvReader, HeaderAutoDetectedAndLabelFirst) {
  ScratchDir dir;
  StatusOr<Dataset> d = ReadDenseCsv(dir.Write("a.csv", "\"y\",x1,x2\n1,0.5,2\n0,-1,3e2\n"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kDense);
  EXPECT_EQ(d->rows(), 2u);
  EXPECT_EQ(d->features(), 2u);
  EXPECT_EQ(d->label, (std::vector<float>{1, 0}));
  EXPECT_EQ(d->dense.x, (std::vector<float>{0.5f, 2, -1, 300}));
  EXPECT_TRUE(d->true_centres.empty());
}

TEST(CsvReader, NoHeaderOtherLabelColumnAndNoLabel) {
  ScratchDir dir;
  const std::string p = dir.Write("b.csv", "1,2,3\r\n4,5,6\r\n");
  StatusOr<Dataset> d = ReadDenseCsv(p, 2);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->label, (std::vector<float>{3, 6}));
  EXPECT_EQ(d->dense.x, (std::vector<float>{1, 2, 4, 5}));
  d = ReadDenseCsv(p, -1);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->features(), 3u);
  EXPECT_EQ(d->label, (std::vector<float>{0, 0}));
  d = ReadDenseCsv(p, 0, CsvHeader::kYes);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->rows(), 1u);
}

TEST(CsvReader, LoadsCentresFileBesideTheData) {
  ScratchDir dir;
  const std::string p = dir.Write("m.csv", "0,1,1\n1,5,5\n");
  dir.Write("m.csv.centres", "1,1\n5,5\n");
  StatusOr<Dataset> d = ReadDenseCsv(p);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->true_centres, (std::vector<float>{1, 1, 5, 5}));
  dir.Write("m.csv.centres", "1,1,1\n");
  d = ReadDenseCsv(p);
  ExpectErrorWith(d.status(), {"m.csv.centres:1:", "centres have 3 columns", "2 features"});
  dir.Write("m.csv.centres", "1,1\n1,x\n");
  d = ReadDenseCsv(p);
  ExpectErrorWith(d.status(), {"m.csv.centres:2:", "column 2 'x' is not a number"});
}

struct BadCsv {
  const char* name;
  const char* text;
  int label_column;
  const char* line;
  const char* reason;
};
// Test names in ctest output: the case name, not the bytes of the struct.
void PrintTo(const BadCsv& c, std::ostream* os) { *os << c.name; }


class CsvErrors : public ::testing::TestWithParam<BadCsv> {};

TEST_P(CsvErrors, NamesFileLineAndReason) {
  ScratchDir dir;
  const BadCsv& c = GetParam();
  const std::string file = std::string(c.name) + ".csv";
  StatusOr<Dataset> d = ReadDenseCsv(dir.Write(file, c.text), c.label_column);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectErrorWith(d.status(), {file + c.line, c.reason});
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, CsvErrors,
    ::testing::Values(
        BadCsv{"too_few_columns", "1,2,3\n4,5\n", 0,
               ":2:", "wrong column count: found 2 columns, expected 3"},
        BadCsv{"too_many_columns", "a,b\n1,2\n\n1,2,3\n", 0, ":4:", "wrong column count"},
        BadCsv{"malformed", "1,2,3\n4,5,six\n", 0, ":2:", "column 3 'six' is not a number"},
        BadCsv{"malformed_label", "1,2,3\n?,5,6\n", 0, ":2:", "label '?' is not a number"},
        BadCsv{"nan", "1,nan,3\n", 0, ":1:", "column 2 is NaN"},
        BadCsv{"inf", "1,2,3\n1,2,-inf\n", -1, ":2:", "column 3 is Inf"},
        BadCsv{"inf_label", "inf,2,3\n", 0, ":1:", "label is Inf"},
        BadCsv{"empty_field", "1,,3\n", 0, ":1:", "column 2 is empty"},
        BadCsv{"label_column_missing", "1,2,3\n", 3, ":1:", "label column 3 does not exist"},
        BadCsv{"label_only", "1\n2\n", 0, ":1:", "no features"},
        BadCsv{"header_only", "y,x\n", 0, ":1:", "empty file"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CsvReader, EmptyAndMissingFiles) {
  ScratchDir dir;
  StatusOr<Dataset> d = ReadDenseCsv(dir.Write("empty.csv", ""));
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectErrorWith(d.status(), {"empty.csv", "empty file"});
  d = ReadDenseCsv(dir.Path("missing.csv"));
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  ExpectErrorWith(d.status(), {"missing.csv", "no such file"});
}

}  // namespace
}  // namespace parley
