#include "parley/comm/inproc/inproc_transport.h"

#include <algorithm>
#include <cassert>
#include <thread>

namespace parley {
namespace {

// A spin-wait hint to the core (PAUSE on x86).
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

InprocTransport::InprocTransport(int size, Clock& clock)
    : spin_(static_cast<unsigned>(size) <= std::thread::hardware_concurrency()), clock_(clock),
      boxes_(size) {
  for (Box& b : boxes_) b.slots.resize(size);
}

void InprocTransport::Send(int from, int to, int tag, Bytes payload, SendDone done) {
  assert(to >= 0 && to < size());
  Box& b = boxes_[to];
  {
    std::lock_guard<std::mutex> lock(b.mu);
    b.queue.push_back(Message{from, tag, std::move(payload)});
    b.queued.store(b.queue.size(), std::memory_order_release);
    // Delivered: set before the receiver can see the message, so that a message received
    // is always one its sender sees as done.
    if (done) done->store(true, std::memory_order_release);
  }
  b.cv.notify_one();
}

std::optional<Message> InprocTransport::Receive(int me, double deadline) {
  Box& b = boxes_[me];
  // Spin first for up to kSpin of real time, when every rank has a core (a poll, whose
  // deadline has passed, does not): a blocked thread is woken in tens of microseconds on a
  // virtual machine, where the sleeping vCPU must be woken too.
  const bool waits = deadline > clock_.Now();
  if (spin_ && waits && b.queued.load(std::memory_order_acquire) == 0) {
    const auto until = SteadyClock::now() + kSpin;
    for (int i = 1; b.queued.load(std::memory_order_acquire) == 0 &&
                    !aborted_.load(std::memory_order_acquire);
         ++i) {
      CpuRelax();
      if (i % 64 == 0 && (SteadyClock::now() >= until || clock_.Now() >= deadline)) break;
    }
  }
  std::unique_lock<std::mutex> lock(b.mu);
  // A poll (deadline passed) must not wait: a futex wait whose time is already past still
  // sleeps for the kernel's timer slack, 50-80 us here, per call.
  if (b.queue.empty() && waits) {
    clock_.WaitUntil(b.cv, lock, deadline, [&] {
      return !b.queue.empty() || aborted_.load(std::memory_order_acquire);
    });
  }
  if (b.queue.empty() || aborted_.load(std::memory_order_acquire)) return std::nullopt;
  Message m = std::move(b.queue.front());
  b.queue.pop_front();
  b.queued.store(b.queue.size(), std::memory_order_release);
  return m;
}

void InprocTransport::Put(int from, int to, Bytes state, SendDone done) {
  assert(to >= 0 && to < size());
  Box& b = boxes_[to];
  {
    std::lock_guard<std::mutex> lock(b.mu);
    Slot& s = b.slots[from];
    if (s.fresh) b.overwrites++;
    s.state = std::move(state);
    s.fresh = true;
    if (done) done->store(true, std::memory_order_release);
  }
}

int InprocTransport::ReadFreshSlots(
    int me, const std::function<void(int, std::span<const std::byte>)>& f) {
  Box& b = boxes_[me];
  // Take the fresh states out under the lock, hand them to f outside it.
  std::vector<std::pair<int, Bytes>> fresh;
  {
    std::lock_guard<std::mutex> lock(b.mu);
    for (int j = 0; j < static_cast<int>(b.slots.size()); ++j) {
      if (b.slots[j].fresh) {
        b.slots[j].fresh = false;
        fresh.emplace_back(j, std::move(b.slots[j].state));
        b.slots[j].state.clear();
      }
    }
  }
  for (auto& [from, state] : fresh) f(from, state);
  return static_cast<int>(fresh.size());
}

int64_t InprocTransport::SlotOverwrites(int me) const {
  const Box& b = boxes_[me];
  std::lock_guard<std::mutex> lock(b.mu);
  return b.overwrites;
}

void InprocTransport::Abort() {
  aborted_.store(true, std::memory_order_release);
  for (Box& b : boxes_) {
    std::lock_guard<std::mutex> lock(b.mu);  // so no waiter misses the wake-up
    b.cv.notify_all();
  }
}

}  // namespace parley
