// The canonical form and hash of an architecture, so that the same architecture is never
// measured twice: the result store keys candidates by CanonicalHash, and two genomes that
// decode to the same ArchSpec (e.g. differing only in unused classes or inactive genes)
// share one hash.
//
// Canonical form: the ArchSpec with the fields that do not change what is built or measured
// cleared — `name` (a label) and `context_length` (informational: runtimes take their own
// maximum context) — and unknown fields dropped. Nothing else is normalised, because
// nothing else is truly equivalent: e.g. a window larger than any prompt still bounds the
// cache at longer contexts, and a sharer's rope_theta still rotates its queries.
// The bytes are the deterministic protobuf serialisation of the canonical spec (fields in
// number order, proto3 defaults omitted, so adding a field with a default keeps old hashes)
// after a version tag; the hash is FNV-1a 128 over them, as 32 lowercase hex digits —
// stable across runs, builds and machines (unlike absl::Hash).
// Meant for valid specs (liv::ValidateArchSpec); pure functions; thread-safe.
#pragma once

#include <string>

#include "proto/arch_spec.pb.h"

namespace nas::star {

// Bumped whenever the canonical form changes, so old and new hashes never mix.
inline constexpr char kCanonicalVersion[] = "nas.ArchSpec/canonical/1";

ArchSpec CanonicalArchSpec(const ArchSpec& spec);

// kCanonicalVersion, a NUL byte, then the deterministic serialisation of the canonical spec.
std::string CanonicalBytes(const ArchSpec& spec);

// FNV-1a 128 of CanonicalBytes(spec), 32 lowercase hex digits.
std::string CanonicalHash(const ArchSpec& spec);

// Whether two specs describe the same architecture (equal canonical bytes).
bool SameArchitecture(const ArchSpec& a, const ArchSpec& b);

}  // namespace nas::star
