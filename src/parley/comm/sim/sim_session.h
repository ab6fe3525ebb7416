// One simulation of a --transport sim run: SimGrid's engine, the simulated platform
// (sim_platform.h), the run's virtual clock and the actors that run the roles.
//
// SimGrid keeps state per process (its configuration, its clock), so the simulations of one
// process follow each other and never overlap: Create refuses a second session while one is
// alive. A platform file loads only in the first simulation of a process (SimGrid 3.32
// crashes in a second one: Create refuses it); built-in platforms work in any. A second
// simulation's clock starts where the first one's ended (SimClock counts from there), so its
// times may round differently in the last digits: byte-identical logs are a property of runs
// in processes of their own, as on the command line. The session outlives the actors' run: the runtime reads the clock after it (the
// summary's training time).
//
// Actors are coroutines on their own stacks (SimGrid's default, and what lets 1,000 of them
// run in one thread); in sanitizer builds each actor is a thread instead (SimGrid's "thread"
// contexts, run one at a time), which AddressSanitizer and ThreadSanitizer can follow.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "parley/comm/link_schedule.h"
#include "parley/comm/sim/sim_transport.h"
#include "parley/core/status.h"

namespace parley {

class SimSession {
 public:
  // A platform of `ranks` hosts: built from `network`, or loaded from `platform_file` when it
  // is not empty (sim_platform.h).
  static StatusOr<std::unique_ptr<SimSession>> Create(const NetworkOptions& network,
                                                      const std::string& platform_file, int ranks);
  ~SimSession();
  SimSession(const SimSession&) = delete;
  SimSession& operator=(const SimSession&) = delete;

  SimClock& clock() { return *clock_; }
  const std::vector<simgrid::s4u::Host*>& hosts() const { return hosts_; }
  // What the metrics log's start line says of the platform.
  nlohmann::json Describe() const { return description_; }

  // Runs bodies[r] as an actor on hosts()[r], for every r, until every actor (and every
  // message still on its way) has ended; virtual time starts at 0 for the first actor.
  void Run(const std::vector<std::function<void()>>& bodies);

 private:
  SimSession() = default;

  std::unique_ptr<simgrid::s4u::Engine> engine_;
  std::vector<simgrid::s4u::Host*> hosts_;
  std::unique_ptr<SimClock> clock_;
  nlohmann::json description_;
};

}  // namespace parley
