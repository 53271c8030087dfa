// Single-core FMA throughput of this machine, per ISA it has: the ceiling that
// `peak_frac` and the report's "% of peak" are measured against.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ndconv_bench {

struct IsaPeak {
  std::string isa;  // ndconv_isa_name spelling: "avx2", "avx512", "neon"
  double gflops;    // single core, fp32, an FMA counted as 2 flops: the best run
  double median_gflops = 0;  // the median run (how much the machine disturbed the probe)
  int runs = 0;              // how many ~2 ms runs the best was taken from
};

// Measures every ISA that this CPU and build have (per ndconv_detected_isa):
// the best of at least 50 runs of ~2 ms of thread CPU time, continued until
// the best stops improving (0.25 to 1.5 s per ISA).
std::vector<IsaPeak> measure_fma_peaks();

// The largest of them (0 if none): the machine's single-core peak.
double best_peak(const std::vector<IsaPeak>& peaks);

// Per-ISA probe loops: `chains` independent FMA chains of full vectors,
// `iterations` steps each. Return a value derived from every accumulator so
// the compiler cannot drop any chain. Defined in fma_peak_<isa>.cpp, each
// compiled with its ISA's flags only.
constexpr int kFmaChains = 12;  // > latency (4) x FMA pipes (2): never latency-bound
float fma_chains_avx2(int64_t iterations);    // 8 floats per FMA
float fma_chains_avx512(int64_t iterations);  // 16 floats per FMA
float fma_chains_neon(int64_t iterations);    // 4 floats per FMA

}  // namespace ndconv_bench
