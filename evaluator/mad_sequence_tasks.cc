// selective_copying, compression and memorization (mad_tasks.h has the definitions).
#include <algorithm>
#include <numeric>
#include <vector>

#include "evaluator/mad_generators.h"

namespace nas::eval::internal {
namespace {

int32_t DrawToken(CounterRng& rng, TokenRange range) {
  return range.begin + rng.Below(range.size());
}

}  // namespace

void GenerateSelectiveCopying(const TaskSettings& s, const TaskVocabulary& vocab,
                              CounterRng& rng, ExampleRows rows) {
  const int n = s.num_tokens_to_copy;
  const int scatter_len = s.seq_len - n - 1;  // where the tokens to copy sit
  std::fill(rows.inputs.begin(), rows.inputs.end(), vocab.blank);
  rows.inputs[scatter_len] = vocab.copy;
  // Selection sampling (Knuth's algorithm S): position i is chosen with probability
  // (tokens still to place) / (positions left), which makes every n-subset equally likely.
  int placed = 0;
  for (int i = 0; i < scatter_len && placed < n; ++i) {
    if (rng.Below(scatter_len - i) < n - placed) {
      const int32_t token = DrawToken(rng, vocab.content);
      rows.inputs[i] = token;
      rows.Probe(scatter_len + 1 + placed, token);
      ++placed;
    }
  }
}

void GenerateCompression(const TaskSettings& s, const TaskVocabulary& vocab, CounterRng& rng,
                         ExampleRows rows) {
  for (int i = 0; i + 1 < s.seq_len; ++i) rows.inputs[i] = DrawToken(rng, vocab.content);
  rows.inputs[s.seq_len - 1] = vocab.compress;
  for (int i = 0; i < s.seq_len; ++i) rows.Probe(i, rows.inputs[i]);
}

std::vector<int32_t> MakeMemorizationMap(const TaskVocabulary& vocab, CounterRng& rng) {
  // A uniformly shuffled list of the values (Fisher-Yates); key i takes the i-th.
  std::vector<int32_t> values(vocab.values.size());
  std::iota(values.begin(), values.end(), vocab.values.begin);
  for (int i = static_cast<int>(values.size()) - 1; i > 0; --i) {
    std::swap(values[i], values[rng.Below(i + 1)]);
  }
  values.resize(vocab.keys.size());  // there are at least as many values as keys
  return values;
}

void GenerateMemorization(const TaskSettings& s, const TaskVocabulary& vocab,
                          const std::vector<int32_t>& map, CounterRng& rng, ExampleRows rows) {
  for (int i = 0; i + 1 < s.seq_len; i += 2) {
    const int32_t key = DrawToken(rng, vocab.keys);
    rows.inputs[i] = key;
    rows.inputs[i + 1] = vocab.insert;
    rows.Probe(i + 1, map[key - vocab.keys.begin]);
  }
}

}  // namespace nas::eval::internal
