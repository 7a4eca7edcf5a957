// liv-export: writes a model as an LFM2 GGUF file that llama.cpp loads as `lfm2`. The
// model is an LFM2 preset or an ArchSpec file with deterministic random weights, or a GGUF
// file whose weights are re-encoded (e.g. F32 -> Q4_0). Its tokenizer (tokenizer.ggml.*
// and the chat template) comes from --tokenizer-from, else from the input GGUF, else there
// is none: tokenizer.ggml.model "none", which llama.cpp loads as a model without a
// vocabulary (token ids in, logits out; no text).
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/lfm2_gguf_import.h"
#include "liv/formats/tokenizer.h"
#include "liv/model/spec_source.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/thread_pool.h"

namespace {

using namespace nas::liv;
using nas::ArchSpec;

int Fail(const std::string& message) {
  std::cerr << "liv-export: " << message << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "liv-export: write a model as an LFM2 GGUF file (llama.cpp's `lfm2` layout).\n"
      "The model is an LFM2 preset (LFM2-350M, ...) or an ArchSpec file, with random weights "
      "from --seed, or a .gguf file to re-encode. Only convolution + GQA + SwiGLU layers "
      "that LFM2's layout can express are accepted."};
  std::string model, output, type_name = "f32", tokenizer_from, name;
  uint64_t seed = 0;
  int threads = 0;
  app.add_option("-m,--model", model, "Preset, ArchSpec file (.textproto/.json) or .gguf file")
      ->required();
  app.add_option("-o,--output", output, "The GGUF file to write")->required();
  app.add_option("--type", type_name, "Matrix and embedding type: f32, f16, q8_0, q4_0")
      ->capture_default_str();
  app.add_option("--seed", seed, "Seed of the random weights (preset or spec)")
      ->capture_default_str();
  app.add_option("--tokenizer-from", tokenizer_from,
                 "Copy the tokenizer and chat template of this GGUF (e.g. a published LFM2 "
                 "checkpoint; its vocabulary must have the model's size)");
  app.add_option("--name", name, "general.name (default: the spec's name)");
  app.add_option("-t,--threads", threads, "Threads for creating weights (0 = all cores)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (threads <= 0) threads = std::max(1, PhysicalCoreCount());

  const auto matrix_type = ParseLfm2MatrixType(type_name);
  if (!matrix_type.ok()) return Fail("--type: " + std::string(matrix_type.status().message()));
  const auto start = std::chrono::steady_clock::now();

  // The spec and the tokenizer are checked before any weight is made or read.
  std::optional<GgufReader> input;
  absl::StatusOr<ArchSpec> source_spec;
  if (IsGgufPath(model)) {
    auto reader = GgufReader::Open(model);
    if (!reader.ok()) return Fail(std::string(reader.status().message()));
    input.emplace(*std::move(reader));
    source_spec = Lfm2ArchSpecFromGguf(*input);
    if (!source_spec.ok()) return Fail(std::string(source_spec.status().message()));
  } else {
    source_spec = LoadArchSpec(model);
    if (!source_spec.ok()) return Fail("-m: " + std::string(source_spec.status().message()));
    if (auto s = CheckLfm2Expressible(*source_spec); !s.ok()) {
      return Fail(model + ": " + std::string(s.message()));
    }
  }
  ArchSpec spec = *source_spec;
  if (!name.empty()) spec.set_name(name);

  Lfm2GgufExportOptions options;
  options.matrix_type = *matrix_type;
  std::optional<GgufReader> tokenizer_file;
  if (!tokenizer_from.empty()) {
    auto reader = GgufReader::Open(tokenizer_from);
    if (!reader.ok()) return Fail("--tokenizer-from: " + std::string(reader.status().message()));
    tokenizer_file.emplace(*std::move(reader));
  }
  const GgufReader* tokenizer_source = tokenizer_file ? &*tokenizer_file : input ? &*input : nullptr;
  if (tokenizer_source != nullptr &&
      (tokenizer_file || tokenizer_source->metadata().Find("tokenizer.ggml.tokens") != nullptr)) {
    auto keys = TokenizerKeysFor(tokenizer_source->metadata(), spec.vocab_size());
    if (!keys.ok()) return Fail(std::string(keys.status().message()));
    options.extra_metadata = *std::move(keys);
  }

  absl::StatusOr<std::shared_ptr<Model>> weights;
  if (input) {
    Lfm2ImportOptions import;
    import.weight_type = WeightType::kF32;
    import.threads = threads;
    weights = ImportLfm2Gguf(*input, import);
  } else {
    weights = Model::CreateRandom(*source_spec, WeightType::kF32, seed, threads);
  }
  if (!weights.ok()) return Fail(std::string(weights.status().message()));
  if (auto s = ExportLfm2Gguf(spec, (*weights)->weights(), output, options); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "liv-export: wrote " << output << " (" << std::filesystem::file_size(output)
            << " bytes; " << spec.name() << ", " << CountParameters(spec) << " parameters, "
            << type_name << (options.extra_metadata.empty() ? ", no tokenizer" : ", with tokenizer")
            << ") in " << seconds << " s\n";
  return 0;
}
