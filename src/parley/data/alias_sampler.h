// Walker/Vose alias method: draws an index 0..n-1 with probability proportional to given
// weights in O(1) from one 64-bit random number. Used by the generators.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace parley {

// Immutable after construction; Sample() is safe to call from many threads.
class AliasSampler {
 public:
  // REQUIRES: !weights.empty(), every weight >= 0, and their sum > 0.
  explicit AliasSampler(const std::vector<double>& weights);

  // An index drawn with probability weight[i] / sum, from the 64 random bits `r` (the high
  // half picks a slot, the low half decides between the slot and its alias).
  uint32_t Sample(uint64_t r) const {
    const uint32_t slot =
        static_cast<uint32_t>(((r >> 32) * static_cast<uint64_t>(threshold_.size())) >> 32);
    return static_cast<uint32_t>(r) < threshold_[slot] ? slot : alias_[slot];
  }
  size_t size() const { return threshold_.size(); }

 private:
  std::vector<uint32_t> threshold_;  // keep the slot if the low 32 bits are below this
  std::vector<uint32_t> alias_;
};

}  // namespace parley
