// Runs one role so that whatever it throws ends the run with a message naming it, in one
// process and under MPI alike (a role thread that let an exception escape used to end the
// process in std::terminate, with no message and no checkpoint hint).
#pragma once

#include <string>

#include "parley/algos/algorithm.h"
#include "parley/comm/node.h"

namespace parley {

// "worker 2 (rank 3)", "server (rank 0)".
std::string RoleName(const Role& role, int rank);

// Runs role.run(node). Returns true when it ended on its own; false when its emulated machine
// died (NodeKilled: the role just vanishes, its peers find out on their own). Any other
// exception fails the run through node (RunContext::Fail: the first failure is what the user
// sees) with an Internal status naming the role and what was thrown ("ran out of memory"
// for std::bad_alloc), and returns true.
bool RunGuarded(const Role& role, Node& node);

}  // namespace parley
