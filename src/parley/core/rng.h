// Deterministic random numbers. Every random choice in a run flows from one run seed:
// Rng(seed).Fork(stream) gives an independent generator for a named purpose (a worker, the
// data split, initialisation), so adding a consumer never shifts another one's numbers.
// Never seeded from the clock. An Rng is not thread-safe; give each thread its own Fork.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string_view>
#include <vector>

namespace parley {

// SplitMix64: used to expand seeds.
inline uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Stable 64-bit hash of a string (FNV-1a), for naming RNG streams.
constexpr uint64_t HashName(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) { h ^= static_cast<unsigned char>(c); h *= 1099511628211ULL; }
  return h;
}

// xoshiro256** generator. Satisfies UniformRandomBitGenerator.
class Rng {
 public:
  using result_type = uint64_t;
  explicit Rng(uint64_t seed = 1) {
    uint64_t x = seed;
    for (auto& s : s_) s = SplitMix64(x);
  }
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return std::numeric_limits<uint64_t>::max(); }

  uint64_t operator()() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0]; s_[3] ^= s_[1]; s_[1] ^= s_[2]; s_[0] ^= s_[3];
    s_[2] ^= t; s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // An independent generator derived from this one's seed state and a stream id; does not
  // advance this generator.
  Rng Fork(uint64_t stream) const {
    uint64_t x = s_[0] ^ Rotl(s_[1], 13) ^ Rotl(s_[2], 29) ^ Rotl(s_[3], 47) ^
                 (stream * 0xd1b54a32d192ed03ULL);
    return Rng(SplitMix64(x));
  }
  Rng Fork(std::string_view name) const { return Fork(HashName(name)); }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n); n > 0. Lemire's nearly-divisionless method.
  uint64_t Below(uint64_t n) {
    __uint128_t m = static_cast<__uint128_t>((*this)()) * n;
    uint64_t l = static_cast<uint64_t>(m);
    if (l < n) {
      uint64_t t = -n % n;
      while (l < t) { m = static_cast<__uint128_t>((*this)()) * n; l = static_cast<uint64_t>(m); }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Standard normal (Marsaglia polar method; no cached second value, so results depend
  // only on the number of calls).
  double Normal() {
    double u, v, s;
    do {
      u = 2 * Uniform() - 1; v = 2 * Uniform() - 1; s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * std::sqrt(-2 * std::log(s) / s);
  }
  // Fisher-Yates shuffle.
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(i)]);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace parley
