#include "evaluator/evaluation_settings.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nas::eval {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// Settings from text format (proto/evaluator.proto's EvaluationSettings).
EvaluationSettings Settings(const std::string& text) {
  EvaluationSettings settings;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &settings)) << text;
  return settings;
}

// "OK", or the message of ValidateSettings's error (which must be InvalidArgument).
std::string Validate(const std::string& text, const std::string& path = "settings") {
  const absl::Status status = ValidateSettings(Settings(text), path);
  if (status.ok()) return "OK";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  return std::string(status.message());
}

// Validate of corpus-mode settings with a corpus path and `text`.
std::string ValidateCorpus(const std::string& text) {
  return Validate(R"(mode: CORPUS corpus_path: "a.txt" )" + text);
}

const std::vector<std::string> kAllTaskNames = {"in_context_recall", "fuzzy_recall",
                                                "noisy_recall",      "selective_copying",
                                                "compression",       "memorization"};

// The values the proto's comments promise.
TEST(DefaultsTest, ConstantsAreTheDocumentedValues) {
  EXPECT_EQ(kDefaultSteps, 300);
  EXPECT_EQ(kDefaultBatchSize, 32);
  EXPECT_EQ(kDefaultLearningRate, 3e-3);
  EXPECT_EQ(kDefaultWeightDecay, 0.1);
  EXPECT_EQ(kDefaultWarmupSteps, 20);
  EXPECT_EQ(kDefaultGradClip, 1.0);
  EXPECT_EQ(kDefaultEvalExamples, 256);
  EXPECT_EQ(kDefaultLogEvery, 25);
  EXPECT_EQ(kDefaultValidationFraction, 0.1);
  EXPECT_EQ(kDefaultCorpusSeqLen, 128);
}

TEST(WithDefaultsTest, FillsEveryDefaultOfEmptySettings) {
  const EvaluationSettings s = WithDefaults(EvaluationSettings());
  EXPECT_EQ(s.mode(), EvaluationSettings::MAD);
  EXPECT_THAT(s.tasks(), ElementsAreArray(kAllTaskNames));
  EXPECT_FALSE(s.full_protocol());
  EXPECT_EQ(s.seq_len(), 0u);
  EXPECT_EQ(s.corpus_path(), "");
  EXPECT_FALSE(s.has_validation_fraction());
  EXPECT_EQ(s.corpus_seq_len(), 0u);
  const TrainingBudget& b = s.budget();
  EXPECT_EQ(b.steps(), static_cast<uint32_t>(kDefaultSteps));
  EXPECT_EQ(b.batch_size(), static_cast<uint32_t>(kDefaultBatchSize));
  EXPECT_THAT(b.learning_rates(), ElementsAre(kDefaultLearningRate));
  ASSERT_TRUE(b.has_weight_decay());
  EXPECT_EQ(b.weight_decay(), kDefaultWeightDecay);
  EXPECT_EQ(b.warmup_steps(), static_cast<uint32_t>(kDefaultWarmupSteps));
  ASSERT_TRUE(b.has_grad_clip());
  EXPECT_EQ(b.grad_clip(), kDefaultGradClip);
  EXPECT_EQ(b.eval_examples(), static_cast<uint32_t>(kDefaultEvalExamples));
  EXPECT_EQ(b.log_every(), static_cast<uint32_t>(kDefaultLogEvery));
  EXPECT_EQ(b.threads(), 0u);  // resolved by the trainer
}

TEST(WithDefaultsTest, CorpusModeGetsCorpusDefaultsAndNoTasks) {
  const EvaluationSettings s = WithDefaults(Settings(R"(mode: CORPUS corpus_path: "a.txt")"));
  EXPECT_EQ(s.mode(), EvaluationSettings::CORPUS);
  EXPECT_TRUE(s.tasks().empty());
  ASSERT_TRUE(s.has_validation_fraction());
  EXPECT_EQ(s.validation_fraction(), kDefaultValidationFraction);
  EXPECT_EQ(s.corpus_seq_len(), static_cast<uint32_t>(kDefaultCorpusSeqLen));
  EXPECT_EQ(s.budget().steps(), static_cast<uint32_t>(kDefaultSteps));
}

TEST(WithDefaultsTest, KeepsWhatIsGiven) {
  const EvaluationSettings s = WithDefaults(Settings(R"(
      tasks: "memorization" tasks: "compression" full_protocol: true seq_len: 64
      budget { steps: 50 batch_size: 8 learning_rates: 1e-3 learning_rates: 1e-2
               weight_decay: 0 warmup_steps: 5 grad_clip: 0 eval_examples: 100
               log_every: 10 threads: 3 })"));
  EXPECT_EQ(s.mode(), EvaluationSettings::MAD);
  EXPECT_THAT(s.tasks(), ElementsAre("memorization", "compression"));
  EXPECT_TRUE(s.full_protocol());
  EXPECT_EQ(s.seq_len(), 64u);
  const TrainingBudget& b = s.budget();
  EXPECT_EQ(b.steps(), 50u);
  EXPECT_EQ(b.batch_size(), 8u);
  EXPECT_THAT(b.learning_rates(), ElementsAre(1e-3, 1e-2));
  EXPECT_EQ(b.weight_decay(), 0.0);  // explicitly off
  EXPECT_EQ(b.warmup_steps(), 5u);
  EXPECT_EQ(b.grad_clip(), 0.0);  // explicitly off
  EXPECT_EQ(b.eval_examples(), 100u);
  EXPECT_EQ(b.log_every(), 10u);
  EXPECT_EQ(b.threads(), 3u);
}

// A short budget keeps valid: the default warm-up is cut to the steps.
TEST(WithDefaultsTest, DefaultWarmupIsAtMostTheSteps) {
  const EvaluationSettings s = WithDefaults(Settings("budget { steps: 10 }"));
  EXPECT_EQ(s.budget().warmup_steps(), 10u);
  EXPECT_EQ(ValidateSettings(s), absl::OkStatus());
  EXPECT_EQ(WithDefaults(Settings("budget { steps: 21 }")).budget().warmup_steps(), 20u);
}

TEST(WithDefaultsTest, IsIdempotent) {
  for (const char* text : {"", R"(mode: CORPUS corpus_path: "a.txt")",
                           "tasks: \"compression\" budget { steps: 7 }"}) {
    const EvaluationSettings once = WithDefaults(Settings(text));
    EXPECT_TRUE(MessageDifferencer::Equals(WithDefaults(once), once)) << text;
  }
}

TEST(ValidateSettingsTest, ValidSettingsPass) {
  EXPECT_EQ(Validate(""), "OK");
  EXPECT_EQ(Validate(R"(mode: MAD tasks: "compression" tasks: "memorization"
                       full_protocol: true seq_len: 64
                       budget { steps: 1000 batch_size: 64 learning_rates: 1e-4
                                learning_rates: 9.99 weight_decay: 0 warmup_steps: 1000
                                grad_clip: 0 eval_examples: 1280 log_every: 1 threads: 1024 })"),
            "OK");
  EXPECT_EQ(Validate(R"(mode: CORPUS corpus_path: "prose.txt" validation_fraction: 0.5
                       corpus_seq_len: 65536)"),
            "OK");
  EXPECT_EQ(Validate(R"(mode: CORPUS corpus_path: "prose.txt" corpus_seq_len: 2)"), "OK");
  // The defaults of valid settings are valid.
  EXPECT_EQ(ValidateSettings(WithDefaults(EvaluationSettings())), absl::OkStatus());
  EXPECT_EQ(ValidateSettings(WithDefaults(Settings(R"(mode: CORPUS corpus_path: "a")"))),
            absl::OkStatus());
}

TEST(ValidateSettingsTest, ErrorsAreUnderThePath) {
  EXPECT_EQ(Validate("budget { threads: 2000 }", "evaluator.training"),
            "evaluator.training.budget.threads: at most 1024, got 2000");
}

TEST(ValidateSettingsTest, UnknownModeIsNamed) {
  EvaluationSettings s;
  s.set_mode(static_cast<EvaluationSettings::Mode>(7));
  const absl::Status status = ValidateSettings(s);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "settings.mode: 7 is not a mode");
}

TEST(ValidateSettingsTest, UnknownTaskNamesTheIndexAndTheKnownTasks) {
  EXPECT_EQ(Validate(R"(tasks: "compression" tasks: "recal")"),
            "settings.tasks[1]: unknown MAD task \"recal\" (known: in_context_recall, "
            "fuzzy_recall, noisy_recall, selective_copying, compression, memorization)");
}

TEST(ValidateSettingsTest, TaskNamedTwice) {
  EXPECT_EQ(Validate(R"(tasks: "compression" tasks: "memorization" tasks: "compression")"),
            "settings.tasks[2]: \"compression\" is already tasks[0]");
}

TEST(ValidateSettingsTest, TasksInCorpusMode) {
  EXPECT_EQ(ValidateCorpus(R"(tasks: "compression")"),
            "settings.tasks[0]: CORPUS mode takes no MAD tasks");
}

TEST(ValidateSettingsTest, CorpusWithoutPath) {
  EXPECT_EQ(Validate("mode: CORPUS"), "settings.corpus_path: CORPUS needs a text file");
}

TEST(ValidateSettingsTest, MadOnlyFieldsInCorpusMode) {
  EXPECT_EQ(ValidateCorpus("full_protocol: true"),
            "settings.full_protocol: only MAD has a protocol");
  EXPECT_EQ(ValidateCorpus("seq_len: 64"),
            "settings.seq_len: CORPUS mode uses corpus_seq_len");
}

TEST(ValidateSettingsTest, CorpusValidationFractionOutOfRange) {
  for (std::string value : {"0", "1", "-0.5", "nan"}) {
    EXPECT_EQ(ValidateCorpus("validation_fraction: " + value),
              "settings.validation_fraction: must be in (0, 1), got " + value);
  }
}

TEST(ValidateSettingsTest, CorpusSeqLenOutOfRange) {
  for (std::string value : {"1", "65537"}) {
    EXPECT_EQ(ValidateCorpus("corpus_seq_len: " + value),
              "settings.corpus_seq_len: must be in [2, 65536], got " + value);
  }
}

TEST(ValidateSettingsTest, CorpusFieldsInMadMode) {
  EXPECT_EQ(Validate(R"(corpus_path: "a.txt")"),
            "settings.corpus_path: only CORPUS mode reads a corpus");
  EXPECT_EQ(Validate("mode: MAD validation_fraction: 0.2"),
            "settings.validation_fraction: only CORPUS mode has a corpus");
  EXPECT_EQ(Validate("corpus_seq_len: 64"),
            "settings.corpus_seq_len: only CORPUS mode has a corpus");
}

TEST(ValidateSettingsTest, MadSeqLenOutOfRange) {
  for (std::string value : {"1", "65537"}) {
    EXPECT_EQ(Validate("seq_len: " + value),
              "settings.seq_len: must be 0 (the task's own) or in [2, 65536], got " + value);
  }
}

// The override reaches every named task (all six when none are named).
TEST(ValidateSettingsTest, SeqLenTooShortForATask) {
  const std::string copying =
      "settings.seq_len: selective_copying: seq_len 32 is too short to copy 16 tokens "
      "(needs at least 2 * num_tokens_to_copy + 2 = 34)";
  EXPECT_EQ(Validate(R"(tasks: "selective_copying" seq_len: 32)"), copying);
  EXPECT_EQ(Validate("seq_len: 32"), copying);
  EXPECT_EQ(Validate(R"(tasks: "compression" seq_len: 32)"), "OK");
  EXPECT_EQ(Validate(R"(tasks: "in_context_recall" seq_len: 33)"),
            "settings.seq_len: in_context_recall: seq_len 33 must be even and at least 4 "
            "(whole key-value pairs, at least one before the last)");
}

TEST(ValidateSettingsTest, BudgetSizesOutOfRange) {
  EXPECT_EQ(Validate("budget { steps: 10000001 }"),
            "settings.budget.steps: at most 10000000, got 10000001");
  EXPECT_EQ(Validate("budget { batch_size: 65537 }"),
            "settings.budget.batch_size: at most 65536, got 65537");
  EXPECT_EQ(Validate("budget { eval_examples: 1000001 }"),
            "settings.budget.eval_examples: at most 1000000, got 1000001");
  EXPECT_EQ(Validate("budget { threads: 1025 }"),
            "settings.budget.threads: at most 1024, got 1025");
}

TEST(ValidateSettingsTest, LearningRateNotPositiveOrTooLarge) {
  EXPECT_EQ(Validate("budget { learning_rates: 1e-3 learning_rates: -1 }"),
            "settings.budget.learning_rates[1]: must be in (0, 10), got -1");
  for (std::string value : {"0", "10", "inf", "nan"}) {
    EXPECT_EQ(Validate("budget { learning_rates: " + value + " }"),
              "settings.budget.learning_rates[0]: must be in (0, 10), got " + value);
  }
}

TEST(ValidateSettingsTest, TooManyLearningRates) {
  std::string text = "budget {";
  for (int i = 1; i <= 17; ++i) text += " learning_rates: " + std::to_string(i * 1e-4);
  EXPECT_EQ(Validate(text + " }"), "settings.budget.learning_rates: at most 16 rates, got 17");
}

TEST(ValidateSettingsTest, NegativeWeightDecayOrGradClip) {
  EXPECT_EQ(Validate("budget { weight_decay: -0.1 }"),
            "settings.budget.weight_decay: must be >= 0, got -0.1");
  EXPECT_EQ(Validate("budget { weight_decay: nan }"),
            "settings.budget.weight_decay: must be >= 0, got nan");
  EXPECT_EQ(Validate("budget { grad_clip: -1 }"),
            "settings.budget.grad_clip: must be >= 0 (0 = off), got -1");
  EXPECT_EQ(Validate("budget { grad_clip: inf }"),
            "settings.budget.grad_clip: must be >= 0 (0 = off), got inf");
}

// Against the given steps, or the default steps when none are given.
TEST(ValidateSettingsTest, WarmupExceedsSteps) {
  EXPECT_EQ(Validate("budget { steps: 100 warmup_steps: 101 }"),
            "settings.budget.warmup_steps: 101 exceeds steps (100)");
  EXPECT_EQ(Validate("budget { steps: 100 warmup_steps: 100 }"), "OK");
  EXPECT_EQ(Validate("budget { warmup_steps: 301 }"),
            "settings.budget.warmup_steps: 301 exceeds steps (300)");
}

TEST(PlanMadTasksTest, BaselineOfEveryTaskByDefault) {
  absl::StatusOr<std::vector<MadTaskPlan>> plans = PlanMadTasks(WithDefaults({}));
  ASSERT_TRUE(plans.ok()) << plans.status();
  ASSERT_EQ(plans->size(), 6u);
  for (size_t i = 0; i < plans->size(); ++i) {
    const TaskKind kind = kAllTaskKinds[i];
    EXPECT_EQ((*plans)[i].kind, kind) << i;
    EXPECT_EQ((*plans)[i].settings, std::vector<TaskSettings>{BaselineSettings(kind)}) << i;
  }
}

TEST(PlanMadTasksTest, FullProtocolHasEveryProtocolSetting) {
  absl::StatusOr<std::vector<MadTaskPlan>> plans =
      PlanMadTasks(WithDefaults(Settings("full_protocol: true")));
  ASSERT_TRUE(plans.ok()) << plans.status();
  ASSERT_EQ(plans->size(), 6u);
  for (const MadTaskPlan& plan : *plans) {
    SCOPED_TRACE(std::string(TaskName(plan.kind)));
    EXPECT_EQ(plan.settings.size(), ProtocolSettings(plan.kind).size());
    EXPECT_EQ(plan.settings, ProtocolSettings(plan.kind));
  }
}

TEST(PlanMadTasksTest, InTheOrderNamed) {
  absl::StatusOr<std::vector<MadTaskPlan>> plans =
      PlanMadTasks(Settings(R"(tasks: "memorization" tasks: "in_context_recall")"));
  ASSERT_TRUE(plans.ok()) << plans.status();
  ASSERT_EQ(plans->size(), 2u);
  EXPECT_EQ((*plans)[0].kind, TaskKind::kMemorization);
  EXPECT_EQ((*plans)[1].kind, TaskKind::kInContextRecall);
}

// Only the baseline takes the override; the harder variants keep their own lengths.
TEST(PlanMadTasksTest, SeqLenOverridesTheBaseline) {
  absl::StatusOr<std::vector<MadTaskPlan>> plans =
      PlanMadTasks(Settings(R"(tasks: "compression" full_protocol: true seq_len: 48)"));
  ASSERT_TRUE(plans.ok()) << plans.status();
  ASSERT_EQ(plans->size(), 1u);
  std::vector<TaskSettings> expected = ProtocolSettings(TaskKind::kCompression);
  expected.front().seq_len = 48;
  EXPECT_EQ((*plans)[0].settings, expected);

  plans = PlanMadTasks(Settings(R"(tasks: "compression" seq_len: 48)"));
  ASSERT_TRUE(plans.ok()) << plans.status();
  TaskSettings baseline = BaselineSettings(TaskKind::kCompression);
  baseline.seq_len = 48;
  EXPECT_EQ((*plans)[0].settings, std::vector<TaskSettings>{baseline});
}

TEST(PlanMadTasksTest, FailsOnAnUnknownTaskOrAnInvalidOverride) {
  absl::StatusOr<std::vector<MadTaskPlan>> plans = PlanMadTasks(Settings(R"(tasks: "recal")"));
  ASSERT_FALSE(plans.ok());
  EXPECT_EQ(plans.status().code(), absl::StatusCode::kInvalidArgument);
  plans = PlanMadTasks(Settings(R"(tasks: "selective_copying" seq_len: 32)"));
  ASSERT_FALSE(plans.ok());
  EXPECT_EQ(plans.status().message(),
            "selective_copying: seq_len 32 is too short to copy 16 tokens (needs at least "
            "2 * num_tokens_to_copy + 2 = 34)");
}

TEST(SettingsFingerprintTest, WritesEveryScoringFieldWithDefaults) {
  EXPECT_EQ(SettingsFingerprint({}, 7),
            "MAD seed=7 tasks=in_context_recall,fuzzy_recall,noisy_recall,selective_copying,"
            "compression,memorization protocol=baseline steps=300 batch=32 lr=0.003 wd=0.1 "
            "warmup=20 clip=1 eval=256");
  EXPECT_EQ(SettingsFingerprint(Settings(R"(tasks: "compression" full_protocol: true
                                            seq_len: 64 budget { learning_rates: 1e-4
                                            learning_rates: 0.0012345671 })"),
                                0),
            "MAD seed=0 tasks=compression protocol=full seq=64 steps=300 batch=32 "
            "lr=1e-04,0.0012345671 wd=0.1 warmup=20 clip=1 eval=256");
  EXPECT_EQ(SettingsFingerprint(Settings(R"(mode: CORPUS corpus_path: "data/prose.txt")"), 1),
            "CORPUS seed=1 corpus=data/prose.txt val=0.1 seq=128 steps=300 batch=32 lr=0.003 "
            "wd=0.1 warmup=20 clip=1 eval=256");
}

TEST(SettingsFingerprintTest, EqualWhenOnlyExplicitDefaultsDiffer) {
  const std::string implicit = SettingsFingerprint({}, 3);
  EXPECT_EQ(SettingsFingerprint(WithDefaults({}), 3), implicit);
  EXPECT_EQ(SettingsFingerprint(Settings(R"(
                mode: MAD tasks: "in_context_recall" tasks: "fuzzy_recall"
                tasks: "noisy_recall" tasks: "selective_copying" tasks: "compression"
                tasks: "memorization" full_protocol: false seq_len: 0
                budget { steps: 300 batch_size: 32 learning_rates: 0.003 weight_decay: 0.1
                         warmup_steps: 20 grad_clip: 1 eval_examples: 256 log_every: 25 })"),
                                3),
            implicit);
  EXPECT_EQ(SettingsFingerprint(Settings(R"(mode: CORPUS corpus_path: "a")"), 3),
            SettingsFingerprint(Settings(R"(mode: CORPUS corpus_path: "a"
                                            validation_fraction: 0.1 corpus_seq_len: 128)"),
                                3));
  // How often the curve is sampled and how many threads train do not change the scores.
  EXPECT_EQ(SettingsFingerprint(Settings("budget { log_every: 5 threads: 2 }"), 3), implicit);
}

TEST(SettingsFingerprintTest, DiffersWhenAScoringFieldOrTheSeedDiffers) {
  const std::string base = SettingsFingerprint({}, 3);
  EXPECT_NE(SettingsFingerprint({}, 4), base);
  for (const char* text : {"budget { steps: 301 }", "budget { batch_size: 16 }",
                           "budget { learning_rates: 0.0030000001 }",
                           "budget { weight_decay: 0 }", "budget { warmup_steps: 21 }",
                           "budget { grad_clip: 0 }", "budget { eval_examples: 255 }",
                           "full_protocol: true", "seq_len: 64", R"(tasks: "compression")",
                           R"(mode: CORPUS corpus_path: "a")"}) {
    EXPECT_NE(SettingsFingerprint(Settings(text), 3), base) << text;
  }
  EXPECT_NE(SettingsFingerprint(Settings(R"(mode: CORPUS corpus_path: "a")"), 3),
            SettingsFingerprint(Settings(R"(mode: CORPUS corpus_path: "b")"), 3));
  EXPECT_NE(SettingsFingerprint(Settings(R"(mode: CORPUS corpus_path: "a"
                                            validation_fraction: 0.2)"), 3),
            SettingsFingerprint(Settings(R"(mode: CORPUS corpus_path: "a")"), 3));
}

}  // namespace
}  // namespace nas::eval
