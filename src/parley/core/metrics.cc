#include "parley/core/metrics.h"

#include <cmath>
#include <cstdio>

namespace parley {

bool HigherIsBetter(const std::string& metric) {
  return metric == "accuracy" || metric == "auc";
}

nlohmann::json MetricsJson(const MetricSet& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) j[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
  return j;
}

std::string FormatMetrics(const MetricSet& m) {
  std::string s;
  char buf[64];
  for (const auto& [k, v] : m) {
    std::snprintf(buf, sizeof(buf), " %s %.4f", k.c_str(), v);
    s += buf;
  }
  return s;
}

}  // namespace parley
