// The in-process transport: every rank is a thread of this process. Each rank has a mailbox
// (a mutex-protected FIFO with a condition variable) and one slot per sender for one-sided
// puts. A send is delivered before Send returns, so its completion flag is set at once; the
// emulation layer (runtime) is what delays messages.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "parley/comm/transport.h"

namespace parley {

class InprocTransport final : public Transport {
 public:
  // `clock`: the run's clock (Receive's deadlines); it must outlive the transport.
  InprocTransport(int size, Clock& clock);

  int size() const override { return static_cast<int>(boxes_.size()); }
  Clock& clock() const override { return clock_; }
  void Send(int from, int to, int tag, Bytes payload, SendDone done) override;
  std::optional<Message> Receive(int me, double deadline) override;
  void Put(int from, int to, Bytes state, SendDone done) override;
  int ReadFreshSlots(int me, const std::function<void(int, std::span<const std::byte>)>& f) override;
  int64_t SlotOverwrites(int me) const override;
  void Abort() override;

 private:
  struct Slot {
    Bytes state;
    bool fresh = false;
  };
  struct Box {
    mutable std::mutex mu;
    std::condition_variable cv;
    std::deque<Message> queue;  // GUARDED_BY(mu)
    std::atomic<size_t> queued{0};  // queue.size(), written under mu, read by spinning receivers
    std::vector<Slot> slots;    // GUARDED_BY(mu); one per sender
    int64_t overwrites = 0;     // GUARDED_BY(mu)
  };

  // How long Receive spins before it blocks, when it spins at all (spin_).
  static constexpr std::chrono::microseconds kSpin{50};
  // Whether every rank can have a core of its own: only then does a waiting Receive spin
  // (measured, async logreg batch 1: 1 worker 4x faster with the spin; 8 workers on 2 cores
  // 1.3x slower, the spinners taking the cores the workers need).
  const bool spin_;
  Clock& clock_;

  std::vector<Box> boxes_;  // constant size after construction
  std::atomic<bool> aborted_{false};
};

}  // namespace parley
