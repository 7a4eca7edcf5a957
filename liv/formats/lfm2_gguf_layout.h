// The correspondence between liv's weight layout (liv/model/weight_layout.h) and LFM2's GGUF
// tensors (../shared/REFERENCE.md section 2), shared by the importer and the exporter.
// Names are liv's, except the final norm: liv's `output_norm` is written as
// `token_embd_norm` (llama.cpp's LFM2 name) and both are accepted on import. Dims follow
// GGUF's order, innermost (fastest-varying) first: a liv row-major `rows x cols` matrix
// (rows = output features) is GGUF [cols, rows], so the bytes are the same; a norm is
// [n]; the conv taps, liv `D x L` row-major, are GGUF [L, D] (llama.cpp's
// {l_cache, n_embd}). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "liv/model/weight_layout.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv {

inline constexpr char kLfm2Architecture[] = "lfm2";
// The final norm's name as written, and the other spelling accepted on import.
inline constexpr char kLfm2FinalNormName[] = "token_embd_norm";
inline constexpr char kLfm2FinalNormAltName[] = "output_norm";

struct Lfm2GgufTensor {
  std::string gguf_name;      // as in the file
  std::string liv_name;       // as in WeightLayout (ModelWeights::tensor)
  std::vector<int64_t> dims;  // GGUF order, innermost first
  bool keep_f32 = false;      // norms and conv taps stay f32 whatever the file type
};

// GGUF dims of a liv tensor: [cols] for a norm, else [cols, rows].
std::vector<int64_t> GgufDims(const TensorShape& shape);

// Every tensor of the spec in WeightLayout order. The spec must be valid and have no
// weight-sharing layers (every layer stores its own tensors).
std::vector<Lfm2GgufTensor> Lfm2GgufTensors(const ArchSpec& spec);

}  // namespace nas::liv
