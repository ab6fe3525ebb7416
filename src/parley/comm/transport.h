// The transport interface: how bytes move between ranks. Implementations live in
// comm/<name>/ (inproc today; mpi next) and are chosen only by the runtime. Algorithms never
// see a Transport: they talk to a Node (comm/node.h), which wraps it.
//
// Thread-safety: every method may be called concurrently from the threads of different
// ranks; the methods taking `me` are called only by rank `me`'s thread. Abort() may be called
// from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "parley/core/clock.h"

namespace parley {

using Bytes = std::vector<std::byte>;
using SteadyClock = std::chrono::steady_clock;

struct Message {
  int from = -1;
  int tag = 0;
  Bytes payload;
};

// Completion flag of a non-blocking send or put: set (release) by the transport once the
// bytes have left the sender's queue and reached the receiver; read (acquire) by the sender.
using SendDone = std::shared_ptr<std::atomic<bool>>;

class Transport {
 public:
  virtual ~Transport() = default;

  virtual int size() const = 0;
  // The run's clock, on which Receive's deadlines are read (core/clock.h).
  virtual Clock& clock() const = 0;

  // Queues `payload` for rank `to` and returns at once; sets *done when delivered.
  virtual void Send(int from, int to, int tag, Bytes payload, SendDone done) = 0;
  // The next message for `me`, waiting until `deadline` (seconds on clock()); nullopt on timeout
  // or after Abort().
  virtual std::optional<Message> Receive(int me, double deadline) = 0;

  // One-sided write of `state` into rank `to`'s slot for `from`: the newest write wins, an
  // unread older one is overwritten (and counted). Returns at once; sets *done when written.
  virtual void Put(int from, int to, Bytes state, SendDone done) = 0;
  // Calls f(from, state) once for every slot of `me` written since its last read, and returns
  // how many there were. Each write is seen at most once.
  virtual int ReadFreshSlots(int me, const std::function<void(int, std::span<const std::byte>)>& f) = 0;
  // Number of writes into `me`'s slots that replaced an unread state.
  virtual int64_t SlotOverwrites(int me) const = 0;

  // Wakes every blocked Receive; later Receives return nullopt at once.
  virtual void Abort() = 0;
};

}  // namespace parley
