#include "star/search_space.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/text_format_errors.h"
#include "base/status_macros.h"
#include "base/text_file.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "liv/model/arch_spec_validate.h"
#include "liv/model/lfm2_presets.h"
#include "star/genome_encode.h"
#include "star/gguf_reference.h"
#include "star/genome_layout.h"
#include "star/search_space_locate.h"
#include "star/search_space_validate.h"

namespace nas::star {
namespace {

// Space files are a few kilobytes; anything this large is a wrong path.
constexpr uintmax_t kMaxSpaceFileBytes = 16u << 20;

absl::Status Error(const std::string& path, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}


// Keeps the first error of the text-format parser (later ones are usually consequences).

std::string Position(const std::string& source, int line, int column) {
  if (line < 0) return absl::StrCat(source, ":1:1");
  return absl::StrCat(source, ":", line + 1, ":", column + 1);
}

// "FILE:L:C: path: message" for a parser error, with protobuf's wording made plainer.
std::string FormatSyntaxError(const std::string& source, const std::string& text,
                              const FirstErrorCollector& errors) {
  std::string message = errors.message();
  if (message.empty()) message = "cannot parse text format";
  const FieldAt at = FieldPathAt(text, SearchSpace::descriptor(), errors.line(), errors.column());
  int line = errors.line();
  int column = errors.column();
  std::string path = at.path;
  const auto at_previous_token = [&] {
    if (at.previous_token.line < 0) return;
    line = at.previous_token.line;
    column = at.previous_token.column;
  };
  if (absl::StartsWith(message, "Message type \"") &&
      absl::StrContains(message, "\" has no field named \"")) {
    // Reported after the name: point at the name.
    const size_t type_end = message.find('"', 14);
    message = absl::StrCat("unknown field (", message.substr(14, type_end - 14), " has no field \"",
                           at.name, "\"");
    if (const std::string near = ClosestFieldName(at.message, at.name); !near.empty()) {
      absl::StrAppend(&message, "; did you mean \"", near, "\"?");
    }
    absl::StrAppend(&message, ")");
    at_previous_token();
  } else if (absl::StartsWith(message, "Unknown enumeration value")) {
    at_previous_token();  // reported after the value: point at the value
  } else if (absl::EndsWith(message, "got: ")) {
    // The end of the input: point at the last token, name the message left open.
    at_previous_token();
    path = at.enclosing;
    message = at.enclosing.empty() ? message + "end of input"
                                   : absl::StrCat("unexpected end of input: ", at.enclosing,
                                                  " is not closed (a \"}\" is missing)");
  }
  const std::string where = Position(source, line, column);
  if (path.empty()) return OneLine(absl::StrCat(where, ": ", message));
  return OneLine(absl::StrCat(where, ": ", path, ": ", message));
}

// Prefixes a "path: message" error with the position of `path` in the text.
absl::Status Locate(const absl::Status& status, const std::string& source,
                    const FieldLocator& locator) {
  const std::string message(status.message());
  const size_t colon = message.find(": ");
  TextLocation at;
  if (colon != std::string::npos && message.substr(0, colon).find(' ') == std::string::npos) {
    at = locator.Find(message.substr(0, colon));
  }
  return absl::Status(status.code(),
                      OneLine(absl::StrCat(Position(source, at.line, at.column), ": ", message)));
}

bool IsBlank(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); });
}

absl::Status CheckReferences(const SearchSpace& space) {
  absl::StatusOr<GenomeLayout> layout = GenomeLayout::Create(space);
  if (!layout.ok()) return layout.status();
  std::set<std::string> labels;
  for (int i = 0; i < space.references_size(); ++i) {
    const Reference& r = space.references(i);
    const std::string path = absl::StrCat("references[", i, "]");
    if (r.source_case() == Reference::SOURCE_NOT_SET) {
      return Error(path, "none of preset, spec and gguf is set");
    }
    if (r.has_gguf() && r.gguf().empty()) {
      return Error(path + ".gguf", "empty (the path of an LFM2 GGUF file)");
    }
    const std::string label = ReferenceLabel(r);
    if (label.empty()) return Error(path + ".name", "empty (label the inline spec)");
    if (!labels.insert(label).second) {
      return Error(r.name().empty() ? path : path + ".name",
                   absl::StrCat("label \"", label, "\" is used twice"));
    }
    // Where a named model's errors point: the preset, or the file.
    const std::string source_field = path + (r.has_gguf() ? ".gguf" : ".preset");
    const std::string source_name = r.has_gguf() ? r.gguf() : r.preset();
    absl::StatusOr<ArchSpec> spec = ResolveReference(r);
    if (!spec.ok()) return Error(source_field, std::string(spec.status().message()));
    const bool inline_spec = r.has_spec();
    if (auto s = liv::ValidateArchSpec(*spec); !s.ok()) {
      // liv's paths are relative to the spec ("layers[2].attention..."; "spec" for the cap).
      const std::string message(s.message());
      if (!inline_spec) return Error(source_field, message);
      if (absl::StartsWith(message, "spec: ")) return Error(path + ".spec", message.substr(6));
      return absl::InvalidArgumentError(absl::StrCat(path, ".spec.", message));
    }
    if (absl::StatusOr<Genome> genome = Encode(*spec, *layout); !genome.ok()) {
      const std::string message(genome.status().message());
      if (inline_spec) {
        return absl::InvalidArgumentError(absl::StrCat(path, ".spec.", message));
      }
      return Error(source_field,
                   absl::StrCat(source_name, " is not expressible in this space: ", message));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string ReferenceLabel(const Reference& reference) {
  if (!reference.name().empty()) return reference.name();
  if (reference.has_preset()) return reference.preset();
  if (reference.has_gguf()) return GgufReferenceLabel(reference.gguf());
  return reference.spec().name();
}

absl::StatusOr<ArchSpec> ResolveReference(const Reference& reference) {
  ArchSpec spec;
  if (reference.has_preset()) {
    absl::StatusOr<ArchSpec> preset = liv::PresetArchSpec(reference.preset());
    if (!preset.ok()) return preset.status();
    spec = *std::move(preset);
  } else if (reference.has_spec()) {
    spec = reference.spec();
  } else if (reference.has_gguf()) {
    NAS_ASSIGN_OR_RETURN(GgufReferenceModel model, ReadGgufReference(reference.gguf()));
    spec = std::move(model.spec);
  } else {
    return absl::InvalidArgumentError("reference has none of preset, spec and gguf");
  }
  spec.set_name(ReferenceLabel(reference));
  return spec;
}

std::string ResolveSpacePath(const std::string& space_path, const std::string& file) {
  const std::filesystem::path path(file);
  if (file.empty() || path.is_absolute()) return file;
  return (std::filesystem::path(space_path).parent_path() / path).lexically_normal().string();
}

double MutationRate(const Evolution& evolution) {
  return evolution.has_mutation_rate() ? evolution.mutation_rate() : kDefaultMutationRate;
}

double CrossoverRate(const Evolution& evolution) {
  return evolution.has_crossover_rate() ? evolution.crossover_rate() : kDefaultCrossoverRate;
}

absl::Status CheckSearchSpace(const SearchSpace& space) {
  if (auto s = ValidateSearchSpaceFields(space); !s.ok()) return s;
  return CheckReferences(space);
}

absl::StatusOr<SearchSpace> ParseSearchSpaceText(const std::string& text,
                                                 const std::string& source) {
  if (IsBlank(text)) {
    return absl::InvalidArgumentError(absl::StrCat(source, ":1:1: empty search space"));
  }
  FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(false);
  google::protobuf::TextFormat::ParseInfoTree tree;
  parser.WriteLocationsTo(&tree);
  SearchSpace space;
  if (!parser.ParseFromString(text, &space)) {
    return absl::InvalidArgumentError(FormatSyntaxError(source, text, errors));
  }
  MakeGgufPathsAbsolute(source, &space);
  if (space.ByteSizeLong() == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":1:1: empty search space (only comments)"));
  }
  if (auto s = CheckSearchSpace(space); !s.ok()) {
    return Locate(s, source, FieldLocator(text, SearchSpace::descriptor(), &tree));
  }
  return space;
}

absl::StatusOr<SearchSpace> LoadSearchSpace(const std::string& path) {
  NAS_ASSIGN_OR_RETURN(const std::string text,
                       ReadUserFile(path, kMaxSpaceFileBytes, "a search space"));
  return ParseSearchSpaceText(text, path);
}

}  // namespace nas::star
