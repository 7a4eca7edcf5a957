// The executor. A Model is an ArchSpec with its weights (immutable, shareable). A Session
// runs one sequence on a model: prefill of a prompt (batched over tokens, split into
// chunks of max_batch) and decode one token at a time, with a K/V cache per attention
// layer (f32 or fp16 elements: RuntimeOptions::kv_type), a state per convolution and per
// recurrence (a layer that shares another's weights runs on its source's tensors but keeps
// state of its own). Every buffer is planned (memory_plan.h) and allocated — and touched —
// when the session is created, so nothing is allocated per step and resident memory
// matches the plan. Prefill computes logits for the last token only, as llama.cpp does. A
// session is used from one thread at a time; it owns a pool that runs each operation on
// `threads` threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/kernels/kernels.h"
#include "liv/quant/quant_kernels.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/memory_plan.h"
#include "liv/runtime/thread_pool.h"
#include "liv/runtime/weights.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

class Model {
 public:
  // Validates the spec and fills deterministic random weights from `seed`.
  static absl::StatusOr<std::shared_ptr<Model>> CreateRandom(const ArchSpec& spec,
                                                            WeightType type, uint64_t seed,
                                                            int threads = 1);

  // Validates the spec and takes the weights from `source` (weights.h).
  static absl::StatusOr<std::shared_ptr<Model>> FromSource(const ArchSpec& spec, WeightType type,
                                                          const WeightSource& source,
                                                          int threads = 1);

  const ArchSpec& spec() const { return spec_; }
  WeightType weight_type() const { return type_; }
  const ModelWeights& weights() const { return *weights_; }
  ModelWeights& mutable_weights() { return *weights_; }

 private:
  Model() = default;
  // Validates the spec, then makes the weights on a pool of `threads`.
  static absl::StatusOr<std::shared_ptr<Model>> Build(
      const ArchSpec& spec, WeightType type, int threads,
      const std::function<absl::StatusOr<std::unique_ptr<ModelWeights>>(ThreadPool&)>& weights);
  ArchSpec spec_;
  WeightType type_ = WeightType::kF32;
  std::unique_ptr<ModelWeights> weights_;
};

class Session {
 public:
  static absl::StatusOr<std::unique_ptr<Session>> Create(std::shared_ptr<const Model> model,
                                                        const RuntimeOptions& options);
  ~Session();

  // Appends the tokens to the sequence; returns the logits after the last one (valid until
  // the next call). Fails without changing the sequence on bad ids or a full context.
  absl::StatusOr<std::span<const float>> Prefill(std::span<const int32_t> tokens);
  absl::StatusOr<std::span<const float>> Decode(int32_t token);

  // Forgets the sequence (position 0, zero states).
  void Reset();

  uint64_t position() const { return position_; }
  const MemoryPlan& plan() const { return plan_; }
  const RuntimeOptions& options() const { return options_; }
  const kernels::KernelTable& kernels() const { return kernels_; }
  const quant::QuantKernelTable& quant_kernels() const { return quant_kernels_; }

 private:
  Session(std::shared_ptr<const Model> model, const RuntimeOptions& options);
  absl::Status Allocate();
  absl::Status CheckTokens(std::span<const int32_t> tokens) const;
  void ForwardChunk(const int32_t* tokens, size_t n);

  std::shared_ptr<const Model> model_;
  RuntimeOptions options_;
  MemoryPlan plan_;
  const kernels::KernelTable& kernels_;
  const quant::QuantKernelTable& quant_kernels_;
  ThreadPool pool_;
  uint64_t position_ = 0;
  // One allocation holds every buffer below.
  float* arena_ = nullptr;
  uint64_t arena_floats_ = 0;
  float* hidden_ = nullptr;
  float* normed_ = nullptr;
  float* out_ = nullptr;
  float* proj_ = nullptr;
  float* mixed_ = nullptr;
  float* rope_ = nullptr;
  float* scratch_ = nullptr;  // plan_.attention_scratch_stride floats per thread
  float* logits_ = nullptr;
  float* activation_quant_ = nullptr;  // plan_.activation_quant bytes (non-f32 weights)
  std::vector<std::vector<double>> rope_inv_freq_;  // per attention layer
  // Per layer, null if none; the K/V caches hold options_.kv_type elements.
  std::vector<float*> kv_k_, kv_v_, conv_state_, rec_state_;
};

}  // namespace nas::liv
