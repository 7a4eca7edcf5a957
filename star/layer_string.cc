#include "star/layer_string.h"

#include <cctype>

namespace nas::star {

std::string LayerString(const ArchSpec& spec) {
  std::string out;
  out.reserve(spec.layers_size());
  for (const Layer& layer : spec.layers()) {
    switch (layer.token_mixer_case()) {
      case Layer::kAttention:
        out += layer.attention().sliding_window() > 0 ? 'W' : 'A';
        break;
      case Layer::kShortConv:
        out += 'C';
        break;
      case Layer::kRecurrence:
        out += 'R';
        break;
      default:
        out += '-';
    }
    if (layer.has_weight_source_layer()) {
      out.back() = static_cast<char>(std::tolower(static_cast<unsigned char>(out.back())));
    }
  }
  return out;
}

}  // namespace nas::star
