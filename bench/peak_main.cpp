// ndconv_peak: this machine's single-core fp32 FMA throughput per ISA, the
// ceiling ndconv_bench's peak_frac and "% of peak" refer to.
#include <cstdio>

#include "fma_peak.h"

int main() {
  std::vector<ndconv_bench::IsaPeak> peaks = ndconv_bench::measure_fma_peaks();
  if (peaks.empty()) std::printf("no SIMD ISA probe for this CPU/build\n");
  for (const auto& p : peaks)
    std::printf("%-7s %8.1f GFLOP/s single core (fp32 FMA, %d independent chains; best of %d "
                "runs of ~2 ms, median %.1f)\n",
                p.isa.c_str(), p.gflops, ndconv_bench::kFmaChains, p.runs, p.median_gflops);
  return 0;
}
