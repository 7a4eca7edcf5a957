#include "star/search_space_validate.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "evaluator/evaluation_settings.h"
#include "liv/model/weight_layout.h"
#include "liv/runtime/cost_model.h"
#include "star/trained_quality.h"

namespace nas::star {
namespace {

using ::google::protobuf::RepeatedField;
using ::nas::agent::MeasureProtocol;

absl::Status Error(const std::string& path, const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
}

std::string At(const std::string& path, int i) { return absl::StrCat(path, "[", i, "]"); }

std::string Show(uint32_t v) { return absl::StrCat(v); }
std::string Show(float v) { return absl::StrCat(v); }
std::string Show(bool v) { return v ? "true" : "false"; }
std::string Show(int gating) {
  return ShortConv::Gating_IsValid(gating) ? ShortConv::Gating_Name(gating) : absl::StrCat(gating);
}

template <typename T>
std::string Join(const RepeatedField<T>& values) {
  std::vector<std::string> out;
  for (const T& v : values) out.push_back(Show(v));
  return absl::StrJoin(out, ", ");
}

// A value list of the genome: non-empty, every element passing `check`, no duplicates
// (a duplicate would make two genes mean the same and bias sampling towards it).
template <typename T>
absl::Status CheckList(const std::string& path, const RepeatedField<T>& values,
                       const std::function<absl::Status(const std::string&, T)>& check) {
  if (values.empty()) return Error(path, "empty list (give at least one value)");
  for (int i = 0; i < values.size(); ++i) {
    if (auto s = check(At(path, i), values[i]); !s.ok()) return s;
    for (int j = 0; j < i; ++j) {
      if (values[j] == values[i]) {
        return Error(At(path, i), absl::StrCat(Show(values[i]), " repeats ", At(path, j)));
      }
    }
  }
  return absl::OkStatus();
}

std::function<absl::Status(const std::string&, uint32_t)> InRange(uint64_t low, uint64_t high,
                                                                  const std::string& why) {
  return [=](const std::string& path, uint32_t v) {
    if (v == 0 && low > 0) {
      return Error(path, absl::StrCat("not set or 0; must be in [", low, ", ", high, "]", why));
    }
    if (v < low || v > high) {
      return Error(path, absl::StrCat(v, " is out of range [", low, ", ", high, "]", why));
    }
    return absl::OkStatus();
  };
}

std::string Limit(const char* name) { return absl::StrCat(" (ValidationLimits.", name, ")"); }

absl::Status CheckAttention(const AttentionChoices& a, const liv::ValidationLimits& limits) {
  const std::string path = "token_mixers.attention";
  const auto heads = InRange(1, limits.max_heads, Limit("max_heads"));
  if (auto s = CheckList<uint32_t>(path + ".num_heads", a.num_heads(), heads); !s.ok()) return s;
  if (auto s = CheckList<uint32_t>(path + ".num_kv_heads", a.num_kv_heads(), heads); !s.ok()) {
    return s;
  }
  for (int i = 0; i < a.num_heads_size(); ++i) {
    const uint32_t h = a.num_heads(i);
    const bool divisible = std::any_of(a.num_kv_heads().begin(), a.num_kv_heads().end(),
                                       [h](uint32_t kv) { return h % kv == 0; });
    if (!divisible) {
      return Error(At(path + ".num_heads", i),
                   absl::StrCat(h, " is not divisible by any num_kv_heads choice (",
                                Join(a.num_kv_heads()), ")"));
    }
  }
  if (auto s = CheckList<uint32_t>(
          path + ".head_dims", a.head_dims(),
          [&](const std::string& p, uint32_t v) {
            if (auto r = InRange(1, limits.max_head_dim, Limit("max_head_dim"))(p, v); !r.ok()) {
              return r;
            }
            if (v % 2 != 0) return Error(p, absl::StrCat(v, " must be even (RoPE rotates halves)"));
            return absl::OkStatus();
          });
      !s.ok()) {
    return s;
  }
  const uint64_t widest = uint64_t{*std::max_element(a.num_heads().begin(), a.num_heads().end())} *
                          *std::max_element(a.head_dims().begin(), a.head_dims().end());
  if (widest > limits.max_hidden) {
    return Error(path, absl::StrCat("largest num_heads x largest head_dims = ", widest, " exceeds ",
                                    limits.max_hidden, Limit("max_hidden")));
  }
  if (auto s = CheckList<bool>(path + ".qk_norm", a.qk_norm(),
                               [](const std::string&, bool) { return absl::OkStatus(); });
      !s.ok()) {
    return s;
  }
  if (auto s = CheckList<float>(path + ".rope_thetas", a.rope_thetas(),
                                [](const std::string& p, float v) {
                                  if (!std::isfinite(v) || v <= 0) {
                                    return Error(p, absl::StrCat(v,
                                                                 " must be finite and > 0, "
                                                                 "e.g. 1e6"));
                                  }
                                  return absl::OkStatus();
                                });
      !s.ok()) {
    return s;
  }
  return CheckList<uint32_t>(path + ".sliding_windows", a.sliding_windows(),
                             InRange(0, limits.max_sliding_window, Limit("max_sliding_window")));
}

absl::Status CheckShortConv(const ShortConvChoices& c, const liv::ValidationLimits& limits) {
  const std::string path = "token_mixers.short_conv";
  if (auto s = CheckList<uint32_t>(path + ".kernel_sizes", c.kernel_sizes(),
                                   InRange(limits.min_kernel_size, limits.max_kernel_size,
                                           " (ValidationLimits.min/max_kernel_size)"));
      !s.ok()) {
    return s;
  }
  return CheckList<int>(path + ".gatings", c.gatings(), [](const std::string& p, int g) {
    if (g == ShortConv::GATING_UNSPECIFIED || !ShortConv::Gating_IsValid(g)) {
      return Error(p, absl::StrCat(Show(g), " is not a gating (DOUBLE, OUTPUT_ONLY or NONE)"));
    }
    return absl::OkStatus();
  });
}

absl::Status CheckRecurrence(const RecurrenceChoices& r, const liv::ValidationLimits& limits) {
  const std::string path = "token_mixers.recurrence";
  if (auto s = CheckList<uint32_t>(path + ".num_heads", r.num_heads(),
                                   InRange(1, limits.max_heads, Limit("max_heads")));
      !s.ok()) {
    return s;
  }
  if (auto s = CheckList<uint32_t>(path + ".head_dims", r.head_dims(),
                                   InRange(1, limits.max_head_dim, Limit("max_head_dim")));
      !s.ok()) {
    return s;
  }
  const uint64_t widest = uint64_t{*std::max_element(r.num_heads().begin(), r.num_heads().end())} *
                          *std::max_element(r.head_dims().begin(), r.head_dims().end());
  if (widest > limits.max_hidden) {
    return Error(path, absl::StrCat("largest num_heads x largest head_dims = ", widest, " exceeds ",
                                    limits.max_hidden, Limit("max_hidden")));
  }
  return absl::OkStatus();
}

absl::Status CheckChannelMixers(const ChannelMixerChoices& c, const liv::ValidationLimits& limits) {
  const auto width = InRange(1, limits.max_hidden, Limit("max_hidden"));
  if (c.swiglu_hidden_size() > 0) {
    if (auto s = CheckList<uint32_t>("channel_mixers.swiglu_hidden", c.swiglu_hidden(), width);
        !s.ok()) {
      return s;
    }
  }
  if (c.gelu_hidden_size() > 0) {
    if (auto s = CheckList<uint32_t>("channel_mixers.gelu_hidden", c.gelu_hidden(), width);
        !s.ok()) {
      return s;
    }
  }
  if (c.swiglu_hidden_size() == 0 && c.gelu_hidden_size() == 0 && !c.allow_none()) {
    return Error("channel_mixers",
                 "no channel mixer allowed (list swiglu_hidden or gelu_hidden "
                 "widths, or set allow_none: true)");
  }
  return absl::OkStatus();
}

uint32_t Max(const RepeatedField<uint32_t>& v) { return *std::max_element(v.begin(), v.end()); }

// The most parameters any candidate can have: the embedding plus `depth` copies of the
// largest token mixer and the largest channel mixer (parameters grow with every choice).
uint64_t ParameterUpperBound(const SearchSpace& space) {
  ArchSpec base;
  base.set_vocab_size(space.vocab_size());
  base.set_d_model(space.d_model());
  base.set_tie_embeddings(space.tie_embeddings());
  const uint64_t embedding = liv::CountParameters(base);
  std::vector<Layer> mixers;
  const TokenMixerChoices& t = space.token_mixers();
  if (t.has_attention()) {
    Attention* a = mixers.emplace_back().mutable_attention();
    a->set_num_heads(Max(t.attention().num_heads()));
    a->set_num_kv_heads(std::min(Max(t.attention().num_kv_heads()), a->num_heads()));
    a->set_head_dim(Max(t.attention().head_dims()));
    a->set_qk_norm(true);
  }
  if (t.has_short_conv()) {
    ShortConv* c = mixers.emplace_back().mutable_short_conv();
    c->set_kernel_size(Max(t.short_conv().kernel_sizes()));
    c->set_gating(ShortConv::DOUBLE);  // the widest input projection
  }
  if (t.has_recurrence()) {
    Recurrence* r = mixers.emplace_back().mutable_recurrence();
    r->set_num_heads(Max(t.recurrence().num_heads()));
    r->set_head_dim(Max(t.recurrence().head_dims()));
  }
  const ChannelMixerChoices& c = space.channel_mixers();
  const uint32_t hidden = std::max(c.swiglu_hidden().empty() ? 0 : Max(c.swiglu_hidden()),
                                   c.gelu_hidden().empty() ? 0 : Max(c.gelu_hidden()));
  uint64_t per_layer = 0;
  for (Layer layer : mixers) {
    if (hidden > 0) {
      layer.mutable_swiglu()->set_hidden(hidden);  // SwiGLU >= GELU at equal width
    } else {
      layer.mutable_no_channel_mixer();
    }
    ArchSpec one = base;
    *one.add_layers() = layer;
    per_layer = std::max(per_layer, liv::CountParameters(one) - embedding);
  }
  return embedding + per_layer * space.depth();
}

absl::Status CheckShape(const SearchSpace& space, const liv::ValidationLimits& limits) {
  if (auto s = InRange(1, limits.max_vocab_size, Limit("max_vocab_size"))("vocab_size",
                                                                          space.vocab_size());
      !s.ok()) {
    return s;
  }
  if (auto s = InRange(1, limits.max_d_model, Limit("max_d_model"))("d_model", space.d_model());
      !s.ok()) {
    return s;
  }
  if (auto s = InRange(1, limits.max_layers, Limit("max_layers"))("depth", space.depth());
      !s.ok()) {
    return s;
  }
  const float eps = space.norm_eps();
  if (!std::isfinite(eps) || eps <= 0 || eps > 0.1f) {
    return Error("norm_eps", absl::StrCat(eps, " must be finite and in (0, 0.1], e.g. 1e-5"));
  }
  if (auto s = InRange(1, kMaxLivClasses, "")("max_liv_classes", space.max_liv_classes());
      !s.ok()) {
    return s;
  }
  if (space.kv_sharing_groups() > space.depth()) {
    return Error("kv_sharing_groups",
                 absl::StrCat(space.kv_sharing_groups(), " exceeds depth (", space.depth(), ")"));
  }
  if (space.kv_sharing_groups() > 0 && !space.token_mixers().has_attention()) {
    return Error("kv_sharing_groups",
                 "KV sharing needs attention, which token_mixers does not "
                 "allow");
  }
  if (space.weight_sharing_groups() > space.depth()) {
    return Error("weight_sharing_groups", absl::StrCat(space.weight_sharing_groups(),
                                                       " exceeds depth (", space.depth(), ")"));
  }
  return absl::OkStatus();
}

bool Contains(const RepeatedField<uint32_t>& values, uint32_t v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

absl::Status CheckProtocolPoint(const std::string& path, uint32_t value,
                                const RepeatedField<uint32_t>& points, const char* list) {
  if (!Contains(points, value)) {
    return Error(
        path, absl::StrCat(value, " is not among the protocol's ", list, " (", Join(points), ")"));
  }
  return absl::OkStatus();
}

absl::Status CheckDevices(const SearchSpace& space) {
  std::set<std::string> names, agents;
  for (int i = 0; i < space.devices_size(); ++i) {
    const DeviceClass& d = space.devices(i);
    const std::string path = At("devices", i);
    if (d.name().empty()) return Error(path + ".name", "empty (e.g. \"laptop\")");
    for (char c : d.name()) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
        return Error(path + ".name", absl::StrCat("\"", d.name(), "\" may only hold letters, ",
                                                  "digits, '_', '-' and '.'"));
      }
    }
    if (!names.insert(d.name()).second) {
      return Error(path + ".name", absl::StrCat("\"", d.name(), "\" is declared twice"));
    }
    if (d.agents().empty()) {
      return Error(path + ".agents", "no agent (give at least one host:port)");
    }
    for (int j = 0; j < d.agents_size(); ++j) {
      const std::string agent_path = At(path + ".agents", j);
      if (auto s = CheckHostPort(d.agents(j)); !s.ok())
        return Error(agent_path, std::string(s.message()));
      if (!agents.insert(d.agents(j)).second) {
        return Error(agent_path, absl::StrCat(d.agents(j), " is listed twice (an agent measures ",
                                              "one thing at a time, for one class)"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckDeviceName(const SearchSpace& space, const std::string& path,
                             const std::string& name) {
  if (name.empty()) return Error(path, "not set (name a declared device class)");
  std::vector<std::string> declared;
  for (const DeviceClass& d : space.devices()) {
    if (d.name() == name) return absl::OkStatus();
    declared.push_back(d.name());
  }
  return Error(path, absl::StrCat("\"", name, "\" is not a declared device class (devices: ",
                                  declared.empty() ? "none" : absl::StrJoin(declared, ", "), ")"));
}

absl::Status CheckObjectives(const SearchSpace& space, const MeasureProtocol& protocol) {
  if (space.objectives_size() < 2) {
    return Error("objectives", absl::StrCat(space.objectives_size(),
                                            " given; a multi-objective "
                                            "search needs at least 2"));
  }
  for (int i = 0; i < space.objectives_size(); ++i) {
    const Objective& o = space.objectives(i);
    const std::string path = At("objectives", i);
    if (o.kind() == Objective::KIND_UNSPECIFIED || !Objective::Kind_IsValid(o.kind())) {
      return Error(path + ".kind",
                   "not set (QUALITY, DECODE_MS_PER_TOKEN, PREFILL_TOKENS_PER_S, "
                   "TIME_TO_FIRST_TOKEN_MS, PEAK_MEMORY_BYTES, PARAMETERS or "
                   "CACHE_BYTES)");
    }
    const std::string kind = Objective::Kind_Name(o.kind());
    if (IsMeasuredObjective(o.kind())) {
      if (auto s = CheckDeviceName(space, path + ".device_class", o.device_class()); !s.ok()) {
        return s;
      }
    } else if (!o.device_class().empty()) {
      return Error(path + ".device_class",
                   absl::StrCat(kind, " is not measured on a device; remove device_class"));
    }
    const bool decode = o.kind() == Objective::DECODE_MS_PER_TOKEN;
    const bool prompt = o.kind() == Objective::PREFILL_TOKENS_PER_S ||
                        o.kind() == Objective::TIME_TO_FIRST_TOKEN_MS;
    const bool cache = o.kind() == Objective::CACHE_BYTES;
    if (!decode && o.decode_depth() != 0) {
      return Error(path + ".decode_depth", absl::StrCat("only DECODE_MS_PER_TOKEN takes a decode "
                                                        "depth, not ",
                                                        kind));
    }
    if (!prompt && o.prompt_length() != 0) {
      return Error(path + ".prompt_length",
                   absl::StrCat("only PREFILL_TOKENS_PER_S and TIME_TO_FIRST_TOKEN_MS take a "
                                "prompt length, not ",
                                kind));
    }
    if (!cache && o.context() != 0) {
      return Error(path + ".context", absl::StrCat("only CACHE_BYTES takes a context, not ", kind));
    }
    if (decode) {
      if (auto s = CheckProtocolPoint(path + ".decode_depth", o.decode_depth(),
                                      protocol.decode_depths(), "decode_depths");
          !s.ok()) {
        return s;
      }
    }
    if (prompt) {
      if (o.prompt_length() == 0) return Error(path + ".prompt_length", "not set");
      if (auto s = CheckProtocolPoint(path + ".prompt_length", o.prompt_length(),
                                      protocol.prompt_lengths(), "prompt_lengths");
          !s.ok()) {
        return s;
      }
    }
    if (cache && o.context() == 0) return Error(path + ".context", "not set (e.g. 4096)");
    if (o.kind() == Objective::QUALITY && space.evaluator().kind() == Evaluator::KIND_UNSPECIFIED) {
      return Error(path + ".kind", "QUALITY needs an evaluator, but evaluator.kind is not set");
    }
    for (int j = 0; j < i; ++j) {
      if (o.SerializeAsString() == space.objectives(j).SerializeAsString()) {
        return Error(path, absl::StrCat("repeats ", At("objectives", j)));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRate(const std::string& path, double value, double low, bool low_open) {
  if (!std::isfinite(value) || value < low || (low_open && value == low) || value > 1) {
    return Error(path, absl::StrCat(value, " is not in ", low_open ? "(" : "[", low, ", 1]"));
  }
  return absl::OkStatus();
}

absl::Status CheckBudgets(const SearchSpace& space, const MeasureProtocol& protocol) {
  const Budgets& b = space.budgets();
  if (b.max_parameters() > 0 && b.min_parameters() > b.max_parameters()) {
    return Error(
        "budgets.min_parameters",
        absl::StrCat(b.min_parameters(), " exceeds ", "max_parameters (", b.max_parameters(), ")"));
  }
  if (const uint64_t most = ParameterUpperBound(space); b.min_parameters() > most) {
    return Error("budgets.min_parameters",
                 absl::StrCat(b.min_parameters(), " exceeds the largest candidate of this space (",
                              most, " parameters): no candidate is feasible"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < b.devices_size(); ++i) {
    const DeviceBudget& d = b.devices(i);
    const std::string path = At("budgets.devices", i);
    if (auto s = CheckDeviceName(space, path + ".device_class", d.device_class()); !s.ok()) {
      return s;
    }
    if (!seen.insert(d.device_class()).second) {
      return Error(path + ".device_class",
                   absl::StrCat("\"", d.device_class(), "\" has two budgets; merge them"));
    }
    for (const auto& [name, value] :
         {std::pair{"min_decode_tokens_per_s", d.min_decode_tokens_per_s()},
          std::pair{"min_prefill_tokens_per_s", d.min_prefill_tokens_per_s()}}) {
      if (!std::isfinite(value) || value < 0) {
        return Error(absl::StrCat(path, ".", name), absl::StrCat(value, " must be >= 0"));
      }
    }
    if (d.max_peak_memory_bytes() == 0 && d.min_decode_tokens_per_s() == 0 &&
        d.min_prefill_tokens_per_s() == 0) {
      return Error(path,
                   "sets no bound (max_peak_memory_bytes, min_decode_tokens_per_s or "
                   "min_prefill_tokens_per_s)");
    }
    if (d.min_decode_tokens_per_s() > 0) {
      if (auto s = CheckProtocolPoint(path + ".decode_depth", d.decode_depth(),
                                      protocol.decode_depths(), "decode_depths");
          !s.ok()) {
        return s;
      }
    } else if (d.decode_depth() != 0) {
      return Error(path + ".decode_depth", "set without min_decode_tokens_per_s");
    }
    if (d.min_prefill_tokens_per_s() > 0) {
      if (auto s = CheckProtocolPoint(path + ".prompt_length", d.prompt_length(),
                                      protocol.prompt_lengths(), "prompt_lengths");
          !s.ok()) {
        return s;
      }
    } else if (d.prompt_length() != 0) {
      return Error(path + ".prompt_length", "set without min_prefill_tokens_per_s");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEvaluator(const Evaluator& e) {
  if (!Evaluator::Kind_IsValid(e.kind())) {
    return Error("evaluator.kind", absl::StrCat(static_cast<int>(e.kind()), " is not a kind"));
  }
  if (e.kind() == Evaluator::SERVICE) {
    if (e.addresses().empty()) {
      return Error("evaluator.addresses", "SERVICE needs at least one host:port");
    }
    for (int i = 0; i < e.addresses_size(); ++i) {
      if (auto s = CheckHostPort(e.addresses(i)); !s.ok()) {
        return Error(At("evaluator.addresses", i), std::string(s.message()));
      }
    }
  } else if (!e.addresses().empty()) {
    return Error("evaluator.addresses", "only kind SERVICE takes addresses");
  }
  if (e.kind() == Evaluator::COMMAND) {
    if (e.command().empty()) return Error("evaluator.command", "COMMAND needs a command line");
  } else if (!e.command().empty()) {
    return Error("evaluator.command", "only kind COMMAND takes a command");
  }
  if (e.kind() == Evaluator::PROXY || e.kind() == Evaluator::KIND_UNSPECIFIED) {
    if (e.has_training()) {
      return Error("evaluator.training",
                   "only kinds MAD, CORPUS, SERVICE and COMMAND train (PROXY does not)");
    }
    return absl::OkStatus();
  }
  using Mode = eval::EvaluationSettings;
  const Mode::Mode mode = e.training().mode();
  if ((e.kind() == Evaluator::MAD && mode == Mode::CORPUS) ||
      (e.kind() == Evaluator::CORPUS && mode == Mode::MAD)) {
    return Error("evaluator.training.mode",
                 absl::StrCat(Mode::Mode_Name(mode), " contradicts evaluator.kind ",
                              Evaluator::Kind_Name(e.kind()),
                              " (which sets the mode; leave it out)"));
  }
  return eval::ValidateSettings(TrainingSettings(e), "evaluator.training");
}

absl::Status CheckEvolution(const SearchSpace& space) {
  const Evolution& e = space.evolution();
  if (e.population() < kMinPopulation) {
    return Error("evolution.population",
                 absl::StrCat(e.population(), " is below the minimum of ", kMinPopulation));
  }
  if (e.generations() < 1) return Error("evolution.generations", "must be >= 1");
  if (e.has_mutation_rate()) {
    if (auto s = CheckRate("evolution.mutation_rate", e.mutation_rate(), 0, true); !s.ok()) {
      return s;
    }
  }
  if (e.has_crossover_rate()) {
    if (auto s = CheckRate("evolution.crossover_rate", e.crossover_rate(), 0, false); !s.ok()) {
      return s;
    }
  }
  if (static_cast<uint32_t>(space.references_size()) > e.population()) {
    return Error("evolution.population",
                 absl::StrCat(e.population(), " is smaller than the number of references (",
                              space.references_size(), "), which all seed the first generation"));
  }
  return absl::OkStatus();
}

absl::Status CheckProtocol(const MeasureProtocol& p) {
  for (int i = 0; i < p.prompt_lengths_size(); ++i) {
    if (p.prompt_lengths(i) == 0) return Error(At("protocol.prompt_lengths", i), "must be >= 1");
  }
  if (p.max_repetitions() != 0 && p.max_repetitions() < p.min_repetitions()) {
    return Error(
        "protocol.max_repetitions",
        absl::StrCat(p.max_repetitions(), " is below min_repetitions (", p.min_repetitions(), ")"));
  }
  if (!p.kv_type().empty()) {
    if (auto kv = liv::ParseKvType(p.kv_type()); !kv.ok()) {
      return Error("protocol.kv_type", std::string(kv.status().message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

MeasureProtocol ProtocolWithDefaults(const MeasureProtocol& protocol) {
  // The agents' defaults (device-agent/request_validation.cc EffectiveProtocol).
  MeasureProtocol p = protocol;
  if (p.prompt_lengths().empty()) {
    p.add_prompt_lengths(512);
    p.add_prompt_lengths(4096);
  }
  if (p.decode_depths().empty()) {
    p.add_decode_depths(0);
    p.add_decode_depths(4096);
  }
  return p;
}

uint64_t KvElementBytesOf(const MeasureProtocol& protocol) {
  auto kv = liv::ParseKvType(protocol.kv_type().empty() ? "f32" : protocol.kv_type());
  return liv::KvElementBytes(kv.ok() ? *kv : liv::KvType::kF32);
}

bool IsMeasuredObjective(Objective::Kind kind) {
  return kind == Objective::DECODE_MS_PER_TOKEN || kind == Objective::PREFILL_TOKENS_PER_S ||
         kind == Objective::TIME_TO_FIRST_TOKEN_MS || kind == Objective::PEAK_MEMORY_BYTES;
}

bool IsMaximizedObjective(Objective::Kind kind) {
  return kind == Objective::QUALITY || kind == Objective::PREFILL_TOKENS_PER_S;
}

absl::Status CheckHostPort(const std::string& address) {
  const std::string example = " (e.g. 127.0.0.1:50061 or [::1]:50061)";
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("\"", address, "\" is not host:port", example));
  }
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  uint32_t number = 0;
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(port, &number) || number < 1 || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", address, "\" has no port in 1..65535", example));
  }
  const bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  for (char c : bracketed ? host.substr(1, host.size() - 2) : host) {
    const bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                    c == '_' || (bracketed && c == ':');
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", address, "\" is not host:port", example));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateGenomeChoices(const SearchSpace& space, const liv::ValidationLimits& limits) {
  if (auto s = CheckShape(space, limits); !s.ok()) return s;
  const TokenMixerChoices& t = space.token_mixers();
  if (!t.has_attention() && !t.has_short_conv() && !t.has_recurrence()) {
    return Error("token_mixers",
                 "no token mixer family allowed (add attention, short_conv or "
                 "recurrence)");
  }
  if (t.has_attention()) {
    if (auto s = CheckAttention(t.attention(), limits); !s.ok()) return s;
  }
  if (t.has_short_conv()) {
    if (auto s = CheckShortConv(t.short_conv(), limits); !s.ok()) return s;
  }
  if (t.has_recurrence()) {
    if (auto s = CheckRecurrence(t.recurrence(), limits); !s.ok()) return s;
  }
  if (auto s = CheckChannelMixers(space.channel_mixers(), limits); !s.ok()) return s;
  if (const uint64_t most = ParameterUpperBound(space); most > limits.max_parameters) {
    return Error("depth", absl::StrCat("the largest candidate has ", most, " parameters, above ",
                                       limits.max_parameters, Limit("max_parameters")));
  }
  return absl::OkStatus();
}

absl::Status ValidateSearchSpaceFields(const SearchSpace& space) {
  if (auto s = ValidateGenomeChoices(space); !s.ok()) return s;
  const MeasureProtocol protocol = ProtocolWithDefaults(space.protocol());
  if (auto s = CheckProtocol(space.protocol()); !s.ok()) return s;
  if (auto s = CheckDevices(space); !s.ok()) return s;
  if (auto s = CheckEvaluator(space.evaluator()); !s.ok()) return s;
  if (auto s = CheckObjectives(space, protocol); !s.ok()) return s;
  if (auto s = CheckBudgets(space, protocol); !s.ok()) return s;
  if (!space.weight_type().empty()) {
    if (auto type = liv::ParseWeightType(space.weight_type()); !type.ok()) {
      return Error("weight_type", absl::StrCat("\"", space.weight_type(), "\" is not a weight ",
                                               "type (f32, f16, q8_0 or q4_0)"));
    }
  }
  return CheckEvolution(space);
}

}  // namespace nas::star
