// The six MAD synthetic tasks (REFERENCE.md section 4) and their settings: the task kind,
// its names, the baseline setting of each task, the harder settings whose mean gives the
// task's score (the MAD protocol: the baseline, then one variable changed at a time, as in
// MAD-lab's configs/tasks), validation with errors that name the field, and a one-line
// description for logs and the result store. How each task lays out its vocabulary is in
// mad_vocabulary.h, how its examples are generated in mad_tasks.h.
// Plain values and pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nas::eval {

enum class TaskKind {
  kInContextRecall,   // multi-query associative recall
  kFuzzyRecall,       // recall with keys and values of 1..max tokens
  kNoisyRecall,       // recall with pairs of noise tokens between the key-value pairs
  kSelectiveCopying,  // copy the tokens scattered among blanks, after a copy token
  kCompression,       // encode the sequence; a fixed small decoder reconstructs it
  kMemorization,      // a fixed key -> value map learned from the training set
};

inline constexpr TaskKind kAllTaskKinds[] = {
    TaskKind::kInContextRecall,  TaskKind::kFuzzyRecall, TaskKind::kNoisyRecall,
    TaskKind::kSelectiveCopying, TaskKind::kCompression, TaskKind::kMemorization};

// "in_context_recall", "fuzzy_recall", "noisy_recall", "selective_copying",
// "compression", "memorization".
std::string_view TaskName(TaskKind kind);
// The inverse of TaskName (exact match); the error names the bad value and the known ones.
absl::StatusOr<TaskKind> ParseTaskKind(std::string_view name);

// One setting of one task. Fields that a task does not use must keep their defaults
// (ValidateTaskSettings refuses them, so that nothing is silently ignored).
struct TaskSettings {
  TaskKind kind = TaskKind::kInContextRecall;
  int vocab_size = 0;          // every token id is in [0, vocab_size)
  int seq_len = 0;             // tokens per example
  int num_train_examples = 0;  // size of the training split
  int num_test_examples = 0;   // size of the test split
  int max_key_len = 1;         // fuzzy_recall: keys are 1..max_key_len tokens
  int max_value_len = 1;       // fuzzy_recall: values are 1..max_value_len tokens
  int noise_vocab_size = 0;    // noisy_recall: noise tokens, part of vocab_size
  double noise_fraction = 0;   // noisy_recall: probability that a pair slot is noise
  int num_tokens_to_copy = 0;  // selective_copying

  friend bool operator==(const TaskSettings&, const TaskSettings&) = default;
};

// REFERENCE.md's baseline setting of the task (test split: 1,280 examples, as MAD-lab).
TaskSettings BaselineSettings(TaskKind kind);

// The task's settings in the MAD protocol: the baseline first, then each harder variant
// (one variable changed from the baseline: a larger vocabulary, longer sequences, fewer
// training examples, more noise, more tokens to copy). The task's score is the mean of
// its accuracy over these settings.
std::vector<TaskSettings> ProtocolSettings(TaskKind kind);

// OK when the settings describe a well-formed task; otherwise InvalidArgument naming the
// task and the field, e.g. "selective_copying: seq_len 32 is too short to copy 16 tokens
// (needs at least 2 * num_tokens_to_copy + 2 = 34)".
absl::Status ValidateTaskSettings(const TaskSettings& settings);

// "noisy_recall vocab_size=32 seq_len=128 train=12800 test=1280 noise_vocab_size=16
// noise_fraction=0.2": the name and every field the task uses.
std::string DescribeTaskSettings(const TaskSettings& settings);

}  // namespace nas::eval
