#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run, including the
# ARM64 cross toolchain, the arm64 libraries liv-measure links against and qemu-user (the
# test suite runs an aarch64 liv-measure under qemu-aarch64: scripts/build_aarch64.sh).
# Idempotent: safe to run again; run as root (or through sudo) on Debian 12 x86-64.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # test certificates for the agent's TLS test
  openssl
  # schemas, services and errors-as-values
  protobuf-compiler libprotobuf-dev libabsl-dev libgrpc++-dev protobuf-compiler-grpc
  # command lines, JSON output
  libcli11-dev nlohmann-json3-dev
  # f32 GEMM for prefill
  libopenblas-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the campaign store
  libsqlite3-dev
  # the evaluator's trainer (libtorch; it runs its BLAS calls on the OpenBLAS above, which
  # the alternatives system makes libblas.so.3 — the reference BLAS is ~15x slower)
  libtorch-dev
  # the HTML report's browser test (headless; Debian's build, no downloaded browser)
  chromium
)
# The report's front-end libraries come from the npm registry (scripts/web_deps.sh). A
# machine that already has Node.js with npm (e.g. NodeSource's nodejs, which bundles npm)
# keeps it: Debian's npm package would conflict with that nodejs.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

# ARM64: the cross compiler, the emulator and the arm64 (multiarch) development packages of
# liv-measure's libraries. They install side by side with the amd64 ones (Multi-Arch: same;
# apt keeps both at one version). The amd64 protobuf-compiler above stays the code
# generator; CLI11 and nlohmann_json are header-only (Architecture: all) and serve both.
# qemu-user provides /usr/bin/qemu-aarch64 (qemu-user-static only qemu-aarch64-static);
# its recommended binfmt registration is not needed: the tests call qemu-aarch64 directly.
foreign_arch=arm64
packages+=(
  crossbuild-essential-arm64 qemu-user
  libprotobuf-dev:arm64 libabsl-dev:arm64 libopenblas-dev:arm64
)

if [ "$(id -u)" -ne 0 ]; then
  echo "setup.sh: must run as root (try: sudo $0)" >&2
  exit 1
fi

native_arch=$(dpkg --print-architecture)

# True when package NAME[:ARCH] is installed for ARCH (default: the native architecture; an
# Architecture: all package counts for any). An unqualified dpkg-query would also accept
# the arm64 instance of a Multi-Arch: same package for the amd64 one, hence the check.
installed() {
  local name=${1%%:*} arch=${1#*:}
  [ "$arch" = "$1" ] && arch=$native_arch
  local status  # captured first: with pipefail, grep -q could SIGPIPE dpkg-query
  status=$(dpkg-query -W -f='${Status} ${Architecture}\n' "$name" 2>/dev/null) || return 1
  grep -qE "^install ok installed (${arch}|all)\$" <<<"$status"
}

if ! dpkg --print-foreign-architectures | grep -qx "$foreign_arch"; then
  echo "setup.sh: adding the foreign architecture $foreign_arch"
  dpkg --add-architecture "$foreign_arch"  # its packages are now missing: apt-get update below
fi

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#packages[@]} packages already installed"
else
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"

  # Fail here, not in a cryptic build step, if a package did not provide what we rely on.
  for p in "${packages[@]}"; do
    installed "$p" || { echo "setup.sh: $p is still not installed" >&2; exit 1; }
  done
fi

# libtorch calls the BLAS through libblas.so.3: make sure that is OpenBLAS, not the
# reference BLAS another package may have selected.
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
openblas_blas=/usr/lib/$multiarch/openblas-pthread/libblas.so.3
if [ "$(readlink -f "/usr/lib/$multiarch/libblas.so.3")" != "$(readlink -f "$openblas_blas")" ]; then
  echo "setup.sh: selecting OpenBLAS as libblas.so.3"
  update-alternatives --set "libblas.so.3-$multiarch" "$openblas_blas"
fi
