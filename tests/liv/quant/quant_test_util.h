// Helpers shared by the liv/quant tests: reproducible normal random rows.
#pragma once

#include <cstddef>
#include <random>
#include <vector>

namespace nas::liv::quant::testing {

// n values from N(0, sigma^2), the same for the same seed.
inline std::vector<float> Random(size_t n, unsigned seed, float sigma = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, sigma);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

}  // namespace nas::liv::quant::testing
