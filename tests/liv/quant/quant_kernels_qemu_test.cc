// The aarch64 build of the liv/quant tests (liv-quant-tests, built beside liv-measure by
// scripts/build_aarch64.sh) under qemu-aarch64: the "neon-dotprod" and "neon-i8mm"
// variants against the scalar reference (quant_kernels_parity_test.cc), plus the block
// format, interleaving and scalar tests on a second architecture. qemu's default CPU has
// the dot-product and int8 matrix multiply extensions, so nothing may be skipped. Compiled only when NAS_AARCH64_LIV_MEASURE names the aarch64 build
// (tests/liv/CMakeLists.txt), as liv_measure_qemu_test.cc.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/liv/tools/run_command.h"

namespace {

using nas::liv::testing::RunCommand;
using nas::liv::testing::RunResult;

TEST(QuantKernelsQemuTest, Aarch64NeonVariantsMatchTheScalarReference) {
  const std::string binary =
      (std::filesystem::path(NAS_AARCH64_LIV_MEASURE).parent_path() / "liv-quant-tests").string();
  ASSERT_TRUE(std::filesystem::exists(binary))
      << binary << " is missing: run scripts/build_aarch64.sh";
  const RunResult r = RunCommand("qemu-aarch64", binary + " --gtest_filter='*' --gtest_color=no");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* variant : {"neon_dotprod", "neon_i8mm"}) {
    for (const char* test :
         {"QuantizeRowQ8_0IsByteIdentical", "QuantizeRowI8IsByteIdentical", "BlockSumsAreExact",
          "BlockSumsQ4_0x8AreExact", "Q8_0", "Q4_0", "Q4_0x8", "I4G32", "F16", "F16x8"}) {
      const std::string passed =
          std::string("[       OK ] Variants/QuantParityTest.") + test + "/" + variant + " ";
      EXPECT_NE(r.out.find(passed), std::string::npos) << "no \"" << passed << "\" in\n" << r.out;
    }
  }
  EXPECT_NE(r.out.find("[       OK ] InterleavedQ4_0.ScalarKernelsEqualTheRowMajorReference"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("[  SKIPPED ]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[  PASSED  ]"), std::string::npos) << r.out;
}

}  // namespace
