// The weights of a model in f32, held in one 64-byte-aligned allocation laid out in
// WeightLayout order, with per-layer pointers for the executor. A layer that shares
// another's weights (weight_source_layer) has no storage of its own: its pointers are its
// source's. Random weights are
// deterministic from a seed through a counter-based generator, so they do not depend on
// the thread count (speed does not depend on values, numerics tests do). Immutable after
// creation: thread-safe to share between sessions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/model/weight_layout.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

class ThreadPool;

// Pointers of one layer; null where the layer has no such tensor. A weight-sharing layer's
// point into its source's tensors.
struct LayerWeights {
  const float* attn_norm = nullptr;  // the token mixer's pre-norm
  // attention
  const float* q = nullptr;
  const float* k = nullptr;
  const float* v = nullptr;
  const float* o = nullptr;
  const float* q_norm = nullptr;
  const float* k_norm = nullptr;
  // short convolution
  const float* conv_in = nullptr;
  const float* conv_taps = nullptr;
  const float* conv_out = nullptr;
  // recurrence
  const float* rec_q = nullptr;
  const float* rec_k = nullptr;
  const float* rec_v = nullptr;
  const float* rec_decay = nullptr;
  const float* rec_gate = nullptr;
  const float* rec_out = nullptr;
  // channel mixer
  const float* ffn_norm = nullptr;
  const float* ffn_gate = nullptr;
  const float* ffn_up = nullptr;
  const float* ffn_down = nullptr;
};

class ModelWeights {
 public:
  // Deterministic random weights: matrices and the embedding uniform with standard
  // deviation 1/sqrt(cols), norm weights 1 +- 0.1, conv taps 1/sqrt(kernel_size). Each
  // stored tensor draws from its own stream keyed by its position in the layout (a
  // weight-sharing layer stores none, so it draws nothing).
  static absl::StatusOr<std::unique_ptr<ModelWeights>> Random(const ArchSpec& spec,
                                                             uint64_t seed,
                                                             ThreadPool& pool);

  const float* embedding() const { return embedding_; }
  const float* output_norm() const { return output_norm_; }
  const float* output() const { return output_; }  // the embedding when tied
  const LayerWeights& layer(int i) const { return layers_[i]; }
  uint64_t bytes() const { return bytes_; }

  // A tensor by WeightLayout name (for tests and export); null if absent (a weight-sharing
  // layer's tensors go by its source's names).
  float* mutable_tensor(std::string_view name);
  const std::vector<TensorShape>& layout() const { return layout_; }

 private:
  ModelWeights() = default;
  void BindPointers(const ArchSpec& spec);

  std::vector<TensorShape> layout_;
  std::vector<uint64_t> offsets_;  // in floats, per layout_ entry
  std::unique_ptr<float, void (*)(float*)> data_{nullptr, nullptr};
  uint64_t bytes_ = 0;
  const float* embedding_ = nullptr;
  const float* output_norm_ = nullptr;
  const float* output_ = nullptr;
  std::vector<LayerWeights> layers_;
};

}  // namespace nas::liv
