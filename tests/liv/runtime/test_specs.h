// Small ArchSpecs covering every operator kind and option, for runtime tests.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "proto/arch_spec.pb.h"

namespace nas::liv::testing {

Layer AttentionLayer(int heads, int kv_heads, int head_dim, bool qk_norm, int window = 0,
                     int kv_source = -1);
Layer ConvLayer(int kernel_size, ShortConv::Gating gating);
Layer RecurrenceLayer(int heads, int head_dim);
Layer WithSwiGlu(Layer layer, int hidden);
Layer WithGelu(Layer layer, int hidden);
Layer WithoutChannelMixer(Layer layer);
// The layer, using the weights of layer `source` (weight_source_layer).
Layer SharingWeightsOf(Layer layer, int source);

ArchSpec MakeSpec(const std::string& name, int vocab, int d_model, std::vector<Layer> layers);

// One spec per operator kind and option (windowed attention, KV sharing, each conv
// gating, recurrence, each channel mixer, weight sharing of each token mixer and channel
// mixer, alone and combined with KV sharing), vocabulary 37 and width 40.
std::vector<ArchSpec> OperatorCoverageSpecs();

// Vocabulary 10, width 4, tied, four layers counted by hand:
//   0 short_conv(3, DOUBLE) + SwiGLU 6      156 = norms 4+4, in_proj 48, taps 12,
//                                                  out_proj 16, SwiGLU 3 x 24
//   1 attention(2 heads, 1 KV head, head_dim 2, qk_norm) + SwiGLU 6
//                                           132 = norms 4+4, q 16, k 8, v 8, o 16,
//                                                  q/k norms 2+2, SwiGLU 72
//   2 layer 0's architecture, sharing layer 0's weights (0 stored; 156 unshared)
//   3 recurrence(1 head, head_dim 2) + GELU 3
//                                            80 = norms 4+4, 5 x 8 projections, output 8,
//                                                  GELU 12+12
// plus the embedding (40) and the final norm (4): 412 parameters, 568 without sharing.
ArchSpec HandCountedWeightSharingSpec();

}  // namespace nas::liv::testing

namespace nas {
// Test names show a spec by its name only.
inline void PrintTo(const ArchSpec& spec, std::ostream* os) { *os << spec.name(); }
}  // namespace nas
