// The model contract (after ensmallen's "objective as a small contract"): a parameter layout,
// a mini-batch loss and gradient, and evaluation. Optimizers and algorithms see only this.
//
// Thread-safety: a Model holds scratch space for its gradient computation and is not
// thread-safe; each worker uses its own Clone(). Const methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "parley/core/metrics.h"
#include "parley/core/rng.h"
#include "parley/core/status.h"
#include "parley/data/dataset.h"
#include "parley/optim/weights.h"

namespace parley {

// Hyperparameters of every model kind, with their defaults. Validated once by MakeModel.
struct ModelOptions {
  std::string kind = "logreg";  // logreg | svm | softmax | mlp | mf | kmeans | twolayer
  double l2 = 1e-4;             // L2 coefficient: objective = mean loss + l2/2 * ||w||^2
  double bias = -1;             // logreg/svm: append a constant feature of this value (< 0: none),
                                // as liblinear's -B
  std::vector<int> hidden = {128};  // mlp: hidden layer widths
  int rank = 32;                    // mf: latent dimension
  int clusters = 10;                // kmeans: k
  std::string kmeans_step = "lr";   // kmeans: lr (batch-mean gradient) | count (per-centre
                                    // 1/count steps, MiniBatchKMeans'); see kmeans.h
  int kmeans_threads = 1;           // kmeans: threads of each Gradient's nearest-centre search
                                    // (0: one per core); the results do not depend on it
  int width = 256;                  // twolayer: neurons m
  double init_scale = 0.1;          // mf: factor init standard deviation (scaled by 1/sqrt(rank))
  double threshold = -1;            // twolayer: ReLU shift b_thr (< 0: sqrt(0.4 ln width))
  // Note: for mf, l2 is LIBMF's per-rating lambda, applied inside Gradient (L2() is 0).
};

class Model {
 public:
  virtual ~Model() = default;

  // "logreg", "svm", ...
  virtual std::string Kind() const = 0;
  // Shapes and hyperparameters: enough for MakeModelFromConfig to rebuild the model.
  virtual nlohmann::json Config() const = 0;
  virtual std::unique_ptr<Model> Clone() const = 0;

  virtual size_t NumParams() const = 0;
  // Parameters [0, SharedSize()) are the model proper, exchanged between workers;
  // [SharedSize(), NumParams()) belong to a worker's own data (MF user factors).
  virtual size_t SharedSize() const { return NumParams(); }

  // Whether data is of a kind and shape this model can use (labels, dimensions).
  virtual Status CheckData(const Dataset& data) const = 0;
  // Writes initial parameters (deterministic given rng). `train` is available for
  // data-dependent initialisation (K-means picks k training points).
  virtual void Init(std::span<double> w, const Dataset& train, Rng& rng) = 0;
  // Whether Init reads `train` (its rows, beyond the dimensions the model was built with).
  // A process that does not hold the whole training set (an MPI rank holds its shard) cannot
  // run such an Init: the runtime runs it on rank 0, which holds the rows InitRows names (or
  // the whole training set), and ships the parameters (AlgorithmSetup::init_params), so
  // everything such an Init draws must be in `w`. An Init
  // that does not read `train` runs in every process and may also keep state outside `w` (the
  // two-layer network's output signs). The default, true, is the safe answer.
  virtual bool InitReadsData() const { return true; }
  // For an Init that reads only some training rows (K-means seeds on a sample): those rows,
  // indices among the `train_rows` training rows, drawn from `rng` exactly as Init's first
  // draws; nullopt (the default): every row. Then InitOnRows(w, the training set's Subset of
  // those rows, rng) -- rng as InitRows left it -- writes what Init would have, so that an MPI
  // rank holds just those rows for it.
  virtual std::optional<std::vector<uint32_t>> InitRows(size_t train_rows, Rng& rng) const {
    (void)train_rows;
    (void)rng;
    return std::nullopt;
  }
  virtual void InitOnRows(std::span<double> w, const Dataset& rows, Rng& rng) { Init(w, rows, rng); }

  // Whether Gradient touches only a few coordinates (then it uses a sparse GradientBuffer
  // and reads weights through WeightsView::operator[], which honours the scale).
  virtual bool SparseGradient() const { return false; }
  // The coordinates Gradient reads for `rows`, appended to `keys` (duplicates allowed): a
  // worker that holds the current values of just these (anything elsewhere) computes the same
  // gradient, which is what a sparse pull fetches (parameter servers). Gradient touches no
  // coordinate outside them. The default appends every coordinate; SparseGradient() models
  // override it with the batch's own.
  virtual void GradientKeys(const Dataset& data, std::span<const uint32_t> rows,
                            std::vector<uint32_t>& keys) const;
  // L2 decay that the optimizer applies to every parameter (grad += L2() * w); models that
  // regularise inside Gradient (MF, per-rating) return 0.
  virtual double L2() const { return 0; }

  // Adds to g the gradient of the mean data loss over data rows `rows`; returns that mean
  // loss. REQUIRES: g.size() == NumParams(), g.sparse() == SparseGradient().
  virtual double Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                          GradientBuffer& g) = 0;

  // Plain SGD (no momentum) in one call: w <- (1 - eta * L2()) w - eta * grad, where grad is
  // what Gradient would add for `rows` at the current w; returns the mean loss as Gradient
  // does. `next` (possibly empty) are the rows the following steps will use, in order: a
  // hint to prefetch them. The default runs Gradient into a fresh buffer and PlainSgdStep; a model whose
  // FusedSgdStep() is true overrides it with something cheaper (sparse linear models update
  // w straight from the rows: no gradient buffer, one pass over the non-zeros), which
  // algorithms then use instead of Gradient + SgdOptimizer::Step when the optimizer is plain.
  virtual bool FusedSgdStep() const { return false; }
  // A copy whose steps leave the L2 decay out (L2() is 0, SgdStep decays nothing; Gradient is
  // unchanged), for an algorithm that applies the decay itself (hogwild); nullptr when the
  // model has no such copy (the default).
  virtual std::unique_ptr<Model> WithoutL2() const { return nullptr; }
  virtual double SgdStep(Weights& w, const Dataset& data, std::span<const uint32_t> rows,
                         double eta, std::span<const uint32_t> next);

  // Metrics over all rows of data: always "objective" (mean loss + regulariser); plus
  // "accuracy"/"logloss" (classifiers), "rmse" (MF, twolayer), "centre_distance" (K-means
  // with known centres).
  virtual MetricSet Evaluate(WeightsView w, const Dataset& data) const = 0;
};

// Builds a model for training data (input dimension, classes, users/items from the data).
StatusOr<std::unique_ptr<Model>> MakeModel(const ModelOptions& options, const Dataset& train);
// The same from the training data's shape (DataShape::Of(train) gives the model above), with
// CheckData applied to `rows`: the training rows this process holds (all of them, some, or
// none: an empty Dataset of the training data's kind and width).
StatusOr<std::unique_ptr<Model>> MakeModel(const ModelOptions& options, const DataShape& train,
                                           const Dataset& rows);
// Rebuilds a model from its Config() (model files).
StatusOr<std::unique_ptr<Model>> MakeModelFromConfig(const nlohmann::json& config);

}  // namespace parley
