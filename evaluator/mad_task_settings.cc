#include "evaluator/mad_task_settings.h"

#include <cstdint>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace nas::eval {
namespace {

// Generous bounds that keep every count and token id far inside int32.
constexpr int kMaxVocabSize = 1 << 24;
constexpr int kMaxSeqLen = 1 << 20;
constexpr int kMaxExamples = 1 << 30;
constexpr int kBaselineTrainExamples = 12800;
constexpr int kTestExamples = 1280;

absl::Status Invalid(const TaskSettings& s, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(TaskName(s.kind)), ": ", what));
}

// Fields only some tasks use must keep their defaults elsewhere.
absl::Status CheckUnusedFields(const TaskSettings& s) {
  const TaskSettings defaults;
  if (s.kind != TaskKind::kFuzzyRecall) {
    if (s.max_key_len != defaults.max_key_len) {
      return Invalid(s, absl::StrCat("max_key_len ", s.max_key_len,
                                     " is only for fuzzy_recall (leave it at 1)"));
    }
    if (s.max_value_len != defaults.max_value_len) {
      return Invalid(s, absl::StrCat("max_value_len ", s.max_value_len,
                                     " is only for fuzzy_recall (leave it at 1)"));
    }
  }
  if (s.kind != TaskKind::kNoisyRecall) {
    if (s.noise_vocab_size != 0) {
      return Invalid(s, absl::StrCat("noise_vocab_size ", s.noise_vocab_size,
                                     " is only for noisy_recall (leave it at 0)"));
    }
    if (s.noise_fraction != 0) {
      return Invalid(s, absl::StrCat("noise_fraction ", s.noise_fraction,
                                     " is only for noisy_recall (leave it at 0)"));
    }
  }
  if (s.kind != TaskKind::kSelectiveCopying && s.num_tokens_to_copy != 0) {
    return Invalid(s, absl::StrCat("num_tokens_to_copy ", s.num_tokens_to_copy,
                                   " is only for selective_copying (leave it at 0)"));
  }
  return absl::OkStatus();
}

absl::Status CheckSizes(const TaskSettings& s) {
  if (s.vocab_size < 2 || s.vocab_size > kMaxVocabSize) {
    return Invalid(s, absl::StrCat("vocab_size ", s.vocab_size, " is out of [2, ",
                                   kMaxVocabSize, "]"));
  }
  if (s.seq_len < 2 || s.seq_len > kMaxSeqLen) {
    return Invalid(s, absl::StrCat("seq_len ", s.seq_len, " is out of [2, ", kMaxSeqLen, "]"));
  }
  if (s.num_train_examples < 1 || s.num_train_examples > kMaxExamples) {
    return Invalid(s, absl::StrCat("num_train_examples ", s.num_train_examples,
                                   " is out of [1, ", kMaxExamples, "]"));
  }
  if (s.num_test_examples < 1 || s.num_test_examples > kMaxExamples) {
    return Invalid(s, absl::StrCat("num_test_examples ", s.num_test_examples,
                                   " is out of [1, ", kMaxExamples, "]"));
  }
  return absl::OkStatus();
}

absl::Status CheckEvenSeqLen(const TaskSettings& s, int min_len, const std::string& why) {
  if (s.seq_len % 2 != 0 || s.seq_len < min_len) {
    return Invalid(s, absl::StrCat("seq_len ", s.seq_len, " must be even and at least ",
                                   min_len, " (", why, ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckNoise(const TaskSettings& s) {
  if (s.noise_vocab_size < 1 || s.noise_vocab_size > s.vocab_size - 2) {
    return Invalid(s, absl::StrCat("noise_vocab_size ", s.noise_vocab_size,
                                   " must be in [1, vocab_size - 2] (vocab_size ",
                                   s.vocab_size, ")"));
  }
  if (!(s.noise_fraction >= 0 && s.noise_fraction < 1)) {
    return Invalid(s, absl::StrCat("noise_fraction ", s.noise_fraction, " is out of [0, 1)"));
  }
  return absl::OkStatus();
}

absl::Status CheckFuzzy(const TaskSettings& s) {
  if (s.max_key_len < 1 || s.max_value_len < 1) {
    return Invalid(s, absl::StrCat("max_key_len ", s.max_key_len, " and max_value_len ",
                                   s.max_value_len, " must be at least 1"));
  }
  // The tokens of one key (and of one value) are distinct (mad_vocabulary.h's layout).
  const int keys = (s.vocab_size - 1) / 2;
  const int values = s.vocab_size - 1 - keys;
  if (keys < s.max_key_len || values < s.max_value_len) {
    return Invalid(s, absl::StrCat("vocab_size ", s.vocab_size, " (one pad token) leaves ",
                                   keys, " key and ", values, " value tokens; needs at least ",
                                   s.max_key_len, " and ", s.max_value_len));
  }
  const int min_len = 2 * (s.max_key_len + s.max_value_len);
  if (s.seq_len < min_len) {
    return Invalid(s, absl::StrCat("seq_len ", s.seq_len, " is too short for two pairs of ",
                                   "the longest keys and values (needs at least ", min_len,
                                   ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckSelectiveCopying(const TaskSettings& s) {
  if (s.num_tokens_to_copy < 1) {
    return Invalid(s, absl::StrCat("num_tokens_to_copy ", s.num_tokens_to_copy,
                                   " must be at least 1"));
  }
  if (s.vocab_size < 3) {
    return Invalid(s, absl::StrCat("vocab_size ", s.vocab_size,
                                   " must be at least 3 (blank, copy and one content token)"));
  }
  const int64_t min_len = 2 * static_cast<int64_t>(s.num_tokens_to_copy) + 2;
  if (s.seq_len < min_len) {
    return Invalid(s, absl::StrCat("seq_len ", s.seq_len, " is too short to copy ",
                                   s.num_tokens_to_copy, " tokens (needs at least ",
                                   "2 * num_tokens_to_copy + 2 = ", min_len, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view TaskName(TaskKind kind) {
  switch (kind) {
    case TaskKind::kInContextRecall: return "in_context_recall";
    case TaskKind::kFuzzyRecall: return "fuzzy_recall";
    case TaskKind::kNoisyRecall: return "noisy_recall";
    case TaskKind::kSelectiveCopying: return "selective_copying";
    case TaskKind::kCompression: return "compression";
    case TaskKind::kMemorization: return "memorization";
  }
  return "unknown";
}

absl::StatusOr<TaskKind> ParseTaskKind(std::string_view name) {
  std::string known;
  for (TaskKind kind : kAllTaskKinds) {
    if (TaskName(kind) == name) return kind;
    absl::StrAppend(&known, known.empty() ? "" : ", ", std::string(TaskName(kind)));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown MAD task \"", std::string(name),
                                                 "\" (known: ", known, ")"));
}

TaskSettings BaselineSettings(TaskKind kind) {
  TaskSettings s;
  s.kind = kind;
  s.num_train_examples = kBaselineTrainExamples;
  s.num_test_examples = kTestExamples;
  switch (kind) {
    case TaskKind::kInContextRecall:
      s.vocab_size = 16, s.seq_len = 128;
      break;
    case TaskKind::kFuzzyRecall:
      s.vocab_size = 16, s.seq_len = 128, s.max_key_len = 3, s.max_value_len = 3;
      break;
    case TaskKind::kNoisyRecall:
      s.vocab_size = 32, s.seq_len = 128, s.noise_vocab_size = 16, s.noise_fraction = 0.2;
      break;
    case TaskKind::kSelectiveCopying:
      s.vocab_size = 16, s.seq_len = 256, s.num_tokens_to_copy = 16;
      break;
    case TaskKind::kCompression:
      s.vocab_size = 16, s.seq_len = 32;
      break;
    case TaskKind::kMemorization:
      s.vocab_size = 256, s.seq_len = 32, s.num_train_examples = 256;
      break;
  }
  return s;
}

std::vector<TaskSettings> ProtocolSettings(TaskKind kind) {
  const TaskSettings base = BaselineSettings(kind);
  std::vector<TaskSettings> out = {base};
  const auto vary = [&](auto TaskSettings::*field, auto values) {
    for (auto value : values) {
      TaskSettings s = base;
      s.*field = value;
      out.push_back(s);
    }
  };
  const std::initializer_list<int> fewer_examples = {6400, 3200, 1600, 800};
  switch (kind) {
    case TaskKind::kInContextRecall:
    case TaskKind::kFuzzyRecall:
      vary(&TaskSettings::vocab_size, std::initializer_list<int>{32, 64, 128});
      vary(&TaskSettings::seq_len, std::initializer_list<int>{256, 512, 1024});
      vary(&TaskSettings::num_train_examples, fewer_examples);
      break;
    case TaskKind::kNoisyRecall:
      // 16 more than the clean vocabularies of the other recall tasks: the noise tokens.
      vary(&TaskSettings::vocab_size, std::initializer_list<int>{48, 80, 144});
      vary(&TaskSettings::seq_len, std::initializer_list<int>{256, 512, 1024});
      vary(&TaskSettings::num_train_examples, fewer_examples);
      vary(&TaskSettings::noise_fraction, std::initializer_list<double>{0.4, 0.6, 0.8});
      break;
    case TaskKind::kSelectiveCopying:
      vary(&TaskSettings::vocab_size, std::initializer_list<int>{32, 64, 128});
      vary(&TaskSettings::seq_len, std::initializer_list<int>{512, 1024});
      vary(&TaskSettings::num_train_examples, fewer_examples);
      vary(&TaskSettings::num_tokens_to_copy, std::initializer_list<int>{32, 64, 96});
      break;
    case TaskKind::kCompression:
      vary(&TaskSettings::vocab_size, std::initializer_list<int>{32, 64, 128});
      vary(&TaskSettings::seq_len, std::initializer_list<int>{64, 128, 256});
      vary(&TaskSettings::num_train_examples, fewer_examples);
      break;
    case TaskKind::kMemorization:
      vary(&TaskSettings::vocab_size, std::initializer_list<int>{512, 1024, 2048, 4096, 8192});
      break;
  }
  return out;
}

absl::Status ValidateTaskSettings(const TaskSettings& s) {
  NAS_RETURN_IF_ERROR(CheckSizes(s));
  NAS_RETURN_IF_ERROR(CheckUnusedFields(s));
  constexpr char kPairs[] = "whole key-value pairs, at least one before the last";
  switch (s.kind) {
    case TaskKind::kInContextRecall:
      return CheckEvenSeqLen(s, 4, kPairs);
    case TaskKind::kNoisyRecall:
      NAS_RETURN_IF_ERROR(CheckNoise(s));
      return CheckEvenSeqLen(s, 4, kPairs);
    case TaskKind::kFuzzyRecall:
      return CheckFuzzy(s);
    case TaskKind::kSelectiveCopying:
      return CheckSelectiveCopying(s);
    case TaskKind::kCompression:
      return absl::OkStatus();  // vocab_size >= 2 and seq_len >= 2 are enough
    case TaskKind::kMemorization:
      if (s.vocab_size < 3) {
        return Invalid(s, absl::StrCat("vocab_size ", s.vocab_size,
                                       " must be at least 3 (insert, one key, one value)"));
      }
      return CheckEvenSeqLen(s, 2, "whole key-insert pairs");
  }
  return Invalid(s, "unknown task kind");
}

std::string DescribeTaskSettings(const TaskSettings& s) {
  std::string out = absl::StrCat(std::string(TaskName(s.kind)), " vocab_size=", s.vocab_size,
                                 " seq_len=", s.seq_len, " train=", s.num_train_examples,
                                 " test=", s.num_test_examples);
  switch (s.kind) {
    case TaskKind::kFuzzyRecall:
      absl::StrAppend(&out, " max_key_len=", s.max_key_len, " max_value_len=", s.max_value_len);
      break;
    case TaskKind::kNoisyRecall:
      absl::StrAppend(&out, " noise_vocab_size=", s.noise_vocab_size,
                      " noise_fraction=", s.noise_fraction);
      break;
    case TaskKind::kSelectiveCopying:
      absl::StrAppend(&out, " num_tokens_to_copy=", s.num_tokens_to_copy);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace nas::eval
