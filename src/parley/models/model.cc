#include "parley/models/model.h"

#include "parley/optim/sgd.h"

namespace parley {

double Model::SgdStep(Weights& w, const Dataset& data, std::span<const uint32_t> rows, double eta,
                      std::span<const uint32_t>) {
  GradientBuffer g(NumParams(), SparseGradient());
  const double loss = Gradient(w.view(), data, rows, g);
  PlainSgdStep(w, g, eta, L2());
  return loss;
}

void Model::GradientKeys(const Dataset&, std::span<const uint32_t>,
                         std::vector<uint32_t>& keys) const {
  const size_t n = NumParams();
  keys.reserve(keys.size() + n);
  for (size_t i = 0; i < n; ++i) keys.push_back(static_cast<uint32_t>(i));
}

}  // namespace parley
