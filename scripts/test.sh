#!/usr/bin/env bash
# ndconv's test command (the README's, and what CI runs through .ci/run).
#
#   scripts/test.sh [--all] [--quick] [STAGE ...] [--no-setup] [-j N]
#
# Stages (all of them by default, or with --all; --quick = release isa):
#   --release   configure + build the `release` preset, run ctest
#   --isa       rerun that suite under NDCONV_ISA=<isa> for every ISA this CPU
#               has (asks build/release/examples/ndconv_info, cross-checked
#               against /proc/cpuinfo), less the tests that force each ISA
#               themselves (they ran under every one in --release)
#   --asan      the `asan` preset (clang-14, AddressSanitizer + UBSan): build
#               the tests and the fuzz targets, ctest
#   --aarch64   the `aarch64` cross build: build, ctest under qemu-aarch64,
#               NEON must be the dispatched ISA
#   --install   scripts/check_install.sh: the README's static and shared
#               install steps, C-only, C++ and pkg-config consumers against
#               each, then the Debian package (cpack -G DEB; dpkg -i as root,
#               the consumers again, dpkg -r)
#   --bench     the benchmark's smoke run (a --report table of three tiny
#               shapes, each checked against oneDNN), if the benchmark is built
#   --fuzz      the fuzz targets of the `asan` build (clang-14, libFuzzer,
#               ASan + UBSan; built there unless the asan stage did): check
#               the committed seed corpus is current, then run each fuzz
#               target for a bounded time (NDCONV_FUZZ_SECONDS, default 30)
#   --tsan      the `tsan` preset (ThreadSanitizer): build only the tests it
#               needs, run the stress test (NDCONV_STRESS_SECONDS, default
#               10) and the thread pool and concurrency tests
# Before the stages, scripts/setup.sh installs missing packages (skip with
# --no-setup). Build logs and ctest outputs go to build/test-logs/. Times on
# 2 cores, from a clean build/: README.md, "Tests" (all: about 35 min;
# --quick: about 6 min).
# Exit status 0 only if every selected stage passed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
log_dir="$root/build/test-logs"
jobs="$(nproc 2>/dev/null || echo 2)"
all_stages=(release isa asan aarch64 install bench fuzz tsan)
stages=()
run_setup=1

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; }
while (( $# )); do
  case "$1" in
    --all) stages=("${all_stages[@]}") ;;
    --quick) stages+=(release isa) ;;
    --release|--isa|--asan|--aarch64|--install|--bench|--fuzz|--tsan) stages+=("${1#--}") ;;
    --no-setup) run_setup=0 ;;
    -j) jobs="${2:?-j needs a number}"; shift ;;
    -j*) jobs="${1#-j}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "test.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
(( ${#stages[@]} )) || stages=("${all_stages[@]}")
selected() { local s; for s in "${stages[@]}"; do [[ "$s" == "$1" ]] && return 0; done; return 1; }
# The ISA reruns and the bench smoke run use the release build.
if selected isa || selected bench; then selected release || stages=(release "${stages[@]}"); fi

if [[ -n "${NDCONV_ISA:-}" ]]; then
  echo "test.sh: ignoring NDCONV_ISA=$NDCONV_ISA from the environment (the isa stage sets it per run)"
  unset NDCONV_ISA
fi
mkdir -p "$log_dir"

# ---------------------------------------------------------------- bookkeeping
tests_passed=0
tests_failed=0
stage_names=()
stage_results=()
stage_seconds=()

# Adds a ctest log's "N% tests passed, F tests failed out of T" to the totals;
# a ctest that ended without that line (crash, no tests) counts as one failure.
count_ctest() {
  local line total failed
  line="$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -n 1)"
  if [[ -z "$line" ]]; then
    tests_failed=$((tests_failed + 1))
    return
  fi
  failed="$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")"
  total="$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")"
  tests_passed=$((tests_passed + total - failed))
  tests_failed=$((tests_failed + failed))
}

# Debian's libbenchmark prints "***WARNING*** Library was built as DEBUG" in
# the benchmark binaries' console output: said once, when a shown log has it.
benchmark_note_said=0
debian_benchmark_note() {
  if (( ! benchmark_note_said )) && grep -q 'Library was built as DEBUG' "$1"; then
    echo "test.sh: note: \"Library was built as DEBUG\" is about Debian's build of Google" \
         "Benchmark (libbenchmark-dev), not ndconv's (Release) or oneDNN's: harmless"
    benchmark_note_said=1
  fi
}

# run_ctest LABEL [VAR=value ...] -- CTEST_ARGS...: full output when something
# failed, otherwise ctest's closing summary (the full output is in the log).
run_ctest() {
  local label="$1"; shift
  local env_vars=()
  while [[ "$1" != "--" ]]; do env_vars+=("$1"); shift; done
  shift
  local log="$log_dir/ctest-$label.log" rc
  env "${env_vars[@]}" ctest "$@" -j "$jobs" >"$log" 2>&1
  rc=$?
  count_ctest "$log"
  if (( rc != 0 )); then
    cat "$log"
    debian_benchmark_note "$log"
    echo "test.sh: ctest ($label${env_vars[*]:+, ${env_vars[*]}}) FAILED; log: $log"
  else
    sed -n '/tests passed, /,$p' "$log"
  fi
  return "$rc"
}

# Configures and builds a preset; the output goes to a log, shown on failure.
# Compiler warnings are always shown (the build should have none).
# build_preset BUILD_PRESET [CONFIGURE_PRESET] (the same name by default).
build_preset() {
  local preset="$1" configure="${2:-$1}" log="$log_dir/build-$1.log" rc=0
  echo "test.sh: configure '$configure' + build preset '$preset' (-j$jobs)"
  { cmake --preset "$configure" && cmake --build --preset "$preset" -j "$jobs"; } >"$log" 2>&1 || rc=$?
  if grep -q 'warning:' "$log"; then
    echo "test.sh: compiler warnings in preset '$preset':"
    grep -E 'warning:' "$log" | sort -u | head -n 40
  fi
  if (( rc != 0 )); then
    tail -n 80 "$log"
    echo "test.sh: build of preset '$preset' FAILED; log: $log"
    tests_failed=$((tests_failed + 1))
  fi
  return "$rc"
}

# A check that is not a ctest run counts as one test in the closing line.
count_check() { if (( $1 == 0 )); then tests_passed=$((tests_passed + 1)); else tests_failed=$((tests_failed + 1)); fi; }

run_stage() {
  local name="$1" start=$SECONDS rc
  echo
  echo "==== $name"
  "stage_$name"
  rc=$?
  local elapsed=$((SECONDS - start)) result=PASS
  case "$rc" in 0) ;; 77) result=SKIP ;; *) result=FAIL ;; esac
  echo "==== $name: $result (${elapsed}s)"
  stage_names+=("$name")
  stage_results+=("$result")
  stage_seconds+=("$elapsed")
}

# --------------------------------------------------------------------- stages
stage_setup() {
  local args=()
  selected aarch64 && args+=(--cross)
  (selected asan || selected fuzz || selected tsan) && args+=(--sanitizers)
  scripts/setup.sh "${args[@]}"
}

stage_release() {
  build_preset release || return 1
  run_ctest release -- --preset release
}

# The ISAs this CPU has according to the kernel's /proc/cpuinfo flags: the
# cross-check that ndconv's own detection (CPUID + XGETBV) missed nothing.
cpuinfo_isas() {
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  local isas="scalar"
  if [[ "$(uname -m)" == x86_64 ]]; then
    [[ "$flags" == *" avx2 "* && "$flags" == *" fma "* ]] && isas+=" avx2"
    [[ "$flags" == *" avx512f "* && "$flags" == *" avx512bw "* && "$flags" == *" avx512dq "* \
       && "$flags" == *" avx512vl "* ]] && isas+=" avx512"
  elif [[ "$(uname -m)" == aarch64 ]]; then
    isas+=" neon"
  fi
  echo "$isas"
}

# The tests that choose their ISA whatever NDCONV_ISA says, which the release
# stage already ran under every ISA this CPU has: the ISA-parameterized
# suites (AllIsas/, EveryIsa/, Isa/: ndconv_set_isa per test) and the kernel
# tests that call each available kernel table directly. Four fifths of the
# suite's time; rerunning them would test nothing new.
isa_picking_tests='^(AllIsas|EveryIsa|Isa|GemmRows|GemmRowsShort|GemmRowsSmallK|GemmRowsDot|GemmCols|GemmRowstride|GroupedNcx|QGemmRows)/|^(GemmCandidates|GemmKPair)\.'

stage_isa() {
  local info="build/release/examples/ndconv_info" available expected rc=0 isa
  [[ -x "$info" ]] || { echo "test.sh: $info missing (release build failed?)"; count_check 1; return 1; }
  available="$("$info" --available)"
  expected="$(cpuinfo_isas)"
  echo "test.sh: ndconv finds ISAs: $available (detected: $("$info" --detected)); /proc/cpuinfo says: $expected"
  if [[ "$available" != "$expected" ]]; then
    echo "test.sh: FAIL: ndconv's ISA detection disagrees with /proc/cpuinfo"
    count_check 1
    rc=1
  fi
  for isa in $available; do
    echo "test.sh: the suite under NDCONV_ISA=$isa, less the tests that pick their ISA themselves"
    run_ctest "isa-$isa" NDCONV_ISA="$isa" -- --preset release -E "$isa_picking_tests" || rc=1
  done
  return "$rc"
}

# The sanitizer presets keep line tables only (-g1, clang's
# -gline-tables-only): enough for a report's file:line stack, and full -g made
# the kernel TUs' build take half as long again (gcc 12: 43 s against 27 s
# for kernels/isa_scalar.cpp under ASan + UBSan). The asan preset is clang's
# and builds the fuzz targets too: one sanitized build of the library serves
# this stage and the fuzz stage (two builds, gcc's and clang's, took 25 of
# the 51 minutes of CI on an AMD EPYC Zen 5).
stage_asan() {
  build_preset asan || return 1
  run_ctest asan -- --preset asan
}

stage_aarch64() {
  build_preset aarch64 || return 1
  local rc=0 detected
  run_ctest aarch64 -- --preset aarch64 || rc=1
  # Visible proof, beside the test that asserts it, that NEON really runs.
  detected="$(qemu-aarch64 -L /usr/aarch64-linux-gnu build/aarch64/examples/ndconv_info --detected 2>&1)"
  echo "test.sh: under qemu-aarch64, ndconv_info --detected: $detected"
  if [[ "$detected" == neon ]]; then count_check 0; else count_check 1; rc=1; fi
  return "$rc"
}

stage_install() {
  local rc=0
  scripts/check_install.sh -j "$jobs" || rc=1
  count_check "$rc"
  return "$rc"
}

# The benchmark's smoke run: the three tiny shapes of bench/smoke_shapes.tsv in
# both layouts, each ndconv output checked against oneDNN (the correctness
# gate; a mismatch fails the stage), then one short timing per benchmark and
# the --report table in GFLOP/s (tiny shapes: the rates say nothing about
# speed, the table shows the kernels chosen). Returns 77 (SKIP) when the
# benchmark is not built (no Google Benchmark).
stage_bench() {
  local bench="build/release/bench/ndconv_bench" shapes="bench/smoke_shapes.tsv" rc=0
  if [[ ! -x "$bench" || ! -f "$shapes" ]]; then
    echo "test.sh: no $bench or $shapes: benchmark smoke run skipped"
    return 77
  fi
  # --report prints GFLOP/s (plain Google Benchmark output gives times in ms,
  # 0.000 for shapes this small) and none of the console reporter's context.
  "$bench" --shapes="$shapes" --report --benchmark_repetitions=1 --benchmark_min_time=0.01 2>&1
  rc=$?
  count_check "$rc"
  return "$rc"
}

# ===== FUZZ AND TSAN STAGES (issue 8) =====
# The libFuzzer targets (convolution, text-CNN, int8 convolution), each for
# NDCONV_FUZZ_SECONDS (default 30: a minute and a half for the three). New inputs go to a scratch corpus, never into the repo;
# a crash, a sanitizer report or a failed check (mismatch against the
# reference, disagreeing statuses) fails the stage and leaves the input in
# build/test-logs/fuzz-<target>/.
stage_fuzz() {
  if ! command -v clang++-14 >/dev/null 2>&1; then
    echo "test.sh: clang++-14 missing (scripts/setup.sh --sanitizers installs it)"
    count_check 1
    return 1
  fi
  # The asan stage built these already (its preset builds the tests and the
  # fuzz targets from one set of library objects); alone, this builds them.
  build_preset fuzz asan || return 1
  local dir="build/asan/tests/fuzz" rc=0 target seconds="${NDCONV_FUZZ_SECONDS:-30}" fresh stale
  # The committed seeds must be exactly what the generator writes today.
  fresh="$(mktemp -d)"
  mkdir -p "$fresh/conv" "$fresh/textcnn" "$fresh/qconv"
  "$dir/ndconv_make_corpus" "$fresh" >/dev/null || rc=1
  stale="$(cd "$fresh" && for f in */*; do cmp -s "$f" "$root/tests/fuzz/corpus/$f" || echo "$f"; done)"
  rm -rf "$fresh"
  if [[ -n "$stale" ]]; then
    echo "test.sh: tests/fuzz/corpus differs from ndconv_make_corpus for: $stale"
    echo "test.sh: regenerate with: $dir/ndconv_make_corpus tests/fuzz/corpus"
    rc=1
  fi
  count_check "$rc"
  for target in conv textcnn qconv; do
    local work="$log_dir/fuzz-$target" log="$log_dir/fuzz-$target.log" runs trc=0
    rm -rf "$work"
    mkdir -p "$work/corpus"
    ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$dir/ndconv_fuzz_$target" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1 || trc=1
    runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$')"
    grep -h "^fuzz $target: " "$log" | tail -n 1 | sed 's/^/test.sh: /'
    echo "test.sh: fuzz $target: ${runs:-?} inputs executed in ${seconds}s" \
         "($(ls "tests/fuzz/corpus/$target" | wc -l) seeds, $(ls "$work/corpus" | wc -l) new corpus inputs)"
    if (( trc != 0 )); then
      grep -E 'FUZZ CHECK|runtime error|ERROR|SUMMARY' "$log" | head -n 20
      echo "test.sh: fuzz $target FAILED; log: $log; input: $(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null)"
      rc=1
    fi
    count_check "$trc"
  done
  return "$rc"
}

# ThreadSanitizer: the stress test and the thread pool / concurrency suites.
stage_tsan() {
  build_preset tsan || return 1
  run_ctest tsan NDCONV_STRESS_SECONDS="${NDCONV_STRESS_SECONDS:-10}" -- --preset tsan -V
  local rc=$?
  grep -ho 'stress: [0-9].*' "$log_dir/ctest-tsan.log" 2>/dev/null | sed 's/^/test.sh: /'
  return "$rc"
}
# ===== end of FUZZ AND TSAN STAGES =====

# ----------------------------------------------------------------------- main
total_start=$SECONDS
echo "test.sh: ndconv at $root"
echo "test.sh: stages: ${stages[*]}; jobs: $jobs; $(nproc 2>/dev/null || echo '?') cores;" \
     "$(c++ --version 2>/dev/null | head -n 1); $(cmake --version 2>/dev/null | head -n 1)"
echo "test.sh: CPU: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"

if (( run_setup )); then
  run_stage setup
  if [[ "${stage_results[-1]}" == FAIL ]]; then
    echo "test.sh: FAIL: setup.sh could not install the dependencies"
    echo "tests: 0 passed, 1 failed"
    exit 1
  fi
fi
for stage in "${all_stages[@]}"; do
  selected "$stage" && run_stage "$stage"
done

echo
echo "==== summary"
overall=PASS
for i in "${!stage_names[@]}"; do
  printf '  %-8s %-4s %5ss\n' "${stage_names[$i]}" "${stage_results[$i]}" "${stage_seconds[$i]}"
  [[ "${stage_results[$i]}" == FAIL ]] && overall=FAIL
done
(( tests_failed == 0 )) || overall=FAIL
echo "test.sh: $overall in $((SECONDS - total_start))s (logs: build/test-logs/)"
echo "tests: $tests_passed passed, $tests_failed failed"
[[ "$overall" == PASS ]]
