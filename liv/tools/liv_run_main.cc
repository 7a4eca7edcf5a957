// liv-run, two modes. With --gguf FILE it chats with an LFM2 GGUF checkpoint
// (chat_runner.h): -p PROMPT runs one turn, streaming the reply to stdout; without -p (or
// with -i) it reads user turns from stdin, one per line, keeping the conversation in one
// session; statistics go to stderr, or with --json a summary per turn to stdout
// (chat_cli.h). With -m SPEC it runs a model (preset or ArchSpec file, deterministic
// random weights) on given token ids and prints the top logits after the prompt and after
// each greedy decode step, for debugging and cross-checks with other implementations.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <numeric>

#include "CLI/CLI.hpp"
#include "liv/model/spec_source.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/session.h"
#include "liv/runtime/thread_pool.h"
#include "liv/tools/chat_cli.h"
#include "nlohmann/json.hpp"

namespace {

int Fail(int code, const std::string& message) {
  std::cerr << "liv-run: " << message << "\n";
  return code;
}

nlohmann::json TopLogits(std::span<const float> logits, size_t k) {
  std::vector<int> ids(logits.size());
  std::iota(ids.begin(), ids.end(), 0);
  k = std::min(k, ids.size());
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                    [&](int a, int b) { return logits[a] > logits[b]; });
  nlohmann::json top = nlohmann::json::array();
  for (size_t i = 0; i < k; ++i) top.push_back({{"id", ids[i]}, {"logit", logits[ids[i]]}});
  return top;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nas::liv;
  CLI::App app{
      "liv-run: chat with an LFM2 GGUF checkpoint (--gguf), or run a model on token ids and "
      "print the top logits (-m)."};
  std::string model, kv_type = "f32";
  std::vector<int32_t> tokens;
  size_t top = 5;
  uint32_t generate = 0;
  uint64_t seed = 0;
  int threads = 0;
  bool json = false;
  ChatCliOptions chat;
  auto* model_opt = app.add_option("-m,--model", model, "Preset name or ArchSpec file");
  auto* gguf_opt = app.add_option("--gguf", chat.gguf, "LFM2 GGUF file to chat with");
  model_opt->excludes(gguf_opt);
  app.add_option("--tokens", tokens, "Prompt token ids, comma-separated (-m)")
      ->delimiter(',')
      ->needs(model_opt);
  app.add_option("-k,--top", top, "Logits to print per step (-m)")->capture_default_str();
  app.add_option("-g,--generate", generate, "Greedy decode steps after the prompt (-m)")
      ->capture_default_str();
  app.add_option("--seed", seed, "Seed of the random weights (-m) or of the sampler (--gguf)")
      ->capture_default_str();
  app.add_option("-t,--threads", threads, "Threads (0 = physical cores)")->capture_default_str();
  app.add_option("--kv-type", kv_type,
                 "Element type of the K/V cache: f32, or f16 (IEEE half, rounded to nearest "
                 "even)")
      ->capture_default_str();
  app.add_flag("--json", json, "Print JSON");
  AddChatOptions(app, chat, gguf_opt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!chat.gguf.empty()) {
    chat.seed = seed;
    chat.threads = threads > 0 ? threads : PhysicalCoreCount();
    chat.kv_type = kv_type;
    chat.json = json;
    return RunChatCli(chat);
  }
  if (model.empty()) return Fail(2, "give --gguf FILE to chat, or -m MODEL --tokens IDS");
  if (tokens.empty()) return Fail(2, "--tokens is required with -m");
  auto kv = ParseKvType(kv_type);
  if (!kv.ok()) return Fail(2, "--kv-type: " + std::string(kv.status().message()));
  auto spec = LoadArchSpec(model);
  if (!spec.ok()) return Fail(2, std::string(spec.status().message()));
  RuntimeOptions options;
  options.kv_type = *kv;
  options.threads = threads > 0 ? threads : PhysicalCoreCount();
  options.max_context = static_cast<uint32_t>(tokens.size()) + generate;
  auto built = Model::CreateRandom(*spec, WeightType::kF32, seed, options.threads);
  if (!built.ok()) return Fail(1, std::string(built.status().message()));
  auto session = Session::Create(*built, options);
  if (!session.ok()) return Fail(1, std::string(session.status().message()));

  nlohmann::json steps = nlohmann::json::array();
  auto logits = (*session)->Prefill(tokens);
  if (!logits.ok()) return Fail(2, std::string(logits.status().message()));
  steps.push_back({{"position", tokens.size() - 1}, {"top", TopLogits(*logits, top)}});
  for (uint32_t i = 0; i < generate; ++i) {
    const int32_t next = steps.back()["top"][0]["id"];
    logits = (*session)->Decode(next);
    if (!logits.ok()) return Fail(1, std::string(logits.status().message()));
    steps.push_back({{"position", tokens.size() + i}, {"input", next},
                     {"top", TopLogits(*logits, top)}});
  }
  if (json) {
    std::cout << nlohmann::json{{"model", model},
                                {"parameters", CountParameters(*spec)},
                                {"seed", seed},
                                {"kv_type", std::string(KvTypeName(*kv))},
                                {"isa_path", (*session)->kernels().name},
                                {"steps", steps}}
                     .dump(2)
              << "\n";
    return 0;
  }
  std::cout << model << ": " << CountParameters(*spec) << " parameters, f32, KV cache "
            << KvTypeName(*kv) << ", seed " << seed
            << ", kernels " << (*session)->kernels().name << "\n";
  for (const auto& step : steps) {
    std::cout << "position " << step["position"];
    if (step.contains("input")) std::cout << " (input " << step["input"] << ")";
    std::cout << ":";
    for (const auto& t : step["top"]) {
      std::cout << "  " << t["id"] << "=" << std::fixed << std::setprecision(4)
                << t["logit"].get<float>();
    }
    std::cout << "\n";
  }
  return 0;
}
