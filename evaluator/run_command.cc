#include "evaluator/run_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_format.h"
#include "evaluator/best_trained_model.h"
#include "evaluator/evaluate.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/model/spec_source.h"

namespace nas::eval {
namespace {

struct RunArgs {
  std::string spec;
  std::vector<std::string> tasks;
  std::string corpus;
  bool full_protocol = false;
  uint32_t seq_len = 0;
  uint32_t steps = 0, batch = 0, warmup = 0, eval_examples = 0, log_every = 0, threads = 0;
  std::vector<double> learning_rates;
  double weight_decay = -1, grad_clip = -1;
  uint64_t seed = 1;
  std::string json;
  std::string export_gguf;
  std::string export_type = "f32";
};

// Short names for the tasks on the command line.
std::string TaskAlias(const std::string& name) {
  static const std::map<std::string, std::string> aliases = {
      {"recall", "in_context_recall"}, {"fuzzy", "fuzzy_recall"},
      {"noisy", "noisy_recall"},       {"copying", "selective_copying"},
      {"copy", "selective_copying"},   {"compress", "compression"},
      {"memorize", "memorization"}};
  auto it = aliases.find(name);
  return it == aliases.end() ? name : it->second;
}

EvaluateRequest MakeRequest(const RunArgs& a, const ArchSpec& spec) {
  EvaluateRequest request;
  *request.mutable_spec() = spec;
  request.set_seed(a.seed);
  EvaluationSettings& s = *request.mutable_settings();
  if (!a.corpus.empty()) {
    s.set_mode(EvaluationSettings::CORPUS);
    s.set_corpus_path(a.corpus);
    if (a.seq_len > 0) s.set_corpus_seq_len(a.seq_len);
  } else {
    s.set_mode(EvaluationSettings::MAD);
    for (const std::string& t : a.tasks) {
      if (t != "all") s.add_tasks(TaskAlias(t));
    }
    s.set_full_protocol(a.full_protocol);
    s.set_seq_len(a.seq_len);
  }
  TrainingBudget& b = *s.mutable_budget();
  b.set_steps(a.steps);
  b.set_batch_size(a.batch);
  for (double lr : a.learning_rates) b.add_learning_rates(lr);
  if (a.weight_decay >= 0) b.set_weight_decay(a.weight_decay);
  if (a.grad_clip >= 0) b.set_grad_clip(a.grad_clip);
  b.set_warmup_steps(a.warmup);
  b.set_eval_examples(a.eval_examples);
  b.set_log_every(a.log_every);
  b.set_threads(a.threads);
  return request;
}

void PrintProgress(const TrainingProgress& p) {
  if (p.run_finished) {
    std::fprintf(stderr, "[run %d/%d] %s lr %g: done, final loss %.4f%s\n", p.run + 1, p.runs,
                 p.task.c_str(), p.learning_rate, p.loss,
                 p.task == "corpus" ? "" : absl::StrFormat(", accuracy %.4f", p.accuracy).c_str());
    return;
  }
  std::fprintf(stderr, "[run %d/%d] %s lr %g: step %d/%d loss %.4f\n", p.run + 1, p.runs,
               p.task.c_str(), p.learning_rate, p.step, p.steps, p.loss);
}

void PrintResult(const EvaluationResult& r) {
  std::printf("evaluator: %s\nseed %llu, %llu parameters, %.1f s\n", r.evaluator().c_str(),
              static_cast<unsigned long long>(r.seed()),
              static_cast<unsigned long long>(r.parameters()), r.seconds());
  for (const TrainingRun& run : r.runs()) {
    std::printf("  %-18s lr %-8g %s accuracy %.4f  val loss %.4f  %6.1f s  %7.0f tok/s%s\n",
                run.task().c_str(), run.learning_rate(), run.setting().c_str(), run.accuracy(),
                run.validation_loss(), run.seconds(), run.tokens_per_second(),
                run.diverged() ? "  DIVERGED" : "");
  }
  for (const TaskScore& t : r.tasks()) std::printf("%-18s %.4f\n", t.task().c_str(), t.accuracy());
  if (r.settings().mode() == EvaluationSettings::CORPUS) {
    std::printf("validation loss %.4f nats/byte, perplexity %.3f\n", r.validation_loss(),
                r.perplexity());
  }
  std::printf("outcome %s, quality %.4f%s%s\n", EvaluationResult::Outcome_Name(r.outcome()).c_str(),
              r.quality(), r.failure().empty() ? "" : ": ", r.failure().c_str());
}

// Writes the best run's trained weights as an LFM2 GGUF; an exit status.
int ExportBest(const BestTrainedModel& best, const std::string& path, liv::GgmlType type) {
  if (!best.status().ok()) {
    std::cerr << "evaluator run: --export-gguf: " << best.status().message() << "\n";
    return 1;
  }
  if (best.model() == nullptr) {
    std::cerr << "evaluator run: --export-gguf: every run diverged; nothing to export\n";
    return 3;
  }
  liv::Lfm2GgufExportOptions options;
  options.matrix_type = type;
  const liv::Model& model = *best.model();
  if (absl::Status s = liv::ExportLfm2Gguf(model.spec(), model.weights(), path, options); !s.ok()) {
    std::cerr << "evaluator run: --export-gguf: " << s.message() << "\n";
    return 1;
  }
  std::fprintf(stderr, "exported the trained weights of %s %s lr %g (vocabulary %d) to %s\n",
               best.run().task().c_str(), best.run().setting().c_str(),
               best.run().learning_rate(), model.spec().vocab_size(), path.c_str());
  return 0;
}

int Run(const RunArgs& a) {
  auto spec = liv::LoadArchSpec(a.spec);
  if (!spec.ok()) {
    std::cerr << "evaluator run: --spec: " << spec.status().message() << "\n";
    return 2;
  }
  std::optional<liv::GgmlType> export_type;
  if (!a.export_gguf.empty()) {
    // Checked before any training: the type, and that LFM2's layout can hold the spec.
    auto type = liv::ParseLfm2MatrixType(a.export_type);
    if (!type.ok()) {
      std::cerr << "evaluator run: --export-type: " << type.status().message() << "\n";
      return 2;
    }
    export_type = *type;
    if (absl::Status s = liv::CheckLfm2Expressible(*spec); !s.ok()) {
      std::cerr << "evaluator run: --export-gguf: " << s.message() << "\n";
      return 2;
    }
  }
  BestTrainedModel best;
  EvaluateOptions options;
  options.progress = PrintProgress;
  if (export_type) {
    options.trained = [&best](const TrainingRun& run, TorchModel& model) { best.Offer(run, model); };
  }
  auto result = Evaluate(MakeRequest(a, *spec), options);
  if (!result.ok()) {
    std::cerr << "evaluator run: " << result.status().message() << "\n";
    return result.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  PrintResult(*result);
  if (export_type) {
    if (int code = ExportBest(best, a.export_gguf, *export_type); code != 0) return code;
  }
  if (!a.json.empty()) {
    std::string text;
    google::protobuf::util::JsonPrintOptions json_options;
    json_options.add_whitespace = true;
    (void)google::protobuf::util::MessageToJsonString(*result, &text, json_options);
    if (a.json == "-") {
      std::cout << text;
    } else {
      std::ofstream out(a.json);
      out << text;
      if (!out) {
        std::cerr << "evaluator run: cannot write " << a.json << "\n";
        return 1;
      }
    }
  }
  return result->outcome() == EvaluationResult::OK ? 0 : 3;
}

}  // namespace

void AddRunCommand(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand(
      "run",
      "Train one architecture on MAD tasks (default: in-context recall) or a text corpus and "
      "print its scores. Exit status: 0 scored, 2 bad input, 3 training diverged.");
  run->add_option("-s,--spec", args->spec, "Preset name (e.g. lfm2-350m) or ArchSpec file (.textproto/.json)")
      ->required();
  run->add_option("-t,--task", args->tasks,
                  "MAD task(s): in_context_recall (recall), fuzzy_recall (fuzzy), noisy_recall "
                  "(noisy), selective_copying (copying), compression, memorization, or all")
      ->default_val(std::vector<std::string>{"recall"});
  run->add_option("--corpus", args->corpus, "Train on this text file (bytes) instead of MAD tasks");
  run->add_flag("--full-protocol", args->full_protocol,
                "Also train on every harder variant of each task (MAD's protocol; ~10x longer)");
  run->add_option("--seq-len", args->seq_len,
                  "Sequence length: of the baseline task (0 = the task's own), or of corpus windows");
  run->add_option("--steps", args->steps, "Optimizer steps per run (default 300)");
  run->add_option("--batch", args->batch, "Sequences per step (default 32)");
  run->add_option("--lr", args->learning_rates,
                  "Learning rate(s); several = a sweep, the best run counts (default 3e-3)");
  run->add_option("--weight-decay", args->weight_decay, "AdamW weight decay (default 0.1)");
  run->add_option("--grad-clip", args->grad_clip, "Gradient-norm clipping, 0 = off (default 1.0)");
  run->add_option("--warmup", args->warmup, "Linear warm-up steps (default 20)");
  run->add_option("--eval-examples", args->eval_examples, "Test examples scored (default 256)");
  run->add_option("--log-every", args->log_every, "A curve point every N steps (default 25)");
  run->add_option("--threads", args->threads, "Torch threads (default: all cores)");
  run->add_option("--seed", args->seed, "Seed of weights and data")->capture_default_str();
  run->add_option("--json", args->json, "Write the EvaluationResult as JSON to FILE (- = stdout)");
  run->add_option("--export-gguf", args->export_gguf,
                  "Write the best run's trained weights (highest accuracy; corpus: lowest "
                  "validation loss) as an LFM2 GGUF file; the spec must be LFM2-expressible "
                  "(convolution + GQA + SwiGLU layers). MAD runs train with the task's "
                  "vocabulary, corpus runs with 256 bytes; no tokenizer is written");
  run->add_option("--export-type", args->export_type,
                  "Matrix type of --export-gguf: f32, f16, q8_0, q4_0")
      ->capture_default_str();
  run->callback([args] { throw CLI::RuntimeError(Run(*args)); });
}

}  // namespace nas::eval
