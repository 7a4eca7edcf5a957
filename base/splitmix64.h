// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators",
// OOPSLA 2014) and the exact mappings built on raw 64-bit draws. It is the project's one
// source of seeded randomness that must come out identical on every compiler, standard
// library and CPU: star's xoshiro256** is seeded from it, liv's random weights hash
// (seed, tensor, index) with it, and the evaluator's MAD tasks draw from counter-based
// streams of it. The mappings are written out here because std::uniform_*_distribution
// is implementation-defined. Header-only and stateless (callers own their counters).
#pragma once

#include <cstdint>

namespace nas {

inline constexpr uint64_t kSplitMix64Gamma = 0x9e3779b97f4a7c15ULL;

// The SplitMix64 output for counter value `x`: the finalizer applied to x + gamma. A
// bijection of x, so it also serves as a 64-bit hash of a key.
constexpr uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x + kSplitMix64Gamma;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The next output of the stream whose counter is *state (advanced by gamma).
constexpr uint64_t SplitMix64Next(uint64_t* state) {
  const uint64_t out = SplitMix64(*state);
  *state += kSplitMix64Gamma;
  return out;
}

// Uniform in [0, n) without modulo bias: `next()` values are accepted only below the
// largest multiple of n that fits in 2^64. n <= 1 gives 0 and draws nothing.
template <typename NextFn>
uint64_t UniformBelow(uint64_t n, NextFn&& next) {
  if (n <= 1) return 0;
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    const uint64_t x = next();
    if (x >= threshold) return x % n;
  }
}

// Uniform in [0, 1) from the top 53 bits of a draw (every value exactly representable).
constexpr double UnitInterval(uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace nas
