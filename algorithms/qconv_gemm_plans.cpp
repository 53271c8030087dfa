// Which int8 convolutions each GEMM form takes, and the geometry it hands
// the one GEMM algorithm (algorithms/qconv_gemm_geometry.h).
#include <cstddef>
#include <cstdint>

#include "algorithms/qconv_gemm.h"
#include "algorithms/qconv_gemm_geometry.h"
#include "algorithms/qgemm_tile_choice.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

// The innermost kernel dim's taps merge into one of kernel[last] x C_in
// contiguous bytes when its input run is contiguous (dilation 1, one group)
// and C_in is small (Tuning::indirect_merge_max_channels, the float rule):
// the stem's 49 taps of K = 3 (each padded to a vpdpbusd group of 4, a
// pointer load per 3 bytes) become 7 of K = 21 (6 groups).
int64_t merged_span(const ConvShape& s, size_t mr) {
  const int inner = s.rank - 1;
  if (s.groups != 1 || s.dilation[inner] != 1 || s.kernel[inner] == 1 ||
      s.in_channels > static_cast<int64_t>(tuning().indirect_merge_max_channels))
    return 1;
  // mr x taps x kc <= kBorderScratchBytes, by divisions (no product of
  // the shape's extents can overflow).
  const size_t bound = kBorderScratchBytes / mr;
  const size_t taps = static_cast<size_t>(s.kernel_taps() / s.kernel[inner]);
  if (s.kernel[inner] > static_cast<int64_t>(bound) || taps > bound) return 1;
  const size_t kc = static_cast<size_t>(s.kernel[inner] * s.in_channels);
  return kc <= bound / taps ? s.kernel[inner] : 1;
}

}  // namespace

std::unique_ptr<QAlgorithm> make_qpointwise_algorithm(const QPlanInputs& in, ndconv_status* status) {
  const ConvShape& s = in.params->shape.conv;
  if (!s.is_pointwise() || s.is_depthwise()) return nullptr;
  const bool unit_stride = !s.has_stride();
  QGemmGeometry geo{"int8-pointwise-gemm", unit_stride ? RowSource::kStrided : RowSource::kIndirection,
                    1, static_cast<size_t>(s.in_channels_per_group()), s.in_channels, s.out_pixels()};
  geo.narrow_tile = true;
  return make_qgemm_algorithm(with_gemm_table(in), geo, status);
}

std::unique_ptr<QAlgorithm> make_qngram_algorithm(const QPlanInputs& in, ndconv_status* status) {
  const ConvShape& s = in.params->shape.conv;
  if (s.groups != 1 || s.has_padding() || s.kernel_taps() == 1) return nullptr;
  int64_t trailing = 1;  // pixels of one input "line": every dim after the first
  for (int d = 0; d < s.rank; ++d) {
    if (s.dilation[d] != 1) return nullptr;
    if (d > 0 && s.kernel[d] != s.in_size[d]) return nullptr;
    if (d > 0) trailing *= s.in_size[d];
  }
  // One output row never steps: the stride may then be anything up to
  // INT64_MAX and its product would overflow (the fuzzer found it). With more
  // rows, stride * (rows - 1) < in_size[0], so the product fits.
  const int64_t row_stride = s.out_size[0] == 1 ? 0 : s.stride[0] * trailing * s.in_channels;
  const QGemmGeometry geo{"int8-ngram-gemm", RowSource::kStrided, 1,
                          static_cast<size_t>(s.kernel_taps() * s.in_channels), row_stride,
                          s.out_size[0]};
  return make_qgemm_algorithm(with_gemm_table(in), geo, status);
}

std::unique_ptr<QAlgorithm> make_qindirect_algorithm(const QPlanInputs& given, ndconv_status* status) {
  const ConvShape& s = given.params->shape.conv;
  if (s.is_depthwise()) return nullptr;
  const QPlanInputs in = with_gemm_table(given);
  const int64_t span =
      in.table == nullptr ? 1 : merged_span(s, rows_kernel(*in.table, s.out_channels_per_group(), false, in.rows_tile_mr).mr);
  QGemmGeometry geo{"int8-indirect-gemm", RowSource::kIndirection,
                    static_cast<size_t>(s.kernel_taps() / span),
                    static_cast<size_t>(s.in_channels_per_group() * span), 0, s.out_pixels()};
  geo.span = span;
  return make_qgemm_algorithm(in, geo, status);
}

}  // namespace dispatch
}  // namespace ndconv
