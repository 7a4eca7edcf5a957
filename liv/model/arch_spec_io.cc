#include "liv/model/arch_spec_io.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "base/text_format_errors.h"
#include "base/status_macros.h"
#include "base/text_file.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace nas::liv {
namespace {

// Spec files are a few kilobytes; anything this large is a wrong path, not a spec.
constexpr uintmax_t kMaxSpecFileBytes = 64u << 20;
constexpr int kMaxJsonDepth = 100;

// Debian's absl has its own string_view type, distinct from std::string_view.
absl::string_view Abseil(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Keeps the first error of the text-format parser (later ones are usually consequences).

bool IsBlank(absl::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status EmptySpecError(absl::string_view source) {
  return absl::InvalidArgumentError(absl::StrCat(source, ": empty spec (no fields set)"));
}

// "SOURCE:LINE:COL" for a byte offset into `text`.
std::string Locate(absl::string_view source, absl::string_view text, size_t offset) {
  int line = 1;
  int col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return absl::StrCat(source, ":", line, ":", col);
}

// Normalises a field path so that "numKvHeads" and "num_kv_heads" compare equal.
std::string NormalizePath(absl::string_view path) {
  std::string out;
  for (char c : path) {
    if (c != '_') out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// Walks JSON text tracking the field path ("layers[1].attention") to find where a field
// that protobuf's JSON parser complained about sits: protobuf names the path, not the line.
class JsonPathFinder {
 public:
  JsonPathFinder(absl::string_view text, absl::string_view target)
      : text_(text), target_(NormalizePath(target)) {}

  // Offsets of the key and of its value, if the path occurs (first occurrence).
  struct Hit {
    size_t key = 0;
    size_t value = 0;
  };
  std::optional<Hit> Find() {
    Value("", 0);
    return hit_;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool String(std::string* out) {
    if (!Consume('"')) return false;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') ++pos_;  // escapes never occur in field names
      if (pos_ < text_.size()) out->push_back(text_[pos_++]);
    }
    return Consume('"');
  }
  bool Value(const std::string& path, int depth) {
    if (hit_ || depth > kMaxJsonDepth) return false;
    SkipSpace();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '{') return Object(path, depth);
    if (c == '[') return Array(path, depth);
    if (c == '"') {
      std::string ignored;
      return String(&ignored);
    }
    while (pos_ < text_.size() && !std::strchr(",]} \t\r\n", text_[pos_])) ++pos_;
    return true;
  }
  bool Object(const std::string& path, int depth) {
    ++pos_;
    if (Consume('}')) return true;
    do {
      SkipSpace();
      const size_t key_pos = pos_;
      std::string key;
      if (!String(&key) || !Consume(':')) return false;
      const std::string child =
          path.empty() ? NormalizePath(key) : absl::StrCat(path, ".", NormalizePath(key));
      SkipSpace();
      if (child == target_) {
        hit_ = Hit{key_pos, pos_};
        return false;
      }
      if (!Value(child, depth + 1)) return false;
    } while (Consume(','));
    return Consume('}');
  }
  bool Array(const std::string& path, int depth) {
    ++pos_;
    if (Consume(']')) return true;
    int index = 0;
    do {
      const std::string child = absl::StrCat(path, "[", index++, "]");
      SkipSpace();
      if (child == target_) {
        hit_ = Hit{pos_, pos_};
        return false;
      }
      if (!Value(child, depth + 1)) return false;
    } while (Consume(','));
    return Consume(']');
  }

  absl::string_view text_;
  std::string target_;
  size_t pos_ = 0;
  std::optional<Hit> hit_;
};

// Rewrites protobuf's "for type TYPE_UINT32" into words a spec author understands.
std::string DescribeExpected(absl::string_view type) {
  if (type == "TYPE_UINT32") return "expected a non-negative integer < 2^32";
  if (type == "TYPE_FLOAT" || type == "TYPE_DOUBLE") return "expected a number";
  if (type == "TYPE_BOOL") return "expected true or false";
  if (type == "TYPE_STRING") return "expected a string";
  constexpr absl::string_view kUrlPrefix = "type.googleapis.com/";
  if (absl::StartsWith(type, kUrlPrefix)) {
    const std::string full_name(type.substr(kUrlPrefix.size()));
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    if (const auto* e = pool->FindEnumTypeByName(full_name)) {
      std::vector<std::string> names;
      for (int i = 0; i < e->value_count(); ++i) {
        if (!absl::EndsWith(e->value(i)->name(), "_UNSPECIFIED")) {
          names.push_back(e->value(i)->name());
        }
      }
      return absl::StrCat("expected one of ", absl::StrJoin(names, ", "));
    }
    if (pool->FindMessageTypeByName(full_name) != nullptr) return "expected an object";
  }
  return absl::StrCat("expected ", type);
}


// Syntax errors read "message\n<up to 40 bytes of context>\n<spaces>^": the context is
// found in the text to recover the offset. Returns false if `error` is not of that shape.
bool FormatSyntaxError(absl::string_view source, absl::string_view text, absl::string_view error,
                       std::string* out) {
  const size_t first_newline = error.find('\n');
  const size_t last_newline = error.rfind('\n');
  if (first_newline == absl::string_view::npos) return false;
  const absl::string_view caret_line = error.substr(last_newline + 1);
  const size_t caret = caret_line.find('^');
  if (caret == absl::string_view::npos || caret_line.find_first_not_of(' ') != caret) {
    return false;
  }
  const absl::string_view message = error.substr(0, first_newline);
  absl::string_view context;
  if (last_newline > first_newline) {
    context = error.substr(first_newline + 1, last_newline - first_newline - 1);
  }
  size_t offset = absl::string_view::npos;
  if (!context.empty()) {
    const size_t at = text.find(context);
    if (at != absl::string_view::npos) offset = at + caret;
  } else if (absl::StartsWith(message, "Unexpected end of string")) {
    offset = text.size();
    while (offset > 0 && absl::ascii_isspace(static_cast<unsigned char>(text[offset - 1]))) {
      --offset;
    }
  }
  *out = absl::StrCat(
      offset == absl::string_view::npos ? std::string(source) : Locate(source, text, offset), ": ",
      message);
  return true;
}

// A field error: "(path): message", "(path) key: Cannot find field." or, at the top level,
// "key: Cannot find field.".
struct FieldError {
  std::string path;         // as printed: "layers[1].attention.num_heads"
  std::string locate_path;  // the field to point at (differs for oneof conflicts)
  std::string message;
  bool at_key = false;  // point at the key rather than at the value
};

FieldError SplitFieldError(absl::string_view error) {
  FieldError e;
  e.message = std::string(error);
  if (absl::StartsWith(error, "(")) {
    const size_t close = error.find(')');
    if (close != absl::string_view::npos) {
      e.path = std::string(error.substr(1, close - 1));
      absl::string_view rest = error.substr(close + 1);
      if (absl::StartsWith(rest, ": ")) {
        rest.remove_prefix(2);
      } else if (absl::StartsWith(rest, " ")) {
        rest.remove_prefix(1);
        const size_t colon = rest.find(": ");
        if (colon != absl::string_view::npos) {
          absl::StrAppend(&e.path, ".", rest.substr(0, colon));
          rest.remove_prefix(colon + 2);
        }
      }
      e.message = std::string(rest);
    }
  } else if (const size_t colon = error.find(": ");
             colon != absl::string_view::npos &&
             error.substr(0, colon).find(' ') == absl::string_view::npos) {
    e.path = std::string(error.substr(0, colon));
    e.message = std::string(error.substr(colon + 2));
  }
  e.locate_path = e.path;
  return e;
}

// Rewrites protobuf's wording into what a spec author needs to know.
void Reword(FieldError& e) {
  if (e.message == "Cannot find field.") {
    e.message = "unknown field";
    e.at_key = true;
    return;
  }
  // "invalid value oneof field 'x' is already set. Cannot set 'y' for type oneof"
  constexpr absl::string_view kInvalid = "invalid value ";
  constexpr absl::string_view kCannotSet = "Cannot set '";
  constexpr absl::string_view kForOneof = " for type oneof";
  if (absl::StartsWith(e.message, absl::StrCat(kInvalid, "oneof field "))) {
    e.message.erase(0, kInvalid.size());
    if (absl::EndsWith(e.message, kForOneof)) {
      e.message.resize(e.message.size() - kForOneof.size());
    }
    const size_t open = absl::string_view(e.message).rfind(kCannotSet);
    if (open != std::string::npos && absl::EndsWith(e.message, "'")) {
      const size_t begin = open + kCannotSet.size();
      absl::StrAppend(&e.locate_path, ".", e.message.substr(begin, e.message.size() - 1 - begin));
      e.at_key = true;
    }
    return;
  }
  constexpr absl::string_view kForType = " for type ";
  if (absl::StartsWith(e.message, kInvalid)) {
    const size_t for_type = absl::string_view(e.message).rfind(kForType);
    if (for_type != std::string::npos) {
      e.message = absl::StrCat(
          e.message.substr(0, for_type), " (",
          DescribeExpected(absl::string_view(e.message).substr(for_type + kForType.size())), ")");
    }
  }
}

std::string FormatJsonError(absl::string_view source, absl::string_view text,
                            absl::string_view error) {
  std::string out;
  if (FormatSyntaxError(source, text, error, &out)) return OneLine(out);
  FieldError e = SplitFieldError(error);
  Reword(e);
  std::string where(source);
  if (!e.locate_path.empty()) {
    if (auto hit = JsonPathFinder(text, e.locate_path).Find()) {
      where = Locate(source, text, e.at_key ? hit->key : hit->value);
    }
  }
  if (e.path.empty()) return OneLine(absl::StrCat(where, ": ", e.message));
  return OneLine(absl::StrCat(where, ": ", e.path, ": ", e.message));
}

}  // namespace

absl::StatusOr<ArchSpec> ParseArchSpecText(std::string_view text_in, std::string_view source_in) {
  const absl::string_view text = Abseil(text_in);
  const absl::string_view source = Abseil(source_in);
  if (IsBlank(text)) return EmptySpecError(source);
  FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(false);
  ArchSpec spec;
  if (!parser.ParseFromString(std::string(text), &spec)) {
    return absl::InvalidArgumentError(OneLine(errors.Format(source)));
  }
  if (spec.ByteSizeLong() == 0) return EmptySpecError(source);
  return spec;
}

absl::StatusOr<ArchSpec> ParseArchSpecJson(std::string_view text_in, std::string_view source_in) {
  const absl::string_view text = Abseil(text_in);
  const absl::string_view source = Abseil(source_in);
  if (IsBlank(text)) return EmptySpecError(source);
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  ArchSpec spec;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &spec, options);
  if (!status.ok()) {
    const auto message = status.message();
    return absl::InvalidArgumentError(
        FormatJsonError(source, text, absl::string_view(message.data(), message.size())));
  }
  if (spec.ByteSizeLong() == 0) return EmptySpecError(source);
  return spec;
}

absl::StatusOr<ArchSpec> ReadArchSpecFile(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(const std::string text, ReadUserFile(path, kMaxSpecFileBytes, "a spec file"));
  const std::string extension =
      absl::AsciiStrToLower(std::filesystem::path(path).extension().string());
  if (extension == ".json") return ParseArchSpecJson(text, path);
  return ParseArchSpecText(text, path);
}

std::string ArchSpecToText(const ArchSpec& spec) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(spec, &out);
  return out;
}

std::string ArchSpecToJson(const ArchSpec& spec) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string out;
  // Printing only fails on invalid UTF-8 in `name`; the partial output is still useful.
  (void)google::protobuf::util::MessageToJsonString(spec, &out, options);
  return out;
}

}  // namespace nas::liv
