// liv-run --gguf as a process (and RunChatCli in process): one -p turn streams the reply and
// prints the statistics on stderr; --json equals the ChatRunner in process; a conversation on
// stdin prefills only each new turn; bad flag values, a missing file and another architecture
// fail with one line naming the flag, the path or the architecture.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "liv/formats/chat_template.h"
#include "liv/formats/gguf_writer.h"
#include "liv/tools/chat_cli.h"
#include "liv/tools/chat_model.h"
#include "liv/tools/chat_runner.h"
#include "tests/liv/tools/chat_test_util.h"
#include "tests/liv/tools/run_command.h"

namespace nas::liv {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCommand;

// Written once per process: the random and the scripted tiny models.
const std::string& RandomGguf() {
  static const std::string path = [] {
    const std::string p = chat_test::TempPath("liv_run_chat_random.gguf");
    chat_test::WriteChatGguf(*chat_test::RandomChatModel(), p);
    return p;
  }();
  return path;
}

const std::string& ScriptedGguf() {
  static const std::string path = [] {
    const std::string p = chat_test::TempPath("liv_run_chat_scripted.gguf");
    chat_test::WriteChatGguf(*chat_test::ScriptedModel(), p);
    return p;
  }();
  return path;
}

std::string WriteText(const std::string& name, const std::string& text) {
  const std::string path = chat_test::TempPath(name);
  std::ofstream(path) << text;
  return path;
}

TEST(LivRunChatTest, OnePromptStreamsTheReplyAndPrintsTheStatistics) {
  auto r = RunCommand(NAS_LIV_RUN_BIN,
                      "--gguf " + RandomGguf() + " -p 'hello there' -n 6 -t 1 --seed 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, EndsWith("\n"));
  EXPECT_THAT(r.err, HasSubstr("liv-run: prefill: "));
  EXPECT_THAT(r.err, HasSubstr(" tokens/s\nliv-run: decode: "));
  EXPECT_THAT(r.err, HasSubstr("liv-run: peak memory: "));
  EXPECT_THAT(r.err, HasSubstr(" MiB (VmHWM); load: "));
  EXPECT_THAT(r.err, HasSubstr("weights f32, KV cache f32, context 256, 1 threads"));
  EXPECT_THAT(r.err, Not(HasSubstr("> ")));
}

TEST(LivRunChatTest, JsonEqualsTheChatRunnerInProcess) {
  auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + RandomGguf() +
                                           " -p 'the end' --system 'Be brief.' -n 10 -t 1 "
                                           "--greedy --json --kv-type f16");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;

  auto m = LoadChatModel(RandomGguf());
  ASSERT_TRUE(m.ok()) << m.status();
  RuntimeOptions runtime;
  runtime.kv_type = KvType::kF16;
  runtime.max_context = 256;
  ChatOptions options;
  options.sampling.temperature = 0;
  options.sampling.repetition_penalty = 1;
  options.max_tokens = 10;
  options.system = "Be brief.";
  auto runner = ChatRunner::Create(m->model, m->tokenizer, runtime, options);
  ASSERT_TRUE(runner.ok()) << runner.status();
  auto turn = (*runner)->Turn("the end");
  ASSERT_TRUE(turn.ok()) << turn.status();

  // Bytes that are not UTF-8 (a random model's reply has some) are U+FFFD in the JSON.
  EXPECT_EQ(j["text"], nlohmann::json::parse(
                           nlohmann::json(turn->text)
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  EXPECT_EQ(j["tokens"].get<std::vector<int32_t>>(), turn->tokens);
  EXPECT_EQ(j["stop"], std::string(StopReasonName(turn->stop)));
  EXPECT_EQ(j["prefill_tokens"], turn->prefill_tokens);
  EXPECT_EQ(j["decode_tokens"], turn->decode_tokens);
  EXPECT_EQ(j["generated_tokens"], turn->tokens.size());
  EXPECT_GT(j["peak_bytes"].get<uint64_t>(), 0u);
  EXPECT_GE(j["load_seconds"].get<double>(), 0.0);
  EXPECT_GE(j["prefill_tokens_per_second"].get<double>(), 0.0);
  EXPECT_GE(j["decode_tokens_per_second"].get<double>(), 0.0);
}

TEST(LivRunChatTest, AConversationOnStdinPrefillsOnlyEachNewTurn) {
  const std::string input = WriteText("liv_run_chat_turns.txt", "hi there\nand then?\n\nignored\n");
  auto r =
      RunCommand(NAS_LIV_RUN_BIN, "--gguf " + ScriptedGguf() + " --greedy -t 1 --json < " + input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<nlohmann::json> turns;
  while (std::getline(lines, line)) turns.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(turns.size(), 2u) << r.out;  // the empty line ends the conversation
  EXPECT_EQ(turns[0]["text"], " the");
  EXPECT_EQ(turns[1]["text"], " the");

  auto m = LoadChatModel(ScriptedGguf());
  ASSERT_TRUE(m.ok());
  auto encode = [&](const std::vector<ChatMessage>& messages) {
    return m->tokenizer.Encode(*ApplyLfm2ChatTemplate(messages, true), {.parse_special = true})
        .size();
  };
  const size_t first = encode({{"user", "hi there"}});
  const size_t whole = encode({{"user", "hi there"}, {"assistant", " the"}, {"user", "and then?"}});
  EXPECT_EQ(turns[0]["prefill_tokens"], first);
  EXPECT_EQ(turns[1]["prefill_tokens"], whole - (first + 1));
  EXPECT_THAT(r.err, HasSubstr("liv-run: [turn 1] prefill: "));
  EXPECT_THAT(r.err, HasSubstr("liv-run: [turn 2] prefill: "));
  EXPECT_THAT(r.err, HasSubstr("stop: end of turn"));
  EXPECT_THAT(r.err, HasSubstr("liv-run: peak memory: "));
  EXPECT_THAT(r.err, Not(HasSubstr("> ")));  // stdin is not a terminal
}

// In process on string streams: a terminal gets "> " on stderr before each turn (and before
// the end of input), the replies go to stdout.
TEST(LivRunChatTest, ATerminalGetsThePromptMarker) {
  ChatCliOptions options;
  options.gguf = ScriptedGguf();
  options.greedy = true;
  options.threads = 1;
  std::istringstream in("hi\nwhat now?\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunChatCli(options, in, out, err, /*in_is_terminal=*/true), 0) << err.str();
  EXPECT_EQ(out.str(), " the\n the\n");
  const std::string e = err.str();
  size_t markers = 0;
  for (size_t at = e.find("> "); at != std::string::npos; at = e.find("> ", at + 1)) ++markers;
  EXPECT_EQ(markers, 3u) << e;
  EXPECT_THAT(e, HasSubstr("[turn 2]"));
}

TEST(LivRunChatTest, AConversationThatFillsTheContextSaysSoAndEnds) {
  auto m = LoadChatModel(ScriptedGguf());
  ASSERT_TRUE(m.ok());
  auto encode = [&](const std::vector<ChatMessage>& messages) {
    return m->tokenizer.Encode(*ApplyLfm2ChatTemplate(messages, true), {.parse_special = true})
        .size();
  };
  // After the first turn the session holds its template and " the"; the second turn needs
  // one position more than is left.
  const size_t after_first = encode({{"user", "hi"}}) + 1;
  const size_t whole = encode({{"user", "hi"}, {"assistant", " the"}, {"user", "more words"}});
  const size_t ctx = whole;
  const std::string input = WriteText("liv_run_chat_full.txt", "hi\nmore words\nagain\n");
  auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + ScriptedGguf() + " --greedy -t 1 --ctx " +
                                           std::to_string(ctx) + " < " + input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[turn 1]"));
  EXPECT_THAT(r.err, HasSubstr("liv-run: context full: " + std::to_string(after_first) + " of " +
                               std::to_string(ctx) + " positions are used and the turn needs " +
                               std::to_string(whole - after_first) + " more"));
  EXPECT_THAT(r.err, HasSubstr("(--ctx " + std::to_string(ctx) + ")"));
  EXPECT_THAT(r.err, Not(HasSubstr("[turn 2]")));
  EXPECT_EQ(r.out, " the\n");
}

TEST(LivRunChatTest, APromptThatDoesNotFitFails) {
  auto r =
      RunCommand(NAS_LIV_RUN_BIN, "--gguf " + ScriptedGguf() + " -p 'a long prompt' --ctx 8 -t 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("liv-run: context full: 0 of 8 positions"));
}

TEST(LivRunChatTest, BadSamplingValuesNameTheFlag) {
  struct Case {
    std::string flag, message;
  };
  for (const Case& c : {Case{"--temp -1",
                             "liv-run: --temp: temperature: must be a finite "
                             "number >= 0, got -1\n"},
                        Case{"--min-p 1.5",
                             "liv-run: --min-p: min-p: must be in [0, 1], got "
                             "1.5\n"},
                        Case{"--repeat-penalty 0.5",
                             "liv-run: --repeat-penalty: repetition "
                             "penalty: must be a finite number >= 1, got "
                             "0.5\n"},
                        Case{"-n 0", "liv-run: --max-tokens: must be at least 1\n"}}) {
    auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + RandomGguf() + " -p hi " + c.flag);
    EXPECT_EQ(r.exit_code, 2) << c.flag;
    EXPECT_EQ(r.err, c.message);
  }
}

TEST(LivRunChatTest, BadTypesNameTheFlag) {
  auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + RandomGguf() + " -p hi --kv-type bf16");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("liv-run: --kv-type: "));
  r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + RandomGguf() + " -p hi --weights q5_k");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("liv-run: --weights: "));
}

TEST(LivRunChatTest, AMissingFileIsNamed) {
  const std::string path = chat_test::TempPath("no_such_model.gguf");
  auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + path + " -p hi");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path));
  EXPECT_THAT(r.err, HasSubstr("No such file"));
}

TEST(LivRunChatTest, AFileWithoutATokenizerSaysHowToGetOne) {
  const ArchSpec spec = chat_test::TinyChatSpec();
  const std::string path = chat_test::TempPath("no_tokenizer.gguf");
  ASSERT_TRUE(ExportLfm2Gguf(spec, chat_test::RandomChatModel()->weights(), path).ok());
  auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + path + " -p hi");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path + ": the file has no tokenizer"));
  EXPECT_THAT(r.err, HasSubstr("liv-export --tokenizer-from"));
}

TEST(LivRunChatTest, AnotherArchitectureIsUnsupported) {
  GgufWriter writer;
  ASSERT_TRUE(writer.AddMetadata("general.architecture", std::string("llama")).ok());
  for (const GgufKv& kv : TokenizerGgufKeys(tokenizer_test::TestVocab())) {
    ASSERT_TRUE(writer.AddMetadata(kv.key, kv.value).ok());
  }
  const std::string path = chat_test::TempPath("llama.gguf");
  ASSERT_TRUE(writer.WriteFile(path).ok());
  auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + path + " -p hi");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "liv-run: " + path + ": unsupported architecture llama (only lfm2)\n");
}

TEST(LivRunChatTest, ModeFlagsAreNotMixed) {
  auto r = RunCommand(NAS_LIV_RUN_BIN, "--gguf " + RandomGguf() + " --tokens 1,2");
  EXPECT_EQ(r.exit_code, 2);
  r = RunCommand(NAS_LIV_RUN_BIN, "-m LFM2-350M --tokens 1 -p hi");
  EXPECT_EQ(r.exit_code, 2);
  r = RunCommand(NAS_LIV_RUN_BIN, "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--gguf"));
}

}  // namespace
}  // namespace nas::liv
