// Runs one training job: loads and splits the data, builds the model and the algorithm,
// places every role on the transport (in-process threads today), evaluates at the points the
// roles report, writes the metrics log, the summary and the model file.
#pragma once

#include <nlohmann/json.hpp>

#include "parley/core/status.h"
#include "parley/runtime/run_options.h"

namespace parley {

// Trains as described by options and returns the summary (also written to
// options.summary_path when set). Errors: bad options or data (InvalidArgument/NotFound, with
// the flag or file:line), a failed or unresponsive role (DeadlineExceeded/Unavailable naming it).
StatusOr<nlohmann::json> Train(const RunOptions& options);

}  // namespace parley
