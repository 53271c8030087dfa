// Where the indirect GEMM's A rows are, per task: tap t of output pixel
// (GEMM row) m, read through the indirection buffer (addressing/indirection.h)
// from one image and group of the caller's channels-last input. Two sources
// with one interface, which IndirectGemm's block planning is a template over:
//  - PixelRows: a tap is one kernel pixel, read in place;
//  - MergedTapRows: a tap is `span` adjacent kernel pixels along the innermost
//    dim; a run straddling the input border is gathered with zeros into a
//    per-task scratch slot.
// row(m, t): the tap's row (the zero row for padding).
// in_place(m_first, m_last): row() of those rows (and all between) reads the
// input in place, gathering no border run.
// line_rows(m, mr, t, linear, entry, dst, first_row) (merged taps): the rows
// of tap t of a block inside one output line, whether any reads the input.
// prefetch_entries(m, M) (merged taps): fetches row m's entries ahead.
// Inlined into the task loops: these are called per row and tap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "addressing/indirection.h"

namespace ndconv {
namespace dispatch {

class PixelRows {
 public:
  PixelRows(const TapIndirection& ind, const float* base, size_t cin)
      : index_(ind.entries()), zero_(ind.zero_row()), taps_(ind.taps()), base_(base), cin_(cin) {}

  const float* row(size_t m, size_t tap) const {
    const int64_t e = index_[m * taps_ + tap];
    return e == kPaddingTap ? zero_ : base_ + e * static_cast<int64_t>(cin_);
  }
  bool in_place(size_t, size_t) const { return true; }
  bool line_rows(size_t, size_t, size_t, bool, int64_t&, const float**, const float*&) {
    return false;  // (merged taps only)
  }
  void prefetch_entries(size_t, size_t) const {}  // (merged taps only)

 private:
  const int64_t* index_;
  const float* zero_;
  size_t taps_;
  const float* base_;
  size_t cin_;
};

// Merged taps: a run crossing the input border is gathered with zeros into
// the slot of its (row, tap) within the current M block of MR rows (blocks
// start at multiples of MR, so m % MR is the row): `border` holds MR * taps *
// kc_tap floats.
class MergedTapRows {
 public:
  MergedTapRows(const ConvShape& s, const TapIndirection& ind, const float* base, size_t MR,
                size_t kc_tap, float* border)
      : index_(ind.entries()),
        zero_(ind.zero_row()),
        start_(ind.inner_start()),
        taps_(ind.taps()),
        base_(base),
        cin_(static_cast<size_t>(s.in_channels)),
        border_(border),
        width_(s.in_size[s.rank - 1]),
        span_(ind.span()),
        stride_x_(s.stride[s.rank - 1]),
        MR_(MR),
        kc_tap_(kc_tap) {}

  const float* row(size_t m, size_t tap) const {
    const int64_t e = index_[m * taps_ + tap];
    return e == kPaddingTap ? zero_ : row_at(m, tap, e);
  }

  // Fetches row m's entries (one cache line or two: taps x 8 bytes), if
  // m < M, ahead of line_rows reading them.
  void prefetch_entries(size_t m, size_t M) const {
    if (m >= M) return;
    __builtin_prefetch(index_ + m * taps_, 0, 3);
    __builtin_prefetch(index_ + m * taps_ + taps_ - 1, 0, 3);
  }

  // Runs of pixels between these two (in one output line) start between
  // their starts: inside the input when both ends are.
  bool in_place(size_t first, size_t last) const {
    return start_[first] >= 0 && start_[last] + span_ <= width_;
  }

  // The rows of tap `tap` for an M block inside one output line. A run
  // misses the input along the innermost dim by its own start, and along
  // the outer dims for the whole line, so one entry (of a row whose run
  // meets the input) gives every row's: entries along a line are
  // `stride_x` pixels apart. `entry` carries it between the blocks of a
  // line: in, kUnknownEntry, kPaddingTap (the line's outer dims miss), or
  // row m's entry (used if row m's run meets the input); out, the same for
  // row m + mr. Linear blocks (every run in place) return the first row
  // in `first_row` and leave dst alone; others fill dst.
  bool line_rows(size_t m, size_t mr, size_t tap, bool linear, int64_t& entry, const float** dst,
                 const float*& first_row) {
    size_t r = 0;
    int64_t er = entry;
    if (er == kUnknownEntry || (er != kPaddingTap && !hits(m))) {
      while (r < mr && !hits(m + r)) ++r;
      er = r < mr ? index_[(m + r) * taps_ + tap] : kUnknownEntry;
    }
    if (er == kPaddingTap || er == kUnknownEntry) {
      entry = er;
      if (!linear)
        for (size_t i = 0; i < MR_; ++i) dst[i] = zero_;
      return false;
    }
    int64_t next = 0;
    entry = __builtin_mul_overflow(static_cast<int64_t>(mr - r), stride_x_, &next) ||
                    __builtin_add_overflow(er, next, &next)
                ? kUnknownEntry
                : next;
    if (linear) {  // every run in place, so r == 0
      first_row = base_ + er * static_cast<int64_t>(cin_);
      return true;
    }
    return gathered_line_rows(m, mr, tap, r, er, dst);
  }

 private:
  bool hits(size_t m) const { return start_[m] + span_ > 0 && start_[m] < width_; }

  const float* row_at(size_t m, size_t tap, int64_t e) const {
    const int64_t x0 = start_[m];
    if (x0 >= 0 && x0 + span_ <= width_) return base_ + e * static_cast<int64_t>(cin_);
    // Floats [lo, hi) of the run are inside the input: zeros, a copy,
    // zeros, as plain loops (a memcpy or memset per pixel of C_in = 3
    // floats cost more than the gather itself; one loop with a select per
    // float was 3% of the stem).
    float* slot = border_ + ((m % MR_) * taps_ + tap) * kc_tap_;
    const int64_t ci = static_cast<int64_t>(cin_);
    const int64_t lo = (x0 < 0 ? -x0 : 0) * ci;
    const int64_t hi = (x0 + span_ > width_ ? width_ - x0 : span_) * ci;
    const float* src = base_ + e * ci;
    int64_t f = 0;
    for (; f < lo; ++f) slot[f] = 0.0f;
    for (; f < hi; ++f) slot[f] = src[f];
    for (; f < static_cast<int64_t>(kc_tap_); ++f) slot[f] = 0.0f;
    return slot;
  }

  // line_rows of a block with runs that are not in place: `er` is row r's
  // entry (the first row whose run meets the input).
  bool gathered_line_rows(size_t m, size_t mr, size_t tap, size_t r, int64_t er,
                          const float** dst) {
    // Rows [lo, hi) are in place (runs start further right row by row, so
    // they are one range), found once per block: evenly spaced pointers.
    // Only the rows around them are gathered or zero.
    if (range_block_ != m) {
      range_block_ = m;
      range_lo_ = 0;
      while (range_lo_ < mr &&
             !(start_[m + range_lo_] >= 0 && start_[m + range_lo_] + span_ <= width_))
        ++range_lo_;
      range_hi_ = range_lo_;
      while (range_hi_ < mr && start_[m + range_hi_] + span_ <= width_) ++range_hi_;
    }
    bool active = range_lo_ < range_hi_;
    if (active) {  // r <= range_lo: the first in-place row meets the input
      const float* p = base_ + (er + static_cast<int64_t>(range_lo_ - r) * stride_x_) *
                                   static_cast<int64_t>(cin_);
      dst[range_lo_] = p;
      // Two in-place rows lie inside the input, so their spacing fits;
      // with one, a stride far past the input is never multiplied out.
      if (range_hi_ - range_lo_ > 1) {
        const ptrdiff_t step = static_cast<ptrdiff_t>(stride_x_ * static_cast<int64_t>(cin_));
        for (size_t i = range_lo_ + 1; i < range_hi_; ++i)
          dst[i] = p + static_cast<ptrdiff_t>(i - range_lo_) * step;
      }
    }
    for (size_t i = 0; i < mr; ++i) {
      if (i == range_lo_) i = range_hi_;
      if (i >= mr) break;
      const bool hit = i >= r && hits(m + i);
      dst[i] = hit ? row_at(m + i, tap, er + static_cast<int64_t>(i - r) * stride_x_) : zero_;
      active |= hit;
    }
    for (size_t i = mr; i < MR_; ++i) dst[i] = dst[mr - 1];
    return active;
  }

  const int64_t* index_;
  const float* zero_;
  const int64_t* start_;
  size_t taps_;
  const float* base_;
  size_t cin_;
  float* border_;
  int64_t width_, span_, stride_x_;
  size_t MR_, kc_tap_;
  size_t range_block_ = std::numeric_limits<size_t>::max(), range_lo_ = 0, range_hi_ = 0;
};

}  // namespace dispatch
}  // namespace ndconv
