#!/usr/bin/env bash
# The README's main job: install the dependencies, build ndconv in Release and
# print the ndconv-vs-oneDNN table for the default suite (bench/shapes.tsv).
#
#   scripts/bench.sh                      # single thread, the default suite
#   scripts/bench.sh --threads=2          # any ndconv_bench flag passes through
#   scripts/bench.sh --shapes=bench/smoke_shapes.tsv --benchmark_min_time=0.01
#
# Builds with the `release` CMake preset (build/release/) when the repository
# has CMakePresets.json, else in build/. Environment: BUILD_DIR overrides the
# build directory, JOBS the parallel jobs (default: number of cores).
# Progress goes to stderr; the markdown table alone goes to stdout, so
# `scripts/bench.sh > table.md` keeps just the table. The rows also go to
# $build_dir/bench/results.json, drawn as a chart of the ndconv/oneDNN ratio
# per shape and layout in $build_dir/bench/ratio.png (scripts/plot_bench.py,
# with Debian's matplotlib: /usr/bin/python3, not a pyenv python3 on PATH).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ -z "${BUILD_DIR:-}" && -f CMakePresets.json ]] && grep -q '"name": "release"' CMakePresets.json; then
  use_preset=1; build_dir=build/release
else
  use_preset=0; build_dir="${BUILD_DIR:-build}"
fi
jobs="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

step() { printf '\n==> %s\n' "$*" >&2; }

if [[ -f scripts/setup.sh ]]; then
  step "Installing dependencies (scripts/setup.sh)"
  bash scripts/setup.sh >&2
else
  step "Checking dependencies"
  missing=()
  command -v cmake >/dev/null || missing+=("cmake")
  command -v c++ >/dev/null || command -v g++ >/dev/null || missing+=("g++")
  [[ -f /usr/include/xsimd/xsimd.hpp ]] || missing+=("libxsimd-dev")
  [[ -f /usr/include/benchmark/benchmark.h ]] || missing+=("libbenchmark-dev")
  if ((${#missing[@]})); then
    echo "missing: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  if [[ ! -f /usr/include/oneapi/dnnl/dnnl.hpp ]]; then
    echo "note: oneDNN (libdnnl-dev) not found: the table will show ndconv alone" >&2
  fi
  echo "ok" >&2
fi

step "Configuring (Release) in $build_dir/"
if ((use_preset)); then
  cmake --preset release >&2
else
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >&2
fi

step "Building ndconv_bench (-j$jobs)"
cmake --build "$build_dir" -j "$jobs" --target ndconv_bench >&2

json="$build_dir/bench/results.json"
chart="$build_dir/bench/ratio.png"
step "Running $build_dir/bench/ndconv_bench --report --json=$json $* (progress below, table at the end)"
rm -f "$json"  # never draw a previous run's rows
status=0
"$build_dir/bench/ndconv_bench" --report --json="$json" "$@" || status=$?

if [[ -s "$json" ]]; then
  step "Drawing $chart"
  if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
    /usr/bin/python3 scripts/plot_bench.py "$json" "$chart" >&2 || echo "chart failed (the table above stands)" >&2
  else
    echo "no chart: /usr/bin/python3 lacks matplotlib (apt-get install python3-matplotlib)" >&2
  fi
fi
exit "$status"
