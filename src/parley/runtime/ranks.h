// How many ranks (roles) an algorithm needs, and how to say it: the MPI runtime checks
// mpirun's process count against it before loading any data.
#pragma once

#include <string>

#include "parley/algos/algorithm.h"

namespace parley {

struct RankLayout {
  int ranks = 1;
  std::string description;  // "1 master + 3 workers"
};

// REQUIRES: options accepted by MakeAlgorithm.
RankLayout RanksNeeded(const AlgorithmOptions& options);

// The shard (worker index) the role on `rank` trains on, or -1 for a role without one (a
// server, the pex master): the order in which the algorithms build their roles (servers or
// the master first, then the workers; one peer per rank). The runtime checks it against the
// roles it builds. REQUIRES: options accepted by MakeAlgorithm, 0 <= rank < RanksNeeded.
int ShardOfRank(const AlgorithmOptions& options, int rank);

// This process's rank as the launcher (mpirun/mpiexec of OpenMPI or MPICH, or srun with PMIx)
// announced it in the environment, or -1 when it was not launched that way. Usable before
// MPI is initialised: the command line prints errors on rank 0 only.
int LaunchedRank();

// Under mpirun: set by the runtime when it has printed this rank's error itself (rank 0's
// error before the run starts is printed before the ranks agree to stop, so that no rank
// exits, and makes mpirun kill rank 0, before the message is out); the command line then
// does not print it again.
void SetErrorReported();
bool ErrorReported();

}  // namespace parley
