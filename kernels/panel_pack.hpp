// Packing of channels-first im2col panels (addressing/im2col_panels.h, for
// algorithms/im2col_gemm.cpp):
// for each input channel of one kernel tap, a row of the B panel is a few runs
// of zeros, a contiguous or strided copy of one input line, zeros. The run
// geometry is the same for every channel of the tap, so dispatch computes it
// once and this loop only moves data, with full vectors and masked tails.
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {

template <class Arch>
inline void panel_fill_zero(float* d, size_t n) {
  using S = simd<Arch>;
  constexpr size_t W = S::width;
  size_t q = 0;
  for (; q + W <= n; q += W) S::store(d + q, S::zero());
  if (q < n) S::store_partial(d + q, S::zero(), n - q);
}

// d[q] = src[q * stride] for q < n.
template <class Arch>
inline void panel_copy_strided(float* d, const float* src, size_t n, ptrdiff_t stride) {
  for (size_t q = 0; q < n; ++q) d[q] = src[static_cast<ptrdiff_t>(q) * stride];
}
#if defined(NDCONV_SIMD_X86) && defined(__AVX512F__)
// Stride 2 (the strided 3x3 and the stem): two loads and one two-source
// permute per 16 floats; the loads are masked to the floats the copy reads,
// so nothing past src[2 * (n - 1)] is touched.
template <>
inline void panel_copy_strided<avx512_arch>(float* d, const float* src, size_t n, ptrdiff_t stride) {
  if (stride != 2) {
    for (size_t q = 0; q < n; ++q) d[q] = src[static_cast<ptrdiff_t>(q) * stride];
    return;
  }
  using S = simd<avx512_arch>;
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  size_t q = 0;
  for (; q + 16 <= n; q += 16) {
    const size_t readable = 2 * (n - q) - 1;  // floats from src + 2q the copy may read
    const __m512 lo = _mm512_loadu_ps(src + 2 * q);
    const __m512 hi = readable >= 32 ? _mm512_loadu_ps(src + 2 * q + 16)
                                     : _mm512_maskz_loadu_ps(S::tail_mask(readable - 16), src + 2 * q + 16);
    _mm512_storeu_ps(d + q, _mm512_permutex2var_ps(lo, even, hi));
  }
  if (q < n) {
    const size_t readable = 2 * (n - q) - 1;  // < 31
    const __m512 lo = _mm512_maskz_loadu_ps(S::tail_mask(readable < 16 ? readable : 16), src + 2 * q);
    const __m512 hi = readable > 16 ? _mm512_maskz_loadu_ps(S::tail_mask(readable - 16), src + 2 * q + 16)
                                    : _mm512_setzero_ps();
    _mm512_mask_storeu_ps(d + q, S::tail_mask(n - q), _mm512_permutex2var_ps(lo, even, hi));
  }
}
#endif

// How many channels ahead pack_panel_rows prefetches input lines.
constexpr size_t kPrefetchChannels = 8;

template <class Arch>
void pack_panel_rows(const PanelPackArgs& args) {
  using S = simd<Arch>;
  constexpr size_t W = S::width;
  for (size_t c = 0; c < args.channels; ++c) {
    const float* channel = args.input + c * args.plane;
    float* dst = args.dst + c * args.ld_dst;
    for (size_t r = 0; r < args.run_count; ++r) {
      const PanelRun& run = args.runs[r];
      float* d = dst + run.j;
      panel_fill_zero<Arch>(d, run.lead);
      d += run.lead;
      const float* src = channel + run.src;
      // The lines of a later channel: the input planes are far apart (one
      // plane per channel), so the hardware prefetchers miss them and the
      // copy would wait on L2/L3 at every row (conv3x3_s2: 43% of the time).
      if (run.count > 0 && c + kPrefetchChannels < args.channels) {
        const float* ahead = src + kPrefetchChannels * args.plane;
        const size_t span = (run.count - 1) * static_cast<size_t>(args.stride) + 1;
        for (size_t x = 0; x < span; x += 16) __builtin_prefetch(ahead + x);
        __builtin_prefetch(ahead + span - 1);
      }
      if (args.stride == 1) {
        size_t q = 0;
        for (; q + W <= run.count; q += W) S::store(d + q, S::load(src + q));
        if (q < run.count) S::store_partial(d + q, S::load_partial(src + q, run.count - q), run.count - q);
      } else {
        panel_copy_strided<Arch>(d, src, run.count, args.stride);
      }
      panel_fill_zero<Arch>(d + run.count, run.len - run.lead - run.count);
    }
  }
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
