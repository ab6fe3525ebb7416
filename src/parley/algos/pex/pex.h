// Asynchronous parameter exchange with a master (ALGORITHMS.md B; Joshi, Iutzeler, Amini 2017)
// and its synchronous counterpart (periodic model averaging).
//
// Ranks: 0 is the master, 1..W the workers (worker i is rank i + 1, Role.worker = i, so the
// emulated slowdowns and kills address workers).
//
// worker i: a full parameter copy started at the run's x_0, its own SgdOptimizer (velocity
// kept across exchanges), shard i and BatchRng(i). It runs K SGD steps (fewer when the master
// says the epoch budget is nearly spent), K = --local-steps or, by default (0), sized by
// ExchangeInterval (exchange_interval.h): exchanging at most a tenth of the worker's time, K
// from 10 to a tenth of a pass over its shard, then sends its shared parameters
// [0, SharedSize()) to the master, waits for the reply and replaces its shared part with it
// (its local part, MF user factors, stays).
//
// pex master: keeps last[i] (the latest contribution of every worker, x_0 at first) and
// xbar = sum_i pi_i last[i], pi_i = rows of shard i / rows of the training set (over the live
// workers, see Liveness). On each contribution: xbar += pi_i (x_i - last[i]); last[i] = x_i;
// reply xbar to worker i at once.
// It never waits for all. With AlgorithmOptions::pex_check it recomputes sum_i pi_i last[i]
// after every exchange and counts the exchanges where it differs from xbar by more than
// 1e-12 relative (max norm): "invariant_violations" in the metrics.
//
// pex-sync master: each round waits for a contribution of every live worker, sets xbar to
// their pi-weighted average (weights renormalised over the round's contributors) and replies
// to all of them. A worker that misses a round by --deadline is dropped from the rounds
// ("dropped_workers"); should it speak again it rejoins the next round.
//
// Epochs: every contribution carries the rows and steps since the worker's last exchange;
// the master's EvalClock counts them against the training set, reports at evaluation points
// with parameters xbar and, when the budget is spent (or the run stops), sends kStop to all
// and reports the final parameters. "updates" is the total of local SGD steps.
//
// Local parameters (MF user factors; SharedSize() < NumParams()): they never enter the
// average, but the master needs them to evaluate. Every contribution also carries, as
// (index, value) pairs, the local entries the worker changed (plain SGD: since its last
// exchange; with momentum, where untouched rows keep moving: every entry it ever touched).
// The master keeps an assembled local part (x_0 elsewhere). Those bytes are counted apart
// ("local_bytes"); for LR/SVM (SharedSize() == NumParams()) there are none.
//
// Step sizes: each reply carries the run's schedule clock, the SGD steps of all workers
// divided by the number of workers, and a worker's schedule time becomes max(its own steps,
// clock). A worker that was slow or starved therefore resumes with the step size of the run's
// progress, not the large early one of its own few steps (which, with weight pi_i in the
// average, kept a starved worker's noisy iterates from settling). One worker: the clock is its
// own count.
//
// Liveness: a worker silent for --deadline is listed in "silent_workers" and its last
// contribution leaves the average (pex: xbar becomes the average over the live workers, their
// pi renormalised; should it speak again it rejoins, back in the average), or it is dropped
// from the rounds (pex-sync). Each of these writes an event line (silent, rejoined, dropped)
// to the metrics log and the summary. This departs from the paper, whose master keeps every
// last contribution forever: a dead worker's x_0 (or old iterate) would pull the others back
// towards it with weight pi_i for the rest of the run. When every worker is silent the run
// fails with DeadlineExceeded naming them. A worker whose master is silent for 2 x --deadline
// fails naming the master.
#pragma once

#include "parley/algos/algorithm.h"

namespace parley {

class ParameterExchange final : public Algorithm {
 public:
  ParameterExchange(bool sync, const AlgorithmOptions& o) : sync_(sync), o_(o) {}
  std::string Name() const override { return sync_ ? "pex-sync" : "pex"; }
  int NumShards() const override { return o_.workers; }
  std::vector<Role> Roles(const AlgorithmSetup& setup) override;
  // Rank 0 the master, worker i on rank i + 1.
  RankLayout Ranks() const override {
    return {1 + o_.workers, "1 master + " + CountOf(o_.workers, "worker")};
  }
  int ShardOfRank(int rank) const override { return rank - 1; }
  std::vector<std::string> SummaryKeys() const override { return {"silent_workers"}; }

 private:
  bool sync_;
  AlgorithmOptions o_;
};

}  // namespace parley
