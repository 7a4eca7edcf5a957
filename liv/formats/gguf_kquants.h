// ggml's "K-quant" blocks that published GGUF checkpoints use next to Q4_0/Q8_0 (llama.cpp's
// Q4_0 files keep a tied embedding in Q6_K; Q4_K_M files are mostly Q4_K with Q6_K for some
// tensors), read-only: the runtime has no kernels for them, so an import converts them
// (gguf_dequantize.h). Both hold 256 weights per block:
//   Q4_K (144 bytes): fp16 d, fp16 dmin, 12 bytes of eight 6-bit scales and eight 6-bit
//     mins, 128 bytes of nibbles. Sub-block j (32 weights) is d*scale_j*q - dmin*min_j.
//     Bytes 0..3 hold scales 0..3 (low 6 bits) and the top 2 bits of scales 4..7; bytes
//     4..7 the same for the mins; bytes 8..11 the low 4 bits of scale 4+k (low nibble) and
//     of min 4+k (high nibble). Weights 64c..64c+31 are the low nibbles of qs[32c..32c+31]
//     (sub-block 2c), weights 64c+32..64c+63 their high nibbles (sub-block 2c+1).
//   Q6_K (210 bytes): 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 int8
//     scales, fp16 d. Weight e = 128c + 32g + l (c < 2, g < 4, l < 32) takes its low bits
//     from ql[64c + l + 32 (g odd)] (low nibble for g < 2, high for g >= 2) and its high bits
//     from bits 2g..2g+1 of qh[32c + l]; its value is d * scales[e / 16] * (q - 32).
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nas::liv {

inline constexpr size_t kKQuantBlock = 256;   // weights per block
inline constexpr size_t kQ4_KBlockBytes = 144;
inline constexpr size_t kQ6_KBlockBytes = 210;

// `blocks` consecutive blocks at `src` (any alignment) -> 256 * blocks floats at `out`.
void DequantizeQ4_K(const uint8_t* src, size_t blocks, float* out);
void DequantizeQ6_K(const uint8_t* src, size_t blocks, float* out);

}  // namespace nas::liv
