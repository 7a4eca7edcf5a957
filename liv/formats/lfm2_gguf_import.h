// Reads an LFM2 GGUF (general.architecture "lfm2", ../shared/REFERENCE.md sections 1-2) into
// an ArchSpec and a runnable liv Model. Metadata: integer keys may have any integer type;
// lfm2.attention.head_count, head_count_kv and feed_forward_length may be scalars or
// per-layer arrays (INT32 or UINT32, block_count long); a layer whose head_count_kv is 0 is
// a DOUBLE-gated short convolution of lfm2.shortconv.l_cache taps, any other an attention
// layer with q/k norms and head_dim = lfm2.attention.key_length, else embedding_length /
// head_count. Every layer gets a SwiGLU. The vocabulary is lfm2.vocab_size, else the length
// of tokenizer.ggml.tokens, else token_embd's ne[1]. The embeddings are tied exactly when
// there is no `output` tensor. Tensors: the set must be exactly the spec's
// (lfm2_gguf_layout.h), the final norm named token_embd_norm or output_norm; errors name the
// tensor with its expected and actual dims. Weights: the model's weight type is the file's
// (Lfm2GgufWeightType) unless asked otherwise; a tensor already stored in the runtime's
// storage type is used in place from the mapping (Q8_0 or f32 matrices) or copied and
// repacked where the kernels want interleaved rows (Q4_0x8, F16x8), and the source pages of
// what was copied are given back to the kernel, so that resident memory after loading is
// about the file's size; other tensors are converted (dequantized, then requantized). The
// model keeps the mapping alive while it borrows from it. Thread-safe.
#pragma once

#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/gguf_value.h"
#include "liv/runtime/session.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

// The ArchSpec the metadata describes. `fallback_vocab` is used when neither
// lfm2.vocab_size nor tokenizer.ggml.tokens is present. InvalidArgument "unsupported
// architecture X (only lfm2)" for another architecture; NotFound / InvalidArgument naming
// the key for a missing or ill-typed one; the spec is validated (ValidateArchSpec).
absl::StatusOr<ArchSpec> Lfm2ArchSpecFromMetadata(const GgufMetadata& metadata, bool tie_embeddings,
                                                  std::optional<uint32_t> fallback_vocab = {});

// The ArchSpec of the file, with every tensor checked against it (names and dims; no data
// is read).
absl::StatusOr<ArchSpec> Lfm2ArchSpecFromGguf(const GgufReader& reader);

// The runtime weight type that holds the file's matrices (token_embd and the 2-D weights)
// best: the type most of their bytes are stored in, with BF16 read as f32, Q4_K as Q4_0
// and Q6_K as Q8_0 (they are not runtime types).
absl::StatusOr<WeightType> Lfm2GgufWeightType(const GgufReader& reader);

// Both of the above, the header checked once.
struct Lfm2GgufHeader {
  ArchSpec spec;
  WeightType weight_type = WeightType::kF32;
};
absl::StatusOr<Lfm2GgufHeader> ReadLfm2GgufHeader(const GgufReader& reader);

struct Lfm2ImportOptions {
  std::optional<WeightType> weight_type;  // default: Lfm2GgufWeightType
  int threads = 1;                        // for converting and repacking
};

// The model: the spec above and its weights, in the options' weight type.
absl::StatusOr<std::shared_ptr<Model>> ImportLfm2Gguf(const GgufReader& reader,
                                                      const Lfm2ImportOptions& options = {});

}  // namespace nas::liv
