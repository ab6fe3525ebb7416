// Linear SVM (L2-regularised hinge loss) on sparse rows (see sparse_linear.h for the layout).
// Loss of a row with margin m = y <w, x>: max(0, 1 - m). At the kink m = 1 the subgradient
// 0 is used. Evaluate also reports "hinge" (the mean loss) besides "logloss" (the logistic
// loss of the raw score, for comparison with logistic regression; not a calibrated
// probability).
#pragma once

#include "parley/models/sparse_linear.h"

namespace parley {

struct HingeLoss {
  static constexpr const char* kKind = "svm";
  static constexpr const char* kLossMetric = "hinge";

  static double Eval(double m, double* dloss) {
    if (m < 1) {
      *dloss = -1;
      return 1 - m;
    }
    *dloss = 0;
    return 0;
  }
  static double Value(double m) { return m < 1 ? 1 - m : 0.0; }
};

using SvmModel = SparseLinear<HingeLoss>;
extern template class SparseLinear<HingeLoss>;

}  // namespace parley
