#include "parley/data/libsvm_reader.h"

#include <gtest/gtest.h>

#include "parley/data/test_files.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::ScratchDir;

TEST(LibsvmReader, ReadsRowsLabelsAndZeroBasedIndices) {
  ScratchDir dir;
  const std::string p = dir.Write("a.svm", "+1 1:0.5 3:-2\n-1 2:1e-2\n-1\n");
  StatusOr<Dataset> d = ReadLibsvm(p);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kSparse);
  EXPECT_EQ(d->source, p);
  ASSERT_EQ(d->rows(), 3u);
  EXPECT_EQ(d->features(), 3u);
  EXPECT_EQ(d->label, (std::vector<float>{1, -1, -1}));
  EXPECT_EQ(d->sparse.row_ptr, (std::vector<uint64_t>{0, 2, 3, 3}));
  EXPECT_EQ(d->sparse.col, (std::vector<uint32_t>{0, 2, 1}));
  EXPECT_EQ(d->sparse.val, (std::vector<float>{0.5f, -2.0f, 0.01f}));
}

TEST(LibsvmReader, ZeroOneAndMulticlassLabels) {
  ScratchDir dir;
  StatusOr<Dataset> d = ReadLibsvm(dir.Write("a.svm", "0 1:1\n1 2:1\n"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->label, (std::vector<float>{0, 1}));
  EXPECT_EQ(d->NumClasses(), 2);
  d = ReadLibsvm(dir.Write("b.svm", "2 1:1\n0 1:1\n1 1:1\n"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->NumClasses(), 3);
}

TEST(LibsvmReader, IgnoresQidCommentsBlankLinesAndCrlf) {
  ScratchDir dir;
  const std::string text =
      "# a header comment\n"
      "\n"
      "1 qid:3 1:1 4:2 # trailing comment 5:9\r\n"
      "   \t\n"
      "-1 qid:3 2:3\r\n"
      "-1 3:1";  // no final newline
  StatusOr<Dataset> d = ReadLibsvm(dir.Write("q.svm", text));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->rows(), 3u);
  EXPECT_EQ(d->features(), 4u);
  EXPECT_EQ(d->sparse.col, (std::vector<uint32_t>{0, 3, 1, 2}));
  EXPECT_EQ(d->sparse.val, (std::vector<float>{1, 2, 3, 1}));
}

TEST(LibsvmReader, MinFeaturesWidensButNeverNarrows) {
  ScratchDir dir;
  const std::string p = dir.Write("a.svm", "1 5:1\n");
  EXPECT_EQ(ReadLibsvm(p, 100)->features(), 100u);
  EXPECT_EQ(ReadLibsvm(p, 2)->features(), 5u);
}

// Issue 19's hostile file: a second feature index of 4294967295 made the logistic regression
// allocate 32 GiB and die in std::bad_alloc.
TEST(LibsvmReader, AnIndexAboveTheLimitNamesTheMemoryAndTheFlag) {
  auto s = ParseLibsvm("1 3:1\n0 1:1 4294967295:2\n", "hostile.svm");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = s.status().message();
  for (const char* part : {"hostile.svm:2", "4294967295", "67108864", "32.0 GiB", "--max-features"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
  ScratchDir dir;
  const std::string p = dir.Write("w.svm", "1 10:1\n");
  EXPECT_EQ(ReadLibsvm(p, 0, 10)->features(), 10u);  // at the limit
  auto over = ReadLibsvm(p, 0, 9);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("w.svm:1: feature index 10 is above the limit of 9"),
            std::string::npos)
      << over.status().message();
}

TEST(LibsvmReader, ReadsGzipTransparently) {
  ScratchDir dir;
  StatusOr<Dataset> d = ReadLibsvm(dir.WriteGz("a.svm.gz", "1 1:1 2:2\n-1 3:3\n"));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows(), 2u);
  EXPECT_EQ(d->sparse.val, (std::vector<float>{1, 2, 3}));
}

// One bad input per test: the message must name the file, the line and the reason.
struct BadLibsvm {
  const char* name;
  const char* text;
  const char* line;  // ":<line>:"
  const char* reason;
};
// Test names in ctest output: the case name, not the bytes of the struct.
void PrintTo(const BadLibsvm& c, std::ostream* os) { *os << c.name; }


class LibsvmErrors : public ::testing::TestWithParam<BadLibsvm> {};

TEST_P(LibsvmErrors, NamesFileLineAndReason) {
  ScratchDir dir;
  const BadLibsvm& c = GetParam();
  const std::string p = dir.Write(std::string(c.name) + ".svm", c.text);
  StatusOr<Dataset> d = ReadLibsvm(p);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectErrorWith(d.status(), {std::string(c.name) + ".svm" + c.line, c.reason});
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, LibsvmErrors,
    ::testing::Values(
        BadLibsvm{"malformed_value", "1 1:1\n1 2:abc\n", ":2:", "'abc' is not a number"},
        BadLibsvm{"malformed_label", "1 1:1\n\nx1 2:1\n", ":3:", "label 'x1' is not a number"},
        BadLibsvm{"nan_value", "1 1:nan\n", ":1:", "NaN"},
        BadLibsvm{"nan_label", "1 1:1\nNaN 1:1\n", ":2:", "label is NaN"},
        BadLibsvm{"inf_value", "1 1:1\n-1 3:-inf\n", ":2:", "Inf"},
        BadLibsvm{"inf_label", "inf 1:1\n", ":1:", "label is Inf"},
        BadLibsvm{"huge_value", "1 1:1e300\n", ":1:", "out of float range"},
        BadLibsvm{"index_zero", "1 1:1\n1 0:1\n", ":2:", "index 0; LIBSVM indices start at 1"},
        BadLibsvm{"negative_index", "1 -3:1\n", ":1:", "index -3"},
        BadLibsvm{"out_of_order", "1 1:1\n1 5:1 3:1\n",
                  ":2:", "3 after 5; indices must be strictly increasing"},
        BadLibsvm{"duplicate_index", "1 2:1 2:1\n", ":1:", "strictly increasing"},
        BadLibsvm{"non_integer_index", "1 1.5:1\n", ":1:", "index '1.5' is not an integer"},
        BadLibsvm{"huge_index", "1 99999999999:1\n", ":1:", "out of range"},
        BadLibsvm{"missing_label", "1 1:1\n2:1 3:1\n", ":2:", "missing label"},
        BadLibsvm{"no_colon", "1 1:1 7\n", ":1:", "malformed feature '7'; expected index:value"},
        BadLibsvm{"empty_index", "1 :1\n", ":1:", "malformed feature"},
        BadLibsvm{"empty_value", "1 1:\n", ":1:", "value of feature 1 is empty"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(LibsvmReader, EmptyFileIsAnError) {
  ScratchDir dir;
  for (const char* text : {"", "\n\n", "# only a comment\n"}) {
    const std::string p = dir.Write("empty.svm", text);
    StatusOr<Dataset> d = ReadLibsvm(p);
    ExpectErrorWith(d.status(), {"empty.svm", "empty file"});
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(LibsvmReader, MissingFileIsNotFound) {
  ScratchDir dir;
  StatusOr<Dataset> d = ReadLibsvm(dir.Path("nope.svm"));
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  ExpectErrorWith(d.status(), {"nope.svm", "no such file"});
}

TEST(LibsvmReader, TruncatedGzipIsDataLoss) {
  ScratchDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "1 1:" + std::to_string(i) + " 7:3\n";
  const std::string full = dir.WriteGz("full.svm.gz", text);
  std::string bytes;
  {
    std::ifstream in(full, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string cut = dir.Write("cut.svm.gz", bytes.substr(0, bytes.size() / 2));
  StatusOr<Dataset> d = ReadLibsvm(cut);
  EXPECT_EQ(d.status().code(), StatusCode::kDataLoss);
  ExpectErrorWith(d.status(), {"cut.svm.gz", "gzip"});
}

TEST(LibsvmReader, HeartScaleFixtureFromLiblinearTools) {
  const std::string p = "/usr/share/doc/liblinear-tools/examples/heart_scale";
  ASSERT_TRUE(std::filesystem::exists(p)) << p << " missing: scripts/install-deps.sh bench installs liblinear-tools";
  StatusOr<Dataset> d = ReadLibsvm(p);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows(), 270u);
  EXPECT_EQ(d->features(), 13u);
}

}  // namespace
}  // namespace parley
