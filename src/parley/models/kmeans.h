// K-means as a model: parameters are k centres of dimension d (row-major k x d). Input:
// dense rows (labels, if any, are ignored except for the centre_distance_rel metric).
//
// Loss of a point x: 1/2 min_c ||x - c||^2 (the quantisation error). Gradient: for each
// point, its nearest centre c gets (c - x) / batch. The gradient is SPARSE: it touches only
// the rows of the batch's assigned centres (O(batch * k * d) to assign, O(batch * d) to
// write), honouring WeightsView::scale. L2() is 0. Ties go to the lowest centre index.
//
// Init: greedy k-means++ seeding with the given rng on a uniform sample of
// max(3072, 32 k) training rows (all rows if there are fewer; scikit-learn's MiniBatchKMeans
// seeds on 3 x batch rows): the first centre uniformly at random from the sample; each next
// one the best, by the resulting quantisation error on the sample, of 2 + ln k sample points
// drawn with probability proportional to their squared distance to the nearest chosen
// centre. So the k centres are distinct training points unless the sample has fewer than k
// distinct points, and seeding costs O(sample * k * d), not a pass over the data per trial.
//
// The nearest-centre search of Gradient, LloydAccumulate and Evaluate goes through
// KMeansCentreTable (centres transposed, the k distances of a point summed side by side);
// Nearest() is the plain loop it is tested against (same arithmetic, same results).
//
// Batch K-means (Lloyd) is exposed too: LloydAccumulate over any row subsets (for example one
// per worker, then summed), followed by LloydUpdate.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "parley/models/model.h"

namespace parley {

// The centres laid out for the nearest-centre search: d x k, centre index fastest, the
// weights' scale folded in. A point's k squared distances are k independent sums the
// compiler vectorises, each with the terms and the order of KMeansModel::Nearest's loop, so
// the results are the same to the bit. Not thread-safe (scratch space); cheap to build
// (O(k d)) once per mini-batch or evaluation.
class KMeansCentreTable {
 public:
  void Load(WeightsView w, size_t k, size_t d);
  // As KMeansModel::Nearest for the loaded centres. REQUIRES: Load was called.
  size_t Nearest(const float* x, double* dist2);

 private:
  size_t k_ = 0, d_ = 0;
  std::vector<double> t_;    // t_[j * k + c] = scale * centre c's coordinate j
  std::vector<double> acc_;  // k partial sums
};

class KMeansModel final : public Model {
 public:
  KMeansModel(size_t clusters, size_t dim) : k_(clusters), d_(dim) {}

  std::string Kind() const override { return "kmeans"; }
  // {"kind", "clusters", "dim"}.
  nlohmann::json Config() const override;
  std::unique_ptr<Model> Clone() const override { return std::make_unique<KMeansModel>(*this); }
  size_t NumParams() const override { return k_ * d_; }
  // Requires dense rows with d columns.
  Status CheckData(const Dataset& data) const override;
  // Greedy k-means++ seeding. REQUIRES: train has at least k rows (checked by MakeModel).
  void Init(std::span<double> w, const Dataset& train, Rng& rng) override;
  bool SparseGradient() const override { return true; }
  double Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                  GradientBuffer& g) override;
  // "objective": mean of 1/2 min_c ||x - c||^2. When data.true_centres holds k_true x d
  // centres: "centre_distance", the mean over matched true centres of the Euclidean distance
  // to the found centre matched to it, where the matching is greedy nearest-unique (repeatedly
  // pair the closest unmatched true and found centres; exact for well separated mixtures;
  // min(k, k_true) pairs); and, when every label is a valid true-centre index,
  // "centre_distance_rel" = centre_distance / sigma with sigma = sqrt(mean over points of
  // ||x - true centre of its label||^2 / d), the mixture's per-coordinate spread.
  MetricSet Evaluate(WeightsView w, const Dataset& data) const override;

  // The training rows Init seeds on: a uniform sample (drawn from rng) of
  // min(n, max(kInitSampleMin, kInitSamplePerCluster * k)) of the n rows, in increasing order.
  std::vector<uint32_t> InitSample(size_t n, Rng& rng) const;
  static constexpr size_t kInitSampleMin = 3072;
  static constexpr size_t kInitSamplePerCluster = 32;

  // Index of the centre nearest to x (d values) and, in *dist2, its squared distance; ties
  // go to the lowest index. The reference loop (see KMeansCentreTable).
  size_t Nearest(WeightsView w, const float* x, double* dist2) const;

  // One Lloyd accumulation: for each row, adds x to sums[c * d ...] and 1 to counts[c] of its
  // nearest centre c. sums and counts are resized to k * d and k (zero-filled) when their
  // sizes differ, else added to, so several calls (or several workers' results) can be summed.
  void LloydAccumulate(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                       std::vector<double>& sums, std::vector<double>& counts) const;
  // Sets each centre with counts[c] > 0 to sums[c] / counts[c]; empty clusters keep their
  // centre. The dimension is centres.size() / counts.size().
  static void LloydUpdate(std::span<double> centres, std::span<const double> sums,
                          std::span<const double> counts);

  static StatusOr<std::unique_ptr<Model>> FromConfig(const nlohmann::json& config);

  size_t clusters() const { return k_; }
  size_t dim() const { return d_; }

 private:
  static constexpr size_t kPrefetch = 8;  // rows ahead of the one being assigned
  // Constant after construction.
  size_t k_, d_;
  // Scratch of Gradient.
  KMeansCentreTable table_;
};

}  // namespace parley
