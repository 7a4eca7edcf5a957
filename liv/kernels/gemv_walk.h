// The row walk shared by the SIMD gemv kernels (internal to liv/kernels): full groups of
// kGroup rows, each told where the next group starts so it can prefetch it, then one
// group of 4 rows, then single rows. The ISA-specific part is `rows_kernel`, called as
// rows_kernel(std::integral_constant<int, R>{}, w, ldw, cols, x, y, next) for R rows.
// Header-only so each variant compiles it with its own instruction set.
#pragma once

#include <cstddef>
#include <type_traits>

namespace nas::liv::kernels {

template <int kGroup, typename RowsKernel>
inline void WalkGemvRows(const float* w, size_t ldw, size_t rows, size_t cols, const float* x,
                         float* y, RowsKernel&& rows_kernel) {
  size_t r = 0;
  for (; r + kGroup <= rows; r += kGroup) {
    const float* group = w + r * ldw;
    const float* next = r + 2 * kGroup <= rows ? group + kGroup * ldw : group;
    rows_kernel(std::integral_constant<int, kGroup>{}, group, ldw, cols, x, y + r, next);
  }
  if (r + 4 <= rows) {
    rows_kernel(std::integral_constant<int, 4>{}, w + r * ldw, ldw, cols, x, y + r, w + r * ldw);
    r += 4;
  }
  for (; r < rows; ++r) {
    rows_kernel(std::integral_constant<int, 1>{}, w + r * ldw, ldw, cols, x, y + r, w + r * ldw);
  }
}

}  // namespace nas::liv::kernels
