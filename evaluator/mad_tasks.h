// Generates the examples of a MAD task, deterministically from a 64-bit seed.
//
// Each split (train, test) is a fixed, finite set of examples: example i of a split is a
// pure function of (settings, seed, split, i), drawn from counter-based SplitMix64
// streams (counter_rng.h), so it is the same on every platform and whatever batches it is
// generated in. An example holds seq_len input tokens, seq_len targets and a mask of the
// probed positions (a Batch, batch.h); only probed positions carry a target and count for
// accuracy and loss.
// With the vocabularies of mad_vocabulary.h, the examples are (positions from 0, L =
// seq_len; models are causal, position i sees inputs [0, i]):
//
//   in_context_recall, noisy_recall, fuzzy_recall: a stream of key-value pairs. Each slot
//     draws a key length and a value length (1 unless fuzzy: uniform in 1..max), then
//     (noisy_recall only) is, with probability noise_fraction, that many noise tokens
//     instead of a pair; one slot, chosen uniformly among those that always fit, is never
//     noise. A pair's key has distinct tokens drawn uniformly from the keys; the first
//     time a key appears in the example its value (distinct tokens drawn uniformly from
//     the values, with replacement across keys) is drawn and kept for the rest of the
//     example. Slots are added while one more of the longest kind and a final pair fit;
//     the final pair repeats a key drawn uniformly among those already shown, so every
//     example has a probe; fuzzy_recall fills what is left at the front with pad tokens.
//     Probed (multi-query): every value token of a pair whose key appeared earlier in the
//     example, predicted from the position before it (target[i] = input[i + 1]).
//   selective_copying: num_tokens_to_copy tokens drawn uniformly from the content tokens
//     sit at uniformly chosen distinct positions among the first L - n - 1 (blanks
//     elsewhere), then the copy token, then n blanks. Probed: the last n positions, whose
//     targets are the content tokens in their order of appearance.
//   compression: L - 1 tokens drawn uniformly from the content tokens, then the compress
//     token. Probed: all L positions, target = input (reconstruct everything from the
//     encoding, as MAD's auto-encoder does).
//   memorization: L / 2 pairs (key, insert); keys drawn uniformly; the map from keys to
//     values is one random injection fixed by the seed alone (the same in both splits and
//     every batch). Probed: the insert positions, target = map[key before it].
//
// A TaskGenerator is immutable after Create; its methods are thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "evaluator/batch.h"
#include "evaluator/mad_task_settings.h"
#include "evaluator/mad_vocabulary.h"

namespace nas::eval {

enum class Split { kTrain, kTest };

class TaskGenerator {
 public:
  // Fails with ValidateTaskSettings's error.
  static absl::StatusOr<TaskGenerator> Create(const TaskSettings& settings, uint64_t seed);

  // Examples [first, first + count) of the split. InvalidArgument when count < 1,
  // first < 0 or the range passes the end of the split (num_train_examples or
  // num_test_examples).
  absl::StatusOr<Batch> MakeBatch(Split split, int64_t first, int count) const;

  const TaskSettings& settings() const { return settings_; }
  const TaskVocabulary& vocabulary() const { return vocab_; }
  uint64_t seed() const { return seed_; }
  // memorization: the value of each key (index = key - vocabulary().keys.begin); empty for
  // the other tasks.
  const std::vector<int32_t>& memorization_map() const { return memorization_map_; }

 private:
  TaskGenerator(const TaskSettings& settings, uint64_t seed);

  TaskSettings settings_;
  TaskVocabulary vocab_;
  uint64_t seed_ = 0;
  std::vector<int32_t> memorization_map_;
};

}  // namespace nas::eval
