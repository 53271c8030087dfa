#!/usr/bin/env bash
# Installs the Debian 12 packages ndconv's build, tests and benchmark need,
# and only those that are missing: silent (exit 0) when everything is there.
#
#   scripts/setup.sh            compiler, CMake, xsimd, GoogleTest, Google
#                               Benchmark, oneDNN (benchmark and cross-checks),
#                               the Python module's build and tests (Debian's
#                               python3 with pybind11, numpy, PyTorch, pytest)
#   scripts/setup.sh --cross    also the AArch64 cross compiler and qemu-user,
#                               for the aarch64 preset (tests under qemu)
#   scripts/setup.sh --sanitizers
#                               also clang-14 and its runtimes (libFuzzer,
#                               sanitizers) and GCC's ThreadSanitizer runtime,
#                               for the asan (clang) and tsan presets
#   scripts/setup.sh --check    install nothing: list what is missing, exit 1
#                               if anything is
#
# Runs as root (CI) or through sudo. Uses apt-get only; `apt-get update` runs
# only when something has to be installed.
set -euo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

cross=0
sanitizers=0
check_only=0
for arg in "$@"; do
  case "$arg" in
    --cross) cross=1 ;;
    --sanitizers) sanitizers=1 ;;
    --check) check_only=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

# Debian package names. googletest is the source tree (/usr/src/googletest)
# the cross build compiles GoogleTest from; libgtest-dev is the host build.
# ocl-icd-opencl-dev: Debian's libdnnl-dev only recommends it, but the
# dnnl-config.cmake it ships runs find_package(OpenCL REQUIRED) (the library
# is built with the OpenCL GPU runtime), so configuring fails without it.
# pkg-config: the install check builds a consumer with `pkg-config --libs ndconv`.
# python3-matplotlib: scripts/bench.sh draws the ratio chart with it
# (scripts/plot_bench.py, run with /usr/bin/python3).
# The Python module (python/): pybind11 for /usr/bin/python3, numpy and
# PyTorch (the tests' reference and the tensor kinds it takes), pytest, and
# setuptools + pip for `pip install --no-build-isolation ./python`.
packages=(g++ cmake pkg-config libxsimd-dev libdnnl-dev ocl-icd-opencl-dev libgtest-dev googletest libbenchmark-dev python3-matplotlib
          python3-dev pybind11-dev python3-pybind11 python3-numpy python3-torch python3-pytest
          python3-setuptools python3-pip)
if (( cross )); then
  packages+=(g++-aarch64-linux-gnu qemu-user)
fi
if (( sanitizers )); then
  packages+=(clang-14 libclang-rt-14-dev libtsan2)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup.sh: this is not a Debian-based system (no dpkg-query)." >&2
  echo "setup.sh: install these packages (or their equivalents) by hand: ${packages[*]}" >&2
  exit 1
fi

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == "installed" ]]
}

missing=()
for pkg in "${packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done
(( ${#missing[@]} == 0 )) && exit 0

if (( check_only )); then
  echo "setup.sh: missing packages: ${missing[*]}"
  exit 1
fi

if (( EUID == 0 )); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup.sh: need root to install ${missing[*]}: run as root or install sudo" >&2
  exit 1
fi

# One retry: a mirror hiccup should not fail a whole CI run.
apt() {
  local attempt
  for attempt in 1 2; do
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" && return 0
    echo "setup.sh: apt-get $1 failed (attempt $attempt)" >&2
    sleep 5
  done
  return 1
}

echo "setup.sh: installing ${missing[*]}"
apt update -qq
apt install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# Say it loudly if a package still is not there (renamed, not in the sources).
still_missing=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
if (( ${#still_missing[@]} )); then
  echo "setup.sh: could not install: ${still_missing[*]}" >&2
  exit 1
fi
echo "setup.sh: done"
