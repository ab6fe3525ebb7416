#include "parley/data/idx_reader.h"

#include <gtest/gtest.h>

#include "parley/data/test_files.h"

namespace parley {
namespace {

using testing_files::ExpectErrorWith;
using testing_files::PutU32;
using testing_files::ScratchDir;

std::string Images(uint32_t n, uint32_t rows, uint32_t cols, uint32_t magic = 0x803) {
  std::string s;
  PutU32(s, magic);
  PutU32(s, n);
  PutU32(s, rows);
  PutU32(s, cols);
  for (uint32_t i = 0; i < n * rows * cols; ++i) s.push_back(static_cast<char>(i * 37 % 256));
  return s;
}

std::string Labels(uint32_t n) {
  std::string s;
  PutU32(s, 0x801);
  PutU32(s, n);
  for (uint32_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i % 10));
  return s;
}

TEST(IdxReader, ReadsImagesScaledToUnitIntervalAndLabels) {
  ScratchDir dir;
  StatusOr<Dataset> d = ReadIdx(dir.Write("x-images-idx3-ubyte", Images(3, 2, 4)),
                                dir.Write("x-labels-idx1-ubyte", Labels(3)));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->kind, Dataset::Kind::kDense);
  EXPECT_EQ(d->rows(), 3u);
  EXPECT_EQ(d->features(), 8u);
  EXPECT_EQ(d->label, (std::vector<float>{0, 1, 2}));
  for (size_t i = 0; i < d->dense.x.size(); ++i) {
    EXPECT_FLOAT_EQ(d->dense.x[i], static_cast<float>(i * 37 % 256) / 255.0f);
  }
}

TEST(IdxReader, ReadsGzippedFiles) {
  ScratchDir dir;
  StatusOr<Dataset> d =
      ReadIdx(dir.WriteGz("i.gz", Images(5, 3, 3)), dir.WriteGz("l.gz", Labels(5)));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows(), 5u);
  EXPECT_EQ(d->features(), 9u);
}

TEST(IdxReader, WrongMagicSaysWhatWasFoundAndExpected) {
  ScratchDir dir;
  // Images and labels swapped.
  const std::string images = dir.Write("swapped-images", Labels(3));
  StatusOr<Dataset> d = ReadIdx(images, dir.Write("swapped-labels", Images(3, 2, 2)));
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectErrorWith(d.status(), {"swapped-images", "byte 0", "wrong magic number 0x00000801 (labels)",
                               "expected 0x00000803 (images)"});
  d = ReadIdx(dir.Write("text-images", "hello world, not idx"), dir.Write("l", Labels(1)));
  ExpectErrorWith(d.status(), {"text-images", "byte 0", "wrong magic", "not an IDX file"});
}

TEST(IdxReader, TruncatedAndOverlongData) {
  ScratchDir dir;
  std::string img = Images(4, 3, 3);
  StatusOr<Dataset> d =
      ReadIdx(dir.Write("cut-images", img.substr(0, img.size() - 5)), dir.Write("l", Labels(4)));
  EXPECT_EQ(d.status().code(), StatusCode::kDataLoss);
  ExpectErrorWith(d.status(), {"cut-images", "byte 16", "truncated data", "36 data bytes", "31"});
  d = ReadIdx(dir.Write("long-images", img + "xx"), dir.Write("l", Labels(4)));
  ExpectErrorWith(d.status(), {"long-images", "byte 16", "trailing data"});
  d = ReadIdx(dir.Write("header-images", img.substr(0, 10)), dir.Write("l", Labels(4)));
  ExpectErrorWith(d.status(), {"header-images", "byte 10", "truncated IDX header"});
  std::string lab = Labels(4);
  d = ReadIdx(dir.Write("i", img), dir.Write("cut-labels", lab.substr(0, lab.size() - 1)));
  ExpectErrorWith(d.status(), {"cut-labels", "byte 8", "truncated data"});
}

TEST(IdxReader, ImageLabelCountMismatch) {
  ScratchDir dir;
  StatusOr<Dataset> d =
      ReadIdx(dir.Write("m-images", Images(4, 2, 2)), dir.Write("m-labels", Labels(3)));
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  ExpectErrorWith(d.status(),
                  {"m-images", "byte 4", "count mismatch", "4 images", "m-labels", "3 labels"});
}

TEST(IdxReader, EmptyAndMissingFiles) {
  ScratchDir dir;
  StatusOr<Dataset> d =
      ReadIdx(dir.Write("e-images", Images(0, 28, 28)), dir.Write("e-labels", Labels(0)));
  ExpectErrorWith(d.status(), {"e-images", "byte 4", "empty file"});
  d = ReadIdx(dir.Write("z-images", ""), dir.Write("l", Labels(1)));
  ExpectErrorWith(d.status(), {"z-images", "byte 0", "too short"});
  d = ReadIdx(dir.Path("none-images"), dir.Write("l", Labels(1)));
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  ExpectErrorWith(d.status(), {"none-images", "no such file"});
}

TEST(IdxReader, LabelsPathFollowsMnistNaming) {
  EXPECT_EQ(IdxLabelsPathFor("d/train-images-idx3-ubyte.gz"), "d/train-labels-idx1-ubyte.gz");
  EXPECT_EQ(IdxLabelsPathFor("t10k-images-idx3-ubyte"), "t10k-labels-idx1-ubyte");
  EXPECT_EQ(IdxLabelsPathFor("foo.gz"), "");
}

TEST(IdxReader, FashionMnistFromDebian) {
  const std::string base = "/usr/share/datasets/fashion-mnist/";
  ASSERT_TRUE(std::filesystem::exists(base + "t10k-images-idx3-ubyte.gz"))
      << "no Fashion-MNIST: scripts/install-deps.sh data installs dataset-fashion-mnist";
  StatusOr<Dataset> d =
      ReadIdx(base + "t10k-images-idx3-ubyte.gz", base + "t10k-labels-idx1-ubyte.gz");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->rows(), 10000u);
  EXPECT_EQ(d->features(), 784u);
  EXPECT_EQ(d->NumClasses(), 10);
}

}  // namespace
}  // namespace parley
