#include "liv/formats/lfm2_gguf_import.h"

#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/gguf_dequantize.h"
#include "liv/formats/lfm2_gguf_layout.h"
#include "liv/model/arch_spec_validate.h"

namespace nas::liv {
namespace {

absl::Status BadKey(std::string_view key, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("metadata key ", std::string(key), ": ", std::string(why)));
}

// An integer of any GGUF integer type as int64 (a u64 beyond int64 as -1, so that the
// range checks reject it), else nullopt.
template <typename T>
std::optional<int64_t> AsInt(const T& v) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if constexpr (std::is_unsigned_v<T>) {
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return -1;
    }
    return static_cast<int64_t>(v);
  } else {
    return std::nullopt;
  }
}

absl::StatusOr<uint32_t> ToUint32(std::string_view key, const GgufValue& value) {
  const std::optional<int64_t> v = std::visit([](const auto& x) { return AsInt(x); }, value);
  if (!v) return BadKey(key, absl::StrCat("expected an integer, got ", DescribeType(value)));
  if (*v < 0 || *v > std::numeric_limits<uint32_t>::max()) {
    return BadKey(key, absl::StrCat("value ", *v, " out of range"));
  }
  return static_cast<uint32_t>(*v);
}

absl::StatusOr<uint32_t> GetUint(const GgufMetadata& md, std::string_view key) {
  const GgufValue* value = md.Find(key);
  if (value == nullptr)
    return absl::NotFoundError(absl::StrCat("missing metadata key ", std::string(key)));
  return ToUint32(key, *value);
}

// A scalar (the same for every layer) or a per-layer integer array of `n` entries.
absl::StatusOr<std::vector<uint32_t>> GetPerLayer(const GgufMetadata& md, std::string_view key,
                                                  uint32_t n) {
  const GgufValue* value = md.Find(key);
  if (value == nullptr)
    return absl::NotFoundError(absl::StrCat("missing metadata key ", std::string(key)));
  const auto* array = std::get_if<GgufArray>(value);
  if (array == nullptr) {
    NAS_ASSIGN_OR_RETURN(uint32_t v, ToUint32(key, *value));
    return std::vector<uint32_t>(n, v);
  }
  if (array->size() != n) {
    return BadKey(key, absl::StrCat("array of ", array->size(), " entries, block_count is ", n));
  }
  std::vector<uint32_t> out;
  absl::Status status;
  std::visit(
      [&](const auto& elements) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(elements)>, std::monostate>) {
          for (const auto& e : elements) {
            const std::optional<int64_t> v = AsInt(e);
            if (!v || *v < 0 || *v > std::numeric_limits<uint32_t>::max()) {
              status = BadKey(
                  key, absl::StrCat("expected non-negative integers, got ", DescribeType(*value)));
              return;
            }
            out.push_back(static_cast<uint32_t>(*v));
          }
        }
      },
      array->elements);
  NAS_RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<float> GetFloat(const GgufMetadata& md, std::string_view key) {
  const GgufValue* value = md.Find(key);
  if (value == nullptr)
    return absl::NotFoundError(absl::StrCat("missing metadata key ", std::string(key)));
  if (const auto* f = std::get_if<float>(value)) return *f;
  if (const auto* f = std::get_if<double>(value)) return static_cast<float>(*f);
  return BadKey(key, absl::StrCat("expected FLOAT32, got ", DescribeType(*value)));
}

absl::StatusOr<uint32_t> GetVocab(const GgufMetadata& md, std::optional<uint32_t> fallback) {
  if (md.Find("lfm2.vocab_size") != nullptr) return GetUint(md, "lfm2.vocab_size");
  if (md.Find("tokenizer.ggml.tokens") != nullptr) {
    NAS_ASSIGN_OR_RETURN(const std::vector<std::string>* tokens,
                         md.GetStringArray("tokenizer.ggml.tokens"));
    return static_cast<uint32_t>(tokens->size());
  }
  if (fallback) return *fallback;
  return absl::NotFoundError("missing metadata key lfm2.vocab_size (and no tokenizer.ggml.tokens)");
}

// The runtime type whose stored rows are byte for byte this GGUF type's, if any.
std::optional<WeightType> SameLayoutType(GgmlType type) {
  switch (type) {
    case GgmlType::kF32: return WeightType::kF32;
    case GgmlType::kF16: return WeightType::kF16;
    case GgmlType::kQ8_0: return WeightType::kQ8_0;
    case GgmlType::kQ4_0: return WeightType::kQ4_0;
    default: return std::nullopt;
  }
}

// The runtime type a GGUF tensor type is held in: its own layout, else BF16 widened
// exactly to f32, and the K-quants (no kernels) in the type of about as many bits.
WeightType RuntimeTypeOf(GgmlType type) {
  if (std::optional<WeightType> same = SameLayoutType(type)) return *same;
  switch (type) {
    case GgmlType::kQ4_K: return WeightType::kQ4_0;
    case GgmlType::kQ6_K: return WeightType::kQ8_0;
    default: return WeightType::kF32;
  }
}

// The file's tensor for `t` (the final norm under either name); null when absent.
const GgufTensorInfo* FindTensorFor(const GgufReader& reader, const Lfm2GgufTensor& t) {
  if (t.gguf_name != kLfm2FinalNormName) return reader.FindTensor(t.gguf_name);
  const GgufTensorInfo* info = reader.FindTensor(kLfm2FinalNormName);
  return info != nullptr ? info : reader.FindTensor(kLfm2FinalNormAltName);
}

// Every expected tensor with its dims (and the final norm under either name), and no other.
absl::Status CheckTensors(const GgufReader& reader, const ArchSpec& spec) {
  if (reader.FindTensor(kLfm2FinalNormName) != nullptr &&
      reader.FindTensor(kLfm2FinalNormAltName) != nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(reader.source(), ": both ", kLfm2FinalNormName,
                                                   " and ", kLfm2FinalNormAltName, " are present"));
  }
  std::set<std::string> expected;
  for (const Lfm2GgufTensor& t : Lfm2GgufTensors(spec)) {
    const GgufTensorInfo* info = FindTensorFor(reader, t);
    if (info == nullptr) {
      return absl::NotFoundError(absl::StrCat(reader.source(), ": missing tensor ", t.gguf_name,
                                              " (expected dims ", DimsString(t.dims), ")"));
    }
    if (info->dims != t.dims) {
      return absl::InvalidArgumentError(absl::StrCat(
          reader.source(), ": tensor ", info->name, " has dims ", DimsString(info->dims),
          ", expected ", DimsString(t.dims), " (innermost first)"));
    }
    expected.insert(info->name);
  }
  for (const GgufTensorInfo& info : reader.tensors()) {
    if (!expected.count(info.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.source(), ": unexpected tensor ", info.name, " for this lfm2 model"));
    }
  }
  return absl::OkStatus();
}

// The file's tensors (in WeightLayout order) as a WeightSource: used in place when
// their type is the storage type, else dequantized; the pages of copied tensors are
// released.
class GgufWeightSource final : public WeightSource {
 public:
  GgufWeightSource(const GgufReader& reader, std::vector<const GgufTensorInfo*> infos)
      : reader_(reader), infos_(std::move(infos)) {}

  const uint8_t* StoredRows(size_t index, const TensorShape& t,
                            WeightType storage) const override {
    const GgufTensorInfo& info = *infos_[index];
    return SameLayoutType(info.type) == storage ? reader_.TensorData(info).data() : nullptr;
  }
  std::shared_ptr<const void> Keepalive() const override { return reader_.mapping(); }
  void RowsToF32(size_t index, const TensorShape& t, uint64_t begin, uint64_t end,
                 float* out) const override {
    const GgufTensorInfo& info = *infos_[index];
    const uint64_t row_bytes = t.cols / GgmlBlockElements(info.type) * GgmlBlockBytes(info.type);
    DequantizeInto(info.type, (end - begin) * t.cols,
                   reader_.TensorData(info).data() + begin * row_bytes, out);
  }
  void Copied(size_t index, const TensorShape& t) const override {
    if (reader_.mapping() != nullptr) reader_.mapping()->Release(reader_.TensorData(*infos_[index]));
  }

 private:
  const GgufReader& reader_;
  std::vector<const GgufTensorInfo*> infos_;
};

// Lfm2GgufWeightType of a file whose tensors were checked against `spec`.
WeightType WeightTypeOf(const GgufReader& reader, const ArchSpec& spec) {
  std::map<WeightType, uint64_t> bytes_by_type;
  for (const Lfm2GgufTensor& t : Lfm2GgufTensors(spec)) {
    if (t.keep_f32) continue;
    const GgufTensorInfo* info = FindTensorFor(reader, t);
    bytes_by_type[RuntimeTypeOf(info->type)] += info->byte_size;
  }
  WeightType best = WeightType::kF32;
  uint64_t most = 0;
  for (const auto& [type, bytes] : bytes_by_type) {
    if (bytes > most) best = type, most = bytes;
  }
  return best;
}

}  // namespace

absl::StatusOr<ArchSpec> Lfm2ArchSpecFromMetadata(const GgufMetadata& md, bool tie_embeddings,
                                                  std::optional<uint32_t> fallback_vocab) {
  NAS_ASSIGN_OR_RETURN(std::string arch, md.GetString("general.architecture"));
  if (arch != kLfm2Architecture) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported architecture ", arch, " (only ", kLfm2Architecture, ")"));
  }
  ArchSpec spec;
  if (md.Find("general.name") != nullptr) {
    NAS_ASSIGN_OR_RETURN(std::string name, md.GetString("general.name"));
    spec.set_name(name);
  }
  NAS_ASSIGN_OR_RETURN(uint32_t vocab, GetVocab(md, fallback_vocab));
  spec.set_vocab_size(vocab);
  NAS_ASSIGN_OR_RETURN(uint32_t d, GetUint(md, "lfm2.embedding_length"));
  spec.set_d_model(d);
  NAS_ASSIGN_OR_RETURN(float eps, GetFloat(md, "lfm2.attention.layer_norm_rms_epsilon"));
  spec.set_norm_eps(eps);
  spec.set_tie_embeddings(tie_embeddings);
  if (md.Find("lfm2.context_length") != nullptr) {
    NAS_ASSIGN_OR_RETURN(uint32_t context, GetUint(md, "lfm2.context_length"));
    spec.set_context_length(context);
  }
  NAS_ASSIGN_OR_RETURN(uint32_t n, GetUint(md, "lfm2.block_count"));
  if (n == 0 || n > ValidationLimits{}.max_layers) {
    return BadKey("lfm2.block_count", absl::StrCat("value ", n, " out of range"));
  }
  NAS_ASSIGN_OR_RETURN(std::vector<uint32_t> kv_heads,
                       GetPerLayer(md, "lfm2.attention.head_count_kv", n));
  NAS_ASSIGN_OR_RETURN(std::vector<uint32_t> ff, GetPerLayer(md, "lfm2.feed_forward_length", n));
  bool any_attention = false, any_conv = false;
  for (uint32_t kv : kv_heads) (kv != 0 ? any_attention : any_conv) = true;
  std::vector<uint32_t> heads;
  std::optional<uint32_t> key_length;
  float theta = 0;
  if (any_attention) {
    NAS_ASSIGN_OR_RETURN(heads, GetPerLayer(md, "lfm2.attention.head_count", n));
    NAS_ASSIGN_OR_RETURN(theta, GetFloat(md, "lfm2.rope.freq_base"));
    if (md.Find("lfm2.attention.key_length") != nullptr) {
      NAS_ASSIGN_OR_RETURN(key_length, GetUint(md, "lfm2.attention.key_length"));
      if (md.Find("lfm2.attention.value_length") != nullptr) {
        NAS_ASSIGN_OR_RETURN(uint32_t value_length, GetUint(md, "lfm2.attention.value_length"));
        if (value_length != *key_length) {
          return BadKey("lfm2.attention.value_length",
                        absl::StrCat(value_length, " differs from key_length ", *key_length));
        }
      }
    }
  }
  uint32_t l_cache = 0;
  if (any_conv) {
    NAS_ASSIGN_OR_RETURN(l_cache, GetUint(md, "lfm2.shortconv.l_cache"));
  }
  for (uint32_t i = 0; i < n; ++i) {
    Layer* layer = spec.add_layers();
    if (kv_heads[i] == 0) {
      ShortConv* conv = layer->mutable_short_conv();
      conv->set_kernel_size(l_cache);
      conv->set_gating(ShortConv::DOUBLE);
    } else {
      if (heads[i] == 0 || (!key_length && d % heads[i] != 0)) {
        return BadKey("lfm2.attention.head_count",
                      absl::StrCat("layer ", i, ": ", heads[i], " heads do not divide ",
                                   "embedding_length ", d, " (and no key_length)"));
      }
      Attention* a = layer->mutable_attention();
      a->set_num_heads(heads[i]);
      a->set_num_kv_heads(kv_heads[i]);
      a->set_head_dim(key_length ? *key_length : d / heads[i]);
      a->set_qk_norm(true);
      a->set_rope_theta(theta);
    }
    layer->mutable_swiglu()->set_hidden(ff[i]);
  }
  if (absl::Status s = ValidateArchSpec(spec); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the lfm2 metadata describes an invalid model: ", s.message()));
  }
  return spec;
}

absl::StatusOr<ArchSpec> Lfm2ArchSpecFromGguf(const GgufReader& reader) {
  std::optional<uint32_t> fallback_vocab;
  if (const GgufTensorInfo* embd = reader.FindTensor("token_embd");
      embd != nullptr && embd->dims.size() == 2 && embd->dims[1] > 0 &&
      embd->dims[1] <= std::numeric_limits<uint32_t>::max()) {
    fallback_vocab = static_cast<uint32_t>(embd->dims[1]);
  }
  auto spec = Lfm2ArchSpecFromMetadata(reader.metadata(), reader.FindTensor("output") == nullptr,
                                       fallback_vocab);
  if (!spec.ok()) {
    return absl::Status(spec.status().code(),
                        absl::StrCat(reader.source(), ": ", spec.status().message()));
  }
  NAS_RETURN_IF_ERROR(CheckTensors(reader, *spec));
  return spec;
}

absl::StatusOr<Lfm2GgufHeader> ReadLfm2GgufHeader(const GgufReader& reader) {
  Lfm2GgufHeader header;
  NAS_ASSIGN_OR_RETURN(header.spec, Lfm2ArchSpecFromGguf(reader));
  header.weight_type = WeightTypeOf(reader, header.spec);
  return header;
}

absl::StatusOr<WeightType> Lfm2GgufWeightType(const GgufReader& reader) {
  NAS_ASSIGN_OR_RETURN(Lfm2GgufHeader header, ReadLfm2GgufHeader(reader));
  return header.weight_type;
}

absl::StatusOr<std::shared_ptr<Model>> ImportLfm2Gguf(const GgufReader& reader,
                                                      const Lfm2ImportOptions& options) {
  NAS_ASSIGN_OR_RETURN(ArchSpec spec, Lfm2ArchSpecFromGguf(reader));
  const WeightType type =
      options.weight_type ? *options.weight_type : WeightTypeOf(reader, spec);
  std::vector<const GgufTensorInfo*> infos;
  for (const Lfm2GgufTensor& t : Lfm2GgufTensors(spec)) infos.push_back(FindTensorFor(reader, t));
  return Model::FromSource(spec, type, GgufWeightSource(reader, std::move(infos)),
                           options.threads);
}

}  // namespace nas::liv
