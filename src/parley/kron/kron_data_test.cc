#include "parley/kron/kron_data.h"

#include <gtest/gtest.h>

#include <cmath>

#include "parley/data/test_files.h"
#include "parley/kron/kron_generator.h"

namespace parley {
namespace {

// Points with unrounded N(0, 1) factors and targets.
KronData RandomKron(size_t n, size_t d1, size_t d2, Rng& rng) {
  KronData d;
  d.d1 = d1;
  d.d2 = d2;
  d.source = "random";
  for (size_t k = 0; k < n * d1; ++k) d.u.push_back(rng.Normal());
  for (size_t k = 0; k < n * d2; ++k) d.v.push_back(rng.Normal());
  for (size_t k = 0; k < n; ++k) d.y.push_back(rng.Normal());
  return d;
}

TEST(KronDataTest, DenseRowIsNumpyKronOrder) {
  KronData d;
  d.d1 = 2;
  d.d2 = 3;
  d.u = {2, -1};
  d.v = {1, 10, 100};
  d.y = {0};
  std::vector<double> x(6);
  d.DenseRow(0, x.data());
  EXPECT_EQ(x, (std::vector<double>{2, 20, 200, -1, -10, -100}));
}

TEST(KronDataTest, GramFromFactorsEqualsDenseInnerProducts) {
  Rng rng(11);
  KronData a = RandomKron(9, 4, 3, rng), b = RandomKron(5, 4, 3, rng);
  std::vector<double> g = KronGram(a, b);
  ASSERT_EQ(g.size(), 45u);
  std::vector<double> xa(12), xb(12);
  for (size_t i = 0; i < a.rows(); ++i) {
    a.DenseRow(i, xa.data());
    for (size_t j = 0; j < b.rows(); ++j) {
      b.DenseRow(j, xb.data());
      double dot = 0;
      for (size_t k = 0; k < 12; ++k) dot += xa[k] * xb[k];
      EXPECT_NEAR(g[i * 5 + j], dot, 1e-12 * (1 + std::abs(dot))) << i << "," << j;
    }
  }
  // A block of rows with a padded stride.
  std::vector<double> block(3 * 8, -1.0);
  KronGramRows(a, b, 4, 7, block.data(), 8);
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 5; ++j) EXPECT_DOUBLE_EQ(block[i * 8 + j], g[(i + 4) * 5 + j]);
    for (size_t j = 5; j < 8; ++j) EXPECT_EQ(block[i * 8 + j], -1.0);  // padding untouched
  }
}

TEST(KronDataTest, SubsetAndCheck) {
  Rng rng(12);
  KronData a = RandomKron(6, 2, 3, rng);
  const std::vector<uint32_t> rows = {5, 0, 5};
  KronData s = a.Subset(rows);
  ASSERT_EQ(s.rows(), 3u);
  EXPECT_EQ(s.U(0)[1], a.U(5)[1]);
  EXPECT_EQ(s.V(1)[2], a.V(0)[2]);
  EXPECT_EQ(s.y[2], a.y[5]);
  EXPECT_TRUE(CheckKronData(a).ok());
  a.v.pop_back();
  testing_files::ExpectErrorWith(CheckKronData(a), {"random", "do not match"});
  a.v.push_back(INFINITY);
  testing_files::ExpectErrorWith(CheckKronData(a), {"not a finite number"});
  testing_files::ExpectErrorWith(CheckKronData(KronData{}), {"d1 >= 1"});
}

TEST(KronGeneratorTest, SeededFloatExactAndTeacherDriven) {
  Rng r1(3), r2(3), r3(4);
  const KronData a = GenerateKron(300, 5, 7, 64, 0.0, r1);
  const KronData b = GenerateKron(300, 5, 7, 64, 0.0, r2);
  const KronData c = GenerateKron(300, 5, 7, 64, 0.0, r3);
  EXPECT_TRUE(CheckKronData(a).ok());
  EXPECT_EQ(a.u, b.u);
  EXPECT_EQ(a.y, b.y);
  EXPECT_NE(a.u, c.u);
  // Every entry of the dense view, and every target, is exactly a float.
  std::vector<double> x(a.dim());
  double norm2 = 0;
  for (size_t i = 0; i < a.rows(); ++i) {
    a.DenseRow(i, x.data());
    for (double e : x) {
      ASSERT_EQ(static_cast<double>(static_cast<float>(e)), e);
      norm2 += e * e;
    }
    ASSERT_EQ(static_cast<double>(static_cast<float>(a.y[i])), a.y[i]);
  }
  EXPECT_NEAR(norm2 / static_cast<double>(a.rows()), 1.0, 0.25);  // ||x|| about 1
  // The teacher's shifted ReLUs fire for some points but not all: targets vary.
  size_t zero = 0;
  double mean = 0;
  for (double y : a.y) {
    zero += y == 0;
    mean += y / static_cast<double>(a.rows());
  }
  EXPECT_LT(zero, a.rows() / 2);
  double var = 0;
  for (double y : a.y) var += (y - mean) * (y - mean) / static_cast<double>(a.rows());
  EXPECT_GT(var, 1e-4);
  // The float dense view holds the same numbers.
  Dataset view = a.DenseView();
  ASSERT_EQ(view.dense.cols, 35u);
  a.DenseRow(17, x.data());
  for (size_t k = 0; k < 35; ++k) EXPECT_EQ(static_cast<double>(view.dense.row(17)[k]), x[k]);
  EXPECT_EQ(static_cast<double>(view.label[17]), a.y[17]);
}

TEST(KronGeneratorTest, NoiseChangesTargetsAndRoundToBits) {
  Rng r1(9), r2(9);
  const KronData clean = GenerateKron(50, 3, 3, 16, 0.0, r1);
  const KronData noisy = GenerateKron(50, 3, 3, 16, 0.5, r2);
  EXPECT_EQ(clean.u[0], noisy.u[0]);  // the first point is drawn before any noise
  double diff = 0;
  for (size_t i = 0; i < 50; ++i) diff += std::abs(clean.y[i] - noisy.y[i]);
  EXPECT_GT(diff, 1.0);
  EXPECT_EQ(RoundToBits(1.0 + 1.0 / 8192, 12), 1.0);
  EXPECT_EQ(RoundToBits(1.0 + 1.0 / 2048, 12), 1.0 + 1.0 / 2048);
  EXPECT_EQ(RoundToBits(-3.0, 2), -3.0);
  EXPECT_EQ(RoundToBits(0.0, 5), 0.0);
}

}  // namespace
}  // namespace parley
