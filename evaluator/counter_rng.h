// The evaluator's random numbers (MAD examples, corpus windows): a SplitMix64 stream
// (base/splitmix64.h) whose starting counter is a hash of (seed, stream, index), so that
// example i of a split is a pure function of the seed and i (any batch can be generated
// alone, in any order, on any thread, with the same result on every platform) and the
// memorization map depends on the seed alone. Distinct (stream, index) pairs give
// unrelated streams. Not thread-safe: one CounterRng per example being generated.
#pragma once

#include <cstdint>

#include "base/splitmix64.h"

namespace nas::eval {

class CounterRng {
 public:
  CounterRng(uint64_t seed, uint64_t stream, uint64_t index)
      : counter_(SplitMix64(SplitMix64(SplitMix64(seed) ^ stream) ^ index)) {}

  uint64_t Next() { return SplitMix64Next(&counter_); }

  // Uniform in [0, n) (exact, by rejection); n <= 1 gives 0 and draws nothing.
  int32_t Below(int32_t n) {
    return static_cast<int32_t>(
        UniformBelow(n > 0 ? static_cast<uint64_t>(n) : 0, [this] { return Next(); }));
  }

  // True with probability p; always consumes one draw.
  bool Bernoulli(double p) { return UnitInterval(Next()) < p; }

 private:
  uint64_t counter_;
};

}  // namespace nas::eval
