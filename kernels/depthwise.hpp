// Depthwise convolution (groups == C_in, multiplier M = C_out / C_in), one
// output row per call; the contract is DepthwiseParams / DepthwiseRow in
// kernels/kernel_table.h. Dispatch walks the outer spatial dims and passes the
// input rows of the valid outer taps; here we handle the last dim ("width").
//
// Every output pixel is either interior (its whole window along the width is
// inside the input: the fast, branch-free path) or a border pixel (computed
// with only its valid taps). So no element outside the input is ever read,
// and padding taps cost nothing.
//
//  NXC: vectors run across output channels; a block of output pixels keeps
//       its accumulators in registers over all taps. 3-tap, stride-1 rows
//       with M == 1 and at most 3 input rows (the 3x3 layer, see Slide3) run
//       channel blocks outer with their weights held in registers, and reuse
//       each loaded input vector for the three outputs it feeds.
//  NCX: vectors run across output pixels of a row (contiguous in NCX); a
//       weight is broadcast and FMA'd with a shifted input segment. Stride 1
//       only: a strided row would need a gather, so stride > 1 accumulates
//       tap by tap into the output row with compiler-vectorized strided loops
//       (see strided_interior).
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/simd.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {
namespace depthwise {

// A compile-time count, so a generic lambda can unroll over it.
template <int N>
struct Count {
  static constexpr int value = N;
};

// Calls f(Count<n>{}) for a run-time n in [1, Max] (nothing for n == 0).
template <int Max, class F>
inline void with_count(int n, F& f) {
  if constexpr (Max >= 1) {
    if (n == Max)
      f(Count<Max>{});
    else
      with_count<Max - 1>(n, f);
  }
}

// ceil(a / b) for a >= 0, b > 0, without the overflow of (a + b - 1) / b when
// a and b are near INT64_MAX (huge dilations and strides are valid shapes).
inline ptrdiff_t ceil_div(ptrdiff_t a, ptrdiff_t b) { return a / b + (a % b != 0); }

// Taps [*lo, *hi) of a k-tap window that starts at input position `base`
// (negative inside the leading padding) with dilation d, that land in
// [0, extent).
inline void valid_taps(ptrdiff_t base, ptrdiff_t d, ptrdiff_t k, ptrdiff_t extent, ptrdiff_t* lo,
                       ptrdiff_t* hi) {
  ptrdiff_t l = base >= 0 ? 0 : ceil_div(-base, d);
  ptrdiff_t h = base > extent - 1 ? 0 : (extent - 1 - base) / d + 1;
  if (h > k) h = k;
  if (l > h) l = h;
  *lo = l;
  *hi = h;
}

// Output pixels [*xl, *xr) whose whole window lies inside the input row.
inline void interior_range(const DepthwiseParams& p, size_t* xl, size_t* xr) {
  const ptrdiff_t s = static_cast<ptrdiff_t>(p.stride_w);
  const ptrdiff_t pad = static_cast<ptrdiff_t>(p.pad_w);
  const ptrdiff_t span = static_cast<ptrdiff_t>((p.kernel_w - 1) * p.dilation_w);
  const ptrdiff_t w_out = static_cast<ptrdiff_t>(p.out_width);
  ptrdiff_t l = ceil_div(pad, s);  // first x with x*s - pad >= 0
  const ptrdiff_t last = static_cast<ptrdiff_t>(p.in_width) - 1 + pad - span;  // x*s <= last
  ptrdiff_t r = last < 0 ? 0 : last / s + 1;
  if (l > w_out) l = w_out;
  if (r > w_out) r = w_out;
  if (r < l) r = l;
  *xl = static_cast<size_t>(l);
  *xr = static_cast<size_t>(r);
}

struct Bounds {
  float lo, hi;
};
inline Bounds activation_bounds(const Activation& act) {
  if (act.kind == NDCONV_ACT_CLAMP) return {act.min, act.max};
  return {0.0f, __builtin_inff()};  // RELU (NONE never clamps)
}

// ---------------------------------------------------------------- NXC ------

// How the input vector for output channels [o, o + W) is formed.
enum class NxcInput {
  contiguous,  // M == 1: input channel o + l, a plain load
  broadcast,   // M a multiple of W: one input channel for the whole vector
  gather,      // other M: lane l reads input channel (o + l) / M (slow path)
};

template <class Arch, NxcInput kIn, bool kTail>
struct NxcLanes {
  using S = simd<Arch>;
  using vec = typename S::vec;
  static constexpr size_t W = S::width;
  // `px` is an input pixel (its channel 0); n lanes are live.
  static vec input(const float* px, size_t o, size_t m, size_t n) {
    if constexpr (kIn == NxcInput::contiguous) {
      return kTail ? S::load_partial(px + o, n) : S::load(px + o);
    } else if constexpr (kIn == NxcInput::broadcast) {
      return S::set1(px[o / m]);
    } else {
      float lanes[W] = {};
      for (size_t l = 0; l < (kTail ? n : W); ++l) lanes[l] = px[(o + l) / m];
      return kTail ? S::load_partial(lanes, n) : S::load(lanes);
    }
  }
  static vec load(const float* q, size_t n) { return kTail ? S::load_partial(q, n) : S::load(q); }
  static void store(float* q, vec v, size_t n) {
    if (kTail)
      S::store_partial(q, v, n);
    else
      S::store(q, v);
  }
};

// One output row: its constants, and the three ways to compute its pixels
// for output channels [o, o + n) (n == W unless kTail).
template <class Arch, NxcInput kIn, bool kClamp>
struct NxcRow {
  using S = simd<Arch>;
  using vec = typename S::vec;
  template <bool kTail>
  using IO = NxcLanes<Arch, kIn, kTail>;

  const DepthwiseRow& a;
  const float* packed;  // bias row; tap t at packed + (1 + t) * ps
  size_t cout, m, ps;
  ptrdiff_t s, d, k, pad, w_in, cin;
  vec vlo, vhi;

  NxcRow(const DepthwiseParams& p, const DepthwiseRow& row, Bounds bounds)
      : a(row),
        packed(p.packed),
        cout(p.out_channels),
        m(p.multiplier),
        ps(p.packed_stride),
        s(static_cast<ptrdiff_t>(p.stride_w)),
        d(static_cast<ptrdiff_t>(p.dilation_w)),
        k(static_cast<ptrdiff_t>(p.kernel_w)),
        pad(static_cast<ptrdiff_t>(p.pad_w)),
        w_in(static_cast<ptrdiff_t>(p.in_width)),
        cin(static_cast<ptrdiff_t>(p.in_channels)),
        vlo(S::set1(bounds.lo)),
        vhi(S::set1(bounds.hi)) {}

  template <bool kTail>
  vec init(size_t x, size_t o, size_t n) const {
    return a.first ? S::load(packed + o) : IO<kTail>::load(a.output + x * cout + o, n);
  }
  template <bool kTail>
  void finish(size_t x, size_t o, size_t n, vec v) const {
    if (kClamp) v = S::min(vhi, S::max(vlo, v));
    IO<kTail>::store(a.output + x * cout + o, v, n);
  }

  // Any pixel: only its valid taps.
  template <bool kTail>
  void pixel(size_t x, size_t o, size_t n) const {
    vec acc = init<kTail>(x, o, n);
    const ptrdiff_t base = static_cast<ptrdiff_t>(x) * s - pad;
    ptrdiff_t lo, hi;
    valid_taps(base, d, k, w_in, &lo, &hi);
    for (size_t r = 0; r < a.rows; ++r) {
      const float* row = a.input + a.row_offset[r];
      const float* wt = packed + o + (1 + a.row_tap[r]) * ps;
      for (ptrdiff_t kx = lo; kx < hi; ++kx)
        acc = S::fmadd(IO<kTail>::input(row + (base + kx * d) * cin, o, m, n), S::load(wt + kx * ps), acc);
    }
    finish<kTail>(x, o, n, acc);
  }

  // NX interior pixels from x: every tap valid, accumulators in registers.
  template <int NX, bool kTail>
  void block(size_t x, size_t o, size_t n) const {
    vec acc[NX];
#pragma GCC unroll 16
    for (int j = 0; j < NX; ++j) acc[j] = init<kTail>(x + j, o, n);
    const ptrdiff_t base = static_cast<ptrdiff_t>(x) * s - pad;
    for (size_t r = 0; r < a.rows; ++r) {
      const float* row = a.input + a.row_offset[r] + base * cin;
      const float* wt = packed + o + (1 + a.row_tap[r]) * ps;
      for (ptrdiff_t kx = 0; kx < k; ++kx) {
        const vec w = S::load(wt + kx * ps);
        const float* q = row + kx * d * cin;
        // Pixel j's input from q by index, not by advancing q: a pointer one
        // stride past the last pixel may lie outside any object (huge strides).
#pragma GCC unroll 16
        for (int j = 0; j < NX; ++j)
          acc[j] = S::fmadd(IO<kTail>::input(q + j * s * cin, o, m, n), w, acc[j]);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < NX; ++j) finish<kTail>(x + j, o, n, acc[j]);
  }

  // The same for 3 taps, stride 1, dilation 1: input pixel t feeds outputs
  // t, t-1 and t-2 of the block, so each input vector is loaded once per row
  // (NX + 2 loads and 3 weight loads for 3 * NX FMAs).
  template <int NX, bool kTail>
  void block3(size_t x, size_t o, size_t n) const {
    vec acc[NX];
#pragma GCC unroll 16
    for (int j = 0; j < NX; ++j) acc[j] = init<kTail>(x + j, o, n);
    const ptrdiff_t base = static_cast<ptrdiff_t>(x) - pad;
    for (size_t r = 0; r < a.rows; ++r) {
      const float* q = a.input + a.row_offset[r] + base * cin;
      const float* wt = packed + o + (1 + a.row_tap[r]) * ps;
      const vec w0 = S::load(wt), w1 = S::load(wt + ps), w2 = S::load(wt + 2 * ps);
#pragma GCC unroll 16
      for (int t = 0; t < NX + 2; ++t) {
        const vec v = IO<kTail>::input(q, o, m, n);
        q += cin;
        if (t < NX) acc[t] = S::fmadd(v, w0, acc[t]);
        if (t >= 1 && t - 1 < NX) acc[t - 1] = S::fmadd(v, w1, acc[t - 1]);
        if (t >= 2) acc[t - 2] = S::fmadd(v, w2, acc[t - 2]);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < NX; ++j) finish<kTail>(x + j, o, n, acc[j]);
  }
};

// 3 taps, stride 1, dilation 1, M == 1, and R (1..3) input rows, the common
// 3x3 depthwise layer: channel blocks outer, pixels inner. The 3R weight
// vectors and the bias of a channel block stay in registers for the whole
// row, and the pixels slide along it NX at a time: each input vector of each
// row is loaded once and feeds the three outputs it belongs to, into NX
// independent accumulators (enough chains to hide the FMA latency).
template <class Arch, bool kClamp>
struct Slide3 {
  using S = simd<Arch>;
  using vec = typename S::vec;
  using Row = NxcRow<Arch, NxcInput::contiguous, kClamp>;
  template <bool kTail>
  using IO = NxcLanes<Arch, NxcInput::contiguous, kTail>;
  // AVX-512: 8 accumulators + 9 weights + bias + input fit 32 registers.
  // AVX2 / NEON: the weights partly live in L1 (memory-operand FMAs).
  static constexpr int kBlock = S::width >= 16 ? 8 : 4;

  // Loads each input vector into a register once: else GCC folds the load
  // into all three FMAs it feeds (three loads, the load ports the bound).
  static void keep_in_register(vec& v) {
#if defined(__x86_64__) || defined(__i386__)
    // The operand is the native register (clang puts no class, even a
    // one-member xsimd batch, in a register); "v" is any of AVX-512's 32.
    if constexpr (S::width > 1) {
      typename vec::register_type r = v;
      asm("" : "+v"(r));
      v = r;
    }
#else
    (void)v;
#endif
  }

  // Everything one channel block's pixels need, in locals (registers) once
  // inlined: weights, bias, bounds, the R input rows at pixel 0, channel o.
  template <int R>
  struct Regs {
    vec w[R][3];
    vec bias, lo, hi;
    const float* in[R];
    float* out;  // pixel 0, channel o
    ptrdiff_t cin, cout;
    bool first;
  };

  // NX interior pixels from x; `in_x` = x - pad >= 0 is their first input.
  template <int R, int NX, bool kTail>
  __attribute__((always_inline)) static inline void block(const Regs<R>& g, ptrdiff_t x, ptrdiff_t in_x,
                                                          size_t n) {
    vec acc[NX];
    float* out = g.out + x * g.cout;
    asm("" : "+r"(out));
#pragma GCC unroll 16
    for (int j = 0; j < NX; ++j) acc[j] = g.first ? g.bias : IO<kTail>::load(out + j * g.cout, n);
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) {
      const float* q = g.in[r] + in_x * g.cin;
      // An opaque base: else GCC keeps one induction pointer per load (30+
      // general registers, spilled) instead of base + scaled-index addresses.
      asm("" : "+r"(q));
#pragma GCC unroll 16
      for (int t = 0; t < NX + 2; ++t) {
        vec v = IO<kTail>::load(q + t * g.cin, n);
        keep_in_register(v);
        if (t < NX) acc[t] = S::fmadd(v, g.w[r][0], acc[t]);
        if (t >= 1 && t - 1 < NX) acc[t - 1] = S::fmadd(v, g.w[r][1], acc[t - 1]);
        if (t >= 2) acc[t - 2] = S::fmadd(v, g.w[r][2], acc[t - 2]);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < NX; ++j) {
      vec v = acc[j];
      if (kClamp) v = S::min(g.hi, S::max(g.lo, v));
      IO<kTail>::store(out + j * g.cout, v, n);
    }
  }

  // A border pixel (x < xl or x >= xr): only the taps inside the input row,
  // tested per tap (cheap, predictable) rather than valid_taps' divisions.
  template <int R, bool kTail>
  static void edge(const Regs<R>& g, ptrdiff_t x, ptrdiff_t in_x, ptrdiff_t w_in, size_t n) {
    float* out = g.out + x * g.cout;
    vec acc = g.first ? g.bias : IO<kTail>::load(out, n);
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
      for (int k = 0; k < 3; ++k) {
        const ptrdiff_t i = in_x + k;
        if (i >= 0 && i < w_in) acc = S::fmadd(IO<kTail>::load(g.in[r] + i * g.cin, n), g.w[r][k], acc);
      }
    }
    if (kClamp) acc = S::min(g.hi, S::max(g.lo, acc));
    IO<kTail>::store(out, acc, n);
  }

  // Every pixel of the row for output channels [o, o + n).
  template <int R, bool kTail>
  static void channel_block(const Row& row, size_t o, size_t n, size_t xl, size_t xr, size_t w_out) {
    const DepthwiseRow& a = row.a;
    Regs<R> g;
#pragma GCC unroll 3
    for (int r = 0; r < R; ++r) {
      const float* wt = row.packed + o + (1 + a.row_tap[r]) * row.ps;
      g.w[r][0] = S::load(wt);
      g.w[r][1] = S::load(wt + row.ps);
      g.w[r][2] = S::load(wt + 2 * row.ps);
      g.in[r] = a.input + a.row_offset[r] + o;
    }
    g.bias = S::load(row.packed + o);
    g.lo = row.vlo;
    g.hi = row.vhi;
    g.out = a.output + o;
    g.cin = row.cin;
    g.cout = static_cast<ptrdiff_t>(row.cout);
    g.first = a.first;
    const ptrdiff_t pad = row.pad, end = static_cast<ptrdiff_t>(xr);
    for (ptrdiff_t x = 0; x < static_cast<ptrdiff_t>(xl); ++x) edge<R, kTail>(g, x, x - pad, row.w_in, n);
    ptrdiff_t x = static_cast<ptrdiff_t>(xl);
    for (; x + kBlock <= end; x += kBlock) block<R, kBlock, kTail>(g, x, x - pad, n);
    switch (end - x) {  // the last 0 .. kBlock - 1 interior pixels
#define NDCONV_SLIDE3_REST(NX) \
  case NX:                     \
    if constexpr (NX < kBlock) block<R, NX, kTail>(g, x, x - pad, n); \
    break;
      NDCONV_SLIDE3_REST(1)
      NDCONV_SLIDE3_REST(2)
      NDCONV_SLIDE3_REST(3)
      NDCONV_SLIDE3_REST(4)
      NDCONV_SLIDE3_REST(5)
      NDCONV_SLIDE3_REST(6)
      NDCONV_SLIDE3_REST(7)
      NDCONV_SLIDE3_REST(8)
      NDCONV_SLIDE3_REST(9)
      NDCONV_SLIDE3_REST(10)
      NDCONV_SLIDE3_REST(11)
#undef NDCONV_SLIDE3_REST
      default:
        break;
    }
    for (x = end; x < static_cast<ptrdiff_t>(w_out); ++x) edge<R, kTail>(g, x, x - pad, row.w_in, n);
  }

  template <int R>
  static void run(const DepthwiseParams& p, const DepthwiseRow& a, Bounds bounds) {
    constexpr size_t W = S::width;
    const Row row(p, a, bounds);
    size_t xl, xr;
    interior_range(p, &xl, &xr);
    const size_t full_end = a.channel_begin + (a.channel_end - a.channel_begin) / W * W;
    const size_t tail = a.channel_end - full_end;
    for (size_t o = a.channel_begin; o < full_end; o += W)
      channel_block<R, false>(row, o, W, xl, xr, p.out_width);
    if (tail) channel_block<R, true>(row, full_end, tail, xl, xr, p.out_width);
  }
};

// Pixel blocks outer, channel blocks inner: a block of pixels reads a few
// contiguous input spans (all channels of its window), which stream well and
// stay in L1 across the channel blocks.
template <class Arch, NxcInput kIn, bool kClamp>
void nxc_row(const DepthwiseParams& p, const DepthwiseRow& a, Bounds bounds) {
  constexpr size_t W = simd<Arch>::width;
  // Pixels per register block: accumulators + the taps' weights + one input
  // stay within 16 registers (AVX2) / comfortably within 32 (AVX-512).
  constexpr int kBlock = 8;
  if constexpr (kIn == NxcInput::contiguous) {
    if (p.kernel_w == 3 && p.stride_w == 1 && p.dilation_w == 1 && a.rows >= 1 && a.rows <= 3) {
      using Slide = Slide3<Arch, kClamp>;
      if (a.rows == 3)
        Slide::template run<3>(p, a, bounds);
      else if (a.rows == 2)
        Slide::template run<2>(p, a, bounds);
      else
        Slide::template run<1>(p, a, bounds);
      return;
    }
  }
  using Row = NxcRow<Arch, kIn, kClamp>;
  const Row row(p, a, bounds);
  const size_t full_end = a.channel_begin + (a.channel_end - a.channel_begin) / W * W;
  const size_t tail = a.channel_end - full_end;
  // f(o, n, Count<is tail>) for every channel block of the range.
  auto channel_blocks = [&](auto f) {
    for (size_t o = a.channel_begin; o < full_end; o += W) f(o, W, Count<0>{});
    if (tail) f(full_end, tail, Count<1>{});
  };

  size_t xl, xr;
  interior_range(p, &xl, &xr);
  for (size_t x = 0; x < xl; ++x)
    channel_blocks([&](size_t o, size_t n, auto t) { row.template pixel<decltype(t)::value != 0>(x, o, n); });
  const bool sliding = kIn == NxcInput::contiguous && p.kernel_w == 3 && p.stride_w == 1 && p.dilation_w == 1;
  size_t x = xl;
  auto blocks = [&](auto count) {
    constexpr int NX = decltype(count)::value;
    channel_blocks([&](size_t o, size_t n, auto t) {
      constexpr bool kTail = decltype(t)::value != 0;
      if (sliding)
        row.template block3<NX, kTail>(x, o, n);
      else
        row.template block<NX, kTail>(x, o, n);
    });
  };
  for (; x + kBlock <= xr; x += kBlock) blocks(Count<kBlock>{});
  with_count<kBlock - 1>(static_cast<int>(xr - x), blocks);
  for (x = xr; x < p.out_width; ++x)
    channel_blocks([&](size_t o, size_t n, auto t) { row.template pixel<decltype(t)::value != 0>(x, o, n); });
}

template <class Arch, bool kClamp>
void nxc_row_for_input(const DepthwiseParams& p, const DepthwiseRow& a, Bounds bounds) {
  constexpr size_t W = simd<Arch>::width;
  if (p.multiplier == 1)
    nxc_row<Arch, NxcInput::contiguous, kClamp>(p, a, bounds);
  else if (p.multiplier % W == 0)
    nxc_row<Arch, NxcInput::broadcast, kClamp>(p, a, bounds);
  else
    nxc_row<Arch, NxcInput::gather, kClamp>(p, a, bounds);
}

// ---------------------------------------------------------------- NCX ------

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

// Output channel o of the row.
template <class Arch, bool kClamp>
void ncx_channel_row(const DepthwiseParams& p, const DepthwiseRow& a, size_t o, size_t xl,
                     size_t xr, Bounds bounds) {
  using S = simd<Arch>;
  using vec = typename S::vec;
  using S1 = simd<scalar_arch>;
  constexpr size_t W = S::width;
  // Vectors per register block: enough independent FMA chains to cover the
  // FMA latency (4 cycles x 2 pipes of 8 lanes on AVX2 and Zen 4's AVX-512).
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

  // NV vectors of interior pixels from x (stride 1); if `partial`, the last
  // one has n_last lanes (masked: nothing past the row's interior is read).
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

template <class Arch>
void depthwise_nxc_row(const DepthwiseParams& p, const DepthwiseRow& a) {
  const bool clamp = a.last && p.act.kind != NDCONV_ACT_NONE;
  const depthwise::Bounds bounds = depthwise::activation_bounds(p.act);
  if (clamp)
    depthwise::nxc_row_for_input<Arch, true>(p, a, bounds);
  else
    depthwise::nxc_row_for_input<Arch, false>(p, a, bounds);
}

template <class Arch>
void depthwise_ncx_row(const DepthwiseParams& p, const DepthwiseRow& a) {
  const bool clamp = a.last && p.act.kind != NDCONV_ACT_NONE;
  const depthwise::Bounds bounds = depthwise::activation_bounds(p.act);
  if (clamp)
    depthwise::ncx_row<Arch, true>(p, a, bounds);
  else
    depthwise::ncx_row<Arch, false>(p, a, bounds);
}

}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
