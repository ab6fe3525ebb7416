// Parameter-server SGD: synchronous with backup workers (ALGORITHMS.md C, Chen et al. 2016)
// and the asynchronous SGD it is compared with.
//
// sync: S servers hold the parameters in blocks; W = N + b workers. Each step t a server
// broadcasts version t of its block, adds the first N gradients computed on version t (at most
// one per worker), drops and counts every other gradient (stale versions, or the b slowest of
// this version), applies one optimizer step with their mean and moves to t + 1. b = 0 is
// plain synchronous SGD. A step that cannot gather N gradients within --deadline ends the run
// with an error naming the workers it is missing.
//
// async: each gradient is applied on arrival; the server answers the sender at once with its
// newest block. Staleness (server versions between the worker's read and the apply) is
// measured. A worker silent for --deadline is reported in the log; the others carry on.
//
// Sparse models (logreg, svm, mf: Model::SparseGradient): a worker pushes the coordinates its
// gradient touched and, with them, asks for the coordinates its next mini-batch reads
// (Model::GradientKeys); the servers send each version at just those (ps-lite's Push and Pull
// of keys), and apply the step in O(touched) (the L2 decay is a scale). So a message costs
// O(batch non-zeros), not O(parameters). Dense models exchange whole blocks. In sync, a
// worker whose gradient came too late for its step (a backup's) is answered at once with the
// current version at its new request.
#pragma once

#include "parley/algos/algorithm.h"

namespace parley {

class ParameterServerSgd final : public Algorithm {
 public:
  ParameterServerSgd(bool sync, const AlgorithmOptions& o) : sync_(sync), o_(o) {}
  std::string Name() const override { return sync_ ? "sync" : "async"; }
  int NumShards() const override { return o_.workers; }
  std::vector<Role> Roles(const AlgorithmSetup& setup) override;
  // Server s on rank s, worker i on rank servers + i.
  RankLayout Ranks() const override {
    return {o_.servers + o_.workers,
            CountOf(o_.servers, "server") + " + " + CountOf(o_.workers, "worker")};
  }
  int ShardOfRank(int rank) const override { return rank >= o_.servers ? rank - o_.servers : -1; }
  std::vector<std::string> SummaryKeys() const override {
    return {"dropped", "applied", "staleness_hist", "staleness_mean", "silent_workers",
            "aggregate"};
  }

 private:
  bool sync_;
  AlgorithmOptions o_;
};

}  // namespace parley
