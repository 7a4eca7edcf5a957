// ChatRunner on tiny LFM2 GGUFs: greedy turns equal an argmax loop on a plain Session over
// the template's tokens; a seed fixes the sampled text and two seeds differ; a conversation
// prefills each turn's new tokens only and ends up holding exactly the whole conversation's
// template; raw mode starts with BOS; a full context stops a turn and fails the next.
#include "liv/tools/chat_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "liv/formats/chat_template.h"
#include "liv/tools/chat_model.h"
#include "tests/liv/tools/chat_test_util.h"

namespace nas::liv {
namespace {

using ::testing::HasSubstr;
using tokenizer_test::kImEnd;

ChatModel Load(const Model& model, const std::string& name) {
  const std::string path = chat_test::TempPath(name);
  chat_test::WriteChatGguf(model, path);
  auto loaded = LoadChatModel(path);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *std::move(loaded);
}

RuntimeOptions Runtime(uint32_t max_context = 256) {
  RuntimeOptions runtime;
  runtime.threads = 1;
  runtime.max_context = max_context;
  return runtime;
}

ChatOptions Greedy(uint32_t max_tokens) {
  ChatOptions options;
  options.sampling.temperature = 0;
  options.sampling.repetition_penalty = 1;
  options.max_tokens = max_tokens;
  return options;
}

std::unique_ptr<ChatRunner> MakeRunner(const ChatModel& m, const ChatOptions& options,
                                       uint32_t max_context = 256) {
  auto runner = ChatRunner::Create(m.model, m.tokenizer, Runtime(max_context), options);
  EXPECT_TRUE(runner.ok()) << runner.status();
  return *std::move(runner);
}

std::vector<int32_t> EncodeSpecial(const Tokenizer& t, const std::string& text) {
  return t.Encode(text, {.parse_special = true});
}

std::string Template(const std::vector<ChatMessage>& messages, bool generation_prompt) {
  auto text = ApplyLfm2ChatTemplate(messages, generation_prompt);
  EXPECT_TRUE(text.ok()) << text.status();
  return *text;
}

TEST(ChatRunnerTest, GreedyTurnEqualsAnArgmaxLoopOnASession) {
  const ChatModel m = Load(*chat_test::RandomChatModel(), "chat_greedy.gguf");
  ChatOptions options = Greedy(24);
  options.system = "Be brief.";
  auto runner = MakeRunner(m, options);
  std::string streamed;
  auto result = runner->Turn("the cat sat in the hat", [&](std::string_view piece) {
    EXPECT_FALSE(piece.empty());
    streamed += piece;
  });
  ASSERT_TRUE(result.ok()) << result.status();

  const std::vector<int32_t> prompt = EncodeSpecial(
      m.tokenizer, Template({{"system", "Be brief."}, {"user", "the cat sat in the hat"}}, true));
  auto session = Session::Create(m.model, Runtime());
  ASSERT_TRUE(session.ok());
  auto logits = (*session)->Prefill(prompt);
  ASSERT_TRUE(logits.ok());
  std::vector<int32_t> expected;
  for (;;) {
    const int32_t best =
        static_cast<int32_t>(std::max_element(logits->begin(), logits->end()) - logits->begin());
    if (best == kImEnd) break;
    expected.push_back(best);
    if (expected.size() == 24) break;
    logits = (*session)->Decode(best);
    ASSERT_TRUE(logits.ok());
  }
  ASSERT_GE(expected.size(), 2u) << "the model stops at once; pick another seed";
  EXPECT_EQ(result->tokens, expected);
  EXPECT_EQ(result->prefill_tokens, prompt.size());
  EXPECT_EQ(result->decode_tokens,
            result->stop == StopReason::kMaxTokens ? expected.size() - 1 : expected.size());
  EXPECT_EQ(result->text, *m.tokenizer.Decode(expected, {.skip_control = true}));
  EXPECT_EQ(streamed, result->text);
  EXPECT_EQ(runner->position(), (*session)->position());
  EXPECT_EQ(runner->history().size(), runner->position());
  EXPECT_TRUE(std::equal(prompt.begin(), prompt.end(), runner->history().begin()));
}

TEST(ChatRunnerTest, TheSeedFixesTheSampleAndTwoSeedsDiffer) {
  const ChatModel m = Load(*chat_test::RandomChatModel(), "chat_seeds.gguf");
  auto sample = [&](uint64_t seed) {
    ChatOptions options;
    options.sampling.temperature = 2.0;  // close to uniform over the 269 tokens
    options.sampling.min_p = 0;
    options.sampling.repetition_penalty = 1;
    options.sampling.seed = seed;
    options.max_tokens = 16;
    auto result = MakeRunner(m, options)->Turn("hello");
    EXPECT_TRUE(result.ok()) << result.status();
    return *result;
  };
  const TurnResult a = sample(7), again = sample(7), b = sample(8);
  EXPECT_EQ(a.tokens, again.tokens);
  EXPECT_EQ(a.text, again.text);
  EXPECT_GE(a.tokens.size(), 4u);
  EXPECT_NE(a.tokens, b.tokens);
}

TEST(ChatRunnerTest, TheScriptedModelSaysTheThenEndsItsTurn) {
  const ChatModel m = Load(*chat_test::ScriptedModel(), "chat_scripted.gguf");
  auto result = MakeRunner(m, Greedy(8))->Turn("hi");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->tokens, (std::vector<int32_t>{tokenizer_test::kSpaceThe}));
  EXPECT_EQ(result->text, " the");
  EXPECT_EQ(result->stop, StopReason::kEndOfTurn);
  EXPECT_EQ(result->decode_tokens, 1u);
}

// EOS (here " the", which the scripted model says first) ends a turn too; the reply is then
// closed with "<|im_end|>\n" like any other, and EOS is not fed.
TEST(ChatRunnerTest, EosEndsTheTextAndTheNextTurnClosesTheReply) {
  const ChatModel m = Load(*chat_test::ScriptedModel(), "chat_eos.gguf");
  TokenizerVocab vocab = tokenizer_test::TestVocab();
  vocab.eos_id = tokenizer_test::kSpaceThe;
  auto tokenizer = Tokenizer::Create(vocab);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto runner = ChatRunner::Create(m.model, *tokenizer, Runtime(), Greedy(8));
  ASSERT_TRUE(runner.ok()) << runner.status();
  auto first = (*runner)->Turn("hi");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->stop, StopReason::kEndOfText);
  EXPECT_TRUE(first->tokens.empty());
  EXPECT_EQ(first->text, "");
  EXPECT_EQ(first->decode_tokens, 0u);
  auto second = (*runner)->Turn("and?");
  ASSERT_TRUE(second.ok()) << second.status();
  const std::vector<int32_t> whole = EncodeSpecial(
      m.tokenizer, Template({{"user", "hi"}, {"assistant", ""}, {"user", "and?"}}, true));
  EXPECT_EQ((*runner)->history(), whole);
}

// The conversation's tokens are those of its whole template: the second turn prefills
// exactly what the first turn's reply does not already hold.
TEST(ChatRunnerTest, ASecondTurnPrefillsOnlyItsNewTokens) {
  const ChatModel m = Load(*chat_test::ScriptedModel(), "chat_two_turns.gguf");
  ChatOptions options = Greedy(8);
  options.system = "You are terse.";
  auto runner = MakeRunner(m, options);
  auto first = runner->Turn("hi there");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->text, " the");
  const uint64_t after_first = runner->position();
  EXPECT_EQ(after_first, first->prefill_tokens + 1);  // " the" was fed, <|im_end|> was not

  auto second = runner->Turn("and then?");
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->text, " the");
  const std::vector<ChatMessage> conversation = {{"system", "You are terse."},
                                                 {"user", "hi there"},
                                                 {"assistant", " the"},
                                                 {"user", "and then?"}};
  const std::vector<int32_t> whole = EncodeSpecial(m.tokenizer, Template(conversation, true));
  EXPECT_EQ(second->prefill_tokens, whole.size() - after_first);
  // The history is the whole template followed by the fed part of the second reply.
  std::vector<int32_t> expected = whole;
  expected.push_back(tokenizer_test::kSpaceThe);
  EXPECT_EQ(runner->history(), expected);
  EXPECT_EQ(runner->position(), expected.size());
  // The same as re-encoding the conversation with both replies closed, less the final
  // "<|im_end|>\n".
  std::vector<ChatMessage> closed = conversation;
  closed.push_back({"assistant", " the"});
  std::vector<int32_t> reencoded = EncodeSpecial(m.tokenizer, Template(closed, false));
  ASSERT_GE(reencoded.size(), 2u);
  reencoded.resize(reencoded.size() - 2);
  EXPECT_EQ(runner->history(), reencoded);
}

TEST(ChatRunnerTest, ATurnCutByMaxTokensFeedsItsLastTokenWithTheNextTurn) {
  const ChatModel m = Load(*chat_test::RandomChatModel(), "chat_cut.gguf");
  auto runner = MakeRunner(m, Greedy(3));
  auto first = runner->Turn("one");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->stop, StopReason::kMaxTokens);
  ASSERT_EQ(first->tokens.size(), 3u);
  EXPECT_EQ(first->decode_tokens, 2u);
  const uint64_t after_first = runner->position();
  auto pending = runner->PendingTokens("two");
  ASSERT_TRUE(pending.ok());
  std::vector<int32_t> expected = {first->tokens.back()};
  for (int32_t id : EncodeSpecial(m.tokenizer,
                                  "<|im_end|>\n<|im_start|>user\ntwo<|im_end|>\n"
                                  "<|im_start|>assistant\n")) {
    expected.push_back(id);
  }
  EXPECT_EQ(*pending, expected);
  auto second = runner->Turn("two");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->prefill_tokens, expected.size());
  EXPECT_EQ(runner->position(), after_first + expected.size() + second->decode_tokens);
}

TEST(ChatRunnerTest, RawModeStartsWithBosAndHasNoTemplate) {
  const ChatModel m = Load(*chat_test::RandomChatModel(), "chat_raw.gguf");
  ChatOptions options = Greedy(2);
  options.chat_template = false;
  auto runner = MakeRunner(m, options);
  auto pending = runner->PendingTokens(" the <|im_start|>");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*pending, (std::vector<int32_t>{tokenizer_test::kStartOfText, tokenizer_test::kSpaceThe,
                                            tokenizer_test::B(' '), tokenizer_test::kImStart}));
}

TEST(ChatRunnerTest, AFullContextStopsTheTurnAndFailsTheNext) {
  const ChatModel m = Load(*chat_test::RandomChatModel(), "chat_full.gguf");
  const std::vector<int32_t> prompt =
      EncodeSpecial(m.tokenizer, Template({{"user", "hello"}}, true));
  ChatOptions options = Greedy(100);
  options.sampling.temperature = 2;  // no early <|im_end|> (the draw is seeded)
  options.sampling.min_p = 0;
  auto runner = MakeRunner(m, options, static_cast<uint32_t>(prompt.size()) + 3);
  auto first = runner->Turn("hello");
  ASSERT_TRUE(first.ok()) << first.status();
  if (first->stop == StopReason::kContextFull) {
    EXPECT_EQ(runner->position(), prompt.size() + 3);
    EXPECT_EQ(first->tokens.size(), 4u);
    auto second = runner->Turn("more");
    EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(second.status().message(), HasSubstr("context full"));
  } else {
    ADD_FAILURE() << "stopped with " << StopReasonName(first->stop) << "; pick another seed";
  }
}

TEST(ChatRunnerTest, APromptLongerThanTheContextFails) {
  const ChatModel m = Load(*chat_test::RandomChatModel(), "chat_long.gguf");
  auto runner = MakeRunner(m, Greedy(4), 16);
  auto result = runner->Turn(std::string(40, 'x'));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(result.status().message(), HasSubstr("context full: 0 of 16 positions"));
  EXPECT_EQ(runner->position(), 0u);
}

TEST(ChatRunnerTest, BadOptionsAreRejected) {
  const ChatModel m = Load(*chat_test::RandomChatModel(), "chat_bad.gguf");
  ChatOptions options;
  options.sampling.temperature = -1;
  auto bad = ChatRunner::Create(m.model, m.tokenizer, Runtime(), options);
  EXPECT_THAT(bad.status().message(), HasSubstr("temperature"));
  options = Greedy(0);
  bad = ChatRunner::Create(m.model, m.tokenizer, Runtime(), options);
  EXPECT_THAT(bad.status().message(), HasSubstr("max tokens"));
}

}  // namespace
}  // namespace nas::liv
