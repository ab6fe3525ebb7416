// The Parzen-window test of ASGD (ALGORITHMS.md A, Keuper & Pfreundt 2015): peer i keeps an
// external state w_j (or one block of it) only if its own local step moves towards it:
//
//   || (w_i - eps*g) - w_j ||^2  <  || w_i - w_j ||^2
//
// (equivalently 2 <g, w_i - w_j> > eps ||g||^2). Strict: a step that leaves the distance
// unchanged (g = 0, or w_j = w_i with g = 0) rejects. A block message is tested on its block
// alone: pass the block's slices of w_i, g and w_j.
#pragma once

#include <cassert>
#include <cstddef>
#include <span>

namespace parley {

// w_i: the receiver's true parameters (before its step); g: the local step direction (data
// gradient plus any L2 term), eps: the step size; w_j: the sender's state. All the same size.
inline bool ParzenAccept(std::span<const double> w_i, std::span<const double> g, double eps,
                         std::span<const double> w_j) {
  assert(w_i.size() == g.size() && w_i.size() == w_j.size());
  double after = 0, before = 0;
  for (size_t k = 0; k < w_i.size(); ++k) {
    const double d = w_i[k] - w_j[k];
    const double a = d - eps * g[k];
    after += a * a;
    before += d * d;
  }
  return after < before;
}

}  // namespace parley
