// An algorithm is a set of roles (server, worker, master, peer), each a function run on its
// own Node. Algorithms are built from options here, see only the Node interface, and never
// name a transport: the runtime decides how roles are placed (threads, MPI ranks).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "parley/comm/node.h"
#include "parley/core/rng.h"
#include "parley/core/status.h"
#include "parley/data/dataset.h"
#include "parley/models/model.h"
#include "parley/optim/sgd.h"

namespace parley {

// Training knobs common to every algorithm.
struct TrainOptions {
  int batch_size = 32;           // rows per mini-batch (per worker)
  double epochs = 10;            // passes over the training set (all workers together)
  double eval_every = 1;         // epochs between evaluation points
  OptimizerOptions optimizer;    // learning rate, schedule, momentum
  int64_t first_epoch = 0;       // a resumed run: the whole epochs done before (batch orders)
};

Status ValidateTrainOptions(const TrainOptions& o, const Model& model);

// What an algorithm builds its roles from. Everything it points to outlives the run.
// In one process every role sees all the data; an MPI rank holds only what its role needs
// (runtime/load_data.h): `train` and the shards it does not hold are nullptr, and their row
// counts are in train_rows and shard_rows.
struct AlgorithmSetup {
  const Model* prototype = nullptr;       // each role uses its own Clone()
  const Dataset* train = nullptr;         // the whole training set, or nullptr (see above)
  std::vector<const Dataset*> shards;     // one per worker: disjoint, seeded (nullptr: not here)
  size_t train_rows = 0;                  // rows of the training set, when train is nullptr
  std::vector<size_t> shard_rows;         // rows of each shard, for those that are nullptr
  TrainOptions train_options;
  Rng init_rng;                           // initial parameters (identical for every role)
  // The initial parameters, when the runtime computed them where the training set is and
  // shipped them (an MPI run whose model's Init reads the data: Model::InitReadsData);
  // otherwise empty and every role runs Model::Init itself.
  std::vector<double> init_params;
  std::vector<double> resume_params;      // a resumed run: the checkpoint's parameters
  Rng batch_rng;                          // base of the workers' mini-batch orders

  // Row counts of the training set and of shard i, whether or not this process holds them.
  size_t TrainRows() const { return train ? train->rows() : train_rows; }
  size_t ShardRows(size_t i) const { return shards.at(i) ? shards[i]->rows() : shard_rows.at(i); }

  // Worker i's mini-batch order: the same for worker i whatever the algorithm, so that one
  // worker of any algorithm sees the batches of sequential SGD.
  Rng BatchRng(int worker) const { return batch_rng.Fork(static_cast<uint64_t>(worker)); }

  // Every role's initial parameters: init_params if set, else model.Init (which also draws
  // any state a model keeps outside its parameters), then, in a resumed run, the
  // checkpoint's parameters.
  void InitParams(Model& model, std::span<double> w, Rng& rng) const;
};

// The ranks an algorithm's roles occupy, and how to say it to a user.
struct RankLayout {
  int ranks = 1;
  std::string description;  // "1 master + 3 workers"
};

struct Role {
  std::string name;                  // "worker", "server", "peer", ...
  std::function<void(Node&)> run;    // runs until the role ends or node.ShouldStop()
  int worker = -1;                   // index among the gradient-computing roles (emulated
                                     // slowdowns and faults address it); -1 for servers
};

class Algorithm {
 public:
  virtual ~Algorithm() = default;
  virtual std::string Name() const = 0;
  // How many data shards (workers) the algorithm trains on.
  virtual int NumShards() const = 0;
  // The roles, rank i running roles[i]. Called once per run.
  virtual std::vector<Role> Roles(const AlgorithmSetup& setup) = 0;

  // What the runtime must know of the roles before it builds them (their layout on the ranks,
  // what to allocate, what to report), from the algorithm and not restated by name:
  // How many ranks Roles() builds and how to say it: the MPI runtime checks mpirun's process
  // count against it before it loads any data.
  virtual RankLayout Ranks() const = 0;
  // The shard (worker index) of the role on `rank`, or -1 for a role without one (a server,
  // the pex master): Roles()[rank].worker, known before the roles exist, so that an MPI rank
  // loads only its own shard. REQUIRES: 0 <= rank < Ranks().ranks.
  virtual int ShardOfRank(int rank) const { return rank; }
  // Bytes of one one-sided slot (Node::Put) large enough for any message the roles put on
  // `model`; 0 when they put nothing.
  virtual size_t SlotBytes(const Model& model) const {
    (void)model;
    return 0;
  }
  // Keys of the roles' metrics (Progress::extra of the last report) that the run's summary
  // carries.
  virtual std::vector<std::string> SummaryKeys() const { return {}; }
  // Whether the roles share memory (hogwild): such an algorithm runs only on the in-process
  // transport, and the runtime refuses it under MPI.
  virtual bool InProcessOnly() const { return false; }
};

// "3 workers", "1 server": a count of roles for RankLayout::description.
std::string CountOf(int n, const std::string& role);

// Options that select and size an algorithm.
struct AlgorithmOptions {
  std::string name = "sequential";  // AlgorithmNames()
  int workers = 1;                  // gradient-computing roles (sync: N + b)
  int backup = 0;                   // sync: b, gradients dropped per step (N = workers - b)
  int servers = 1;                  // sync/async: parameter shards, one server each
  double deadline = 60;             // seconds a role waits on a peer before naming it dead
  double average = 0;               // sync/async: decay of a moving average of the parameters
                                    // used for evaluation and the model file (0: none)
  bool dense_exchange = false;      // sync/async: whole blocks even on sparse models (as
                                    // before sparse pulls; for comparison)
  int local_steps = 0;              // pex/pex-sync: local SGD steps between exchanges (K);
                                    // 0: sized by each worker (ExchangeInterval, pex.h)
  bool pex_check = false;           // pex: recompute the master's average from the stored
                                    // contributions after every exchange and count mismatches
  // asgd (ALGORITHMS.md A; algos/asgd/asgd.h):
  int send_every = 0;               // asgd: steps between state messages (initial value under
                                    // --balance interval|both); 0: sized by each peer
                                    // (ExchangeInterval; from 1 under the balancer)
  int blocks = 1;                   // asgd: parameter blocks (equal ranges) a message may carry
  int msg_blocks = 0;               // asgd: blocks per message, round robin (0: all)
  std::string balance = "off";      // asgd: off | interval | size | both (load balancing)
};

// The names MakeAlgorithm accepts, comma-separated.
std::string AlgorithmNames();

StatusOr<std::unique_ptr<Algorithm>> MakeAlgorithm(const AlgorithmOptions& options);

}  // namespace parley
