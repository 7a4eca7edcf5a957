// The chat template of LFM2 (ChatML-like, as in the model card): "<|startoftext|>", then
// for each message "<|im_start|>{role}\n{content}<|im_end|>\n", then, when a generation
// prompt is asked for, "<|im_start|>assistant\n". Roles are "system", "user", "assistant"
// and "tool"; content is copied byte for byte. The result is meant to be encoded with
// `parse_special` so that the markers become single control tokens. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace nas::liv {

struct ChatMessage {
  std::string role;
  std::string content;
};

inline constexpr char kLfm2BeginText[] = "<|startoftext|>";
inline constexpr char kLfm2MessageStart[] = "<|im_start|>";
inline constexpr char kLfm2MessageEnd[] = "<|im_end|>";

// InvalidArgument naming the message index and role when a role is not one of the four.
absl::StatusOr<std::string> ApplyLfm2ChatTemplate(const std::vector<ChatMessage>& messages,
                                                  bool add_generation_prompt);

}  // namespace nas::liv
