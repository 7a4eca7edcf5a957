// Small helpers for errors-as-values with absl::Status (Debian's absl has no
// RETURN_IF_ERROR / ASSIGN_OR_RETURN). Header-only; no state.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NAS_STATUS_CONCAT_INNER(a, b) a##b
#define NAS_STATUS_CONCAT(a, b) NAS_STATUS_CONCAT_INNER(a, b)

// Returns from the current function if `expr` (an absl::Status) is not OK.
#define NAS_RETURN_IF_ERROR(expr)                \
  do {                                           \
    ::absl::Status nas_status_ = (expr);         \
    if (!nas_status_.ok()) return nas_status_;   \
  } while (0)

// `lhs` = value of `rexpr` (an absl::StatusOr<T>), or returns its error.
#define NAS_ASSIGN_OR_RETURN(lhs, rexpr) \
  NAS_ASSIGN_OR_RETURN_IMPL(NAS_STATUS_CONCAT(nas_statusor_, __LINE__), lhs, rexpr)

#define NAS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()
