// A candidate's layers described for the report: per layer its token mixer ("GQA 4/2 heads
// x16, qk-norm", "sliding-window GQA 4/2 heads x16, window 32", "short conv k3, DOUBLE
// gating", "recurrence 2 heads x16", "none"), channel mixer ("SwiGLU 256", "GELU 128",
// "none"), width and where its weights come from; and the legend of the layer-string
// letters (layer_string.h). Pure functions; thread-safe.
#pragma once

#include <vector>

#include "proto/arch_spec.pb.h"
#include "proto/report.pb.h"

namespace nas::star {

std::vector<results::LayerDetail> LayerDetails(const ArchSpec& spec);
std::vector<results::LegendEntry> LayerLegend();

}  // namespace nas::star
