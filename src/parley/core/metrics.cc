#include "parley/core/metrics.h"

namespace parley {

bool HigherIsBetter(const std::string& metric) {
  return metric == "accuracy" || metric == "auc";
}

}  // namespace parley
