// Helpers shared by the MAD task tests: generating a batch that must succeed, and settings
// by name for parameterized tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/mad_tasks.h"

namespace nas::eval::test_util {

// The batch, or a test failure (and an empty batch) when generation fails.
inline Batch MustBatch(const TaskSettings& settings, uint64_t seed, Split split, int64_t first,
                       int count) {
  absl::StatusOr<TaskGenerator> generator = TaskGenerator::Create(settings, seed);
  EXPECT_TRUE(generator.ok()) << generator.status();
  if (!generator.ok()) return {};
  absl::StatusOr<Batch> batch = generator->MakeBatch(split, first, count);
  EXPECT_TRUE(batch.ok()) << batch.status();
  return batch.ok() ? *std::move(batch) : Batch{};
}

// Every setting of the MAD protocol for `kind` (baseline and harder variants).
inline std::vector<TaskSettings> AllSettings(TaskKind kind) { return ProtocolSettings(kind); }

inline std::vector<int32_t> Row(std::span<const int32_t> row) {
  return {row.begin(), row.end()};
}

}  // namespace nas::eval::test_util
