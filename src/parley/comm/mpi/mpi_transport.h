// The MPI transport: this process hosts exactly one rank of the run (MPI_COMM_WORLD rank r runs
// role r). Point-to-point messages (server, master, worker traffic) are MPI messages; one-sided
// slots (ASGD) live in an RMA window (MPI_Win_allocate: MPI_Win_create fails over OpenMPI's
// TCP transport) written with passive-target MPI_Put.
//
// MPI calls are serialised by one mutex (MPI_THREAD_SERIALIZED is enough). A progress thread
// keeps every rank's traffic moving whatever its role is doing, and the role's own thread takes
// the MPI path itself when it is free, so that a message does not wait for a thread hand-off:
//  - Send posts MPI_Isend (a payload of any size is one message) at once when the MPI mutex is
//    free, after any operations still queued (per-pair FIFO order is kept); else it queues the
//    message for the progress thread. SendDone turns true when the send completes.
//  - Every incoming message is received (MPI_Improbe + MPI_Imrecv) as soon as it arrives, by the
//    progress thread or by a role waiting in Receive, so no pair of ranks can deadlock on full
//    buffers or on a rendezvous; messages are handed to Receive in the order they were matched
//    (MPI's per-pair FIFO order is kept).
//  - Receive polls MPI itself (taking the mutex when free, yielding the core between polls)
//    while something moved within the last kRolePoll, or a large transfer is in flight (up to
//    kSpinFor), and only then sleeps until the progress thread delivers; while a role polls, the
//    progress thread naps (kPollerNap) and is woken when the role stops polling without a
//    message or with operations still in flight.
//  - Put(from = me, to, state): MPI_Win_lock(EXCLUSIVE, to) + MPI_Put of {sequence, length,
//    bytes} into to's slot for me + MPI_Win_unlock, queued (the caller returns at once and never
//    waits for the target; SendDone turns true when the unlock completes, i.e. the bytes are in
//    the target's memory).
//  - ReadFreshSlots locks this rank's own window, copies every slot whose sequence number
//    changed since the last read, and unlocks (in the caller's thread when the MPI mutex is
//    free). Overwrites are counted by the reader: a slot whose sequence jumped by k > 1 since the
//    last read lost k - 1 writes that were never read (the same count as the in-process
//    transport's "replaced an unread state").
//  - A control channel (tags >= kControlTagBase, SendControl/ReceiveControl) carries the
//    runtime's own messages (stop, failure, counters, end of run) beside the roles' messages;
//    Abort() does not close it. ReceiveControl only sleeps (the runtime's thread never polls).
// When idle the progress thread backs off (yield, then sleeps of up to 1 ms), so that ranks
// oversubscribed on few cores leave the CPU to the roles; see bench/RESULTS-mpi.md
// for the latency this costs.
//
// Lock order: mpi_mu_ before out_mu_ and in_mu_; no thread sleeps holding mpi_mu_.
// Thread-safety: as Transport. Create and Shutdown are collective (every rank calls them) and
// are called by the thread that owns the MpiSession.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "parley/comm/transport.h"
#include "parley/core/status.h"

namespace parley {

class MpiTransport final : public Transport {
 public:
  // Tags of role messages must be in [0, kControlTagBase); control tags are
  // kControlTagBase + [0, 1000).
  static constexpr int kControlTagBase = 16384;

  // Collective over MPI_COMM_WORLD (REQUIRES: an MpiSession). Allocates the slot window with
  // `slot_capacity` bytes per (source, target) pair (0: no window; Put is then an error),
  // starts the progress thread and ends with a barrier, so that start_time() is (nearly) the
  // same instant on every rank. `clock`: the run's clock, on which Receive's deadlines are read
  // (a real one: MPI ranks run in real time); it must outlive the transport. The control channel
  // and the progress thread keep to the steady clock: they are this transport's own mechanics.
  static StatusOr<std::unique_ptr<MpiTransport>> Create(size_t slot_capacity, Clock& clock);
  // REQUIRES: Shutdown() has returned (or the job is being aborted).
  ~MpiTransport() override;

  int size() const override { return size_; }
  Clock& clock() const override { return clock_; }
  int rank() const { return rank_; }
  SteadyClock::time_point start_time() const { return start_; }

  // REQUIRES (all four): from == rank() / me == rank().
  void Send(int from, int to, int tag, Bytes payload, SendDone done) override;
  std::optional<Message> Receive(int me, double deadline) override;
  void Put(int from, int to, Bytes state, SendDone done) override;
  int ReadFreshSlots(int me, const std::function<void(int, std::span<const std::byte>)>& f) override;
  int64_t SlotOverwrites(int me) const override;
  // Closes this rank's Receive (role messages) only; the control channel stays open.
  void Abort() override;

  // Runtime control messages: tag in [0, 1000).
  void SendControl(int to, int tag, Bytes payload);
  std::optional<Message> ReceiveControl(SteadyClock::time_point deadline);  // tag without the base

  // Collective: waits until every rank's queued sends and puts have completed (receiving, and
  // dropping, whatever still arrives), frees the window and stops the progress thread.
  // Returns DeadlineExceeded when that does not happen within `timeout` (a rank is gone or
  // hung); the caller must then abort the job (MpiSession::AbortJob).
  Status Shutdown(std::chrono::duration<double> timeout);

  // Messages and bytes received by the progress thread so far (role and control).
  int64_t bytes_received() const { return bytes_received_.load(std::memory_order_relaxed); }

 private:
  struct Impl;  // MPI handles and the progress thread's own state
  struct Op {
    enum Kind { kSend, kPut, kRead } kind;
    int to = 0;
    int tag = 0;
    Bytes payload;
    SendDone done;
    std::promise<std::vector<std::pair<int, Bytes>>>* read = nullptr;
  };

  MpiTransport(int rank, int size, size_t slot_capacity, Clock& clock);
  void Progress();           // the progress thread's loop
  void Deliver(Message m);   // to the role queue or the control queue
  // Receive's polling: until a role message (or Abort) is there, nothing moved for kRolePoll,
  // or the deadline (on clock_).
  void PollForRole(double deadline);
  bool RoleReady();  // a role message is waiting, or Abort was called
  // Queues an operation for whoever next holds mpi_mu_ and wakes the progress thread.
  void Enqueue(Op op);
  // The MPI work shared by the progress thread and the roles; all REQUIRE mpi_mu_ held.
  // One pass: queued operations (and, for the progress thread, queued Puts: a role must not
  // wait in MPI_Win_unlock for another rank), completed sends, new and completed receives.
  // True when anything moved.
  bool PollLocked(bool puts = false);
  void ExecuteLocked(Op& op);
  bool LargeInFlightLocked() const;  // a send or receive of >= kSpinBytes is pending
  std::vector<std::pair<int, Bytes>> ReadSlotsLocked();  // ReadFreshSlots' fresh states

  // Constant after construction.
  const int rank_;
  const int size_;
  const size_t slot_capacity_;
  Clock& clock_;
  SteadyClock::time_point start_;
  std::unique_ptr<Impl> impl_;  // GUARDED_BY(mpi_mu_) (and Create/Shutdown, single-threaded)

  // Serialises every MPI call and impl_.
  std::mutex mpi_mu_;
  std::atomic<int> pollers_{0};  // roles polling MPI in Receive (the progress thread naps)
  std::atomic<bool> pending_{false};  // sends or receives in flight after the last PollLocked

  // Outgoing operations queued for whoever next holds mpi_mu_.
  std::mutex out_mu_;
  std::condition_variable out_cv_;
  std::deque<Op> out_;                 // GUARDED_BY(out_mu_)
  std::deque<Op> puts_;                // GUARDED_BY(out_mu_): Puts, for the progress thread only
  bool shutdown_requested_ = false;    // GUARDED_BY(out_mu_)
  bool hard_stop_ = false;             // GUARDED_BY(out_mu_): leave without the collective end

  // Incoming messages.
  std::mutex in_mu_;
  std::condition_variable in_cv_;       // role messages (Receive)
  std::condition_variable control_cv_;  // control messages (ReceiveControl)
  std::deque<Message> inbox_;          // GUARDED_BY(in_mu_): role messages
  std::deque<Message> control_;        // GUARDED_BY(in_mu_): control messages
  std::atomic<bool> aborted_{false};

  std::atomic<int64_t> overwrites_{0};
  std::atomic<int64_t> bytes_received_{0};
  std::mutex shutdown_mu_;
  std::condition_variable shutdown_cv_;
  int shutdown_state_ = 0;             // GUARDED_BY(shutdown_mu_): 0 running, 1 done
  std::thread progress_;
};

}  // namespace parley
