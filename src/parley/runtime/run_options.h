// Everything that describes one training run, as the command line and the TOML config give
// it. Plain struct with documented defaults; validated once by the runtime.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parley/algos/algorithm.h"
#include "parley/models/model.h"
#include "parley/data/dataset.h"
#include "parley/data/libsvm_reader.h"
#include "parley/runtime/emulation.h"

namespace parley {

class Clock;  // core/clock.h

struct RunOptions {
  // Data.
  std::string train_path;       // required (see data/read.h for the accepted formats)
  std::string test_path;        // optional held-out set
  double test_fraction = 0;     // without --test: hold out this fraction of --data (seeded)
  size_t train_eval_rows = 20000;  // train metrics on a seeded sample of this many rows; 0: all
  uint32_t max_features = kDefaultMaxFeatures;  // LIBSVM: the largest feature index accepted

  ModelOptions model;
  AlgorithmOptions algo;
  TrainOptions train;

  EmulationOptions emulation;      // emulated stragglers, network and faults (runtime/emulation.h)

  uint64_t seed = 1;               // the run seed: every random choice derives from it
  std::string transport = "inproc";  // inproc | mpi | sim
  // --transport sim: a SimGrid platform file ("" : a cluster built from the --network profile,
  // comm/sim/sim_platform.h), and the factor on a step's measured CPU time that becomes its
  // virtual duration when there is no --step-time.
  std::string platform_path;
  double compute_scale = 1;

  // Stop rule in addition to the epoch budget.
  std::string target_metric;       // stop when the test metric reaches target_value
  double target_value = 0;
  double time_limit = 0;           // seconds of training; 0: none

  // Outputs.
  std::string metrics_path;        // JSON lines, one per evaluation
  std::string summary_path;        // JSON summary at the end
  std::string model_out;           // model file
  std::string checkpoint_path;     // written at every evaluation point: the evaluated parameters
                                   // and where the run is (a model file, see model_file.h)
  std::string resume_path;         // start from this checkpoint: its parameters, epoch and update
                                   // count (same data, model and seed; --epochs counts from the
                                   // start of the original run)
  bool quiet = false;              // no terminal output but errors
  bool progress = true;            // progress bar when stderr is a terminal

  // The run's clock (core/clock.h), not owned; it must outlive Train. nullptr: the real clock,
  // counting from the roles' start. In-process runs only (tests run in a ManualClock's time).
  Clock* clock = nullptr;

  // In-process callers (the Python module, python/): what the command line cannot say.
  // train_data: the training set in memory, used instead of train_path (test_data, if set,
  // instead of test_path; else test_fraction splits train_data). Its Columns may borrow the
  // caller's memory (data/column.h): the run reads them and copies only where a split, a shard
  // or a train-evaluation sample takes rows (docs/python.md). inproc transport only.
  std::shared_ptr<const Dataset> train_data, test_data;
  // Start from these parameters instead of the model's initialisation (partial_fit); their
  // count must be the model's NumParams(). The epoch and step counts start from 0.
  std::shared_ptr<const std::vector<double>> initial_params;
  // When set and true, the run stops at its roles' next stop check, as at its time limit, and
  // ends normally with the parameters it has (Ctrl-C in Python). Read from the roles' threads.
  const std::atomic<bool>* cancel = nullptr;
};

}  // namespace parley
