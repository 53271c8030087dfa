#include "addressing/im2col_panels.h"

#include "addressing/ceil_div.h"

#include <algorithm>

namespace ndconv {
namespace dispatch {
namespace {

// Pixels [j, j + len) of a panel: output line `line` from pixel ox on.
struct Run {
  size_t line, ox, len, j;
};

// The panel's pixels [n, n + nr) as runs along output lines of `ow` pixels.
size_t panel_runs(size_t n, size_t nr, size_t ow, Run* runs) {
  size_t run_count = 0;
  for (size_t j = 0, line = n / ow, ox = n % ow; j < nr; ++line, ox = 0) {
    const size_t len = std::min(ow - ox, nr - j);
    runs[run_count++] = {line, ox, len, j};
    j += len;
  }
  return run_count;
}

}  // namespace

ColsPanel Im2colPanels::panel(size_t k0, size_t kc, size_t n, size_t nr, size_t NR,
                              float* scratch) const {
  const ConvShape& s = shape;
  const int inner = s.rank - 1;
  const size_t cin_g = static_cast<size_t>(s.in_channels_per_group());
  const size_t kw = static_cast<size_t>(s.kernel[inner]);
  const int64_t stride = s.stride[inner], dilation = s.dilation[inner];
  const int64_t pad = s.pad_begin[inner], width = s.in_size[inner];
  Run runs[kMaxPanelWidth + 2];
  const size_t run_count = panel_runs(n, nr, static_cast<size_t>(lines.out_width()), runs);

  // Per tap, the geometry of each run (where the copy starts and ends) is
  // the same for all its input channels: computed once, then every
  // channel's row is zeros, a contiguous or strided copy, zeros.
  kernels::PanelRun copies[kMaxPanelWidth + 2];
  kernels::PanelPackArgs pack;
  pack.ld_dst = NR;
  pack.plane = static_cast<size_t>(s.in_pixels());
  pack.runs = copies;
  pack.run_count = run_count;
  pack.stride = static_cast<ptrdiff_t>(stride);
  size_t k = 0;
  while (k < kc) {
    const size_t tap = (k0 + k) / cin_g, ci0 = (k0 + k) % cin_g;
    const size_t channels = std::min(cin_g - ci0, kc - k);
    const size_t outer_tap = tap / kw;
    const int64_t shift = static_cast<int64_t>(tap % kw) * dilation - pad;
    for (size_t r = 0; r < run_count; ++r) {
      const Run& run = runs[r];
      kernels::PanelRun& cp = copies[r];
      cp.j = run.j;
      cp.len = run.len;
      const int64_t line = lines.offset(run.line, outer_tap);
      // Input x of the q-th pixel: x0 + q * stride; valid q in [qa, qb).
      const int64_t x0 = static_cast<int64_t>(run.ox) * stride + shift;
      const int64_t len = static_cast<int64_t>(run.len);
      const int64_t qa = x0 >= 0 ? 0 : std::min(len, ceil_div_nonneg(-x0, stride));
      const int64_t qb = x0 >= width ? 0 : std::min(len, ceil_div_nonneg(width - x0, stride));
      if (line < 0 || qb <= qa) {
        cp.lead = run.len;
        cp.count = 0;
        cp.src = 0;
      } else {
        cp.lead = static_cast<size_t>(qa);
        cp.count = static_cast<size_t>(qb - qa);
        cp.src = line + x0 + qa * stride;
      }
    }
    pack.dst = scratch + k * NR;
    pack.input = input + ci0 * pack.plane;
    pack.channels = channels;
    pack_panel_rows(pack);
    k += channels;
  }
  return {scratch, static_cast<ptrdiff_t>(NR), nullptr};
}

}  // namespace dispatch
}  // namespace ndconv
