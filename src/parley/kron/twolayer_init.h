// The random initial state of the two-layer network, drawn exactly as TwoLayerModel::Init
// draws it (signs from rng.Fork("twolayer/signs"), then the m x d entries of W0 one after
// another from rng, row r = neuron r), but row by row, so that a trainer can stream W0
// through its initialisation and replay it later instead of holding m * d values.
// A test pins this to TwoLayerModel::Init. Not thread-safe (it owns an Rng).
#pragma once

#include <cstddef>
#include <vector>

#include "parley/core/rng.h"

namespace parley {

class TwoLayerInitStream {
 public:
  // `rng` is the generator TwoLayerModel::Init would be given.
  TwoLayerInitStream(const Rng& rng, size_t width, size_t dim);

  // The m output signs a_r in {-1, +1}.
  const std::vector<double>& signs() const { return signs_; }
  // Writes the next `rows` rows of W0 (rows * dim values, row-major) to out.
  // REQUIRES: next_row() + rows <= width.
  void NextRows(size_t rows, double* out);
  size_t next_row() const { return next_row_; }

 private:
  Rng rng_;
  size_t m_, d_;
  size_t next_row_ = 0;
  std::vector<double> signs_;
};

}  // namespace parley
