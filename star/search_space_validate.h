// Semantic rules of a SearchSpace (proto/search_space.proto), independent of where the
// space came from. Every error is InvalidArgument reading "FIELD.PATH: message", e.g.
// "token_mixers.attention.num_heads[1]: 12 is not divisible by any num_kv_heads choice
// (8)"; the first error found is returned, and LoadSearchSpace (search_space.h) prefixes it
// with the file, line and column of that field. The rules guarantee that every genome of a
// valid space decodes to an ArchSpec that passes liv::ValidateArchSpec (see genome.h).
// References are checked by CheckSearchSpace (search_space.h), which needs the genome.
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "liv/model/arch_spec_validate.h"
#include "proto/search_space.pb.h"

namespace nas::star {

// Most LIV classes a space may declare: the class table is part of every genome.
inline constexpr uint32_t kMaxLivClasses = 64;
// Fewest candidates per generation: NSGA-II needs room for tournaments and elitism.
inline constexpr uint32_t kMinPopulation = 4;

// The shape and the value lists that make up the genome: vocab, width, depth, norm eps,
// class table size, KV- and weight-sharing groups, token and channel mixer choices (each list
// non-empty, duplicate-free and within `limits`), and a parameter bound below the cap.
absl::Status ValidateGenomeChoices(const SearchSpace& space,
                                   const liv::ValidationLimits& limits = {});

// Every rule but the references: the genome choices, budgets, objectives, devices,
// protocol, weight type, evaluator and evolution settings.
absl::Status ValidateSearchSpaceFields(const SearchSpace& space);

// The protocol with the agents' defaults filled in where the space leaves a list empty
// (prompt lengths 512 and 4096, decode depths 0 and 4096), as the agents will run it.
nas::agent::MeasureProtocol ProtocolWithDefaults(const nas::agent::MeasureProtocol& protocol);

// Bytes of one K/V cache element under the protocol's kv_type (4 when unset or invalid:
// validation reports an invalid one).
uint64_t KvElementBytesOf(const nas::agent::MeasureProtocol& protocol);

// Whether an objective kind is measured on a device (and so names a device class).
bool IsMeasuredObjective(Objective::Kind kind);
// Whether larger is better (QUALITY, PREFILL_TOKENS_PER_S); every other kind is minimised.
bool IsMaximizedObjective(Objective::Kind kind);

// OK when `address` reads host:port (or [ipv6]:port) with a port in 1..65535.
absl::Status CheckHostPort(const std::string& address);

}  // namespace nas::star
