#include "parley/core/fork_join_pool.h"

#include <cassert>

namespace parley {
namespace {

// About a millisecond of spinning before a thread blocks; every 64th spin yields, so that a
// team larger than the free cores does not starve the thread it waits for.
constexpr int kSpins = 20000;

inline void CpuRelax(int spin) {
  if (spin % 64 == 63) {
    std::this_thread::yield();
    return;
  }
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

int ResolveThreads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

ForkJoinPool::ForkJoinPool(int threads) {
  assert(threads >= 1);
  for (int id = 1; id < threads; ++id) workers_.emplace_back([this, id] { WorkerLoop(id); });
}

ForkJoinPool::~ForkJoinPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ForkJoinPool::Run(int k, const std::function<void(int)>& fn) {
  assert(k >= 1 && k <= size());
  if (k == 1 || workers_.empty()) {
    fn(0);
    return;
  }
  job_ = &fn;
  active_ = k;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  cv_.notify_all();
  fn(0);
  for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpins) {
      CpuRelax(spin);
      continue;
    }
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
  }
  job_ = nullptr;
}

void ForkJoinPool::WorkerLoop(int id) {
  uint64_t seen = 0;
  for (;;) {
    auto ready = [&] {
      return generation_.load(std::memory_order_acquire) != seen ||
             stop_.load(std::memory_order_acquire);
    };
    for (int spin = 0; !ready(); ++spin) {
      if (spin < kSpins) {
        CpuRelax(spin);
        continue;
      }
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, ready);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = generation_.load(std::memory_order_acquire);
    if (id < active_) (*job_)(id);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mu_);
      done_cv_.notify_one();
    }
  }
}

}  // namespace parley
