#include "evaluator/trainer.h"

#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include <torch/torch.h>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "evaluator/mad_accuracy.h"
#include "evaluator/torch_model.h"

namespace nas::eval {
namespace F = torch::nn::functional;
namespace {

torch::Tensor ToTensor(const std::vector<int32_t>& values, int rows, int cols) {
  return torch::from_blob(const_cast<int32_t*>(values.data()), {rows, cols}, torch::kInt32)
      .to(torch::kInt64);
}

// Mean cross-entropy over the probed positions (targets kNoTarget elsewhere).
torch::Tensor ProbedLoss(const torch::Tensor& logits, const torch::Tensor& targets) {
  return F::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}),
                          F::CrossEntropyFuncOptions().ignore_index(kNoTarget));
}

double LearningRateAt(const RunConfig& c, int step) {  // step counts from 0
  if (c.warmup_steps > 0 && step < c.warmup_steps) {
    return c.learning_rate * (step + 1) / c.warmup_steps;
  }
  return c.learning_rate;
}

absl::Status CheckVocabulary(const ArchSpec& spec, const Batch& batch) {
  for (size_t i = 0; i < batch.inputs.size(); ++i) {
    if (batch.inputs[i] < 0 || batch.inputs[i] >= static_cast<int32_t>(spec.vocab_size()) ||
        batch.targets[i] >= static_cast<int32_t>(spec.vocab_size())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "spec.vocab_size: ", spec.vocab_size(), " is too small for the data's token ",
          std::max(batch.inputs[i], batch.targets[i])));
    }
  }
  return absl::OkStatus();
}

// Accuracy and mean loss on the first `examples` held-out examples.
absl::Status Score(TorchModel& model, const TrainingData& data, int examples, TrainingRun& run) {
  torch::NoGradGuard no_grad;
  constexpr int kEvalBatch = 64;
  ProbedAccuracy accuracy;
  double loss_sum = 0;
  for (int first = 0; first < examples; first += kEvalBatch) {
    const int count = std::min(kEvalBatch, examples - first);
    NAS_ASSIGN_OR_RETURN(Batch batch, data.EvalBatch(first, count));
    const torch::Tensor logits = model.Forward(ToTensor(batch.inputs, count, batch.seq_len));
    const torch::Tensor targets = ToTensor(batch.targets, count, batch.seq_len);
    const torch::Tensor predicted = logits.argmax(-1).to(torch::kInt32).contiguous();
    NAS_ASSIGN_OR_RETURN(ProbedAccuracy a,
                         ScorePredictions(batch, std::span<const int32_t>(
                                                     predicted.data_ptr<int32_t>(),
                                                     static_cast<size_t>(predicted.numel()))));
    accuracy += a;
    loss_sum += F::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}),
                                 F::CrossEntropyFuncOptions().ignore_index(kNoTarget).reduction(
                                     torch::kSum))
                    .item<double>();
  }
  run.set_accuracy(accuracy.value());
  run.set_validation_loss(accuracy.probed > 0 ? loss_sum / accuracy.probed : 0.0);
  return absl::OkStatus();
}

}  // namespace

int ConfigureTorchThreads(int threads) {
  static std::once_flag blas_once;
  std::call_once(blas_once, [] {
    // OpenBLAS is loaded by libtorch through libblas.so.3 when it is the BLAS alternative.
    using SetThreads = void (*)(int);
    if (auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
      set(1);
    }
  });
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (torch::get_num_threads() != threads) torch::set_num_threads(threads);
  return torch::get_num_threads();
}

absl::StatusOr<TrainingRun> TrainAndScore(
    const ArchSpec& spec, const TrainingData& data, const RunConfig& config,
    const std::function<void(const RunProgress&)>& progress, const std::atomic<bool>* cancel,
    const std::function<void(const TrainingRun&, TorchModel&)>& trained) {
  NAS_ASSIGN_OR_RETURN(std::shared_ptr<TorchModel> model, TorchModel::Create(spec, config.init_seed));
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(model->decayed_parameters(),
                      std::make_unique<torch::optim::AdamWOptions>(
                          torch::optim::AdamWOptions(config.learning_rate)
                              .weight_decay(config.weight_decay)));
  groups.emplace_back(model->undecayed_parameters(),
                      std::make_unique<torch::optim::AdamWOptions>(
                          torch::optim::AdamWOptions(config.learning_rate).weight_decay(0)));
  torch::optim::AdamW optimizer(std::move(groups));
  const std::vector<torch::Tensor> parameters = model->parameters();

  TrainingRun run;
  run.set_learning_rate(config.learning_rate);
  const auto start = std::chrono::steady_clock::now();
  int64_t tokens = 0;
  double loss_sum = 0;
  int loss_count = 0;
  double last_loss = 0;
  for (int step = 0; step < config.steps; ++step) {
    if (cancel != nullptr && cancel->load()) return absl::CancelledError("evaluation cancelled");
    NAS_ASSIGN_OR_RETURN(Batch batch, data.TrainBatch(step, config.batch_size));
    if (step == 0) NAS_RETURN_IF_ERROR(CheckVocabulary(spec, batch));
    const double lr = LearningRateAt(config, step);
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    }
    optimizer.zero_grad();
    const torch::Tensor logits =
        model->Forward(ToTensor(batch.inputs, batch.batch_size, batch.seq_len));
    const torch::Tensor loss =
        ProbedLoss(logits, ToTensor(batch.targets, batch.batch_size, batch.seq_len));
    last_loss = loss.item<double>();
    tokens += static_cast<int64_t>(batch.inputs.size());
    if (!std::isfinite(last_loss)) {
      run.set_diverged(true);
      run.set_final_train_loss(last_loss);
      break;
    }
    loss.backward();
    if (config.grad_clip > 0) torch::nn::utils::clip_grad_norm_(parameters, config.grad_clip);
    optimizer.step();
    loss_sum += last_loss;
    ++loss_count;
    if ((step + 1) % config.log_every == 0 || step + 1 == config.steps) {
      CurvePoint* point = run.add_curve();
      point->set_step(step + 1);
      point->set_loss(loss_sum / loss_count);
      point->set_learning_rate(lr);
      if (progress) progress(RunProgress{step + 1, loss_sum / loss_count});
      loss_sum = 0;
      loss_count = 0;
    }
  }
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.set_tokens_per_second(train_seconds > 0 ? tokens / train_seconds : 0);
  if (!run.diverged()) {
    run.set_final_train_loss(last_loss);
    const int examples =
        static_cast<int>(std::min<int64_t>(config.eval_examples, data.num_eval_examples()));
    NAS_RETURN_IF_ERROR(Score(*model, data, examples, run));
    if (!std::isfinite(run.validation_loss())) run.set_diverged(true);
  }
  run.set_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (trained && !run.diverged()) trained(run, *model);
  return run;
}

absl::StatusOr<Batch> MadTaskData::TrainBatch(int64_t step, int batch_size) const {
  const int64_t n = generator_.settings().num_train_examples;
  const int64_t first = (step * batch_size) % n;
  if (first + batch_size <= n) return generator_.MakeBatch(Split::kTrain, first, batch_size);
  // Wraps around the end of the split: the tail, then examples from the start.
  Batch out;
  out.batch_size = 0;
  for (int64_t done = 0; done < batch_size;) {
    const int64_t at = (first + done) % n;
    const int count = static_cast<int>(std::min<int64_t>(batch_size - done, n - at));
    NAS_ASSIGN_OR_RETURN(Batch part, generator_.MakeBatch(Split::kTrain, at, count));
    out.seq_len = part.seq_len;
    out.batch_size += count;
    out.inputs.insert(out.inputs.end(), part.inputs.begin(), part.inputs.end());
    out.targets.insert(out.targets.end(), part.targets.begin(), part.targets.end());
    out.probed.insert(out.probed.end(), part.probed.begin(), part.probed.end());
    done += count;
  }
  return out;
}

absl::StatusOr<Batch> MadTaskData::EvalBatch(int64_t first, int count) const {
  return generator_.MakeBatch(Split::kTest, first, count);
}

int64_t MadTaskData::num_eval_examples() const { return generator_.settings().num_test_examples; }

}  // namespace nas::eval
