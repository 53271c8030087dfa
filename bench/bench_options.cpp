#include "bench_options.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "ndconv/ndconv.h"

namespace ndconv_bench {

const char kUsage[] =
    "ndconv_bench [options] [Google Benchmark options]\n"
    "  --shapes=PATH   shapes file (default: bench/shapes.tsv of the source tree, else\n"
    "                  shapes.tsv next to this binary)\n"
    "  --threads=N     threads for ndconv (its pool; N=1: no pool, the calling thread)\n"
    "                  and for oneDNN (OpenMP) alike; default 1\n"
    "  --isa=NAME      force ndconv's ISA: auto, scalar, avx2, avx512, neon\n"
    "  --report        repetitions (default 5) and one markdown table of medians\n"
    "  --peak          print the single-core FMA peak per ISA and exit\n"
    "  --ab            interleaved A/B: alternating short rounds of ndconv and oneDNN\n"
    "                  plain per shape and layout (--benchmark_filter selects), medians\n"
    "                  of rates and of per-round ratios; robust on a noisy machine\n"
    "  --load          one plan run concurrently from T = 1, 2, 4, 8 threads (each its own\n"
    "                  buffers, NULL pool): runs/s and GFLOP/s in total, every output\n"
    "                  compared bit for bit with a single-threaded run; default shapes\n"
    "                  text_query_same and pw_seq_ffn (--benchmark_filter selects)\n"
    "  --tune=measure  with --ab: default, measured (ndconv_conv_create_ex, NDCONV_TUNE_MEASURE)\n"
    "                  and every candidate's plans against oneDNN plain, interleaved (bench/tune_ab.h);\n"
    "                  with --int8: the int8 plans' (default, measured, every int8:mr=<rows>)\n"
    "                  against oneDNN int8, every plan's bytes checked equal (bench/bench_int8.h)\n"
    "  --tune-budget=MS  the measure mode's budget per plan (default: the library's, 20 ms)\n"
    "  --tune-candidates  with --tune=measure: after the table, every plan's rate per row\n"
    "                  (default, measured, each candidate), fastest first\n"
    "  --json=PATH     with --report or --ab: also write the rows and the machine as JSON\n"
    "                  (scripts/plot_bench.py draws them)\n"
    "  --int8          int8 (u8 in, s8 weights, u8 out, per-channel scales, zero points):\n"
    "                  ndconv vs oneDNN int8 and ndconv float32, interleaved, per shape and\n"
    "                  layout, each output checked against oneDNN first (within 1)\n"
    "  --inject-mismatch  add an error to one element of ndconv's first output, to\n"
    "                  see the correctness gate fail the run (tests use it)\n"
    "  e.g. --benchmark_filter=REGEX  --benchmark_format=json  --benchmark_min_time=S\n"
    "       --benchmark_repetitions=N  (see --help of Google Benchmark below)\n";

std::string default_shapes_path() {
#if defined(NDCONV_BENCH_SHAPES_SOURCE)
  if (access(NDCONV_BENCH_SHAPES_SOURCE, R_OK) == 0) return NDCONV_BENCH_SHAPES_SOURCE;
#endif
  // The build copies shapes.tsv next to the binary: works after the source
  // tree moved, or for an installed/copied build directory.
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/') + 1);
    return dir + "shapes.tsv";
  }
  return "shapes.tsv";
}

namespace {

bool starts_with(const char* text, const char* prefix) {
  return std::strncmp(text, prefix, std::strlen(prefix)) == 0;
}

}  // namespace

bool parse_options(int* argc, char** argv, Options* o) {
  int kept = 1;
  std::string joined;  // "--flag=value" built from the two-argument form "--flag value"
  for (int i = 1; i < *argc; ++i) {
    const char* a = argv[i];
    for (const char* flag : {"--shapes", "--threads", "--isa", "--json"}) {
      if (std::strcmp(a, flag) == 0 && i + 1 < *argc) {
        joined = std::string(flag) + "=" + argv[++i];
        a = joined.c_str();
        break;
      }
    }
    if (starts_with(a, "--shapes=")) {
      o->shapes_path = a + 9;
    } else if (starts_with(a, "--threads=")) {
      char* end = nullptr;
      long t = std::strtol(a + 10, &end, 10);
      if (*end != '\0' || t < 1 || t > 1024) {
        std::fprintf(stderr, "ndconv_bench: --threads=%s must be an integer in 1..1024\n", a + 10);
        return false;
      }
      o->threads = int(t);
    } else if (starts_with(a, "--isa=")) {
      o->isa = a + 6;
    } else if (starts_with(a, "--json=")) {
      o->json_path = a + 7;
    } else if (std::strcmp(a, "--report") == 0) {
      o->report = true;
    } else if (std::strcmp(a, "--ab") == 0) {
      o->ab = true;
    } else if (std::strcmp(a, "--int8") == 0) {
      o->int8 = true;
    } else if (std::strcmp(a, "--load") == 0) {
      o->load = true;
    } else if (std::strcmp(a, "--peak") == 0) {
      o->peak_only = true;
    } else if (std::strcmp(a, "--tune=measure") == 0) {
      o->tune_measure = true;
    } else if (starts_with(a, "--tune=")) {
      std::fprintf(stderr, "ndconv_bench: --tune=%s: only --tune=measure is known\n", a + 7);
      return false;
    } else if (starts_with(a, "--tune-budget=")) {
      char* end = nullptr;
      o->tune_budget_ms = std::strtod(a + 14, &end);
      if (*end != '\0' || !(o->tune_budget_ms > 0) || o->tune_budget_ms > NDCONV_TUNE_MAX_BUDGET_MS) {
        std::fprintf(stderr, "ndconv_bench: --tune-budget=%s must be a number of ms in (0, 60000]\n", a + 14);
        return false;
      }
    } else if (std::strcmp(a, "--tune-candidates") == 0) {
      o->tune_candidates = true;
    } else if (std::strcmp(a, "--inject-mismatch") == 0) {
      o->inject_mismatch = true;
    } else {
      if (std::strcmp(a, "--help") == 0 || std::strcmp(a, "-h") == 0) std::fputs(kUsage, stdout);
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  argv[kept] = nullptr;
  if (o->tune_candidates && !(o->ab && o->tune_measure)) {
    std::fprintf(stderr, "ndconv_bench: --tune-candidates lists the plans of --ab --tune=measure; give both\n");
    return false;
  }
  return true;
}

bool apply_isa(const std::string& name) {
  static const struct { const char* name; ndconv_isa isa; } kIsas[] = {
      {"auto", NDCONV_ISA_AUTO}, {"scalar", NDCONV_ISA_SCALAR}, {"avx2", NDCONV_ISA_AVX2},
      {"avx512", NDCONV_ISA_AVX512}, {"neon", NDCONV_ISA_NEON}};
  for (const auto& entry : kIsas) {
    if (name != entry.name) continue;
    ndconv_status status = ndconv_set_isa(entry.isa);
    if (status != NDCONV_OK) {
      std::fprintf(stderr, "ndconv_bench: --isa=%s: %s: %s\n", name.c_str(),
                   ndconv_status_string(status), ndconv_last_error());
      return false;
    }
    return true;
  }
  std::fprintf(stderr, "ndconv_bench: --isa=%s is not one of auto, scalar, avx2, avx512, neon\n",
               name.c_str());
  return false;
}

}  // namespace ndconv_bench
