// The channels-last (NXC) depthwise row kernel: vectors run across output
// channels (see kernels/depthwise.hpp).
#pragma once

#include "kernels/depthwise_common.hpp"

namespace ndconv {
namespace kernels {
namespace NDCONV_KERNEL_NS {
namespace depthwise {

// How the input vector for output channels [o, o + W) is formed.
enum class NxcInput {
  contiguous,  // M == 1: input channel o + l, a plain load
  broadcast,   // M a multiple of W: one input channel for the whole vector
  repeat,      // M = 2, 4, 8 < W: W / M input channels, each repeated M times
               // in register (one permute per input vector)
  gather,      // other M: lane l reads input channel (o + l) / M (slow path)
};

// m is a power of two here.
inline unsigned log2_of(size_t m) {
  unsigned shift = 0;
  while ((size_t{1} << shift) < m) ++shift;
  return shift;
}

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
    } else if constexpr (kIn == NxcInput::repeat) {
      // Only the input channels the lanes use are read (o is a multiple of W,
      // so of m): no byte past the pixel's last channel.
      const size_t used = kTail ? (n + m - 1) / m : W / m;
      return S::repeat_lanes(S::load_partial(px + o / m, used), log2_of(m));
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
  size_t prefetch;

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
        vhi(S::set1(bounds.hi)),
        prefetch(p.prefetch_pixels) {}

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
    ptrdiff_t prefetch;  // DepthwiseParams::prefetch_pixels
    ptrdiff_t w_in, w_out;
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
    // The lines no earlier row brought into the caches: the last input row
    // (the one this output row is the first to read) and the output, for
    // writing. One cache line per pixel and channel block; the hardware
    // prefetchers miss them (a stride of C_in floats per pixel).
    // (Only inside the rows: no pointer past the tensors is formed.)
    if (g.prefetch && x + g.prefetch + NX <= g.w_out && in_x + g.prefetch + NX <= g.w_in) {
      const float* q = g.in[R - 1] + (in_x + g.prefetch) * g.cin;
      float* o = out + g.prefetch * g.cout;
#pragma GCC unroll 16
      for (int j = 0; j < NX; ++j) {
        __builtin_prefetch(q + j * g.cin, 0, 3);
        __builtin_prefetch(o + j * g.cout, 1, 3);
      }
    }
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
    g.prefetch = static_cast<ptrdiff_t>(row.prefetch);
    g.w_in = row.w_in;
    g.w_out = static_cast<ptrdiff_t>(w_out);
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
  else if (p.multiplier < W && (p.multiplier & (p.multiplier - 1)) == 0)
    nxc_row<Arch, NxcInput::repeat, kClamp>(p, a, bounds);
  else
    nxc_row<Arch, NxcInput::gather, kClamp>(p, a, bounds);
}

}  // namespace depthwise
}  // namespace NDCONV_KERNEL_NS
}  // namespace kernels
}  // namespace ndconv
