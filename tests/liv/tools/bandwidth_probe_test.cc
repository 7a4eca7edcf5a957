// The bandwidth probe: whole 2 MiB pages, a positive figure on any thread count, pinned or
// not. (Its speed is the machine's business: no timing is asserted.)
#include "liv/tools/bandwidth_probe.h"

#include <gtest/gtest.h>

namespace nas::liv {
namespace {

TEST(BandwidthProbeTest, BufferIsWholeHugePages) {
  EXPECT_EQ(BandwidthProbe::RoundedBytes(0), size_t{2} << 20);
  EXPECT_EQ(BandwidthProbe::RoundedBytes(1), size_t{2} << 20);
  EXPECT_EQ(BandwidthProbe::RoundedBytes(size_t{5} << 20), size_t{6} << 20);
  EXPECT_EQ(BandwidthProbe::RoundedBytes(kDefaultProbeBytes), kDefaultProbeBytes);
}

TEST(BandwidthProbeTest, MeasuresAPositiveBandwidth) {
  for (int threads : {1, 2, 3}) {
    auto probe = BandwidthProbe::Create(threads, {}, size_t{8} << 20);
    ASSERT_TRUE(probe.ok()) << probe.status();
    EXPECT_EQ((*probe)->bytes(), size_t{8} << 20);
    const double gbps = (*probe)->MeasureGbps();
    EXPECT_GT(gbps, 0.01) << threads;
    EXPECT_LT(gbps, 1e5) << threads;
  }
}

#if defined(__linux__)
TEST(BandwidthProbeTest, RunsPinned) {
  ScopedCpuPin pin(0);
  ASSERT_TRUE(pin.status().ok());
  auto probe = BandwidthProbe::Create(2, {0}, size_t{4} << 20);
  ASSERT_TRUE(probe.ok());
  EXPECT_GT((*probe)->MeasureGbps(), 0.01);
}
#endif

}  // namespace
}  // namespace nas::liv
