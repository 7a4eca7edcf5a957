// Tokenizer::FromGguf: the tokenizer.ggml.* keys -> TokenizerVocab -> Tokenizer::Create.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/tokenizer.h"

namespace nas::liv {
namespace {

// A token id stored as UINT32 or INT32 (converters differ); range-checked by Create.
absl::StatusOr<int32_t> GetId(const GgufMetadata& metadata, const char* key) {
  const GgufValue* value = metadata.Find(key);
  if (value != nullptr) {
    if (const auto* v = std::get_if<uint32_t>(value)) {
      if (*v > static_cast<uint32_t>(INT32_MAX)) {
        return absl::InvalidArgumentError(absl::StrCat(key, " = ", *v, " is out of range"));
      }
      return static_cast<int32_t>(*v);
    }
    if (const auto* v = std::get_if<int32_t>(value)) return *v;
  }
  // Absent or another type: GetUint32's error names the key and the actual type.
  NAS_ASSIGN_OR_RETURN(uint32_t unreachable, metadata.GetUint32(key));
  return static_cast<int32_t>(unreachable);
}

template <typename T>
GgufArray Array(const std::vector<T>& v) {
  GgufArray a;
  a.elements = v;
  return a;
}

}  // namespace

std::vector<GgufKv> TokenizerGgufKeys(const TokenizerVocab& vocab) {
  std::vector<GgufKv> kvs = {
      {"tokenizer.ggml.model", std::string("gpt2")},
      {"tokenizer.ggml.pre", std::string("lfm2")},
      {"tokenizer.ggml.tokens", Array(vocab.tokens)},
      {"tokenizer.ggml.token_type", Array(vocab.token_types)},
      {"tokenizer.ggml.merges", Array(vocab.merges)},
      {"tokenizer.ggml.bos_token_id", static_cast<uint32_t>(vocab.bos_id)},
      {"tokenizer.ggml.eos_token_id", static_cast<uint32_t>(vocab.eos_id)},
      {"tokenizer.ggml.add_bos_token", vocab.add_bos},
  };
  if (vocab.padding_id.has_value()) {
    kvs.push_back({"tokenizer.ggml.padding_token_id", static_cast<uint32_t>(*vocab.padding_id)});
  }
  return kvs;
}

absl::StatusOr<std::vector<GgufKv>> TokenizerKeysFor(const GgufMetadata& from,
                                                     uint32_t vocab_size) {
  NAS_ASSIGN_OR_RETURN(Tokenizer tokenizer, Tokenizer::FromGguf(from));
  if (static_cast<uint32_t>(tokenizer.vocab_size()) != vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        from.source(), ": the tokenizer has ", tokenizer.vocab_size(),
        " tokens, the model's vocab_size is ", vocab_size));
  }
  std::vector<GgufKv> kvs = TokenizerGgufKeys(tokenizer.vocab());
  if (from.Find("tokenizer.chat_template") != nullptr) {
    NAS_ASSIGN_OR_RETURN(std::string chat_template, from.GetString("tokenizer.chat_template"));
    kvs.push_back({"tokenizer.chat_template", chat_template});
  }
  return kvs;
}

absl::StatusOr<Tokenizer> Tokenizer::FromGguf(const GgufMetadata& metadata) {
  NAS_ASSIGN_OR_RETURN(std::string model, metadata.GetString("tokenizer.ggml.model"));
  if (model != "gpt2") {
    return absl::UnimplementedError(absl::StrCat(
        "tokenizer.ggml.model = \"", model, "\": only \"gpt2\" (byte-level BPE) is supported"));
  }
  if (metadata.Find("tokenizer.ggml.pre") != nullptr) {
    NAS_ASSIGN_OR_RETURN(std::string pre, metadata.GetString("tokenizer.ggml.pre"));
    if (pre != "lfm2" && pre != "llama-bpe" && pre != "llama3") {
      return absl::UnimplementedError(
          absl::StrCat("tokenizer.ggml.pre = \"", pre,
                       "\": only \"lfm2\", \"llama-bpe\" and \"llama3\" are supported"));
    }
  }
  TokenizerVocab vocab;
  NAS_ASSIGN_OR_RETURN(const std::vector<std::string>* tokens,
                       metadata.GetStringArray("tokenizer.ggml.tokens"));
  NAS_ASSIGN_OR_RETURN(const std::vector<std::string>* merges,
                       metadata.GetStringArray("tokenizer.ggml.merges"));
  NAS_ASSIGN_OR_RETURN(const std::vector<int32_t>* types,
                       metadata.GetInt32Array("tokenizer.ggml.token_type"));
  vocab.tokens = *tokens;
  vocab.merges = *merges;
  vocab.token_types = *types;
  NAS_ASSIGN_OR_RETURN(vocab.bos_id, GetId(metadata, "tokenizer.ggml.bos_token_id"));
  NAS_ASSIGN_OR_RETURN(vocab.eos_id, GetId(metadata, "tokenizer.ggml.eos_token_id"));
  if (metadata.Find("tokenizer.ggml.padding_token_id") != nullptr) {
    NAS_ASSIGN_OR_RETURN(vocab.padding_id, GetId(metadata, "tokenizer.ggml.padding_token_id"));
  }
  if (metadata.Find("tokenizer.ggml.add_bos_token") != nullptr) {
    NAS_ASSIGN_OR_RETURN(vocab.add_bos, metadata.GetBool("tokenizer.ggml.add_bos_token"));
  }
  return Create(std::move(vocab));
}

}  // namespace nas::liv
