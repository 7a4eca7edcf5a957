#!/usr/bin/env bash
# Configures and builds the project into build/ (Release, Ninja). Extra arguments go to
# cmake's configure step, e.g. scripts/build.sh -DNAS_BUILD_BENCHMARKS=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/web_deps.sh  # the report's front-end libraries, inlined by the build
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j"$(nproc)"
