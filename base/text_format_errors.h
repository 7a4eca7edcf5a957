// Shared pieces of the one-line errors of the text-format readers (ArchSpecs, search
// spaces): a protobuf ErrorCollector that keeps the first error (later ones are usually
// its consequences) and formats it as "SOURCE:LINE:COL: message" (1-based), and OneLine()
// which escapes newlines and control characters so a quoted value cannot break an error
// across lines. Not thread-safe (a collector serves one parse).
#pragma once

#include <google/protobuf/io/tokenizer.h>

#include <string>

#include "absl/strings/string_view.h"

namespace nas {

std::string OneLine(absl::string_view message);

class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override;

  bool has_error() const { return has_error_; }
  int line() const { return line_; }      // 0-based, -1 when unknown
  int column() const { return column_; }  // 0-based
  const std::string& message() const { return message_; }

  // "SOURCE:LINE:COL: message" (1-based); an empty token at the end of input is named.
  std::string Format(absl::string_view source) const;

 private:
  bool has_error_ = false;
  int line_ = -1;
  int column_ = -1;
  std::string message_;
};

}  // namespace nas
