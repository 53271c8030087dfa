#!/usr/bin/env bash
# Installs ndconv, static and then shared, into a temporary prefix and builds
# and runs tests/package_consumer (an outside CMake project that does
# find_package(ndconv CONFIG REQUIRED) and links ndconv::ndconv) against it.
# Also checks that the installed package refers to nothing outside itself
# (no build-only target such as ndconv_xsimd, no path into this source tree)
# and that the shared library exports the C API only.
#
#   scripts/check_install.sh [static|shared ...] [--keep] [-j N]
#
# Exit status 0 only if every check passed. Work files go to a temporary
# directory (kept with --keep, and printed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="$(nproc 2>/dev/null || echo 2)"
keep=0
kinds=()
while (( $# )); do
  case "$1" in
    static|shared) kinds+=("$1") ;;
    --keep) keep=1 ;;
    -j) jobs="$2"; shift ;;
    -j*) jobs="${1#-j}" ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check_install.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
(( ${#kinds[@]} )) || kinds=(static shared)

work="$(mktemp -d "${TMPDIR:-/tmp}/ndconv-install-check.XXXXXX")"
if (( keep )); then
  echo "check_install: work directory $work (kept)"
else
  trap 'rm -rf "$work"' EXIT
fi

failures=0
fail() { echo "check_install: FAIL ($kind): $*" >&2; failures=$((failures + 1)); }
quiet() {  # run a command; show its output only if it fails
  local log="$work/last.log"
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; return 1; fi
}

check_kind() {
  local kind="$1" shared_flag=OFF
  [[ "$kind" == shared ]] && shared_flag=ON
  local build="$work/$kind/build" prefix="$work/$kind/prefix" consumer="$work/$kind/consumer"

  echo "check_install: $kind: build and install ndconv into $prefix"
  quiet cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_SHARED_LIBS="$shared_flag" -DCMAKE_INSTALL_PREFIX="$prefix" \
      -DNDCONV_BUILD_TESTS=OFF -DNDCONV_BUILD_BENCH=OFF -DNDCONV_BUILD_EXAMPLES=OFF \
    || { fail "configure"; return; }
  quiet cmake --build "$build" -j "$jobs" || { fail "build"; return; }
  quiet cmake --install "$build" || { fail "install"; return; }

  # The exported package must stand alone: nothing build-only or internal,
  # and no path back into the source or build tree.
  local config_dir
  config_dir="$(dirname "$(find "$prefix" -name ndconvConfig.cmake -print -quit)")"
  [[ -f "$config_dir/ndconvTargets.cmake" ]] || { fail "no ndconvTargets.cmake installed"; return; }
  local leaked
  leaked="$(grep -lE 'ndconv_xsimd|ndconv_objects|ndconv_internal' "$config_dir"/*.cmake || true)"
  [[ -z "$leaked" ]] || fail "exported package names a build-only target: $leaked"
  leaked="$(grep -lF "$root" "$config_dir"/*.cmake || true)"
  [[ -z "$leaked" ]] || fail "exported package refers to the source tree $root: $leaked"
  [[ -f "$prefix/include/ndconv/ndconv.h" ]] || fail "include/ndconv/ndconv.h not installed"

  if [[ "$kind" == shared ]]; then
    # Hidden visibility: the dynamic symbol table holds the C API and nothing
    # else (a leaked C++ symbol could clash with another copy in the process).
    local lib foreign
    lib="$(find "$prefix" -name 'libndconv.so.*' -type f -print -quit)"
    if [[ -z "$lib" ]]; then
      fail "libndconv.so not installed"
    else
      foreign="$(nm -D --defined-only "$lib" | awk 'NF == 3 { print $3 }' | grep -v '^ndconv_' || true)"
      [[ -z "$foreign" ]] || fail "libndconv.so exports symbols outside the C API: $(echo $foreign | head -c 600)"
      echo "check_install: $kind: $(nm -D --defined-only "$lib" | grep -c ' ndconv_') C API symbols exported"
    fi
  fi

  echo "check_install: $kind: build tests/package_consumer against the installed package"
  quiet cmake -S "$root/tests/package_consumer" -B "$consumer" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$prefix" || { fail "consumer configure (find_package)"; return; }
  quiet cmake --build "$consumer" -j "$jobs" || { fail "consumer build/link"; return; }
  if [[ "$kind" == shared ]]; then
    # Really linked to the installed shared library, not some other copy.
    # (captured first: grep -q closing the pipe early would fail ldd under pipefail)
    local deps
    deps="$(ldd "$consumer/package_consumer")"
    grep -qF "$prefix/" <<<"$deps" \
      || fail "consumer does not load libndconv.so from $prefix: $(ldd "$consumer/package_consumer" | grep ndconv)"
  fi
  "$consumer/package_consumer" || fail "consumer run"
}

for kind in "${kinds[@]}"; do
  check_kind "$kind"
done

if (( failures )); then
  echo "check_install: FAILED ($failures problem(s))"
  exit 1
fi
echo "check_install: OK (${kinds[*]})"
