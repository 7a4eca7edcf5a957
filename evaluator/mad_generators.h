// Internal to evaluator_tasks: the per-task example generators behind TaskGenerator
// (mad_tasks.h documents what each one generates). Each writes one example into rows that
// the caller has filled with kNoTarget targets and 0 probes, drawing only from `rng`.
// Settings have passed ValidateTaskSettings. Pure functions of their arguments.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "evaluator/counter_rng.h"
#include "evaluator/mad_task_settings.h"
#include "evaluator/mad_vocabulary.h"

namespace nas::eval::internal {

struct ExampleRows {
  std::span<int32_t> inputs;
  std::span<int32_t> targets;
  std::span<uint8_t> probed;

  void Probe(int position, int32_t target) {
    targets[position] = target;
    probed[position] = 1;
  }
};

// in_context_recall, noisy_recall and fuzzy_recall (mad_recall_tasks.cc).
void GenerateRecall(const TaskSettings& s, const TaskVocabulary& vocab, CounterRng& rng,
                    ExampleRows rows);

// mad_sequence_tasks.cc:
void GenerateSelectiveCopying(const TaskSettings& s, const TaskVocabulary& vocab,
                              CounterRng& rng, ExampleRows rows);
void GenerateCompression(const TaskSettings& s, const TaskVocabulary& vocab, CounterRng& rng,
                         ExampleRows rows);
// The memorization map: value of key (vocab.keys.begin + i) at index i, an injection.
std::vector<int32_t> MakeMemorizationMap(const TaskVocabulary& vocab, CounterRng& rng);
void GenerateMemorization(const TaskSettings& s, const TaskVocabulary& vocab,
                          const std::vector<int32_t>& map, CounterRng& rng, ExampleRows rows);

}  // namespace nas::eval::internal
