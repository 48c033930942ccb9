#!/usr/bin/env bash
# Installs every Debian 12 package flowlet's build, tests and tools need. Idempotent; run as root.
set -euo pipefail

packages=(
  bazel-bootstrap bazel-platforms bazel-rules-java  # Bazel 4.2.3 and the repositories it needs
  g++ clang-format                                  # compiler, formatter
  clang libclang-rt-14-dev                          # libFuzzer builds (tools/run_fuzzers.sh)
  libdnnl-dev                                       # oneDNN 2.6
  libprotobuf-dev protobuf-compiler                 # Protocol Buffers
  libabsl-dev                                       # Abseil
  libgtest-dev libbenchmark-dev                     # tests and benchmarks
  libpng-dev zlib1g-dev                             # PNG output of the demo, .npz
  python3                                           # CI's test-case count
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
