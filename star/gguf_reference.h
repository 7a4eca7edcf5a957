// References read from LFM2 GGUF checkpoints (Reference.gguf in a search space): the spec
// and weight type come from the file's header (its tensors are checked, no weights are
// read), and the agents are asked to measure the file of the same base name in their
// --models-dir, with its own weights and in its own weight type, provided it has the same
// fingerprint (liv/formats/gguf_fingerprint.h). Paths in a space are relative to the space
// file's directory; the loader makes them absolute (MakeGgufPathsAbsolute) so that a
// recorded space still finds its files on resume.
// Stateless; thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "proto/arch_spec.pb.h"
#include "proto/device_agent.pb.h"
#include "proto/search_space.pb.h"

namespace nas::star {

struct GgufReferenceModel {
  ArchSpec spec;
  std::string weight_type;  // the file's, e.g. "q8_0"
  std::string file_name;    // the base name agents look up in their models dir
  std::string fingerprint;  // GgufFingerprint: the agents' file of that name must match it
};

// Reads the header of the GGUF at `path` (and the few pages its fingerprint hashes). Errors
// name the path: NotFound for a missing file, InvalidArgument for one that is not an LFM2
// GGUF ("unsupported architecture X").
absl::StatusOr<GgufReferenceModel> ReadGgufReference(const std::string& path);

// The label of a gguf reference without a name: the file's name without ".gguf".
std::string GgufReferenceLabel(const std::string& path);

// Rewrites every reference's gguf path that is relative into an absolute one, relative
// to the directory of the space file `space_path`.
void MakeGgufPathsAbsolute(const std::string& space_path, SearchSpace* space);

// Makes `request` measure the checkpoint: its model is the file's base name, its weight
// type the file's, and the agent checks that its file has this one's fingerprint.
void UseGgufModel(const GgufReferenceModel& model, agent::MeasureRequest* request);

}  // namespace nas::star
