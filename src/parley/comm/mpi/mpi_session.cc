#include "parley/comm/mpi/mpi_session.h"

#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace parley {

StatusOr<std::unique_ptr<MpiSession>> MpiSession::Start() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return Internal("MPI was already finalised in this process; one training run per mpirun");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return Internal("MPI is already initialised in this process");
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
    return Unavailable("MPI_Init_thread failed; is this process started by mpirun?");
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    return Unavailable("the MPI library gives only thread level " + std::to_string(provided) +
                       "; parley needs MPI_THREAD_SERIALIZED (a progress thread makes the MPI calls)");
  }
  std::unique_ptr<MpiSession> s(new MpiSession());
  MPI_Comm_rank(MPI_COMM_WORLD, &s->rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &s->size_);
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  MPI_Get_processor_name(name, &len);
  s->host_.assign(name, static_cast<size_t>(len));
  char lib[MPI_MAX_LIBRARY_VERSION_STRING];
  MPI_Get_library_version(lib, &len);
  s->library_.assign(lib, static_cast<size_t>(len));
  if (auto nl = s->library_.find('\n'); nl != std::string::npos) s->library_.resize(nl);
  return s;
}

MpiSession::~MpiSession() { MPI_Finalize(); }

std::vector<int> MpiSession::NotOk(bool ok) {
  std::vector<int> flags(static_cast<size_t>(size_), 0);
  int mine = ok ? 1 : 0;
  MPI_Allgather(&mine, 1, MPI_INT, flags.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<int> bad;
  for (int r = 0; r < size_; ++r)
    if (!flags[static_cast<size_t>(r)]) bad.push_back(r);
  return bad;
}

void MpiSession::Broadcast(std::vector<double>& values) {
  uint64_t count = values.size();
  MPI_Bcast(&count, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  values.resize(count);
  constexpr uint64_t kPiece = uint64_t{1} << 27;  // MPI counts are ints
  for (uint64_t at = 0; at < count; at += kPiece)
    MPI_Bcast(values.data() + at, static_cast<int>(std::min(kPiece, count - at)), MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

std::vector<int64_t> MpiSession::Gather(const std::vector<int64_t>& values) {
  std::vector<int64_t> all(rank_ == 0 ? values.size() * static_cast<size_t>(size_) : 0);
  MPI_Gather(values.data(), static_cast<int>(values.size()), MPI_INT64_T, all.data(),
             static_cast<int>(values.size()), MPI_INT64_T, 0, MPI_COMM_WORLD);
  return all;
}

void MpiSession::AbortJob(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; keep the compiler and the contract honest
}

}  // namespace parley
