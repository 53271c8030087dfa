// The channels-first (NCX) depthwise row kernel: vectors run across output
// pixels of a row (see kernels/depthwise.hpp).
#pragma once

#include "kernels/depthwise_common.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {
namespace depthwise {

// Interior pixels [xl, xr) of an NCX row with stride > 1 (kStride, or
// p.stride_w when kStride is 0). The output row itself is the accumulator: one
// pass per tap, each a plain loop over pixels with a strided input read that
// the compiler vectorizes for this ISA (permutes for stride 2, gathers
// otherwise) -- simpler than a hand-written deinterleave and measured faster
// than the per-pixel loop.
template <int kStride>
void strided_interior(const DepthwiseParams& p, const DepthwiseRow& a, const float* plane,
                      float* out, const float* wt, size_t xl, size_t xr, Bounds bounds, bool clamp) {
  using S1 = simd<scalar_arch>;
  const ptrdiff_t s = kStride ? kStride : static_cast<ptrdiff_t>(p.stride_w);
  const ptrdiff_t d = static_cast<ptrdiff_t>(p.dilation_w);
  const ptrdiff_t pad = static_cast<ptrdiff_t>(p.pad_w);
  // An empty interior can start at xl = out_width, where xl * s - pad is far
  // outside the row (huge strides): no pointer may be formed from it (UB).
  if (xr <= xl) return;
  const size_t n = xr - xl;
  float* __restrict acc = out + xl;
  if (a.first)
    for (size_t i = 0; i < n; ++i) acc[i] = wt[0];
  for (size_t r = 0; r < a.rows; ++r) {
    const float* row = plane + a.row_offset[r] + static_cast<ptrdiff_t>(xl) * s - pad;
    const float* w = wt + 1 + a.row_tap[r];
    for (size_t kx = 0; kx < p.kernel_w; ++kx) {
      const float wk = w[kx];
      const float* __restrict src = row + static_cast<ptrdiff_t>(kx) * d;
      for (size_t i = 0; i < n; ++i) acc[i] += src[static_cast<ptrdiff_t>(i) * s] * wk;
    }
  }
  if (clamp)
    for (size_t i = 0; i < n; ++i) acc[i] = S1::min(bounds.hi, S1::max(bounds.lo, acc[i]));
}

// Output channel o of the row: border pixels with only their valid taps
// (`pixel`), interior ones NV vectors at a time from x at stride 1 (`block`;
// if `partial`, the last vector has n_last lanes, masked: nothing past the
// row's interior is read), or by strided_interior. kBlock, the vectors per
// register block: enough independent FMA chains to cover the FMA latency (4
// cycles x 2 pipes of 8 lanes on AVX2 and Zen 4's AVX-512).
template <class Arch, bool kClamp>
void ncx_channel_row(const DepthwiseParams& p, const DepthwiseRow& a, size_t o, size_t xl,
                     size_t xr, Bounds bounds) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  using S1 = simd<scalar_arch>;
  constexpr size_t W = S::width;
  constexpr int kBlock = W >= 16 ? 4 : 8;
  const float* plane = a.input + (o / p.multiplier) * p.in_plane;
  float* out = a.output + o * p.out_plane;
  const float* wt = p.packed + o * p.packed_stride;
  const float bias = wt[0];
  const float* taps = wt + 1;
  const ptrdiff_t s = static_cast<ptrdiff_t>(p.stride_w), d = static_cast<ptrdiff_t>(p.dilation_w);
  const ptrdiff_t k = static_cast<ptrdiff_t>(p.kernel_w), pad = static_cast<ptrdiff_t>(p.pad_w);
  const ptrdiff_t w_in = static_cast<ptrdiff_t>(p.in_width);
  auto pixel = [&](size_t x) {
    float acc = a.first ? bias : out[x];
    const ptrdiff_t base = static_cast<ptrdiff_t>(x) * s - pad;
    ptrdiff_t lo, hi;
    valid_taps(base, d, k, w_in, &lo, &hi);
    for (size_t r = 0; r < a.rows; ++r) {
      // base may be far inside the padding: index from the row's start, never
      // form row + base (a pointer outside the tensor is UB even unread).
      const float* row = plane + a.row_offset[r];
      const float* w = taps + a.row_tap[r];
      for (ptrdiff_t kx = lo; kx < hi; ++kx) acc += row[base + kx * d] * w[kx];
    }
    if (kClamp) acc = S1::min(bounds.hi, S1::max(bounds.lo, acc));
    out[x] = acc;
  };

  const vec vlo = S::set1(bounds.lo), vhi = S::set1(bounds.hi);
  auto block = [&](auto count, auto partial, size_t x, size_t n_last) {
    constexpr int NV = decltype(count)::value;
    constexpr bool kPartial = decltype(partial)::value != 0;
    auto ld = [&](const float* q, int j) {
      return (kPartial && j == NV - 1) ? S::load_partial(q, n_last) : S::load(q);
    };
    vec acc[NV];
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) acc[j] = a.first ? S::set1(bias) : ld(out + x + j * W, j);
    for (size_t r = 0; r < a.rows; ++r) {
      const float* row = plane + a.row_offset[r] + (static_cast<ptrdiff_t>(x) - pad);
      const float* w = taps + a.row_tap[r];
      for (ptrdiff_t kx = 0; kx < k; ++kx) {
        const vec wv = S::set1(w[kx]);
        const float* q = row + kx * d;
#pragma GCC unroll 16
        for (int j = 0; j < NV; ++j) acc[j] = S::fmadd(ld(q + j * W, j), wv, acc[j]);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < NV; ++j) {
      vec v = acc[j];
      if (kClamp) v = S::min(vhi, S::max(vlo, v));
      if (kPartial && j == NV - 1)
        S::store_partial(out + x + j * W, v, n_last);
      else
        S::store(out + x + j * W, v);
    }
  };

  for (size_t x = 0; x < xl; ++x) pixel(x);
  if (s == 1) {
    size_t x = xl;
    for (; x + kBlock * W <= xr; x += kBlock * W) block(Count<kBlock>{}, Count<0>{}, x, W);
    if (x < xr) {
      const size_t rem = xr - x;
      const size_t nv = (rem + W - 1) / W;
      const size_t n_last = rem - (nv - 1) * W;
      auto rest = [&](auto count) { block(count, Count<1>{}, x, n_last); };
      with_count<kBlock>(static_cast<int>(nv), rest);
    }
  } else if (s == 2) {
    strided_interior<2>(p, a, plane, out, wt, xl, xr, bounds, kClamp);
  } else {
    strided_interior<0>(p, a, plane, out, wt, xl, xr, bounds, kClamp);
  }
  for (size_t x = xr; x < p.out_width; ++x) pixel(x);
}

template <class Arch, bool kClamp>
void ncx_row(const DepthwiseParams& p, const DepthwiseRow& a, Bounds bounds) {
  size_t xl, xr;
  interior_range(p, &xl, &xr);
  for (size_t o = a.channel_begin; o < a.channel_end; ++o)
    ncx_channel_row<Arch, kClamp>(p, a, o, xl, xr, bounds);
}

}  // namespace depthwise
}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
