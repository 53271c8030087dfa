#include "addressing/pointwise_panels.h"

namespace ndconv {
namespace dispatch {
namespace {

size_t gcd(size_t a, size_t b) {
  while (b) {
    const size_t r = a % b;
    a = b;
    b = r;
  }
  return a;
}

}  // namespace

// Row starts repeat modulo one way (tuning.l1_way_bytes, 4096), at
// way / gcd(stride, way) distinct offsets, each offset's rows sharing sets:
// ceil(kc / offsets) lines per set, at most
// tuning.pointwise_max_panel_lines_per_set (8) to stay in place.
// (The panel as a whole fits L1: kc is sized so that kc x NR floats take 32
// KiB.) Measured (AVX-512, Zen 5, one thread): pw_res2_reduce, 56x56 pixels
// (stride 12544 B: 16 offsets, 8 rows each of a 128-row panel): 0.86x oneDNN
// with the copy, 0.96x in place; pw_seq_ffn, 128 pixels (512 B: 8 offsets,
// 32 rows each of a 256-row panel): the copy keeps it at 1.0x.
bool in_place_panel_aliases(size_t ldb, size_t kc, const Tuning& tuning) {
  const size_t way = tuning.l1_way_bytes;
  const size_t stride = ldb * sizeof(float) % way;
  const size_t offsets = way / gcd(stride, way);
  return (kc + offsets - 1) / offsets > tuning.pointwise_max_panel_lines_per_set;
}

// The panel's pixels as runs whose input pixels are last_stride apart (one
// per output row it spans), each row of every run copied with the ISA's
// strided copy (AVX-512: a two-source permute per 16 floats at stride 2)
// instead of one scalar gather per float.
void PointwisePanels::gather_panel(const float* first_row, size_t kc, size_t n, size_t nr,
                                   size_t NR, float* scratch) const {
  kernels::PanelRun runs[kMaxNR];
  size_t count = 0;
  for (size_t j = 0; j < nr;) {
    size_t end = j + 1;
    while (end < nr && gather[n + end] - gather[n + end - 1] == last_stride) ++end;
    runs[count].j = j;
    runs[count].lead = 0;
    runs[count].count = runs[count].len = end - j;
    runs[count].src = static_cast<ptrdiff_t>(gather[n + j]);
    ++count;
    j = end;
  }
  kernels::PanelPackArgs args;
  args.dst = scratch;
  args.ld_dst = NR;
  args.input = first_row;
  args.plane = static_cast<size_t>(ldb);
  args.channels = kc;
  args.runs = runs;
  args.run_count = count;
  args.stride = last_stride;
  pack(args);
}

void PointwisePanels::copy_panel(const float* first_row, size_t kc, size_t n, size_t nr, size_t NR,
                                 float* scratch) const {
  copy(first_row + n, ldb, kc, nr, NR, scratch);
  // The next N panel's rows (same K block), to L1 and so to L2, where they
  // stay until the copy reads them: the rows are a page apart and the copy
  // would otherwise wait on L3 for each (AVX2 pw_res2_reduce NCX, 4 x 24
  // tiles, copied panels: ~97 -> ~103 GFLOP/s).
  if (n + NR < n_end) {
    const size_t next_nr = n_end - (n + NR) < NR ? n_end - (n + NR) : NR;
    for (size_t k = 0; k < kc; ++k) {
      const float* p = first_row + static_cast<ptrdiff_t>(k) * ldb + static_cast<ptrdiff_t>(n + NR);
      for (size_t j = 0; j < next_nr; j += 16) __builtin_prefetch(p + j);
      __builtin_prefetch(p + next_nr - 1);
    }
  }
}

}  // namespace dispatch
}  // namespace ndconv
