// Helpers shared by the session tests: deterministic token ids, the relative errors (max
// and L2) of two logit vectors, and a session with small test-sized options.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "liv/runtime/session.h"

namespace nas::liv::testing {

// `n` ids in [0, vocab) from a linear congruential sequence seeded by `seed`.
inline std::vector<int32_t> Tokens(size_t n, int vocab, uint32_t seed = 7) {
  std::vector<int32_t> out(n);
  uint32_t x = seed;
  for (auto& t : out) {
    x = x * 1664525u + 1013904223u;
    t = static_cast<int32_t>((x >> 8) % vocab);
  }
  return out;
}

// max |a - b| / max |b|
template <typename A, typename B>
double RelativeError(const A& a, const B& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return diff / scale;
}

// sqrt(sum (a - b)^2 / sum b^2)
template <typename A, typename B>
double RelativeL2Error(const A& a, const B& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
    diff += d * d;
    scale += static_cast<double>(b[i]) * static_cast<double>(b[i]);
  }
  return std::sqrt(diff / scale);
}

inline std::unique_ptr<Session> NewSession(std::shared_ptr<Model> model, int threads = 1,
                                           uint32_t max_batch = 4, uint32_t max_context = 64,
                                           KvType kv_type = KvType::kF32) {
  RuntimeOptions options;
  options.threads = threads;
  options.kv_type = kv_type;
  options.max_batch = max_batch;
  options.max_context = max_context;
  auto session = Session::Create(std::move(model), options);
  EXPECT_TRUE(session.ok()) << session.status();
  return std::move(session).value();
}

}  // namespace nas::liv::testing
