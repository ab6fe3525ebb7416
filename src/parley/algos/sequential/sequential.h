// Sequential SGD: one worker role that runs mini-batch SGD over the whole training set,
// shuffling it (seeded) at every epoch. The baseline every distributed algorithm is compared
// with, and, with one worker, the trajectory the synchronous algorithm must reproduce.
#pragma once

#include "parley/algos/algorithm.h"
#include "parley/algos/sgd_loop.h"

namespace parley {

class SequentialSgd final : public Algorithm {
 public:
  std::string Name() const override { return "sequential"; }
  int NumShards() const override { return 1; }
  RankLayout Ranks() const override { return {1, "1 worker"}; }
  std::vector<Role> Roles(const AlgorithmSetup& setup) override;
};

}  // namespace parley
