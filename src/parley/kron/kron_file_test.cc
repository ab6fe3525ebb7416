#include "parley/kron/kron_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "parley/data/test_files.h"
#include "parley/kron/kron_generator.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::ScratchDir;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(KronFileTest, ParsesHeaderCommentsSignsAndBlankLines) {
  StatusOr<KronData> d = ParseKron(
      "# a comment\n\nkron 2 3   # trailing comment\n"
      "+1.5 0.25 -2 | 1 2e-3 -0\n"
      "  # another comment\n"
      "-7\t1 1 |\t3 4 5\r\n",
      "mem");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->d1, 2u);
  EXPECT_EQ(d->d2, 3u);
  ASSERT_EQ(d->rows(), 2u);
  EXPECT_EQ(d->y, (std::vector<double>{1.5, -7}));
  EXPECT_EQ(d->u, (std::vector<double>{0.25, -2, 1, 1}));
  EXPECT_EQ(d->v, (std::vector<double>{1, 2e-3, -0.0, 3, 4, 5}));
  EXPECT_EQ(d->source, "mem");
}

TEST(KronFileTest, RejectsMalformedInputNamingTheLine) {
  struct Case {
    const char* text;
    std::vector<std::string> parts;
  };
  const Case cases[] = {
      {"", {"m.kron", "empty file", "kron <d1> <d2>"}},
      {"# only a comment\n", {"empty file"}},
      {"1 2 | 3\n", {"m.kron:1:", "expected the header"}},
      {"kron 2\n1 2 3 | 4\n", {"m.kron:1:", "lacks d2"}},
      {"kron 0 2\n", {"m.kron:1:", "d1 must be at least 1"}},
      {"kron 2 x\n", {"m.kron:1:", "d2", "'x'", "not an integer"}},
      {"kron 2 2 7\n", {"m.kron:1:", "unexpected '7'"}},
      {"kron 2 2\n", {"no points"}},
      {"kron 2 2\n1 1 1 | 1 1\n1 1 1 1 | 1 1\n", {"m.kron:3:", "more than d1 = 2", "'|' missing"}},
      {"kron 2 2\n1 1 1 | 1 1\n1 1 1\n", {"m.kron:3:", "no '|'"}},
      {"kron 2 2\n1 1 1 | 1 1\n1 1 1 | 1\n", {"m.kron:3:", "1 values of v", "d2 = 2"}},
      {"kron 2 2\n1 1 1 | 1 1 1\n", {"m.kron:2:", "more than d2 = 2"}},
      {"kron 2 2\n1 1 | 1 1\n", {"m.kron:2:", "1 values of u", "d1 = 2"}},
      {"kron 2 2\n1 1 1 | 1 | 1\n", {"m.kron:2:", "second '|'"}},
      {"kron 2 2\nnan 1 3 | 1 1\n", {"m.kron:2:", "target is NaN"}},
      {"kron 2 2\n1 1 inf | 1 1\n", {"m.kron:2:", "u[2] is Inf"}},
      {"kron 2 2\n1 1 2 | 1 abc\n", {"m.kron:2:", "v[2] 'abc' is not a number"}},
      {"kron 2 2\n1 1 2 | 1 1e999\n", {"m.kron:2:", "out of range"}},
      {"kron 2 2\n1 1,5 2 | 1 1\n", {"m.kron:2:", "'1,5' is not a number"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    ExpectErrorWith(ParseKron(c.text, "m.kron").status(), c.parts);
  }
}

TEST(KronFileTest, WriteThenReadGivesTheSameDoublesPlainAndGzip) {
  ScratchDir dir;
  Rng rng(5);
  KronData d = GenerateKron(40, 3, 5, 8, 0.1, rng);
  d.u[7] = 1.0 / 3.0;  // not a short decimal: must still read back exactly
  d.y[3] = -1e-300;
  const std::string path = dir.Path("d.kron");
  ASSERT_TRUE(WriteKron(d, path).ok());
  StatusOr<KronData> back = ReadKron(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->d1, d.d1);
  EXPECT_EQ(back->d2, d.d2);
  EXPECT_EQ(back->u, d.u);
  EXPECT_EQ(back->v, d.v);
  EXPECT_EQ(back->y, d.y);
  EXPECT_EQ(back->source, path);

  const std::string gz = dir.WriteGz("d.kron.gz", ReadAll(path));
  StatusOr<KronData> zipped = ReadKron("kron:" + gz);
  ASSERT_TRUE(zipped.ok()) << zipped.status().message();
  EXPECT_EQ(zipped->u, d.u);
  EXPECT_TRUE(IsKronFile(path));
  EXPECT_TRUE(IsKronFile(gz));
}

TEST(KronFileTest, IsKronFileLooksAtTheHeaderOnly) {
  ScratchDir dir;
  EXPECT_TRUE(IsKronFile(dir.Write("a.txt", "# c\n\n  kron 1 1\n")));
  EXPECT_FALSE(IsKronFile(dir.Write("b.csv", "1,2,3\n")));
  EXPECT_FALSE(IsKronFile(dir.Write("c.svm", "# kron 1 1\n1 1:2\n")));
  EXPECT_FALSE(IsKronFile(dir.Write("d.txt", "")));
  EXPECT_FALSE(IsKronFile(dir.Path("missing.kron")));
  EXPECT_TRUE(IsKronFile("kron:" + dir.Path("missing.kron")));  // the prefix forces it
}

TEST(KronFileTest, MissingFileIsNotFoundAndWriteRejectsBadData) {
  ScratchDir dir;
  EXPECT_EQ(ReadKron(dir.Path("nope.kron")).status().code(), StatusCode::kNotFound);
  KronData bad;
  bad.d1 = 1;
  bad.d2 = 1;
  bad.source = "bad";
  ExpectErrorWith(WriteKron(bad, dir.Path("bad.kron")), {"bad", "no points"});
  bad.u = {1};
  bad.v = {std::nan("")};
  bad.y = {0};
  ExpectErrorWith(WriteKron(bad, dir.Path("bad.kron")), {"not a finite number"});
  EXPECT_FALSE(IsKronFile(dir.Path("bad.kron")));
}

// Regression (fuzz/crashes-found/kron-dense-view-float-overflow, found by fuzz/kron_fuzz.cc):
// finite doubles whose product, or a target, is beyond float's range became Inf in the dense
// view that `parley eval` and the dense models read.
TEST(KronFileTest, DenseViewRefusesValuesBeyondFloatRange) {
  ScratchDir dir;
  const std::string path = dir.Write("big.kron", "kron 2 1\n0 1 1e20 | 1e20\n");
  ExpectErrorWith(ReadKronDenseView(path).status(),
                  {"big.kron: point 1:", "u_a * v_b of 1e+40", "beyond the range of a float"});
  ExpectErrorWith(ReadKronDenseView(dir.Write("y.kron", "kron 1 1\n1 2 | 3\n-1e39 1 | 1\n"))
                      .status(),
                  {"point 2:", "the target of 1e+39"});
  StatusOr<Dataset> ok = ReadKronDenseView(dir.Write("ok.kron", "kron 1 2\n1 1e19 | 1e19 -2\n"));
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  ASSERT_EQ(ok->dense.x.size(), 2u);
  EXPECT_FLOAT_EQ(ok->dense.x[0], 1e38f);
  EXPECT_FLOAT_EQ(ok->dense.x[1], -2e19f);
  EXPECT_TRUE(ReadKron(path).ok());  // the Kronecker trainer holds doubles: no limit there
}

}  // namespace
}  // namespace parley
