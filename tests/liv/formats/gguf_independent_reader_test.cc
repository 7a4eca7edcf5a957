// The LFM2 GGUF files the project writes, read by an independent implementation:
// Hugging Face's @huggingface/gguf parser (tests/liv/formats/gguf_inspect.mjs, run with
// node). It must find exactly what the project's reader finds: the version, the data
// offset, every metadata key with its value, and every tensor's name, dims, type and
// offset, plus the parameter count of the spec. llama.cpp itself is not available here;
// this is the closest check that another reader takes the files as they are meant.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <type_traits>

#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/formats/tokenizer.h"
#include "liv/model/weight_layout.h"
#include "nlohmann/json.hpp"
#include "tests/liv/formats/lfm2_gguf_test_util.h"
#include "tests/liv/formats/tokenizer_test_util.h"
#include "tests/liv/tools/run_command.h"

namespace nas::liv {
namespace {

constexpr char kInspect[] = NAS_TEST_DATA_DIR "/../liv/formats/gguf_inspect.mjs";

// One value as gguf_inspect.mjs prints it: 64-bit integers as decimal strings.
template <typename T>
nlohmann::json ScalarJson(const T& v) {
  if constexpr (std::is_same_v<T, uint64_t> || std::is_same_v<T, int64_t>) {
    return std::to_string(v);
  } else if constexpr (std::is_same_v<T, float>) {
    return static_cast<double>(v);
  } else {
    return v;
  }
}

nlohmann::json ValueJson(const GgufValue& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, GgufArray>) {
          nlohmann::json out = nlohmann::json::array();
          std::visit(
              [&](const auto& elements) {
                using E = std::decay_t<decltype(elements)>;
                if constexpr (!std::is_same_v<E, std::monostate>) {
                  for (const auto& e : elements) {
                    out.push_back(ScalarJson(static_cast<typename E::value_type>(e)));
                  }
                }
              },
              v.elements);
          return out;
        } else {
          return ScalarJson(v);
        }
      },
      value);
}

void ExpectSameAsOurReader(const std::string& path, const ArchSpec& spec) {
  auto reader = GgufReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const auto run = testing::RunCommand("node", std::string(kInspect) + " " + path);
  ASSERT_EQ(run.exit_code, 0) << "node is needed (scripts/setup.sh), and "
                                 "results/web/node_modules (scripts/web_deps.sh): "
                              << run.err;
  const nlohmann::json theirs = nlohmann::json::parse(run.out);
  EXPECT_EQ(theirs["version"], reader->version());
  EXPECT_EQ(theirs["tensor_data_offset"], std::to_string(reader->data_offset()));
  EXPECT_EQ(theirs["parameter_count"], CountParameters(spec));
  const nlohmann::json& metadata = theirs["metadata"];
  // Their metadata adds the header's version, tensor_count and kv_count.
  EXPECT_EQ(metadata.size(), reader->metadata().size() + 3);
  for (const GgufKv& kv : reader->metadata().entries()) {
    ASSERT_TRUE(metadata.contains(kv.key)) << kv.key;
    EXPECT_EQ(metadata[kv.key], ValueJson(kv.value)) << kv.key;
  }
  const nlohmann::json& tensors = theirs["tensors"];
  ASSERT_EQ(tensors.size(), reader->tensors().size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const GgufTensorInfo& ours = reader->tensors()[i];
    SCOPED_TRACE(ours.name);
    EXPECT_EQ(tensors[i]["name"], ours.name);
    nlohmann::json dims = nlohmann::json::array();
    for (int64_t d : ours.dims) dims.push_back(std::to_string(d));
    EXPECT_EQ(tensors[i]["dims"], dims);
    EXPECT_EQ(tensors[i]["type"], static_cast<int32_t>(ours.type));
    EXPECT_EQ(tensors[i]["offset"], std::to_string(ours.offset));
  }
}

TEST(GgufIndependentReaderTest, HuggingFacesParserReadsWhatWeWrite) {
  ArchSpec spec = gguf_test::TinyLfm2(/*tied=*/false);
  spec.set_vocab_size(tokenizer_test::TestVocab().tokens.size());
  auto model = Model::CreateRandom(spec, WeightType::kF32, 5);
  ASSERT_TRUE(model.ok()) << model.status();
  for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    SCOPED_TRACE(GgmlTypeString(type));
    Lfm2GgufExportOptions options;
    options.matrix_type = type;
    options.extra_metadata = TokenizerGgufKeys(tokenizer_test::TestVocab());
    const std::string path = gguf_test::TempPath("independent_" + GgmlTypeString(type) + ".gguf");
    ASSERT_TRUE(ExportLfm2Gguf(spec, (*model)->weights(), path, options).ok());
    ExpectSameAsOurReader(path, spec);
  }
}

}  // namespace
}  // namespace nas::liv
