#include "parley/models/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "parley/models/config_util.h"

namespace parley {

StatusOr<KMeansStep> ParseKMeansStep(const std::string& name) {
  if (name == "lr") return KMeansStep::kLr;
  if (name == "count") return KMeansStep::kCount;
  return InvalidArgument("unknown K-means step rule '" + name + "'; expected lr or count");
}

const char* KMeansStepName(KMeansStep step) { return step == KMeansStep::kCount ? "count" : "lr"; }

bool UsesKMeansCountStep(const Model& model) {
  const auto* k = dynamic_cast<const KMeansModel*>(&model);
  return k != nullptr && k->step() == KMeansStep::kCount;
}

nlohmann::json KMeansModel::Config() const {
  return {{"kind", "kmeans"}, {"clusters", k_}, {"dim", d_}, {"step", KMeansStepName(step_)}};
}

KMeansModel::~KMeansModel() = default;

std::unique_ptr<Model> KMeansModel::Clone() const {
  return std::make_unique<KMeansModel>(k_, d_, step_, threads_);
}

Status KMeansModel::CheckData(const Dataset& data) const {
  if (data.kind != Dataset::Kind::kDense)
    return InvalidArgument("kmeans needs dense rows, but " + data.source + " holds " +
                           (data.kind == Dataset::Kind::kSparse ? "sparse rows" : "ratings"));
  if (data.dense.cols != d_)
    return InvalidArgument(data.source + " has " + std::to_string(data.dense.cols) +
                           " columns but the kmeans model expects " + std::to_string(d_));
  if (!data.true_centres.empty() && data.true_centres.size() % d_ != 0)
    return InvalidArgument(data.source + ": true centres are not a multiple of " +
                           std::to_string(d_) + " values");
  return OkStatus();
}

size_t KMeansModel::Nearest(WeightsView w, const float* x, double* dist2) const {
  size_t best = 0;
  double best_e = std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < k_; ++c) {
    const double* centre = w.v + c * d_;
    double e = 0;  // ||c||^2 - 2 x.c = ||x - c||^2 - ||x||^2
    for (size_t j = 0; j < d_; ++j) {
      const double cj = w.scale * centre[j];
      e += cj * cj;
    }
    for (size_t j = 0; j < d_; ++j) e += (-2.0 * (w.scale * centre[j])) * x[j];
    if (e < best_e) {
      best_e = e;
      best = c;
    }
  }
  double d2 = 0;
  for (size_t j = 0; j < d_; ++j) {
    const double diff = w.scale * w.v[best * d_ + j] - x[j];
    d2 += diff * diff;
  }
  *dist2 = d2;
  return best;
}

void KMeansCentreTable::Load(WeightsView w, size_t k, size_t d) {
  k_ = k;
  d_ = d;
  const size_t blocks = (k + kBlock - 1) / kBlock;
  // Padding centres: norm +infinity and coordinates 0, so their e is +infinity, never below
  // a best one.
  t_.assign(blocks * (d + 1) * kBlock, 0.0);
  c_.resize(k * d);
  for (size_t c = 0; c < k; ++c) {
    double* tb = t_.data() + (c / kBlock) * (d + 1) * kBlock + c % kBlock;
    double norm = 0;
    for (size_t j = 0; j < d; ++j) {
      const double cj = w.scale * w.v[c * d + j];
      c_[c * d + j] = cj;
      norm += cj * cj;
      tb[(j + 1) * kBlock] = -2.0 * cj;
    }
    tb[0] = norm;
  }
  for (size_t c = k; c < blocks * kBlock; ++c)
    t_[(c / kBlock) * (d + 1) * kBlock + c % kBlock] = std::numeric_limits<double>::infinity();
}

namespace {

// Starts fetching the rows rows[lo, hi) of data: the first rows of a batch, or of a thread's
// part of it, which the pipeline that fetches kPrefetch rows ahead does not cover.
void PrefetchRows(const Dataset& data, std::span<const uint32_t> rows, size_t lo, size_t hi) {
  for (size_t i = lo; i < hi; ++i) __builtin_prefetch(data.dense.row(rows[i]));
  asm volatile("");  // GCC deletes calls to a function with only prefetches (sparse_linear.h)
}

// Four doubles (two SSE registers, or one AVX register); loads and stores need only double
// alignment.
typedef double V4 __attribute__((vector_size(32), aligned(8)));
typedef int64_t M4 __attribute__((vector_size(32)));  // lane masks of V4 comparisons

// The e values (see KMeansModel::Nearest) of x for the NB consecutive blocks of
// KMeansCentreTable::kBlock = 16 centres at t (layout as KMeansCentreTable::t_), into
// a[4 q ... 4 q + 3] for block q: each the norm, then + (-2 c_j) x_j for j = 0..d-1 in order,
// as KMeansModel::Nearest. Several blocks at once give the adder independent chains.
template <size_t NB>
[[gnu::always_inline]] inline void BlockValues(const double* t, size_t d, const float* x,
                                               V4 (&a)[4 * NB]) {
  constexpr size_t B = 16;
  for (size_t q = 0; q < NB; ++q)
    for (size_t v = 0; v < 4; ++v) a[4 * q + v] = *reinterpret_cast<const V4*>(t + q * (d + 1) * B + 4 * v);
  for (size_t j = 0; j < d; ++j) {
    const double xj = x[j];
    for (size_t q = 0; q < NB; ++q) {
      const V4* tj = reinterpret_cast<const V4*>(t + (q * (d + 1) + j + 1) * B);
      for (size_t v = 0; v < 4; ++v) a[4 * q + v] += tj[v] * xj;
    }
  }
}

// Running per-lane minima over blocks of 16 centres: lane i of m[v] holds the least e seen
// for the centres 16 b + 4 v + i, and idx[v] the lowest index reaching it (updated on strictly
// less, blocks in increasing order; NaN values never are less). Branch-free.
struct LaneMin {
  V4 m[4];
  M4 idx[4];
};

template <size_t NB>
[[gnu::always_inline]] inline void UpdateLanes(const V4 (&a)[4 * NB], int64_t first, LaneMin& lm) {
  for (size_t q = 0; q < NB; ++q)
    for (size_t v = 0; v < 4; ++v) {
      const int64_t base = first + static_cast<int64_t>(16 * q + 4 * v);
      const M4 index = {base, base + 1, base + 2, base + 3};
      const M4 less = a[4 * q + v] < lm.m[v];
      lm.m[v] = less ? a[4 * q + v] : lm.m[v];
      lm.idx[v] = less ? index : lm.idx[v];
    }
}

// The centre with the least e among `blocks` blocks of 16 centres at t (the lowest index on
// ties, as a scan in index order; 0 when no e is below +infinity), two blocks at a time.
[[gnu::always_inline]] inline size_t NearestInBlocks(const double* t, size_t blocks, size_t d,
                                                     const float* x) {
  static_assert(KMeansCentreTable::kBlock == 16, "the kernel holds a block in four V4");
  constexpr double kInf = std::numeric_limits<double>::infinity();
  LaneMin lm;
  for (size_t v = 0; v < 4; ++v) {
    lm.m[v] = V4{kInf, kInf, kInf, kInf};
    lm.idx[v] = M4{};
  }
  size_t b = 0;
  for (; b + 2 <= blocks; b += 2) {
    V4 a[8];
    BlockValues<2>(t + b * (d + 1) * 16, d, x, a);
    UpdateLanes<2>(a, static_cast<int64_t>(b * 16), lm);
  }
  if (b < blocks) {
    V4 a[4];
    BlockValues<1>(t + b * (d + 1) * 16, d, x, a);
    UpdateLanes<1>(a, static_cast<int64_t>(b * 16), lm);
  }
  // The least lane value, then the lowest index among the lanes holding it; branch-free
  // (lane minima are never NaN: they start at +infinity and take only values less).
  V4 m = lm.m[0] < lm.m[1] ? lm.m[0] : lm.m[1];
  const V4 m23 = lm.m[2] < lm.m[3] ? lm.m[2] : lm.m[3];
  m = m < m23 ? m : m23;
  double best_e = m[0] < m[1] ? m[0] : m[1];
  best_e = m[2] < best_e ? m[2] : best_e;
  best_e = m[3] < best_e ? m[3] : best_e;
  if (!(best_e < kInf)) return 0;  // no value below +infinity: centre 0, as the reference
  constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  const M4 none = {kNone, kNone, kNone, kNone};
  M4 at[4];
  for (size_t v = 0; v < 4; ++v) at[v] = lm.m[v] == best_e ? lm.idx[v] : none;
  M4 i = at[0] < at[1] ? at[0] : at[1];
  const M4 i23 = at[2] < at[3] ? at[2] : at[3];
  i = i < i23 ? i : i23;
  int64_t best = i[0] < i[1] ? i[0] : i[1];
  best = i[2] < best ? i[2] : best;
  best = i[3] < best ? i[3] : best;
  return static_cast<size_t>(best);
}

// The kernel compiled for the build's instruction set (PARLEY_ARCH: this machine's by default,
// or e.g. x86-64-v2) and for AVX2. Neither fuses multiply-adds (the build passes
// -ffp-contract=off, and "avx2" does not enable FMA), so both round as the reference loop does.
size_t NearestBaseline(const double* t, size_t blocks, size_t d, const float* x) {
  return NearestInBlocks(t, blocks, d, x);
}
__attribute__((target("avx2"))) size_t NearestAvx2(const double* t, size_t blocks, size_t d,
                                                   const float* x) {
  return NearestInBlocks(t, blocks, d, x);
}

}  // namespace

bool KMeansCentreTable::CpuHasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

size_t KMeansCentreTable::Nearest(const float* x, double* dist2) const {
  const size_t blocks = (k_ + kBlock - 1) / kBlock;
  const size_t best = avx2_ ? NearestAvx2(t_.data(), blocks, d_, x)
                            : NearestBaseline(t_.data(), blocks, d_, x);
  const double* c = c_.data() + best * d_;
  double d2 = 0;
  for (size_t j = 0; j < d_; ++j) {
    const double diff = c[j] - x[j];
    d2 += diff * diff;
  }
  *dist2 = d2;
  return best;
}

std::vector<uint32_t> KMeansModel::InitSample(size_t n, Rng& rng) const {
  const size_t want = std::min(n, std::max(kInitSampleMin, kInitSamplePerCluster * k_));
  std::vector<uint32_t> rows;
  if (want == n) {
    rows.resize(n);
    for (size_t i = 0; i < n; ++i) rows[i] = static_cast<uint32_t>(i);
    return rows;
  }
  // Draw the missing rows independently, drop repeats, until there are `want` distinct ones:
  // every subset of that size is equally likely (the rule treats all rows alike), and sorted
  // rows give a deterministic order and sequential access. (A hash set, as Floyd's algorithm
  // wants, cost more than the sampled rows' k-means++ on small k.)
  rows.reserve(want);
  while (rows.size() < want) {
    for (size_t i = rows.size(); i < want; ++i) rows.push_back(static_cast<uint32_t>(rng.Below(n)));
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  }
  return rows;
}

namespace {

// k-means++ seeding's inner step over the n sample points held by coordinate
// (cols[j * n + i]): out[i] = min(d2[i], ||x_i - x_cand||^2) (out may be d2); returns the sum
// of out as 8 partial sums (sum l adds the i = l mod 8 in order of i) added pairwise at the
// end. Blocks of points keep their distances in L1. Built for the baseline and for AVX2 (no
// FMA in either), chosen by the CPU like the nearest-centre kernel: both round alike.
// (GCC's target_clones is not used: its ifunc resolver runs before ThreadSanitizer's
// runtime is up and crashed every TSan binary at load.)
[[gnu::always_inline]] inline double SeedWithCentreImpl(
    const double* cols, size_t n, size_t d, size_t cand, const double* d2, double* out) {
  constexpr size_t kChunk = 512;  // a multiple of the 8 partial sums
  constexpr size_t kLanes = 8;
  double e[kChunk];
  double lane[kLanes] = {};
  for (size_t i0 = 0; i0 < n; i0 += kChunk) {
    const size_t m = std::min(kChunk, n - i0);
    std::fill(e, e + m, 0.0);
    for (size_t j = 0; j < d; ++j) {
      const double cj = cols[j * n + cand];
      const double* col = cols + j * n + i0;
      for (size_t i = 0; i < m; ++i) {
        const double diff = col[i] - cj;
        e[i] += diff * diff;
      }
    }
    double* o = out + i0;
    const double* p = d2 + i0;
    for (size_t i = 0; i < m; ++i) o[i] = std::min(p[i], e[i]);
    size_t i = 0;
    for (; i + kLanes <= m; i += kLanes)
      for (size_t l = 0; l < kLanes; ++l) lane[l] += o[i + l];
    for (; i < m; ++i) lane[i % kLanes] += o[i];
  }
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}
double SeedWithCentreBaseline(
    const double* cols, size_t n, size_t d, size_t cand, const double* d2, double* out) {
  return SeedWithCentreImpl(cols, n, d, cand, d2, out);
}
__attribute__((target("avx2"))) double SeedWithCentreAvx2(
    const double* cols, size_t n, size_t d, size_t cand, const double* d2, double* out) {
  return SeedWithCentreImpl(cols, n, d, cand, d2, out);
}

}  // namespace

double KMeansSeedStep(const double* cols, size_t n, size_t d, size_t cand, const double* d2,
                      double* out, KMeansCentreTable::Kernel kernel) {
  return kernel == KMeansCentreTable::Kernel::kAuto && KMeansCentreTable::CpuHasAvx2()
             ? SeedWithCentreAvx2(cols, n, d, cand, d2, out)
             : SeedWithCentreBaseline(cols, n, d, cand, d2, out);
}

void KMeansModel::Init(std::span<double> w, const Dataset& train, Rng& rng) {
  const std::vector<uint32_t> sample = InitSample(train.rows(), rng);
  if (sample.size() == train.rows()) {
    InitOnRows(w, train, rng);  // the sample is every row, in order
  } else {
    InitOnRows(w, train.Subset(sample), rng);
  }
}

std::optional<std::vector<uint32_t>> KMeansModel::InitRows(size_t train_rows, Rng& rng) const {
  return InitSample(train_rows, rng);
}

void KMeansModel::InitOnRows(std::span<double> w, const Dataset& rows, Rng& rng) {
  const size_t n = rows.rows();
  auto point = [&](size_t i) { return rows.dense.row(i); };
  auto place = [&](size_t c, size_t i) {
    const float* x = point(i);
    for (size_t j = 0; j < d_; ++j) w[c * d_ + j] = x[j];
  };
  // The sample by coordinate (cols[j * n + i] = coordinate j of point i), so that the
  // distances of all points to a candidate are computed side by side.
  std::vector<double> cols(n * d_);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d_; ++j) cols[j * n + i] = point(i)[j];
  auto with_centre = [&](size_t cand, const std::vector<double>& d2, std::vector<double>& out) {
    return KMeansSeedStep(cols.data(), n, d_, cand, d2.data(), out.data());
  };
  // D^2 sampling: cum holds the running sums of d2 (computed once per centre, shared by its
  // candidates); a point is drawn by a binary search for a uniform fraction of their total.
  std::vector<double> cum(n);
  auto prefix = [&](const std::vector<double>& d2) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cum[i] = sum += d2[i];
    return sum;
  };
  auto draw = [&](const std::vector<double>& d2, double mass) {
    const double target = rng.Uniform() * mass;
    size_t chosen = static_cast<size_t>(std::upper_bound(cum.begin(), cum.end(), target) - cum.begin());
    chosen = std::min(chosen, n - 1);
    while (d2[chosen] == 0 && chosen > 0) --chosen;  // rounding at the end of the sum
    return chosen;
  };
  // Greedy k-means++ (scikit-learn's default): each next centre is the best, by the
  // resulting quantisation error, of 2 + ln k candidates drawn by D^2 sampling. Plain
  // k-means++ (one candidate) too often puts two centres in one component of a well
  // separated mixture and none in another, a local minimum SGD does not leave.
  const size_t trials = 2 + static_cast<size_t>(std::log(static_cast<double>(k_)));
  // d2[i]: squared distance of point i to its nearest chosen centre.
  std::vector<double> d2(n, std::numeric_limits<double>::infinity()), cand(n), best(n);
  size_t chosen = rng.Below(n);
  place(0, chosen);
  with_centre(chosen, d2, d2);
  for (size_t c = 1; c < k_; ++c) {
    const double mass = prefix(d2);
    double best_total = std::numeric_limits<double>::infinity();
    for (size_t trial = 0; trial < trials; ++trial) {
      const size_t row = mass > 0 ? draw(d2, mass) : rng.Below(n);  // else: all points covered
      const double t = with_centre(row, d2, cand);
      if (t < best_total) {
        best_total = t;
        chosen = row;
        best.swap(cand);
      }
    }
    place(c, chosen);
    d2.swap(best);
  }
}

template <class Assign>
double KMeansModel::Accumulate(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                               GradientBuffer& g, Assign assign) {
  const double inv = 1.0 / static_cast<double>(rows.size());
  double* gd = g.data();
  double total = 0;
  const bool count = step_ == KMeansStep::kCount;
  if (count) {
    // One pass: sum (c - x) per centre and count; then each centre's row is its sum divided
    // by its count after this batch.
    if (sums_.size() != k_ * d_) sums_.assign(k_ * d_, 0.0);
    hit_.clear();
  }
  // The batch's first rows start in flight together; then each row is fetched kPrefetch ahead.
  PrefetchRows(data, rows, 0, std::min(kPrefetch, rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetch < rows.size()) __builtin_prefetch(data.dense.row(rows[i + kPrefetch]));
    const float* x = data.dense.row(rows[i]);
    double dist2;
    const size_t c = assign(i, x, &dist2);
    total += 0.5 * dist2;
    const double* centre = w.v + c * d_;
    if (count) {
      if (counts_[c]++ == batch_start_[c]) hit_.push_back(static_cast<uint32_t>(c));
      double* sum = sums_.data() + c * d_;
      for (size_t j = 0; j < d_; ++j) sum[j] += w.scale * centre[j] - x[j];
    } else {
      g.TouchRange(c * d_, d_);
      for (size_t j = 0; j < d_; ++j) gd[c * d_ + j] += inv * (w.scale * centre[j] - x[j]);
    }
  }
  if (count) {
    for (uint32_t c : hit_) {
      const double f = 1.0 / static_cast<double>(counts_[c]);
      g.TouchRange(c * d_, d_);
      double* sum = sums_.data() + c * d_;
      for (size_t j = 0; j < d_; ++j) {
        gd[c * d_ + j] += f * sum[j];
        sum[j] = 0;
      }
      batch_start_[c] = counts_[c];
    }
  }
  return total * inv;
}

double KMeansModel::Gradient(WeightsView w, const Dataset& data, std::span<const uint32_t> rows,
                             GradientBuffer& g) {
  if (rows.empty()) return 0;
  table_.Load(w, k_, d_);
  if (threads_ == 1 || rows.size() < kParallelRows)
    return Accumulate(w, data, rows, g, [this](size_t, const float* x, double* dist2) {
      return table_.Nearest(x, dist2);
    });
  // The team finds every row's centre, each thread a contiguous part of the batch; the pass
  // in order then adds them up exactly as one thread would.
  if (!pool_) pool_ = std::make_unique<ForkJoinPool>(ResolveThreads(threads_));
  const size_t m = rows.size();
  assign_.resize(m);
  assign_dist2_.resize(m);
  const int parts = static_cast<int>(std::min<size_t>(static_cast<size_t>(pool_->size()), m / (kParallelRows / 2)));
  struct Job {
    const KMeansCentreTable* table;
    const Dataset* data;
    std::span<const uint32_t> rows;
    uint32_t* assign;
    double* dist2;
    int parts;
  } job{&table_, &data, rows, assign_.data(), assign_dist2_.data(), parts};
  pool_->Run(parts, [&job](int t) {
    const size_t n = job.rows.size();
    const size_t lo = n * static_cast<size_t>(t) / static_cast<size_t>(job.parts);
    const size_t hi = n * static_cast<size_t>(t + 1) / static_cast<size_t>(job.parts);
    PrefetchRows(*job.data, job.rows, lo, std::min(lo + kPrefetch, hi));
    for (size_t i = lo; i < hi; ++i) {
      if (i + kPrefetch < hi) __builtin_prefetch(job.data->dense.row(job.rows[i + kPrefetch]));
      job.assign[i] = static_cast<uint32_t>(job.table->Nearest(job.data->dense.row(job.rows[i]), &job.dist2[i]));
    }
  });
  return Accumulate(w, data, rows, g, [this](size_t i, const float*, double* dist2) {
    *dist2 = assign_dist2_[i];
    return static_cast<size_t>(assign_[i]);
  });
}

void KMeansModel::LloydAccumulate(WeightsView w, const Dataset& data,
                                  std::span<const uint32_t> rows, std::vector<double>& sums,
                                  std::vector<double>& counts) const {
  if (sums.size() != k_ * d_) sums.assign(k_ * d_, 0.0);
  if (counts.size() != k_) counts.assign(k_, 0.0);
  KMeansCentreTable table;
  table.Load(w, k_, d_);
  for (uint32_t r : rows) {
    const float* x = data.dense.row(r);
    double dist2;
    const size_t c = table.Nearest(x, &dist2);
    for (size_t j = 0; j < d_; ++j) sums[c * d_ + j] += x[j];
    counts[c] += 1;
  }
}

void KMeansModel::LloydUpdate(std::span<double> centres, std::span<const double> sums,
                              std::span<const double> counts) {
  if (counts.empty()) return;
  const size_t d = centres.size() / counts.size();
  for (size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] <= 0) continue;
    for (size_t j = 0; j < d; ++j) centres[c * d + j] = sums[c * d + j] / counts[c];
  }
}

MetricSet KMeansModel::Evaluate(WeightsView w, const Dataset& data) const {
  const size_t n = data.rows();
  double total = 0;
  KMeansCentreTable table;
  table.Load(w, k_, d_);
  for (size_t r = 0; r < n; ++r) {
    double dist2;
    table.Nearest(data.dense.row(r), &dist2);
    total += 0.5 * dist2;
  }
  MetricSet m;
  m["objective"] = n == 0 ? 0.0 : total / static_cast<double>(n);
  if (data.true_centres.empty() || d_ == 0) return m;

  // Greedy nearest-unique matching of true to found centres.
  const size_t kt = data.true_centres.size() / d_;
  struct Pair {
    double dist;
    size_t t, c;
  };
  std::vector<Pair> pairs;
  pairs.reserve(kt * k_);
  for (size_t t = 0; t < kt; ++t) {
    for (size_t c = 0; c < k_; ++c) {
      double d2 = 0;
      for (size_t j = 0; j < d_; ++j) {
        const double diff = data.true_centres[t * d_ + j] - w[c * d_ + j];
        d2 += diff * diff;
      }
      pairs.push_back({std::sqrt(d2), t, c});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) {
    return a.dist != b.dist ? a.dist < b.dist : (a.t != b.t ? a.t < b.t : a.c < b.c);
  });
  std::vector<char> t_used(kt, 0), c_used(k_, 0);
  double sum = 0;
  size_t matched = 0;
  for (const Pair& p : pairs) {
    if (t_used[p.t] || c_used[p.c]) continue;
    t_used[p.t] = c_used[p.c] = 1;
    sum += p.dist;
    ++matched;
  }
  const double centre_distance = matched == 0 ? 0.0 : sum / static_cast<double>(matched);
  m["centre_distance"] = centre_distance;

  // Mixture spread from the labels, when they index the true centres.
  if (data.label.size() != n || n == 0) return m;
  double spread = 0;
  for (size_t r = 0; r < n; ++r) {
    const float y = data.label[r];
    if (!(y >= 0 && y < static_cast<float>(kt) && y == std::floor(y))) return m;
    const float* x = data.dense.row(r);
    const float* t = data.true_centres.data() + static_cast<size_t>(y) * d_;
    for (size_t j = 0; j < d_; ++j) spread += (x[j] - t[j]) * (x[j] - t[j]);
  }
  const double sigma = std::sqrt(spread / (static_cast<double>(n) * static_cast<double>(d_)));
  if (sigma > 0) m["centre_distance_rel"] = centre_distance / sigma;
  return m;
}

StatusOr<std::unique_ptr<Model>> KMeansModel::FromConfig(const nlohmann::json& config) {
  ConfigReader r(config, "kmeans");
  const size_t k = r.Size("clusters"), d = r.Size("dim");
  PARLEY_RETURN_IF_ERROR(r.status());
  if (k == 0 || d == 0)
    return InvalidArgument("model config for kmeans: needs clusters >= 1 and dim > 0");
  if (ParamCount(k, d) > kMaxModelParams)
    return InvalidArgument("model config for kmeans: clusters x dim is above 2^40 parameters");
  KMeansStep step = KMeansStep::kLr;  // model files written before the count rule existed
  if (config.contains("step")) {
    const nlohmann::json& s = config["step"];
    if (!s.is_string() || !ParseKMeansStep(s.get<std::string>()).ok())
      return InvalidArgument("model config for kmeans: field 'step' must be \"lr\" or \"count\"");
    step = *ParseKMeansStep(s.get<std::string>());
  }
  return std::unique_ptr<Model>(std::make_unique<KMeansModel>(k, d, step));
}

}  // namespace parley
