// One conversation with a model: a ChatRunner owns the Session, the Sampler and a copy of
// the tokenizer, and runs one turn at a time. A turn encodes the new text (with the LFM2
// chat template, chat_template.h, or raw), prefills it, then samples up to max_tokens
// tokens, stopping at <|im_end|> or the tokenizer's EOS token; every complete UTF-8 piece
// (token_decoder.h, control tokens skipped) goes to the callback as soon as it exists.
//
// The conversation stays in the session: a turn prefills only what is new. The stop token
// is not fed; the next turn prefills "<|im_end|>\n", which closes the reply, then the
// template text of the new user message and the generation prompt (all after the last
// sampled token when max_tokens cut the reply, as that one was not fed either). Special
// tokens cut the text into pieces that are encoded separately, so the session holds exactly
// the tokens of the whole conversation's template, each reply as the ids that were sampled
// (history()). Raw mode (no template) starts with BOS and appends each text as it is, after
// the previous turn's unfed token (its stop token included). A full context stops a turn
// (kContextFull); a turn that does not fit fails with FailedPrecondition "context full",
// and so does every turn after a kContextFull. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "liv/formats/tokenizer.h"
#include "liv/runtime/sampler.h"
#include "liv/runtime/session.h"

namespace nas::liv {

struct ChatOptions {
  SamplingOptions sampling;   // temperature 0 = greedy
  uint32_t max_tokens = 512;  // sampled tokens per turn, >= 1
  bool chat_template = true;  // false: raw text, BOS first
  std::string system;         // system message of the first turn; empty = none
};

enum class StopReason { kEndOfTurn, kEndOfText, kMaxTokens, kContextFull };
std::string_view StopReasonName(StopReason reason);  // "end of turn", "eos", ...

struct TurnResult {
  std::vector<int32_t> tokens;  // sampled, the stop token excluded
  std::string text;             // what the callback received, concatenated
  StopReason stop = StopReason::kEndOfTurn;
  uint64_t prefill_tokens = 0;
  double prefill_seconds = 0;
  uint64_t decode_tokens = 0;   // Session::Decode calls (tokens fed one at a time)
  double decode_seconds = 0;    // time in those calls
  double generate_seconds = 0;  // wall time from the end of prefill to the stop
};

using PieceCallback = std::function<void(std::string_view piece)>;

class ChatRunner {
 public:
  // InvalidArgument for bad sampling options, max_tokens 0, or a tokenizer with more
  // tokens than the model's vocabulary; the session's errors otherwise.
  static absl::StatusOr<std::unique_ptr<ChatRunner>> Create(std::shared_ptr<const Model> model,
                                                            Tokenizer tokenizer,
                                                            const RuntimeOptions& runtime,
                                                            const ChatOptions& options);

  // One user turn (or, in raw mode, one more piece of text). FailedPrecondition "context
  // full" when the new tokens do not fit with room for one sampled token.
  absl::StatusOr<TurnResult> Turn(std::string_view user_text, const PieceCallback& on_piece = {});

  // The tokens the next Turn(user_text) would prefill.
  absl::StatusOr<std::vector<int32_t>> PendingTokens(std::string_view user_text) const;

  // Tokens fed to the session so far (history().size() == position()).
  const std::vector<int32_t>& history() const { return history_; }
  uint64_t position() const { return session_->position(); }
  uint32_t max_context() const { return session_->options().max_context; }
  const Session& session() const { return *session_; }
  const Tokenizer& tokenizer() const { return tokenizer_; }

 private:
  ChatRunner(std::unique_ptr<Session> session, Tokenizer tokenizer, const ChatOptions& options);
  bool IsStop(int32_t id) const;

  std::unique_ptr<Session> session_;
  Tokenizer tokenizer_;
  ChatOptions options_;
  Sampler sampler_;
  std::optional<int32_t> im_end_;
  std::vector<int32_t> history_;
  // Sampled but not fed yet: the last token of a turn cut by max_tokens or by a full
  // context, or in raw mode also the stop token.
  std::optional<int32_t> unfed_;
  bool replied_ = false;  // a turn ran, so the next one closes its reply first
  bool full_ = false;
};

}  // namespace nas::liv
