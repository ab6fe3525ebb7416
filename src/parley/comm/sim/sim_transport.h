// The simulated transport (--transport sim): every rank is a SimGrid actor on a host of its
// own in a simulated platform (SimGrid's S4U API), and the run's clock is SimGrid's virtual
// clock (SimClock). The roles are the same code as on threads or MPI ranks; they run as
// coroutines of one OS thread, one at a time, and every wait is a SimGrid wait.
//
// Messages are SimGrid communications from the sender's host to the receiver's: a message of
// n payload bytes travels as n + kEnvelopeBytes over the links of its route, taking their
// latency and sharing their bandwidth with whatever else crosses them. Each message is carried
// by an actor of its own (a "carrier": Comm::sendto, then delivery), so a send returns at once,
// many transfers proceed side by side, and a message outlives a sender whose role has ended.
// Delivery keeps each pair's order, as a TCP connection does: a message that completes before
// an earlier one of the same pair (a small one overtaking a large one on a shared link) waits
// for it. A receiver waits on a SimGrid condition variable, so a Receive timeout is virtual
// time too.
//
// One-sided Puts (asgd) travel the same way and are written into the receiver's slot for the
// sender when they arrive: the newest wins, an unread one replaced is counted as overwritten
// (InprocTransport's count). SendDone flags turn true on delivery.
//
// Thread-safety: none needed and none given. Every method is called from the simulation's
// thread (by an actor; the constructor and the destructor outside Engine::run).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include <simgrid/forward.h>

#include "parley/comm/transport.h"
#include "parley/core/clock.h"



namespace parley {

// SimGrid's clock, from the simulated instant at construction (SimGrid's clock does not start
// again from 0 for a second simulation in the same process). SleepUntil and WaitUntil must be
// called by an actor; Now from any thread (it reads the simulation's clock).
class SimClock final : public Clock {
 public:
  SimClock();
  double Now() const override;
  void SleepUntil(double t) override;
  // Nothing in a simulation waits on an OS condition variable; should something do, this
  // releases `lock` and sleeps in virtual time, in steps of kPollStep, until ready() or the
  // deadline.
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, double deadline,
                 const std::function<bool()>& ready) override;

 private:
  static constexpr double kPollStep = 1e-3;
  const double origin_;
};

class SimTransport final : public Transport {
 public:
  // Bytes counted on the wire for a message beside its payload (its envelope: sender, tag).
  static constexpr size_t kEnvelopeBytes = 16;

  // Rank r runs on hosts[r]. Construct inside an Engine, on the simulation's thread, before
  // Engine::run.
  SimTransport(std::vector<simgrid::s4u::Host*> hosts, Clock& clock);
  ~SimTransport() override;

  int size() const override { return static_cast<int>(ranks_.size()); }
  Clock& clock() const override { return clock_; }
  void Send(int from, int to, int tag, Bytes payload, SendDone done) override;
  std::optional<Message> Receive(int me, double deadline) override;
  void Put(int from, int to, Bytes state, SendDone done) override;
  int ReadFreshSlots(int me, const std::function<void(int, std::span<const std::byte>)>& f) override;
  int64_t SlotOverwrites(int me) const override;
  // Later Receives return nullopt; a Receive already waiting does at its deadline (virtual
  // time, so at once unless another actor still has work). Callable from any thread.
  void Abort() override { aborted_.store(true, std::memory_order_release); }

 private:
  struct Envelope {
    int from;
    int to;
    int tag;
    bool slot;  // a Put
    uint64_t seq;  // per (from, to), from 0
    Bytes payload;
    SendDone done;
  };
  struct Slot {
    Bytes state;
    uint64_t seq = 0;
    bool fresh = false;
    bool written = false;
  };
  struct Rank;  // a rank's inbox, slots, condition variable and order bookkeeping

  // Sends e from its sender's host to its receiver's on a carrier actor.
  void Carry(std::unique_ptr<Envelope> e);
  // At arrival: delivers e and whatever of its pair's later messages it unblocks.
  void Arrive(std::unique_ptr<Envelope> e);
  void Deliver(std::unique_ptr<Envelope> e);

  Clock& clock_;
  std::vector<simgrid::s4u::Host*> hosts_;
  std::vector<std::unique_ptr<Rank>> ranks_;
  std::atomic<bool> aborted_{false};
};

}  // namespace parley
