// The MPI library's lifetime in this process (MPI_Init_thread .. MPI_Finalize) and the few
// world-wide collectives the runtime needs before and after a run. mpi.h is included only by
// the .cc files of comm/mpi/, so the rest of parley never sees MPI types.
//
// Threading: MPI is initialised with MPI_THREAD_SERIALIZED: the thread that creates the
// session calls Start/AllOk/the destructor; while an MpiTransport exists, only its progress
// thread makes MPI calls. The two never overlap.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "parley/core/status.h"

namespace parley {

class MpiSession {
 public:
  // Initialises MPI. Error: MPI already finalised in this process, or it cannot give at least
  // MPI_THREAD_SERIALIZED.
  static StatusOr<std::unique_ptr<MpiSession>> Start();
  // MPI_Finalize. REQUIRES: no MpiTransport alive (its Shutdown has returned).
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // "hostname" of this rank (MPI_Get_processor_name).
  const std::string& host() const { return host_; }
  // "Open MPI v4.1.4, ..." (MPI_Get_library_version, first line).
  const std::string& library() const { return library_; }

  // Collective: every rank says whether it is ready; returns the ranks that are not (the same
  // list on every rank). Lets ranks that failed before the run (a missing file on one host)
  // end the job cleanly instead of leaving the others waiting.
  std::vector<int> NotOk(bool ok);
  // Collective: rank 0's `values` on every rank (resized to rank 0's count).
  void Broadcast(std::vector<double>& values);
  // Collective: every rank's `values` (the same count on every rank) on rank 0, in rank order;
  // empty on the other ranks.
  std::vector<int64_t> Gather(const std::vector<int64_t>& values);

  // Ends every process of the job at once (MPI_Abort) with exit code `code`. Callable from any
  // thread; print the reason first.
  [[noreturn]] static void AbortJob(int code);

 private:
  MpiSession() = default;
  int rank_ = 0;
  int size_ = 1;
  std::string host_;
  std::string library_;
};

}  // namespace parley
