#include "liv/runtime/weights.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/str_cat.h"
#include "liv/runtime/memory_plan.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Uniform in [-1, 1), a pure function of (key, index).
inline float UniformSigned(uint64_t key, uint64_t index) {
  const uint64_t bits = SplitMix64(key ^ (index * 0xD1B54A32D192ED03ull));
  return static_cast<float>(bits >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

void FreeAligned(float* p) { std::free(p); }

}  // namespace

absl::StatusOr<std::unique_ptr<ModelWeights>> ModelWeights::Random(const ArchSpec& spec,
                                                                  uint64_t seed,
                                                                  ThreadPool& pool) {
  std::unique_ptr<ModelWeights> w(new ModelWeights());
  w->layout_ = WeightLayout(spec);
  uint64_t floats = 0;
  for (const TensorShape& t : w->layout_) {
    w->offsets_.push_back(floats);
    floats += AlignedFloats(t.elements());
  }
  w->bytes_ = floats * sizeof(float);
  float* data = static_cast<float*>(std::aligned_alloc(64, w->bytes_ ? w->bytes_ : 64));
  if (data == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate ", w->bytes_, " bytes of weights"));
  }
  w->data_ = {data, FreeAligned};

  for (size_t i = 0; i < w->layout_.size(); ++i) {
    const TensorShape& t = w->layout_[i];
    const uint64_t key = SplitMix64(seed * 0x9E3779B97F4A7C15ull + i + 1);
    float scale = 0, offset = 0;
    switch (t.role) {
      case TensorRole::kNorm: scale = 0.1f, offset = 1.0f; break;
      default: scale = std::sqrt(3.0f / static_cast<float>(t.cols)); break;  // std 1/sqrt(cols)
    }
    float* dst = data + w->offsets_[i];
    const uint64_t n = t.elements();
    const uint64_t padded = AlignedFloats(n);
    pool.Run([&](int thread) {
      auto [begin, end] = ThreadPool::Slice(padded, thread, pool.size(), 1024);
      for (uint64_t j = begin; j < end; ++j) {
        dst[j] = j < n ? offset + scale * UniformSigned(key, j) : 0.0f;
      }
    });
  }
  w->BindPointers(spec);
  return w;
}

float* ModelWeights::mutable_tensor(std::string_view name) {
  for (size_t i = 0; i < layout_.size(); ++i) {
    if (layout_[i].name == name) return data_.get() + offsets_[i];
  }
  return nullptr;
}

void ModelWeights::BindPointers(const ArchSpec& spec) {
  layers_.assign(spec.layers_size(), LayerWeights{});
  for (size_t i = 0; i < layout_.size(); ++i) {
    const TensorShape& t = layout_[i];
    const float* p = data_.get() + offsets_[i];
    if (t.layer < 0) {
      if (t.name == "token_embd") embedding_ = p;
      if (t.name == "output_norm") output_norm_ = p;
      if (t.name == "output") output_ = p;
      continue;
    }
    const std::string suffix = t.name.substr(t.name.find('.', 4) + 1);
    LayerWeights& l = layers_[t.layer];
    const std::pair<const char*, const float**> slots[] = {
        {"attn_norm", &l.attn_norm}, {"attn_q", &l.q}, {"attn_k", &l.k}, {"attn_v", &l.v},
        {"attn_output", &l.o}, {"attn_q_norm", &l.q_norm}, {"attn_k_norm", &l.k_norm},
        {"shortconv.in_proj", &l.conv_in}, {"shortconv.conv", &l.conv_taps},
        {"shortconv.out_proj", &l.conv_out}, {"rec_q", &l.rec_q}, {"rec_k", &l.rec_k},
        {"rec_v", &l.rec_v}, {"rec_decay", &l.rec_decay}, {"rec_gate", &l.rec_gate},
        {"rec_output", &l.rec_out}, {"ffn_norm", &l.ffn_norm}, {"ffn_gate", &l.ffn_gate},
        {"ffn_up", &l.ffn_up}, {"ffn_down", &l.ffn_down}};
    for (const auto& [name, slot] : slots) {
      if (suffix == name) *slot = p;
    }
  }
  if (output_ == nullptr) output_ = embedding_;
  // A weight-sharing layer points at its source's tensors (stored once, never copied);
  // one that reuses another layer's K/V reads no K/V projections of its source.
  for (int i = 0; i < spec.layers_size(); ++i) {
    const int owner = WeightOwner(spec, i);
    if (owner == i) continue;
    LayerWeights& l = layers_[i];
    l = layers_[owner];
    if (spec.layers(i).has_attention() && !OwnsKv(spec.layers(i).attention())) {
      l.k = l.v = l.k_norm = nullptr;
    }
  }
}

}  // namespace nas::liv
