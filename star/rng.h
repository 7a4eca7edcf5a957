// The search's random number generator: xoshiro256** seeded through splitmix64, with its
// own integer and real mappings (never std::uniform_*_distribution, whose results are
// implementation-defined), so that a seed gives the same campaign on every compiler and
// CPU. Its whole state is 256 bits and round-trips through a short text form, which the
// coordinator stores in SQLite to resume a campaign exactly where it stopped.
// Not thread-safe: one Rng per thread of use; copying an Rng forks an identical stream.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace nas::star {

class Rng {
 public:
  // Expands `seed` into the 256-bit state with splitmix64 (never all zero).
  explicit Rng(uint64_t seed);

  // The next raw 64-bit output of xoshiro256**.
  uint64_t Next();

  // Uniform in [0, n) without modulo bias (rejection); n must be >= 1.
  uint64_t Below(uint64_t n);
  // Uniform in [lo, hi], both inclusive; requires lo <= hi.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // Uniform in [0, 1) with 53 random bits.
  double UniformDouble();
  // Uniform in [lo, hi).
  double UniformDouble(double lo, double hi);
  // True with probability p (p <= 0: never, p >= 1: always). Always consumes one draw,
  // so the stream does not depend on p.
  bool Bernoulli(double p);

  // "xoshiro256**:" followed by the four state words as 16 lower-case hex digits each,
  // separated by ':'. Restore(SaveState()) continues the same sequence.
  std::string SaveState() const;
  // Parses a SaveState() string; InvalidArgument if malformed or all-zero.
  static absl::StatusOr<Rng> Restore(std::string_view state);

  const std::array<uint64_t, 4>& state() const { return s_; }
  friend bool operator==(const Rng&, const Rng&) = default;

 private:
  Rng() = default;
  std::array<uint64_t, 4> s_{};
};

}  // namespace nas::star
