#include "parley/kron/kron_trainer.h"

#include "parley/core/eigen.h"
#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <limits>

#include "parley/kron/twolayer_init.h"

namespace parley {
namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Strided = Eigen::OuterStride<>;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Columns of a P row updated together before the fired-set check.
constexpr size_t kBlock = 128;
// W0 rows drawn per initialisation chunk: at most this many bytes of them.
constexpr size_t kInitChunkBytes = size_t{32} << 20;
// Rows of G computed per task.
constexpr size_t kGramRows = 256;

size_t RoundUp8(size_t n) { return (n + 7) & ~size_t{7}; }

// Row stride of P, A and G: whole cache lines, and never a multiple of 4 KiB, so that the rows
// a step walks together do not all map to the same cache sets.
size_t PaddedStride(size_t n) {
  const size_t s = RoundUp8(n);
  return s % 512 == 0 ? s + 8 : s;
}

// Inserts (on) or removes (!on) neuron r in the sorted list s.
void Toggle(std::vector<uint32_t>& s, uint32_t r, bool on) {
  auto it = std::lower_bound(s.begin(), s.end(), r);
  if (on) {
    assert(it == s.end() || *it != r);
    s.insert(it, r);
  } else {
    assert(it != s.end() && *it == r);
    s.erase(it);
  }
}

MetricSet Metrics(double squared_error, size_t count) {
  const double mse = count == 0 ? 0.0 : squared_error / static_cast<double>(count);
  return {{"objective", 0.5 * mse}, {"rmse", std::sqrt(mse)}};
}

}  // namespace

StatusOr<std::unique_ptr<KronTrainer>> KronTrainer::Create(const KronData& train,
                                                           const KronData* held_out,
                                                           const KronTrainerOptions& options,
                                                           const Rng& init_rng) {
  if (options.width == 0) return InvalidArgument("the Kronecker trainer needs width (m) >= 1");
  if (options.width > std::numeric_limits<uint32_t>::max())
    return InvalidArgument("the Kronecker trainer supports at most 2^32 - 1 neurons");
  if (std::isnan(options.threshold)) return InvalidArgument("the ReLU threshold is NaN");
  if (options.threads < 0) return InvalidArgument("the Kronecker trainer needs threads >= 0");
  PARLEY_RETURN_IF_ERROR(CheckKronData(train));
  if (train.rows() >= std::numeric_limits<uint32_t>::max())
    return InvalidArgument(train.source + ": more than 2^32 - 2 points");
  if (held_out != nullptr && held_out->rows() == 0) held_out = nullptr;
  if (held_out != nullptr) {
    PARLEY_RETURN_IF_ERROR(CheckKronData(*held_out));
    if (held_out->d1 != train.d1 || held_out->d2 != train.d2)
      return InvalidArgument(held_out->source + " has d1 x d2 = " + std::to_string(held_out->d1) +
                             " x " + std::to_string(held_out->d2) + " but " + train.source +
                             " has " + std::to_string(train.d1) + " x " + std::to_string(train.d2));
  }
  std::unique_ptr<KronTrainer> t(new KronTrainer(train, held_out, options, init_rng));
  t->Initialise();
  return t;
}

KronTrainer::KronTrainer(const KronData& train, const KronData* held_out,
                         const KronTrainerOptions& o, const Rng& init_rng)
    : train_(train),
      held_out_(held_out),
      n_(train.rows()),
      m_(o.width),
      stride_(PaddedStride(train.rows())),
      b_(o.threshold >= 0 ? o.threshold : std::sqrt(0.4 * std::log(static_cast<double>(o.width)))),
      inv_sqrt_m_(1.0 / std::sqrt(static_cast<double>(o.width))),
      min_updates_per_thread_(std::max<size_t>(1, o.min_updates_per_thread)),
      init_rng_(init_rng),
      pool_(std::make_unique<ForkJoinPool>(ResolveThreads(o.threads))),
      thread_crossings_(static_cast<size_t>(pool_->size()), 0) {}

KronTrainer::~KronTrainer() = default;

void KronTrainer::Initialise() {
  const auto t0 = Clock::now();
  const int threads = pool_->size();

  // G, in blocks of rows dealt to the threads.
  g_.assign(n_ * stride_, 0.0);
  const size_t gram_tasks = (n_ + kGramRows - 1) / kGramRows;
  pool_->Run(std::min<int>(threads, static_cast<int>(gram_tasks)), [&](int t) {
    for (size_t task = static_cast<size_t>(t); task < gram_tasks; task += static_cast<size_t>(threads)) {
      const size_t begin = task * kGramRows, end = std::min(n_, begin + kGramRows);
      KronGramRows(train_, train_, begin, end, g_.data() + begin * stride_, stride_);
    }
  });
  const size_t n_held = held_out_ ? held_out_->rows() : 0;
  if (n_held > 0) {
    k_held_.assign(n_ * n_held, 0.0);
    KronGramRows(train_, *held_out_, 0, n_, k_held_.data(), n_held);
  }
  init_stats_.gram_seconds = SecondsSince(t0);

  const auto t1 = Clock::now();
  ComputeProjections();
  init_stats_.projection_seconds = SecondsSince(t1);

  fired_.assign(n_, {});
  for (size_t r = 0; r < m_; ++r) {
    const double* row = p_.data() + r * stride_;
    for (size_t j = 0; j < n_; ++j)
      if (row[j] > b_) fired_[j].push_back(static_cast<uint32_t>(r));
  }
  a_.assign(m_ * stride_, 0.0);
  init_stats_.total_seconds = SecondsSince(t0);
}

void KronTrainer::ComputeProjections() {
  const size_t d1 = train_.d1, d2 = train_.d2, d = d1 * d2;
  const size_t n_held = held_out_ ? held_out_->rows() : 0;
  p_.assign(m_ * stride_, 0.0);
  p0_held_.assign(m_ * n_held, 0.0);

  TwoLayerInitStream stream(init_rng_, m_, d);
  signs_ = stream.signs();
  const int threads = pool_->size();
  const size_t chunk = std::clamp<size_t>(kInitChunkBytes / (d * sizeof(double)), 1, m_);
  std::vector<double> w0(chunk * d);
  // Per thread: U_s mat(w_r), n_s x d2, for the train and the held-out points.
  std::vector<RowMajor> scratch(static_cast<size_t>(threads));

  // <w_r, u_j (x) v_j> = u_j^T mat(w_r) v_j for every point j of `data`, into out[j].
  auto project = [&](const double* w, const KronData& data, RowMajor& tmp, double* out) {
    const auto n = static_cast<Eigen::Index>(data.rows());
    Eigen::Map<const RowMajor> mat(w, static_cast<Eigen::Index>(d1), static_cast<Eigen::Index>(d2));
    Eigen::Map<const RowMajor> u(data.u.data(), n, static_cast<Eigen::Index>(d1));
    Eigen::Map<const RowMajor> v(data.v.data(), n, static_cast<Eigen::Index>(d2));
    tmp.resize(n, static_cast<Eigen::Index>(d2));
    tmp.noalias() = u * mat;
    Eigen::Map<Eigen::VectorXd>(out, n) = (tmp.array() * v.array()).rowwise().sum();
  };

  for (size_t r0 = 0; r0 < m_; r0 += chunk) {
    const size_t rows = std::min(chunk, m_ - r0);
    stream.NextRows(rows, w0.data());
    pool_->Run(std::min<int>(threads, static_cast<int>(rows)), [&](int t) {
      for (size_t k = static_cast<size_t>(t); k < rows; k += static_cast<size_t>(threads)) {
        const double* w = w0.data() + k * d;
        const size_t r = r0 + k;
        project(w, train_, scratch[static_cast<size_t>(t)], p_.data() + r * stride_);
        if (n_held > 0)
          project(w, *held_out_, scratch[static_cast<size_t>(t)], p0_held_.data() + r * n_held);
      }
    });
  }
}

double KronTrainer::PredictTrain(size_t j) const {
  double f = 0;
  for (uint32_t r : fired_[j]) f += signs_[r] * (p_[r * stride_ + j] - b_);
  return f * inv_sqrt_m_;
}

double KronTrainer::Step(std::span<const uint32_t> batch, double eta) {
  if (batch.empty()) return 0;
  const double k = inv_sqrt_m_ / static_cast<double>(batch.size());

  // Errors and coefficients from the pre-step P.
  terms_.clear();
  double loss = 0;
  for (size_t s = 0; s < batch.size(); ++s) {
    const uint32_t i = batch[s];
    assert(i < n_);
    const double e = PredictTrain(i) - train_.y[i];
    loss += 0.5 * e * e;
    const double g = -eta * k * e;
    for (uint32_t r : fired_[i])
      terms_.push_back({r, i, static_cast<uint32_t>(terms_.size()), g * signs_[r]});
  }
  std::sort(terms_.begin(), terms_.end(), [](const Term& x, const Term& y) {
    return x.r != y.r ? x.r < y.r : x.seq < y.seq;
  });
  group_begin_.clear();
  for (size_t t = 0; t < terms_.size(); ++t)
    if (t == 0 || terms_[t].r != terms_[t - 1].r) group_begin_.push_back(t);
  group_begin_.push_back(terms_.size());

  // P rows of touched neurons, over ranges of points dealt to the threads.
  const size_t work = terms_.size() * n_;
  const int active = static_cast<int>(std::clamp<size_t>(
      std::min(work / min_updates_per_thread_, n_ / 8), 1, static_cast<size_t>(pool_->size())));
  const size_t span = RoundUp8((n_ + static_cast<size_t>(active) - 1) / static_cast<size_t>(active));
  pool_->Run(active, [&](int t) {
    const size_t j0 = std::min(n_, static_cast<size_t>(t) * span);
    const size_t j1 = std::min(n_, j0 + span);
    thread_crossings_[static_cast<size_t>(t)] = UpdateRange(j0, j1);
  });
  for (int t = 0; t < active; ++t) crossings_ += thread_crossings_[static_cast<size_t>(t)];

  for (const Term& term : terms_) a_[term.r * stride_ + term.i] += term.c;
  ++steps_;
  return loss / static_cast<double>(batch.size());
}

int64_t KronTrainer::UpdateRange(size_t j0, size_t j1) {
  int64_t crossings = 0;
  alignas(64) double old[kBlock];
  const double b = b_;
  for (size_t grp = 0; grp + 1 < group_begin_.size(); ++grp) {
    const Term* first = terms_.data() + group_begin_[grp];
    const Term* last = terms_.data() + group_begin_[grp + 1];
    const uint32_t r = first->r;
    double* row = p_.data() + r * stride_;
    for (size_t j = j0; j < j1; j += kBlock) {
      const size_t len = std::min(kBlock, j1 - j);
      double* p = row + j;
      std::copy(p, p + len, old);
      for (const Term* term = first; term != last; ++term) {
        const double c = term->c;
        const double* g = g_.data() + term->i * stride_ + j;
        for (size_t q = 0; q < len; ++q) p[q] += c * g[q];
      }
      bool any = false;
      for (size_t q = 0; q < len; ++q) any |= (old[q] > b) != (p[q] > b);
      if (!any) continue;
      for (size_t q = 0; q < len; ++q) {
        const bool on = p[q] > b;
        if ((old[q] > b) != on) {
          Toggle(fired_[j + q], r, on);
          ++crossings;
        }
      }
    }
  }
  return crossings;
}

MetricSet KronTrainer::EvaluateTrain(std::span<const uint32_t> rows) const {
  double se = 0;
  if (rows.empty()) {
    for (size_t j = 0; j < n_; ++j) {
      const double e = PredictTrain(j) - train_.y[j];
      se += e * e;
    }
    return Metrics(se, n_);
  }
  for (uint32_t j : rows) {
    const double e = PredictTrain(j) - train_.y[j];
    se += e * e;
  }
  return Metrics(se, rows.size());
}

MetricSet KronTrainer::EvaluateHeldOut() const {
  if (held_out_ == nullptr) return {};
  const auto n = static_cast<Eigen::Index>(n_), m = static_cast<Eigen::Index>(m_);
  const auto nh = static_cast<Eigen::Index>(held_out_->rows());
  Eigen::Map<const RowMajor, 0, Strided> a(a_.data(), m, n, Strided(static_cast<Eigen::Index>(stride_)));
  Eigen::Map<const RowMajor> k(k_held_.data(), n, nh);
  Eigen::Map<const RowMajor> p0(p0_held_.data(), m, nh);
  RowMajor z = p0;
  z.noalias() += a * k;
  z.array() -= b_;
  Eigen::Map<const Eigen::VectorXd> signs(signs_.data(), m);
  double se = 0;
  for (Eigen::Index t = 0; t < nh; ++t) {
    const double f = inv_sqrt_m_ * signs.dot(z.col(t).cwiseMax(0.0));
    const double e = f - held_out_->y[static_cast<size_t>(t)];
    se += e * e;
  }
  return Metrics(se, held_out_->rows());
}

std::vector<double> KronTrainer::MaterializeW() const {
  const size_t d1 = train_.d1, d2 = train_.d2, d = d1 * d2;
  std::vector<double> w(m_ * d);
  TwoLayerInitStream stream(init_rng_, m_, d);
  stream.NextRows(m_, w.data());
  RowMajor us, vs;
  std::vector<uint32_t> nz;
  for (size_t r = 0; r < m_; ++r) {
    const double* a = a_.data() + r * stride_;
    nz.clear();
    for (size_t i = 0; i < n_; ++i)
      if (a[i] != 0) nz.push_back(static_cast<uint32_t>(i));
    if (nz.empty()) continue;
    const auto k = static_cast<Eigen::Index>(nz.size());
    us.resize(k, static_cast<Eigen::Index>(d1));
    vs.resize(k, static_cast<Eigen::Index>(d2));
    for (Eigen::Index q = 0; q < k; ++q) {
      const uint32_t i = nz[static_cast<size_t>(q)];
      us.row(q) = a[i] * Eigen::Map<const Eigen::RowVectorXd>(train_.U(i), static_cast<Eigen::Index>(d1));
      vs.row(q) = Eigen::Map<const Eigen::RowVectorXd>(train_.V(i), static_cast<Eigen::Index>(d2));
    }
    Eigen::Map<RowMajor> mat(w.data() + r * d, static_cast<Eigen::Index>(d1), static_cast<Eigen::Index>(d2));
    mat.noalias() += us.transpose() * vs;
  }
  return w;
}

KronTrainer::FiredStats KronTrainer::FiredFraction() const {
  FiredStats s;
  if (n_ == 0) return s;
  size_t total = 0, lo = m_, hi = 0;
  for (const auto& f : fired_) {
    total += f.size();
    lo = std::min(lo, f.size());
    hi = std::max(hi, f.size());
  }
  const double m = static_cast<double>(m_);
  s.mean = static_cast<double>(total) / (static_cast<double>(n_) * m);
  s.min = static_cast<double>(lo) / m;
  s.max = static_cast<double>(hi) / m;
  return s;
}

KronMemory KronTrainer::memory() const {
  KronMemory mem;
  mem.projections = p_.capacity() * sizeof(double);
  mem.duals = a_.capacity() * sizeof(double);
  mem.gram = g_.capacity() * sizeof(double);
  mem.fired = fired_.capacity() * sizeof(fired_[0]);
  for (const auto& f : fired_) mem.fired += f.capacity() * sizeof(uint32_t);
  mem.held_out = (p0_held_.capacity() + k_held_.capacity()) * sizeof(double);
  return mem;
}

}  // namespace parley
