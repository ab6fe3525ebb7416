// Named metric values of an evaluation ("accuracy", "logloss", "rmse", "objective", ...).
// Ordered by name so logs and summaries print deterministically.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace parley {

using MetricSet = std::map<std::string, double>;

// Whether a larger value of the metric is better (accuracy) or a smaller one (loss, rmse).
bool HigherIsBetter(const std::string& metric);

// The metrics as a JSON object for the metrics log and summary (a value that is not finite is
// null: JSON has no NaN or infinity).
nlohmann::json MetricsJson(const MetricSet& m);
// The metrics as a report line's " name value" pairs, four decimals each.
std::string FormatMetrics(const MetricSet& m);
// A run's report line on standard output, newline included: "epoch ... updates ... time ...s
// batch loss ... | test <metrics>" (the train metrics when there are no test metrics),
// "(final)" at the end of the last. train_loss < 0: none ("-").
std::string ReportLine(double epochs, int64_t updates, double seconds, double train_loss,
                       const MetricSet& train, const MetricSet& test, bool final);

}  // namespace parley
