// A deterministic uniform index for genome tests: a 64-bit LCG whose high bits pick a
// value in [0, n); plugs into RandomGenome's uniform function.
#pragma once

#include <cstdint>

namespace nas::star::testing {

struct Lcg {
  uint64_t state;
  uint32_t operator()(uint32_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>((state >> 33) % n);
  }
};

}  // namespace nas::star::testing
