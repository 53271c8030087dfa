#!/usr/bin/env bash
# ndconv's main job: the benchmark report against oneDNN.
#
# PLACEHOLDER until the benchmark lands (issue 4; its helper replaces this
# file): installs what is missing, builds the release preset's ndconv_info and
# prints what ndconv detects on this machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="$(nproc 2>/dev/null || echo 2)"

scripts/setup.sh
log="$root/build/bench-build.log"
mkdir -p "$root/build"
if ! { cmake --preset release && cmake --build --preset release -j "$jobs" --target ndconv_info; } >"$log" 2>&1; then
  cat "$log"
  echo "bench.sh: build failed (log: $log)" >&2
  exit 1
fi
build/release/examples/ndconv_info
echo
echo "bench.sh: the ndconv vs oneDNN benchmark is not written yet; this placeholder only reports the ISA."
