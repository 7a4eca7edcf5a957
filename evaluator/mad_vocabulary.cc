#include "evaluator/mad_vocabulary.h"

namespace nas::eval {
namespace {

// Keys take the lower half of the first `count` ids, values the rest.
void SplitKeysAndValues(int32_t count, TaskVocabulary* vocab) {
  vocab->keys = {0, count / 2};
  vocab->values = {count / 2, count};
}

}  // namespace

TaskVocabulary VocabularyOf(const TaskSettings& settings) {
  const int32_t v = settings.vocab_size;
  TaskVocabulary vocab;
  switch (settings.kind) {
    case TaskKind::kInContextRecall:
      SplitKeysAndValues(v, &vocab);
      break;
    case TaskKind::kNoisyRecall: {
      const int32_t c = v - settings.noise_vocab_size;
      SplitKeysAndValues(c, &vocab);
      vocab.noise = {c, v};
      break;
    }
    case TaskKind::kFuzzyRecall:
      SplitKeysAndValues(v - 1, &vocab);
      vocab.pad = v - 1;
      break;
    case TaskKind::kSelectiveCopying:
      vocab.content = {0, v - 2};
      vocab.blank = v - 2;
      vocab.copy = v - 1;
      break;
    case TaskKind::kCompression:
      vocab.content = {0, v - 1};
      vocab.compress = v - 1;
      break;
    case TaskKind::kMemorization:
      SplitKeysAndValues(v - 1, &vocab);
      vocab.insert = v - 1;
      break;
  }
  return vocab;
}

}  // namespace nas::eval
