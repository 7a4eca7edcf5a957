# CMake toolchain file: cross-build for ARM64 Linux (aarch64-linux-gnu) on Debian 12 x86-64.
#
#   cmake -S . -B build-aarch64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#     -DNAS_BUILD_AGENT=OFF -DNAS_BUILD_TESTS=OFF -DNAS_BUILD_BENCHMARKS=OFF
#
# scripts/build_aarch64.sh does exactly this for liv-measure and liv-run. It needs what
# scripts/setup.sh installs: crossbuild-essential-arm64 (the compilers), the arm64 multiarch
# development packages (libprotobuf-dev:arm64, libabsl-dev:arm64, libopenblas-dev:arm64)
# and the amd64 protobuf-compiler, which generates the code (protoc's output does not
# depend on the target; its version equals the arm64 libprotobuf's, as apt keeps the
# Multi-Arch: same packages at one version).
#
# Where things are found. Debian's multiarch layout keeps the target's libraries in the
# host's own root: /usr/lib/aarch64-linux-gnu (libraries and CMake config packages such as
# cmake/absl and cmake/openblas), /usr/include/aarch64-linux-gnu (arch-specific headers),
# with the arch-independent headers and configs (/usr/include, /usr/share/cmake: protobuf's
# headers, CLI11, nlohmann_json) shared with amd64. So the find root is "/" (plus the
# cross libc's /usr/aarch64-linux-gnu), CMAKE_LIBRARY_ARCHITECTURE makes every search use
# the aarch64-linux-gnu subdirectories, and the x86_64-linux-gnu ones are ignored outright
# so that an amd64 library can never be picked (it would fail at link time anyway).
# Programs (protoc) are the host's: find-root mode NEVER for programs.
#
# Android: do not use this file; use the NDK's own toolchain file, with protobuf, absl and
# OpenBLAS built by the same NDK into a prefix: docs/android-ndk.md.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(NAS_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${NAS_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${NAS_CROSS_TRIPLE}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${NAS_CROSS_TRIPLE})
set(PKG_CONFIG_EXECUTABLE ${NAS_CROSS_TRIPLE}-pkg-config)

set(CMAKE_FIND_ROOT_PATH /usr/${NAS_CROSS_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
list(APPEND CMAKE_IGNORE_PATH
  /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/include/x86_64-linux-gnu
  /usr/lib/x86_64-linux-gnu/cmake)

# The host's protoc generates the code (FindProtobuf would otherwise look for it, and the
# generated protobuf::protoc target must not point at an aarch64 binary).
set(Protobuf_PROTOC_EXECUTABLE /usr/bin/protoc CACHE FILEPATH "Host protoc for code generation")
