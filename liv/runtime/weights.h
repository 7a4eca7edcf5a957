// The weights of a model, held in one allocation laid out in WeightLayout order (each
// tensor 64-byte aligned), with per-layer views for the executor. Matrices and the
// embedding are stored in the model's weight type (weight_matrix.h: f32, f16, Q8_0, Q4_0,
// 8da4w, quantized from the f32 values at creation), norms and conv taps in f32. A layer that shares
// another's weights (weight_source_layer) has no storage of its own: its pointers are its
// source's. Random weights are
// deterministic from a seed through a counter-based generator, so they do not depend on
// the thread count (speed does not depend on values, numerics tests do). Weights can also
// come from a WeightSource (a file): matrices it already holds in their storage type are
// used in place when it keeps them alive and the kernels take them as they are, copied (and
// interleaved) otherwise; norms and conv taps are always copied (they are small). Immutable after creation: thread-safe to share between sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/weight_matrix.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

class ThreadPool;

// Views of one layer; empty / null where the layer has no such tensor. A weight-sharing
// layer's point into its source's tensors.
struct LayerWeights {
  const float* attn_norm = nullptr;  // the token mixer's pre-norm
  // attention
  WeightMatrix q, k, v, o;
  const float* q_norm = nullptr;
  const float* k_norm = nullptr;
  // short convolution
  WeightMatrix conv_in;
  const float* conv_taps = nullptr;
  WeightMatrix conv_out;
  // recurrence
  WeightMatrix rec_q, rec_k, rec_v, rec_decay, rec_gate, rec_out;
  // channel mixer
  const float* ffn_norm = nullptr;
  WeightMatrix ffn_gate, ffn_up, ffn_down;
};

// Where ModelWeights::FromSource gets each stored tensor (`index` is its position in
// WeightLayout(spec)). Called from several threads at once for different rows.
class WeightSource {
 public:
  virtual ~WeightSource() = default;
  // The tensor's rows already in `storage` (contiguous rows of RowBytes(storage, t.cols),
  // not interleaved), or null when the source holds it in another type.
  virtual const uint8_t* StoredRows(size_t index, const TensorShape& t, WeightType storage) const {
    return nullptr;
  }
  // Keeps StoredRows' bytes valid while held; null when they may not outlive the source
  // (then they are always copied).
  virtual std::shared_ptr<const void> Keepalive() const { return nullptr; }
  // Rows [begin, end) of the tensor as f32, row-major, at `out`.
  virtual void RowsToF32(size_t index, const TensorShape& t, uint64_t begin, uint64_t end,
                         float* out) const = 0;
  // Once a tensor's StoredRows were copied: they are no longer needed.
  virtual void Copied(size_t index, const TensorShape& t) const {}
};

class ModelWeights {
 public:
  // Deterministic random weights: matrices and the embedding uniform with standard
  // deviation 1/sqrt(cols), norm weights 1 +- 0.1, conv taps 1/sqrt(kernel_size). Each
  // stored tensor draws from its own stream keyed by its position in the layout (a
  // weight-sharing layer stores none, so it draws nothing); the values do not depend on
  // `type`, which only decides how they are stored (so a Q8_0 model approximates the f32
  // model of the same seed).
  static absl::StatusOr<std::unique_ptr<ModelWeights>> Random(const ArchSpec& spec,
                                                             WeightType type, uint64_t seed,
                                                             ThreadPool& pool);

  // Weights from `source`: matrices and the embedding stored in `type` (StorageType), the
  // rest in f32.
  static absl::StatusOr<std::unique_ptr<ModelWeights>> FromSource(const ArchSpec& spec,
                                                                 WeightType type,
                                                                 const WeightSource& source,
                                                                 ThreadPool& pool);

  const WeightMatrix& embedding() const { return embedding_; }
  const float* output_norm() const { return output_norm_; }
  const WeightMatrix& output() const { return output_; }  // the embedding when tied
  const LayerWeights& layer(int i) const { return layers_[i]; }
  uint64_t bytes() const { return bytes_; }            // owned (allocated) bytes
  uint64_t borrowed_bytes() const { return borrowed_bytes_; }  // used in place from a source

  // An f32-stored tensor by WeightLayout name (for tests and export); null if absent or
  // not stored in f32 (a weight-sharing layer's tensors go by its source's names); the
  // mutable one also null for a tensor used in place from a source.
  float* mutable_tensor(std::string_view name);
  const float* tensor(std::string_view name) const;
  const std::vector<TensorShape>& layout() const { return layout_; }

 private:
  ModelWeights() = default;
  void BindPointers(const ArchSpec& spec);

  std::vector<TensorShape> layout_;
  std::vector<const uint8_t*> tensor_data_;  // per layout_ entry
  std::vector<WeightType> storage_;           // per layout_ entry
  std::unique_ptr<uint8_t, void (*)(uint8_t*)> data_{nullptr, nullptr};
  std::shared_ptr<const void> keepalive_;     // of the borrowed tensors' bytes
  uint64_t bytes_ = 0;
  uint64_t borrowed_bytes_ = 0;
  WeightMatrix embedding_;
  const float* output_norm_ = nullptr;
  WeightMatrix output_;
  std::vector<LayerWeights> layers_;
};

}  // namespace nas::liv
