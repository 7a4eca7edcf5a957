#include "liv/model/arch_spec_validate.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/text_format.h>

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "liv/model/weight_layout.h"

namespace nas::liv {
namespace {

// 21000000000 -> "21,000,000,000", so that caps are readable at a glance.
std::string WithCommas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

// Strings in proto3 must be UTF-8; JSON output would silently drop anything else.
bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    int extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMin[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

absl::Status Error(absl::string_view path, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

// A size that must be positive and at most `limit` (named so the user knows what to raise).
absl::Status CheckSize(absl::string_view path, uint64_t value, uint64_t limit,
                       absl::string_view limit_name) {
  if (value == 0) return Error(path, "must be > 0");
  if (value > limit) {
    return Error(path, absl::StrCat(value, " exceeds the limit of ", limit, " (ValidationLimits.",
                                    limit_name, ")"));
  }
  return absl::OkStatus();
}

// A projection width (heads x head_dim) must stay within the widest hidden size allowed.
absl::Status CheckWidth(absl::string_view path, uint64_t heads, uint64_t head_dim,
                        const ValidationLimits& limits) {
  const uint64_t width = heads * head_dim;  // both already capped, so no overflow
  if (width > limits.max_hidden) {
    return Error(path, absl::StrCat("num_heads * head_dim = ", width, " exceeds the limit of ",
                                    limits.max_hidden, " (ValidationLimits.max_hidden)"));
  }
  return absl::OkStatus();
}

const char* TokenMixerName(const Layer& layer) {
  switch (layer.token_mixer_case()) {
    case Layer::kAttention:
      return "attention";
    case Layer::kShortConv:
      return "short_conv";
    case Layer::kRecurrence:
      return "recurrence";
    default:
      return "no token mixer";
  }
}

absl::Status ValidateKvSource(const ArchSpec& spec, int i, const Attention& a,
                              const std::string& path) {
  const std::string field = absl::StrCat(path, ".kv_source_layer");
  const uint32_t src = a.kv_source_layer();
  if (i == 0) {
    return Error(field, absl::StrCat(src, " is not an earlier layer (layer 0 has none to reuse ",
                                     "K/V from)"));
  }
  if (src >= static_cast<uint32_t>(i)) {
    return Error(field, absl::StrCat(src, " is not an earlier layer (a layer can only reuse ",
                                     "the K/V of layers 0..", i - 1, ")"));
  }
  const Layer& source_layer = spec.layers(src);
  if (!source_layer.has_attention()) {
    return Error(field, absl::StrCat("layer ", src, " is not an attention layer (it is ",
                                     TokenMixerName(source_layer), ")"));
  }
  const Attention& s = source_layer.attention();
  if (!OwnsKv(s)) {
    return Error(field, absl::StrCat("layer ", src, " computes no K/V of its own (it reuses ",
                                     "layer ", s.kv_source_layer(), "'s); name layer ",
                                     s.kv_source_layer(), " instead"));
  }
  if (a.num_kv_heads() != s.num_kv_heads()) {
    return Error(absl::StrCat(path, ".num_kv_heads"),
                 absl::StrCat(a.num_kv_heads(), " differs from that of KV source layer ", src, " (",
                              s.num_kv_heads(), ")"));
  }
  if (a.head_dim() != s.head_dim()) {
    return Error(absl::StrCat(path, ".head_dim"),
                 absl::StrCat(a.head_dim(), " differs from that of KV source layer ", src, " (",
                              s.head_dim(), ")"));
  }
  if (s.sliding_window() > 0 &&
      (a.sliding_window() == 0 || a.sliding_window() > s.sliding_window())) {
    return Error(absl::StrCat(path, ".sliding_window"),
                 absl::StrCat(a.sliding_window(), " must be in 1..", s.sliding_window(),
                              ": KV source layer ", src, " keeps only its last ",
                              s.sliding_window(), " positions"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAttention(const ArchSpec& spec, int i, const Attention& a,
                               const ValidationLimits& limits) {
  const std::string path = absl::StrCat("layers[", i, "].attention");
  if (auto s = CheckSize(path + ".num_heads", a.num_heads(), limits.max_heads, "max_heads");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckSize(path + ".num_kv_heads", a.num_kv_heads(), limits.max_heads, "max_heads");
      !s.ok()) {
    return s;
  }
  if (a.num_heads() % a.num_kv_heads() != 0) {
    return Error(
        path + ".num_kv_heads",
        absl::StrCat(a.num_kv_heads(), " does not divide num_heads (", a.num_heads(), ")"));
  }
  if (auto s = CheckSize(path + ".head_dim", a.head_dim(), limits.max_head_dim, "max_head_dim");
      !s.ok()) {
    return s;
  }
  if (a.head_dim() % 2 != 0) {
    return Error(path + ".head_dim", absl::StrCat(a.head_dim(),
                                                  " must be even (RoPE rotates half the head "
                                                  "against the other half)"));
  }
  if (auto s = CheckWidth(path, a.num_heads(), a.head_dim(), limits); !s.ok()) return s;
  if (!std::isfinite(a.rope_theta()) || a.rope_theta() <= 0) {
    return Error(path + ".rope_theta",
                 absl::StrCat("must be finite and > 0, e.g. 1e6 (got ", a.rope_theta(), ")"));
  }
  if (a.sliding_window() > limits.max_sliding_window) {
    return Error(path + ".sliding_window",
                 absl::StrCat(a.sliding_window(), " exceeds the limit of ",
                              limits.max_sliding_window, " (ValidationLimits.max_sliding_window)"));
  }
  if (a.has_kv_source_layer()) return ValidateKvSource(spec, i, a, path);
  return absl::OkStatus();
}

absl::Status ValidateShortConv(int i, const ShortConv& c, const ValidationLimits& limits) {
  const std::string path = absl::StrCat("layers[", i, "].short_conv");
  if (c.kernel_size() < limits.min_kernel_size || c.kernel_size() > limits.max_kernel_size) {
    return Error(path + ".kernel_size",
                 absl::StrCat(c.kernel_size(), " is out of range [", limits.min_kernel_size, ", ",
                              limits.max_kernel_size, "]"));
  }
  if (c.gating() == ShortConv::GATING_UNSPECIFIED || !ShortConv::Gating_IsValid(c.gating())) {
    return Error(path + ".gating", absl::StrCat(c.gating() == ShortConv::GATING_UNSPECIFIED
                                                    ? std::string("must be set")
                                                    : absl::StrCat(static_cast<int>(c.gating()),
                                                                   " is not a known gating"),
                                                " (DOUBLE, OUTPUT_ONLY or NONE)"));
  }
  return absl::OkStatus();
}

absl::Status ValidateRecurrence(int i, const Recurrence& r, const ValidationLimits& limits) {
  const std::string path = absl::StrCat("layers[", i, "].recurrence");
  if (auto s = CheckSize(path + ".num_heads", r.num_heads(), limits.max_heads, "max_heads");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckSize(path + ".head_dim", r.head_dim(), limits.max_head_dim, "max_head_dim");
      !s.ok()) {
    return s;
  }
  return CheckWidth(path, r.num_heads(), r.head_dim(), limits);
}

// A scalar field's value as the text format writes it: "8", "true", "1e+06", "DOUBLE".
std::string FieldText(const google::protobuf::Message& m,
                      const google::protobuf::FieldDescriptor* field) {
  std::string out;
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  printer.PrintFieldValueToString(m, field, -1, &out);
  return out;
}

// The first difference between a weight sharer (layer i) and its source, as "the token
// mixer (this layer: attention, layer 1: short_conv)" or "attention.num_heads (this layer:
// 8, layer 1: 16)"; empty when every field of both mixers is equal except
// attention.kv_source_layer. Generic over the fields, so a field added later is compared too.
std::string FirstDifference(const Layer& layer, const Layer& source, uint32_t src) {
  using google::protobuf::FieldDescriptor;
  using google::protobuf::Message;
  const google::protobuf::Descriptor* descriptor = Layer::descriptor();
  const google::protobuf::Reflection* reflection = Layer::GetReflection();
  const std::string theirs = absl::StrCat(", layer ", src, ": ");
  for (int o = 0; o < descriptor->real_oneof_decl_count(); ++o) {  // the two mixers
    const google::protobuf::OneofDescriptor* oneof = descriptor->oneof_decl(o);
    const FieldDescriptor* mine = reflection->GetOneofFieldDescriptor(layer, oneof);
    const FieldDescriptor* other = reflection->GetOneofFieldDescriptor(source, oneof);
    if (mine != other) {  // both are set: validated before
      std::string kind = oneof->name();
      for (char& c : kind) c = c == '_' ? ' ' : c;
      return absl::StrCat("the ", kind, " (this layer: ", mine->name(), theirs, other->name(),
                          ")");
    }
    const Message& a = reflection->GetMessage(layer, mine);
    const Message& b = reflection->GetMessage(source, other);
    for (int f = 0; f < a.GetDescriptor()->field_count(); ++f) {
      const FieldDescriptor* field = a.GetDescriptor()->field(f);
      if (field->full_name() == "nas.Attention.kv_source_layer") continue;
      const std::string x = FieldText(a, field), y = FieldText(b, field);
      if (x != y) {
        return absl::StrCat(mine->name(), ".", field->name(), " (this layer: ", x, theirs, y,
                            ")");
      }
    }
  }
  return "";
}

absl::Status ValidateWeightSource(const ArchSpec& spec, int i) {
  const std::string field = absl::StrCat("layers[", i, "].weight_source_layer");
  const Layer& layer = spec.layers(i);
  const uint32_t src = layer.weight_source_layer();
  if (i == 0) {
    return Error(field, absl::StrCat(src, " is not an earlier layer (layer 0 has none to take ",
                                     "weights from)"));
  }
  if (src >= static_cast<uint32_t>(i)) {
    return Error(field, absl::StrCat(src, " is not an earlier layer (a layer can only use the ",
                                     "weights of layers 0..", i - 1, ")"));
  }
  const Layer& source = spec.layers(src);
  if (!OwnsWeights(source)) {
    return Error(field, absl::StrCat("layer ", src, " shares the weights of layer ",
                                     source.weight_source_layer(), " itself; name layer ",
                                     source.weight_source_layer(), " instead"));
  }
  if (const std::string diff = FirstDifference(layer, source, src); !diff.empty()) {
    return Error(field, absl::StrCat("layer ", src, " differs in ", diff));
  }
  if (source.has_attention() && !OwnsKv(source.attention()) && OwnsKv(layer.attention())) {
    return Error(field, absl::StrCat("layer ", src, " has no K/V projections (it reuses layer ",
                                     source.attention().kv_source_layer(), "'s K/V), so only ",
                                     "a layer that also sets attention.kv_source_layer can use ",
                                     "its weights"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLayer(const ArchSpec& spec, int i, const ValidationLimits& limits) {
  const Layer& layer = spec.layers(i);
  const std::string path = absl::StrCat("layers[", i, "]");
  absl::Status status;
  switch (layer.token_mixer_case()) {
    case Layer::kAttention:
      status = ValidateAttention(spec, i, layer.attention(), limits);
      break;
    case Layer::kShortConv:
      status = ValidateShortConv(i, layer.short_conv(), limits);
      break;
    case Layer::kRecurrence:
      status = ValidateRecurrence(i, layer.recurrence(), limits);
      break;
    default:
      return Error(path, "no token mixer (set attention, short_conv or recurrence)");
  }
  if (!status.ok()) return status;
  switch (layer.channel_mixer_case()) {
    case Layer::kSwiglu:
      status = CheckSize(path + ".swiglu.hidden", layer.swiglu().hidden(), limits.max_hidden,
                         "max_hidden");
      break;
    case Layer::kGeluMlp:
      status = CheckSize(path + ".gelu_mlp.hidden", layer.gelu_mlp().hidden(),
                         limits.max_hidden, "max_hidden");
      break;
    case Layer::kNoChannelMixer:
      break;
    default:
      return Error(path, "no channel mixer (set swiglu, gelu_mlp or no_channel_mixer)");
  }
  if (!status.ok()) return status;
  if (layer.has_weight_source_layer()) return ValidateWeightSource(spec, i);
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateArchSpec(const ArchSpec& spec, const ValidationLimits& limits) {
  if (!IsValidUtf8(spec.name())) return Error("name", "not valid UTF-8");
  if (auto s = CheckSize("vocab_size", spec.vocab_size(), limits.max_vocab_size, "max_vocab_size");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckSize("d_model", spec.d_model(), limits.max_d_model, "max_d_model"); !s.ok()) {
    return s;
  }
  const float eps = spec.norm_eps();
  if (!std::isfinite(eps) || eps <= 0 || eps > 0.1f) {
    return Error("norm_eps",
                 absl::StrCat("must be finite and in (0, 0.1], e.g. 1e-5 (got ", eps, ")"));
  }
  if (spec.layers_size() == 0) return Error("layers", "no layers (at least one is required)");
  if (static_cast<uint64_t>(spec.layers_size()) > limits.max_layers) {
    return Error("layers", absl::StrCat(spec.layers_size(), " layers exceed the limit of ",
                                        limits.max_layers, " (ValidationLimits.max_layers)"));
  }
  for (int i = 0; i < spec.layers_size(); ++i) {
    if (auto s = ValidateLayer(spec, i, limits); !s.ok()) return s;
  }
  // Only now is the spec structurally sound enough for the weight layout.
  const uint64_t parameters = CountParameters(spec);
  if (parameters > limits.max_parameters) {
    return Error("spec", absl::StrCat(WithCommas(parameters), " parameters exceed the cap of ",
                                      WithCommas(limits.max_parameters),
                                      " (ValidationLimits.max_parameters)"));
  }
  return absl::OkStatus();
}

}  // namespace nas::liv
