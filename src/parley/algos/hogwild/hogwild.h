// Hogwild! (Niu, Recht, Ré, Wright 2011): lock-free SGD on one shared parameter vector, the
// baseline every multi-core user compares against. It pays only where the workers' steps
// rarely write the same cache lines: on this project's 2-core VM, 2 workers were no faster
// than one thread on MovieLens MF and 3x slower on the text-like logistic regression, whose
// frequent features both write at nearly every step (bench/RESULTS-kernels.md).
//
// W worker roles, each on its own shard with its own mini-batch order (BatchRng(index)), run
// plain SGD (or SGD with momentum, the velocity private to the worker) straight on one
// parameter vector held in the process's memory: no locks, no messages, no copies. Reads and
// writes of different workers race by design; the algorithm tolerates the lost updates and
// stale reads this causes (the paper's analysis: sparse updates rarely collide). Parameters
// are IEEE doubles, aligned: on x86-64 each load and store of one is single-copy atomic, so a
// reader sees some worker's value, never a torn one. The races are formally data races in C++;
// the tests of this algorithm are kept out of the ThreadSanitizer run for that reason
// (scripts/test.sh), and the rest of the runtime is tested there as before.
//
// L2 on sparse models: sequential SGD decays every parameter at each step in O(1) through
// Weights' global scale, a scale that W writers cannot share. A hogwild worker instead takes
// its steps without the decay (Model::WithoutL2's fused step, or Gradient and a step with
// l2 = 0) and multiplies the whole vector by the product of the decays it owes, (1 - eta_t l2)
// over its steps since, every K steps, K = parameters / (batch x (mean non-zeros of its
// shard's rows + 1)): the decay costs about what the steps do, and each parameter gets the
// factors of sequential SGD, later by at most K steps. Models without L2 or with dense steps
// (and MF, whose l2 is in its gradient) take exactly the sequential steps: one worker follows
// sequential SGD's trajectory to the bit.
//
// Epoch budget and reports as simu's: each worker runs `epochs` passes over its own shard;
// worker 0 reports the shared parameters at its evaluation points (updates: every worker's
// steps so far) and, once every other worker has said it is done (or --deadline after its own
// end, for a worker whose emulated machine died), the final parameters with
// "workers_finished". One process only (Algorithm::InProcessOnly): MPI ranks share no memory.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "parley/algos/algorithm.h"
#include "parley/optim/weights.h"

namespace parley {

// What the workers of one hogwild run share.
struct HogwildShared {
  explicit HogwildShared(int workers) : steps(new StepCount[static_cast<size_t>(workers)]) {}
  std::once_flag init;  // the first worker to start initialises `w`
  Weights w;
  // Worker i's steps so far, each on its own cache line (written by worker i, summed by 0).
  struct alignas(64) StepCount {
    std::atomic<int64_t> v{0};
  };
  std::unique_ptr<StepCount[]> steps;
};

class Hogwild final : public Algorithm {
 public:
  explicit Hogwild(const AlgorithmOptions& o) : o_(o) {}
  std::string Name() const override { return "hogwild"; }
  int NumShards() const override { return o_.workers; }
  RankLayout Ranks() const override { return {o_.workers, CountOf(o_.workers, "worker")}; }
  bool InProcessOnly() const override { return true; }
  std::vector<Role> Roles(const AlgorithmSetup& setup) override;

 private:
  AlgorithmOptions o_;
  std::shared_ptr<HogwildShared> shared_;
};

}  // namespace parley
