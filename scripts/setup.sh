#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run.
# Idempotent: safe to run again; run as root (or through sudo) on Debian 12.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # schemas, services and errors-as-values
  protobuf-compiler libprotobuf-dev libabsl-dev libgrpc++-dev protobuf-compiler-grpc
  # command lines, JSON output
  libcli11-dev nlohmann-json3-dev
  # f32 GEMM for prefill
  libopenblas-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: must run as root (try: sudo $0)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
