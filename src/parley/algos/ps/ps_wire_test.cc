#include "parley/algos/ps/ps_wire.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

// Regression (fuzz/crashes-found/wire-ps-params-dense-short): a worker copied a dense block of
// its server's block size out of a message whatever the message held, and wrote a sparse
// message's values at its indices unchecked; a short block or an index past the block was a
// read or write out of bounds (found by fuzz/wire_fuzz.cc).
TEST(PsWire, ParamsOfTheWrongShapeAreRefused) {
  const std::vector<double> block = {10, 11, 12, 13};
  ps::ParamsMsg p;
  EXPECT_TRUE(ps::DecodeParams(ps::EncodeParams(1, 1, 1.0, block, nullptr), 4, &p));
  EXPECT_FALSE(ps::DecodeParams(ps::EncodeParams(1, 1, 1.0, block, nullptr), 5, &p));
  EXPECT_FALSE(ps::DecodeParams(ps::EncodeParams(1, 1, 1.0, block, nullptr), 3, &p));
  const std::vector<uint32_t> keys = {0, 3};
  EXPECT_TRUE(ps::DecodeParams(ps::EncodeParams(1, 1, 1.0, block, &keys), 4, &p));
  EXPECT_FALSE(ps::DecodeParams(ps::EncodeParams(1, 1, 1.0, block, &keys), 3, &p));
}

// Regression (fuzz/crashes-found/wire-ps-gradient-index-outside-block): a server added a
// sparse gradient at the indices a worker sent, and a dense one of the worker's length, into
// its block-sized buffer without checking them against the block.
TEST(PsWire, GradientsOfTheWrongShapeAreRefused) {
  GradientBuffer g(8, true);
  g.Add(1, 1.0);
  g.Add(6, 2.0);
  const ps::Block all{0, 8};
  const std::vector<uint32_t> want = {7};
  ps::GradientMsg m;
  const Bytes sparse = ps::EncodeGradient(0, 1, 0.5, g, all, g.touched(), 1, &want);
  EXPECT_TRUE(ps::DecodeGradient(sparse, 8, &m));
  EXPECT_FALSE(ps::DecodeGradient(sparse, 6, &m));  // index 6 and wanted 7 are outside
  EXPECT_FALSE(ps::DecodeGradient(ps::EncodeGradient(0, 1, 0.5, g, all, g.touched(), 1, nullptr),
                                  5, &m));
  GradientBuffer dense(8, false);
  const Bytes whole = ps::EncodeGradient(0, 1, 0.5, dense, all, {}, 1, nullptr);
  EXPECT_TRUE(ps::DecodeGradient(whole, 8, &m));
  EXPECT_FALSE(ps::DecodeGradient(whole, 9, &m));
  EXPECT_FALSE(ps::DecodeGradient(whole, 7, &m));
}

}  // namespace
}  // namespace parley
