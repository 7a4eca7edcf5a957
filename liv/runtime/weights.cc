#include "liv/runtime/weights.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/splitmix64.h"
#include "liv/quant/interleaved.h"
#include "liv/runtime/large_buffer.h"
#include "liv/runtime/memory_plan.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv {
namespace {

// Uniform in [-1, 1), a pure function of (key, index).
inline float UniformSigned(uint64_t key, uint64_t index) {
  const uint64_t bits = SplitMix64(key ^ (index * 0xD1B54A32D192ED03ull));
  return static_cast<float>(bits >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

void FreeAligned(uint8_t* p) { std::free(p); }


bool StoredInModelType(const TensorShape& t) {
  return t.role == TensorRole::kMatrix || t.role == TensorRole::kEmbedding;
}

// The deterministic random values of ModelWeights::Random: element j of tensor i
// (row-major) is offset + scale * U(key_i, j), whatever the storage type.
class RandomSource final : public WeightSource {
 public:
  explicit RandomSource(uint64_t seed) : seed_(seed) {}
  void RowsToF32(size_t index, const TensorShape& t, uint64_t begin, uint64_t end,
                 float* out) const override {
    const uint64_t key = SplitMix64(seed_ * 0x9E3779B97F4A7C15ull + index + 1);
    float scale = 0, offset = 0;
    switch (t.role) {
      case TensorRole::kNorm: scale = 0.1f, offset = 1.0f; break;
      default: scale = std::sqrt(3.0f / static_cast<float>(t.cols)); break;  // std 1/sqrt(cols)
    }
    for (uint64_t r = begin; r < end; ++r) {
      for (uint64_t c = 0; c < t.cols; ++c) {
        *out++ = offset + scale * UniformSigned(key, r * t.cols + c);
      }
    }
  }

 private:
  uint64_t seed_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ModelWeights>> ModelWeights::Random(const ArchSpec& spec,
                                                                  WeightType type,
                                                                  uint64_t seed,
                                                                  ThreadPool& pool) {
  return FromSource(spec, type, RandomSource(seed), pool);
}

absl::StatusOr<std::unique_ptr<ModelWeights>> ModelWeights::FromSource(const ArchSpec& spec,
                                                                      WeightType type,
                                                                      const WeightSource& source,
                                                                      ThreadPool& pool) {
  std::unique_ptr<ModelWeights> w(new ModelWeights());
  w->layout_ = WeightLayout(spec);
  const size_t n = w->layout_.size();
  const std::shared_ptr<const void> keepalive = source.Keepalive();
  std::vector<const uint8_t*> stored(n);
  std::vector<uint64_t> offsets(n);
  std::vector<bool> borrowed(n);
  uint64_t bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    const TensorShape& t = w->layout_[i];
    const WeightType storage = StoredInModelType(t) ? StorageType(type, t.cols) : WeightType::kF32;
    w->storage_.push_back(storage);
    stored[i] = source.StoredRows(i, t, storage);
    // In place when a matrix (norms and taps are small: copied, so that a file's pages
    // are either all used or all released), kept alive, not to be interleaved, and
    // aligned for its elements.
    const bool borrow = StoredInModelType(t) && stored[i] != nullptr && keepalive != nullptr &&
                        !InterleavedStorage(storage, t.rows, t.cols) &&
                        reinterpret_cast<uintptr_t>(stored[i]) % 4 == 0;
    borrowed[i] = borrow;
    offsets[i] = bytes;
    if (borrow) {
      w->borrowed_bytes_ += t.rows * RowBytes(storage, t.cols);
    } else {
      bytes += Aligned64(t.rows * RowBytes(storage, t.cols));
    }
  }
  w->bytes_ = bytes;
  auto* data = static_cast<uint8_t*>(AllocateLargeBuffer(std::max<uint64_t>(bytes, 64)));
  if (data == nullptr) {
    return absl::ResourceExhaustedError(absl::StrCat("cannot allocate ", bytes, " bytes of weights"));
  }
  w->data_ = {data, FreeAligned};
  if (w->borrowed_bytes_ > 0) w->keepalive_ = keepalive;

  for (size_t i = 0; i < n; ++i) {
    const TensorShape& t = w->layout_[i];
    const WeightType storage = w->storage_[i];
    const uint64_t row_bytes = RowBytes(storage, t.cols);
    if (borrowed[i]) {
      w->tensor_data_.push_back(stored[i]);
      continue;
    }
    uint8_t* dst = data + offsets[i];
    w->tensor_data_.push_back(dst);
    const uint64_t tensor_bytes = Aligned64(t.rows * row_bytes);
    std::memset(dst + t.rows * row_bytes, 0, tensor_bytes - t.rows * row_bytes);
    const bool interleave = InterleavedStorage(storage, t.rows, t.cols);
    pool.Run([&](int thread) {
      // Slices are whole groups of 8 rows (grain 16); an interleaved matrix is made a
      // group at a time, from the source's rows or from rows converted through f32.
      auto [begin, end] = ThreadPool::Slice(t.rows, thread, pool.size(), 16);
      const uint64_t group = interleave ? quant::kInterleavedRows : 1;
      std::vector<float> row(stored[i] != nullptr ? 0 : t.cols);
      std::vector<uint8_t> staging(interleave && stored[i] == nullptr ? group * row_bytes : 0);
      for (uint64_t r = begin; r < end; r += group) {
        uint8_t* target = dst + r * row_bytes;
        const uint8_t* rows = stored[i] != nullptr ? stored[i] + r * row_bytes : nullptr;
        if (rows == nullptr) {
          uint8_t* converted = interleave ? staging.data() : target;
          for (uint64_t k = 0; k < group; ++k) {
            source.RowsToF32(i, t, r + k, r + k + 1, row.data());
            StoreRow(storage, row.data(), t.cols, converted + k * row_bytes);
          }
          rows = converted;
        }
        if (interleave) {
          InterleaveRows(storage, t.cols, rows, target);
        } else if (rows != target) {
          std::memcpy(target, rows, row_bytes);
        }
      }
    });
    if (stored[i] != nullptr) source.Copied(i, t);
  }
  w->BindPointers(spec);
  return w;
}

float* ModelWeights::mutable_tensor(std::string_view name) {
  for (size_t i = 0; i < layout_.size(); ++i) {
    const std::less_equal<const uint8_t*> at_or_after;  // total order across allocations
    const std::less<const uint8_t*> before;
    const bool owned = at_or_after(data_.get(), tensor_data_[i]) &&
                       before(tensor_data_[i], data_.get() + bytes_);
    if (layout_[i].name == name && storage_[i] == WeightType::kF32 && owned) {
      return const_cast<float*>(reinterpret_cast<const float*>(tensor_data_[i]));
    }
  }
  return nullptr;
}

const float* ModelWeights::tensor(std::string_view name) const {
  for (size_t i = 0; i < layout_.size(); ++i) {
    if (layout_[i].name == name && storage_[i] == WeightType::kF32) {
      return reinterpret_cast<const float*>(tensor_data_[i]);
    }
  }
  return nullptr;
}

void ModelWeights::BindPointers(const ArchSpec& spec) {
  layers_.assign(spec.layers_size(), LayerWeights{});
  for (size_t i = 0; i < layout_.size(); ++i) {
    const TensorShape& t = layout_[i];
    const uint8_t* p = tensor_data_[i];
    const WeightMatrix m{storage_[i], p, t.rows, t.cols,
                         InterleavedStorage(storage_[i], t.rows, t.cols)};
    const float* f = reinterpret_cast<const float*>(p);  // for the f32-stored tensors
    if (t.layer < 0) {
      if (t.name == "token_embd") embedding_ = m;
      if (t.name == "output_norm") output_norm_ = f;
      if (t.name == "output") output_ = m;
      continue;
    }
    const std::string suffix = t.name.substr(t.name.find('.', 4) + 1);
    LayerWeights& l = layers_[t.layer];
    const std::pair<const char*, const float**> vectors[] = {
        {"attn_norm", &l.attn_norm}, {"attn_q_norm", &l.q_norm}, {"attn_k_norm", &l.k_norm},
        {"shortconv.conv", &l.conv_taps}, {"ffn_norm", &l.ffn_norm}};
    const std::pair<const char*, WeightMatrix*> matrices[] = {
        {"attn_q", &l.q}, {"attn_k", &l.k}, {"attn_v", &l.v}, {"attn_output", &l.o},
        {"shortconv.in_proj", &l.conv_in}, {"shortconv.out_proj", &l.conv_out},
        {"rec_q", &l.rec_q}, {"rec_k", &l.rec_k}, {"rec_v", &l.rec_v},
        {"rec_decay", &l.rec_decay}, {"rec_gate", &l.rec_gate}, {"rec_output", &l.rec_out},
        {"ffn_gate", &l.ffn_gate}, {"ffn_up", &l.ffn_up}, {"ffn_down", &l.ffn_down}};
    for (const auto& [name, slot] : vectors) {
      if (suffix == name) *slot = f;
    }
    for (const auto& [name, slot] : matrices) {
      if (suffix == name) *slot = m;
    }
  }
  if (!output_) output_ = embedding_;
  // A weight-sharing layer points at its source's tensors (stored once, never copied);
  // one that reuses another layer's K/V reads no K/V projections of its source.
  for (int i = 0; i < spec.layers_size(); ++i) {
    const int owner = WeightOwner(spec, i);
    if (owner == i) continue;
    LayerWeights& l = layers_[i];
    l = layers_[owner];
    if (spec.layers(i).has_attention() && !OwnsKv(spec.layers(i).attention())) {
      l.k = l.v = WeightMatrix{};
      l.k_norm = nullptr;
    }
  }
}

}  // namespace nas::liv
