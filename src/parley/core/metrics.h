// Named metric values of an evaluation ("accuracy", "logloss", "rmse", "objective", ...).
// Ordered by name so logs and summaries print deterministically.
#pragma once

#include <map>
#include <string>

namespace parley {

using MetricSet = std::map<std::string, double>;

// Whether a larger value of the metric is better (accuracy) or a smaller one (loss, rmse).
bool HigherIsBetter(const std::string& metric);

}  // namespace parley
