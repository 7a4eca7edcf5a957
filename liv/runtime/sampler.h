// Choosing the next token from a model's logits, as llama.cpp's default chain does for the
// settings the LFM2 model card recommends: a repetition penalty over the last tokens, then
// min-p (keep the tokens whose probability is at least min_p times the most likely one's),
// then temperature, then a draw from the renormalised distribution with a seeded generator.
// A temperature of 0 is greedy (the penalised argmax; min-p and the generator are unused).
//
// The repetition penalty is CTRL's (llama.cpp's penalty_repeat): the logit of every distinct
// token among the last `repetition_window` is divided by the penalty when positive and
// multiplied by it otherwise. Ties go to the lowest token id. The draw turns 53 bits of a
// std::mt19937_64 into a double, so a seed gives the same tokens on every platform.
// One Sampler per generation stream; not thread-safe.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "absl/status/status.h"

namespace nas::liv {

struct SamplingOptions {
  double temperature = 0.3;         // >= 0; 0 = greedy
  double min_p = 0.15;              // in [0, 1]; 0 = off
  double repetition_penalty = 1.05; // >= 1; 1 = off
  int repetition_window = 64;       // last tokens penalised (llama.cpp's penalty_last_n)
  uint64_t seed = 0;
};

// InvalidArgument naming the option when a value is out of its range.
absl::Status ValidateSamplingOptions(const SamplingOptions& options);

class Sampler {
 public:
  explicit Sampler(const SamplingOptions& options);

  // The next token. `history`: the tokens so far (prompt and generated), most recent last.
  // `logits` must not be empty.
  int Sample(std::span<const float> logits, std::span<const int> history);

  // The probabilities Sample draws from (after penalty, min-p and temperature; 0 for the
  // tokens min-p removed), for tests and tools.
  std::vector<double> Distribution(std::span<const float> logits,
                                   std::span<const int> history) const;

 private:
  std::vector<double> PenalisedLogits(std::span<const float> logits,
                                      std::span<const int> history) const;
  SamplingOptions options_;
  std::mt19937_64 rng_;
};

}  // namespace nas::liv
