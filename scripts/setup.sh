#!/usr/bin/env bash
# Installs every Debian 12 package detport's build, tests, fuzzers and benchmarks need.
# Idempotent: packages already present are skipped, and `apt-get update` runs at most once.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  protobuf-compiler libprotobuf-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  libopencv-dev libdnnl-dev libonnx-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev libomp-14-dev llvm clang-format
  chromium
)
# npm installs the peer runtimes (ONNX Runtime for Node) the tests and benchmarks compare against;
# a Node.js that already brings npm (e.g. from NodeSource) is kept.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
else
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The peer runtimes from the committed npm lockfile (never fatal: offline, their checks skip).
bash "$(dirname "$0")/setup-peers.sh"
