// Corpus mode's data (EvaluationSettings CORPUS): a text file a user names, read whole as
// bytes and modelled byte by byte (vocabulary 256, token = byte value).
//
// Splits: the last round(size * validation_fraction) bytes are the validation split, the
// bytes before them the training split. The cut falls at a byte boundary, wherever that is
// (inside a word or a UTF-8 character); nothing is shuffled, so the validation text is
// text the model never trains on.
// Windows: a window is seq_len + 1 consecutive bytes; its inputs are the first seq_len,
// its targets the last seq_len (the next byte at each position), every position probed.
// Training batches: `batch_size` windows whose first bytes are drawn uniformly from every
// offset that keeps the window inside the training split, row r of step s from the
// counter-based stream CounterRng(seed, stream = s, index = r) (counter_rng.h): a batch is
// a pure function of (seed, step, batch_size), and a row does not depend on batch_size.
// Validation: the validation split cut into consecutive windows at stride seq_len (window
// i starts at byte i * seq_len of the split), so no input and no target is in two windows
// (a window's last target is the next one's first input) and each byte of the split after
// the first is predicted exactly once, in the same windows for every run and candidate.
//
// Immutable after Load; copies share the bytes; thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "evaluator/batch.h"

namespace nas::eval {

class ByteCorpus {
 public:
  static constexpr int kVocabSize = 256;
  // Larger files are refused before they are read.
  static constexpr uint64_t kMaxBytes = uint64_t{2} << 30;  // 2 GiB

  // NotFound naming the path when the file is missing, a directory or unreadable;
  // InvalidArgument naming the path when validation_fraction is not in (0, 1), seq_len < 1,
  // the file is larger than kMaxBytes, or either split is shorter than one window
  // (seq_len + 1 bytes; the message gives the sizes).
  static absl::StatusOr<ByteCorpus> Load(const std::string& path, double validation_fraction,
                                         int seq_len);

  // `batch_size` training windows (none when batch_size < 1).
  Batch TrainBatch(uint64_t seed, int64_t step, int batch_size) const;
  // The offset in the file of the first byte of row `row` of TrainBatch(seed, step, ...):
  // uniform in [0, train_bytes() - seq_len() - 1].
  int64_t TrainWindowOffset(uint64_t seed, int64_t step, int row) const;

  // (validation_bytes() - 1) / seq_len(): how many whole windows the validation split holds.
  int64_t num_validation_windows() const;
  // Validation windows [first, first + count), cut at num_validation_windows(); none when
  // first < 0, count < 1 or first >= num_validation_windows(). A caller that scores at most
  // N windows takes [0, min(N, num_validation_windows())).
  Batch ValidationBatch(int64_t first, int count) const;

  // "corpus PATH: 1234567 bytes (train 1111110, validation 123457), seq_len 128".
  std::string Describe() const;

  const std::string& path() const { return path_; }
  int seq_len() const { return seq_len_; }
  int64_t size_bytes() const { return static_cast<int64_t>(bytes_->size()); }
  int64_t train_bytes() const { return train_bytes_; }
  int64_t validation_bytes() const { return size_bytes() - train_bytes_; }

 private:
  ByteCorpus(std::string path, std::shared_ptr<const std::string> bytes, int64_t train_bytes,
             int seq_len);

  // One row per offset: the window of seq_len + 1 bytes starting there.
  Batch Windows(std::span<const int64_t> offsets) const;

  std::string path_;
  std::shared_ptr<const std::string> bytes_;
  int64_t train_bytes_ = 0;
  int seq_len_ = 0;
};

}  // namespace nas::eval
