// What the runtime knows of its process's place in an MPI job before MPI starts. (How many
// ranks an algorithm needs and which shard each loads: Algorithm::Ranks and ShardOfRank.)
#pragma once

namespace parley {

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
