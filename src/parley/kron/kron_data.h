// Kronecker-structured data points (ALGORITHMS.md D): every input is x_i = u_i (x) v_i with
// u_i in R^{d1}, v_i in R^{d2}, so x_i has d = d1 * d2 entries, x_i[a * d2 + b] = u_i[a] * v_i[b]
// (numpy's np.kron(u, v)). Only the factors are stored; the dense view is built on demand.
// Everything is float64. A KronData is a plain value: immutable once built by a reader or
// generator, and safe to read from many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "parley/core/status.h"
#include "parley/data/dataset.h"

namespace parley {

struct KronData {
  size_t d1 = 0;
  size_t d2 = 0;
  std::vector<double> u;  // rows * d1, row-major: u_i is u[i*d1 .. i*d1+d1)
  std::vector<double> v;  // rows * d2, row-major
  std::vector<double> y;  // one regression target per point
  std::string source;     // file name or generator description, for messages

  size_t rows() const { return y.size(); }
  // Input dimension d = d1 * d2 of the dense view.
  size_t dim() const { return d1 * d2; }
  const double* U(size_t i) const { return u.data() + i * d1; }
  const double* V(size_t i) const { return v.data() + i * d2; }
  // Writes the dense x_i = u_i (x) v_i (d values) to out.
  void DenseRow(size_t i, double* out) const;
  // The points `rows`, in that order.
  KronData Subset(std::span<const uint32_t> rows) const;
  // The dense view as a kDense Dataset (float rows, float labels) for the ordinary dense
  // models and the runtime. Exact when every u_a * v_b and every y is a float (true for
  // GenerateKron's data); otherwise each value is rounded to the nearest float.
  Dataset DenseView() const;
};

// Whether the sizes agree (u, v and y describe the same number of points; d1, d2 >= 1), the
// data has at least one point, and every value is finite. Errors name data.source.
Status CheckKronData(const KronData& data);

// The Gram matrix between the points of a and of b: G[i][j] = <x_i, x_j> = <u_i, u_j> * <v_i, v_j>,
// a.rows() x b.rows(), row-major. Costs O(a.rows() * b.rows() * (d1 + d2)), never d1 * d2.
// REQUIRES: a.d1 == b.d1 and a.d2 == b.d2.
std::vector<double> KronGram(const KronData& a, const KronData& b);

// As KronGram, for the points a[rows_begin, rows_end) only, written to out with row stride
// out_stride: out[(i - rows_begin) * out_stride + j]. Uses O((rows_end - rows_begin) * b.rows())
// scratch. REQUIRES: as KronGram; out_stride >= b.rows(); rows_begin <= rows_end <= a.rows().
void KronGramRows(const KronData& a, const KronData& b, size_t rows_begin, size_t rows_end,
                  double* out, size_t out_stride);

}  // namespace parley
