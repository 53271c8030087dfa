// Grouped convolution with few output channels per group, channels-first
// (ResNeXt's 32 groups of 4 in NCHW): a direct kernel vectorized across the
// output pixels of one output line. As an im2col GEMM, each group is a
// product with M = 4 output channels, which fills a quarter of a wide tile's
// rows; here the lanes are pixels, CO = 4 output channels x NV pixel vectors
// stay in registers, and each input vector loaded (one input channel, one
// kernel tap: the padded input line shifted by the tap) feeds CO FMAs whose
// weights are broadcast from memory. No zero weights, no im2col.
//
// The input lines come zero-padded and split by stride phase (dispatch builds
// them; see GroupedNcxArgs), so every tap of every pixel vector is one
// contiguous load, with no border cases in the kernel.
#pragma once

#include "kernels/gemm.hpp"  // NDCONV_UNROLL
#include "kernels/kernel_name.hpp"
#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {
namespace grouped_ncx {

// Pixel vectors per register block: CO * NV accumulators, NV input vectors
// and a broadcast weight must fit the register file (AVX2: 8 + 2 + 1 of 16;
// AVX-512 and NEON: 16 + 4 + 1 of 32).
template <class Arch>
struct tiles {
  static constexpr size_t vectors = 4;
};
#if defined(NDCONV_SIMD_X86) && defined(__AVX2__) && defined(__FMA__)
template <>
struct tiles<avx2_arch> {
  static constexpr size_t vectors = 2;
};
#endif

constexpr size_t kOutChannels = 4;

// NV pixel vectors from x0 for the kOutChannels output channels: NV whole
// vectors, or (kPartial) NV - 1 whole ones and then `last` lanes.
template <class Arch, size_t NV, bool kPartial>
void block(const GroupedNcxArgs& a, size_t x0, size_t last) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  constexpr size_t W = S::width;
  constexpr size_t CO = kOutChannels;
  vec acc[CO][NV];
  NDCONV_UNROLL
  for (size_t co = 0; co < CO; ++co) {
    const vec b = S::set1(a.bias[co]);
    NDCONV_UNROLL
    for (size_t v = 0; v < NV; ++v) acc[co][v] = b;
  }
  const size_t kw = a.kernel_w, channels = a.in_channels, cs = a.channel_stride;
  const size_t w_channel = a.taps * CO;
  const ptrdiff_t* tap_offset = a.tap_offset;
  for (size_t l = 0; l < a.lines; ++l) {
    const float* line = a.line[l] + x0;
    const float* w = a.weights + a.line_tap[l] * CO;
    for (size_t ci = 0; ci < channels; ++ci, line += cs, w += w_channel) {
      const float* wk = w;
      for (size_t kx = 0; kx < kw; ++kx, wk += CO) {
        const float* q = line + tap_offset[kx];
        vec x[NV];
        NDCONV_UNROLL
        for (size_t v = 0; v < NV; ++v)
          x[v] = kPartial && v + 1 == NV ? S::load_partial(q + v * W, last) : S::load(q + v * W);
        NDCONV_UNROLL
        for (size_t co = 0; co < CO; ++co) {
          const vec wv = S::set1(wk[co]);
          NDCONV_UNROLL
          for (size_t v = 0; v < NV; ++v) acc[co][v] = S::fmadd(x[v], wv, acc[co][v]);
        }
      }
    }
  }
  const vec lo = S::set1(a.lo), hi = S::set1(a.hi);
  // Unrolled over all CO with a test: indexing acc by a run-time channel
  // would keep it in memory (a spill of every accumulator per tap).
  NDCONV_UNROLL
  for (size_t co = 0; co < CO; ++co) {
    if (co >= a.out_channels) break;
    float* out = a.out + co * a.out_plane + x0;
    NDCONV_UNROLL
    for (size_t v = 0; v < NV; ++v) {
      const vec y = S::min(hi, S::max(lo, acc[co][v]));
      if (kPartial && v + 1 == NV)
        S::store_partial(out + v * W, y, last);
      else
        S::store(out + v * W, y);
    }
  }
}

// The tail block of n (1 <= n <= NV) vectors, the last one of `last` lanes.
template <class Arch, size_t NV>
void tail_block(const GroupedNcxArgs& a, size_t x0, size_t n, size_t last) {
  if constexpr (NV >= 1) {
    if (n == NV)
      block<Arch, NV, true>(a, x0, last);
    else
      tail_block<Arch, NV - 1>(a, x0, n, last);
  }
}

}  // namespace grouped_ncx

// One output line: a.width pixels of a.out_channels (<= 4) output channels.
template <class Arch>
void grouped_ncx_line(const GroupedNcxArgs& a) {
  constexpr size_t W = simd<Arch>::width;
  constexpr size_t NV = grouped_ncx::tiles<Arch>::vectors;
  size_t x = 0;
  for (; x + NV * W <= a.width; x += NV * W) grouped_ncx::block<Arch, NV, false>(a, x, W);
  if (x < a.width) {
    const size_t rem = a.width - x;
    const size_t n = (rem + W - 1) / W;
    grouped_ncx::tail_block<Arch, NV>(a, x, n, rem - (n - 1) * W);
  }
}

template <class Arch>
GroupedNcxKernel grouped_ncx_kernel() {
  constexpr size_t pixels = grouped_ncx::tiles<Arch>::vectors * simd<Arch>::width;
  return {kernel_name<Arch, GroupedNcxKind, grouped_ncx::kOutChannels, pixels>.text, &grouped_ncx_line<Arch>,
          grouped_ncx::kOutChannels};
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
