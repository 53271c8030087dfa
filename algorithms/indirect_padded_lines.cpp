#include "algorithms/indirect_padded_lines.h"

namespace ndconv {
namespace dispatch {
namespace {

// One M block's taps (kernel rows): a pointer per tap for the strided
// kernel, or MR row pointers per tap for the pointer kernel, and the runs of
// taps that read the input (the others read only the top or bottom padding).
struct PaddedBlock {
  const float* first[kMaxPaddedTaps];
  const float* a[kMaxPaddedTaps * kMaxPaddedMR];
  uint32_t run_t0[kMaxPaddedTaps], run_tn[kMaxPaddedTaps];
  size_t runs = 0;
  bool strided = false;
};

// Plans block [m, m + mr): tap ky of pixel (oy, ox) reads padded row
// oy * stride - pad + ky * dilation (when inside the input) from float
// ox * stride[1] * C_in.
void plan_block(const PaddedLinesTask& x, PaddedRowRing& ring, size_t m, size_t mr, bool strided,
                PaddedBlock& b) {
  const ConvShape& s = *x.s;
  const size_t MR = x.rows_uk->mr, taps = static_cast<size_t>(s.kernel[0]);
  const size_t out_w = static_cast<size_t>(s.out_size[1]);
  // Only multiplied by ox < out_w: with one pixel per line the stride may
  // be near INT64_MAX (the fuzzer) and is never used.
  const ptrdiff_t step = out_w > 1 ? static_cast<ptrdiff_t>(s.stride[1] * s.in_channels) : 0;
  b.runs = 0;
  b.strided = strided;
  bool in_run = false;
  for (size_t t = 0; t < taps; ++t) {
    bool active = false;
    if (strided) {
      const int64_t iy = static_cast<int64_t>(m / out_w) * s.stride[0] - s.pad_begin[0] +
                         static_cast<int64_t>(t) * s.dilation[0];
      active = iy >= 0 && iy < s.in_size[0];
      if (active) b.first[t] = ring.row(iy) + static_cast<ptrdiff_t>(m % out_w) * step;
    } else {
      for (size_t i = 0; i < MR; ++i) {
        const size_t r = m + std::min(i, mr - 1);  // rows past mr repeat the last
        const int64_t iy = static_cast<int64_t>(r / out_w) * s.stride[0] - s.pad_begin[0] +
                           static_cast<int64_t>(t) * s.dilation[0];
        const bool hit = iy >= 0 && iy < s.in_size[0];
        b.a[t * MR + i] = hit ? ring.row(iy) + static_cast<ptrdiff_t>(r % out_w) * step : x.zero;
        active |= hit;
      }
    }
    if (!active) {
      in_run = false;
      continue;
    }
    if (in_run) {
      ++b.run_tn[b.runs - 1];
    } else {
      b.run_t0[b.runs] = static_cast<uint32_t>(t);
      b.run_tn[b.runs++] = 1;
    }
    in_run = true;
  }
  if (b.runs == 0) {  // only padding: bias and activation, through zero rows
    for (size_t i = 0; i < MR; ++i) b.a[i] = x.zero;
    b.run_t0[0] = 0;
    b.run_tn[0] = 1;
    b.runs = 1;
    b.strided = false;
  }
}

// Fetches the next block's C rows for writing while this one computes (as
// indirect-gemm's own loop: the stem's output lives in L3 or memory).
void prefetch_c(const PaddedLinesTask& x, size_t m, size_t m1, size_t n0, size_t n1, float* c,
                size_t ldc) {
  const size_t MR = x.rows_uk->mr;
  if (m + MR >= m1) return;
  for (size_t i = 0; i < std::min(MR, m1 - m - MR); ++i) {
    const float* crow = c + (m + MR + i) * ldc;
    for (size_t col = n0; col < n1; col += x.line_floats) __builtin_prefetch(crow + col, 1, 3);
    __builtin_prefetch(crow + n1 - 1, 1, 3);
  }
}

// Fetches this block's share of the input rows the next output line adds to
// the ring (rows [oy * stride + ext, (oy + 1) * stride + ext) - pad), spread
// over the line's blocks: copied into the ring without it, the rows came
// from L3 or memory inside the copy (the stem: 4% of its time).
void prefetch_next_rows(const PaddedLinesTask& x, const float* image, size_t m) {
  const ConvShape& s = *x.s;
  const size_t MR = x.rows_uk->mr, out_w = static_cast<size_t>(s.out_size[1]);
  const int64_t oy = static_cast<int64_t>(m / out_w);
  const int64_t ext = (s.kernel[0] - 1) * s.dilation[0] + 1;
  const int64_t lo = std::max<int64_t>(0, oy * s.stride[0] - s.pad_begin[0] + ext);
  const int64_t hi = std::min<int64_t>(s.in_size[0], (oy + 1) * s.stride[0] - s.pad_begin[0] + ext);
  if (lo >= hi) return;
  const size_t row = static_cast<size_t>(s.in_size[1] * s.in_channels);
  const size_t floats = static_cast<size_t>(hi - lo) * row;
  const size_t blocks = (out_w + MR - 1) / MR, j = m % out_w / MR;
  if (j >= blocks) return;  // (blocks across lines: j may run past the line)
  const float* src = image + static_cast<size_t>(lo) * row;
  const size_t f1 = floats * (j + 1) / blocks;
  for (size_t f = floats * j / blocks; f < f1; f += x.line_floats)
    __builtin_prefetch(src + f, 0, 3);
}

}  // namespace

void padded_lines_task(const PaddedLinesTask& x, const float* image, float* scratch, size_t m0,
                       size_t m1, size_t n0, size_t n1, float* c, size_t ldc) {
  const ConvShape& s = *x.s;
  const kernels::GemmRowsKernel& uk = *x.rows_uk;
  const kernels::GemmRowsStridedKernel& suk = *x.strided_uk;
  const size_t MR = uk.mr, NR = uk.nr;
  const size_t M = static_cast<size_t>(s.out_pixels()), N = static_cast<size_t>(s.out_channels);
  const size_t out_w = static_cast<size_t>(s.out_size[1]);
  const bool have_strided = suk.fn != nullptr && suk.mr == MR && suk.nr == NR;
  PaddedRowRing ring(*x.lines, image, scratch);
  PaddedBlock b;
  kernels::GemmRowsArgs args;
  args.kc = x.kc_tap;
  args.out = x.out;
  kernels::GemmRowsStridedArgs sargs;
  // Strided blocks lie inside one output line, so only when a line has more
  // than one pixel; then (out_w - 1) strides fit the input's width. With one
  // pixel per line the stride may be near INT64_MAX (the fuzzer): unused.
  sargs.lda = out_w > 1 ? static_cast<ptrdiff_t>(s.stride[1] * s.in_channels) : 0;
  sargs.kc = x.kc_tap;
  sargs.out = x.out;
  for (size_t m = m0; m < m1; m += MR) {
    const size_t mr = std::min(MR, M - m);
    // Full blocks inside one output line: evenly spaced rows.
    const bool strided = have_strided && mr == MR && m % out_w + MR <= out_w;
    plan_block(x, ring, m, mr, strided, b);
    prefetch_c(x, m, m1, n0, n1, c, ldc);
    if (n0 == 0) prefetch_next_rows(x, image, m);  // (one N task of the line does)
    for (size_t n = n0; n < n1; n += NR) {
      const float* panel = x.packed->rows(0, n / NR);
      const float* bias = x.packed->bias(0, n / NR);
      const size_t nr = std::min(NR, N - n);
      for (size_t k = 0; k < b.runs; ++k) {
        auto fill = [&](auto& a) {
          a.taps = b.run_tn[k];
          a.b = panel + b.run_t0[k] * x.kc_tap * NR;
          a.bias = bias;
          a.mr = mr;
          a.nr = nr;
          a.out.c = c + m * ldc + n;
          a.out.accumulate = k != 0;
          a.out.clamp = x.out.clamp && k + 1 == b.runs;
        };
        if (b.strided) {
          sargs.a = b.first + b.run_t0[k];
          fill(sargs);
          suk.fn(sargs);
        } else {
          args.a = b.a + b.run_t0[k] * MR;
          fill(args);
          uk.fn(args);
        }
      }
    }
  }
}

}  // namespace dispatch
}  // namespace ndconv
