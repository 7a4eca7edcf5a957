#include "liv/runtime/session.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/ops/attention.h"
#include "liv/ops/matmul.h"
#include "liv/ops/recurrence.h"
#include "liv/ops/short_conv.h"
#include "liv/runtime/large_buffer.h"

namespace nas::liv {
namespace {

// Runs fn(t) for every token row; inline for one token (decode), on the pool otherwise.
template <typename Fn>
void ForEachRow(ThreadPool& pool, size_t rows, Fn&& fn) {
  if (rows == 1) {
    fn(size_t{0});
    return;
  }
  pool.Run([&](int thread) {
    auto [begin, end] = ThreadPool::Slice(rows, thread, pool.size());
    for (size_t t = begin; t < end; ++t) fn(t);
  });
}

// cos and sin of NeoX RoPE for `rows` positions from pos0: row t holds `half` cosines then
// `half` sines of position * inv_freq[i].
void FillRopeTable(float* table, size_t rows, uint64_t pos0, const std::vector<double>& inv_freq) {
  const size_t half = inv_freq.size();
  for (size_t t = 0; t < rows; ++t) {
    float* row = table + t * 2 * half;
    for (size_t i = 0; i < half; ++i) {
      const double angle = static_cast<double>(pos0 + t) * inv_freq[i];
      row[i] = static_cast<float>(std::cos(angle));
      row[half + i] = static_cast<float>(std::sin(angle));
    }
  }
}

}  // namespace

absl::StatusOr<std::shared_ptr<Model>> Model::Build(
    const ArchSpec& spec, WeightType type, int threads,
    const std::function<absl::StatusOr<std::unique_ptr<ModelWeights>>(ThreadPool&)>& weights) {
  NAS_RETURN_IF_ERROR(ValidateArchSpec(spec));
  std::shared_ptr<Model> model(new Model());
  model->spec_ = spec;
  model->type_ = type;
  ThreadPool pool(threads);
  NAS_ASSIGN_OR_RETURN(model->weights_, weights(pool));
  return model;
}

absl::StatusOr<std::shared_ptr<Model>> Model::CreateRandom(const ArchSpec& spec,
                                                          WeightType type, uint64_t seed,
                                                          int threads) {
  return Build(spec, type, threads, [&](ThreadPool& pool) {
    return ModelWeights::Random(spec, type, seed, pool);
  });
}

absl::StatusOr<std::shared_ptr<Model>> Model::FromSource(const ArchSpec& spec, WeightType type,
                                                        const WeightSource& source,
                                                        int threads) {
  return Build(spec, type, threads, [&](ThreadPool& pool) {
    return ModelWeights::FromSource(spec, type, source, pool);
  });
}

Session::Session(std::shared_ptr<const Model> model, const RuntimeOptions& options)
    : model_(std::move(model)),
      options_(options),
      plan_(PlanMemory(model_->spec(), model_->weight_type(), options)),
      kernels_(kernels::Active()),
      quant_kernels_(quant::ActiveQuant()),
      pool_(options.threads, options.pin_cpus) {}

Session::~Session() { std::free(arena_); }

absl::StatusOr<std::unique_ptr<Session>> Session::Create(std::shared_ptr<const Model> model,
                                                        const RuntimeOptions& options) {
  if (model == nullptr) return absl::InvalidArgumentError("no model");
  if (options.threads < 1 || options.threads > 1024) {
    return absl::InvalidArgumentError(absl::StrCat("threads: ", options.threads,
                                                   " is not in [1, 1024]"));
  }
  if (options.max_context < 1) return absl::InvalidArgumentError("max_context must be >= 1");
  if (auto pin = CheckCpusAvailable(options.pin_cpus); !pin.ok()) {
    return absl::Status(pin.code(), absl::StrCat("pin_cpus: ", pin.message()));
  }
  if (options.max_batch < 1) return absl::InvalidArgumentError("max_batch must be >= 1");
  std::unique_ptr<Session> session(new Session(std::move(model), options));
  NAS_RETURN_IF_ERROR(session->Allocate());
  return session;
}

absl::Status Session::Allocate() {
  const ArchSpec& spec = model_->spec();
  const uint64_t d = spec.d_model();
  const uint64_t batch = options_.max_batch;
  // Carve every buffer out of one allocation, in the plan's units (aligned floats).
  std::vector<std::pair<float**, uint64_t>> buffers = {
      {&hidden_, AlignedFloats(batch * d)},
      {&normed_, AlignedFloats(batch * d)},
      {&out_, AlignedFloats(batch * d)},
      {&proj_, AlignedFloats(batch * plan_.proj_width)},
      {&mixed_, AlignedFloats(batch * plan_.mixed_width)},
      {&rope_, AlignedFloats(batch * plan_.rope_width)},
      {&logits_, AlignedFloats(spec.vocab_size())},
      {&activation_quant_, plan_.activation_quant / sizeof(float)},
  };
  buffers.push_back({&scratch_, plan_.attention_scratch_stride * options_.threads});
  const int layers = spec.layers_size();
  kv_k_.assign(layers, nullptr);
  kv_v_.assign(layers, nullptr);
  conv_state_.assign(layers, nullptr);
  rec_state_.assign(layers, nullptr);
  rope_inv_freq_.assign(layers, {});
  for (int i = 0; i < layers; ++i) {
    const Layer& layer = spec.layers(i);
    if (layer.has_attention()) {  // theta^(-2i / head_dim) for i < head_dim / 2
      const uint32_t hd = layer.attention().head_dim();
      for (uint32_t j = 0; j < hd / 2; ++j) {
        rope_inv_freq_[i].push_back(std::pow(double{layer.attention().rope_theta()},
                                             -2.0 * j / hd));
      }
    }
    if (plan_.kv_capacity[i] > 0) {
      const Attention& a = layer.attention();
      const uint64_t n = KvBufferBytes(plan_.kv_capacity[i], a.num_kv_heads(), a.head_dim(),
                                       options_.kv_type) /
                         sizeof(float);
      buffers.push_back({&kv_k_[i], n});
      buffers.push_back({&kv_v_[i], n});
    } else if (layer.has_short_conv()) {
      buffers.push_back(
          {&conv_state_[i], AlignedFloats((layer.short_conv().kernel_size() - 1) * d)});
    } else if (layer.has_recurrence()) {
      const uint64_t hd = layer.recurrence().head_dim();
      buffers.push_back(
          {&rec_state_[i], AlignedFloats(layer.recurrence().num_heads() * hd * hd)});
    }
  }
  arena_floats_ = 0;
  for (const auto& [ptr, floats] : buffers) arena_floats_ += floats;
  arena_ = static_cast<float*>(AllocateLargeBuffer(arena_floats_ * sizeof(float)));
  if (arena_ == nullptr) {
    return absl::ResourceExhaustedError(
        absl::StrCat("cannot allocate ", arena_floats_ * 4, " bytes of session buffers"));
  }
  uint64_t offset = 0;
  for (const auto& [ptr, floats] : buffers) {
    *ptr = arena_ + offset;
    offset += floats;
  }
  Reset();
  return absl::OkStatus();
}

void Session::Reset() {
  // Touches every page, so resident memory matches the plan from the start.
  std::memset(arena_, 0, arena_floats_ * sizeof(float));
  position_ = 0;
}

absl::Status Session::CheckTokens(std::span<const int32_t> tokens) const {
  if (tokens.empty()) return absl::InvalidArgumentError("no tokens to process");
  const uint32_t vocab = model_->spec().vocab_size();
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i] < 0 || static_cast<uint32_t>(tokens[i]) >= vocab) {
      return absl::InvalidArgumentError(absl::StrCat("token ", i, ": id ", tokens[i],
                                                     " is outside the vocabulary [0, ",
                                                     vocab, ")"));
    }
  }
  if (position_ + tokens.size() > options_.max_context) {
    return absl::ResourceExhaustedError(
        absl::StrCat("context full: ", position_, " + ", tokens.size(),
                     " tokens exceed max_context ", options_.max_context));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::span<const float>> Session::Prefill(std::span<const int32_t> tokens) {
  NAS_RETURN_IF_ERROR(CheckTokens(tokens));
  for (size_t begin = 0; begin < tokens.size(); begin += options_.max_batch) {
    const size_t n = std::min<size_t>(options_.max_batch, tokens.size() - begin);
    ForwardChunk(tokens.data() + begin, n);
  }
  return std::span<const float>(logits_, model_->spec().vocab_size());
}

absl::StatusOr<std::span<const float>> Session::Decode(int32_t token) {
  return Prefill(std::span<const int32_t>(&token, 1));
}

void Session::ForwardChunk(const int32_t* tokens, size_t n) {
  const ArchSpec& spec = model_->spec();
  const ModelWeights& w = model_->weights();
  const kernels::KernelTable& kt = kernels_;
  const size_t d = spec.d_model();
  const float eps = spec.norm_eps();
  const size_t ldp = plan_.proj_width, ldm = plan_.mixed_width;
  const uint64_t pos0 = position_;

  for (size_t t = 0; t < n; ++t) {
    DequantizeRow(w.embedding(), static_cast<uint64_t>(tokens[t]), hidden_ + t * d);
  }
  auto norm_rows = [&](const float* weight) {
    ForEachRow(pool_, n, [&](size_t t) {
      kt.rmsnorm_f32(hidden_ + t * d, weight, d, eps, normed_ + t * d);
    });
  };
  auto add_out_to_hidden = [&] {
    ForEachRow(pool_, n, [&](size_t t) { kt.axpy_f32(1.0f, out_ + t * d, hidden_ + t * d, d); });
  };
  const quant::QuantKernelTable& qt = quant_kernels_;
  auto project = [&](const float* x, size_t ldx, const WeightMatrix& weight, float* y,
                     size_t ldy) {
    ops::MatMul(pool_, kt, qt, x, ldx, n, weight, y, ldy, activation_quant_);
  };

  for (int i = 0; i < spec.layers_size(); ++i) {
    const Layer& layer = spec.layers(i);
    const LayerWeights& lw = w.layer(i);
    norm_rows(lw.attn_norm);
    if (layer.has_attention()) {
      const Attention& a = layer.attention();
      const size_t hd = a.head_dim();
      const size_t qw = a.num_heads() * hd, kvw = a.num_kv_heads() * hd;
      const bool owns_kv = !a.has_kv_source_layer();
      float* q = proj_;
      float* k = proj_ + qw;
      float* v = proj_ + qw + kvw;
      project(normed_, d, lw.q, q, ldp);
      if (owns_kv) {
        project(normed_, d, lw.k, k, ldp);
        project(normed_, d, lw.v, v, ldp);
      }
      FillRopeTable(rope_, n, pos0, rope_inv_freq_[i]);
      ForEachRow(pool_, n, [&](size_t t) {
        float* qt = q + t * ldp;
        float* kt_row = k + t * ldp;
        if (a.qk_norm()) {
          for (size_t h = 0; h < a.num_heads(); ++h) {
            kt.rmsnorm_f32(qt + h * hd, lw.q_norm, hd, eps, qt + h * hd);
          }
          if (owns_kv) {
            for (size_t h = 0; h < a.num_kv_heads(); ++h) {
              kt.rmsnorm_f32(kt_row + h * hd, lw.k_norm, hd, eps, kt_row + h * hd);
            }
          }
        }
        const float* cs = rope_ + t * hd;
        kt.rope_f32(qt, a.num_heads(), hd, cs, cs + hd / 2);
        if (owns_kv) kt.rope_f32(kt_row, a.num_kv_heads(), hd, cs, cs + hd / 2);
      });
      const int source = owns_kv ? i : static_cast<int>(a.kv_source_layer());
      const ops::KvCacheView cache{kv_k_[source], kv_v_[source], plan_.kv_capacity[source],
                                   a.num_kv_heads(), a.head_dim(), options_.kv_type};
      if (owns_kv) ops::WriteKv(cache, k, ldp, v, ldp, n, pos0);
      ops::Attend(pool_, kt, cache, q, ldp, n, pos0, a.num_heads(), a.sliding_window(),
                  scratch_, plan_.attention_scratch_stride, mixed_, ldm);
      project(mixed_, ldm, lw.o, out_, d);
    } else if (layer.has_short_conv()) {
      const ShortConv& c = layer.short_conv();
      project(normed_, d, lw.conv_in, proj_, ldp);
      ops::GatedShortConv(pool_, kt, c.gating(), proj_, ldp, n, d, lw.conv_taps,
                          c.kernel_size(), conv_state_[i], mixed_, ldm);
      project(mixed_, ldm, lw.conv_out, out_, d);
    } else if (layer.has_recurrence()) {
      const Recurrence& r = layer.recurrence();
      const size_t width = r.num_heads() * r.head_dim();
      const WeightMatrix* mats[] = {&lw.rec_q, &lw.rec_k, &lw.rec_v, &lw.rec_decay, &lw.rec_gate};
      for (int m = 0; m < 5; ++m) project(normed_, d, *mats[m], proj_ + m * width, ldp);
      ops::GatedLinearAttention(pool_, kt, proj_, ldp, n, r.num_heads(), r.head_dim(),
                                rec_state_[i], mixed_, ldm);
      project(mixed_, ldm, lw.rec_out, out_, d);
    }
    add_out_to_hidden();

    if (layer.has_swiglu() || layer.has_gelu_mlp()) {
      norm_rows(lw.ffn_norm);
      if (layer.has_swiglu()) {
        const size_t ff = layer.swiglu().hidden();
        project(normed_, d, lw.ffn_gate, proj_, ldp);
        project(normed_, d, lw.ffn_up, proj_ + ff, ldp);
        ForEachRow(pool_, n, [&](size_t t) {
          float* row = proj_ + t * ldp;
          kt.swiglu_f32(row, row + ff, ff, row);
        });
        project(proj_, ldp, lw.ffn_down, out_, d);
      } else {
        const size_t ff = layer.gelu_mlp().hidden();
        project(normed_, d, lw.ffn_up, proj_, ldp);
        ForEachRow(pool_, n, [&](size_t t) { kt.gelu_f32(proj_ + t * ldp, ff, proj_ + t * ldp); });
        project(proj_, ldp, lw.ffn_down, out_, d);
      }
      add_out_to_hidden();
    }
  }

  // Logits for the last token only.
  float* last = normed_ + (n - 1) * d;
  kt.rmsnorm_f32(hidden_ + (n - 1) * d, w.output_norm(), d, eps, last);
  ops::MatMul(pool_, kt, qt, last, d, 1, w.output(), logits_, spec.vocab_size(),
              activation_quant_);
  position_ += n;
}

}  // namespace nas::liv
