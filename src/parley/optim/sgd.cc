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

void SgdOptimizer::Step(Weights& w, const GradientBuffer& g, double lambda, int64_t t) {
  const double eta = schedule_.At(t);
  if (o_.momentum == 0 && g.sparse()) {
    if (lambda != 0) w.ScaleBy(1 - eta * lambda);
    for (uint32_t i : g.touched()) w.AddTo(i, -eta * g[i]);
    return;
  }
  std::span<double> v = w.Mutable();
  const size_t n = v.size();
  const double* gd = g.data();
  if (o_.momentum == 0) {
    for (size_t i = 0; i < n; ++i) v[i] -= eta * (gd[i] + lambda * v[i]);
    return;
  }
  if (velocity_.size() != n) velocity_.assign(n, 0.0);
  const double mu = o_.momentum;
  for (size_t i = 0; i < n; ++i) {
    velocity_[i] = mu * velocity_[i] + gd[i] + lambda * v[i];
    v[i] -= eta * velocity_[i];
  }
}

}  // namespace parley
