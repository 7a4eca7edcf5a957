// liv-model-bench: whole-model prefill and decode of one model (an LFM2 preset or an
// ArchSpec file, random weights stored as --weights: f32, f16, q8_0, q4_0, 8da4w; K/V cache
// in --kv: f32 or f16) on N threads, next to references measured in the same
// run (bench_references.h), so the f32 path can be judged against the machine:
//   BM_ReadBandwidth/threads:{1,N}  bytes_per_second of sum_f32 over 1 GiB
//   BM_SgemmReference/<tokens>       FLOP/s of OpenBLAS sgemm (N threads) on the prefill's GEMMs
//   BM_Prefill/<tokens>              tokens_per_s, FLOP/s, frac_of_sgemm
//   BM_Decode/depth:<d>              tokens_per_s, ms_per_token, bytes_per_second (weight
//                                    bytes streamed per token plus the K/V cache read at
//                                    that depth), frac_of_read_bw (N threads),
//                                    frac_of_adjacent_read_bw (bandwidth probed between steps)
//   BM_Tg<n>                         llama-bench's tg<n> (--tg_tokens, default 128): the same
//                                    counters over n steps decoded from an empty cache
// The references are measured in main before any benchmark runs (the best of several
// passes: a roofline, so the fractions err low; the values are in the context as
// ref_at_start_*) and raised to what BM_ReadBandwidth / BM_SgemmReference measure if that is
// higher; the frac_* counters divide by the reference at that point, which each model
// benchmark also reports (ref_read_bw, ref_sgemm_FLOP/s). Iteration counts are set from
// the references so that each benchmark times about --target_seconds. A human summary goes
// to stderr at the end, with the references measured again to catch a machine whose load
// changed during the run; --benchmark_format=json on stdout (or --benchmark_out=FILE)
// stays machine-readable.
//
// Decode at depth d times steps at positions [d, d + kDecodeWindow): the session is
// prefilled to d outside the timed region and prefilled again (untimed) when a window is
// used up; the session is shared by all model benchmarks. BM_Tg<n> is llama-bench's text
// generation test: each iteration resets the session (untimed) and times n decode steps
// from position 0, so tokens_per_s is n over the time of all n (BM_Prefill/512 is its pp512).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "liv/bench/bench_references.h"
#include "liv/kernels/kernels.h"
#include "liv/quant/quant_kernels.h"
#include "liv/model/spec_source.h"
#include "liv/runtime/cost_model.h"
#include "liv/runtime/session.h"
#include "liv/runtime/thread_pool.h"

namespace nas::liv::bench {
namespace {

constexpr uint32_t kDecodeWindow = 64;  // positions one decode depth may use before a refill
constexpr int kDecodeSteps = 16;        // decode steps per benchmark iteration
constexpr int kReferencePasses = 3;
constexpr double kReferenceSeconds = 1.0;  // the bandwidth probe samples at least this long

struct Config {
  std::string model = "LFM2-350M";
  int threads = 0;  // 0: physical cores
  uint32_t prefill_tokens = 512;
  std::vector<uint32_t> decode_depths = {0, 4096};
  uint32_t tg_tokens = 128;  // BM_Tg<n>; 0 = not registered
  double target_seconds = 3.0;
  uint64_t seed = 1;
  WeightType weights = WeightType::kF32;
  KvType kv = KvType::kF32;
};

// Everything the benchmarks share; set up in main, the model and session lazily (so a
// --benchmark_filter that selects only the references does not build the model).
struct Bench {
  Config config;
  ArchSpec spec;
  std::string model_name;
  RuntimeOptions options;
  MemoryPlan plan;
  uint64_t decode_bytes_per_token = 0;
  std::vector<int32_t> tokens;  // random ids: the prompt, the prefix of a depth, decode inputs

  std::unique_ptr<ThreadPool> pool_1, pool_n;
  std::unique_ptr<ReadBandwidthProbe> probe;
  double read_bw_1 = 0.0, read_bw_n = 0.0;  // bytes/s
  std::unique_ptr<SgemmReference> sgemm;
  double sgemm_flops_per_s = 0.0;

  std::shared_ptr<Model> model;
  std::unique_ptr<Session> session;
  absl::Status session_status;
  bool session_tried = false;
};

Bench* g = nullptr;

int64_t IterationsFor(double predicted_seconds, int64_t min_iterations, int64_t max_iterations) {
  if (!(predicted_seconds > 0.0)) return min_iterations;
  const double wanted = std::ceil(g->config.target_seconds / predicted_seconds);
  return std::clamp<int64_t>(static_cast<int64_t>(std::min(wanted, 1e9)), min_iterations,
                             max_iterations);
}

// The shared session, created (with one warm-up prefill) on first use.
Session* GetSession(benchmark::State& state) {
  if (!g->session_tried) {
    g->session_tried = true;
    g->session_status = [&]() -> absl::Status {
      std::cerr << "liv-model-bench: creating " << g->model_name << " with random "
                << WeightTypeName(g->config.weights) << " weights, "
                << KvTypeName(g->config.kv) << " K/V cache...\n";
      auto model =
          Model::CreateRandom(g->spec, g->config.weights, g->config.seed, g->options.threads);
      if (!model.ok()) return model.status();
      g->model = *std::move(model);
      auto session = Session::Create(g->model, g->options);
      if (!session.ok()) return session.status();
      g->session = *std::move(session);
      return g->session
          ->Prefill(std::span<const int32_t>(g->tokens.data(), g->config.prefill_tokens))
          .status();
    }();
  }
  if (!g->session_status.ok()) {
    state.SkipWithError(std::string(g->session_status.message()).c_str());
    return nullptr;
  }
  return g->session.get();
}

// Each benchmark times its own work (wall clock, since the work runs on several threads)
// and hands that time to Google Benchmark with SetIterationTime (UseManualTime), so untimed
// set-up inside the loop (a Reset, a refill) costs nothing, and the counters below are
// plain values computed from the same time the report shows — not rates that the console
// would print with a "/s".
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Times one iteration's work and records it.
template <typename Fn>
void TimeIteration(benchmark::State& state, double& total, Fn&& fn) {
  const Clock::time_point start = Clock::now();
  fn();
  const double seconds = Since(start);
  state.SetIterationTime(seconds);
  total += seconds;
}

// `per_iteration` units per second over the timed iterations.
double Rate(const benchmark::State& state, double per_iteration, double seconds) {
  return seconds > 0.0 ? per_iteration * static_cast<double>(state.iterations()) / seconds : 0.0;
}

void BM_ReadBandwidth(benchmark::State& state, ThreadPool* pool) {
  double seconds = 0.0;
  for (auto _ : state) {
    TimeIteration(state, seconds, [&] { benchmark::DoNotOptimize(g->probe->Pass(*pool)); });
  }
  const double bw = Rate(state, static_cast<double>(g->probe->bytes()), seconds);
  state.counters["bytes_per_second"] = bw;
  state.SetLabel(kernels::Active().name);
  double& reference = pool == g->pool_n.get() ? g->read_bw_n : g->read_bw_1;
  reference = std::max(reference, bw);
}

void BM_SgemmReference(benchmark::State& state) {
  ScopedBlasThreads blas(g->options.threads);
  double seconds = 0.0;
  for (auto _ : state) TimeIteration(state, seconds, [&] { g->sgemm->RunOnce(); });
  const double flops = Rate(state, static_cast<double>(g->sgemm->flops()), seconds);
  state.counters["FLOP/s"] = flops;
  g->sgemm_flops_per_s = std::max(g->sgemm_flops_per_s, flops);
}

void BM_Prefill(benchmark::State& state, uint32_t n) {
  Session* session = GetSession(state);
  if (session == nullptr) return;
  const std::span<const int32_t> prompt(g->tokens.data(), n);
  double seconds = 0.0;
  for (auto _ : state) {
    session->Reset();
    absl::Status status;
    TimeIteration(state, seconds, [&] {
      auto logits = session->Prefill(prompt);
      status = logits.status();
      if (logits.ok()) benchmark::DoNotOptimize(logits->data());
    });
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
  }
  const double flops = static_cast<double>(PrefillFlops(g->spec, n));
  state.counters["tokens_per_s"] = Rate(state, n, seconds);
  state.counters["FLOP/s"] = Rate(state, flops, seconds);
  if (g->sgemm_flops_per_s > 0.0) {
    state.counters["frac_of_sgemm"] = Rate(state, flops, seconds) / g->sgemm_flops_per_s;
    state.counters["ref_sgemm_FLOP/s"] = g->sgemm_flops_per_s;
  }
}

// Puts the session at position `depth` (Reset, then prefill the prompt's first tokens).
absl::Status Refill(Session& session, uint32_t depth) {
  session.Reset();
  if (depth == 0) return absl::OkStatus();
  return session.Prefill(std::span<const int32_t>(g->tokens.data(), depth)).status();
}

// One iteration of decode: an untimed pass of the bandwidth probe (the bandwidth under the
// same conditions, for a machine whose bandwidth moves during the run: a VM whose vCPUs
// migrate between chiplets shows two levels, seconds apart), then `steps` timed steps.
absl::Status TimedDecode(benchmark::State& state, Session& session, uint32_t steps,
                         double& seconds, double& probe_seconds) {
  const Clock::time_point probe_start = Clock::now();
  benchmark::DoNotOptimize(g->probe->Pass(*g->pool_n));
  probe_seconds += Since(probe_start);
  absl::Status status;
  TimeIteration(state, seconds, [&] {
    for (uint32_t i = 0; i < steps && status.ok(); ++i) {
      auto logits = session.Decode(g->tokens[session.position() % g->tokens.size()]);
      status = logits.status();
      if (logits.ok()) benchmark::DoNotOptimize(logits->data());
    }
  });
  return status;
}

// Bytes one decode step at `depth` reads: every weight it streams and the K/V cache of
// its depth + 1 positions (CacheBytesAt; a KV-sharing layer's reads of its source's cache
// are not counted, so this errs low).
double StepBytes(uint64_t depth) {
  return static_cast<double>(g->decode_bytes_per_token) +
         static_cast<double>(
             CacheBytesAt(g->spec, depth + 1, KvElementBytes(g->options.kv_type)).kv);
}

// The counters of a decode benchmark whose iterations each decode `steps` tokens doing
// `flops` FLOPs and reading `bytes` bytes, against the read bandwidth references (the
// run's and the adjacent probes').
void SetDecodeCounters(benchmark::State& state, uint32_t steps, double flops, double bytes,
                       double seconds, double probe_seconds) {
  const double tokens_per_s = Rate(state, steps, seconds);
  state.counters["tokens_per_s"] = tokens_per_s;
  state.counters["ms_per_token"] = tokens_per_s > 0.0 ? 1000.0 / tokens_per_s : 0.0;
  state.counters["bytes_per_second"] = Rate(state, bytes, seconds);
  state.counters["FLOP/s"] = Rate(state, flops, seconds);
  if (g->read_bw_n > 0.0) {
    state.counters["frac_of_read_bw"] = Rate(state, bytes, seconds) / g->read_bw_n;
    state.counters["ref_read_bw"] = g->read_bw_n;
  }
  const double adjacent_bw = Rate(state, static_cast<double>(g->probe->bytes()), probe_seconds);
  if (adjacent_bw > 0.0) {
    state.counters["adjacent_read_bw"] = adjacent_bw;
    state.counters["frac_of_adjacent_read_bw"] = Rate(state, bytes, seconds) / adjacent_bw;
  }
}

void BM_Decode(benchmark::State& state, uint32_t depth) {
  Session* session = GetSession(state);
  if (session == nullptr) return;
  double seconds = 0.0, probe_seconds = 0.0;
  for (auto _ : state) {
    const uint64_t p = session->position();
    if (p < depth || p + kDecodeSteps > depth + kDecodeWindow) {
      if (absl::Status status = Refill(*session, depth); !status.ok()) {
        state.SkipWithError(std::string(status.message()).c_str());
        return;
      }
    }
    if (absl::Status status = TimedDecode(state, *session, kDecodeSteps, seconds, probe_seconds);
        !status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
  }
  SetDecodeCounters(state, kDecodeSteps,
                    static_cast<double>(DecodeFlops(g->spec, depth)) * kDecodeSteps,
                    StepBytes(depth) * kDecodeSteps, seconds, probe_seconds);
}

void BM_Tg(benchmark::State& state, uint32_t n) {
  Session* session = GetSession(state);
  if (session == nullptr) return;
  double seconds = 0.0, probe_seconds = 0.0;
  for (auto _ : state) {
    session->Reset();
    if (absl::Status status = TimedDecode(state, *session, n, seconds, probe_seconds);
        !status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
  }
  double flops = 0.0, bytes = 0.0;  // step j runs at depth j
  for (uint32_t j = 0; j < n; ++j) {
    flops += static_cast<double>(DecodeFlops(g->spec, j));
    bytes += StepBytes(j);
  }
  SetDecodeCounters(state, n, flops, bytes, seconds, probe_seconds);
}

void RegisterAll() {
  const int n = g->options.threads;
  auto add_bw = [](int threads, ThreadPool* pool) {
    const double predicted =
        static_cast<double>(g->probe->bytes()) / (threads == 1 ? g->read_bw_1 : g->read_bw_n);
    benchmark::RegisterBenchmark(absl::StrCat("BM_ReadBandwidth/threads:", threads).c_str(),
                                 BM_ReadBandwidth, pool)
        ->Iterations(IterationsFor(predicted, 3, 1000))
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime();
  };
  add_bw(1, g->pool_1.get());
  if (n != 1) add_bw(n, g->pool_n.get());

  const double sgemm_seconds = static_cast<double>(g->sgemm->flops()) / g->sgemm_flops_per_s;
  benchmark::RegisterBenchmark(absl::StrCat("BM_SgemmReference/", g->config.prefill_tokens).c_str(),
                               BM_SgemmReference)
      ->Iterations(IterationsFor(sgemm_seconds, 2, 10000))
      ->Unit(benchmark::kMillisecond)
      ->UseManualTime();

  // Predictions assume the model reaches its references; the real runs are a little longer.
  const uint32_t tokens = g->config.prefill_tokens;
  const double prefill_seconds =
      static_cast<double>(PrefillFlops(g->spec, tokens)) / g->sgemm_flops_per_s;
  benchmark::RegisterBenchmark(absl::StrCat("BM_Prefill/", tokens).c_str(), BM_Prefill, tokens)
      ->Iterations(IterationsFor(prefill_seconds, 2, 10000))
      ->Unit(benchmark::kMillisecond)
      ->UseManualTime();

  const double step_seconds = static_cast<double>(g->decode_bytes_per_token) / g->read_bw_n;
  for (uint32_t depth : g->config.decode_depths) {
    // A refill at depth > 0 is a long prefill: time at most two windows there.
    const int64_t per_window = kDecodeWindow / kDecodeSteps;
    const int64_t max_iterations = depth == 0 ? 100000 : 2 * per_window;
    benchmark::RegisterBenchmark(absl::StrCat("BM_Decode/depth:", depth).c_str(), BM_Decode, depth)
        ->Iterations(IterationsFor(step_seconds * kDecodeSteps, per_window, max_iterations))
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime();
  }
  if (const uint32_t n = g->config.tg_tokens; n > 0) {
    benchmark::RegisterBenchmark(absl::StrCat("BM_Tg", n).c_str(), BM_Tg, n)
        ->Iterations(IterationsFor(step_seconds * n, 2, 10000))
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime();
  }
}

// Forwards everything to the display reporter and keeps each benchmark's figures (the
// median when there are repetitions, else the last run) for the summary.
class CapturingReporter : public benchmark::BenchmarkReporter {
 public:
  explicit CapturingReporter(benchmark::BenchmarkReporter* inner) : inner_(inner) {}

  bool ReportContext(const Context& context) override { return inner_->ReportContext(context); }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string& name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") {
          runs_[name] = run.counters;
          median_[name] = true;
        }
      } else if (!median_[name]) {
        runs_[name] = run.counters;
      }
    }
    inner_->ReportRuns(runs);
  }
  void Finalize() override { inner_->Finalize(); }

  // Counter `counter` of benchmark `name`, or NaN.
  double Get(const std::string& name, const std::string& counter) const {
    auto it = runs_.find(name);
    if (it == runs_.end()) return std::nan("");
    auto c = it->second.find(counter);
    return c == it->second.end() ? std::nan("") : c->second.value;
  }

 private:
  benchmark::BenchmarkReporter* inner_;
  std::map<std::string, benchmark::UserCounters> runs_;
  std::map<std::string, bool> median_;
};

std::string Verdict(double frac, double target) {
  if (std::isnan(frac)) return "";
  return absl::StrFormat(", target >= %.2f: %s", target, frac >= target ? "met" : "NOT met");
}

// One summary line of a decode benchmark (nothing if it did not run).
void AppendDecodeLine(const CapturingReporter& r, const std::string& name,
                      const std::string& label, std::string& s) {
  const double tps = r.Get(name, "tokens_per_s");
  if (std::isnan(tps)) return;
  const double frac = r.Get(name, "frac_of_read_bw");
  absl::StrAppendFormat(&s,
                        "  %s: %.2f tok/s, %.2f ms/token (%.1f GB/s = %.2f of read bandwidth "
                        "%.1f GB/s%s; %.2f of the %.1f GB/s measured between its steps)\n",
                        label, tps, r.Get(name, "ms_per_token"),
                        r.Get(name, "bytes_per_second") / 1e9, frac, g->read_bw_n / 1e9,
                        Verdict(frac, 0.7), r.Get(name, "frac_of_adjacent_read_bw"),
                        r.Get(name, "adjacent_read_bw") / 1e9);
}

// The summary, with the references measured again after the benchmarks: a reference
// that moved by more than 10% means the machine changed under the run (another load,
// throttling), so the fractions above should not be trusted.
void PrintSummary(const CapturingReporter& r) {
  const int n = g->options.threads;
  const std::string bw_n =
      n == 1 ? "" : absl::StrFormat(", %.1f GB/s (%d threads)", g->read_bw_n / 1e9, n);
  std::string s = absl::StrFormat(
      "\nliv-model-bench summary: %s %s, KV cache %s, %d thread%s, kernels %s (quantized: %s)\n"
      "  references: read bandwidth %.1f GB/s (1 thread)%s; OpenBLAS sgemm on the prefill-%u "
      "GEMMs %.1f GFLOP/s (%d thread%s)\n",
      g->model_name, std::string(WeightTypeName(g->config.weights)),
      std::string(KvTypeName(g->config.kv)), n, n == 1 ? "" : "s",
      kernels::Active().name, quant::ActiveQuant().name, g->read_bw_1 / 1e9, bw_n,
      g->config.prefill_tokens, g->sgemm_flops_per_s / 1e9, n, n == 1 ? "" : "s");
  const double bw_after = g->probe->Measure(*g->pool_n, kReferencePasses, kReferenceSeconds);
  const double sgemm_after = g->sgemm->Measure(n, 1);
  const double drift = std::max(std::abs(bw_after / g->read_bw_n - 1.0),
                                std::abs(sgemm_after / g->sgemm_flops_per_s - 1.0));
  absl::StrAppendFormat(&s,
                        "  references again after the run: %.1f GB/s (%d thread%s), %.1f "
                        "GFLOP/s%s\n",
                        bw_after / 1e9, n, n == 1 ? "" : "s", sgemm_after / 1e9,
                        drift > 0.1 ? absl::StrFormat(" -- moved by %.0f%%: the machine was "
                                                      "busy, do not trust the fractions",
                                                      100 * drift)
                                    : "");
  const std::string prefill = absl::StrCat("BM_Prefill/", g->config.prefill_tokens);
  const double tps = r.Get(prefill, "tokens_per_s");
  if (!std::isnan(tps)) {
    const double frac = r.Get(prefill, "frac_of_sgemm");
    absl::StrAppendFormat(&s,
                          "  prefill %u: %.1f tok/s (%.1f GFLOP/s = %.2f of OpenBLAS sgemm "
                          "%.1f GFLOP/s%s)\n",
                          g->config.prefill_tokens, tps, r.Get(prefill, "FLOP/s") / 1e9, frac,
                          g->sgemm_flops_per_s / 1e9, Verdict(frac, 0.5));
  }
  for (uint32_t depth : g->config.decode_depths) {
    AppendDecodeLine(r, absl::StrCat("BM_Decode/depth:", depth),
                     absl::StrCat("decode depth ", depth), s);
  }
  if (g->config.tg_tokens > 0) {
    AppendDecodeLine(r, absl::StrCat("BM_Tg", g->config.tg_tokens),
                     absl::StrCat("tg", g->config.tg_tokens, " (from an empty cache)"), s);
  }
  std::cerr << s << std::flush;
}

// --- flags -----------------------------------------------------------------------------------

void PrintHelp() {
  std::printf(
      "liv-model-bench: whole-model prefill/decode benchmarks with same-run references.\n"
      "  --model=NAME|FILE        LFM2 preset (default LFM2-350M) or ArchSpec .textproto/.json\n"
      "  --threads=N              threads of the session, the bandwidth probe and OpenBLAS\n"
      "                           (default: physical cores)\n"
      "  --prefill_tokens=N       prompt length of BM_Prefill and the sgemm reference (512)\n"
      "  --decode_depths=D,...    cached tokens before the timed decode steps (0,4096)\n"
      "  --tg_tokens=N            tokens BM_Tg<N> decodes from an empty cache, as llama-bench's\n"
      "                           tg128 (128; 0 = no BM_Tg)\n"
      "  --target_seconds=S       timed seconds each benchmark aims for (3)\n"
      "  --seed=N                 seed of the random weights and prompt (1)\n"
      "  --weights=TYPE           f32 (default), f16, q8_0, q4_0 or 8da4w\n"
      "  --kv=TYPE                K/V cache elements: f32 (default) or f16\n\n");
  benchmark::PrintDefaultHelp();
}

bool ParseFlag(const std::string& arg, const std::string& name, std::string* value) {
  if (arg.size() <= name.size() || arg.compare(0, name.size(), name) != 0 ||
      arg[name.size()] != '=') {
    return false;
  }
  *value = arg.substr(name.size() + 1);
  return true;
}

// Consumes our flags from argv (leaving Google Benchmark's); "" or an error message.
std::string ParseOwnFlags(int* argc, char** argv, Config* config) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    std::string v;
    if (ParseFlag(arg, "--model", &v)) {
      config->model = v;
    } else if (ParseFlag(arg, "--threads", &v)) {
      if (!absl::SimpleAtoi(v, &config->threads) || config->threads < 1 || config->threads > 1024) {
        return absl::StrCat("--threads: '", v, "' is not an integer in [1, 1024]");
      }
    } else if (ParseFlag(arg, "--prefill_tokens", &v)) {
      if (!absl::SimpleAtoi(v, &config->prefill_tokens) || config->prefill_tokens < 1 ||
          config->prefill_tokens > 65536) {
        return absl::StrCat("--prefill_tokens: '", v, "' is not an integer in [1, 65536]");
      }
    } else if (ParseFlag(arg, "--decode_depths", &v)) {
      config->decode_depths.clear();
      for (absl::string_view part : absl::StrSplit(v, ',', absl::SkipEmpty())) {
        uint32_t depth = 0;
        if (!absl::SimpleAtoi(part, &depth) || depth > (1u << 20)) {
          return absl::StrCat("--decode_depths: '", part, "' is not an integer in [0, 1048576]");
        }
        config->decode_depths.push_back(depth);
      }
    } else if (ParseFlag(arg, "--tg_tokens", &v)) {
      if (!absl::SimpleAtoi(v, &config->tg_tokens) || config->tg_tokens > 65536) {
        return absl::StrCat("--tg_tokens: '", v, "' is not an integer in [0, 65536]");
      }
    } else if (ParseFlag(arg, "--target_seconds", &v)) {
      if (!absl::SimpleAtod(v, &config->target_seconds) || !(config->target_seconds > 0.0) ||
          config->target_seconds > 3600.0) {
        return absl::StrCat("--target_seconds: '", v, "' is not a number in (0, 3600]");
      }
    } else if (ParseFlag(arg, "--weights", &v)) {
      auto type = ParseWeightType(v);
      if (!type.ok()) return absl::StrCat("--weights: ", type.status().message());
      config->weights = *type;
    } else if (ParseFlag(arg, "--kv", &v)) {
      auto type = ParseKvType(v);
      if (!type.ok()) return absl::StrCat("--kv: ", type.status().message());
      config->kv = *type;
    } else if (ParseFlag(arg, "--seed", &v)) {
      if (!absl::SimpleAtoi(v, &config->seed)) {
        return absl::StrCat("--seed: '", v, "' is not a non-negative integer");
      }
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  return "";
}

int Fail(int code, absl::string_view message) {
  std::cerr << "liv-model-bench: " << message << "\n";
  return code;
}

int Main(int argc, char** argv) {
  static Bench bench;
  g = &bench;
  if (std::string error = ParseOwnFlags(&argc, argv, &bench.config); !error.empty()) {
    return Fail(2, error);
  }
  benchmark::Initialize(&argc, argv, PrintHelp);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  Config& config = bench.config;
  if (config.threads == 0) config.threads = std::max(1, PhysicalCoreCount());
  auto spec = LoadArchSpec(config.model);
  if (!spec.ok()) return Fail(2, spec.status().message());
  bench.spec = *std::move(spec);
  bench.model_name = bench.spec.name().empty() ? config.model : bench.spec.name();
  uint32_t max_depth = 0;
  for (uint32_t depth : config.decode_depths) max_depth = std::max(max_depth, depth);
  bench.options.threads = config.threads;
  bench.options.kv_type = config.kv;
  bench.options.max_batch = std::max<uint32_t>(512, config.prefill_tokens);  // one chunk
  bench.options.max_context =
      std::max({config.prefill_tokens, max_depth + kDecodeWindow, config.tg_tokens});
  bench.plan = PlanMemory(bench.spec, config.weights, bench.options);
  // A decode step streams every weight once (shared weights once per layer that uses them),
  // except the embedding when it is not also the output projection: then only the token's
  // row is read.
  bench.decode_bytes_per_token = DecodeWeightBytesRead(bench.spec, config.weights);
  if (!bench.spec.tie_embeddings()) {
    const uint64_t d = bench.spec.d_model();
    bench.decode_bytes_per_token -= (bench.spec.vocab_size() - 1) * RowBytes(config.weights, d);
  }
  std::mt19937_64 rng(config.seed);
  std::uniform_int_distribution<int32_t> token(0,
                                               static_cast<int32_t>(bench.spec.vocab_size()) - 1);
  bench.tokens.resize(std::max<size_t>(bench.options.max_context, 1));
  for (int32_t& t : bench.tokens) t = token(rng);

  // References, before any benchmark.
  std::cerr << "liv-model-bench: measuring the references (read bandwidth, OpenBLAS sgemm)...\n";
  bench.pool_1 = std::make_unique<ThreadPool>(1);
  bench.pool_n = std::make_unique<ThreadPool>(config.threads);
  auto probe = ReadBandwidthProbe::Create(*bench.pool_n);
  if (!probe.ok()) return Fail(1, probe.status().message());
  bench.probe = *std::move(probe);
  bench.read_bw_1 = bench.probe->Measure(*bench.pool_1, kReferencePasses, kReferenceSeconds);
  bench.read_bw_n = bench.probe->Measure(*bench.pool_n, kReferencePasses, kReferenceSeconds);
  auto sgemm = SgemmReference::Create(bench.spec, config.prefill_tokens);
  if (!sgemm.ok()) return Fail(2, sgemm.status().message());
  bench.sgemm = *std::move(sgemm);
  bench.sgemm_flops_per_s = bench.sgemm->Measure(config.threads, kReferencePasses);

  benchmark::AddCustomContext("model", bench.model_name);
  benchmark::AddCustomContext("weights", std::string(WeightTypeName(config.weights)));
  benchmark::AddCustomContext("kv_type", std::string(KvTypeName(config.kv)));
  benchmark::AddCustomContext("quant_kernels_active", quant::ActiveQuant().name);
  benchmark::AddCustomContext("threads", std::to_string(config.threads));
  benchmark::AddCustomContext("kernels_active", kernels::Active().name);
  benchmark::AddCustomContext("blas", BlasDescription());
  benchmark::AddCustomContext("weight_bytes", std::to_string(bench.plan.weights));
  benchmark::AddCustomContext("decode_bytes_per_token",
                              std::to_string(bench.decode_bytes_per_token));
  benchmark::AddCustomContext("prefill_flops",
                              std::to_string(PrefillFlops(bench.spec, config.prefill_tokens)));
  benchmark::AddCustomContext("ref_at_start_read_bw_1_thread_Bps",
                              absl::StrFormat("%.6g", bench.read_bw_1));
  benchmark::AddCustomContext(absl::StrCat("ref_at_start_read_bw_", config.threads, "_threads_Bps"),
                              absl::StrFormat("%.6g", bench.read_bw_n));
  benchmark::AddCustomContext("ref_at_start_sgemm_flops_per_s",
                              absl::StrFormat("%.6g", bench.sgemm_flops_per_s));
  std::string shapes;
  for (const GemmShape& s : bench.sgemm->shapes()) {
    absl::StrAppend(&shapes, shapes.empty() ? "" : " ", s.count, "x", s.rows, "x", s.cols);
  }
  benchmark::AddCustomContext("ref_sgemm_shapes_count_rows_cols", shapes);

  RegisterAll();
  CapturingReporter reporter(benchmark::CreateDefaultDisplayReporter());
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  PrintSummary(reporter);
  return 0;
}

}  // namespace
}  // namespace nas::liv::bench

int main(int argc, char** argv) {
  try {
    return nas::liv::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "liv-model-bench: " << e.what() << "\n";
    return 1;
  }
}
