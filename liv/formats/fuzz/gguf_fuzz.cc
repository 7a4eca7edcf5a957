// libFuzzer target: parses arbitrary bytes as GGUF (GgufReader::FromBytes) and, when they
// parse, touches every getter on every key and every tensor's data (converting small
// tensors to f32), so the sanitizers see every byte the reader hands out. Built with
// NAS_BUILD_FUZZERS (clang); see ../README.md for the command and the seed corpus.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "liv/formats/gguf_reader.h"

namespace {

using nas::liv::GgufMetadata;

void TouchGetters(const GgufMetadata& m, const std::string& key) {
  (void)m.GetUint8(key);
  (void)m.GetInt8(key);
  (void)m.GetUint16(key);
  (void)m.GetInt16(key);
  (void)m.GetUint32(key);
  (void)m.GetInt32(key);
  (void)m.GetUint64(key);
  (void)m.GetInt64(key);
  (void)m.GetFloat32(key);
  (void)m.GetFloat64(key);
  (void)m.GetBool(key);
  (void)m.GetString(key);
  (void)m.GetArray<uint8_t>(key);
  (void)m.GetArray<int8_t>(key);
  (void)m.GetArray<uint16_t>(key);
  (void)m.GetArray<int16_t>(key);
  (void)m.GetArray<uint32_t>(key);
  (void)m.GetArray<int32_t>(key);
  (void)m.GetArray<uint64_t>(key);
  (void)m.GetArray<int64_t>(key);
  (void)m.GetArray<float>(key);
  (void)m.GetArray<double>(key);
  (void)m.GetArray<bool>(key);
  if (auto strings = m.GetStringArray(key); strings.ok()) {
    size_t total = 0;
    for (const std::string& s : **strings) total += s.size();
    (void)total;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = nas::liv::GgufReader::FromBytes(std::span<const uint8_t>(data, size), "fuzz");
  if (!reader.ok()) return 0;
  for (const auto& kv : reader->metadata().entries()) TouchGetters(reader->metadata(), kv.key);
  (void)reader->metadata().GetString("no such key");
  uint64_t checksum = 0;
  for (const auto& t : reader->tensors()) {
    const auto bytes = reader->TensorData(t);
    for (uint8_t b : bytes) checksum += b;  // every byte must be inside the input
    if (t.element_count <= (1u << 16)) {
      auto f32 = reader->TensorToF32(t.name);
      if (!f32.ok() || f32->size() != t.element_count) __builtin_trap();
    }
  }
  (void)reader->TensorData("no such tensor");
  volatile uint64_t sink = checksum;
  (void)sink;
  return 0;
}
