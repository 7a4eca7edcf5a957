#include "evaluator/byte_corpus.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace nas::eval {
namespace {

using ::testing::HasSubstr;

// The path of a file named after `name`, the test and the process in the temporary
// directory (ctest runs tests in parallel processes).
std::string TempPath(const std::string& name) {
  const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  return (std::filesystem::path(::testing::TempDir()) /
          (test + "_" + std::to_string(getpid()) + "_" + name))
      .string();
}

// A file of `bytes` at TempPath(name), removed with the object.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& bytes) : path_(TempPath(name)) {
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// n <= 256 bytes whose values are their offsets (0, 1, ..., n - 1), so that a window's
// first input is its offset.
std::string CountingBytes(int n) {
  std::string bytes(n, '\0');
  for (int i = 0; i < n; ++i) bytes[i] = static_cast<char>(i);
  return bytes;
}

ByteCorpus MustLoad(const std::string& path, double validation_fraction, int seq_len) {
  absl::StatusOr<ByteCorpus> corpus = ByteCorpus::Load(path, validation_fraction, seq_len);
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  return std::move(corpus).value();  // throws (failing the test) when not ok
}

// 200 counting bytes, validation_fraction 0.25, seq_len 8: training bytes [0, 150),
// validation bytes [150, 200).
class CountingCorpusTest : public ::testing::Test {
 protected:
  const TempFile file_{"counting_corpus.bin", CountingBytes(200)};
  const std::string& path_ = file_.path();
  const ByteCorpus corpus_ = MustLoad(path_, 0.25, 8);
};

TEST_F(CountingCorpusTest, SplitsAtTheLastFractionOfTheBytes) {
  EXPECT_EQ(corpus_.path(), path_);
  EXPECT_EQ(corpus_.seq_len(), 8);
  EXPECT_EQ(corpus_.size_bytes(), 200);
  EXPECT_EQ(corpus_.train_bytes(), 150);
  EXPECT_EQ(corpus_.validation_bytes(), 50);
  EXPECT_EQ(corpus_.num_validation_windows(), 6);  // (50 - 1) / 8
  EXPECT_EQ(corpus_.Describe(),
            "corpus " + path_ + ": 200 bytes (train 150, validation 50), seq_len 8");
}

TEST(ByteCorpusTest, ValidationSizeIsRounded) {
  const TempFile file("rounded_corpus.bin", CountingBytes(203));
  const std::string& path = file.path();
  EXPECT_EQ(MustLoad(path, 0.25, 8).validation_bytes(), 51);  // 50.75
  EXPECT_EQ(MustLoad(path, 0.2, 8).validation_bytes(), 41);   // 40.6
  EXPECT_EQ(MustLoad(path, 0.3, 8).validation_bytes(), 61);   // 60.9
  EXPECT_EQ(MustLoad(path, 0.3, 8).train_bytes(), 142);
}

TEST_F(CountingCorpusTest, TrainRowsAreWindowsAtTheirOffsetsTargetsShiftedByOne) {
  const Batch batch = corpus_.TrainBatch(42, 0, 4);
  ASSERT_EQ(batch.batch_size, 4);
  ASSERT_EQ(batch.seq_len, 8);
  ASSERT_EQ(batch.inputs.size(), 32u);
  ASSERT_EQ(batch.targets.size(), 32u);
  EXPECT_EQ(batch.probed, std::vector<uint8_t>(32, 1));
  EXPECT_EQ(batch.num_probed(), 32);
  for (int row = 0; row < 4; ++row) {
    const int64_t offset = corpus_.TrainWindowOffset(42, 0, row);
    const ExampleView example = batch.example(row);
    for (int i = 0; i < 8; ++i) {
      EXPECT_EQ(example.inputs[i], offset + i) << row << " " << i;
      EXPECT_EQ(example.targets[i], offset + i + 1) << row << " " << i;
    }
  }
}

// Pinned: the counter-based offsets must not change with the platform or a refactoring
// (CounterRng(seed, stream = step, index = row), uniform over the 142 training offsets).
TEST_F(CountingCorpusTest, TrainOffsetsArePinned) {
  const auto offsets = [&](uint64_t seed, int64_t step) {
    const Batch batch = corpus_.TrainBatch(seed, step, 4);
    std::vector<int32_t> first_inputs;
    for (int row = 0; row < 4; ++row) first_inputs.push_back(batch.example(row).inputs[0]);
    return first_inputs;
  };
  EXPECT_EQ(offsets(42, 0), (std::vector<int32_t>{45, 119, 131, 90}));
  EXPECT_EQ(offsets(42, 1), (std::vector<int32_t>{28, 57, 68, 47}));
  EXPECT_EQ(offsets(7, 0), (std::vector<int32_t>{70, 8, 113, 134}));
}

// Every offset that keeps the window in the training split occurs, and no other.
TEST_F(CountingCorpusTest, TrainWindowsCoverTheTrainingSplitOnly) {
  std::set<int64_t> seen;
  for (int64_t step = 0; step < 200; ++step) {
    const Batch batch = corpus_.TrainBatch(3, step, 32);
    for (int row = 0; row < 32; ++row) {
      const int32_t offset = batch.example(row).inputs[0];
      ASSERT_GE(offset, 0);
      ASSERT_LE(offset, 141) << "window [offset, offset + 9) must end by byte 150";
      seen.insert(offset);
    }
  }
  EXPECT_EQ(seen.size(), 142u);
}

TEST_F(CountingCorpusTest, TrainBatchIsAPureFunctionOfItsArguments) {
  const Batch a = corpus_.TrainBatch(42, 5, 16);
  const Batch b = MustLoad(path_, 0.25, 8).TrainBatch(42, 5, 16);
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.targets, b.targets);
  EXPECT_NE(a.inputs, corpus_.TrainBatch(42, 6, 16).inputs);
  EXPECT_NE(a.inputs, corpus_.TrainBatch(43, 5, 16).inputs);
  // A row does not depend on the batch size.
  const Batch small = corpus_.TrainBatch(42, 5, 3);
  EXPECT_EQ(small.inputs, std::vector<int32_t>(a.inputs.begin(), a.inputs.begin() + 24));
}

TEST_F(CountingCorpusTest, NoRowsGiveAnEmptyBatch) {
  for (int batch_size : {0, -1}) {
    const Batch batch = corpus_.TrainBatch(1, 0, batch_size);
    EXPECT_EQ(batch.batch_size, 0);
    EXPECT_EQ(batch.seq_len, 8);
    EXPECT_TRUE(batch.inputs.empty());
  }
}

// Window i: inputs are bytes 150 + 8i .. 150 + 8i + 7, targets one later.
TEST_F(CountingCorpusTest, ValidationWindowsAreConsecutiveAndExact) {
  const Batch batch = corpus_.ValidationBatch(0, 6);
  ASSERT_EQ(batch.batch_size, 6);
  ASSERT_EQ(batch.seq_len, 8);
  std::vector<int32_t> inputs, targets;
  for (int32_t byte = 150; byte < 198; ++byte) {
    inputs.push_back(byte);
    targets.push_back(byte + 1);
  }
  EXPECT_EQ(batch.inputs, inputs);
  EXPECT_EQ(batch.targets, targets);
  EXPECT_EQ(batch.probed, std::vector<uint8_t>(48, 1));
  const Batch middle = corpus_.ValidationBatch(2, 1);
  EXPECT_EQ(middle.inputs, (std::vector<int32_t>{166, 167, 168, 169, 170, 171, 172, 173}));
  EXPECT_EQ(middle.targets, (std::vector<int32_t>{167, 168, 169, 170, 171, 172, 173, 174}));
}

TEST_F(CountingCorpusTest, ValidationBatchIsCutAtTheLastWindow) {
  const Batch tail = corpus_.ValidationBatch(4, 10);
  EXPECT_EQ(tail.batch_size, 2);
  ASSERT_EQ(tail.inputs.size(), 16u);
  EXPECT_EQ(tail.inputs.front(), 182);
  EXPECT_EQ(tail.targets.back(), 198);
  for (auto [first, count] : std::vector<std::pair<int64_t, int>>{{6, 1}, {-1, 2}, {0, 0}}) {
    const Batch none = corpus_.ValidationBatch(first, count);
    EXPECT_EQ(none.batch_size, 0) << first << " " << count;
    EXPECT_TRUE(none.inputs.empty()) << first << " " << count;
  }
}

TEST(ByteCorpusTest, MissingFileIsNotFoundWithThePath) {
  const std::string path = TempPath("no_such_corpus.txt");
  absl::StatusOr<ByteCorpus> corpus = ByteCorpus::Load(path, 0.1, 16);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(corpus.status().message(), path + ": no such file");
}

TEST(ByteCorpusTest, DirectoryIsNotFoundWithThePath) {
  const std::string path = ::testing::TempDir();
  absl::StatusOr<ByteCorpus> corpus = ByteCorpus::Load(path, 0.1, 16);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(corpus.status().message(), path + ": is a directory, not a corpus");
}

// A split shorter than one window (seq_len + 1 bytes): the sizes after the path.
TEST(ByteCorpusTest, TooSmallForAWindowGivesTheSizes) {
  struct Case {
    std::string bytes;
    double validation_fraction;
    int seq_len;
    std::string message;
  };
  const Case cases[] = {
      {std::string(20, 'x'), 0.25, 8,
       "20 bytes split into 15 for training and 5 for validation (validation_fraction 0.25); "
       "each needs at least seq_len + 1 = 9"},
      {std::string(200, 'x'), 0.9, 32,
       "200 bytes split into 20 for training and 180 for validation (validation_fraction "
       "0.9); each needs at least seq_len + 1 = 33"},
      {"", 0.1, 4,
       "0 bytes split into 0 for training and 0 for validation (validation_fraction 0.1); "
       "each needs at least seq_len + 1 = 5"},
      // The window size does not overflow.
      {std::string(200, 'x'), 0.5, std::numeric_limits<int>::max(),
       "200 bytes split into 100 for training and 100 for validation (validation_fraction "
       "0.5); each needs at least seq_len + 1 = 2147483648"},
  };
  for (const Case& c : cases) {
    const TempFile file("small_corpus.txt", c.bytes);
    absl::StatusOr<ByteCorpus> corpus =
        ByteCorpus::Load(file.path(), c.validation_fraction, c.seq_len);
    ASSERT_FALSE(corpus.ok()) << c.message;
    EXPECT_EQ(corpus.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(corpus.status().message(), file.path() + ": " + c.message);
  }
}

TEST(ByteCorpusTest, BadArgumentsAreRefusedBeforeReading) {
  const std::string path = TempPath("never_read.txt");
  for (double fraction : {0.0, 1.0, -0.5, std::nan("")}) {
    absl::StatusOr<ByteCorpus> corpus = ByteCorpus::Load(path, fraction, 8);
    ASSERT_FALSE(corpus.ok()) << fraction;
    EXPECT_EQ(corpus.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(corpus.status().message(),
                HasSubstr(path + ": validation_fraction must be in (0, 1), got "));
  }
  absl::StatusOr<ByteCorpus> corpus = ByteCorpus::Load(path, 0.1, 0);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(corpus.status().message(), path + ": seq_len must be at least 1, got 0");
}

// A sparse file one byte over the limit: refused from its size, never read.
TEST(ByteCorpusTest, FileOverTheLimitIsRefusedUnread) {
  const TempFile file("huge_corpus.txt", "");
  const std::string& path = file.path();
  std::filesystem::resize_file(path, ByteCorpus::kMaxBytes + 1);
  absl::StatusOr<ByteCorpus> corpus = ByteCorpus::Load(path, 0.1, 128);
  std::filesystem::remove(path);
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(corpus.status().message(),
            path + ": 2147483649 bytes is too large for a corpus (limit 2147483648)");
}

// tests/data/corpus/tiny_corpus.txt: 22033 bytes of ASCII prose.
TEST(ByteCorpusTest, LoadsTheTinyCorpus) {
  const std::string path = std::string(NAS_TEST_DATA_DIR) + "/corpus/tiny_corpus.txt";
  const ByteCorpus corpus = MustLoad(path, 0.1, 128);
  EXPECT_EQ(corpus.size_bytes(), 22033);
  EXPECT_EQ(corpus.train_bytes(), 19830);
  EXPECT_EQ(corpus.validation_bytes(), 2203);
  EXPECT_EQ(corpus.num_validation_windows(), 17);
  EXPECT_EQ(corpus.Describe(), "corpus " + path +
                                   ": 22033 bytes (train 19830, validation 2203), seq_len 128");

  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  // The validation windows are the file's tail, byte for byte.
  const Batch validation = corpus.ValidationBatch(0, 17);
  ASSERT_EQ(validation.batch_size, 17);
  for (size_t i = 0; i < validation.inputs.size(); ++i) {
    ASSERT_EQ(validation.inputs[i], static_cast<unsigned char>(bytes[19830 + i])) << i;
    ASSERT_EQ(validation.targets[i], static_cast<unsigned char>(bytes[19831 + i])) << i;
  }
  // Training windows are text from the training split, in the vocabulary.
  const Batch train = corpus.TrainBatch(1, 0, 8);
  for (int row = 0; row < 8; ++row) {
    const int64_t offset = corpus.TrainWindowOffset(1, 0, row);
    ASSERT_LE(offset + 129, 19830);
    const ExampleView example = train.example(row);
    for (int i = 0; i < 128; ++i) {
      ASSERT_EQ(example.inputs[i], static_cast<unsigned char>(bytes[offset + i]));
      ASSERT_EQ(example.targets[i], static_cast<unsigned char>(bytes[offset + i + 1]));
      ASSERT_LT(example.inputs[i], ByteCorpus::kVocabSize);
    }
  }
}

}  // namespace
}  // namespace nas::eval
