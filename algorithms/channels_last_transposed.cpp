#include "algorithms/channels_last_transposed.h"

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "addressing/channel_transpose.h"
#include "api/error.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

std::atomic<int> ncx_override{-1};  // testing::force_ncx_channels_last

class ChannelsLastTransposed final : public Algorithm {
 public:
  ChannelsLastTransposed(const PlanName& name, const ConvShape& shape, const kernels::KernelTable* table,
                         std::unique_ptr<Algorithm> inner)
      : Algorithm(name), s_(shape), table_(table), inner_(std::move(inner)) {}

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    ndconv_status status = NDCONV_OK;
    const ndconv_status copied = run_through_channels_last(
        s_, sizeof(float), sizeof(float), input, output, pool,
        [&](const void* in, void* out) {
          status = inner_->run(static_cast<const float*>(in), static_cast<float*>(out), pool);
        },
        table_);
    return copied != NDCONV_OK ? copied : status;
  }

 private:
  ConvShape s_;  // channels-first
  const kernels::KernelTable* table_;
  std::unique_ptr<Algorithm> inner_;  // the same shape, channels-last
};

// A depthwise convolution channels-last, a slab of channels at a time:
// depthwise channels are independent convolutions, so each task transposes
// one image's slab into the thread's scratch, runs a channels-last plan of
// the slab's channels on it, and transposes the result back while both
// copies are still in L2 (the whole-tensor copies of ChannelsLastTransposed
// make three round trips through L3 or memory, each of the tensor's size).
class DepthwiseSlabsTransposed final : public Algorithm {
 public:
  DepthwiseSlabsTransposed(const PlanName& name, const ConvShape& shape, const kernels::KernelTable* table,
                           int64_t slab_channels)
      : Algorithm(name), s_(shape), table_(table), slab_(slab_channels) {}

  // The plans of the slabs (every slab_ input channels, the last one the rest).
  bool build(const kernels::KernelTable& table, const Tuning& tune, const float* weights, const float* bias,
             ndconv_status* status) {
    const int64_t slabs = (s_.in_channels + slab_ - 1) / slab_;
    const int64_t multiplier = s_.out_channels / s_.in_channels, taps = s_.kernel_taps();
    AlignedArray<float> slab_weights;  // one slab's, in OIX
    if (!plans_.resize(static_cast<size_t>(slabs)) ||
        !slab_weights.resize(static_cast<size_t>(slab_ * multiplier * taps))) {
      plans_.resize(0);
      *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory building the channels-last depthwise plans");
      return false;
    }
    for (size_t i = 0; i < plans_.size(); ++i) plans_[i] = nullptr;
    for (int64_t i = 0; i < slabs; ++i) {
      ConvShape slab = s_;
      slab.layout = NDCONV_NXC;
      slab.weight_layout = NDCONV_OIX;
      slab.batch = 1;
      slab.in_channels = slab.groups = std::min(slab_, s_.in_channels - i * slab_);
      slab.out_channels = slab.in_channels * multiplier;
      // The slab's weights in OIX ([out channel][tap]), whatever the caller's layout.
      const int64_t oc0 = i * slab_ * multiplier;
      for (int64_t oc = 0; oc < slab.out_channels; ++oc)
        for (int64_t t = 0; t < taps; ++t)
          slab_weights[static_cast<size_t>(oc * taps + t)] =
              s_.weight_layout == NDCONV_OIX ? weights[(oc0 + oc) * taps + t]
                                             : weights[t * s_.out_channels + oc0 + oc];
      plans_[static_cast<size_t>(i)] =
          plan_algorithm(slab, table, tune, slab_weights.data(), bias ? bias + oc0 : nullptr, status, nullptr)
              .release();
      if (!plans_[static_cast<size_t>(i)]) return false;
    }
    return true;
  }

  ~DepthwiseSlabsTransposed() override {
    for (size_t i = 0; i < plans_.size(); ++i) delete plans_[i];
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override {
    const size_t slabs = plans_.size();
    const int64_t multiplier = s_.out_channels / s_.in_channels;
    const int64_t in_px = s_.in_pixels(), out_px = s_.out_pixels();
    std::atomic<bool> out_of_memory{false};  // a task could not allocate its scratch
    std::atomic<int> slab_status{NDCONV_OK};  // a slab's plan failed (none allocates at run today)
    auto task = [&](size_t t) {
      const int64_t n = static_cast<int64_t>(t / slabs), i = static_cast<int64_t>(t % slabs);
      const int64_t c = std::min(slab_, s_.in_channels - i * slab_), oc = c * multiplier;
      float* in_t = reinterpret_cast<float*>(thread_scratch(0, static_cast<size_t>(c * in_px) * sizeof(float)));
      float* out_t = reinterpret_cast<float*>(thread_scratch(1, static_cast<size_t>(oc * out_px) * sizeof(float)));
      if (!in_t || !out_t) {
        out_of_memory.store(true, std::memory_order_relaxed);
        return;
      }
      const float* src = input + (n * s_.in_channels + i * slab_) * in_px;
      float* dst = output + (n * s_.out_channels + i * slab_ * multiplier) * out_px;
      for (size_t b = 0; b < transpose_tasks(1, in_px); ++b)
        transpose_channels_task(src, in_t, c, in_px, sizeof(float), true, b, table_);
      const ndconv_status ran = plans_[static_cast<size_t>(i)]->run(in_t, out_t, nullptr);
      if (ran != NDCONV_OK) {
        slab_status.store(ran, std::memory_order_relaxed);
        return;
      }
      for (size_t b = 0; b < transpose_tasks(1, out_px); ++b)
        transpose_channels_task(out_t, dst, oc, out_px, sizeof(float), false, b, table_);
    };
    parallel_for(pool, static_cast<size_t>(s_.batch) * slabs, task);
    if (out_of_memory.load()) return fail(NDCONV_OUT_OF_MEMORY, "out of memory allocating the channels-last scratch");
    const ndconv_status failed = static_cast<ndconv_status>(slab_status.load());
    return failed == NDCONV_OK ? NDCONV_OK : fail(failed, "a channels-last depthwise slab failed to run");
  }

 private:
  ConvShape s_;  // channels-first
  const kernels::KernelTable* table_;
  int64_t slab_;                    // input channels per slab
  AlignedArray<Algorithm*> plans_;  // one per slab, channels-last, batch 1
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
// Tuning::ncx_channels_last and the three thresholds after it).
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

std::unique_ptr<Algorithm> make_depthwise_slabs(const ConvShape& shape, const kernels::KernelTable& table,
                                                const Tuning& tune, const float* weights, const float* bias,
                                                ndconv_status* status) {
  std::unique_ptr<DepthwiseSlabsTransposed> algo(new (std::nothrow) DepthwiseSlabsTransposed(
      PlanName("depthwise-ncx", ndconv_isa_name(table.isa)), shape, &table,
      depthwise_slab_channels(shape.in_channels, shape.out_channels / shape.in_channels, shape.in_pixels(),
                              shape.out_pixels(), sizeof(float), sizeof(float), table.vector_floats,
                              tune.gemm_l2_budget_bytes)));
  if (!algo) {
    *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory building the channels-last depthwise plan");
    return nullptr;
  }
  if (!algo->build(table, tune, weights, bias, status)) return nullptr;
  return algo;
}

}  // namespace

std::unique_ptr<Algorithm> make_channels_last_transposed_algorithm(const ConvShape& shape,
                                                                   const kernels::KernelTable& table,
                                                                   const Tuning& tune,
                                                                   const float* weights, const float* bias,
                                                                   ndconv_status* status) {
  *status = NDCONV_OK;
  if (shape.layout != NDCONV_NCX || !table.transpose_words || !goes_channels_last(shape, table, tune))
    return nullptr;
  if (shape.is_depthwise()) return make_depthwise_slabs(shape, table, tune, weights, bias, status);
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
      PlanName(name), shape, &table, std::move(inner)));
  if (!algo) *status = fail(NDCONV_OUT_OF_MEMORY, "out of memory building the channels-last plan");
  return algo;
}

namespace testing {
int force_ncx_channels_last(int mode) noexcept { return ncx_override.exchange(mode); }
}  // namespace testing

}  // namespace dispatch
}  // namespace ndconv
