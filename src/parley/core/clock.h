// The run's clock: every deadline, sleep and timestamp of a run is read on it, so that the same
// roles and transports can run in real time (RealClock, the default) or in a time that a test
// or a simulator moves (ManualClock). The runtime creates it and hands it to the nodes (through
// RunContext::Now) and to the transports (which wait for messages until a deadline on it).
// Times are seconds since the clock's origin (the start of the run).
//
// Measurements of real cost (the CPU time of a computation, benchmarks) do not belong to the
// run's time and read the steady clock directly.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

namespace parley {

class Clock {
 public:
  virtual ~Clock() = default;

  // Seconds since the origin.
  virtual double Now() const = 0;
  // Blocks the calling thread until Now() >= t (returns at once when t has passed).
  virtual void SleepUntil(double t) = 0;
  // Blocks the calling thread for `seconds` of this clock's time.
  virtual void SleepFor(double seconds) { SleepUntil(Now() + seconds); }
  // What a transport needs to wait for a message: waits on `cv` until ready() holds or Now()
  // reaches `deadline`, and returns ready(). REQUIRES: `lock` holds the mutex that guards what
  // ready() reads and that notifiers of `cv` take; it is held again on return.
  virtual bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         double deadline, const std::function<bool()>& ready) = 0;
};

// The real (steady, monotonic) clock, from an origin set at construction or by Restart.
class RealClock final : public Clock {
 public:
  using Steady = std::chrono::steady_clock;

  RealClock() { Restart(); }

  // Moves the origin (the run's start). Call before the threads that use the clock start
  // waiting on it: a deadline taken before a restart is not moved with it.
  void Restart(Steady::time_point origin = Steady::now()) {
    origin_.store(origin.time_since_epoch().count(), std::memory_order_relaxed);
  }
  Steady::time_point origin() const {
    return Steady::time_point(Steady::duration(origin_.load(std::memory_order_relaxed)));
  }
  // The steady-clock instant of time t on this clock.
  Steady::time_point At(double t) const {
    using std::chrono::duration;
    return origin() + std::chrono::duration_cast<Steady::duration>(duration<double>(t));
  }

  double Now() const override {
    return std::chrono::duration<double>(Steady::now() - origin()).count();
  }
  void SleepUntil(double t) override;
  void SleepFor(double seconds) override;
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, double deadline,
                 const std::function<bool()>& ready) override;

 private:
  std::atomic<Steady::rep> origin_{0};
};

// A clock that moves only when told to (Advance), or when a thread would wait on it: SleepUntil,
// and a WaitUntil whose condition does not hold, set the clock to their deadline at once (the
// clock never goes back). For tests of deadlines and emulated times that must not wait in wall
// time. A waiter is not woken by another thread's Advance: use it where no thread waits for
// another one's progress (one role, or roles that never wait on each other).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(double start = 0) : now_(start) {}

  // Moves the clock forward by `seconds` (>= 0).
  void Advance(double seconds) { MoveTo(Now() + seconds); }

  double Now() const override { return now_.load(std::memory_order_acquire); }
  void SleepUntil(double t) override { MoveTo(t); }
  bool WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, double deadline,
                 const std::function<bool()>& ready) override;

 private:
  void MoveTo(double t);  // now_ = max(now_, t)

  std::atomic<double> now_;
};

}  // namespace parley
