// gguf-fuzz-seeds DIR: writes the seed corpus of gguf-fuzz with GgufWriter: an empty file,
// one key of every metadata type, one tensor of every supported type (1-D..4-D), and a
// non-default alignment, each small enough for -max_len=65536.

#include <cstdio>
#include <string>
#include <vector>

#include "liv/formats/gguf_writer.h"

namespace {

using nas::liv::GgmlType;
using nas::liv::GgufArray;
using nas::liv::GgufWriter;

template <typename T>
GgufArray Array(std::vector<T> v) {
  GgufArray a;
  a.elements = std::move(v);
  return a;
}

std::vector<uint8_t> Bytes(size_t n) {
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(i * 37 + 11);
  return out;
}

bool Write(const GgufWriter& w, const std::string& path) {
  auto status = w.WriteFile(path);
  if (!status.ok()) std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
  return status.ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: gguf-fuzz-seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  bool ok = Write(GgufWriter(), dir + "/empty.gguf");

  GgufWriter meta;
  (void)meta.AddMetadata("general.architecture", std::string("lfm2"));
  (void)meta.AddMetadata("u8", uint8_t{1});
  (void)meta.AddMetadata("i8", int8_t{-1});
  (void)meta.AddMetadata("u16", uint16_t{2});
  (void)meta.AddMetadata("i16", int16_t{-2});
  (void)meta.AddMetadata("u32", uint32_t{3});
  (void)meta.AddMetadata("i32", int32_t{-3});
  (void)meta.AddMetadata("f32", 0.5f);
  (void)meta.AddMetadata("bool", true);
  (void)meta.AddMetadata("u64", uint64_t{4});
  (void)meta.AddMetadata("i64", int64_t{-4});
  (void)meta.AddMetadata("f64", 0.25);
  (void)meta.AddMetadata("arr.u8", Array<uint8_t>({1, 2}));
  (void)meta.AddMetadata("arr.i16", Array<int16_t>({-1, 2}));
  (void)meta.AddMetadata("arr.i32", Array<int32_t>({0, 8, 0}));
  (void)meta.AddMetadata("arr.f32", Array<float>({1.0f}));
  (void)meta.AddMetadata("arr.bool", Array<bool>({true, false}));
  (void)meta.AddMetadata("arr.str", Array<std::string>({"a", "", "bc"}));
  (void)meta.AddMetadata("arr.u64", Array<uint64_t>({}));
  (void)meta.AddMetadata("arr.f64", Array<double>({2.0}));
  ok = ok && Write(meta, dir + "/metadata.gguf");

  GgufWriter tensors;
  (void)tensors.AddMetadata("general.alignment", uint32_t{64});
  (void)tensors.AddTensor("f32", GgmlType::kF32, {7}, Bytes(28));
  (void)tensors.AddTensor("f16", GgmlType::kF16, {5, 3}, Bytes(30));
  (void)tensors.AddTensor("bf16", GgmlType::kBF16, {2, 3, 4}, Bytes(48));
  (void)tensors.AddTensor("q8_0", GgmlType::kQ8_0, {32, 2, 1, 3}, Bytes(6 * 34));
  (void)tensors.AddTensor("q4_0", GgmlType::kQ4_0, {64, 2}, Bytes(4 * 18));
  (void)tensors.AddTensor("q4_k", GgmlType::kQ4_K, {256, 2}, Bytes(2 * 144));
  (void)tensors.AddTensor("q6_k", GgmlType::kQ6_K, {256}, Bytes(210));
  ok = ok && Write(tensors, dir + "/tensors.gguf");

  GgufWriter tiny;
  (void)tiny.AddMetadata("k", uint32_t{7});
  (void)tiny.AddTensor("t", GgmlType::kF32, {4}, Bytes(16));
  ok = ok && Write(tiny, dir + "/tiny.gguf");
  return ok ? 0 : 1;
}
