// A naive, independent implementation of the ArchSpec forward pass for tests: plain loops
// in double precision over the same weights, whole sequence at once, no caches. It is the
// oracle the runtime's prefill and decode are checked against. A weight-sharing layer reads
// its source's tensors through the source's own pointers (w.layer(source)), not through
// the runtime's aliases.
#pragma once

#include <cstdint>
#include <vector>

#include "liv/runtime/weights.h"
#include "liv/runtime/weight_matrix.h"
#include "proto/arch_spec.pb.h"

namespace nas::liv::testing {

// Logits (vocab floats) after each of the tokens.
std::vector<std::vector<double>> ReferenceForward(const ArchSpec& spec, const ModelWeights& w,
                                                  const std::vector<int32_t>& tokens);

// Naive building blocks, exposed for op-level tests.
std::vector<double> RefRmsNorm(const std::vector<double>& x, const float* w, double eps);
// NeoX rotate-half RoPE of one head at `pos`.
std::vector<double> RefRope(const std::vector<double>& head, uint64_t pos, double theta);
// The same with a stored matrix of any type, row by row dequantized (so the reference of a
// quantized model uses exactly the weights the runtime has).
std::vector<double> RefMatVec(const WeightMatrix& w, size_t rows, size_t cols,
                              const std::vector<double>& x);
std::vector<double> RefMatVec(const float* w, size_t rows, size_t cols,
                              const std::vector<double>& x);
double RefSilu(double x);
double RefGelu(double x);

}  // namespace nas::liv::testing
