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

std::string ReportLine(double epochs, int64_t updates, double seconds, double train_loss,
                       const MetricSet& train, const MetricSet& test, bool final) {
  char head[96];
  std::snprintf(head, sizeof(head), "epoch %6.2f  updates %9lld  time %7.2fs  batch loss ",
                epochs, static_cast<long long>(updates), seconds);
  return head + (train_loss >= 0 ? std::to_string(train_loss) : std::string("-")) + " |" +
         (test.empty() ? " train" : " test") +
         FormatMetrics(test.empty() ? train : test) + (final ? "  (final)" : "") + "\n";
}

}  // namespace parley
