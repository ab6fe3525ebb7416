// A run's data: all of it in one process (LoadData), or, on one rank of an MPI run, only what
// that rank's role needs (LoadRankData), with the same split, the same shards (the same rows
// in the same order) and the same model dimensions as the one-process run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "parley/core/rng.h"
#include "parley/core/status.h"
#include "parley/data/dataset.h"
#include "parley/runtime/run_options.h"

namespace parley {

// Loads train and test data so that both share dimensions (features, users, items): --test,
// or a seeded --test-fraction split (the "split" fork of `rng`), or no test data.
Status LoadData(const RunOptions& o, const Rng& rng, Dataset* train, Dataset* test);

// The seeded sample of training rows that train metrics are computed on, in evaluation order;
// nullopt: all rows (--train-eval-rows 0, or at least as many as the training set has).
std::optional<std::vector<uint32_t>> TrainEvalRows(const RunOptions& o, size_t train_rows);

// What one rank of an MPI run keeps of the data.
struct RankNeeds {
  int shards = 1;          // the algorithm's NumShards()
  int shard = -1;          // the shard this rank's role trains on; -1: none (a server, a master)
  bool evaluates = false;  // rank 0: the test set and the train-evaluation sample
};

// What the model asks of the data's layout. Asked before the training rows are read the second
// time, so answered by a model built from the shape of every row of --data (the train-only
// statistics are not known yet) and `no_rows` (the training data without rows, for
// CheckData); the caller checks the answers against the real model.
struct ModelNeeds {
  bool by_user = false;  // shard ratings by user (the model keeps per-user parameters)
  // When set, Init reads the training data here: the training rows (indices among them) the
  // rank must hold for it, given the number of training rows (Model::InitRows;
  // RankData::init_rows holds them); nullopt: the whole training set.
  std::function<std::optional<std::vector<uint32_t>>(size_t train_rows)> init_rows;
};

struct RankData {
  DataShape train_shape;           // DataShape::Of(LoadData's train), without holding it
  Dataset header;                  // LoadData's train without its rows (Dataset::Empty)
  size_t test_rows = 0;            // LoadData's test.rows()
  std::vector<size_t> shard_rows;  // every shard's row count
  bool by_user = false;            // the shards are ShardByUser's (else Shard's)
  bool whole_train = false;        // `train` holds the whole training set
  Dataset train;                   // whole_train: LoadData's train
  Dataset shard;                   // the rank's shard (empty with shards == 1: that is `train`)
  Dataset test;                    // evaluates: LoadData's test
  Dataset train_eval;              // evaluates: train.Subset(*TrainEvalRows), or empty when
                                   // TrainEvalRows is nullopt (then train is evaluated)
  Dataset init_rows;               // ModelNeeds::init_rows set: train.Subset(init_rows(...))
  // The most rows held at once (while the file is read and the parts are put together).
  size_t peak_rows = 0;
};

// The data of one rank. Reads --data twice, keeping no row the first time (its rows are
// counted, checked, and ratings ids mapped) and only the rows the rank needs the second time;
// every rank parses every row, so a bad file fails on every rank with ReadDataset's error (file,
// line and reason). The split, the shards and the train-evaluation sample are drawn on row
// indices with the same random streams as LoadData, Shard / ShardByUser and the runner
// ("split", "shard" of `rng`; TrainEvalRows), so they pick the same rows; ratings ids are mapped
// in file order (--data, then --test) on every rank, so the id maps are LoadData's.
// `shard_rng`: the stream Shard / ShardByUser are given in one process.
// Memory: besides the kept rows, 4 bytes per row of --data for LIBSVM rows (their non-zero
// counts, to size the kept parts exactly) and the index vectors of the split and the shards.
StatusOr<RankData> LoadRankData(const RunOptions& o, const Rng& rng, const Rng& shard_rng, const RankNeeds& needs,
                                const std::function<ModelNeeds(const DataShape& all_rows, const Dataset& no_rows)>& model_needs);

}  // namespace parley
