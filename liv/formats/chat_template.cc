#include "liv/formats/chat_template.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace nas::liv {

absl::StatusOr<std::string> ApplyLfm2ChatTemplate(const std::vector<ChatMessage>& messages,
                                                  bool add_generation_prompt) {
  std::string out = kLfm2BeginText;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role != "system" && m.role != "user" && m.role != "assistant" && m.role != "tool") {
      return absl::InvalidArgumentError(
          absl::StrCat("chat message ", i, ": role \"", absl::CEscape(m.role),
                       "\" is not one of system, user, assistant, tool"));
    }
    absl::StrAppend(&out, kLfm2MessageStart, m.role, "\n", m.content, kLfm2MessageEnd, "\n");
  }
  if (add_generation_prompt) absl::StrAppend(&out, kLfm2MessageStart, "assistant\n");
  return out;
}

}  // namespace nas::liv
