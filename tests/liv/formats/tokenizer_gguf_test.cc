// Tokenizer::FromGguf: a tokenizer read back from a GGUF file written by GgufWriter equals
// the one built from vectors; each missing, mistyped or inconsistent tokenizer.ggml.* key
// fails with an error naming it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "liv/formats/gguf_reader.h"
#include "liv/formats/gguf_writer.h"
#include "liv/formats/tokenizer.h"
#include "tests/liv/formats/gguf_test_util.h"
#include "tests/liv/formats/tokenizer_test_util.h"

namespace nas::liv {
namespace {

using gguf_test::Span;
using ::testing::HasSubstr;
using tokenizer_test::TestVocab;

template <typename T>
GgufArray Array(std::vector<T> v) {
  GgufArray a;
  a.elements = std::move(v);
  return a;
}

GgufMetadata ToMetadata(const std::vector<GgufKv>& kvs) {
  GgufMetadata metadata("test.gguf");
  for (const GgufKv& kv : kvs) EXPECT_TRUE(metadata.Add(kv.key, kv.value).ok()) << kv.key;
  return metadata;
}

TEST(TokenizerGgufTest, FromAWrittenFileEqualsFromVectors) {
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("general.architecture", std::string("lfm2")).ok());
  for (const GgufKv& kv : TokenizerGgufKeys(TestVocab())) {
    ASSERT_TRUE(writer.AddMetadata(kv.key, kv.value).ok()) << kv.key;
  }
  const std::string bytes = writer.Serialize();
  auto reader = GgufReader::FromBytes(Span(bytes), "tokenizer.gguf");
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto from_gguf = Tokenizer::FromGguf(reader->metadata());
  ASSERT_TRUE(from_gguf.ok()) << from_gguf.status();
  auto from_vectors = Tokenizer::Create(TestVocab());
  ASSERT_TRUE(from_vectors.ok()) << from_vectors.status();

  const TokenizerVocab& a = from_gguf->vocab();
  const TokenizerVocab& b = from_vectors->vocab();
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.merges, b.merges);
  EXPECT_EQ(a.token_types, b.token_types);
  EXPECT_EQ(a.bos_id, b.bos_id);
  EXPECT_EQ(a.eos_id, b.eos_id);
  EXPECT_EQ(a.padding_id, b.padding_id);
  EXPECT_EQ(a.add_bos, b.add_bos);
  for (const char* text : {" the other", "<|im_start|>user\nhi<|im_end|>", "\xff\x00 12345"}) {
    for (bool special : {false, true}) {
      EXPECT_EQ(from_gguf->Encode(text, {.parse_special = special}),
                from_vectors->Encode(text, {.parse_special = special}));
    }
  }
}

TEST(TokenizerGgufTest, OptionalKeysMayBeAbsentAndIdsMayBeInt32) {
  std::vector<GgufKv> kvs;
  for (GgufKv& kv : TokenizerGgufKeys(TestVocab())) {
    if (kv.key == "tokenizer.ggml.pre" || kv.key == "tokenizer.ggml.add_bos_token" ||
        kv.key == "tokenizer.ggml.padding_token_id") {
      continue;
    }
    if (kv.key == "tokenizer.ggml.eos_token_id") kv.value = int32_t{3};
    kvs.push_back(std::move(kv));
  }
  auto t = Tokenizer::FromGguf(ToMetadata(kvs));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->eos_id(), 3);
  EXPECT_EQ(t->padding_id(), std::nullopt);
  EXPECT_FALSE(t->add_bos());
}

struct ErrorCase {
  std::string name;
  std::function<void(std::vector<GgufKv>&)> edit;
  absl::StatusCode code;
  std::string message;
};

void Set(std::vector<GgufKv>& kvs, const std::string& key, GgufValue value) {
  for (GgufKv& kv : kvs) {
    if (kv.key == key) {
      kv.value = std::move(value);
      return;
    }
  }
  kvs.push_back({key, std::move(value)});
}

void Remove(std::vector<GgufKv>& kvs, const std::string& key) {
  std::erase_if(kvs, [&](const GgufKv& kv) { return kv.key == key; });
}

TEST(TokenizerGgufTest, EachErrorNamesTheKey) {
  using absl::StatusCode;
  const TokenizerVocab v = TestVocab();
  const std::vector<ErrorCase> cases = {
      {"missing model", [](auto& k) { Remove(k, "tokenizer.ggml.model"); }, StatusCode::kNotFound,
       "test.gguf: no metadata key 'tokenizer.ggml.model'"},
      {"other model", [](auto& k) { Set(k, "tokenizer.ggml.model", std::string("llama")); },
       StatusCode::kUnimplemented,
       "tokenizer.ggml.model = \"llama\": only \"gpt2\" (byte-level BPE) is supported"},
      {"model not a string", [](auto& k) { Set(k, "tokenizer.ggml.model", uint32_t{2}); },
       StatusCode::kInvalidArgument, "metadata key 'tokenizer.ggml.model' is UINT32, not STRING"},
      {"other pre", [](auto& k) { Set(k, "tokenizer.ggml.pre", std::string("qwen2")); },
       StatusCode::kUnimplemented, "tokenizer.ggml.pre = \"qwen2\""},
      {"missing tokens", [](auto& k) { Remove(k, "tokenizer.ggml.tokens"); }, StatusCode::kNotFound,
       "no metadata key 'tokenizer.ggml.tokens'"},
      {"tokens not strings",
       [](auto& k) { Set(k, "tokenizer.ggml.tokens", Array(std::vector<int32_t>{1})); },
       StatusCode::kInvalidArgument,
       "metadata key 'tokenizer.ggml.tokens' is ARRAY[INT32], not ARRAY[STRING]"},
      {"empty tokens",
       [](auto& k) { Set(k, "tokenizer.ggml.tokens", Array(std::vector<std::string>{})); },
       StatusCode::kInvalidArgument, "tokenizer.ggml.tokens is empty"},
      {"missing merges", [](auto& k) { Remove(k, "tokenizer.ggml.merges"); }, StatusCode::kNotFound,
       "no metadata key 'tokenizer.ggml.merges'"},
      {"missing token types", [](auto& k) { Remove(k, "tokenizer.ggml.token_type"); },
       StatusCode::kNotFound, "no metadata key 'tokenizer.ggml.token_type'"},
      {"token types as UINT32",
       [&](auto& k) { Set(k, "tokenizer.ggml.token_type", Array(std::vector<uint32_t>(269, 1))); },
       StatusCode::kInvalidArgument,
       "metadata key 'tokenizer.ggml.token_type' is ARRAY[UINT32], not ARRAY[INT32]"},
      {"token types shorter",
       [&](auto& k) { Set(k, "tokenizer.ggml.token_type", Array(std::vector<int32_t>(268, 1))); },
       StatusCode::kInvalidArgument,
       "tokenizer.ggml.token_type has 268 entries but tokenizer.ggml.tokens has 269"},
      {"token type out of range",
       [&](auto& k) {
         std::vector<int32_t> types = v.token_types;
         types[5] = 7;
         Set(k, "tokenizer.ggml.token_type", Array(types));
       },
       StatusCode::kInvalidArgument, "tokenizer.ggml.token_type[5] = 7 is not a token type"},
      {"duplicate token",
       [&](auto& k) {
         std::vector<std::string> tokens = v.tokens;
         tokens[268] = "Ġthe";
         Set(k, "tokenizer.ggml.tokens", Array(tokens));
       },
       StatusCode::kInvalidArgument,
       "tokenizer.ggml.tokens[268] \"\\304\\240the\" duplicates tokenizer.ggml.tokens[262]"},
      {"missing byte token",
       [&](auto& k) {
         std::vector<std::string> tokens = v.tokens;
         tokens[4 + 'z'] = "zz";
         Set(k, "tokenizer.ggml.tokens", Array(tokens));
       },
       StatusCode::kInvalidArgument, "tokenizer.ggml.tokens has no token for byte 0x7a (\"z\")"},
      {"merge of an unknown token",
       [&](auto& k) {
         std::vector<std::string> merges = v.merges;
         merges.push_back("Ġ zz");
         Set(k, "tokenizer.ggml.merges", Array(merges));
       },
       StatusCode::kInvalidArgument,
       "tokenizer.ggml.merges[8] \"\\304\\240 zz\": \"zz\" is not a token"},
      {"merge without a space",
       [&](auto& k) {
         Set(k, "tokenizer.ggml.merges", Array(std::vector<std::string>{"h e", "he"}));
       },
       StatusCode::kInvalidArgument,
       "tokenizer.ggml.merges[1] \"he\" is not two tokens separated by a space"},
      {"missing bos", [](auto& k) { Remove(k, "tokenizer.ggml.bos_token_id"); },
       StatusCode::kNotFound, "no metadata key 'tokenizer.ggml.bos_token_id'"},
      {"bos out of range", [](auto& k) { Set(k, "tokenizer.ggml.bos_token_id", uint32_t{269}); },
       StatusCode::kInvalidArgument,
       "tokenizer.ggml.bos_token_id = 269 is out of range (269 tokens)"},
      {"bos above INT32_MAX",
       [](auto& k) { Set(k, "tokenizer.ggml.bos_token_id", uint32_t{0x80000000}); },
       StatusCode::kInvalidArgument, "tokenizer.ggml.bos_token_id = 2147483648 is out of range"},
      {"eos negative", [](auto& k) { Set(k, "tokenizer.ggml.eos_token_id", int32_t{-1}); },
       StatusCode::kInvalidArgument, "tokenizer.ggml.eos_token_id = -1 is out of range"},
      {"eos a float", [](auto& k) { Set(k, "tokenizer.ggml.eos_token_id", 1.0f); },
       StatusCode::kInvalidArgument,
       "metadata key 'tokenizer.ggml.eos_token_id' is FLOAT32, not UINT32"},
      {"padding a string",
       [](auto& k) { Set(k, "tokenizer.ggml.padding_token_id", std::string("0")); },
       StatusCode::kInvalidArgument, "metadata key 'tokenizer.ggml.padding_token_id' is STRING"},
      {"padding out of range",
       [](auto& k) { Set(k, "tokenizer.ggml.padding_token_id", uint32_t{1000}); },
       StatusCode::kInvalidArgument, "tokenizer.ggml.padding_token_id = 1000 is out of range"},
      {"add_bos not a bool", [](auto& k) { Set(k, "tokenizer.ggml.add_bos_token", uint8_t{1}); },
       StatusCode::kInvalidArgument,
       "metadata key 'tokenizer.ggml.add_bos_token' is UINT8, not BOOL"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<GgufKv> kvs = TokenizerGgufKeys(v);
    c.edit(kvs);
    auto t = Tokenizer::FromGguf(ToMetadata(kvs));
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), c.code) << t.status();
    EXPECT_THAT(t.status().message(), HasSubstr(c.message));
  }
}

TEST(TokenizerGgufTest, CreateChecksTheVectorsToo) {
  TokenizerVocab v = TestVocab();
  v.eos_id = 300;
  auto t = Tokenizer::Create(v);
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("tokenizer.ggml.eos_token_id = 300 is out of range (269 tokens)"));
}

}  // namespace
}  // namespace nas::liv
