// The emulated cluster's compute side (DESIGN.md): per-worker slowdowns (which may change
// during the run), random stragglers, heavy-tailed step times, and workers that die at a time
// or step. Applied by the runtime in RunContext::ChargeCompute, i.e. around every
// Node::Compute of a worker or peer; algorithms never see it. The network side is
// comm/netem_transport.h. All draws come from the run seed; everything is written to the
// metrics log.
//
// The emulated duration of a step of worker i is
//   base * slowdown_i(t) * (straggler ? straggle_factor : 1) * LogNormal(-sigma^2/2, sigma)
// where base is --step-time when given, else the CPU time the step's thread spent computing
// (not its wall time, which on a machine with fewer cores than roles includes waiting for a
// core); the node sleeps for whatever of that the computation's wall time did not already take
// (owed sleep is batched from 0.2 ms on, see Runner::SleepOff).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parley/comm/netem_transport.h"
#include "parley/core/rng.h"
#include "parley/core/status.h"

namespace parley {

struct SlowdownRule {
  int worker = 0;
  double factor = 1;
  double from_time = 0;  // seconds on the run's clock from which the factor applies
};

struct KillRule {
  int worker = 0;
  double at_time = -1;   // dies at its first step at or after this time (< 0: unused)
  int64_t at_step = -1;  // dies at this step (< 0: unused)
  // >= 0: the rule kills parameter server `server` instead (by time only: a server takes no
  // steps; it dies at its first version at or after at_time), and `worker` is unused.
  int server = -1;
};

struct EmulationOptions {
  double step_time = 0;                // nominal seconds per step; 0: measured compute time
  std::vector<SlowdownRule> slowdowns;
  double straggle_prob = 0;            // probability that a step is a straggler
  double straggle_factor = 1;          // ... and how many times longer it takes
  double step_sigma = 0;               // lognormal sigma of the step-time multiplier (mean 1)
  std::vector<KillRule> kills;
  NetworkOptions network;

  bool compute_active() const {
    return step_time > 0 || !slowdowns.empty() || straggle_prob > 0 || step_sigma > 0 ||
           !kills.empty();
  }
  nlohmann::json ToJson() const;
};

// Flag parsers; each error names the flag and shows the expected form.
// "3=4" or "3=4@10,5=2": worker 3 four times slower (from t = 10 s).
StatusOr<std::vector<SlowdownRule>> ParseSlowdowns(const std::string& spec);
// "0.05:8": 5% of steps take 8x longer.
Status ParseStragglers(const std::string& spec, double* prob, double* factor);
// "2@t=5" or "2@step=100", comma separated; "s1@t=5": parameter server 1 at t = 5 s.
StatusOr<std::vector<KillRule>> ParseKills(const std::string& spec);

// Per-rank compute emulation. rank_to_worker[r] is the worker index of rank r, or -1 for
// roles that are not emulated (servers, masters).
class ComputeEmulator {
 public:
  ComputeEmulator(const EmulationOptions& o, std::vector<int> rank_to_worker, uint64_t seed);

  struct Outcome {
    double seconds = 0;  // emulated duration of the step
    bool killed = false;
  };
  // Called by rank `rank`'s thread only, after a step that took `measured` seconds, at run
  // time `now`. Returns the emulated duration (the caller sleeps for the rest) or a death.
  Outcome Step(int rank, double measured, double now);

  int worker_of(int rank) const { return rank_to_worker_.at(rank); }
  // Straggler steps per worker so far (read at report time; approximate under concurrency).
  std::vector<int64_t> Stragglers() const;

 private:
  struct PerRank {
    Rng rng;
    int64_t steps = 0;
    int64_t stragglers = 0;
  };
  const EmulationOptions o_;
  const std::vector<int> rank_to_worker_;
  std::vector<PerRank> ranks_;  // element r touched only by rank r's thread
  mutable std::mutex mu_;       // guards the straggler counts read by Stragglers()
};

}  // namespace parley
