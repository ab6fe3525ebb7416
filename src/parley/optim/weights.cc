#include "parley/optim/weights.h"

#include <algorithm>

namespace parley {

void Weights::Materialize() {
  if (scale_ == 1.0) return;
  for (double& x : v_) x *= scale_;
  scale_ = 1.0;
}

void Weights::ScaleBy(double f) {
  assert(f > 0);
  scale_ *= f;
  // Keep the stored values in a safe range: fold the scale in when it gets extreme.
  if (scale_ < 1e-9 || scale_ > 1e9) Materialize();
}

void GradientBuffer::Reset(size_t n, bool sparse) {
  sparse_ = sparse;
  g_.assign(n, 0.0);
  mark_.assign(sparse ? n : 0, 0);
  touched_.clear();
}

void GradientBuffer::Scale(double f) {
  if (sparse_) {
    for (uint32_t i : touched_) g_[i] *= f;
  } else {
    for (double& x : g_) x *= f;
  }
}

void GradientBuffer::Clear() {
  if (sparse_) {
    for (uint32_t i : touched_) { g_[i] = 0; mark_[i] = 0; }
    touched_.clear();
  } else {
    std::fill(g_.begin(), g_.end(), 0.0);
  }
}

}  // namespace parley
