#include "liv/formats/lfm2_gguf_layout.h"

namespace nas::liv {

std::vector<int64_t> GgufDims(const TensorShape& shape) {
  const auto cols = static_cast<int64_t>(shape.cols);
  const auto rows = static_cast<int64_t>(shape.rows);
  if (shape.role == TensorRole::kNorm) return {cols};
  return {cols, rows};
}

std::vector<Lfm2GgufTensor> Lfm2GgufTensors(const ArchSpec& spec) {
  std::vector<Lfm2GgufTensor> out;
  for (const TensorShape& t : WeightLayout(spec)) {
    Lfm2GgufTensor g;
    g.liv_name = t.name;
    g.gguf_name = t.name == kLfm2FinalNormAltName ? kLfm2FinalNormName : t.name;
    g.dims = GgufDims(t);
    g.keep_f32 = t.role == TensorRole::kNorm || t.role == TensorRole::kConvTaps;
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace nas::liv
