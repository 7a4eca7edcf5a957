// Writes an ArchSpec and its f32 weights as a GGUF file that llama.cpp loads as `lfm2`
// (../shared/REFERENCE.md sections 1-2): general.architecture, general.name, general.file_type
// and every `lfm2.*` key llama.cpp's LFM2 loader reads (head_count_kv is a per-layer INT32
// array, 0 marking a convolution layer, as convert_hf_to_gguf.py writes it; key_length and
// value_length only when head_dim != d_model / num_heads), then any tokenizer keys the
// caller built (without them, tokenizer.ggml.model = "none", which llama.cpp loads as a
// model without a vocabulary), then the tensors in WeightLayout order (lfm2_gguf_layout.h for names and
// dims). Matrices and the embedding are F32, F16, Q8_0 or Q4_0; norms and conv taps always
// F32.
// Only specs the LFM2 layout can express are accepted (CheckLfm2Expressible). Pure apart
// from WriteFile; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "liv/formats/gguf_types.h"
#include "liv/formats/gguf_value.h"
#include "liv/formats/gguf_writer.h"
#include "liv/runtime/weights.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

// "f32", "f16", "q8_0" or "q4_0" as a matrix type; InvalidArgument listing them otherwise.
absl::StatusOr<GgmlType> ParseLfm2MatrixType(std::string_view name);

// lfm2.context_length written for a spec whose context_length is 0 (unspecified): the
// context LFM2 was trained with (llama.cpp needs a non-zero value).
inline constexpr uint32_t kLfm2TrainedContext = 32768;

struct Lfm2GgufExportOptions {
  // Type of the matrices and the embedding: kF32, kF16, kQ8_0 or kQ4_0 (the quantized
  // types need every matrix's input width to be a multiple of 32).
  GgmlType matrix_type = GgmlType::kF32;
  // Written after the model keys, e.g. tokenizer.ggml.model / tokens; keys must not
  // start with "general." or "lfm2.".
  std::vector<GgufKv> extra_metadata;
};

// OK when every layer is a DOUBLE-gated short convolution or a full-causal GQA attention
// with q/k norms, followed by a SwiGLU, no layer shares weights or K/V, and the values
// GGUF stores once per model agree across layers (conv length, head count, head_dim, RoPE
// theta, SwiGLU width). Otherwise InvalidArgument naming the first offending layer and why.
absl::Status CheckLfm2Expressible(const ArchSpec& spec);

// The model-level metadata (general.* and lfm2.*) for an expressible spec.
absl::StatusOr<GgufMetadata> Lfm2GgufMetadata(const ArchSpec& spec,
                                              GgmlType matrix_type = GgmlType::kF32);

// A writer holding the metadata and every tensor. `weights` must be the spec's (same
// layout) and stored in f32; FailedPrecondition otherwise.
absl::StatusOr<GgufWriter> BuildLfm2Gguf(const ArchSpec& spec, const ModelWeights& weights,
                                         const Lfm2GgufExportOptions& options = {});

absl::Status ExportLfm2Gguf(const ArchSpec& spec, const ModelWeights& weights,
                            const std::string& path, const Lfm2GgufExportOptions& options = {});

}  // namespace nas::liv
