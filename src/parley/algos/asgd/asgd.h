// Decentralised algorithms of ALGORITHMS.md A: ASGD with Parzen-window merging and
// communication load balancing (Keuper & Pfreundt 2015), and its two baselines,
// SimuParallelSGD (Zinkevich et al. 2010) and batch (MapReduce-style) Lloyd K-means.
//
// Every role is a "peer" (rank = worker index, no server); peer 0 reports.
//
// asgd: each peer runs mini-batch SGD on its shard (BatchRng(index)); all start from the same
// initial parameters. Before each step's update it reads its fresh slots (each write once) and
// keeps the states (or blocks) that pass ParzenAccept (parzen.h) against its own state and
// step; the step's result is averaged with them. Every `interval` steps it Puts its state
// (or the next msg_blocks of its B blocks, round robin) into a uniformly random other peer's
// slot; the Balancer (balancer.h) adapts interval / message size to its in-flight sends.
// The interval is --send-every, or by default (0) sized by ExchangeInterval
// (exchange_interval.h) so that a message's cost, the sender's Put plus the receiver's test
// and merge, is at most a tenth of the sender's time (from 1 up to a tenth of a pass over its
// shard); under --balance interval|both the balancer's, starting at 1. A step with no
// fresh state takes the model's fused SGD step when there is one (plain SGD).
// Only the shared parameters [0, SharedSize()) are exchanged (MF user factors stay private).
//
// Epoch budget: each peer counts its own rows and runs `epochs` passes over its own shard
// (epochs of its shard = epochs of the whole set while the peers keep pace; peer 0's epoch
// count is its own rows / shard rows, i.e. its rows scaled by W). A budget shared by all peers
// was tried first and rejected: threads start one after the other and a step takes
// microseconds, so peer 0 could spend the whole budget before the others started. Peer 0
// reports its own state at evaluation points. At the end the peers send their final states
// to peer 0 (waiting at most --deadline for a dead one), which reports its own state (a
// non-final line with "state": "peer0") and then, as the final parameters, the
// average of all peers' shared parameters (private parameters: the initial values plus the
// sum of every peer's change to them, since peers touch disjoint private rows).
// puts_all / received_all in peer 0's lines: the state messages every peer has written and
// read so far (Node::SlotTraffic; under MPI the other peers' counts are at most 250 ms old,
// and in the final line exact: each peer's final message carries its own).
//
// simu: each peer runs SGD alone over its shard for `epochs` passes (epochs of its shard =
// epochs of the whole set); peer 0 reports its own state at evaluation points; the final
// parameters are the average of the peers' final states, combined as above.
//
// lloyd (--model kmeans only): each pass every peer accumulates cluster sums and counts over
// its whole shard (KMeansModel::LloydAccumulate) and sends them to peer 0, which adds them,
// applies LloydUpdate and broadcasts the centres. One pass = one epoch = one update.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "parley/algos/algorithm.h"

namespace parley {

// The peers' common initial parameters, computed once per process by the first peer that asks
// (the others wait) and copied by every peer. Each peer used to run Model::Init itself: the
// same result, but for K-means (k-means++ over the whole training set) W full passes over the
// data before the first step, which on shared cores delayed every peer by W times the
// sequential run's initialisation. Under a multi-process transport each process computes it
// once for its own peers (same seed, same values).
class SharedInit {
 public:
  // The initial parameters of `model` (a clone of it is initialised with setup.init_rng).
  const std::vector<double>& Get(const Model& model, const AlgorithmSetup& setup);
  int computed() const { return computed_.load(); }  // how many times Init ran (1 once used)

 private:
  std::once_flag once_;
  std::vector<double> w_;
  std::atomic<int> computed_{0};
};

// The peer-to-peer algorithms (asgd, simu, lloyd): peer i on rank i with shard i, every peer
// starting from the parameters of one SharedInit.
class PeerAlgorithm : public Algorithm {
 public:
  int NumShards() const override { return o_.workers; }
  std::vector<Role> Roles(const AlgorithmSetup& setup) final;
  RankLayout Ranks() const override { return {o_.workers, CountOf(o_.workers, "peer")}; }

 protected:
  explicit PeerAlgorithm(const AlgorithmOptions& o) : o_(o) {}
  // Peer i's role.
  virtual void RunPeer(Node& node, const AlgorithmSetup& setup, int i, SharedInit& init) = 0;

  AlgorithmOptions o_;

 private:
  std::shared_ptr<SharedInit> init_;
};

class Asgd final : public PeerAlgorithm {
 public:
  explicit Asgd(const AlgorithmOptions& o) : PeerAlgorithm(o) {}
  std::string Name() const override { return "asgd"; }
  // A state message of every block of the shared parameters.
  size_t SlotBytes(const Model& model) const override;

 private:
  void RunPeer(Node& node, const AlgorithmSetup& setup, int i, SharedInit& init) override;
};

class SimuParallelSgd final : public PeerAlgorithm {
 public:
  explicit SimuParallelSgd(const AlgorithmOptions& o) : PeerAlgorithm(o) {}
  std::string Name() const override { return "simu"; }

 private:
  void RunPeer(Node& node, const AlgorithmSetup& setup, int i, SharedInit& init) override;
};

class LloydKmeans final : public PeerAlgorithm {
 public:
  explicit LloydKmeans(const AlgorithmOptions& o) : PeerAlgorithm(o) {}
  std::string Name() const override { return "lloyd"; }

 private:
  void RunPeer(Node& node, const AlgorithmSetup& setup, int i, SharedInit& init) override;
};

}  // namespace parley
