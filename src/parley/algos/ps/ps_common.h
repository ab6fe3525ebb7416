// Pieces shared by the parameter-server algorithms (sync with backup workers, async): the
// worker role (identical in both: wait for parameters, compute a gradient, push it) and the
// collection of parameter slices on server 0 for evaluation. The block layout and the
// messages are in ps_wire.h.
//
// Ranks: servers are 0..S-1, workers S..S+W-1 (worker i is rank S + i).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "parley/algos/algorithm.h"
#include "parley/algos/ps/ps_wire.h"
#include "parley/comm/node.h"
#include "parley/optim/weights.h"

namespace parley::ps {

// The worker role of both algorithms. Worker `index` trains on shard `index`; it waits for a
// fresh block from every server (sync: all of the same, newest version), computes a gradient
// on its next mini-batch inside node.Compute, and pushes one block to each server. Ends on
// kStop or when the run stops; fails, naming the server, when a server is silent for
// `deadline` seconds.
// `dense`: ask for whole blocks even when the model is sparse (--dense-exchange).
void RunWorker(Node& node, const AlgorithmSetup& setup, int index, int servers,
               bool same_version, double deadline, bool dense);

// Server 0's assembly of the blocks of all servers into full parameters for Report.
class SliceCollector {
 public:
  SliceCollector(const std::vector<Block>& blocks) : blocks_(blocks) {}
  // Adds server `s`'s block for evaluation point `index`; returns true when that point is
  // complete (then Take gives its parameters).
  bool Add(int64_t index, int s, double scale, std::span<const double> values);
  std::vector<double> Take(int64_t index);
  bool Has(int64_t index) const { return pending_.count(index) > 0; }

 private:
  struct Pending {
    std::vector<double> full;
    int have = 0;
  };
  const std::vector<Block>& blocks_;
  std::map<int64_t, Pending> pending_;
};

// Human name of a rank for error messages: "worker 3 (rank 4)" / "server 0 (rank 0)".
std::string RankName(int rank, int servers);

}  // namespace parley::ps
