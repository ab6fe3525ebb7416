// A fixed team of threads for fork-join loops that are too short to start threads for:
// Run(k, fn) calls fn(t) for t = 0..k-1, fn(0) on the calling thread and the others on the
// team's workers, and returns when every call has returned. Workers spin briefly before they
// block, so back-to-back short Runs (one per SGD step) do not pay a wake-up each time.
//
// Thread-safety: one thread at a time may call Run (the owner); fn must be safe to call
// concurrently for different t. Everything fn(t) wrote is visible to the caller when Run
// returns (the completion count is released by each worker and acquired by the caller).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace parley {

class ForkJoinPool {
 public:
  // A team of `threads` (the caller plus threads - 1 workers). REQUIRES: threads >= 1.
  explicit ForkJoinPool(int threads);
  ~ForkJoinPool();
  ForkJoinPool(const ForkJoinPool&) = delete;
  ForkJoinPool& operator=(const ForkJoinPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Calls fn(0..k-1) as described above. REQUIRES: 1 <= k <= size().
  void Run(int k, const std::function<void(int)>& fn);

 private:
  void WorkerLoop(int id);

  std::vector<std::thread> workers_;  // constant after construction

  // A Run publishes job_ and active_, then bumps generation_ (release); workers acquire it.
  const std::function<void(int)>* job_ = nullptr;
  int active_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};  // workers of the current Run that have not finished
  std::atomic<bool> stop_{false};
  std::mutex mu_;                // with cv_, for workers that stopped spinning
  std::condition_variable cv_;
  std::condition_variable done_cv_;
};

// 0 means "one per core": std::thread::hardware_concurrency(), at least 1.
int ResolveThreads(int threads);

}  // namespace parley
