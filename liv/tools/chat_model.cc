#include "liv/tools/chat_model.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_import.h"

namespace nas::liv {
namespace {

// The error with `prefix` in front, unless it names `path` already.
absl::Status Prefixed(const absl::Status& status, const std::string& path,
                      const std::string& prefix) {
  if (absl::StrContains(status.message(), path)) return status;
  return absl::Status(status.code(), absl::StrCat(prefix, status.message()));
}

}  // namespace

absl::StatusOr<ChatModel> LoadChatModel(const std::string& path, const ChatModelOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  NAS_ASSIGN_OR_RETURN(GgufReader reader, GgufReader::Open(path));
  // The architecture and the tokenizer are checked before any weight is read.
  auto spec = Lfm2ArchSpecFromGguf(reader);
  if (!spec.ok()) return Prefixed(spec.status(), path, path + ": ");
  if (reader.metadata().Find("tokenizer.ggml.tokens") == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": the file has no tokenizer (tokenizer.ggml.*); give it one with liv-export "
              "--tokenizer-from CHECKPOINT.gguf, or run token ids with liv-run -m"));
  }
  auto tokenizer = Tokenizer::FromGguf(reader.metadata());
  if (!tokenizer.ok()) return Prefixed(tokenizer.status(), path, path + ": tokenizer: ");
  if (tokenizer->vocab_size() > static_cast<int64_t>(spec->vocab_size())) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": tokenizer: ", tokenizer->vocab_size(),
                                                   " tokens, more than the model's vocabulary of ",
                                                   spec->vocab_size()));
  }
  Lfm2ImportOptions import;
  import.weight_type = options.weight_type;
  import.threads = options.threads;
  auto model = ImportLfm2Gguf(reader, import);
  if (!model.ok()) return Prefixed(model.status(), path, path + ": ");
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return ChatModel{*std::move(model), *std::move(tokenizer), elapsed.count()};
}

}  // namespace nas::liv
