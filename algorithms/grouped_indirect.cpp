// grouped-indirect: channels-last grouped convolutions whose groups have 2 or
// 4 input and output channels (not depthwise), on the grouped kernel
// (kernels/grouped.hpp), which reads each tap's input pixel through the
// indirection buffer (addressing/indirection.h). Measured on ResNeXt's 32
// groups of 4 (AVX-512, one thread): 12 GFLOP/s as per-group GEMMs (N = 4 of
// NR = 32 lanes); 99 with this kernel (oneDNN plain NHWC: 40-48).
#include <algorithm>
#include <limits>
#include <new>

#include "addressing/indirection.h"
#include "algorithms/general_conv.h"
#include "algorithms/packed_factory.h"
#include "api/error.h"
#include "api/threadpool.h"
#include "gemm/gemm_driver.h"
#include "gemm/pack_grouped.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

// The grouped kernel for the shape, or nullptr.
kernels::GroupedNxcFn grouped_kernel_for(const ConvShape& s, const kernels::KernelTable& table) {
  if (s.layout != NDCONV_NXC || s.groups == 1 || s.is_depthwise()) return nullptr;
  const int64_t c = s.in_channels_per_group();
  if (s.out_channels_per_group() != c) return nullptr;
  // The row pointers of one pixel block must fit the task's stack array.
  if (static_cast<size_t>(s.kernel_taps()) * table.grouped_nxc.pixels > kMaxRowPointers)
    return nullptr;
  return c == 2 ? table.grouped_nxc.c2 : c == 4 ? table.grouped_nxc.c4 : nullptr;
}

class GroupedIndirect final : public Algorithm {
 public:
  GroupedIndirect(const ConvShape& shape, const kernels::KernelTable& table,
                  kernels::GroupedNxcFn kernel, const Tuning& tune)
      : Algorithm(PlanName("grouped-indirect", ndconv_isa_name(table.isa))),
        s_(shape),
        table_(table),
        act_(activation_of(shape)),
        kernel_(kernel),
        tasks_per_thread_(tune.tasks_per_thread) {}

  bool init(const float* weights, const float* bias) {
    // The grouped kernel reads a whole pixel (all C_in channels) per tap.
    return packed_.pack(s_, weights, bias, table_.vector_floats) &&
           indirection_.build(s_, 1, static_cast<size_t>(s_.in_channels));
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const override;

 private:
  ConvShape s_;
  const kernels::KernelTable& table_;
  kernels::Activation act_;
  kernels::GroupedNxcFn kernel_;
  size_t tasks_per_thread_;
  GroupedNxcWeights packed_;
  TapIndirection indirection_;
};

ndconv_status GroupedIndirect::run(const float* input, float* output,
                                   ndconv_threadpool* pool) const {
  const auto& uk = table_.grouped_nxc;
  const size_t P = uk.pixels;
  const size_t images = static_cast<size_t>(s_.batch);
  const size_t M = static_cast<size_t>(s_.out_pixels());
  const size_t cin = static_cast<size_t>(s_.in_channels);
  const size_t cout = static_cast<size_t>(s_.out_channels);
  const size_t image_floats = static_cast<size_t>(s_.in_pixels()) * cin;
  const size_t blocks = (M + P - 1) / P;
  const size_t threads = threadpool_threads(pool);
  // Pixel tiles: the whole image on one thread, else ~tasks_per_thread (4)
  // tiles per thread.
  const size_t tile_blocks =
      threads > 1 ? std::max<size_t>(1, blocks * images / (threads * tasks_per_thread_)) : blocks;
  const size_t tiles = (blocks + tile_blocks - 1) / tile_blocks;
  const kernels::GemmOutput clamp = gemm_output(act_, nullptr, 0, true, true);
  const int64_t* index = indirection_.entries();
  const float* zero = indirection_.zero_row();
  const size_t taps = indirection_.taps();
  auto task = [&](size_t task_index) {
    const size_t image = task_index / tiles, tile = task_index % tiles;
    const float* base = input + image * image_floats;
    const float* rows[kMaxRowPointers];
    kernels::GroupedNxcArgs args;
    args.rows = rows;
    args.taps = taps;
    args.weights = packed_.data();
    args.weight_stride = packed_.stride();
    args.ldo = cout;
    args.lo = clamp.clamp ? clamp.lo : -std::numeric_limits<float>::infinity();
    args.hi = clamp.clamp ? clamp.hi : std::numeric_limits<float>::infinity();
    const size_t m_end = std::min(M, (tile + 1) * tile_blocks * P);
    for (size_t m = tile * tile_blocks * P; m < m_end; m += P) {
      args.pixels = std::min(P, M - m);
      for (size_t t = 0; t < taps; ++t)
        for (size_t p = 0; p < P; ++p) {
          const int64_t e = index[(m + std::min(p, args.pixels - 1)) * taps + t];
          rows[t * P + p] = e == kPaddingTap ? zero : base + e * static_cast<int64_t>(cin);
        }
      args.out = output + (image * M + m) * cout;
      for (size_t ch = 0; ch < cout; ch += uk.lanes) {
        args.channel = ch;
        args.lanes = std::min(uk.lanes, cout - ch);
        kernel_(args);
      }
    }
  };
  parallel_for(pool, images * tiles, task);
  return NDCONV_OK;
}

}  // namespace

std::unique_ptr<Algorithm> make_grouped_indirect_algorithm(const ConvShape& shape,
                                                           const kernels::KernelTable& table,
                                                           const Tuning& tune,
                                                           const float* weights, const float* bias,
                                                           ndconv_status* status) {
  *status = NDCONV_OK;
  const kernels::GroupedNxcFn kernel = grouped_kernel_for(shape, table);
  if (!kernel) return nullptr;
  return build_packed_algorithm<GroupedIndirect>(shape, table, weights, bias, status,
                                                 "out of memory building the grouped-indirect plan", kernel, tune);
}

}  // namespace dispatch
}  // namespace ndconv
