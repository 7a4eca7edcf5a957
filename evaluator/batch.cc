#include "evaluator/batch.h"

#include <algorithm>

namespace nas::eval {

ExampleView Batch::example(int i) const {
  const size_t offset = static_cast<size_t>(i) * seq_len;
  return {std::span<const int32_t>(inputs).subspan(offset, seq_len),
          std::span<const int32_t>(targets).subspan(offset, seq_len),
          std::span<const uint8_t>(probed).subspan(offset, seq_len)};
}

int64_t Batch::num_probed() const { return std::count(probed.begin(), probed.end(), 1); }

}  // namespace nas::eval
