#include "star/proxy_quality.h"

#include <algorithm>
#include <cmath>

#include "liv/model/weight_layout.h"

namespace nas::star {

double ProxyQuality(const ArchSpec& spec, double reference_parameters) {
  double body = 0;  // parameters outside the embedding and output tables
  for (const liv::TensorShape& t : liv::WeightLayout(spec)) {
    if (t.role != liv::TensorRole::kEmbedding && t.name != "output") {
      body += static_cast<double>(t.elements());
    }
  }
  const double scale = std::max(reference_parameters, 2.0);
  const double capacity = std::clamp(std::log(1 + body) / std::log(1 + scale), 0.0, 1.0);
  double recall = 0;
  for (const Layer& layer : spec.layers()) {
    if (layer.has_attention()) {
      recall = std::max(recall, layer.attention().sliding_window() == 0 ? 1.0 : 0.6);
    } else if (layer.has_recurrence()) {
      recall = std::max(recall, 0.4);
    } else if (layer.has_short_conv()) {
      recall = std::max(recall, layer.short_conv().kernel_size() / 64.0);
    }
  }
  return 0.5 * capacity + 0.5 * recall;
}

}  // namespace nas::star
