#include "algorithms/channels_last_transposed.h"

#include <atomic>
#include <cstdio>

#include "addressing/channel_transpose.h"
#include "api/error.h"

namespace ndconv {
namespace dispatch {
namespace {

std::atomic<int> ncx_override{-1};  // testing::force_ncx_channels_last

class ChannelsLastTransposed final : public Algorithm {
 public:
  ChannelsLastTransposed(const PlanName& name, const ConvShape& shape, kernels::TransposeFloatsFn transpose,
                         std::unique_ptr<Algorithm> inner)
      : Algorithm(name), s_(shape), transpose_(transpose), inner_(std::move(inner)) {}

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    ndconv_status status = NDCONV_OK;
    const ndconv_status copied = run_through_channels_last(
        s_, sizeof(float), sizeof(float), input, output, pool,
        [&](const void* in, void* out) {
          status = inner_->run(static_cast<const float*>(in), static_cast<float*>(out), pool);
        },
        transpose_);
    return copied != NDCONV_OK ? copied : status;
  }

 private:
  ConvShape s_;  // channels-first
  kernels::TransposeFloatsFn transpose_;
  std::unique_ptr<Algorithm> inner_;  // the same shape, channels-last
};

// FLOPs per element the two transposes move (0 when neither tensor moves:
// one channel, or one pixel, on both sides).
double flops_per_transposed_element(const ConvShape& s) {
  const double moved = (layouts_coincide(s.in_channels, s.in_pixels()) ? 0.0 : double(s.input_elements())) +
                       (layouts_coincide(s.out_channels, s.out_pixels()) ? 0.0 : double(s.output_elements()));
  const double flops = 2.0 * double(s.output_elements()) * double(s.in_channels_per_group()) *
                       double(s.kernel_taps());
  return moved > 0 ? flops / moved : 0.0;
}

// Whether the tuning sends this channels-first shape channels-last (see
// Tuning::ncx_channels_last and the two thresholds after it).
bool goes_channels_last(const ConvShape& s, const kernels::KernelTable& table, const Tuning& tune) {
  size_t mode = tune.ncx_channels_last;
  const int forced = ncx_override.load(std::memory_order_relaxed);
  if (mode == 1 && forced >= 0) mode = static_cast<size_t>(forced);
  if (mode >= 2) return true;
  if (mode == 0) return false;
  const double intensity = flops_per_transposed_element(s);
  if (intensity <= 0) return false;  // the same bytes either way: the channels-first plan
  // Depthwise: the channels-last rows vectorize across channels, the
  // channels-first ones along a line (AMD EPYC Zen 4, --ab, NCX:
  // dw3x3_mbv2, 144 channels, 4.6x -> 11.0x oneDNN; dw_mult2_s2, 32 -> 64,
  // 1.55x -> 3.15x).
  if (s.is_depthwise())
    return s.in_channels >= static_cast<int64_t>(table.vector_floats) &&
           s.out_size[s.rank - 1] < static_cast<int64_t>(tune.ncx_channels_last_depthwise_max_line);
  if (intensity < static_cast<double>(tune.ncx_channels_last_min_flops)) return false;
  if (s.is_pointwise()) return s.out_pixels() <= static_cast<int64_t>(tune.ncx_channels_last_pointwise_max_pixels);
  // Groups of a few output channels: grouped-direct's channels-first kernel
  // (grouped_resnext, 32 groups of 4: 5.2x oneDNN, 4.7x channels-last).
  if (s.groups > 1 && table.grouped_ncx.fn &&
      s.out_channels_per_group() <= static_cast<int64_t>(table.grouped_ncx.out_channels))
    return false;
  return true;
}

}  // namespace

std::unique_ptr<Algorithm> make_channels_last_transposed_algorithm(const ConvShape& shape,
                                                                   const kernels::KernelTable& table,
                                                                   const Tuning& tune,
                                                                   const float* weights, const float* bias,
                                                                   ndconv_status* status) {
  *status = NDCONV_OK;
  if (shape.layout != NDCONV_NCX || !table.transpose_floats || !goes_channels_last(shape, table, tune))
    return nullptr;
  ConvShape nxc = shape;
  nxc.layout = NDCONV_NXC;
  std::unique_ptr<Algorithm> inner = plan_algorithm(nxc, table, tune, weights, bias, status, nullptr);
  if (!inner) return nullptr;  // *status says why
  // "<inner algorithm>-ncx/<isa>".
  const char* inner_name = inner->name().c_str();
  int slash = 0;
  while (inner_name[slash] && inner_name[slash] != '/') ++slash;
  char name[64];
  std::snprintf(name, sizeof name, "%.*s-ncx%.20s", slash, inner_name, inner_name + slash);
  std::unique_ptr<Algorithm> algo(new (std::nothrow) ChannelsLastTransposed(
      PlanName(name), shape, table.transpose_floats, std::move(inner)));
  if (!algo) *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory building the channels-last plan");
  return algo;
}

namespace testing {
int force_ncx_channels_last(int mode) noexcept { return ncx_override.exchange(mode); }
}  // namespace testing

}  // namespace dispatch
}  // namespace ndconv
