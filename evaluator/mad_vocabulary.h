// How each MAD task splits its vocabulary [0, vocab_size) into token roles. Special tokens
// take the top ids, as in MAD-lab; C below is the number of non-special, non-noise ids.
//   in_context_recall  keys [0, C/2), values [C/2, C); C = vocab_size (no special token)
//   noisy_recall       keys, values as above with C = vocab_size - noise_vocab_size;
//                      noise [C, vocab_size)
//   fuzzy_recall       keys, values as above with C = vocab_size - 1; pad = vocab_size - 1
//                      (fills the front of a sequence whose pairs do not fill it exactly)
//   selective_copying  content [0, vocab_size - 2); blank = vocab_size - 2,
//                      copy = vocab_size - 1
//   compression        content [0, vocab_size - 1); compress = vocab_size - 1
//   memorization       keys [0, C/2), values [C/2, C); C = vocab_size - 1;
//                      insert = vocab_size - 1 (the position that answers the key before it)
// Roles a task does not have are empty ranges and -1 tokens. Pure function; thread-safe.
#pragma once

#include <cstdint>

#include "evaluator/mad_task_settings.h"

namespace nas::eval {

struct TokenRange {
  int32_t begin = 0;
  int32_t end = 0;  // exclusive
  int32_t size() const { return end - begin; }
  bool Contains(int32_t token) const { return token >= begin && token < end; }
};

struct TaskVocabulary {
  TokenRange keys;
  TokenRange values;
  TokenRange noise;
  TokenRange content;    // tokens to copy or to compress
  int32_t pad = -1;      // fuzzy_recall
  int32_t blank = -1;    // selective_copying
  int32_t copy = -1;     // selective_copying
  int32_t compress = -1; // compression
  int32_t insert = -1;   // memorization
};

// The layout above for settings.kind, settings.vocab_size and settings.noise_vocab_size
// (sizes are not checked here: ValidateTaskSettings does that).
TaskVocabulary VocabularyOf(const TaskSettings& settings);

}  // namespace nas::eval
