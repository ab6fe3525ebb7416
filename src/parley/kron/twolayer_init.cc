#include "parley/kron/twolayer_init.h"

#include <cassert>

namespace parley {

TwoLayerInitStream::TwoLayerInitStream(const Rng& rng, size_t width, size_t dim)
    : rng_(rng), m_(width), d_(dim), signs_(width) {
  // As TwoLayerModel::Init: the signs come from a fork, which does not advance rng.
  Rng sign_rng = rng_.Fork("twolayer/signs");
  for (double& a : signs_) a = (sign_rng() >> 63) ? 1.0 : -1.0;
}

void TwoLayerInitStream::NextRows(size_t rows, double* out) {
  assert(next_row_ + rows <= m_);
  for (size_t k = 0; k < rows * d_; ++k) out[k] = rng_.Normal();
  next_row_ += rows;
}

}  // namespace parley
