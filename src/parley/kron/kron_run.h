// `parley train` on Kronecker points files (docs/kron.md, ALGORITHMS.md D), --model twolayer:
//  - with --kron: the Kronecker trainer (KronTrainer), step cost independent of d;
//  - without: the dense baseline (DenseTrainer) on the file's dense view, in float64.
// Both run sequential SGD and use the run seed as the runtime does (split: Fork("split"),
// initial weights: Fork("init") drawn as TwoLayerModel::Init draws them, batch order: the
// sequential worker's, train metrics on the same seeded sample), so the two give the same
// loss trajectory, and both write the runtime's metrics log and summary keys (model, algo,
// workers, wall_seconds, train_seconds, epochs, updates, train, test, config, ...). The
// summary adds "trainer" ("kron" or "dense"), "d1", "d2", and for --kron a "kron" object
// (threads, initialisation seconds, memory, fraction of neurons fired per point), which
// every --kron metrics line carries too. --model-out writes an ordinary twolayer model file
// (the Kronecker trainer materialises W for it).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "parley/core/status.h"
#include "parley/runtime/run_options.h"

namespace parley {

struct KronRunOptions {
  bool kron = false;  // the Kronecker trainer (else the dense baseline)
  int threads = 0;    // Kronecker trainer threads for initialisation and P updates; 0: one per core
};

// Trains on the Kronecker points file options.train_path (test data: options.test_path, also a
// Kronecker file, or a seeded options.test_fraction split) and returns the summary, also
// written to options.summary_path when set. Emulation options are ignored.
// Errors: InvalidArgument for a model other than twolayer, an algorithm other than
// sequential with one worker, a transport other than inproc, --momentum > 0, bad training
// options (as ValidateTrainOptions), or data that is not a valid Kronecker points file (with
// file:line); NotFound for a missing file.
StatusOr<nlohmann::json> TrainKron(const RunOptions& options, const KronRunOptions& kron);

}  // namespace parley
