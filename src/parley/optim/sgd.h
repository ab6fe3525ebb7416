// SGD with optional momentum, applied to Weights. Regularisation: an L2 coefficient lambda
// adds lambda * w to the gradient (decoupled from the model's data gradient).
//
// Plain SGD on a sparse gradient costs O(touched): w <- (1 - eta*lambda) w - eta g is done
// as a scale change of the Weights plus updates of the touched coordinates. Momentum keeps
// a dense velocity and costs O(parameters) per step:
//   v <- mu v + (g + lambda w);  w <- w - eta v.
// Not thread-safe; one optimizer per parameter copy.
#pragma once

#include <cstdint>
#include <vector>

#include "parley/core/status.h"
#include "parley/optim/schedule.h"
#include "parley/optim/weights.h"

namespace parley {

struct OptimizerOptions {
  ScheduleOptions schedule;
  double momentum = 0;  // mu in [0, 1)
};

Status ValidateOptimizer(const OptimizerOptions& o, double l2);

// One plain SGD step (no momentum): w <- (1 - eta*lambda) w - eta g. O(touched) for a sparse
// g (the L2 decay is a scale change of w), O(size) for a dense one.
void PlainSgdStep(Weights& w, const GradientBuffer& g, double eta, double lambda);

class SgdOptimizer {
 public:
  explicit SgdOptimizer(const OptimizerOptions& o) : o_(o), schedule_(o.schedule) {}

  // One step with gradient g (data term) and L2 coefficient lambda at step t.
  void Step(Weights& w, const GradientBuffer& g, double lambda, int64_t t);
  double LearningRate(int64_t t) const { return schedule_.At(t); }
  // Whether Step is PlainSgdStep (no momentum), so that a model's fused Model::SgdStep with
  // LearningRate(t) may replace Gradient + Step.
  bool plain() const { return o_.momentum == 0; }

  // Velocity, for checkpoints (empty unless momentum > 0 and a step was taken).
  std::vector<double>& velocity() { return velocity_; }

 private:
  OptimizerOptions o_;
  Schedule schedule_;
  std::vector<double> velocity_;
};

}  // namespace parley
