#include "gemm/pack_depthwise.h"

#include <algorithm>

#include "gemm/weight_packing.h"

namespace ndconv {
namespace dispatch {

bool pack_depthwise_weights(const ConvShape& shape, const float* weights, const float* bias,
                            size_t packed_stride, AlignedArray<float>* packed) {
  const size_t cout = static_cast<size_t>(shape.out_channels), ps = packed_stride;
  const size_t taps = static_cast<size_t>(shape.kernel_taps());
  const bool nxc = shape.layout == NDCONV_NXC;
  const size_t count = nxc ? (1 + taps) * ps : cout * ps;
  if (!packed->resize(count)) return false;
  std::fill(packed->data(), packed->data() + count, 0.0f);
  for (size_t o = 0; o < cout; ++o) {
    float* dst = nxc ? packed->data() + o : packed->data() + o * ps;
    const size_t tap_stride = nxc ? ps : 1;  // distance between packed taps
    dst[0] = bias ? bias[o] : 0.0f;
    // One input channel per group: OIX [C_out][1][K...], XIO [K...][1][C_out].
    for (size_t t = 0; t < taps; ++t)
      dst[(1 + t) * tap_stride] = weights[source_weight_index(shape.weight_layout, o, 0, t, 1, taps, cout)];
  }
  return true;
}

}  // namespace dispatch
}  // namespace ndconv
