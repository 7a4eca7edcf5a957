#!/usr/bin/env bash
# Cross-builds liv-measure, liv-run and liv-quant-tests (the liv/quant tests alone, GoogleTest
# built from Debian's libgtest-dev sources) for ARM64 Linux into build-aarch64/ (Release,
# Ninja, toolchain cmake/aarch64-linux-gnu.cmake; no gRPC agent, other tests or benchmarks),
# checks that the results are aarch64 executables that start under qemu-aarch64, and prints
# the absolute path of liv-measure as the last line (the main build's qemu tests find the
# others beside it). Extra arguments go to cmake's configure step. Needs the packages of
# scripts/setup.sh (run it first, as root).
#
# Linking: dynamic, against Debian's arm64 multiarch packages. Installing them brings
# libc6:arm64, which puts the aarch64 dynamic loader at /lib/ld-linux-aarch64.so.1 and the
# libraries in /{usr/,}lib/aarch64-linux-gnu: exactly where an aarch64 binary looks for
# them. So `qemu-aarch64 build-aarch64/liv/liv-measure ...` runs as is, with no `-L` or
# QEMU_LD_PREFIX (those would point at /usr/aarch64-linux-gnu, the cross libc alone, which
# lacks protobuf, absl and OpenBLAS), and the same binary runs natively on an arm64
# Debian 12 with those libraries. A fully static binary (for a phone) is the NDK's job:
# see docs/android-ndk.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-aarch64

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
  -DNAS_BUILD_AGENT=OFF -DNAS_BUILD_TESTS=OFF -DNAS_BUILD_BENCHMARKS=OFF \
  -DNAS_BUILD_LIV_QUANT_TESTS=ON "$@" >&2
cmake --build "$build_dir" -j"$(nproc)" --target liv-measure liv-run liv-quant-tests >&2

binary="$PWD/$build_dir/liv/liv-measure"
for b in "$binary" "$PWD/$build_dir/liv/liv-run" "$PWD/$build_dir/liv/liv-quant-tests"; do
  machine=$(readelf -h "$b" | sed -n 's/^ *Machine: *//p')
  if [ "$machine" != "AArch64" ]; then
    echo "build_aarch64.sh: $b is built for '$machine', not AArch64" >&2
    exit 1
  fi
  # Fails here, not in the test suite, when the loader or a shared library is missing.
  if ! qemu-aarch64 "$b" --help >/dev/null; then
    echo "build_aarch64.sh: $b does not start under qemu-aarch64" >&2
    exit 1
  fi
done
echo "$binary"
