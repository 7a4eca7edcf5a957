// The measurement protocol's pure parts: defaults, validation naming the flags, the thread
// count, the context, and when a memory figure is rejected as invalid.
#include "liv/tools/measure_protocol.h"

#include <gtest/gtest.h>

#include "liv/runtime/thread_pool.h"

namespace nas::liv {
namespace {

TEST(MeasureProtocolTest, DefaultsFollowTheDeviceAgentProtocol) {
  const MeasureProtocol p;
  EXPECT_EQ(p.prompt_lengths, (std::vector<uint32_t>{512, 4096}));
  EXPECT_EQ(p.decode_depths, (std::vector<uint32_t>{0, 4096}));
  EXPECT_EQ(p.warmups, 1u);
  EXPECT_EQ(p.min_repetitions, 6u);
  EXPECT_EQ(p.max_repetitions, 30u);
  EXPECT_DOUBLE_EQ(p.max_seconds, 60);
  EXPECT_DOUBLE_EQ(p.target_ci, 0.02);
  EXPECT_TRUE(p.noise_probe);
  EXPECT_TRUE(p.pin_cpus.empty());
  EXPECT_EQ(p.memory_cap, 0u);
  EXPECT_EQ(RequiredContext(p), 4096u + 32);
  EXPECT_TRUE(ValidateProtocol(p).ok());
}

TEST(MeasureProtocolTest, ThreadsArePhysicalCoresUnlessSetOrPinned) {
  MeasureProtocol p;
  EXPECT_EQ(ResolvedThreads(p), PhysicalCoreCount());
  p.pin_cpus = {0};
  EXPECT_EQ(ResolvedThreads(p), 1);
  p.threads = 3;
  EXPECT_EQ(ResolvedThreads(p), 3);
}

TEST(MeasureProtocolTest, ValidationNamesTheFlag) {
  struct Case {
    void (*change)(MeasureProtocol&);
    std::string prefix;
  };
  const Case cases[] = {
      {[](MeasureProtocol& p) { p.min_repetitions = 0; }, "--min-repetitions: must be >= 1"},
      {[](MeasureProtocol& p) { p.max_repetitions = 5; }, "--max-repetitions: 5 is smaller"},
      {[](MeasureProtocol& p) { p.max_seconds = -1; }, "--max-seconds: must be > 0"},
      {[](MeasureProtocol& p) { p.target_ci = 0; }, "--target-ci: must be in (0, 1)"},
      {[](MeasureProtocol& p) { p.pin_cpus = {0, 4000}; },
       "--pin-cpus: CPU 4000 is not available to this process (available: "},
      {[](MeasureProtocol& p) { p.prompt_lengths = {0}; }, "--prompt-lengths: lengths"},
      {[](MeasureProtocol& p) { p.max_context = 100; }, "--max-context: 100 is smaller"},
  };
  for (const Case& c : cases) {
    MeasureProtocol p;
    c.change(p);
    const absl::Status status = ValidateProtocol(p);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.prefix;
    EXPECT_EQ(status.message().rfind(c.prefix, 0), 0u) << status.message();
  }
}

TEST(MeasureProtocolTest, MemoryFigureBelowTheResidentBytesIsInvalid) {
  EXPECT_EQ(InvalidMemoryReason(2000, 1000, 0), "");
  EXPECT_EQ(InvalidMemoryReason(1000, 1000, 0), "");
  EXPECT_EQ(InvalidMemoryReason(999, 1000, 0),
            "measured peak 999 bytes is below the weight bytes 1000: pages were swapped, "
            "compressed or not counted");
  EXPECT_EQ(InvalidMemoryReason(1500, 1000, 1000),
            "measured peak 1500 bytes is below the 2000 bytes that must be resident (weights "
            "1000 + bandwidth probe 1000): pages were swapped, compressed or not counted");
  EXPECT_EQ(InvalidMemoryReason(2000, 1000, 1000), "");
  EXPECT_NE(InvalidMemoryReason(0, 1000, 0), "");  // /proc unreadable
}

}  // namespace
}  // namespace nas::liv
