// Seeded synthetic Kronecker regression data with a known teacher (ALGORITHMS.md D).
#pragma once

#include <cstddef>

#include "parley/core/rng.h"
#include "parley/kron/kron_data.h"

namespace parley {

// `rows` points x_i = u_i (x) v_i with u_i ~ N(0, I/d1) and v_i ~ N(0, I/d2) (so ||x_i|| is
// about 1), each factor value rounded to 12 significant bits, so that every product
// u_a * v_b is exactly a float and the float DenseView() is exact.
// Targets come from a teacher network of the same family, width `teacher_width`:
//   y = (1/sqrt(m*)) sum_r a*_r relu(<p_r (x) q_r, x> - sqrt(0.4 ln m*)) + noise * N(0, 1),
// with signs a*_r = +-1, and rank-one (Kronecker) neurons p_r ~ N(0, I_d1), q_r ~ N(0, I_d2),
// so <p_r (x) q_r, u (x) v> = <p_r, u> <q_r, v> and generation costs O(rows * m* * (d1 + d2)),
// not O(rows * m* * d1 * d2). Each target is rounded to a float (exact in the dense view).
// Advances rng; the same seed gives the same data.
// REQUIRES: rows >= 1, d1 >= 1, d2 >= 1, teacher_width >= 1, noise >= 0.
KronData GenerateKron(size_t rows, size_t d1, size_t d2, size_t teacher_width, double noise,
                      Rng& rng);

// x rounded to `bits` significant binary digits (round half away from zero).
double RoundToBits(double x, int bits);

}  // namespace parley
