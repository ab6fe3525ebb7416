#include "parley/kron/kron_generator.h"

#include <cassert>
#include <cmath>
#include <string>
#include <vector>

namespace parley {
namespace {

// 12 + 12 significant bits fit a float's 24-bit significand.
constexpr int kFactorBits = 12;

double Dot(const double* a, const double* b, size_t n) {
  double s = 0;
  for (size_t k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

}  // namespace

double RoundToBits(double x, int bits) {
  if (x == 0 || !std::isfinite(x)) return x;
  int e = 0;
  const double mant = std::frexp(x, &e);  // x = mant * 2^e, 0.5 <= |mant| < 1
  return std::ldexp(std::round(std::ldexp(mant, bits)), e - bits);
}

KronData GenerateKron(size_t rows, size_t d1, size_t d2, size_t teacher_width, double noise,
                      Rng& rng) {
  assert(rows >= 1 && d1 >= 1 && d2 >= 1 && teacher_width >= 1 && noise >= 0);
  KronData d;
  d.d1 = d1;
  d.d2 = d2;
  d.source = "kron(n=" + std::to_string(rows) + ", d1=" + std::to_string(d1) +
             ", d2=" + std::to_string(d2) + ", teacher m=" + std::to_string(teacher_width) + ")";
  const size_t m = teacher_width;
  // Teacher first, so the points of a larger n extend those of a smaller one.
  std::vector<double> a(m), p(m * d1), q(m * d2);
  for (double& s : a) s = (rng() >> 63) ? 1.0 : -1.0;
  for (double& x : p) x = rng.Normal();
  for (double& x : q) x = rng.Normal();
  const double b = std::sqrt(0.4 * std::log(static_cast<double>(m)));
  const double su = 1 / std::sqrt(static_cast<double>(d1)), sv = 1 / std::sqrt(static_cast<double>(d2));

  d.u.resize(rows * d1);
  d.v.resize(rows * d2);
  d.y.resize(rows);
  for (size_t i = 0; i < rows; ++i) {
    double* u = d.u.data() + i * d1;
    double* v = d.v.data() + i * d2;
    for (size_t k = 0; k < d1; ++k) u[k] = RoundToBits(su * rng.Normal(), kFactorBits);
    for (size_t k = 0; k < d2; ++k) v[k] = RoundToBits(sv * rng.Normal(), kFactorBits);
    double f = 0;
    for (size_t r = 0; r < m; ++r) {
      const double z = Dot(p.data() + r * d1, u, d1) * Dot(q.data() + r * d2, v, d2) - b;
      if (z > 0) f += a[r] * z;
    }
    f /= std::sqrt(static_cast<double>(m));
    const double e = noise > 0 ? noise * rng.Normal() : 0.0;
    d.y[i] = static_cast<double>(static_cast<float>(f + e));
  }
  return d;
}

}  // namespace parley
