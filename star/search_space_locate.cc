#include "star/search_space_locate.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace nas::star {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::TextFormat;
using ::google::protobuf::io::Tokenizer;

class IgnoreErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int, google::protobuf::io::ColumnNumber, const std::string&) override {}
};

bool Before(const TextToken& t, int line, int column) {
  return t.line < line || (t.line == line && t.column < column);
}

bool IsSymbol(const TextToken& t, const char* symbol) {
  return t.type == Tokenizer::TYPE_SYMBOL && t.text == symbol;
}

TextLocation LocationOf(const TextToken& t) { return TextLocation{t.line, t.column}; }

TextLocation FromParse(const TextFormat::ParseLocation& l) {
  return TextLocation{l.line, l.column};
}

struct PathComponent {
  std::string name;
  int index = -1;  // -1: none written
};

std::vector<PathComponent> SplitPath(const std::string& path) {
  std::vector<PathComponent> out;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    PathComponent c;
    const size_t open = part.find('[');
    c.name = std::string(part.substr(0, open));
    if (open != absl::string_view::npos && part.back() == ']') {
      int index = -1;
      if (absl::SimpleAtoi(part.substr(open + 1, part.size() - open - 2), &index)) c.index = index;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<TextToken> Tokenize(const std::string& text) {
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  IgnoreErrors errors;
  Tokenizer tokenizer(&input, &errors);
  // As TextFormat::Parser sets it up: '#' comments, "1.5f" floats.
  tokenizer.set_comment_style(Tokenizer::SH_COMMENT_STYLE);
  tokenizer.set_allow_f_after_float(true);
  tokenizer.set_require_space_after_number(false);
  tokenizer.set_allow_multiline_strings(true);
  std::vector<TextToken> tokens;
  while (tokenizer.Next()) {
    const Tokenizer::Token& t = tokenizer.current();
    tokens.push_back(TextToken{t.type, t.text, t.line, t.column});
  }
  return tokens;
}

FieldLocator::FieldLocator(const std::string& text, const Descriptor* root,
                           const TextFormat::ParseInfoTree* tree)
    : tokens_(Tokenize(text)), root_(root), tree_(tree) {}

TextLocation FieldLocator::ScalarElement(const TextFormat::ParseInfoTree* tree,
                                         const FieldDescriptor* field, int index) const {
  TextLocation last;
  int remaining = index;
  for (int record = 0;; ++record) {
    const TextLocation start = FromParse(tree->GetLocation(field, record));
    if (start.line < 0) break;
    last = start;
    // The tokens of this record: `name [:] value` or `name [:] [v1, v2, ...]`.
    size_t t = std::lower_bound(tokens_.begin(), tokens_.end(), start,
                                [](const TextToken& tok, const TextLocation& l) {
                                  return Before(tok, l.line, l.column);
                                }) -
               tokens_.begin();
    if (t >= tokens_.size()) break;
    ++t;  // the field name
    if (t < tokens_.size() && IsSymbol(tokens_[t], ":")) ++t;
    std::vector<TextLocation> values;
    if (t < tokens_.size() && IsSymbol(tokens_[t], "[")) {
      ++t;
      while (t < tokens_.size() && !IsSymbol(tokens_[t], "]")) {
        values.push_back(LocationOf(tokens_[t]));
        t += IsSymbol(tokens_[t], "-") ? 2 : 1;
        if (t < tokens_.size() && IsSymbol(tokens_[t], ",")) ++t;
      }
    } else if (t < tokens_.size()) {
      values.push_back(LocationOf(tokens_[t]));
    }
    if (remaining < static_cast<int>(values.size())) return values[remaining];
    remaining -= static_cast<int>(values.size());
  }
  return last;
}

TextLocation FieldLocator::Find(const std::string& path) const {
  TextLocation best;
  const Descriptor* message = root_;
  const TextFormat::ParseInfoTree* tree = tree_;
  const std::vector<PathComponent> components = SplitPath(path);
  for (size_t k = 0; k < components.size(); ++k) {
    const PathComponent& c = components[k];
    const FieldDescriptor* field = message->FindFieldByName(c.name);
    if (field == nullptr) return best;
    const int index = field->is_repeated() ? std::max(c.index, 0) : -1;
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    TextLocation here = field->is_repeated() && !is_message
                            ? ScalarElement(tree, field, index)
                            : FromParse(tree->GetLocation(field, index));
    if (here.line < 0 && index > 0) here = FromParse(tree->GetLocation(field, 0));
    if (here.line < 0) return best;
    best = here;
    if (!is_message || k + 1 == components.size()) return best;
    tree = tree->GetTreeForNested(field, index);
    if (tree == nullptr) return best;
    message = field->message_type();
  }
  return best;
}

FieldAt FieldPathAt(const std::string& text, const Descriptor* root, int line, int column) {
  struct Frame {
    const Descriptor* message;
    std::string path;
    std::map<std::string, int> counts;  // repeated message fields opened so far
    std::string last_field;
  };
  std::vector<Frame> frames = {Frame{root, "", {}, ""}};
  std::vector<char> brackets;  // '{' or '['
  const std::vector<TextToken> tokens = Tokenize(text);
  TextLocation previous;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const TextToken& t = tokens[i];
    if (!Before(t, line, column)) break;
    previous = LocationOf(t);
    Frame& frame = frames.back();
    const bool in_list = !brackets.empty() && brackets.back() == '[';
    const bool after_colon = i > 0 && IsSymbol(tokens[i - 1], ":");
    if (t.type == Tokenizer::TYPE_IDENTIFIER && !in_list && !after_colon) {
      frame.last_field = t.text;
    } else if (IsSymbol(t, "{") || IsSymbol(t, "<")) {
      const FieldDescriptor* field =
          frame.message ? frame.message->FindFieldByName(frame.last_field) : nullptr;
      std::string path =
          frame.path.empty() ? frame.last_field : absl::StrCat(frame.path, ".", frame.last_field);
      if (field != nullptr && field->is_repeated()) {
        absl::StrAppend(&path, "[", frame.counts[frame.last_field]++, "]");
      }
      const Descriptor* child = field != nullptr ? field->message_type() : nullptr;
      frames.push_back(Frame{child, path, {}, ""});
      brackets.push_back('{');
    } else if (IsSymbol(t, "}") || IsSymbol(t, ">")) {
      if (frames.size() > 1) frames.pop_back();
      if (!brackets.empty()) brackets.pop_back();
    } else if (IsSymbol(t, "[")) {
      brackets.push_back('[');
    } else if (IsSymbol(t, "]")) {
      if (!brackets.empty()) brackets.pop_back();
    }
  }
  const Frame& frame = frames.back();
  FieldAt at;
  at.message = frame.message;
  at.name = frame.last_field;
  at.enclosing = frame.path;
  at.previous_token = previous;
  if (frame.last_field.empty()) {
    at.path = frame.path;
  } else {
    at.path =
        frame.path.empty() ? frame.last_field : absl::StrCat(frame.path, ".", frame.last_field);
  }
  return at;
}

std::string ClosestFieldName(const Descriptor* message, const std::string& name) {
  if (message == nullptr) return "";
  const auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_distance = 4;  // suggest only near misses
  for (int i = 0; i < message->field_count(); ++i) {
    const std::string& candidate = message->field(i)->name();
    const size_t d = distance(name, candidate);
    if (d < best_distance && d < candidate.size()) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace nas::star
