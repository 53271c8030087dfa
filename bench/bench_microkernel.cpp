// The GEMM microkernels alone, in cache: every tile of every ISA this CPU has
// (the table's enumeration, KernelTable::entries: gemm_rowptr_tiles and
// gemm_cols_tiles), one MR x NR tile over K (default 256) per call, A rows,
// packed weights and C all in L1. This is the ceiling the convolution paths
// build on; the rate is compared with the machine's measured single-core FMA
// peak of the same ISA (`peak_frac`).
//
//   bench_microkernel [--k=256] [Google Benchmark options]
//
// Names: microkernel/<entry name>/k<K>, e.g.
// microkernel/f32_gemm_rowptr_14x32__avx512/k256 (kernels/kernel_table.h):
// rowptr: channels-last addressing (A rows through pointers, weights packed);
// cols: channels-first (weights packed, B rows read in place).
// The candidates the planner does not choose (KernelTable::gemm_candidates):
// microkernel/<isa>/<candidate name>/k<K>, e.g. .../rows-lean/12x32/u2/k256.
//
// The int8 tiles (kernels/qkernel_instances.h: every tile of every int8 table
// this CPU runs, the table's first): microkernel/<tile name>/k<K>, e.g.
// microkernel/qs8_gemm_rowptr_8x32c4__avx512vnni/k256, U8 input and int32
// output, and with S8 input (one more XOR per row and K group) and U8 output
// (/s8_u8out). Counters: gops and cpu_gops (a multiply-add = 2 int8 ops; the
// cpu_ ones over this thread's CPU time), int8_peak_frac and
// cpu_int8_peak_frac = the rate / 4x the level's measured fp32 FMA peak (the
// int8 dot-product peak where vpdpbusd issues as often as an FMA),
// cpu_f32_ratio = cpu_gops / the fp32 peak.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "plan/isa_select.h"
#include "fma_peak.h"
#include "kernels/kernel_table.h"
#include "kernels/qkernel_instances.h"
#include "ndconv/ndconv.h"

namespace {

using ndconv::kernels::GemmColsArgs;
using ndconv::kernels::GemmColsKernel;
using ndconv::kernels::GemmRowsArgs;
using ndconv::kernels::GemmRowsKernel;
using ndconv::kernels::GemmRowsStridedArgs;
using ndconv::kernels::GemmRowsStridedKernel;
using ndconv::kernels::KernelTable;

std::vector<float> filled(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>((i * 37u) % 101u) / 101.0f - 0.5f;
  return v;
}

double peak_of(const std::vector<ndconv_bench::IsaPeak>& peaks, ndconv_isa isa) {
  for (const auto& p : peaks)
    if (p.isa == ndconv_isa_name(isa)) return p.gflops;
  return 0.0;
}

// Times `call` and sets the counters: gflops, and peak_frac = gflops / the
// ISA's measured single-core FMA peak (0 when there is none, e.g. scalar);
// cpu_gflops and cpu_peak_frac the same over this thread's CPU time, which a
// machine shared with other jobs does not dilute (wall-clock rates there drop
// with the share of the core the process gets).
template <class Call>
void time_calls(benchmark::State& state, const Call& call, float* c, double flops_per_call,
                double peak) {
  const auto thread_seconds = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  };
  const double cpu_start = thread_seconds();
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    call();
    benchmark::DoNotOptimize(c);
    benchmark::ClobberMemory();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = thread_seconds() - cpu_start;
  const double flops = flops_per_call * static_cast<double>(state.iterations());
  const double gflops = flops / seconds * 1e-9;
  const double cpu_gflops = cpu_seconds > 0 ? flops / cpu_seconds * 1e-9 : 0.0;
  state.counters["gflops"] = gflops;
  state.counters["peak_frac"] = peak > 0 ? gflops / peak : 0.0;
  state.counters["cpu_gflops"] = cpu_gflops;
  state.counters["cpu_peak_frac"] = peak > 0 ? cpu_gflops / peak : 0.0;
}

// One full tile per call; the output is overwritten each time (first K block
// semantics: bias, no accumulate), so repeated calls do identical work.
void bench_rows(benchmark::State& state, GemmRowsKernel uk, size_t K, double peak) {
  const size_t MR = uk.mr, NR = uk.nr;
  std::vector<float> a = filled(MR * K), b = filled(K * NR), bias = filled(NR), c(MR * NR);
  std::vector<const float*> rows(MR);
  for (size_t i = 0; i < MR; ++i) rows[i] = a.data() + i * K;
  GemmRowsArgs args;
  args.a = rows.data();
  args.taps = 1;
  args.kc = K;
  args.b = b.data();
  args.bias = bias.data();
  args.mr = MR;
  args.nr = NR;
  args.out.c = c.data();
  args.out.ldc = NR;
  time_calls(state, [&] { uk.fn(args); }, c.data(), 2.0 * static_cast<double>(MR * NR * K), peak);
}

// Rows K floats apart, addressed as row 0 + i * K.
void bench_strided(benchmark::State& state, GemmRowsStridedKernel uk, size_t K, double peak) {
  const size_t MR = uk.mr, NR = uk.nr;
  std::vector<float> a = filled(MR * K), b = filled(K * NR), bias = filled(NR), c(MR * NR);
  const float* tap = a.data();
  GemmRowsStridedArgs args;
  args.a = &tap;
  args.lda = static_cast<ptrdiff_t>(K);
  args.taps = 1;
  args.kc = K;
  args.b = b.data();
  args.bias = bias.data();
  args.mr = MR;
  args.nr = NR;
  args.out.c = c.data();
  args.out.ldc = NR;
  time_calls(state, [&] { uk.fn(args); }, c.data(), 2.0 * static_cast<double>(MR * NR * K), peak);
}

void bench_cols(benchmark::State& state, GemmColsKernel uk, size_t K, double peak) {
  const size_t MR = uk.mr, NR = uk.nr;
  // B rows NR floats apart (contiguous, as a copied channels-first panel).
  std::vector<float> a = filled(K * MR), b = filled(K * NR), bias = filled(MR), c(MR * NR);
  GemmColsArgs args;
  args.a = a.data();
  args.b = b.data();
  args.ldb = static_cast<ptrdiff_t>(NR);
  args.kc = K;
  args.bias = bias.data();
  args.mr = MR;
  args.nr = NR;
  args.out.c = c.data();
  args.out.ldc = NR;
  time_calls(state, [&] { uk.fn(args); }, c.data(), 2.0 * static_cast<double>(MR * NR * K), peak);
}

// One int8 tile per call, U8 or S8 input, S32 or U8 output; the counters as
// time_calls's, then gops and the fractions of the int8 and fp32 peaks.
void bench_qrows(benchmark::State& state, ndconv::kernels::QGemmRowsKernel uk, size_t K,
                 double f32_peak, bool s8_u8out) {
  using ndconv::kernels::QOutputType;
  const size_t MR = uk.mr, NR = uk.nr, groups = (K + uk.kr - 1) / uk.kr;
  std::vector<uint8_t> a(MR * K);
  std::vector<int8_t> b(groups * NR * uk.kr);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>((i * 37u) % 251u);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int8_t>((i * 53u) % 255u - 127);
  std::vector<int32_t> bias(NR, 7), c(MR * NR);
  std::vector<float> scale(NR, 1.0f / 4096);
  std::vector<const uint8_t*> rows(MR);
  for (size_t i = 0; i < MR; ++i) rows[i] = a.data() + i * K;
  ndconv::kernels::QGemmRowsArgs args;
  args.a = rows.data();
  args.kc = K;
  args.a_xor = s8_u8out ? 0x80 : 0;
  args.b = b.data();
  args.mr = MR;
  args.nr = NR;
  args.c = c.data();
  args.ldc = NR;
  args.epi.type = s8_u8out ? QOutputType::kU8 : QOutputType::kS32;
  args.epi.bias = bias.data();
  args.epi.scale = scale.data();
  const double ops = 2.0 * static_cast<double>(MR * NR * K);
  time_calls(state, [&] { uk.fn(args); }, reinterpret_cast<float*>(c.data()), ops, 4 * f32_peak);
  state.counters["gops"] = state.counters["gflops"];
  state.counters["cpu_gops"] = state.counters["cpu_gflops"];
  state.counters["int8_peak_frac"] = state.counters["peak_frac"];
  state.counters["cpu_int8_peak_frac"] = state.counters["cpu_peak_frac"];
  state.counters["cpu_f32_ratio"] = f32_peak > 0 ? state.counters["cpu_gflops"] / f32_peak : 0.0;
  for (const char* flops_name : {"gflops", "cpu_gflops", "peak_frac", "cpu_peak_frac"})
    state.counters.erase(flops_name);
}

std::string benchmark_name(const char* entry, size_t K) {
  return "microkernel/" + std::string(entry) + "/k" + std::to_string(K);
}

void register_isa(ndconv_isa isa, size_t K, double peak) {
  const KernelTable* t = ndconv::kernels::kernel_table_for(isa);
  if (t == nullptr) return;
  for (const GemmRowsKernel& uk : t->entries.gemm_rowptr_tiles)
    benchmark::RegisterBenchmark(benchmark_name(uk.name, K).c_str(), bench_rows, uk, K, peak);
  for (const GemmColsKernel& uk : t->entries.gemm_cols_tiles)
    benchmark::RegisterBenchmark(benchmark_name(uk.name, K).c_str(), bench_cols, uk, K, peak);
  for (const GemmRowsStridedKernel& uk : t->entries.gemm_rowstride_tiles)
    benchmark::RegisterBenchmark(benchmark_name(uk.name, K).c_str(), bench_strided, uk, K, peak);
  if (const ndconv::kernels::GemmCandidates* cand = t->gemm_candidates) {
    auto cand_name = [&](const char* cname) {
      return std::string("microkernel/") + ndconv_isa_name(isa) + "/" + cname + "/k" + std::to_string(K);
    };
    for (size_t i = 0; i < cand->rows_count; ++i)
      benchmark::RegisterBenchmark(cand_name(cand->rows[i].name).c_str(), bench_rows, cand->rows[i].kernel, K, peak);
    for (size_t i = 0; i < cand->strided_count; ++i)
      benchmark::RegisterBenchmark(cand_name(cand->strided[i].name).c_str(), bench_strided,
                                   cand->strided[i].kernel, K, peak);
    for (size_t i = 0; i < cand->cols_count; ++i)
      benchmark::RegisterBenchmark(cand_name(cand->cols[i].name).c_str(), bench_cols, cand->cols[i].kernel, K, peak);
  }
}

void register_int8(size_t K, const std::vector<ndconv_bench::IsaPeak>& peaks) {
  using ndconv::kernels::QKernelTable;
  for (ndconv_isa isa : {NDCONV_ISA_AVX512, NDCONV_ISA_AVX2, NDCONV_ISA_NEON, NDCONV_ISA_SCALAR}) {
    const QKernelTable* previous = nullptr;
    // With the dot product, without, and the vpmaddubsw sibling of without
    // (timing only: these weights exceed its [-64, 64]; the tests hold it).
    for (int variant : {0, 1, 2}) {
      const QKernelTable* plain = ndconv::kernels::qkernel_table(isa, false);
      const QKernelTable* t = variant == 0 ? ndconv::kernels::qkernel_table(isa, true)
                              : variant == 1 ? plain
                                             : ndconv::kernels::qkernel_pairs_table(plain);
      if (t == nullptr || t == previous) continue;
      previous = t;
      const double peak = peak_of(peaks, isa);
      for (const auto& uk : ndconv::kernels::qkernel_tiles(t)) {
        benchmark::RegisterBenchmark(benchmark_name(uk.name, K).c_str(), bench_qrows, uk, K, peak, false);
        const std::string s8 = "microkernel/" + std::string(uk.name) + "/s8_u8out/k" + std::to_string(K);
        benchmark::RegisterBenchmark(s8.c_str(), bench_qrows, uk, K, peak, true);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t K = 256;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--k=", 4) == 0) {
      const long k = std::strtol(argv[i] + 4, nullptr, 10);
      if (k < 1 || k > 65536) {
        std::fprintf(stderr, "bench_microkernel: --k=%s must be 1 .. 65536\n", argv[i] + 4);
        return 2;
      }
      K = static_cast<size_t>(k);
    } else {
      rest.push_back(argv[i]);
    }
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  const std::vector<ndconv_bench::IsaPeak> peaks = ndconv_bench::measure_fma_peaks();
  for (const auto& p : peaks) std::printf("FMA peak %s: %.1f GFLOP/s (single core)\n", p.isa.c_str(), p.gflops);
  for (ndconv_isa isa : {NDCONV_ISA_AVX512, NDCONV_ISA_AVX2, NDCONV_ISA_NEON, NDCONV_ISA_SCALAR})
    if (ndconv::dispatch::isa_available(isa)) register_isa(isa, K, peak_of(peaks, isa));
  register_int8(K, peaks);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
