#include "gemm/qpack.h"

#include <cstring>

namespace ndconv {
namespace dispatch {

bool pack_qweights(const QConvParams& params, const int8_t* weights, size_t taps, size_t kc,
                   size_t nr, size_t kr, QPackedWeights* out) {
  const ConvShape& s = params.shape.conv;
  const size_t icg = static_cast<size_t>(s.in_channels_per_group());
  const size_t ocg = static_cast<size_t>(s.out_channels_per_group());
  const size_t all_taps = static_cast<size_t>(s.kernel_taps());
  const size_t groups = static_cast<size_t>(s.groups), oc = static_cast<size_t>(s.out_channels);
  const size_t kgroups = (kc + kr - 1) / kr;
  out->taps = taps;
  out->kc = kc;
  out->nr = nr;
  out->kr = kr;
  out->panels = (ocg + nr - 1) / nr;
  out->panel_bytes = taps * kgroups * nr * kr;
  if (!out->data.resize(groups * out->panels * out->panel_bytes) || !out->bias.resize(oc)) return false;
  std::memset(out->data.data(), 0, out->data.size());
  const bool xio = s.weight_layout == NDCONV_XIO;
  for (size_t g = 0; g < groups; ++g)
    for (size_t j = 0; j < ocg; ++j) {
      const size_t c = g * ocg + j;
      int8_t* panel = out->data.data() + (g * out->panels + j / nr) * out->panel_bytes;
      int64_t column_sum = 0;
      // K index k = tap * icg + ic over the whole reduction, split as the
      // GEMM sees it: (k / kc) its tap, (k % kc) its byte within the tap.
      for (size_t tap = 0; tap < all_taps; ++tap)
        for (size_t ic = 0; ic < icg; ++ic) {
          const int8_t w = xio ? weights[(tap * icg + ic) * oc + c] : weights[(c * icg + ic) * all_taps + tap];
          const size_t k = tap * icg + ic, t = k / kc, kk = k % kc;
          panel[((t * kgroups + kk / kr) * nr + j % nr) * kr + kk % kr] = w;
          column_sum += w;
        }
      out->bias[c] = params.compensated_bias(static_cast<int64_t>(c), column_sum);
    }
  return true;
}

}  // namespace dispatch
}  // namespace ndconv
