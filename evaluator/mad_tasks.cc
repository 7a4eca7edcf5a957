#include "evaluator/mad_tasks.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "evaluator/counter_rng.h"
#include "evaluator/mad_generators.h"

namespace nas::eval {
namespace {

// CounterRng streams: one per split, one for the memorization map. Changing these
// changes every generated example.
constexpr uint64_t kTrainStream = 1;
constexpr uint64_t kTestStream = 2;
constexpr uint64_t kMemorizationMapStream = 3;

}  // namespace

TaskGenerator::TaskGenerator(const TaskSettings& settings, uint64_t seed)
    : settings_(settings), vocab_(VocabularyOf(settings)), seed_(seed) {
  if (settings.kind == TaskKind::kMemorization) {
    CounterRng rng(seed, kMemorizationMapStream, 0);
    memorization_map_ = internal::MakeMemorizationMap(vocab_, rng);
  }
}

absl::StatusOr<TaskGenerator> TaskGenerator::Create(const TaskSettings& settings,
                                                    uint64_t seed) {
  NAS_RETURN_IF_ERROR(ValidateTaskSettings(settings));
  return TaskGenerator(settings, seed);
}

absl::StatusOr<Batch> TaskGenerator::MakeBatch(Split split, int64_t first, int count) const {
  const bool train = split == Split::kTrain;
  const int64_t split_size = train ? settings_.num_train_examples : settings_.num_test_examples;
  if (count < 1 || first < 0 || first > split_size - count) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(TaskName(settings_.kind)), ": examples [", first, ", ", first + count,
        ") of the ", train ? "train" : "test", " split are not within its ", split_size,
        " examples (count must be at least 1)"));
  }
  Batch batch;
  batch.batch_size = count;
  batch.seq_len = settings_.seq_len;
  const size_t total = static_cast<size_t>(count) * settings_.seq_len;
  batch.inputs.assign(total, 0);
  batch.targets.assign(total, kNoTarget);
  batch.probed.assign(total, 0);
  for (int b = 0; b < count; ++b) {
    const size_t offset = static_cast<size_t>(b) * settings_.seq_len;
    internal::ExampleRows rows{
        std::span<int32_t>(batch.inputs).subspan(offset, settings_.seq_len),
        std::span<int32_t>(batch.targets).subspan(offset, settings_.seq_len),
        std::span<uint8_t>(batch.probed).subspan(offset, settings_.seq_len)};
    CounterRng rng(seed_, train ? kTrainStream : kTestStream, static_cast<uint64_t>(first + b));
    switch (settings_.kind) {
      case TaskKind::kInContextRecall:
      case TaskKind::kFuzzyRecall:
      case TaskKind::kNoisyRecall:
        internal::GenerateRecall(settings_, vocab_, rng, rows);
        break;
      case TaskKind::kSelectiveCopying:
        internal::GenerateSelectiveCopying(settings_, vocab_, rng, rows);
        break;
      case TaskKind::kCompression:
        internal::GenerateCompression(settings_, vocab_, rng, rows);
        break;
      case TaskKind::kMemorization:
        internal::GenerateMemorization(settings_, vocab_, memorization_map_, rng, rows);
        break;
    }
  }
  return batch;
}

}  // namespace nas::eval
