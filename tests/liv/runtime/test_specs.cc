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
  };
  specs.back().set_tie_embeddings(false);
  return specs;
}

}  // namespace nas::liv::testing
