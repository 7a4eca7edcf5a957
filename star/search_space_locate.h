// Finding where a field is written in a protobuf text-format file, so that every error about
// a search space names its line: semantic errors carry a field path ("devices[1].agents[0]")
// that FieldLocator maps to a line and column with the parser's ParseInfoTree (refined to
// the element for repeated scalars written as lists, "num_heads: [8, 16]"); syntax errors
// carry a line and column that FieldPathAt maps back to the path of the field being parsed.
// Positions are 0-based, as the protobuf tokenizer counts them (a tab advances the column
// to the next multiple of 8). Best effort: when a path cannot be placed exactly, the nearest
// written ancestor is returned. Immutable after construction; thread-safe to share.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/text_format.h>

#include <string>
#include <vector>

namespace nas::star {

struct TextLocation {
  int line = -1;  // -1: unknown
  int column = -1;
};

struct TextToken {
  int type = 0;  // google::protobuf::io::Tokenizer::TokenType
  std::string text;
  int line = 0;
  int column = 0;
};

// Every token of `text` (tokenizer errors are ignored: this only serves to locate).
std::vector<TextToken> Tokenize(const std::string& text);

class FieldLocator {
 public:
  // `tree` must outlive the locator and come from parsing `text` into `root`'s type.
  FieldLocator(const std::string& text, const google::protobuf::Descriptor* root,
               const google::protobuf::TextFormat::ParseInfoTree* tree);

  // Where the field at `path` (components "name" or "name[index]", joined by '.') is
  // written, or where its nearest written ancestor is; line -1 when nothing is.
  TextLocation Find(const std::string& path) const;

 private:
  TextLocation ScalarElement(const google::protobuf::TextFormat::ParseInfoTree* tree,
                             const google::protobuf::FieldDescriptor* field, int index) const;

  std::vector<TextToken> tokens_;
  const google::protobuf::Descriptor* root_;
  const google::protobuf::TextFormat::ParseInfoTree* tree_;
};

// The field being parsed at a syntax error's position (tokens before it are read).
struct FieldAt {
  std::string path;       // e.g. "token_mixers.attention.foo"
  std::string enclosing;  // the message being parsed, e.g. "token_mixers.attention"
  const google::protobuf::Descriptor* message = nullptr;  // its type, if known
  std::string name;                                       // the field's name as written
  // The last token before the position: the parser reports some errors (an unknown field
  // or enum value) at the token after the culprit.
  TextLocation previous_token;
};
FieldAt FieldPathAt(const std::string& text, const google::protobuf::Descriptor* root, int line,
                    int column);

// The field of `message` whose name is closest to `name` (edit distance at most 3), or "".
std::string ClosestFieldName(const google::protobuf::Descriptor* message, const std::string& name);

}  // namespace nas::star
