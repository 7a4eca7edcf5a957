// liv-run prints the same top logits as the runtime in process, for the same spec, seed and
// K/V cache type, and rejects an unknown --kv-type.
#include <gtest/gtest.h>

#include <algorithm>

#include "liv/model/spec_source.h"
#include "liv/runtime/session.h"
#include "nlohmann/json.hpp"
#include "tests/liv/tools/run_command.h"

namespace nas::liv {
namespace {

TEST(LivRunTest, TopLogitsMatchTheRuntimeInProcess) {
  const std::string spec_path = std::string(NAS_TEST_DATA_DIR) + "/specs/tiny_hybrid.textproto";
  auto spec = LoadArchSpec(spec_path);
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto model = Model::CreateRandom(*spec, WeightType::kF32, 9);
  ASSERT_TRUE(model.ok());
  for (KvType kv : {KvType::kF32, KvType::kF16}) {
    const std::string kv_name(KvTypeName(kv));
    SCOPED_TRACE(kv_name);
    auto r = testing::RunCommand(NAS_LIV_RUN_BIN, "-m " + spec_path +
                                                      " --tokens 3,1,4,1,5 -g 2 -k 3 --seed 9 "
                                                      "-t 1 --json --kv-type " + kv_name);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["steps"].size(), 3u);
    EXPECT_EQ(j["kv_type"], kv_name);

    RuntimeOptions options;
    options.max_context = 8;
    options.kv_type = kv;
    auto session = Session::Create(*model, options);
    ASSERT_TRUE(session.ok());
    const std::vector<int32_t> prompt = {3, 1, 4, 1, 5};
    auto logits = (*session)->Prefill(prompt);
    ASSERT_TRUE(logits.ok());
    for (int step = 0; step < 3; ++step) {
      const int best = static_cast<int>(std::max_element(logits->begin(), logits->end()) -
                                        logits->begin());
      EXPECT_EQ(j["steps"][step]["top"][0]["id"], best) << "step " << step;
      EXPECT_NEAR(j["steps"][step]["top"][0]["logit"].get<float>(), (*logits)[best], 1e-5);
      if (step < 2) logits = (*session)->Decode(best);
    }
  }
}

TEST(LivRunTest, UnknownKvTypeIsAOneLineError) {
  auto r = testing::RunCommand(NAS_LIV_RUN_BIN, "-m LFM2-350M --tokens 1 --kv-type bf16");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "liv-run: --kv-type: unknown KV cache type \"bf16\" (known: f32, f16)\n");
}

TEST(LivRunTest, OutOfVocabularyTokenIsAOneLineError) {
  auto r = testing::RunCommand(NAS_LIV_RUN_BIN, "-m LFM2-350M --tokens 70000 -t 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("id 70000 is outside the vocabulary [0, 65536)"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace nas::liv
