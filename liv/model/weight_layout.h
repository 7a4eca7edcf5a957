// The weight layout of an ArchSpec: every named tensor with its shape and role, in a fixed
// order (embedding, then each layer, then the final norm and the untied output). It is the
// single source of parameter counts, weight bytes, random initialisation and, later, GGUF
// tensor names. A layer that shares another's weights (weight_source_layer) stores none:
// it is absent from the layout, and LayerTensors says which stored tensors it reads.
// Matrices are row-major `rows x cols` with rows = output features and cols = input
// features, so y = W x reads one row per output. Pure functions; thread-safe.
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

// Whether the layer stores its own weights (false when it uses weight_source_layer's).
bool OwnsWeights(const Layer& layer);

// The layer whose stored weights layer `i` uses: weight_source_layer, or `i` itself.
int WeightOwner(const ArchSpec& spec, int i);

// Every stored tensor; a weight-sharing layer lists none, so shared weights appear once.
std::vector<TensorShape> WeightLayout(const ArchSpec& spec);

// The tensors layer `i` reads when it runs, named (and `layer`-numbered) as stored: its
// own, or for a weight-sharing layer those of WeightOwner(spec, i) that its computation
// uses (a layer that reuses another's K/V reads no K/V projections or k norm). Shapes are
// the same either way, since a sharer's operators equal its source's.
std::vector<TensorShape> LayerTensors(const ArchSpec& spec, int i);

// Parameters stored: each shared tensor counts once.
uint64_t CountParameters(const ArchSpec& spec);

}  // namespace nas::liv
