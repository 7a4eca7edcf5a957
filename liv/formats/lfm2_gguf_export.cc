#include "liv/formats/lfm2_gguf_export.h"

#include <algorithm>
#include <cstring>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/lfm2_gguf_layout.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/quant/blocks.h"

namespace nas::liv {
namespace {

// llama.cpp's llama_ftype values for general.file_type.
uint32_t FileType(GgmlType matrix_type) {
  switch (matrix_type) {
    case GgmlType::kF16:
      return 1;  // LLAMA_FTYPE_MOSTLY_F16
    case GgmlType::kQ8_0:
      return 7;  // LLAMA_FTYPE_MOSTLY_Q8_0
    case GgmlType::kQ4_0:
      return 2;  // LLAMA_FTYPE_MOSTLY_Q4_0
    default:
      return 0;  // LLAMA_FTYPE_ALL_F32
  }
}

absl::Status NotExpressible(int layer, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("layer ", layer, ": ", std::string(why),
                                                 " (not expressible in LFM2's GGUF layout)"));
}

// The values GGUF stores once for the whole model, from the first layer that has them.
struct SharedValues {
  std::optional<Attention> attention;
  std::optional<uint32_t> kernel_size;
  std::optional<uint32_t> hidden;
};

absl::Status CheckLayer(int i, const Layer& layer, SharedValues& shared) {
  if (layer.has_weight_source_layer()) {
    return NotExpressible(i, "shares the weights of another layer (weight_source_layer)");
  }
  if (layer.has_recurrence()) return NotExpressible(i, "recurrence token mixer");
  if (layer.has_short_conv()) {
    const ShortConv& c = layer.short_conv();
    if (c.gating() != ShortConv::DOUBLE) {
      return NotExpressible(i, absl::StrCat("short convolution gating ",
                                            ShortConv::Gating_Name(c.gating()), " (only DOUBLE)"));
    }
    if (!shared.kernel_size) shared.kernel_size = c.kernel_size();
    if (c.kernel_size() != *shared.kernel_size) {
      return NotExpressible(
          i, absl::StrCat("conv kernel_size ", c.kernel_size(), " differs from the model's ",
                          *shared.kernel_size, " (one shortconv.l_cache)"));
    }
  } else if (layer.has_attention()) {
    const Attention& a = layer.attention();
    if (a.has_kv_source_layer()) return NotExpressible(i, "shares K/V (kv_source_layer)");
    if (a.sliding_window() != 0) return NotExpressible(i, "sliding-window attention");
    if (!a.qk_norm()) return NotExpressible(i, "attention without q/k norms");
    if (!shared.attention) shared.attention = a;
    const Attention& s = *shared.attention;
    if (a.num_heads() != s.num_heads() || a.head_dim() != s.head_dim() ||
        a.rope_theta() != s.rope_theta()) {
      return NotExpressible(i,
                            "attention heads, head_dim or rope_theta differ from the first "
                            "attention layer's (stored once per model)");
    }
  } else {
    return NotExpressible(i, "no token mixer");
  }
  if (layer.has_gelu_mlp()) return NotExpressible(i, "GELU MLP channel mixer (only SwiGLU)");
  if (!layer.has_swiglu()) return NotExpressible(i, "no channel mixer (only SwiGLU)");
  if (!shared.hidden) shared.hidden = layer.swiglu().hidden();
  if (layer.swiglu().hidden() != *shared.hidden) {
    return NotExpressible(
        i, absl::StrCat("SwiGLU hidden ", layer.swiglu().hidden(), " differs from the model's ",
                        *shared.hidden, " (one feed_forward_length)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SharedValues> CheckSpec(const ArchSpec& spec) {
  NAS_RETURN_IF_ERROR(ValidateArchSpec(spec));
  SharedValues shared;
  for (int i = 0; i < spec.layers_size(); ++i) {
    NAS_RETURN_IF_ERROR(CheckLayer(i, spec.layers(i), shared));
  }
  return shared;
}

absl::StatusOr<std::vector<uint8_t>> Encode(const Lfm2GgufTensor& t, const float* values,
                                            GgmlType type) {
  const uint64_t n = t.dims.size() == 1 ? t.dims[0] : t.dims[0] * t.dims[1];
  std::vector<uint8_t> out;
  switch (type) {
    case GgmlType::kF32:
      out.resize(n * sizeof(float));
      std::memcpy(out.data(), values, out.size());
      return out;
    case GgmlType::kF16:
      out.resize(n * sizeof(uint16_t));
      quant::QuantizeRowF16(values, reinterpret_cast<uint16_t*>(out.data()), n);
      return out;
    case GgmlType::kQ8_0:
    case GgmlType::kQ4_0:
      // Blocks never straddle rows since ne[0] is a multiple of 32.
      if (t.dims[0] % 32 != 0) {
        return absl::InvalidArgumentError(absl::StrCat("tensor ", t.gguf_name, ": ",
                                                       GgmlTypeString(type), " needs ne[0] (",
                                                       t.dims[0], ") to be a multiple of 32"));
      }
      if (type == GgmlType::kQ8_0) {
        out.resize(n / 32 * sizeof(quant::BlockQ8_0));
        quant::QuantizeRowQ8_0(values, reinterpret_cast<quant::BlockQ8_0*>(out.data()), n);
      } else {
        out.resize(n / 32 * sizeof(quant::BlockQ4_0));
        quant::QuantizeRowQ4_0(values, reinterpret_cast<quant::BlockQ4_0*>(out.data()), n);
      }
      return out;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("matrix type ", GgmlTypeString(type), " (only F32, F16, Q8_0, Q4_0)"));
  }
}

}  // namespace

absl::StatusOr<GgmlType> ParseLfm2MatrixType(std::string_view name) {
  if (name == "f32") return GgmlType::kF32;
  if (name == "f16") return GgmlType::kF16;
  if (name == "q8_0") return GgmlType::kQ8_0;
  if (name == "q4_0") return GgmlType::kQ4_0;
  return absl::InvalidArgumentError(
      absl::StrCat("one of f32, f16, q8_0, q4_0, not ", std::string(name)));
}

absl::Status CheckLfm2Expressible(const ArchSpec& spec) { return CheckSpec(spec).status(); }

absl::StatusOr<GgufMetadata> Lfm2GgufMetadata(const ArchSpec& spec, GgmlType matrix_type) {
  NAS_ASSIGN_OR_RETURN(SharedValues shared, CheckSpec(spec));
  GgufMetadata md("<lfm2 export>");
  auto add = [&](const char* key, GgufValue value) { return md.Add(key, std::move(value)); };
  const uint32_t d = spec.d_model();
  NAS_RETURN_IF_ERROR(add("general.architecture", std::string(kLfm2Architecture)));
  NAS_RETURN_IF_ERROR(add("general.name", spec.name()));
  NAS_RETURN_IF_ERROR(add("general.file_type", FileType(matrix_type)));
  NAS_RETURN_IF_ERROR(add("lfm2.vocab_size", uint32_t{spec.vocab_size()}));
  // llama.cpp requires the key and sizes its default context by it: an unspecified
  // context (0) is written as LFM2's trained context.
  NAS_RETURN_IF_ERROR(add("lfm2.context_length", spec.context_length() > 0
                                                     ? uint32_t{spec.context_length()}
                                                     : kLfm2TrainedContext));
  NAS_RETURN_IF_ERROR(add("lfm2.embedding_length", d));
  NAS_RETURN_IF_ERROR(add("lfm2.block_count", static_cast<uint32_t>(spec.layers_size())));
  NAS_RETURN_IF_ERROR(add("lfm2.feed_forward_length", uint32_t{*shared.hidden}));
  // A model without attention still needs a head count for llama.cpp's loader (it
  // divides by it); 1 makes no claim on any tensor. Likewise l_cache without convolutions.
  const uint32_t heads = shared.attention ? shared.attention->num_heads() : 1;
  NAS_RETURN_IF_ERROR(add("lfm2.attention.head_count", heads));
  std::vector<int32_t> kv_heads;
  for (const Layer& layer : spec.layers()) {
    kv_heads.push_back(
        layer.has_attention() ? static_cast<int32_t>(layer.attention().num_kv_heads()) : 0);
  }
  NAS_RETURN_IF_ERROR(add("lfm2.attention.head_count_kv", GgufArray{std::move(kv_heads)}));
  if (shared.attention && shared.attention->head_dim() * heads != d) {
    NAS_RETURN_IF_ERROR(add("lfm2.attention.key_length", uint32_t{shared.attention->head_dim()}));
    NAS_RETURN_IF_ERROR(add("lfm2.attention.value_length", uint32_t{shared.attention->head_dim()}));
  }
  if (shared.attention) {
    NAS_RETURN_IF_ERROR(add("lfm2.rope.freq_base", shared.attention->rope_theta()));
  }
  NAS_RETURN_IF_ERROR(add("lfm2.attention.layer_norm_rms_epsilon", spec.norm_eps()));
  NAS_RETURN_IF_ERROR(add("lfm2.shortconv.l_cache", shared.kernel_size.value_or(3u)));
  return md;
}

absl::StatusOr<GgufWriter> BuildLfm2Gguf(const ArchSpec& spec, const ModelWeights& weights,
                                         const Lfm2GgufExportOptions& options) {
  NAS_ASSIGN_OR_RETURN(GgufMetadata md, Lfm2GgufMetadata(spec, options.matrix_type));
  GgufWriter writer;
  for (const GgufKv& kv : md.entries()) {
    NAS_RETURN_IF_ERROR(writer.AddMetadata(kv.key, kv.value));
  }
  for (const GgufKv& kv : options.extra_metadata) {
    if (absl::StartsWith(kv.key, "general.") || absl::StartsWith(kv.key, "lfm2.")) {
      return absl::InvalidArgumentError(
          absl::StrCat("extra metadata key ", kv.key, " is reserved for the model keys"));
    }
    NAS_RETURN_IF_ERROR(writer.AddMetadata(kv.key, kv.value));
  }
  // llama.cpp requires tokenizer.ggml.model; "none" loads the model without a vocabulary
  // (its size then comes from lfm2.vocab_size).
  const bool has_tokenizer =
      std::any_of(options.extra_metadata.begin(), options.extra_metadata.end(),
                  [](const GgufKv& kv) { return kv.key == "tokenizer.ggml.model"; });
  if (!has_tokenizer) {
    NAS_RETURN_IF_ERROR(writer.AddMetadata("tokenizer.ggml.model", std::string("none")));
  }
  const std::vector<Lfm2GgufTensor> tensors = Lfm2GgufTensors(spec);
  if (weights.layout().size() != tensors.size()) {
    return absl::FailedPreconditionError(absl::StrCat("the weights hold ", weights.layout().size(),
                                                      " tensors, the spec has ", tensors.size()));
  }
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Lfm2GgufTensor& t = tensors[i];
    const TensorShape& w = weights.layout()[i];
    const float* values = weights.tensor(t.liv_name);
    if (w.name != t.liv_name || GgufDims(w) != t.dims || values == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat("weights tensor ", w.name,
                                                        " is not the spec's ", t.liv_name, " ",
                                                        DimsString(t.dims), " stored in f32"));
    }
    const GgmlType type = t.keep_f32 ? GgmlType::kF32 : options.matrix_type;
    NAS_ASSIGN_OR_RETURN(std::vector<uint8_t> data, Encode(t, values, type));
    NAS_RETURN_IF_ERROR(writer.AddTensor(t.gguf_name, type, t.dims, std::move(data)));
  }
  return writer;
}

absl::Status ExportLfm2Gguf(const ArchSpec& spec, const ModelWeights& weights,
                            const std::string& path, const Lfm2GgufExportOptions& options) {
  NAS_ASSIGN_OR_RETURN(GgufWriter writer, BuildLfm2Gguf(spec, weights, options));
  return writer.WriteFile(path);
}

}  // namespace nas::liv
