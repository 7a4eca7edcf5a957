#include "evaluator/byte_corpus.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/splitmix64.h"
#include "base/status_macros.h"
#include "base/text_file.h"
#include "evaluator/counter_rng.h"

namespace nas::eval {

ByteCorpus::ByteCorpus(std::string path, std::shared_ptr<const std::string> bytes,
                       int64_t train_bytes, int seq_len)
    : path_(std::move(path)), bytes_(std::move(bytes)), train_bytes_(train_bytes),
      seq_len_(seq_len) {}

absl::StatusOr<ByteCorpus> ByteCorpus::Load(const std::string& path,
                                            double validation_fraction, int seq_len) {
  if (!(validation_fraction > 0 && validation_fraction < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": validation_fraction must be in (0, 1), got ", validation_fraction));
  }
  if (seq_len < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": seq_len must be at least 1, got ", seq_len));
  }
  NAS_ASSIGN_OR_RETURN(std::string bytes, ReadUserFile(path, kMaxBytes, "a corpus"));
  const int64_t size = static_cast<int64_t>(bytes.size());
  const int64_t validation = std::llround(static_cast<double>(size) * validation_fraction);
  const int64_t train = size - validation;
  const int64_t window = int64_t{seq_len} + 1;
  if (train < window || validation < window) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": ", size, " bytes split into ", train, " for training and ", validation,
        " for validation (validation_fraction ", validation_fraction,
        "); each needs at least seq_len + 1 = ", window));
  }
  return ByteCorpus(path, std::make_shared<const std::string>(std::move(bytes)), train,
                    seq_len);
}

Batch ByteCorpus::Windows(std::span<const int64_t> offsets) const {
  Batch batch;
  batch.batch_size = static_cast<int>(offsets.size());
  batch.seq_len = seq_len_;
  const size_t total = offsets.size() * static_cast<size_t>(seq_len_);
  batch.inputs.resize(total);
  batch.targets.resize(total);
  batch.probed.assign(total, 1);
  for (size_t row = 0; row < offsets.size(); ++row) {
    const unsigned char* window =
        reinterpret_cast<const unsigned char*>(bytes_->data()) + offsets[row];
    int32_t* inputs = batch.inputs.data() + row * seq_len_;
    int32_t* targets = batch.targets.data() + row * seq_len_;
    for (int i = 0; i < seq_len_; ++i) {
      inputs[i] = window[i];
      targets[i] = window[i + 1];
    }
  }
  return batch;
}

int64_t ByteCorpus::TrainWindowOffset(uint64_t seed, int64_t step, int row) const {
  CounterRng rng(seed, static_cast<uint64_t>(step), static_cast<uint64_t>(row));
  // Offsets 0 .. train_bytes_ - (seq_len_ + 1) keep the window inside the training split.
  const uint64_t offsets = static_cast<uint64_t>(train_bytes_ - seq_len_);
  return static_cast<int64_t>(UniformBelow(offsets, [&rng] { return rng.Next(); }));
}

Batch ByteCorpus::TrainBatch(uint64_t seed, int64_t step, int batch_size) const {
  std::vector<int64_t> offsets(std::max(batch_size, 0));
  for (int row = 0; row < batch_size; ++row) offsets[row] = TrainWindowOffset(seed, step, row);
  return Windows(offsets);
}

int64_t ByteCorpus::num_validation_windows() const {
  return (validation_bytes() - 1) / seq_len_;
}

Batch ByteCorpus::ValidationBatch(int64_t first, int count) const {
  const int64_t windows = num_validation_windows();
  std::vector<int64_t> offsets;
  if (first >= 0 && count >= 1 && first < windows) {
    const int64_t end = std::min<int64_t>(first + count, windows);
    for (int64_t i = first; i < end; ++i) offsets.push_back(train_bytes_ + i * seq_len_);
  }
  return Windows(offsets);
}

std::string ByteCorpus::Describe() const {
  return absl::StrCat("corpus ", path_, ": ", size_bytes(), " bytes (train ", train_bytes_,
                      ", validation ", validation_bytes(), "), seq_len ", seq_len_);
}

}  // namespace nas::eval
