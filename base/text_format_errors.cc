#include "base/text_format_errors.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nas {

std::string OneLine(absl::string_view message) {
  std::string out;
  for (char c : message) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (u < 0x20 || u == 0x7f) {
      out += absl::StrCat("\\x", absl::Hex(u, absl::kZeroPad2));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void FirstErrorCollector::AddError(int line, google::protobuf::io::ColumnNumber column,
                                   const std::string& message) {
  if (has_error_) return;
  has_error_ = true;
  line_ = line;
  column_ = column;
  message_ = message;
}

std::string FirstErrorCollector::Format(absl::string_view source) const {
  if (!has_error_) return absl::StrCat(source, ": cannot parse text format");
  // The tokenizer's token at the end of input is empty: "Expected identifier, got: ".
  const std::string message =
      absl::EndsWith(message_, "got: ") ? message_ + "end of input" : message_;
  if (line_ < 0) return absl::StrCat(source, ": ", message);
  return absl::StrCat(source, ":", line_ + 1, ":", column_ + 1, ": ", message);
}

}  // namespace nas
