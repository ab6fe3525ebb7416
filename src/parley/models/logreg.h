// L2-regularised logistic regression on sparse rows (see sparse_linear.h for the layout).
// Loss of a row with margin m = y <w, x>: log(1 + exp(-m)), computed stably as
// log1p(exp(-|m|)) + max(-m, 0).
#pragma once

#include <cmath>

#include "parley/models/sparse_linear.h"

namespace parley {

struct LogisticLoss {
  static constexpr const char* kKind = "logreg";
  static constexpr const char* kLossMetric = "logloss";

  // One exp and one log1p; dloss/dm = -sigmoid(-m).
  static double Eval(double m, double* dloss) {
    const double e = std::exp(-std::abs(m));
    *dloss = (m >= 0 ? -e : -1.0) / (1.0 + e);
    return std::log1p(e) + (m < 0 ? -m : 0.0);
  }
  static double Value(double m) { return std::log1p(std::exp(-std::abs(m))) + (m < 0 ? -m : 0.0); }
};

using LogRegModel = SparseLinear<LogisticLoss>;
extern template class SparseLinear<LogisticLoss>;

}  // namespace parley
