#include "parley/kron/kron_data.h"

#include "parley/core/eigen.h"
#include <cassert>
#include <cmath>

namespace parley {
namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace

void KronData::DenseRow(size_t i, double* out) const {
  const double* ui = U(i);
  const double* vi = V(i);
  for (size_t a = 0; a < d1; ++a)
    for (size_t b = 0; b < d2; ++b) out[a * d2 + b] = ui[a] * vi[b];
}

KronData KronData::Subset(std::span<const uint32_t> rows) const {
  KronData s;
  s.d1 = d1;
  s.d2 = d2;
  s.source = source;
  s.u.reserve(rows.size() * d1);
  s.v.reserve(rows.size() * d2);
  s.y.reserve(rows.size());
  for (uint32_t i : rows) {
    s.u.insert(s.u.end(), U(i), U(i) + d1);
    s.v.insert(s.v.end(), V(i), V(i) + d2);
    s.y.push_back(y[i]);
  }
  return s;
}

Dataset KronData::DenseView() const {
  Dataset d;
  d.kind = Dataset::Kind::kDense;
  d.source = source;
  d.dense.cols = dim();
  d.dense.x.resize(rows() * dim());
  std::vector<double> row(dim());
  for (size_t i = 0; i < rows(); ++i) {
    DenseRow(i, row.data());
    for (size_t k = 0; k < row.size(); ++k) d.dense.x[i * dim() + k] = static_cast<float>(row[k]);
  }
  d.label.assign(y.begin(), y.end());
  return d;
}

Status CheckKronData(const KronData& data) {
  if (data.d1 == 0 || data.d2 == 0)
    return InvalidArgument(data.source + ": Kronecker factors need d1 >= 1 and d2 >= 1");
  if (data.rows() == 0) return InvalidArgument(data.source + " has no points");
  if (data.u.size() != data.rows() * data.d1 || data.v.size() != data.rows() * data.d2)
    return InvalidArgument(data.source + ": factor sizes do not match " +
                           std::to_string(data.rows()) + " points of d1 = " +
                           std::to_string(data.d1) + ", d2 = " + std::to_string(data.d2));
  auto finite = [](const std::vector<double>& x) {
    for (double e : x)
      if (!std::isfinite(e)) return false;
    return true;
  };
  if (!finite(data.u) || !finite(data.v) || !finite(data.y))
    return InvalidArgument(data.source + " holds a value that is not a finite number");
  return OkStatus();
}

std::vector<double> KronGram(const KronData& a, const KronData& b) {
  std::vector<double> g(a.rows() * b.rows());
  KronGramRows(a, b, 0, a.rows(), g.data(), b.rows());
  return g;
}

void KronGramRows(const KronData& a, const KronData& b, size_t rows_begin, size_t rows_end,
                  double* out, size_t out_stride) {
  assert(a.d1 == b.d1 && a.d2 == b.d2 && out_stride >= b.rows() && rows_begin <= rows_end &&
         rows_end <= a.rows());
  const auto na = static_cast<Eigen::Index>(rows_end - rows_begin);
  const auto nb = static_cast<Eigen::Index>(b.rows());
  const auto d1 = static_cast<Eigen::Index>(a.d1), d2 = static_cast<Eigen::Index>(a.d2);
  Eigen::Map<const RowMajor> ua(a.U(rows_begin), na, d1), ub(b.u.data(), nb, d1);
  Eigen::Map<const RowMajor> va(a.V(rows_begin), na, d2), vb(b.v.data(), nb, d2);
  Eigen::Map<RowMajor, 0, Eigen::OuterStride<>> g(out, na, nb,
                                                  Eigen::OuterStride<>(static_cast<Eigen::Index>(out_stride)));
  g.noalias() = ua * ub.transpose();
  g.array() *= (va * vb.transpose()).array();
}

}  // namespace parley
