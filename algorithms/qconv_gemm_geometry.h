// The int8 GEMM algorithms' geometry (algorithms/qconv_gemm.h): what each
// of pointwise, n-gram and indirect hands the one GEMM algorithm
// (algorithms/qconv_gemm.cpp): where A's rows come from, taps x kc bytes of
// K per output pixel, merged taps. The shape rules that choose it are in
// algorithms/qconv_gemm_plans.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "plan/qalgorithm.h"

namespace ndconv {
namespace dispatch {

enum class RowSource {
  kStrided,      // row of output pixel p: image + p * row_stride (pointwise stride 1, n-gram)
  kIndirection,  // through TapIndirection entries (strided pointwise, general)
};

struct QGemmGeometry {
  const char* name;         // "int8-indirect-gemm"
  RowSource source;
  size_t taps, kc;          // K = taps x kc bytes per output pixel
  int64_t row_stride;       // kStrided: bytes between the rows of consecutive output pixels
  int64_t m;                // output pixels per image
  int64_t span = 1;         // kIndirection: kernel pixels merged into one tap (innermost dim)
  bool narrow_tile = false;  // a one-vector tile for one vector of outputs (rows_kernel)
};

// Merged taps (int8-indirect-gemm, span > 1): a row whose run of `span`
// input pixels straddles the input border is gathered, zero-point bytes
// outside, into a stack slot per (row, tap) of the M tile: MR x taps x kc
// bytes at most this (the stem: 8 x 7 x 21).
constexpr size_t kBorderScratchBytes = 8192;

// The int8 GEMM plan of `geo` (the AMX sibling of in.table where the core
// has it and the rows fit its scratch), or nullptr where the level has no
// GEMM kernel or the rows need more pointers than a tile holds (the
// reference takes the shape).
std::unique_ptr<QAlgorithm> make_qgemm_algorithm(const QPlanInputs& in, const QGemmGeometry& geo,
                                                 ndconv_status* status);

}  // namespace dispatch
}  // namespace ndconv
