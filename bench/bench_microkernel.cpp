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
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "plan/isa_select.h"
#include "fma_peak.h"
#include "kernels/kernel_table.h"
#include "ndconv/ndconv.h"

namespace {

using ndconv::kernels::GemmColsArgs;
using ndconv::kernels::GemmColsKernel;
using ndconv::kernels::GemmRowsArgs;
using ndconv::kernels::GemmRowsKernel;
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
// ISA's measured single-core FMA peak (0 when there is none, e.g. scalar).
template <class Call>
void time_calls(benchmark::State& state, const Call& call, float* c, double flops_per_call,
                double peak) {
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    call();
    benchmark::DoNotOptimize(c);
    benchmark::ClobberMemory();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double gflops = flops_per_call * static_cast<double>(state.iterations()) / seconds * 1e-9;
  state.counters["gflops"] = gflops;
  state.counters["peak_frac"] = peak > 0 ? gflops / peak : 0.0;
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
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
