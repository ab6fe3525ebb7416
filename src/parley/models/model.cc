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

}  // namespace parley
