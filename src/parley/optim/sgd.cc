#include "parley/optim/sgd.h"

#include <cmath>
#include <string>

namespace parley {

Status ValidateOptimizer(const OptimizerOptions& o, double l2) {
  PARLEY_RETURN_IF_ERROR(ValidateSchedule(o.schedule));
  if (!(o.momentum >= 0 && o.momentum < 1))
    return InvalidArgument("--momentum must be in [0, 1), got " + std::to_string(o.momentum));
  if (o.schedule.lr * l2 >= 1)
    return InvalidArgument("--lr times --l2 must be below 1 (got " +
                           std::to_string(o.schedule.lr * l2) +
                           "): the L2 decay factor 1 - lr*l2 would not be positive");
  return OkStatus();
}

void PlainSgdStep(Weights& w, const GradientBuffer& g, double eta, double lambda) {
  const double* gd = g.data();
  if (g.sparse()) {
    if (lambda != 0) w.ScaleBy(1 - eta * lambda);
    // The stored values are the true ones divided by the scale.
    double* v = w.raw().data();
    const double f = -eta / w.scale();
    for (uint32_t i : g.touched()) v[i] += f * gd[i];
    return;
  }
  std::span<double> v = w.Mutable();
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) v[i] -= eta * (gd[i] + lambda * v[i]);
}

void SgdOptimizer::Step(Weights& w, const GradientBuffer& g, double lambda, int64_t t) {
  const double eta = schedule_.At(t);
  if (o_.momentum == 0) return PlainSgdStep(w, g, eta, lambda);
  std::span<double> v = w.Mutable();
  const size_t n = v.size();
  const double* gd = g.data();
  if (velocity_.size() != n) velocity_.assign(n, 0.0);
  const double mu = o_.momentum;
  for (size_t i = 0; i < n; ++i) {
    velocity_[i] = mu * velocity_[i] + gd[i] + lambda * v[i];
    v[i] -= eta * velocity_[i];
  }
}

}  // namespace parley
