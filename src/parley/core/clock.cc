#include "parley/core/clock.h"

#include <thread>

namespace parley {

void RealClock::SleepUntil(double t) { std::this_thread::sleep_until(At(t)); }

void RealClock::SleepFor(double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

bool RealClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          double deadline, const std::function<bool()>& ready) {
  return cv.wait_until(lock, At(deadline), ready);
}

bool ManualClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                            double deadline, const std::function<bool()>& ready) {
  (void)cv;
  (void)lock;
  if (ready()) return true;
  MoveTo(deadline);
  return ready();
}

void ManualClock::MoveTo(double t) {
  double now = now_.load(std::memory_order_acquire);
  while (t > now && !now_.compare_exchange_weak(now, t, std::memory_order_acq_rel)) {
  }
}

}  // namespace parley
