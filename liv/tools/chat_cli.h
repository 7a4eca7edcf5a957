// The --gguf mode of liv-run: its flags (AddChatOptions) and the program (RunChatCli), apart
// from main so that tests can run it on string streams. One -p prompt is one turn; without -p,
// or with -i, turns are read from `in`, one per line, until an empty line or the end (after the
// -p turn when both are given), with "> " on `err` before each when `in` is a terminal. Replies
// stream to `out` piece by piece (flushed). Statistics go to `err`: after each turn of a
// conversation, and at the end the totals (prefill and decode tokens and tokens/s), the peak
// memory of the process (VmHWM) and the load time. --json writes instead one JSON object per
// turn to `out` (text with bytes that are not UTF-8 shown as U+FFFD, the token ids, counts,
// seconds, tokens/s, stop reason, peak bytes, load seconds). Errors are one line "liv-run: ..."
// on `err`: exit 2 for a bad flag value (naming the flag), 1 for a file or model that cannot be
// used or a prompt that does not fit the context; a conversation that fills the context says so
// and ends with 0.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "CLI/CLI.hpp"

namespace nas::liv {

struct ChatCliOptions {
  std::string gguf;
  std::string prompt;
  bool prompt_given = false;  // -p was given (an empty prompt is a prompt)
  bool interactive = false;
  std::string system;
  bool no_chat_template = false;
  uint32_t max_tokens = 512;
  double temperature = 0.3;
  double min_p = 0.15;
  double repeat_penalty = 1.05;
  bool greedy = false;
  uint64_t seed = 0;
  int threads = 1;
  std::string kv_type = "f32";
  std::string weights;  // empty = the file's type
  uint32_t ctx = 4096;
  bool json = false;
};

// Adds -p, -i, --system, --no-chat-template, -n, --temp, --min-p, --repeat-penalty,
// --greedy, --weights and --ctx, each needing `gguf`. (--seed, -t, --kv-type and --json are
// shared with the -m mode and added by main.)
void AddChatOptions(CLI::App& app, ChatCliOptions& options, CLI::Option* gguf);

// The exit code.
int RunChatCli(const ChatCliOptions& options, std::istream& in, std::ostream& out,
               std::ostream& err, bool in_is_terminal);
int RunChatCli(const ChatCliOptions& options);  // stdin, stdout, stderr

}  // namespace nas::liv
