// K-means as a model: parameters are k centres of dimension d (row-major k x d). Input:
// dense rows (labels, if any, are ignored except for the centre_distance_rel metric).
//
// Loss of a point x: 1/2 min_c ||x - c||^2 (the quantisation error), the nearest centre as
// chosen by Nearest (by ||c||^2 - 2 x.c, ties to the lowest index). L2() is 0. What Gradient adds depends on the step rule (KMeansStep):
//  - kLr (--kmeans-step lr, the default): the gradient of the batch-mean loss: for each
//    point, its nearest centre c gets (c - x) / batch. With plain SGD, centre c moves by
//    lr * (n_c / batch) * (mean of its n_c batch points - c).
//  - kCount (--kmeans-step count, Sculley 2010, scikit-learn's MiniBatchKMeans without its
//    reassignment of small clusters): the model counts v_c, the points assigned to centre c
//    by this instance's Gradient calls so far (0 at construction and in every Clone());
//    each call first assigns the batch, adds n_c to v_c, then gives c the row
//    sum over its points of (c - x) / v_c = (n_c / v_c) (c - mean). With plain SGD and
//    lr = 1 each centre is then the running mean of every point assigned to it (its
//    initial position is forgotten at its first point); lr multiplies the step, and a
//    schedule multiplies lr. This is a step direction, not the gradient of the loss, and
//    Gradient has the side effect of advancing the counts: call it once per step taken.
//    Counts are per model instance, so per worker/peer under sync, async, pex, asgd and simu
//    (each role's clone counts its own batches; a parameter server then combines the steps
//    as it combines gradients, e.g. sync averages them, which is no longer a running mean).
//    The counts are not in checkpoints or model files: training refuses --resume with the
//    count rule (the first step after it would reset every centre to its batch mean), and
//    refuses momentum (the rule is its own step-size schedule).
// Either way the gradient is SPARSE: it touches only the rows of the batch's assigned centres
// (O(batch * k * d) to assign, O(batch * d) to write), honouring WeightsView::scale.
//
// Init: greedy k-means++ seeding with the given rng on a uniform sample of
// max(1024, 32 k) training rows (all rows if there are fewer; scikit-learn's MiniBatchKMeans
// seeds on 3 x batch rows in fit and on its first batch in partial_fit; 1,024 rather than 3,072
// halves the time to a first model on k = 10 and left the time to 0.01% of the best objective
// unchanged, bench/RESULTS-asgd.md (c)): the first centre uniformly at random from the
// sample; each next one the best, by the resulting quantisation error on the sample, of
// 2 + ln k sample points drawn with probability proportional to their squared distance to the
// nearest chosen centre. So the k centres are distinct training points unless the sample
// has fewer than k distinct points, and seeding costs O(sample * k * d), not a pass over the
// data per trial.
//
// The nearest-centre search of Gradient, LloydAccumulate and Evaluate goes through
// KMeansCentreTable (centres in blocks, a point's values for a block summed side by side in
// vector registers; the expansion ||c||^2 - 2 x.c picks the centre, the squared distance to it
// is then summed directly, so losses and Evaluate's objective are exact sums in double);
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

#include "parley/core/fork_join_pool.h"
#include "parley/models/model.h"

namespace parley {

// K-means step rules (see KMeansModel).
enum class KMeansStep { kLr, kCount };
// "lr" | "count"; anything else is InvalidArgument.
StatusOr<KMeansStep> ParseKMeansStep(const std::string& name);
const char* KMeansStepName(KMeansStep step);
// Whether model is a KMeansModel with the count rule (which refuses momentum and --resume).
bool UsesKMeansCountStep(const Model& model);

// The centres laid out for the nearest-centre search (see KMeansModel::Nearest for the
// arithmetic): blocks of kBlock centres, each block (d + 1) x kBlock, centre index fastest:
// the squared norms, then the coordinates times -2, the weights' scale folded in; the last
// block is padded with centres of norm +infinity. A point's values for a block's centres are
// kBlock independent sums kept in vector registers, each with the terms and the order of
// KMeansModel::Nearest's loop (no fused multiply-add), so the results are the same to the
// bit; the kernel is compiled for AVX2 and for the build's -march (PARLEY_ARCH), and a table
// uses the AVX2 one when the CPU has it. Not thread-safe; cheap to build (O(k d)) once per
// mini-batch or evaluation.
class KMeansCentreTable {
 public:
  static constexpr size_t kBlock = 16;
  enum class Kernel { kAuto, kBaseline };  // kBaseline: the -march build even on AVX2 CPUs
  explicit KMeansCentreTable(Kernel kernel = Kernel::kAuto)
      : avx2_(kernel == Kernel::kAuto && CpuHasAvx2()) {}
  static bool CpuHasAvx2();
  bool uses_avx2() const { return avx2_; }

  void Load(WeightsView w, size_t k, size_t d);
  // As KMeansModel::Nearest for the loaded centres. REQUIRES: Load was called. Safe to call
  // from several threads at once (it only reads the table).
  size_t Nearest(const float* x, double* dist2) const;

 private:
  bool avx2_;
  size_t k_ = 0, d_ = 0;
  // Block b = c / kBlock, lane l = c % kBlock: t_[b (d + 1) kBlock + l] = ||scale c||^2,
  // t_[(b (d + 1) + 1 + j) kBlock + l] = -2 scale c_j.
  std::vector<double> t_;
  std::vector<double> c_;  // the scaled centres, row-major k x d (the exact distance)
};

// k-means++ seeding's inner step (KMeansModel::Init), here for its test: for n points held by
// coordinate (cols[j n + i]), out[i] = min(d2[i], ||x_i - x_cand||^2) (the squares added in
// order of j, no fused multiply-add; out may be d2), and returns the sum of out as 8 partial
// sums (sum l adds out[i] for i = l mod 8 in order of i) added pairwise. The same to the bit
// with either kernel (kAuto: AVX2 when the CPU has it).
double KMeansSeedStep(const double* cols, size_t n, size_t d, size_t cand, const double* d2,
                      double* out, KMeansCentreTable::Kernel kernel = KMeansCentreTable::Kernel::kAuto);

class KMeansModel final : public Model {
 public:
  // threads: how many threads each Gradient's nearest-centre search uses (1: the calling
  // thread alone; 0: one per core). The team is started by the first Gradient with at least
  // kParallelRows rows, per model instance (every worker's or peer's clone has its own); the
  // results are the same to the bit for every thread count.
  KMeansModel(size_t clusters, size_t dim, KMeansStep step = KMeansStep::kLr, int threads = 1)
      : k_(clusters),
        d_(dim),
        step_(step),
        threads_(threads),
        counts_(step == KMeansStep::kCount ? clusters : 0),
        batch_start_(counts_.size()) {}
  ~KMeansModel() override;

  std::string Kind() const override { return "kmeans"; }
  // {"kind", "clusters", "dim", "step": "lr" | "count"} (a config without "step" is "lr").
  nlohmann::json Config() const override;
  // The same model (step rule, threads) with its counts (kCount) at 0 and no thread team.
  std::unique_ptr<Model> Clone() const override;
  size_t NumParams() const override { return k_ * d_; }
  // Requires dense rows with d columns.
  Status CheckData(const Dataset& data) const override;
  // Greedy k-means++ seeding on InitSample's rows. REQUIRES: train has at least k rows
  // (checked by MakeModel).
  void Init(std::span<double> w, const Dataset& train, Rng& rng) override;
  // InitSample(train_rows, rng), and the seeding on just those rows (Model::InitRows).
  std::optional<std::vector<uint32_t>> InitRows(size_t train_rows, Rng& rng) const override;
  void InitOnRows(std::span<double> w, const Dataset& rows, Rng& rng) override;
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
  static constexpr size_t kInitSampleMin = 1024;
  static constexpr size_t kInitSamplePerCluster = 32;

  // Index of the centre nearest to x (d values) and, in *dist2, its squared distance
  // sum_j (c_j - x_j)^2 (summed in double in order j = 0..d-1). The centre is the one with
  // the least e_c = ||c||^2 - 2 x.c (= ||x - c||^2 - ||x||^2), each e_c summed in double as
  // ||c||^2 (sum of c_j^2 in order) then + (-2 c_j) x_j in order j = 0..d-1: d multiply-adds
  // a centre instead of d subtract-multiply-adds, at a rounding error of about
  // 1e-16 (||c||^2 + |x.c|), far below the distance gaps that matter; ties of e go to the
  // lowest index. The reference loop (see KMeansCentreTable).
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
  KMeansStep step() const { return step_; }
  int threads() const { return threads_; }
  static constexpr size_t kParallelRows = 64;  // a smaller batch is searched by one thread
  // kCount: v_c, the points Gradient has assigned to each centre so far (k values); kLr: empty.
  std::span<const uint64_t> counts() const { return counts_; }

 private:
  static constexpr size_t kPrefetch = 8;  // rows ahead of the one being assigned
  // Gradient's pass over the batch in order, given assign(i, x, &dist2): row i's centre.
  template <class Assign>
  double Accumulate(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                    GradientBuffer& g, Assign assign);
  // Constant after construction.
  size_t k_, d_;
  KMeansStep step_;
  int threads_;
  // threads_ != 1: the team (started by the first large enough Gradient) and each batch row's
  // centre and squared distance, found by the team before the pass in order.
  std::unique_ptr<ForkJoinPool> pool_;
  std::vector<uint32_t> assign_;
  std::vector<double> assign_dist2_;
  // kCount: points assigned per centre by Gradient (advanced by every call).
  std::vector<uint64_t> counts_;
  // Scratch of Gradient.
  KMeansCentreTable table_;
  // kCount: per-centre sums of (c - x) over the batch (zero between calls), the centres the
  // batch hit, and each centre's count before the batch (== counts_ between calls).
  std::vector<double> sums_;
  std::vector<uint32_t> hit_;
  std::vector<uint64_t> batch_start_;
};

}  // namespace parley
