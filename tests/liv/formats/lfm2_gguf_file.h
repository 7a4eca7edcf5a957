// Test helper shared by the liv, device-agent and star tests: writes a small LFM2 GGUF
// checkpoint (tests/data/specs/tiny_lfm2.textproto, or any expressible spec) with
// deterministic random weights, so that tests measure and load real files without
// shipping binaries, and reads a file's fingerprint. Header-only; thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"
#include "base/status_macros.h"
#include "liv/formats/gguf_fingerprint.h"
#include "liv/formats/gguf_reader.h"
#include "liv/formats/lfm2_gguf_export.h"
#include "liv/model/spec_source.h"
#include "liv/runtime/session.h"

namespace nas::liv::testing {

inline const std::string kTinyLfm2Spec = NAS_TEST_DATA_DIR "/specs/tiny_lfm2.textproto";

// Writes `spec` (random f32 weights from `seed`) to `path`, matrices stored as `type`.
inline absl::Status WriteLfm2Gguf(const ArchSpec& spec, const std::string& path,
                                  GgmlType type = GgmlType::kF32, uint64_t seed = 7) {
  NAS_ASSIGN_OR_RETURN(auto model, Model::CreateRandom(spec, WeightType::kF32, seed));
  Lfm2GgufExportOptions options;
  options.matrix_type = type;
  return ExportLfm2Gguf(spec, model->weights(), path, options);
}

// The tiny LFM2 of tests/data/specs/tiny_lfm2.textproto, written to `path`.
inline absl::Status WriteTinyLfm2Gguf(const std::string& path, GgmlType type = GgmlType::kF32) {
  NAS_ASSIGN_OR_RETURN(ArchSpec spec, LoadArchSpec(kTinyLfm2Spec));
  return WriteLfm2Gguf(spec, path, type);
}

// GgufFingerprint of the file at `path` ("" and a test failure when it cannot be read).
inline std::string FileFingerprint(const std::string& path) {
  absl::StatusOr<GgufReader> reader = GgufReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  return reader.ok() ? GgufFingerprint(*reader) : "";
}

// A valid GGUF of the tiny LFM2's metadata (no tensors) that claims another
// general.architecture, e.g. "llama".
inline absl::Status WriteGgufOfArchitecture(const std::string& path,
                                            const std::string& architecture) {
  NAS_ASSIGN_OR_RETURN(ArchSpec spec, LoadArchSpec(kTinyLfm2Spec));
  NAS_ASSIGN_OR_RETURN(GgufMetadata metadata, Lfm2GgufMetadata(spec));
  GgufWriter writer;
  for (const GgufKv& kv : metadata.entries()) {
    NAS_RETURN_IF_ERROR(writer.AddMetadata(
        kv.key, kv.key == "general.architecture" ? GgufValue(architecture) : kv.value));
  }
  return writer.WriteFile(path);
}

}  // namespace nas::liv::testing
