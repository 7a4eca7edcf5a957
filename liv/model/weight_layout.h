// The weight layout of an ArchSpec: every named tensor with its shape and role, in a fixed
// order (embedding, then each layer, then the final norm and the untied output). It is the
// single source of parameter counts, weight bytes, random initialisation and, later, GGUF
// tensor names. Matrices are row-major `rows x cols` with rows = output features and
// cols = input features, so y = W x reads one row per output. Pure functions; thread-safe.
// The spec must have passed structural validation (ValidateArchSpec) first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proto/arch_spec.pb.h"

namespace nas::liv {

enum class TensorRole {
  kEmbedding,  // vocab x D token table (also the output projection when tied)
  kMatrix,     // a projection, rows = out features, cols = in features
  kNorm,       // an RMSNorm weight vector (rows = 1)
  kConvTaps,   // short-convolution taps, rows = channels, cols = kernel length
};

struct TensorShape {
  std::string name;  // GGUF-style, e.g. "blk.2.attn_q"
  uint64_t rows = 0;
  uint64_t cols = 0;
  TensorRole role = TensorRole::kMatrix;
  int layer = -1;  // -1 for model-level tensors

  uint64_t elements() const { return rows * cols; }
};

// Width of the input projection of a short convolution, in multiples of d_model.
int ShortConvInProjGroups(const ShortConv& conv);

// Whether this attention layer computes its own K/V (false when it reuses another's).
bool OwnsKv(const Attention& attention);

std::vector<TensorShape> WeightLayout(const ArchSpec& spec);

uint64_t CountParameters(const ArchSpec& spec);

}  // namespace nas::liv
