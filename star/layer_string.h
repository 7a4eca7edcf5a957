// A model's layers at a glance, one letter per layer for its token mixer: "CCACCACCACACACAC"
// is LFM2-350M. Used in tables, progress lines and reports (with kLayerStringLegend).
//   A  full (global) attention        W  sliding-window attention
//   C  gated short convolution        R  gated linear recurrence
//   -  no token mixer (not produced by the genome; an ArchSpec may have it)
// A lower-case letter marks a layer that uses the weights of an earlier layer
// (weight_source_layer): "CCAcca" repeats its first three layers' weights.
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "proto/arch_spec.pb.h"

namespace nas::star {

inline constexpr char kLayerStringLegend[] =
    "A = attention, W = sliding-window attention, C = gated short conv, R = recurrence; "
    "lower case = weights shared with an earlier layer";

std::string LayerString(const ArchSpec& spec);

}  // namespace nas::star
