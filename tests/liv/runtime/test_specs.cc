#include "tests/liv/runtime/test_specs.h"

namespace nas::liv::testing {

Layer AttentionLayer(int heads, int kv_heads, int head_dim, bool qk_norm, int window,
                     int kv_source) {
  Layer layer;
  Attention* a = layer.mutable_attention();
  a->set_num_heads(heads);
  a->set_num_kv_heads(kv_heads);
  a->set_head_dim(head_dim);
  a->set_qk_norm(qk_norm);
  a->set_rope_theta(10000.0f);
  a->set_sliding_window(window);
  if (kv_source >= 0) a->set_kv_source_layer(kv_source);
  layer.mutable_swiglu()->set_hidden(72);
  return layer;
}

Layer ConvLayer(int kernel_size, ShortConv::Gating gating) {
  Layer layer;
  layer.mutable_short_conv()->set_kernel_size(kernel_size);
  layer.mutable_short_conv()->set_gating(gating);
  layer.mutable_swiglu()->set_hidden(72);
  return layer;
}

Layer RecurrenceLayer(int heads, int head_dim) {
  Layer layer;
  layer.mutable_recurrence()->set_num_heads(heads);
  layer.mutable_recurrence()->set_head_dim(head_dim);
  layer.mutable_swiglu()->set_hidden(72);
  return layer;
}

Layer WithSwiGlu(Layer layer, int hidden) {
  layer.mutable_swiglu()->set_hidden(hidden);
  return layer;
}

Layer WithGelu(Layer layer, int hidden) {
  layer.mutable_gelu_mlp()->set_hidden(hidden);
  return layer;
}

Layer WithoutChannelMixer(Layer layer) {
  layer.mutable_no_channel_mixer();
  return layer;
}

Layer SharingWeightsOf(Layer layer, int source) {
  layer.set_weight_source_layer(source);
  return layer;
}

ArchSpec MakeSpec(const std::string& name, int vocab, int d_model, std::vector<Layer> layers) {
  ArchSpec spec;
  spec.set_name(name);
  spec.set_vocab_size(vocab);
  spec.set_d_model(d_model);
  spec.set_norm_eps(1e-5f);
  spec.set_tie_embeddings(true);
  for (Layer& l : layers) *spec.add_layers() = l;
  return spec;
}

std::vector<ArchSpec> OperatorCoverageSpecs() {
  constexpr int kVocab = 37, kD = 40;
  std::vector<ArchSpec> specs = {
      MakeSpec("gqa_qk_norm", kVocab, kD, {AttentionLayer(4, 2, 10, true),
                                           AttentionLayer(4, 2, 10, true)}),
      MakeSpec("mha_no_qk_norm", kVocab, kD, {AttentionLayer(2, 2, 20, false)}),
      MakeSpec("sliding_window", kVocab, kD, {AttentionLayer(4, 1, 10, true, 5),
                                              ConvLayer(3, ShortConv::DOUBLE)}),
      MakeSpec("kv_sharing", kVocab, kD, {AttentionLayer(4, 2, 10, true),
                                          ConvLayer(3, ShortConv::DOUBLE),
                                          AttentionLayer(2, 2, 10, true, 0, 0)}),
      MakeSpec("kv_sharing_windowed", kVocab, kD, {AttentionLayer(4, 2, 10, true, 6),
                                                   AttentionLayer(4, 2, 10, false, 4, 0)}),
      MakeSpec("conv_double", kVocab, kD, {ConvLayer(3, ShortConv::DOUBLE),
                                           ConvLayer(5, ShortConv::DOUBLE)}),
      MakeSpec("conv_output_only", kVocab, kD, {ConvLayer(4, ShortConv::OUTPUT_ONLY)}),
      MakeSpec("conv_no_gate", kVocab, kD, {ConvLayer(2, ShortConv::NONE),
                                            ConvLayer(16, ShortConv::NONE)}),
      MakeSpec("recurrence", kVocab, kD, {RecurrenceLayer(2, 12), RecurrenceLayer(4, 8)}),
      MakeSpec("gelu_mlp", kVocab, kD, {WithGelu(ConvLayer(3, ShortConv::DOUBLE), 56)}),
      MakeSpec("no_channel_mixer", kVocab, kD,
               {WithoutChannelMixer(AttentionLayer(4, 2, 10, true)),
                WithoutChannelMixer(ConvLayer(3, ShortConv::DOUBLE))}),
      MakeSpec("lfm2_like_hybrid", kVocab, kD,
               {ConvLayer(3, ShortConv::DOUBLE), ConvLayer(3, ShortConv::DOUBLE),
                AttentionLayer(4, 2, 10, true), ConvLayer(3, ShortConv::DOUBLE),
                RecurrenceLayer(2, 10), AttentionLayer(4, 2, 10, true, 3)}),
      MakeSpec("conv_weight_sharing", kVocab, kD,
               {ConvLayer(3, ShortConv::DOUBLE), WithGelu(ConvLayer(4, ShortConv::OUTPUT_ONLY), 56),
                SharingWeightsOf(ConvLayer(3, ShortConv::DOUBLE), 0),
                SharingWeightsOf(WithGelu(ConvLayer(4, ShortConv::OUTPUT_ONLY), 56), 1),
                ConvLayer(2, ShortConv::NONE), SharingWeightsOf(ConvLayer(2, ShortConv::NONE), 4)}),
      // 2: weights of 0, own K/V; 3: weights and K/V of 0; 4: weights of 0, K/V of 2;
      // 5: a KV sharer with weights of its own, lending them to 6, a KV sharer of 2.
      MakeSpec("attention_weight_sharing", kVocab, kD,
               {AttentionLayer(4, 2, 10, true), ConvLayer(3, ShortConv::DOUBLE),
                SharingWeightsOf(AttentionLayer(4, 2, 10, true), 0),
                SharingWeightsOf(AttentionLayer(4, 2, 10, true, 0, 0), 0),
                SharingWeightsOf(AttentionLayer(4, 2, 10, true, 0, 2), 0),
                AttentionLayer(4, 2, 10, true, 0, 0),
                SharingWeightsOf(AttentionLayer(4, 2, 10, true, 0, 2), 5)}),
      MakeSpec("windowed_attention_weight_sharing", kVocab, kD,
               {WithGelu(AttentionLayer(4, 1, 10, true, 5), 56),
                SharingWeightsOf(WithGelu(AttentionLayer(4, 1, 10, true, 5), 56), 0),
                WithGelu(AttentionLayer(4, 1, 10, true, 4, 1), 56),
                SharingWeightsOf(WithGelu(AttentionLayer(4, 1, 10, true, 4, 0), 56), 2)}),
      MakeSpec("recurrence_weight_sharing", kVocab, kD,
               {WithoutChannelMixer(RecurrenceLayer(2, 12)), ConvLayer(3, ShortConv::DOUBLE),
                SharingWeightsOf(WithoutChannelMixer(RecurrenceLayer(2, 12)), 0),
                WithGelu(RecurrenceLayer(4, 8), 56),
                SharingWeightsOf(WithGelu(RecurrenceLayer(4, 8), 56), 3),
                SharingWeightsOf(WithoutChannelMixer(RecurrenceLayer(2, 12)), 0)}),
      MakeSpec("no_channel_mixer_weight_sharing", kVocab, kD,
               {WithoutChannelMixer(AttentionLayer(4, 2, 10, false)),
                WithoutChannelMixer(ConvLayer(3, ShortConv::DOUBLE)),
                SharingWeightsOf(WithoutChannelMixer(AttentionLayer(4, 2, 10, false)), 0),
                SharingWeightsOf(WithoutChannelMixer(ConvLayer(3, ShortConv::DOUBLE)), 1)}),
  };
  for (ArchSpec& spec : specs) {
    if (spec.name() == "lfm2_like_hybrid" || spec.name() == "windowed_attention_weight_sharing") {
      spec.set_tie_embeddings(false);
    }
  }
  return specs;
}

ArchSpec HandCountedWeightSharingSpec() {
  ArchSpec spec = MakeSpec("hand_counted_sharing", 10, 4,
                           {WithSwiGlu(ConvLayer(3, ShortConv::DOUBLE), 6),
                            WithSwiGlu(AttentionLayer(2, 1, 2, true), 6),
                            SharingWeightsOf(WithSwiGlu(ConvLayer(3, ShortConv::DOUBLE), 6), 0),
                            WithGelu(RecurrenceLayer(1, 2), 3)});
  return spec;
}

}  // namespace nas::liv::testing
