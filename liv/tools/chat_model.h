// Loading a model to chat with from an LFM2 GGUF file: the file is memory-mapped and
// validated (gguf_reader.h), the model imported (lfm2_gguf_import.h; weights in the file's
// type unless another is asked for) and the tokenizer built from the same file's
// tokenizer.ggml.* keys (tokenizer.h). The model keeps the mapping alive while it needs it,
// so nothing else has to outlive the call. Errors name the file: the reader's own, and
// "FILE: ..." for the import ("unsupported architecture X (only lfm2)") and the tokenizer
// ("FILE: tokenizer: ...") unless they name it already. Thread-safe (no shared state).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "liv/formats/tokenizer.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/session.h"

namespace nas::liv {

struct ChatModelOptions {
  std::optional<WeightType> weight_type;  // default: the file's (Lfm2GgufWeightType)
  int threads = 1;                        // for converting and repacking weights
};

struct ChatModel {
  std::shared_ptr<const Model> model;
  Tokenizer tokenizer;
  double load_seconds = 0;  // open + import + tokenizer, wall clock
};

absl::StatusOr<ChatModel> LoadChatModel(const std::string& path,
                                        const ChatModelOptions& options = {});

}  // namespace nas::liv
