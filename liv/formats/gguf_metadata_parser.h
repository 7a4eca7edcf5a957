// Parsing of one GGUF metadata value (scalar, string or array of one non-array type) from
// a GgufCursor. An array's count is checked against the bytes left (at least one byte per
// element, eight per string) before anything is reserved, so a lying count cannot cause a
// large allocation. A BOOL must be 0 or 1. Errors name the key, the byte offset and the
// problem. Pure; thread-safe for distinct cursors.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "liv/formats/gguf_cursor.h"
#include "liv/formats/gguf_value.h"

namespace nas::liv {

// Reads the value of metadata `key` whose i32 type tag `tag` was read at `tag_offset`.
absl::Status ReadGgufValue(GgufCursor& cursor, int32_t tag, uint64_t tag_offset,
                           std::string_view key, GgufValue* value);

}  // namespace nas::liv
