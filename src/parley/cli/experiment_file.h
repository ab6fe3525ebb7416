// The experiment file of `parley compare` (TOML): a [workload] table of train flags (names
// without dashes) that every run shares, and [[run]] tables, each with a unique name and the
// flags it overrides; `repeat` (compare's own) runs a setting with seeds seed, seed+1, ...
// Errors name the file and the line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parley/core/status.h"

namespace parley {

// One key of the experiment file as a train flag.
struct Flag {
  std::string key;
  std::string value;  // the flag's argument as text ("true"/"false" for booleans)
  int line = 0;
};

// One run of the experiment: its flags and how often it is repeated.
struct RunSpec {
  std::string name;
  int line = 0;
  std::vector<Flag> flags;  // workload flags with the run's overrides (toml++ orders keys by name)
  int repeat = 1;
  uint64_t seed = 1;        // the first seed when repeating (train's default seed is 1)
};

// Reads the experiment at `path`; a non-empty cli_target replaces every run's target.
StatusOr<std::vector<RunSpec>> ReadExperiment(const std::string& path, const std::string& cli_target);

}  // namespace parley
