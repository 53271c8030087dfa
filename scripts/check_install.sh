#!/usr/bin/env bash
# The install check: ndconv as a user gets it, used as a user's project would.
#
#   static  runs the README's static install steps (the block marked
#           `install:static` in README.md, with a temporary build directory
#           and prefix) and builds, against the installed package:
#             tests/package_consumer      C only: find_package(ndconv), link
#                                         ndconv::ndconv (no C++ enabled)
#             tests/package_consumer_cpp  the C++17 layer ndconv/ndconv.hpp
#             the same main.c with plain  cc $(pkg-config --static --cflags --libs ndconv)
#   shared  the same with the README's shared steps (`install:shared`); the
#           programs must load libndconv.so from the prefix, and the library
#           must export the C API only; pkg-config without --static; its
#           Debian package (cpack -G DEB) must hold libndconv.so.0 and depend
#           on libstdc++6
#   deb     `cpack -G DEB` in the static build: the package must hold the
#           library, the headers, the CMake package and ndconv.pc; as root, it
#           is installed with dpkg -i, the three consumers are built with no
#           path given (as on a Debian system), then it is removed (dpkg -r);
#           otherwise, or if a libndconv-dev is already installed, it is
#           extracted with dpkg-deb -x and the consumers built against that
#
# Every installed package must stand alone: no build-only target
# (ndconv_xsimd, ...) and no path into this source tree.
#
#   scripts/check_install.sh [static|shared|deb ...] [--keep] [-j N]
#
# Default: static shared deb. Exit status 0 only if every check passed. Work
# files go to a temporary directory (kept with --keep, and printed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="$(nproc 2>/dev/null || echo 2)"
keep=0
kinds=()
while (( $# )); do
  case "$1" in
    static|shared|deb) kinds+=("$1") ;;
    --keep) keep=1 ;;
    -j) jobs="$2"; shift ;;
    -j*) jobs="${1#-j}" ;;
    -h|--help) sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check_install.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
(( ${#kinds[@]} )) || kinds=(static shared deb)

work="$(mktemp -d "${TMPDIR:-/tmp}/ndconv-install-check.XXXXXX")"
deb_installed=0   # 1 while our libndconv-dev is installed in the system
cleanup() {
  if (( deb_installed )); then
    echo "check_install: deb: dpkg -r libndconv-dev"
    dpkg -r libndconv-dev >/dev/null 2>&1 || echo "check_install: dpkg -r libndconv-dev FAILED: remove it by hand" >&2
  fi
  if (( keep )); then echo "check_install: work directory $work (kept)"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=0
kind=""
fail() { echo "check_install: FAIL ($kind): $*" >&2; failures=$((failures + 1)); }
quiet() {  # run a command; show its output only if it fails
  local log="$work/last.log"
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; return 1; fi
}

# The README's install commands for one kind, with its build directory and
# prefix replaced by temporary ones and the build parallelism by -j $jobs.
readme_steps() {
  local which="$1" build="$2" prefix="$3"
  awk -v tag="<!-- install:$which -->" '
    $0 == tag { armed = 1; next }
    armed && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$root/README.md" \
  | sed -e "s#build/lib-$which#$build#g" -e "s#/opt/ndconv-$which#$prefix#g" -e "s#-j2#-j$jobs#g"
}

# The package must stand alone: nothing build-only, no path into this tree.
check_package_files() {
  local prefix="$1" config_dir leaked
  config_dir="$(dirname "$(find "$prefix" -name ndconvConfig.cmake -print -quit)")"
  [[ -f "$config_dir/ndconvTargets.cmake" ]] || { fail "no ndconvTargets.cmake installed"; return 1; }
  leaked="$(grep -lE 'ndconv_xsimd|ndconv_objects|ndconv_internal' "$config_dir"/*.cmake || true)"
  [[ -z "$leaked" ]] || fail "exported package names a build-only target: $leaked"
  leaked="$(grep -lF "$root" "$config_dir"/*.cmake "$(find "$prefix" -name ndconv.pc -print -quit)" || true)"
  [[ -z "$leaked" ]] || fail "installed package refers to the source tree $root: $leaked"
  [[ -f "$(find "$prefix" -path '*/include/ndconv/ndconv.h' -print -quit)" ]] || fail "include/ndconv/ndconv.h not installed"
  [[ -f "$(find "$prefix" -path '*/include/ndconv/ndconv.hpp' -print -quit)" ]] || fail "include/ndconv/ndconv.hpp not installed"
  [[ -n "$(find "$prefix" -path '*/pkgconfig/ndconv.pc' -print -quit)" ]] || fail "pkgconfig/ndconv.pc not installed"
}

# check_consumers LABEL LINKAGE [CMAKE_PREFIX_PATH [PC_DIR [PREFIX_ROOT]]]:
# builds and runs the C, C++ and pkg-config consumers. LINKAGE is static or
# shared; with no CMAKE_PREFIX_PATH / PC_DIR the system's defaults are used;
# PREFIX_ROOT: where the .pc's prefix really is (an extracted package).
check_consumers() {
  local label="$1" linkage="$2" prefix_path="${3:-}" pc_dir="${4:-}" pc_root="${5:-}"
  local dir="$work/$label" cmake_args=() name
  [[ -n "$prefix_path" ]] && cmake_args+=(-DCMAKE_PREFIX_PATH="$prefix_path")
  for name in package_consumer package_consumer_cpp; do
    echo "check_install: $label: build tests/$name (find_package) against the package"
    quiet cmake -S "$root/tests/$name" -B "$dir/$name" -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" \
      || { fail "$name configure (find_package)"; continue; }
    quiet cmake --build "$dir/$name" -j "$jobs" || { fail "$name build/link"; continue; }
    check_binary "$dir/$name/$name" "$linkage" "$prefix_path"
  done

  # pkg-config, as a Makefile would use it: one cc line, no CMake.
  local pc=(pkg-config) flags
  command -v pkg-config >/dev/null || { fail "pkg-config missing (scripts/setup.sh installs it)"; return; }
  [[ "$linkage" == static ]] && pc+=(--static)
  [[ -n "$pc_root" ]] && pc+=(--define-variable=prefix="$pc_root")
  echo "check_install: $label: cc main.c \$(${pc[*]} --cflags --libs ndconv)"
  if ! flags="$(PKG_CONFIG_PATH="$pc_dir" "${pc[@]}" --cflags --libs ndconv 2>&1)"; then
    fail "pkg-config does not find ndconv: $flags"
    return
  fi
  echo "check_install: $label: pkg-config gives: $flags"
  # shellcheck disable=SC2086  # the flags are meant to split
  quiet cc -std=c11 -O2 -Wall -Werror -o "$dir/pc_consumer" "$root/tests/package_consumer/main.c" $flags \
    || { fail "cc with pkg-config's flags"; return; }
  check_binary "$dir/pc_consumer" "$linkage" "$prefix_path" env
}

# check_binary EXE LINKAGE PREFIX [ENV]: runs a consumer; checks how it links
# libndconv: not at all (static), or from PREFIX's library directory (shared;
# with ENV, through LD_LIBRARY_PATH, as a pkg-config build has no RPATH).
check_binary() {
  local exe="$1" linkage="$2" prefix="$3" use_env="${4:-}" deps libdir="" env_dir=""
  if [[ "$linkage" == shared && -n "$prefix" ]]; then
    libdir="$(dirname "$(find "$prefix" -name 'libndconv.so.*' -type f -print -quit)")"
    [[ -n "$use_env" ]] && env_dir="$libdir"
  fi
  # (captured first: grep -q closing the pipe early would fail ldd under pipefail)
  deps="$(LD_LIBRARY_PATH="$env_dir" ldd "$exe")"
  if [[ "$linkage" == static ]]; then
    ! grep -q 'libndconv' <<<"$deps" || fail "$(basename "$exe") links a shared libndconv: $(grep libndconv <<<"$deps")"
  elif [[ -n "$libdir" ]]; then
    grep -qF "$libdir/libndconv.so" <<<"$deps" \
      || fail "$(basename "$exe") does not load libndconv.so from $libdir: $(grep ndconv <<<"$deps")"
  fi
  LD_LIBRARY_PATH="$env_dir" "$exe" >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; fail "$(basename "$exe") run"; return; }
  echo "check_install: $kind: $(basename "$exe"): $(tail -n 1 "$work/run.log")"
}

check_static_or_shared() {
  local build="$work/$kind/build" prefix="$work/$kind/prefix" steps
  steps="$(readme_steps "$kind" "$build" "$prefix")"
  if [[ -z "$steps" ]]; then fail "README.md has no <!-- install:$kind --> block"; return; fi
  echo "check_install: $kind: the README's install steps, into $prefix:"
  sed 's/^/    /' <<<"$steps"
  (cd "$root" && quiet bash -euo pipefail -c "$steps") || { fail "the README's install steps"; return; }

  check_package_files "$prefix" || return
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
  local pc_dir
  pc_dir="$(dirname "$(find "$prefix" -name ndconv.pc -print -quit)")"
  local pc_prefix
  pc_prefix="$(PKG_CONFIG_PATH="$pc_dir" pkg-config --variable=prefix ndconv)"
  [[ "$pc_prefix" == "$prefix" ]] || fail "ndconv.pc says prefix=$pc_prefix, installed into $prefix"
  check_consumers "$kind" "$kind" "$prefix" "$pc_dir"

  if [[ "$kind" == shared ]] && command -v dpkg-deb >/dev/null; then
    # The shared build's Debian package too (the deb check installs the
    # static one): the library and its run-time dependencies.
    local deb depends
    (cd "$build" && quiet cpack -G DEB) || { fail "cpack -G DEB"; return; }
    deb="$(find "$build" -maxdepth 1 -name 'libndconv-dev_*.deb' -print -quit)"
    grep -q 'libndconv\.so\.0' <<<"$(dpkg-deb -c "$deb")" || fail "$(basename "$deb") lacks libndconv.so.0"
    depends="$(dpkg-deb -f "$deb" Depends)"
    [[ "$depends" == *libstdc++6* ]] || fail "$(basename "$deb") does not depend on libstdc++6: $depends"
    echo "check_install: $kind: cpack -G DEB: $(basename "$deb"), Depends: $depends"
  fi
}

check_deb() {
  local build="$work/static/build"
  if [[ ! -f "$build/CPackConfig.cmake" ]]; then
    build="$work/deb/build"
    echo "check_install: deb: configure + build a static ndconv in $build"
    quiet cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
        -DNDCONV_BUILD_TESTS=OFF -DNDCONV_BUILD_BENCH=OFF -DNDCONV_BUILD_EXAMPLES=OFF -DNDCONV_PYTHON=OFF \
      || { fail "configure"; return; }
    quiet cmake --build "$build" -j "$jobs" || { fail "build"; return; }
  fi
  command -v dpkg-deb >/dev/null || { fail "dpkg-deb missing: not a Debian system?"; return; }
  echo "check_install: deb: cpack -G DEB"
  (cd "$build" && quiet cpack -G DEB) || { fail "cpack -G DEB"; return; }
  local deb
  deb="$(find "$build" -maxdepth 1 -name 'libndconv-dev_*.deb' -print -quit)"
  [[ -n "$deb" ]] || { fail "cpack made no libndconv-dev_*.deb"; return; }
  local contents file
  contents="$(dpkg-deb -c "$deb")"
  for file in /usr/include/ndconv/ndconv.h /usr/include/ndconv/ndconv.hpp /libndconv.a \
              /cmake/ndconv/ndconvConfig.cmake /cmake/ndconv/ndconvTargets.cmake /pkgconfig/ndconv.pc; do
    grep -qF "$file" <<<"$contents" || fail "$(basename "$deb") lacks $file"
  done
  echo "check_install: deb: $(basename "$deb"): $(grep -c '^-' <<<"$contents") files;" \
       "$(dpkg-deb -f "$deb" Package Version Architecture Depends | tr '\n' ' ')"

  # The package's own files, extracted: the same checks as an install.
  local sysroot="$work/deb/root"
  mkdir -p "$sysroot"
  quiet dpkg-deb -x "$deb" "$sysroot" || { fail "dpkg-deb -x"; return; }
  check_package_files "$sysroot/usr" || return

  local installed_before
  installed_before="$(dpkg-query -W -f='${Status}' libndconv-dev 2>/dev/null || true)"
  if [[ "$(id -u)" != 0 || "$installed_before" == *"ok installed"* ]] || ! command -v dpkg >/dev/null; then
    if [[ "$installed_before" == *"ok installed"* ]]; then
      echo "check_install: deb: a libndconv-dev is already installed here: not touching it; using the extracted package"
    else
      echo "check_install: deb: not root: using the extracted package instead of installing it"
    fi
    check_consumers deb static "$sysroot/usr" "$(dirname "$(find "$sysroot" -name ndconv.pc -print -quit)")" "$sysroot/usr"
    return
  fi

  # Installed for real, as a Debian user would. One install check at a time
  # on this machine (flock), and dpkg's own lock may be held by apt for a while.
  exec 9>"${TMPDIR:-/tmp}/ndconv-check-install-deb.lock"
  flock -w 900 9 || { fail "another install check held the package lock for 15 min"; return; }
  local tries=0
  until quiet dpkg -i "$deb"; do
    tries=$((tries + 1))
    (( tries < 30 )) || { fail "dpkg -i $(basename "$deb")"; exec 9>&-; return; }
    echo "check_install: deb: dpkg -i failed (dpkg locked by apt?); retrying in 10 s"
    sleep 10
  done
  deb_installed=1
  echo "check_install: deb: dpkg -i $(basename "$deb"): installed into /usr"
  local missing
  missing="$(dpkg -L libndconv-dev | while read -r f; do [[ -e "$f" ]] || echo "$f"; done)"
  [[ -z "$missing" ]] || fail "dpkg -L lists files that are not there: $missing"
  # No CMAKE_PREFIX_PATH, no PKG_CONFIG_PATH: found where Debian looks.
  check_consumers deb static "" ""
  if quiet dpkg -r libndconv-dev; then
    deb_installed=0
    echo "check_install: deb: dpkg -r libndconv-dev: removed"
    [[ ! -e /usr/include/ndconv/ndconv.h ]] || fail "dpkg -r left /usr/include/ndconv/ndconv.h"
  else
    fail "dpkg -r libndconv-dev"
  fi
  exec 9>&-
}

for kind in "${kinds[@]}"; do
  start=$SECONDS
  case "$kind" in
    static|shared) check_static_or_shared ;;
    deb) check_deb ;;
  esac
  echo "check_install: $kind: done in $((SECONDS - start)) s"
done

if (( failures )); then
  echo "check_install: FAILED ($failures problem(s))"
  exit 1
fi
echo "check_install: OK (${kinds[*]})"
