#include "liv/model/spec_source.h"

#include <iostream>
#include <iterator>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "liv/model/arch_spec_io.h"
#include "liv/model/lfm2_presets.h"

namespace nas::liv {

absl::StatusOr<ArchSpec> LoadArchSpec(std::string_view preset_or_path,
                                      const ValidationLimits& limits) {
  // Presets first: a preset name never needs a file, and a typo'd path is reported below.
  if (absl::StatusOr<ArchSpec> preset = PresetArchSpec(preset_or_path); preset.ok()) {
    if (absl::Status status = ValidateArchSpec(*preset, limits); !status.ok()) {
      return absl::Status(status.code(), absl::StrCat("preset ", std::string(preset_or_path), ": ",
                                                      status.message()));
    }
    return preset;
  }

  const std::string path(preset_or_path);
  // "-": text format on standard input (how the device agent hands a spec to a remote
  // liv-measure through adb or ssh).
  absl::StatusOr<ArchSpec> spec =
      path == "-" ? ParseArchSpecText(std::string(std::istreambuf_iterator<char>(std::cin), {}),
                                      "<stdin>")
                  : ReadArchSpecFile(path);
  if (absl::IsNotFound(spec.status())) {
    absl::string_view why = spec.status().message();  // "PATH: no such file"
    absl::ConsumePrefix(&why, path + ": ");
    return absl::NotFoundError(absl::StrCat("\"", path, "\" is neither a preset (",
                                            absl::StrJoin(PresetNames(), ", "),
                                            ") nor a readable file (", why, ")"));
  }
  if (!spec.ok()) return spec.status();  // parse errors already name the file and line
  if (absl::Status status = ValidateArchSpec(*spec, limits); !status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat(path == "-" ? "<stdin>" : path, ": ", status.message()));
  }
  return spec;
}

}  // namespace nas::liv
