// A batch of token sequences to train or score a language model on, whatever made it (a
// MAD task in mad_tasks.h, a byte corpus in byte_corpus.h): inputs, the target at each
// position and which positions are probed (count for loss and accuracy), each array
// row-major [batch_size, seq_len]. A plain value.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace nas::eval {

// The target at a position that is not probed.
inline constexpr int32_t kNoTarget = -1;

// One example's rows inside a Batch.
struct ExampleView {
  std::span<const int32_t> inputs;
  std::span<const int32_t> targets;  // kNoTarget where not probed
  std::span<const uint8_t> probed;   // 1 at probed positions, else 0
};

// `batch_size` examples of `seq_len` tokens, each array row-major [batch_size, seq_len].
struct Batch {
  int batch_size = 0;
  int seq_len = 0;
  std::vector<int32_t> inputs;
  std::vector<int32_t> targets;
  std::vector<uint8_t> probed;

  ExampleView example(int i) const;
  int64_t num_probed() const;
};

}  // namespace nas::eval
