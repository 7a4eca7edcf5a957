// in_context_recall, noisy_recall and fuzzy_recall: one generator, as the three differ
// only in key/value lengths, noise and padding (mad_tasks.h has the definition).
#include <algorithm>
#include <map>
#include <vector>

#include "evaluator/mad_generators.h"

namespace nas::eval::internal {
namespace {

using Tokens = std::vector<int32_t>;

// 1 when max_len is 1 (no draw), else uniform in [1, max_len].
int DrawLength(CounterRng& rng, int max_len) { return 1 + rng.Below(max_len); }

// `count` distinct tokens drawn uniformly from `range` (range.size() >= count), in order.
void DrawDistinct(CounterRng& rng, TokenRange range, int count, Tokens* out) {
  out->clear();
  while (static_cast<int>(out->size()) < count) {
    const int32_t token = range.begin + rng.Below(range.size());
    if (std::find(out->begin(), out->end(), token) == out->end()) out->push_back(token);
  }
}

// The example as it is built: its tokens, and which of them are answers (probed from the
// position before).
class RecallStream {
 public:
  explicit RecallStream(int capacity) {
    tokens_.reserve(capacity);
    answer_.reserve(capacity);
  }

  int size() const { return static_cast<int>(tokens_.size()); }

  void AppendNoise(CounterRng& rng, TokenRange noise, int count) {
    for (int i = 0; i < count; ++i) Append(noise.begin + rng.Below(noise.size()), false);
  }

  // The key's value is drawn (value_len tokens) the first time the key appears; after
  // that its value tokens are the answers to probe.
  void AppendPair(CounterRng& rng, TokenRange values, const Tokens& key, int value_len) {
    const auto [it, first_time] = value_of_.try_emplace(key);
    if (first_time) {
      DrawDistinct(rng, values, value_len, &it->second);
      shown_.push_back(key);
    }
    for (int32_t t : key) Append(t, false);
    for (int32_t t : it->second) Append(t, !first_time);
  }

  // A pair whose key is drawn uniformly among the distinct keys shown so far.
  void AppendRepeatedPair(CounterRng& rng, TokenRange values) {
    const Tokens key = shown_[rng.Below(static_cast<int32_t>(shown_.size()))];
    AppendPair(rng, values, key, 0);
  }

  // Pads the front to `len` tokens and writes the example: position i probes token i + 1.
  void Write(int len, int32_t pad, ExampleRows rows) const {
    const int pads = len - size();
    std::fill(rows.inputs.begin(), rows.inputs.begin() + pads, pad);
    std::copy(tokens_.begin(), tokens_.end(), rows.inputs.begin() + pads);
    for (int j = 1; j < size(); ++j) {
      if (answer_[j]) rows.Probe(pads + j - 1, tokens_[j]);
    }
  }

 private:
  void Append(int32_t token, bool answer) {
    tokens_.push_back(token);
    answer_.push_back(answer ? 1 : 0);
  }

  Tokens tokens_;
  std::vector<uint8_t> answer_;
  std::map<Tokens, Tokens> value_of_;
  std::vector<Tokens> shown_;  // distinct keys in order of first appearance
};

}  // namespace

void GenerateRecall(const TaskSettings& s, const TaskVocabulary& vocab, CounterRng& rng,
                    ExampleRows rows) {
  const int longest = s.max_key_len + s.max_value_len;
  const int body_capacity = s.seq_len - longest;  // room for the final pair
  const bool noisy = s.noise_fraction > 0;
  // At least body_capacity / longest slots always fit; one of them is never noise, so the
  // final pair has a key to repeat.
  const int never_noise = noisy ? rng.Below(body_capacity / longest) : -1;

  RecallStream stream(s.seq_len);
  Tokens key;
  for (int slot = 0; stream.size() + longest <= body_capacity; ++slot) {
    const int key_len = DrawLength(rng, s.max_key_len);
    const int value_len = DrawLength(rng, s.max_value_len);
    if (noisy && slot != never_noise && rng.Bernoulli(s.noise_fraction)) {
      stream.AppendNoise(rng, vocab.noise, key_len + value_len);
      continue;
    }
    DrawDistinct(rng, vocab.keys, key_len, &key);
    stream.AppendPair(rng, vocab.values, key, value_len);
  }
  stream.AppendRepeatedPair(rng, vocab.values);
  // Fixed-length pairs (in_context_recall, noisy_recall: even seq_len) fill the example
  // exactly; only fuzzy_recall, which has a pad token, leaves room.
  stream.Write(s.seq_len, vocab.pad, rows);
}

}  // namespace nas::eval::internal
