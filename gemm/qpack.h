// Weight packing of the int8 GEMM algorithms (algorithms/qconv_gemm.cpp), at
// create: per group, per NR-column panel, the order the kernel streams them,
// [taps][ceil(kc / KR)][NR][KR] int8, zero past kc and past the real columns
// (kernels/qgemm_args.h), and the compensated per-column bias
// user_bias - zp_u * column sum that makes acc = sum (x - zp) * w + bias.
#pragma once

#include <cstddef>
#include <cstdint>

#include "algorithms/qconv_params.h"
#include "api/memory.h"

namespace ndconv {
namespace dispatch {

struct QPackedWeights {
  size_t taps = 1, kc = 0;     // the GEMM's view of K: taps x kc bytes
  size_t nr = 0, kr = 1;       // the kernel's panel width and k group
  size_t panels = 0;           // per group: ceil(out_channels_per_group / nr)
  size_t panel_bytes = 0;      // taps * ceil(kc / kr) * nr * kr
  AlignedArray<int8_t> data;   // [groups][panels][panel_bytes]
  AlignedArray<int32_t> bias;  // [out_channels] compensated

  const int8_t* panel(int64_t group, size_t p) const {
    return data.data() + (static_cast<size_t>(group) * panels + p) * panel_bytes;
  }
};

// `taps` x `kc` must equal the kernel taps x in_channels_per_group, K in the
// order tap-major (the n-gram GEMM passes taps = 1, kc = the whole window:
// the same bytes). False on allocation failure.
bool pack_qweights(const QConvParams& params, const int8_t* weights, size_t taps, size_t kc,
                   size_t nr, size_t kr, QPackedWeights* out);

}  // namespace dispatch
}  // namespace ndconv
