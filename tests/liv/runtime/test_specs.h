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

ArchSpec MakeSpec(const std::string& name, int vocab, int d_model, std::vector<Layer> layers);

// One spec per operator kind and option (windowed attention, KV sharing, each conv
// gating, recurrence, each channel mixer), vocabulary 37 and width 40.
std::vector<ArchSpec> OperatorCoverageSpecs();

}  // namespace nas::liv::testing

namespace nas {
// Test names show a spec by its name only.
inline void PrintTo(const ArchSpec& spec, std::ostream* os) { *os << spec.name(); }
}  // namespace nas
