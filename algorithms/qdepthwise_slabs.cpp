#include "algorithms/qdepthwise_slabs.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

#include "addressing/channel_transpose.h"
#include "addressing/indirection.h"
#include "algorithms/qalgorithm_factory.h"
#include "algorithms/qdepthwise.h"
#include "api/error.h"
#include "api/memory.h"
#include "api/threadpool.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

// One slab of input channels [c0, c0 + channels): its parameters (the
// slab's output channels of the plan's) and its channels-last plan.
struct Slab {
  int64_t c0 = 0, channels = 0;
  QConvParams* params = nullptr;
  QAlgorithm* plan = nullptr;
};

// The parameters of output channels [oc0, oc0 + shape's out_channels) of
// `whole`, for the slab's shape: the scales and biases already combined at
// create, sliced (the caller's arrays are not kept).
ndconv_status slice_params(const QConvParams& whole, const QConvShape& shape, int64_t oc0, QConvParams* p) {
  const size_t n = static_cast<size_t>(shape.conv.out_channels);
  if (!p->user_bias.resize(n) || !p->scale.resize(n))
    return fail(NDCONV_OUT_OF_MEMORY, "out of memory building the int8 depthwise slabs");
  std::memcpy(p->user_bias.data(), whole.user_bias.data() + oc0, n * sizeof(int32_t));
  std::memcpy(p->scale.data(), whole.scale.data() + oc0, n * sizeof(float));
  p->shape = shape;
  p->epi = whole.epi;
  p->a_xor = whole.a_xor;
  p->zero_point_byte = whole.zero_point_byte;
  p->zero_point_u = whole.zero_point_u;
  p->transposers = whole.transposers;
  return NDCONV_OK;
}

class QDepthwiseSlabs final : public QAlgorithm {
 public:
  // `in`: the table and ISA the slabs' plans take (its weights come to init).
  QDepthwiseSlabs(const char* variant, const QPlanInputs& in, int64_t slab)
      : QAlgorithm(PlanName("int8-depthwise-ncx", variant)), p_(in.params), in_(in), slab_(slab) {
    in_.weights = nullptr;  // the caller's, gone after create
  }

  ~QDepthwiseSlabs() override {
    for (size_t i = 0; i < slabs_.size(); ++i) {
      delete slabs_[i].plan;
      destroy_object(slabs_[i].params);
    }
  }

  // One channels-last plan per slab of slab_ input channels.
  ndconv_status init(const int8_t* weights) {
    const ConvShape& s = p_->shape.conv;
    const int64_t slab = slab_, count = std::max<int64_t>(1, s.in_channels / slab);
    if (!slabs_.resize(static_cast<size_t>(count)))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory building the int8 depthwise slabs");
    for (size_t i = 0; i < slabs_.size(); ++i) slabs_[i] = Slab{};
    for (int64_t i = 0; i < count; ++i) {
      Slab& x = slabs_[static_cast<size_t>(i)];
      x.c0 = i * slab;
      x.channels = i + 1 == count ? s.in_channels - x.c0 : slab;  // the last takes what is left
      const ndconv_status built = build_slab(weights, x);
      if (built != NDCONV_OK) return built;
    }
    return NDCONV_OK;
  }

  ndconv_status run(const void* input, void* output, ndconv_threadpool* pool) const override {
    const ConvShape& s = p_->shape.conv;
    const size_t count = slabs_.size();
    if (s.batch == 1 && count == 1) {  // one task: the copies and the plan over the pool
      ndconv_status status = NDCONV_OK;
      const ndconv_status copied = run_through_channels_last(
          s, 1, p_->output_bytes(), input, output, pool,
          [&](const void* in, void* out) { status = slabs_[0].plan->run(in, out, pool); },
          p_->transposers);
      return copied != NDCONV_OK ? copied : status;
    }
    std::atomic<bool> out_of_memory{false};  // a task could not allocate its scratch
    std::atomic<int> slab_status{NDCONV_OK};  // a slab's plan failed (none does at run today)
    auto task = [&](size_t t) {
      const ndconv_status ran = run_slab(input, output, static_cast<int64_t>(t / count), slabs_[t % count]);
      if (ran == NDCONV_OUT_OF_MEMORY) out_of_memory.store(true, std::memory_order_relaxed);
      else if (ran != NDCONV_OK) slab_status.store(ran, std::memory_order_relaxed);
    };
    parallel_for(pool, static_cast<size_t>(s.batch) * count, task);
    if (out_of_memory.load()) return fail(NDCONV_OUT_OF_MEMORY, "out of memory allocating the channels-last scratch");
    const ndconv_status failed = static_cast<ndconv_status>(slab_status.load());
    return failed == NDCONV_OK ? NDCONV_OK : fail(failed, "a channels-last int8 depthwise slab failed to run");
  }

 private:
  ndconv_status build_slab(const int8_t* all_weights, Slab& x) {
    const ConvShape& s = p_->shape.conv;
    const int64_t m = s.out_channels / s.in_channels, taps = s.kernel_taps();
    QConvShape shape = p_->shape;
    shape.conv.layout = NDCONV_NXC;
    shape.conv.weight_layout = NDCONV_OIX;
    shape.conv.batch = 1;
    shape.conv.in_channels = shape.conv.groups = x.channels;
    shape.conv.out_channels = x.channels * m;
    if (shape.weight_scale_count != 1) shape.weight_scale_count = shape.conv.out_channels;
    const int64_t oc0 = x.c0 * m, oc = shape.conv.out_channels;
    x.params = create_object<QConvParams>();
    AlignedArray<int8_t> weights;  // the slab's, OIX ([out channel][tap])
    if (!x.params || !weights.resize(static_cast<size_t>(oc * taps)))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory building the int8 depthwise slabs");
    const ndconv_status sliced = slice_params(*p_, shape, oc0, x.params);
    if (sliced != NDCONV_OK) return sliced;
    for (int64_t c = 0; c < oc; ++c)
      for (int64_t t = 0; t < taps; ++t)
        weights[static_cast<size_t>(c * taps + t)] =
            s.weight_layout == NDCONV_OIX ? all_weights[(oc0 + c) * taps + t]
                                          : all_weights[t * s.out_channels + oc0 + c];
    QPlanInputs slab_in = in_;
    slab_in.params = x.params;
    slab_in.weights = weights.data();
    ndconv_status status = NDCONV_OK;
    x.plan = make_qdepthwise_algorithm(slab_in, &status).release();
    return x.plan ? NDCONV_OK : status;
  }

  // Image n's slab x: its input transposed into the thread's scratch, the
  // slab's plan on this thread, its output transposed back.
  ndconv_status run_slab(const void* input, void* output, int64_t n, const Slab& x) const {
    const ConvShape& s = p_->shape.conv;
    const int64_t m = s.out_channels / s.in_channels, in_px = s.in_pixels(), out_px = s.out_pixels();
    const int64_t oc = x.channels * m;
    const size_t out_bytes = p_->output_bytes();
    uint8_t* in_t = thread_scratch(0, static_cast<size_t>(x.channels * in_px));
    uint8_t* out_t = thread_scratch(1, static_cast<size_t>(oc * out_px) * out_bytes);
    if (!in_t || !out_t) return NDCONV_OUT_OF_MEMORY;
    const uint8_t* src = static_cast<const uint8_t*>(input) + (n * s.in_channels + x.c0) * in_px;
    char* dst = static_cast<char*>(output) + static_cast<size_t>((n * s.out_channels + x.c0 * m) * out_px) * out_bytes;
    for (size_t b = 0; b < transpose_tasks(1, in_px); ++b)
      transpose_channels_task(src, in_t, x.channels, in_px, 1, true, b, p_->transposers);
    const ndconv_status ran = x.plan->run(in_t, out_t, nullptr);
    if (ran != NDCONV_OK) return ran;
    for (size_t b = 0; b < transpose_tasks(1, out_px); ++b)
      transpose_channels_task(out_t, dst, oc, out_px, out_bytes, false, b, p_->transposers);
    return NDCONV_OK;
  }

  const QConvParams* p_;    // the plan's (channels-first, every channel)
  QPlanInputs in_;
  int64_t slab_;            // input channels per slab
  AlignedArray<Slab> slabs_;
};

}  // namespace

std::unique_ptr<QAlgorithm> make_qdepthwise_slabs_algorithm(const QPlanInputs& in, ndconv_status* status) {
  *status = NDCONV_OK;
  const ConvShape& s = in.params->shape.conv;
  if (s.layout != NDCONV_NCX || !s.is_depthwise() || layouts_coincide(s.in_channels, s.in_pixels()) ||
      layouts_coincide(s.out_channels, s.out_pixels()))
    return nullptr;
  // The kernel's channel block: the dot-product form's (a slab of whole
  // blocks keeps it off the pair path), else its channel tile.
  // (The slabs' plans take the kernel on the same terms: make_qdepthwise_algorithm.)
  const kernels::QDepthwiseKernel* uk =
      in.table && in.table->depthwise_nxc.fn && static_cast<size_t>(s.kernel_taps()) <= kMaxRowPointers
          ? &in.table->depthwise_nxc
          : nullptr;
  const size_t block = uk ? std::max<size_t>(16, uk->quad_block ? uk->quad_block : uk->channel_tile) : 16;
  const int64_t slab = depthwise_slab_channels(s.in_channels, s.out_channels / s.in_channels, s.in_pixels(),
                                               s.out_pixels(), 1, in.params->output_bytes(), block,
                                               tuning().gemm_l2_budget_bytes);
  return build_qalgorithm<QDepthwiseSlabs>(in.weights, status, uk ? in.table->variant : "scalar", in, slab);
}

}  // namespace dispatch
}  // namespace ndconv
