#include "algorithms/qpointwise_cols.h"

#include <algorithm>
#include <cstring>

#include "addressing/line_offsets.h"
#include "addressing/pixel_offsets.h"
#include "algorithms/qalgorithm_factory.h"
#include "api/error.h"
#include "api/memory.h"
#include "api/threadpool.h"

namespace ndconv {
namespace dispatch {
namespace {

// Interleaved input bytes a task's GEMM sweeps per output-channel panel
// (pixels x K, rounded): small enough to stay in a core's L2 (1 MiB on Zen 5
// and Ice Lake-SP, 2 on Sapphire Rapids) with the panel's weights in L1.
constexpr size_t kBlockBytes = 192 * 1024;

// Weights small enough to stay in L1 (48 KiB on Zen 5 and Ice Lake-SP) next
// to one input tile (K x 128 bytes) and the output's lines.
constexpr size_t kL1WeightBytes = 24 * 1024;

// dst[i] = src[i * step], i < n. Step 2 (the strided layers of ResNets and
// MobileNets) as a loop of its own, which the compiler vectorizes.
void gather_bytes(const uint8_t* src, size_t step, size_t n, uint8_t* dst) {
  if (step == 1) {
    std::memcpy(dst, src, n);
  } else if (step == 2) {
    for (size_t i = 0; i < n; ++i) dst[i] = src[2 * i];
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i * step];
  }
}

class QPointwiseColsAlgorithm final : public QAlgorithm {
 public:
  explicit QPointwiseColsAlgorithm(const QPlanInputs& in)
      : QAlgorithm(PlanName("int8-pointwise-gemm-cols", in.table->variant)),
        p_(in.params),
        uk_(in.table->gemm_cols_ncx),
        strided_(in.params->shape.conv.has_stride()) {}

  // Weights [panel][group][MR][4], zero past C_out and C_in; the bias
  // compensated per output channel (qconv_params.h).
  ndconv_status init(const int8_t* weights) {
    const ConvShape& s = p_->shape.conv;
    const size_t M = static_cast<size_t>(s.out_channels), K = static_cast<size_t>(s.in_channels);
    groups_ = (K + 3) / 4;
    panels_ = (M + uk_.mr - 1) / uk_.mr;
    const size_t panel_bytes = groups_ * uk_.mr * 4;
    if (strided_ && !lines_.build(s)) return fail(NDCONV_OUT_OF_MEMORY, "out of memory for the int8 line offsets");
    if (!a_.resize(panels_ * panel_bytes) || !bias_.resize(M))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory packing int8 weights");
    std::memset(a_.data(), 0, a_.size());
    for (size_t o = 0; o < M; ++o) {
      int8_t* row = a_.data() + (o / uk_.mr) * panel_bytes + (o % uk_.mr) * 4;
      int64_t sum = 0;
      for (size_t k = 0; k < K; ++k) {
        // OIX: [C_out][C_in][1...]; XIO: [1...][C_in][C_out].
        const int8_t w = s.weight_layout == NDCONV_XIO ? weights[k * M + o] : weights[o * K + k];
        row[(k / 4) * uk_.mr * 4 + k % 4] = w;
        sum += w;
      }
      bias_[o] = p_->compensated_bias(static_cast<int64_t>(o), sum);
    }
    return NDCONV_OK;
  }

  ndconv_status run(const void* input, void* output, ndconv_threadpool* pool) const override {
    const Split sp = split(pool);
    AlignedArray<uint8_t> b, gathered;
    const size_t chunks = sp.tasks() / sp.m_splits;
    if (!b.resize(chunks * sp.chunk_bytes(groups_)) ||
        (strided_ && !gathered.resize(chunks * gathered_bytes(sp))))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory for the int8 interleaved input");
    uint8_t* g = gathered.data();
    const uint8_t* in = static_cast<const uint8_t*>(input);
    if (sp.m_splits == 1) {
      // Each task interleaves its own chunk and sweeps it while it is in L2.
      auto task = [&](size_t t) {
        interleave_chunk(in, sp, t, b.data(), g);
        gemm_chunk(b.data(), sp, t, 0, output);
      };
      parallel_for(pool, sp.tasks(), task);
      return NDCONV_OK;
    }
    // Several tasks share a chunk: interleave every chunk first.
    auto interleave = [&](size_t chunk) { interleave_chunk(in, sp, chunk, b.data(), g); };
    parallel_for(pool, sp.tasks() / sp.m_splits, interleave);
    auto task = [&](size_t t) { gemm_chunk(b.data(), sp, t / sp.m_splits, t % sp.m_splits, output); };
    parallel_for(pool, sp.tasks(), task);
    return NDCONV_OK;
  }

 private:
  // Tasks: (image, pixel chunk, panel range), the pixel chunks at most
  // kBlockBytes of interleaved input, the panels split when the chunks alone
  // leave threads idle (a short sequence: pw_seq_ffn's 128 pixels). Chunk c
  // (image-major) is interleaved at c * chunk_bytes: [tile][groups][NR][4].
  struct Split {
    size_t chunks, chunk_pixels, m_splits, split_panels, images;
    size_t tasks() const { return images * chunks * m_splits; }
    size_t chunk_bytes(size_t groups) const { return groups * chunk_pixels * 4; }
  };

  Split split(ndconv_threadpool* pool) const {
    const ConvShape& s = p_->shape.conv;
    const size_t P = static_cast<size_t>(s.out_pixels()), NR = uk_.nr;
    const size_t tiles = (P + NR - 1) / NR;
    // Weights in L1: chunks of two tiles, each interleaved (L1) while the
    // next one's input lines arrive (QColsInterleaveFn's `ahead`).
    const size_t max_tiles = groups_ * panel_group_bytes() * panels_ <= kL1WeightBytes
                                 ? 2
                                 : std::max<size_t>(1, kBlockBytes / (groups_ * 4 * NR));
    Split sp;
    sp.images = static_cast<size_t>(s.batch);
    sp.chunks = (tiles + max_tiles - 1) / max_tiles;
    sp.chunk_pixels = (tiles + sp.chunks - 1) / sp.chunks * NR;
    sp.chunks = (P + sp.chunk_pixels - 1) / sp.chunk_pixels;
    const size_t want = 4 * threadpool_threads(pool), have = sp.images * sp.chunks;
    sp.m_splits = std::min(panels_, std::max<size_t>(1, (want + have - 1) / have));
    sp.split_panels = (panels_ + sp.m_splits - 1) / sp.m_splits;
    sp.m_splits = (panels_ + sp.split_panels - 1) / sp.split_panels;
    return sp;
  }

  size_t panel_group_bytes() const { return uk_.mr * 4; }  // a panel's weights per group of 4 channels

  // The pixels [q0, q1) of chunk `chunk` (image-major).
  void chunk_pixels(const Split& sp, size_t chunk, size_t* q0, size_t* q1) const {
    const size_t P = static_cast<size_t>(p_->shape.conv.out_pixels());
    *q0 = (chunk % sp.chunks) * sp.chunk_pixels;
    *q1 = std::min(P, *q0 + sp.chunk_pixels);
  }

  // Bytes of one chunk's gathered input (strided shapes): one group of 4
  // channels at a time, [4][chunk_pixels], reused (in L1) by every group.
  size_t gathered_bytes(const Split& sp) const { return 4 * sp.chunk_pixels; }

  // Chunk `chunk` as the kernel reads it: [tile][groups][NR][4]. A strided
  // shape's pixels are first gathered, 4 channels at a time, into
  // `gathered` (the chunk's slice), each channel's pixels contiguous, which
  // the interleave then reads.
  void interleave_chunk(const uint8_t* in, const Split& sp, size_t chunk, uint8_t* b, uint8_t* gathered) const {
    const ConvShape& s = p_->shape.conv;
    const size_t K = static_cast<size_t>(s.in_channels), P = static_cast<size_t>(s.out_pixels());
    const size_t n = chunk / sp.chunks, NR = uk_.nr;
    size_t q0, q1;
    chunk_pixels(sp, chunk, &q0, &q1);
    uint8_t* dst = b + chunk * sp.chunk_bytes(groups_);
    const size_t tiles = (q1 - q0 + NR - 1) / NR;
    for (size_t g = 0; g < groups_; ++g) {
      const size_t rows = std::min<size_t>(4, K - 4 * g);
      const uint8_t* src = in + (n * K + 4 * g) * P + q0;
      size_t ld = P, ahead = std::min(sp.chunk_pixels, P - q1);
      if (strided_) {
        uint8_t* slice = gathered + chunk * gathered_bytes(sp);
        gather_chunk(in + (n * K + 4 * g) * static_cast<size_t>(s.in_pixels()), rows, q0, q1, sp.chunk_pixels,
                     slice);
        src = slice;
        ld = sp.chunk_pixels;
        ahead = 0;
      }
      uk_.interleave(src, ld, rows, q1 - q0, tiles, groups_ * NR * 4, p_->a_xor, dst + g * NR * 4, ahead);
    }
  }

  // Output pixels [q0, q1) of `channels` input channels (`planes`: the
  // first one's) into rows of `ld` bytes at `rows`, pixel q at q - q0; each
  // plane read front to back, output line by output line (lines_: where
  // each starts in the input; kernel 1, so one outer tap, never padding).
  void gather_chunk(const uint8_t* planes, size_t channels, size_t q0, size_t q1, size_t ld,
                    uint8_t* rows) const {
    const ConvShape& s = p_->shape.conv;
    const size_t in_pixels = static_cast<size_t>(s.in_pixels());
    const size_t step = static_cast<size_t>(s.stride[s.rank - 1]);
    const size_t width = static_cast<size_t>(lines_.out_width());
    for (size_t k = 0; k < channels; ++k) {
      const uint8_t* plane = planes + k * in_pixels;
      for (size_t line = q0 / width; line * width < q1; ++line) {
        const size_t first = line * width, from = std::max(q0, first), to = std::min(q1, first + width);
        gather_bytes(plane + lines_.offset(line, 0) + (from - first) * step, step, to - from,
                     rows + k * ld + (from - q0));
      }
    }
  }

  // Panels [split * split_panels, ...) of chunk `chunk`: each panel's
  // weights (L1) against every NR-pixel tile of the chunk (L2).
  void gemm_chunk(const uint8_t* b, const Split& sp, size_t chunk, size_t split, void* output) const {
    const ConvShape& s = p_->shape.conv;
    const size_t M = static_cast<size_t>(s.out_channels), P = static_cast<size_t>(s.out_pixels());
    const size_t NR = uk_.nr, MR = uk_.mr, n = chunk / sp.chunks, esize = p_->output_bytes();
    size_t q0, q1;
    chunk_pixels(sp, chunk, &q0, &q1);
    kernels::QGemmColsArgs a;
    a.b_group_stride = NR * 4;
    a.groups = groups_;
    a.ldc = P;
    a.epi = p_->epi;
    const uint8_t* chunk_b = b + chunk * sp.chunk_bytes(groups_);
    const size_t first = split * sp.split_panels, last = std::min(panels_, first + sp.split_panels);
    auto tile = [&](size_t panel, size_t q) {
      const size_t m0 = panel * MR;
      a.a = a_.data() + panel * groups_ * MR * 4;
      a.mr = std::min(MR, M - m0);
      a.epi.bias = bias_.data() + m0;
      a.epi.scale = p_->scale.data() + m0;
      a.b = chunk_b + (q - q0) * groups_ * 4;
      a.nr = std::min(NR, q1 - q);
      a.c = static_cast<char*>(output) + ((n * M + m0) * P + q) * esize;
      uk_.fn(a);
    };
    // Weights that fit L1 with a tile of input: each input tile against
    // every panel, both from L1 (pw_res2_reduce NCX, 16 KiB of weights); else
    // each panel (L1) against every tile of the chunk (L2).
    if ((last - first) * groups_ * panel_group_bytes() <= kL1WeightBytes) {
      for (size_t q = q0; q < q1; q += NR)
        for (size_t panel = first; panel < last; ++panel) tile(panel, q);
    } else {
      for (size_t panel = first; panel < last; ++panel)
        for (size_t q = q0; q < q1; q += NR) tile(panel, q);
    }
  }

  const QConvParams* p_;  // outlives the algorithm (both live in the plan)
  kernels::QGemmColsKernel uk_;
  size_t groups_ = 0, panels_ = 0;
  const bool strided_;
  LineOffsets lines_;  // strided shapes only: each output line's first input pixel
  AlignedArray<int8_t> a_;
  AlignedArray<int32_t> bias_;
};

}  // namespace

std::unique_ptr<QAlgorithm> make_qpointwise_cols_algorithm(const QPlanInputs& in, ndconv_status* status) {
  const ConvShape& s = in.params->shape.conv;
  if (in.table == nullptr || in.table->gemm_cols_ncx.fn == nullptr || in.table->gemm_cols_ncx.interleave == nullptr ||
      s.layout != NDCONV_NCX || s.groups != 1 || !s.is_pointwise())
    return nullptr;
  // Pixels that leave more than an eighth of the last tile's lanes idle
  // across the image take the channels-last GEMM: pw_res5_expand's 7 x 7
  // (49 of 64 lanes) ran at 638 GOP/s here, 727 through the transposes
  // (AMD EPYC Zen 5); one pixel needs no transpose at all.
  const int64_t nr = static_cast<int64_t>(in.table->gemm_cols_ncx.nr);
  const int64_t pixels = s.out_pixels(), padded = (pixels + nr - 1) / nr * nr;
  if ((padded - pixels) * 8 > padded) return nullptr;
  return build_qalgorithm<QPointwiseColsAlgorithm>(in.weights, status, in);
}

}  // namespace dispatch
}  // namespace ndconv
