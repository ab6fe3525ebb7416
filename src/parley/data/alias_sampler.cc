#include "parley/data/alias_sampler.h"

#include <cassert>
#include <cmath>
#include <numeric>

namespace parley {

AliasSampler::AliasSampler(const std::vector<double>& weights)
    : threshold_(weights.size()), alias_(weights.size()) {
  assert(!weights.empty());
  const size_t n = weights.size();
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  assert(sum > 0);
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / sum;
    (scaled[i] < 1 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  auto set = [&](uint32_t i, double p, uint32_t alias) {
    // p in [0, 1]; 2^32 * p rounded down, with p == 1 meaning "always keep".
    threshold_[i] = p >= 1 ? UINT32_MAX : static_cast<uint32_t>(std::ldexp(p, 32));
    alias_[i] = alias;
  };
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back(), l = large.back();
    small.pop_back();
    set(s, scaled[s], l);
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Leftovers are 1 up to rounding.
  for (uint32_t i : large) set(i, 1, i);
  for (uint32_t i : small) set(i, 1, i);
}

}  // namespace parley
