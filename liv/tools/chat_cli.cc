#include "liv/tools/chat_cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/sampler.h"
#include "liv/tools/chat_model.h"
#include "liv/tools/chat_runner.h"
#include "liv/tools/memory_sampler.h"
#include "nlohmann/json.hpp"

namespace nas::liv {
namespace {

double PerSecond(uint64_t tokens, double seconds) {
  return seconds > 0 ? static_cast<double>(tokens) / seconds : 0.0;
}

std::string Fixed(double value, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << value;
  return s.str();
}

// Checks each sampling flag on its own, so that the error names the flag.
absl::Status CheckSamplingFlags(const ChatCliOptions& o) {
  struct Flag {
    const char* name;
    SamplingOptions options;
  };
  SamplingOptions temp, min_p, penalty;
  temp.temperature = o.temperature;
  min_p.min_p = o.min_p;
  penalty.repetition_penalty = o.repeat_penalty;
  for (const Flag& flag :
       {Flag{"--temp", temp}, Flag{"--min-p", min_p}, Flag{"--repeat-penalty", penalty}}) {
    absl::Status status = ValidateSamplingOptions(flag.options);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(flag.name, ": ", status.message()));
    }
  }
  if (o.max_tokens == 0) return absl::InvalidArgumentError("--max-tokens: must be at least 1");
  if (o.ctx < 2) return absl::InvalidArgumentError("--ctx: must be at least 2");
  return absl::OkStatus();
}

struct Totals {
  uint64_t prefill_tokens = 0, decode_tokens = 0, generated = 0;
  double prefill_seconds = 0, decode_seconds = 0;
  void Add(const TurnResult& r) {
    prefill_tokens += r.prefill_tokens;
    prefill_seconds += r.prefill_seconds;
    decode_tokens += r.decode_tokens;
    decode_seconds += r.decode_seconds;
    generated += r.tokens.size();
  }
};

std::string PrefillLine(uint64_t tokens, double seconds) {
  return absl::StrCat("prefill: ", tokens, " tokens in ", Fixed(seconds, 3), " s, ",
                      Fixed(PerSecond(tokens, seconds), 1), " tokens/s");
}

std::string DecodeLine(uint64_t tokens, double seconds) {
  return absl::StrCat("decode: ", tokens, " tokens in ", Fixed(seconds, 3), " s, ",
                      Fixed(PerSecond(tokens, seconds), 1), " tokens/s");
}

nlohmann::json TurnJson(const TurnResult& r, const ChatModel& model, int turn) {
  return {{"turn", turn},
          {"text", r.text},
          {"tokens", r.tokens},
          {"stop", std::string(StopReasonName(r.stop))},
          {"prefill_tokens", r.prefill_tokens},
          {"prefill_seconds", r.prefill_seconds},
          {"prefill_tokens_per_second", PerSecond(r.prefill_tokens, r.prefill_seconds)},
          {"generated_tokens", r.tokens.size()},
          {"decode_tokens", r.decode_tokens},
          {"decode_seconds", r.decode_seconds},
          {"decode_tokens_per_second", PerSecond(r.decode_tokens, r.decode_seconds)},
          {"peak_bytes", ReadProcMemory().vm_hwm},
          {"load_seconds", model.load_seconds}};
}

}  // namespace

void AddChatOptions(CLI::App& app, ChatCliOptions& o, CLI::Option* gguf) {
  app.add_option_function<std::string>(
         "-p,--prompt",
         [&o](const std::string& prompt) {
           o.prompt = prompt;
           o.prompt_given = true;
         },
         "Prompt of one turn (--gguf); without it, turns are read from stdin")
      ->needs(gguf);
  app.add_flag("-i,--interactive", o.interactive,
               "Read turns from stdin, one per line (after the -p turn if any) until an empty "
               "line or end of input")
      ->needs(gguf);
  app.add_option("--system", o.system, "System message of the conversation")->needs(gguf);
  app.add_flag("--no-chat-template", o.no_chat_template,
               "Feed the prompt as it is (BOS first) instead of LFM2's chat template")
      ->needs(gguf);
  app.add_option("-n,--max-tokens", o.max_tokens, "Tokens to generate per turn at most")
      ->capture_default_str()
      ->needs(gguf);
  app.add_option("--temp", o.temperature, "Sampling temperature (0 = greedy)")
      ->capture_default_str()
      ->needs(gguf);
  app.add_option("--min-p", o.min_p, "Min-p cut-off in [0, 1] (0 = off)")
      ->capture_default_str()
      ->needs(gguf);
  app.add_option("--repeat-penalty", o.repeat_penalty,
                 "Repetition penalty over the last 64 tokens (1 = off)")
      ->capture_default_str()
      ->needs(gguf);
  app.add_flag("--greedy", o.greedy, "Always take the most likely token (no penalty)")->needs(gguf);
  app.add_option("--weights", o.weights,
                 "Weight type to run in: f32, f16, q8_0, q4_0, 8da4w (default: the file's)")
      ->needs(gguf);
  app.add_option("--ctx", o.ctx, "Context limit in tokens (at most the model's)")
      ->capture_default_str()
      ->needs(gguf);
}

int RunChatCli(const ChatCliOptions& o, std::istream& in, std::ostream& out, std::ostream& err,
               bool in_is_terminal) {
  auto fail = [&err](int code, const std::string& message) {
    err << "liv-run: " << message << "\n";
    return code;
  };
  if (absl::Status s = CheckSamplingFlags(o); !s.ok()) return fail(2, std::string(s.message()));
  auto kv = ParseKvType(o.kv_type);
  if (!kv.ok()) return fail(2, absl::StrCat("--kv-type: ", kv.status().message()));
  ChatModelOptions load;
  load.threads = o.threads;
  if (!o.weights.empty()) {
    auto type = ParseWeightType(o.weights);
    if (!type.ok()) return fail(2, absl::StrCat("--weights: ", type.status().message()));
    load.weight_type = *type;
  }

  auto model = LoadChatModel(o.gguf, load);
  if (!model.ok()) return fail(1, std::string(model.status().message()));
  const ArchSpec& spec = model->model->spec();
  RuntimeOptions runtime;
  runtime.threads = o.threads;
  runtime.kv_type = *kv;
  runtime.max_context = o.ctx;
  if (spec.context_length() > 0) runtime.max_context = std::min(o.ctx, spec.context_length());
  ChatOptions chat;
  chat.sampling.temperature = o.greedy ? 0.0 : o.temperature;
  chat.sampling.min_p = o.min_p;
  chat.sampling.repetition_penalty = o.greedy ? 1.0 : o.repeat_penalty;
  chat.sampling.seed = o.seed;
  chat.max_tokens = o.max_tokens;
  chat.chat_template = !o.no_chat_template;
  chat.system = o.system;
  auto runner = ChatRunner::Create(model->model, std::move(model->tokenizer), runtime, chat);
  if (!runner.ok()) return fail(1, std::string(runner.status().message()));
  err << "liv-run: " << o.gguf << ": " << spec.layers_size() << " layers, vocabulary "
      << spec.vocab_size() << ", weights " << WeightTypeName(model->model->weight_type())
      << ", KV cache " << KvTypeName(*kv) << ", context " << runtime.max_context << ", "
      << o.threads << " threads, kernels " << (*runner)->session().kernels().name << "; loaded in "
      << Fixed(model->load_seconds, 2) << " s\n";

  const bool conversation = o.interactive || !o.prompt_given;
  Totals totals;
  int turns = 0;
  // Runs one turn; false when the conversation must end (the context is full).
  auto run_turn = [&](const std::string& text, int& code) {
    auto result = (*runner)->Turn(text, [&](std::string_view piece) {
      if (!o.json) out << piece << std::flush;
    });
    if (!result.ok()) {
      const bool full = absl::IsFailedPrecondition(result.status());
      // A conversation that fills the context ends normally; a prompt that cannot fit fails.
      code = full && conversation && turns > 0 ? 0 : 1;
      fail(code,
           full ? absl::StrCat(result.status().message(), " (--ctx ", (*runner)->max_context(), ")")
                : std::string(result.status().message()));
      return false;
    }
    ++turns;
    totals.Add(*result);
    if (o.json) {
      // A reply may end inside a UTF-8 character or hold bytes that are not UTF-8; the
      // JSON shows those as U+FFFD ("tokens" has the exact ids).
      out << TurnJson(*result, *model, turns)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << "\n"
          << std::flush;
    } else {
      out << "\n" << std::flush;
    }
    if (conversation) {
      err << "liv-run: [turn " << turns << "] "
          << PrefillLine(result->prefill_tokens, result->prefill_seconds) << "; "
          << DecodeLine(result->decode_tokens, result->decode_seconds)
          << "; stop: " << StopReasonName(result->stop) << "\n";
    } else {
      err << "liv-run: generated " << result->tokens.size()
          << " tokens, stop: " << StopReasonName(result->stop) << "\n";
    }
    if (result->stop == StopReason::kContextFull) {
      err << "liv-run: the context is full (" << (*runner)->max_context()
          << " tokens, --ctx); the reply was cut and the conversation ends\n";
      return false;
    }
    return true;
  };

  int code = 0;
  bool go_on = true;
  if (o.prompt_given) go_on = run_turn(o.prompt, code);
  if (conversation && go_on) {
    std::string line;
    for (;;) {
      if (in_is_terminal) err << "> " << std::flush;
      if (!std::getline(in, line) || line.empty()) break;
      if (!run_turn(line, code)) break;
    }
  }
  if (turns > 0) {
    err << "liv-run: " << PrefillLine(totals.prefill_tokens, totals.prefill_seconds) << "\n";
    err << "liv-run: " << DecodeLine(totals.decode_tokens, totals.decode_seconds) << " ("
        << totals.generated << " generated)\n";
  }
  err << "liv-run: peak memory: " << Fixed(ReadProcMemory().vm_hwm / 1048576.0, 1)
      << " MiB (VmHWM); load: " << Fixed(model->load_seconds, 3) << " s\n";
  return code;
}

int RunChatCli(const ChatCliOptions& options) {
  return RunChatCli(options, std::cin, std::cout, std::cerr, isatty(STDIN_FILENO) == 1);
}

}  // namespace nas::liv
