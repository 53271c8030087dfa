#include "algorithms/qconv_reference.h"

#include <cstring>

#include "addressing/odometer.h"
#include "api/error.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

// Element strides of the four tensors' axes, for either layout.
struct QStrides {
  int64_t in_n, in_c, in_pix;     // input: batch, channel, pixel
  int64_t out_n, out_c, out_pix;  // output
  int64_t w_o, w_i, w_tap;        // weights: out channel, in channel (of the group), tap
};

QStrides strides_of(const ConvShape& s) {
  QStrides t;
  const int64_t in_pix = s.in_pixels(), out_pix = s.out_pixels(), taps = s.kernel_taps();
  const bool nxc = s.layout == NDCONV_NXC;
  t.in_n = s.in_channels * in_pix;
  t.in_c = nxc ? 1 : in_pix;
  t.in_pix = nxc ? s.in_channels : 1;
  t.out_n = s.out_channels * out_pix;
  t.out_c = nxc ? 1 : out_pix;
  t.out_pix = nxc ? s.out_channels : 1;
  const int64_t icg = s.in_channels_per_group();
  const bool xio = s.weight_layout == NDCONV_XIO;
  t.w_o = xio ? 1 : icg * taps;
  t.w_i = xio ? s.out_channels : taps;
  t.w_tap = xio ? icg * s.out_channels : 1;
  return t;
}

// The input pixel tap `k` of output pixel `o` reads, or -1 for padding.
int64_t input_pixel(const ConvShape& s, const int64_t* o, const int64_t* k) {
  int64_t offset = 0;
  for (int d = 0; d < s.rank; ++d) {
    const int64_t i = o[d] * s.stride[d] + k[d] * s.dilation[d] - s.pad_begin[d];
    if (i < 0 || i >= s.in_size[d]) return -1;
    offset = offset * s.in_size[d] + i;
  }
  return offset;
}

int32_t input_value(const QConvShape& q, const void* input, int64_t index) {
  return q.input_type == NDCONV_U8 ? static_cast<const uint8_t*>(input)[index]
                                   : static_cast<const int8_t*>(input)[index];
}

// One output pixel of one image: every output channel's accumulator, written
// through `store(channel, acc, output index)`.
template <class Store>
void reference_pixel(const QConvShape& q, const QStrides& t, const void* input,
                     const int8_t* weights, const int32_t* bias, int64_t n, const int64_t* o,
                     int64_t out_index, Store&& store) {
  const ConvShape& s = q.conv;
  const int64_t icg = s.in_channels_per_group(), ocg = s.out_channels_per_group();
  for (int64_t oc = 0; oc < s.out_channels; ++oc) {
    const int64_t g = oc / ocg;
    // Modular (uint64) sums: exact modulo 2^32 whatever the length.
    uint64_t acc = static_cast<uint64_t>(static_cast<int64_t>(bias ? bias[oc] : 0));
    int64_t k[NDCONV_MAX_RANK] = {};
    int64_t tap = 0;
    do {
      const int64_t pix = input_pixel(s, o, k);
      if (pix >= 0) {
        const int64_t base = n * t.in_n + pix * t.in_pix + g * icg * t.in_c;
        const int8_t* w = weights + oc * t.w_o + tap * t.w_tap;
        for (int64_t ic = 0; ic < icg; ++ic) {
          const int64_t x = input_value(q, input, base + ic * t.in_c) - q.input_zero_point;
          acc += static_cast<uint64_t>(x * w[ic * t.w_i]);
        }
      }
      ++tap;
    } while (next_coord(k, s.kernel, s.rank));
    store(oc, static_cast<int32_t>(static_cast<uint32_t>(acc)), out_index + oc * t.out_c);
  }
}

// The plan of last resort: the reference with the kernels' epilogue.
class QReferenceAlgorithm final : public QAlgorithm {
 public:
  explicit QReferenceAlgorithm(const QConvParams* p)
      : QAlgorithm(PlanName("int8-reference", "scalar")), p_(p) {}
  bool init(const int8_t* weights) {
    const size_t n = static_cast<size_t>(p_->shape.conv.weight_elements());
    if (!weights_.resize(n)) return false;
    std::memcpy(weights_.data(), weights, n);
    return true;
  }
  ndconv_status run(const void* input, void* output, ndconv_threadpool* pool) const override {
    const ConvShape& s = p_->shape.conv;
    const QStrides t = strides_of(s);
    const int64_t pixels = s.out_pixels();
    auto task = [&](size_t i) {
      const int64_t n = static_cast<int64_t>(i) / pixels, p = static_cast<int64_t>(i) % pixels;
      int64_t o[NDCONV_MAX_RANK] = {}, rest = p;
      for (int d = s.rank - 1; d >= 0; --d) {
        o[d] = rest % s.out_size[d];
        rest /= s.out_size[d];
      }
      reference_pixel(p_->shape, t, input, weights_.data(), p_->user_bias.data(), n, o,
                      n * t.out_n + p * t.out_pix, [&](int64_t oc, int32_t acc, int64_t index) {
                        apply_qepilogue(p_->epi, p_->scale.data(), acc, oc, output,
                                        static_cast<size_t>(index));
                      });
    };
    parallel_for(pool, static_cast<size_t>(s.batch * pixels), task);
    return NDCONV_OK;
  }

 private:
  const QConvParams* p_;
  AlignedArray<int8_t> weights_;
};

}  // namespace

void qconv_reference_acc(const QConvShape& q, const void* input, const int8_t* weights,
                         const int32_t* bias, int32_t* acc) {
  const ConvShape& s = q.conv;
  const QStrides t = strides_of(s);
  for (int64_t n = 0; n < s.batch; ++n) {
    int64_t o[NDCONV_MAX_RANK] = {};
    int64_t p = 0;
    do {
      reference_pixel(q, t, input, weights, bias, n, o, n * t.out_n + p * t.out_pix,
                      [&](int64_t, int32_t a, int64_t index) { acc[index] = a; });
      ++p;
    } while (next_coord(o, s.out_size, s.rank));
  }
}

std::unique_ptr<QAlgorithm> make_qreference_algorithm(const QPlanInputs& in, ndconv_status* status) {
  std::unique_ptr<QReferenceAlgorithm> a(new (std::nothrow) QReferenceAlgorithm(in.params));
  if (!a || !a->init(in.weights)) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory creating the int8 reference plan");
    return nullptr;
  }
  return a;
}

}  // namespace dispatch
}  // namespace ndconv
