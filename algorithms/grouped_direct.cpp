// grouped-direct: channels-first grouped convolutions (not depthwise) with at
// most the direct kernel's output channels per group (kernels/grouped_ncx.hpp):
// one output line of a group per call, vectorized across its pixels, reading
// per-task copies of its input lines (addressing/line_copies.h). Measured on
// ResNeXt's 32 groups of 4 (AVX-512, one thread): 40 GFLOP/s as per-group
// im2col GEMMs (M = 4 on the narrow kernel), 105-115 with the direct kernel
// (oneDNN plain NCHW: 19-21).
#include <algorithm>
#include <limits>
#include <new>

#include "addressing/line_copies.h"
#include "addressing/line_offsets.h"
#include "algorithms/general_conv.h"
#include "algorithms/packed_factory.h"
#include "api/error.h"
#include "api/threadpool.h"
#include "gemm/conv_gemm_dims.h"
#include "gemm/gemm_driver.h"
#include "gemm/pack_grouped.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

class GroupedDirect final : public Algorithm {
 public:
  GroupedDirect(const ConvShape& shape, const kernels::KernelTable& table,
                const LineCopyGeometry& geo, const Tuning& tune)
      : Algorithm(PlanName("grouped-direct", ndconv_isa_name(table.isa))),
        s_(shape),
        table_(table),
        act_(activation_of(shape)),
        geo_(geo),
        tasks_per_thread_(tune.tasks_per_thread) {}

  bool init(const float* weights, const float* bias) {
    return lines_.build(s_) && packed_.pack(s_, weights, bias, table_.grouped_ncx.out_channels) &&
           line_tap_offsets(s_, geo_, &tap_offset_);
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override;

 private:
  void run_lines(size_t g, const float* group_input, float* out, size_t l0, size_t l1,
                 const kernels::GemmOutput& clamp) const;

  ConvShape s_;
  const kernels::KernelTable& table_;
  kernels::Activation act_;
  LineCopyGeometry geo_;
  size_t tasks_per_thread_;
  LineOffsets lines_;
  GroupedNcxWeights packed_;
  AlignedArray<ptrdiff_t> tap_offset_;  // inner tap kx's offset in a line copy
};

ndconv_status GroupedDirect::run(const float* input, float* output, ndconv_threadpool* pool) const {
  const ConvGemmDims d(s_);
  const size_t out_plane = d.out_pixels;
  const size_t lines = lines_.lines();
  const size_t threads = threadpool_threads(pool);
  // One task per image and group (its lines reuse the cached copies), or
  // enough line ranges for about tuning's tasks_per_thread (4) tasks per thread.
  const size_t gemms = d.images * d.groups;
  const size_t per_thread = tasks_per_thread_;
  const size_t tiles = std::min(lines, threads > 1 ? (per_thread * threads + gemms - 1) / gemms : 1);
  const size_t tile_lines = (lines + tiles - 1) / tiles;
  const kernels::GemmOutput clamp = gemm_output(act_, nullptr, 0, true, true);
  auto task = [&](size_t index) {
    const size_t gemm = index / tiles, tile = index % tiles;
    const size_t image = gemm / d.groups, g = gemm % d.groups;
    run_lines(g, input + (image * d.groups + g) * d.cin_g * d.in_pixels,
              output + (image * d.groups + g) * d.cout_g * out_plane, tile * tile_lines,
              std::min(lines, (tile + 1) * tile_lines), clamp);
  };
  parallel_for(pool, gemms * tiles, task);
  return NDCONV_OK;
}

// Output lines [l0, l1) of group g of one image: its input channel 0 at
// group_input, output channel 0 at out.
void GroupedDirect::run_lines(size_t g, const float* group_input, float* out, size_t l0, size_t l1,
                              const kernels::GemmOutput& clamp) const {
  const size_t outer_taps = lines_.outer_taps();
  const size_t kw = static_cast<size_t>(s_.kernel[s_.rank - 1]);
  const size_t ow = static_cast<size_t>(lines_.out_width());
  LineCache cache(s_, geo_, group_input);
  const float* line_ptr[kMaxLineTaps];
  uint32_t line_tap[kMaxLineTaps];
  kernels::GroupedNcxArgs args;
  args.line = line_ptr;
  args.line_tap = line_tap;
  args.in_channels = static_cast<size_t>(s_.in_channels_per_group());
  args.channel_stride = geo_.channel_floats;
  args.tap_offset = tap_offset_.data();
  args.kernel_w = kw;
  args.taps = static_cast<size_t>(s_.kernel_taps());
  args.weights = packed_.weights(g);
  args.bias = packed_.bias(g);
  args.out_plane = static_cast<size_t>(s_.out_pixels());
  args.out_channels = static_cast<size_t>(s_.out_channels_per_group());
  args.width = ow;
  args.lo = clamp.clamp ? clamp.lo : -std::numeric_limits<float>::infinity();
  args.hi = clamp.clamp ? clamp.hi : std::numeric_limits<float>::infinity();
  for (size_t l = l0; l < l1; ++l) {
    size_t count = 0;
    for (size_t t = 0; t < outer_taps; ++t) {
      const int64_t line = lines_.offset(l, t);
      if (line < 0) continue;
      line_ptr[count] = cache.line(line, l);
      line_tap[count] = static_cast<uint32_t>(t * kw);
      ++count;
    }
    args.lines = count;
    args.out = out + l * ow;
    table_.grouped_ncx.fn(args);
  }
}

}  // namespace

std::unique_ptr<Algorithm> make_grouped_direct_algorithm(const ConvShape& shape,
                                                         const kernels::KernelTable& table,
                                                         const Tuning& tune,
                                                         const float* weights, const float* bias,
                                                         ndconv_status* status) {
  *status = NDCONV_OK;
  LineCopyGeometry geo;
  if (shape.layout != NDCONV_NCX || shape.groups == 1 || shape.is_depthwise() ||
      !table.grouped_ncx.fn ||
      shape.out_channels_per_group() > static_cast<int64_t>(table.grouped_ncx.out_channels) ||
      !line_copy_geometry(shape, &geo))
    return nullptr;
  return build_packed_algorithm<GroupedDirect>(shape, table, weights, bias, status,
                                               "out of memory building the grouped-direct plan", geo, tune);
}

}  // namespace dispatch
}  // namespace ndconv
