#include "star/genome_layout.h"

#include "absl/strings/str_cat.h"
#include "star/search_space_validate.h"

namespace nas::star {

int GenomeLayout::Add(std::string name, uint32_t cardinality) {
  genes_.push_back(Gene{std::move(name), cardinality});
  return static_cast<int>(genes_.size()) - 1;
}

absl::StatusOr<GenomeLayout> GenomeLayout::Create(const SearchSpace& space) {
  if (auto s = ValidateGenomeChoices(space); !s.ok()) return s;
  GenomeLayout layout;
  layout.space_ = space;
  const TokenMixerChoices& t = space.token_mixers();
  if (t.has_attention()) layout.families_.push_back(TokenMixerFamily::kAttention);
  if (t.has_short_conv()) layout.families_.push_back(TokenMixerFamily::kShortConv);
  if (t.has_recurrence()) layout.families_.push_back(TokenMixerFamily::kRecurrence);
  const ChannelMixerChoices& c = space.channel_mixers();
  if (!c.swiglu_hidden().empty()) layout.channel_kinds_.push_back(ChannelMixerKind::kSwiGlu);
  if (!c.gelu_hidden().empty()) layout.channel_kinds_.push_back(ChannelMixerKind::kGeluMlp);
  if (c.allow_none()) layout.channel_kinds_.push_back(ChannelMixerKind::kNone);

  const uint32_t classes = space.max_liv_classes();
  for (uint32_t s = 0; s < space.depth(); ++s) {
    SlotGenes slot;
    const std::string prefix = absl::StrCat("backbone[", s, "].");
    slot.liv_class = layout.Add(prefix + "class", classes);
    if (space.kv_sharing_groups() > 0) {
      slot.kv_group = layout.Add(prefix + "kv_group", space.kv_sharing_groups() + 1);
    }
    if (space.weight_sharing_groups() > 0) {
      slot.weight_group = layout.Add(prefix + "weight_group", space.weight_sharing_groups() + 1);
    }
    layout.slots_.push_back(slot);
  }
  const auto size = [](const auto& list) { return static_cast<uint32_t>(list.size()); };
  for (uint32_t k = 0; k < classes; ++k) {
    ClassGenes g;
    const std::string prefix = absl::StrCat("class[", k, "].");
    g.family = layout.Add(prefix + "family", size(layout.families_));
    if (t.has_attention()) {
      const AttentionChoices& a = t.attention();
      g.attention_heads = layout.Add(prefix + "attention.num_heads", size(a.num_heads()));
      g.attention_kv_heads = layout.Add(prefix + "attention.num_kv_heads", size(a.num_kv_heads()));
      g.attention_head_dim = layout.Add(prefix + "attention.head_dim", size(a.head_dims()));
      g.attention_qk_norm = layout.Add(prefix + "attention.qk_norm", size(a.qk_norm()));
      g.attention_rope_theta = layout.Add(prefix + "attention.rope_theta", size(a.rope_thetas()));
      g.attention_window =
          layout.Add(prefix + "attention.sliding_window", size(a.sliding_windows()));
    }
    if (t.has_short_conv()) {
      g.conv_kernel =
          layout.Add(prefix + "short_conv.kernel_size", size(t.short_conv().kernel_sizes()));
      g.conv_gating = layout.Add(prefix + "short_conv.gating", size(t.short_conv().gatings()));
    }
    if (t.has_recurrence()) {
      g.recurrence_heads =
          layout.Add(prefix + "recurrence.num_heads", size(t.recurrence().num_heads()));
      g.recurrence_head_dim =
          layout.Add(prefix + "recurrence.head_dim", size(t.recurrence().head_dims()));
    }
    g.channel_mixer = layout.Add(prefix + "channel_mixer", size(layout.channel_kinds_));
    if (!c.swiglu_hidden().empty()) {
      g.swiglu_hidden = layout.Add(prefix + "swiglu.hidden", size(c.swiglu_hidden()));
    }
    if (!c.gelu_hidden().empty()) {
      g.gelu_hidden = layout.Add(prefix + "gelu_mlp.hidden", size(c.gelu_hidden()));
    }
    layout.classes_.push_back(g);
  }
  return layout;
}

std::optional<size_t> GenomeLayout::Find(const std::string& name) const {
  for (size_t i = 0; i < genes_.size(); ++i) {
    if (genes_[i].name == name) return i;
  }
  return std::nullopt;
}

}  // namespace nas::star
