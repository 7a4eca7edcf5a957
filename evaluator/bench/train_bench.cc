// Training throughput of the evaluator: full training steps (forward, backward, clipping,
// AdamW) of a width-128, 4-layer model at sequence length 128 on in-context recall
// batches, in training tokens per second, on every core. Beside it, in the same run, the
// reference: libtorch's own float matmul rate on the model's largest GEMM shape, so the
// step's model-FLOP rate can be read as a fraction of what the BLAS does on this machine
// (counter `flop_fraction`; model FLOPs per token = 6 x the parameters the token passes
// through + the attention's 12 x time x width per attention layer, the usual estimate).
//   ./build/evaluator/evaluator-train-bench [--benchmark_filter=...] [--threads=N]
#include <benchmark/benchmark.h>

#include <chrono>

#include <torch/torch.h>

#include "evaluator/mad_tasks.h"
#include "evaluator/torch_model.h"
#include "evaluator/trainer.h"
#include "liv/model/weight_layout.h"

namespace nas::eval {
namespace {

constexpr int kWidth = 128, kSeqLen = 128, kBatch = 32;

Layer Conv() {
  Layer l;
  l.mutable_short_conv()->set_kernel_size(3);
  l.mutable_short_conv()->set_gating(ShortConv::DOUBLE);
  l.mutable_swiglu()->set_hidden(2 * kWidth);
  return l;
}

Layer Attn() {
  Layer l;
  Attention* a = l.mutable_attention();
  a->set_num_heads(8);
  a->set_num_kv_heads(4);
  a->set_head_dim(16);
  a->set_qk_norm(true);
  a->set_rope_theta(10000);
  l.mutable_swiglu()->set_hidden(2 * kWidth);
  return l;
}

Layer Rec() {
  Layer l;
  l.mutable_recurrence()->set_num_heads(8);
  l.mutable_recurrence()->set_head_dim(16);
  l.mutable_swiglu()->set_hidden(2 * kWidth);
  return l;
}

ArchSpec Spec(const std::string& layers) {
  ArchSpec spec;
  spec.set_name(layers);
  spec.set_vocab_size(16);
  spec.set_d_model(kWidth);
  spec.set_norm_eps(1e-5f);
  spec.set_tie_embeddings(true);
  for (char c : layers) *spec.add_layers() = c == 'A' ? Attn() : c == 'R' ? Rec() : Conv();
  return spec;
}

// FLOP/s of libtorch's float matmul on the model's largest GEMM: [batch*time, width] x
// [width, 2*width] (the SwiGLU's up projection).
double MatmulFlopRate() {
  torch::NoGradGuard no_grad;
  const torch::Tensor a = torch::randn({kBatch * kSeqLen, kWidth});
  const torch::Tensor b = torch::randn({kWidth, 2 * kWidth});
  for (int i = 0; i < 10; ++i) torch::mm(a, b);
  constexpr int kRepeats = 200;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRepeats; ++i) benchmark::DoNotOptimize(torch::mm(a, b).data_ptr<float>());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return kRepeats * 2.0 * kBatch * kSeqLen * kWidth * 2 * kWidth / seconds;
}

double FlopsPerToken(const ArchSpec& spec) {
  double attention = 0;
  for (const Layer& l : spec.layers()) {
    if (l.has_attention()) attention += 12.0 * kSeqLen / 2 * l.attention().num_heads() * l.attention().head_dim();
  }
  return 6.0 * static_cast<double>(liv::CountParameters(spec)) + attention;
}

void BM_TrainStep(benchmark::State& state, const std::string& layers) {
  const int threads = ConfigureTorchThreads(0);
  const ArchSpec spec = Spec(layers);
  TaskSettings settings = BaselineSettings(TaskKind::kInContextRecall);
  auto generator = TaskGenerator::Create(settings, 1);
  const MadTaskData data(std::move(*generator));
  RunConfig config;
  config.batch_size = kBatch;
  config.eval_examples = 0;
  // One "iteration" = a run of 8 steps (model creation amortised over them).
  config.steps = 8;
  int64_t tokens = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto run = TrainAndScore(spec, data, config, nullptr, nullptr);
    if (!run.ok()) {
      state.SkipWithError(std::string(run.status().message()).c_str());
      return;
    }
    tokens += int64_t{config.steps} * kBatch * kSeqLen;
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  state.counters["tokens_per_s"] = double(tokens) / elapsed;
  state.counters["model_gflops"] = double(tokens) * FlopsPerToken(spec) / elapsed / 1e9;
  state.counters["threads"] = threads;
  const double reference = MatmulFlopRate();
  state.counters["reference_matmul_gflops"] = reference / 1e9;
  state.counters["flop_fraction"] = double(tokens) * FlopsPerToken(spec) / elapsed / reference;
  state.SetLabel(layers + ", width 128, seq 128, batch 32");
}

BENCHMARK_CAPTURE(BM_TrainStep, hybrid_CCAC, std::string("CCAC"))
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5);
BENCHMARK_CAPTURE(BM_TrainStep, attention_AAAA, std::string("AAAA"))
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5);
BENCHMARK_CAPTURE(BM_TrainStep, convs_CCCC, std::string("CCCC"))
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5);
BENCHMARK_CAPTURE(BM_TrainStep, recurrence_RRRR, std::string("RRRR"))
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5);

}  // namespace
}  // namespace nas::eval

BENCHMARK_MAIN();
