#include "liv/tools/chat_runner.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "liv/formats/chat_template.h"
#include "liv/formats/token_decoder.h"

namespace nas::liv {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kEndOfTurn:
      return "end of turn";
    case StopReason::kEndOfText:
      return "end of text";
    case StopReason::kMaxTokens:
      return "max tokens";
    case StopReason::kContextFull:
      return "context full";
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<ChatRunner>> ChatRunner::Create(std::shared_ptr<const Model> model,
                                                               Tokenizer tokenizer,
                                                               const RuntimeOptions& runtime,
                                                               const ChatOptions& options) {
  NAS_RETURN_IF_ERROR(ValidateSamplingOptions(options.sampling));
  if (options.max_tokens == 0) {
    return absl::InvalidArgumentError("max tokens: must be at least 1");
  }
  if (tokenizer.vocab_size() > model->spec().vocab_size()) {
    return absl::InvalidArgumentError(absl::StrCat("the tokenizer has ", tokenizer.vocab_size(),
                                                   " tokens, more than the model's vocabulary of ",
                                                   model->spec().vocab_size()));
  }
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<Session> session,
                       Session::Create(std::move(model), runtime));
  return std::unique_ptr<ChatRunner>(
      new ChatRunner(std::move(session), std::move(tokenizer), options));
}

ChatRunner::ChatRunner(std::unique_ptr<Session> session, Tokenizer tokenizer,
                       const ChatOptions& options)
    : session_(std::move(session)),
      tokenizer_(std::move(tokenizer)),
      options_(options),
      sampler_(options.sampling),
      im_end_(tokenizer_.TokenId(kLfm2MessageEnd)) {}

bool ChatRunner::IsStop(int32_t id) const {
  return id == tokenizer_.eos_id() || (im_end_.has_value() && id == *im_end_);
}

absl::StatusOr<std::vector<int32_t>> ChatRunner::PendingTokens(std::string_view user_text) const {
  std::vector<int32_t> tokens;
  if (unfed_.has_value()) tokens.push_back(*unfed_);
  std::string text;
  if (!options_.chat_template) {
    text = std::string(user_text);
  } else {
    std::vector<ChatMessage> messages;
    if (!replied_ && !options_.system.empty()) messages.push_back({"system", options_.system});
    messages.push_back({"user", std::string(user_text)});
    NAS_ASSIGN_OR_RETURN(std::string turn, ApplyLfm2ChatTemplate(messages, true));
    if (replied_) {
      // The whole conversation's template has "<|im_end|>\n" after the reply and no second
      // "<|startoftext|>".
      text = std::string(kLfm2MessageEnd) + "\n" +
             turn.substr(std::string_view(kLfm2BeginText).size());
    } else {
      text = std::move(turn);
    }
  }
  const bool bos = !options_.chat_template && history_.empty() && tokens.empty();
  for (int32_t id : tokenizer_.Encode(text, {.add_bos = bos, .parse_special = true})) {
    tokens.push_back(id);
  }
  return tokens;
}

absl::StatusOr<TurnResult> ChatRunner::Turn(std::string_view user_text,
                                            const PieceCallback& on_piece) {
  const uint64_t capacity = max_context();
  if (full_) {
    return absl::FailedPreconditionError(
        absl::StrCat("context full: all ", capacity, " positions are used"));
  }
  NAS_ASSIGN_OR_RETURN(std::vector<int32_t> prompt, PendingTokens(user_text));
  if (position() + prompt.size() >= capacity) {
    return absl::FailedPreconditionError(absl::StrCat(
        "context full: ", position(), " of ", capacity, " positions are used and the turn needs ",
        prompt.size(), " more, plus one for the reply"));
  }

  TurnResult result;
  const Clock::time_point prefill_start = Clock::now();
  NAS_ASSIGN_OR_RETURN(std::span<const float> logits, session_->Prefill(prompt));
  result.prefill_seconds = Seconds(prefill_start);
  result.prefill_tokens = prompt.size();
  history_.insert(history_.end(), prompt.begin(), prompt.end());
  unfed_.reset();
  replied_ = true;

  const Clock::time_point generate_start = Clock::now();
  TokenDecoder decoder(tokenizer_, {.skip_control = true});
  auto emit = [&](const std::string& piece) {
    if (piece.empty()) return;
    result.text += piece;
    if (on_piece) on_piece(piece);
  };
  for (;;) {
    // Ids past the tokenizer's vocabulary (padding rows of the model's) are never drawn.
    const int32_t id = sampler_.Sample(logits.first(tokenizer_.vocab_size()), history_);
    if (IsStop(id)) {
      result.stop =
          im_end_.has_value() && id == *im_end_ ? StopReason::kEndOfTurn : StopReason::kEndOfText;
      if (!options_.chat_template) unfed_ = id;
      break;
    }
    result.tokens.push_back(id);
    NAS_ASSIGN_OR_RETURN(std::string piece, decoder.Push(id));
    emit(piece);
    if (result.tokens.size() >= options_.max_tokens) {
      result.stop = StopReason::kMaxTokens;
      unfed_ = id;
      break;
    }
    if (position() >= capacity) {
      result.stop = StopReason::kContextFull;
      unfed_ = id;
      full_ = true;
      break;
    }
    const Clock::time_point decode_start = Clock::now();
    NAS_ASSIGN_OR_RETURN(logits, session_->Decode(id));
    result.decode_seconds += Seconds(decode_start);
    ++result.decode_tokens;
    history_.push_back(id);
  }
  emit(decoder.Finish());
  result.generate_seconds = Seconds(generate_start);
  return result;
}

}  // namespace nas::liv
