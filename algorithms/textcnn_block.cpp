// One task per (run of sentences, branch, NR filters): the windows of
// consecutive sentences form one M range, so tiles are full across sentence
// ends (per sentence, 62 windows in 14-row tiles wasted 11% of the FMAs: the
// fused block ran at 0.85x the unfused convolution); a tile that straddles
// two sentences is written to L1 and max-reduced per sentence.
#include "algorithms/textcnn_block.h"

#include <algorithm>
#include <limits>

#include "addressing/sequence_windows.h"
#include "api/conv_shape.h"
#include "api/error.h"
#include "api/threadpool.h"
#include "gemm/gemm_driver.h"
#include "gemm/gemm_rows_tile.h"
#include "plan/tuning.h"

namespace ndconv {
namespace dispatch {
namespace {

// Branch b as the convolution it is: Conv1D over E channels, channels-last,
// the shape the packing and the n-gram GEMM read.
ConvShape branch_shape(const ndconv_textcnn_desc& d, int b) {
  ConvShape s;
  s.rank = 1;
  s.layout = NDCONV_NXC;
  s.weight_layout = d.weight_layout;
  s.batch = d.batch;
  s.in_channels = d.embed_dim;
  s.out_channels = d.branches[b].filters;
  s.in_size[0] = d.seq_len;
  s.kernel[0] = d.branches[b].ngram;
  s.stride[0] = s.dilation[0] = 1;
  s.out_size[0] = d.seq_len - d.branches[b].ngram + 1;
  s.activation = d.activation;
  s.act_min = d.act_min;
  s.act_max = d.act_max;
  return s;
}

// The microkernel's row max (simd max_nan): NaN when either operand is.
float max_propagating_nan(float running, float y) {
  if (running != running) return running;
  return (y != y || y > running) ? y : running;
}

}  // namespace

TextCnn::TextCnn(const ndconv_textcnn_desc& d, const kernels::KernelTable& table)
    : d_(d), table_(table), name_("textcnn-fused-gemm", ndconv_isa_name(table.isa)) {
  act_ = {d.activation, d.act_min, d.act_max};
}

bool TextCnn::init(const float* const* weights, const float* const* biases) {
  const size_t NR = table_.gemm_rowptr_main.nr;
  size_t offset = 0, tasks = 0;
  for (int b = 0; b < d_.branch_count; ++b) {
    Branch& br = branches_[b];
    br.k = static_cast<size_t>(d_.branches[b].ngram);
    br.filters = static_cast<size_t>(d_.branches[b].filters);
    br.offset = offset;
    const ConvShape shape = branch_shape(d_, b);
    const float* bias = biases ? biases[b] : nullptr;
    if (!br.packed.pack(shape, weights[b], bias, NR)) return false;
    if (!pack_narrow_tail(shape, table_, weights[b], bias, &br.tail)) return false;
    br.panels = (br.tail.first + NR - 1) / NR + (br.tail.columns ? 1 : 0);
    br.first_task = tasks;
    offset += br.filters;
    tasks += br.panels;
  }
  features_ = offset;
  tasks_per_sentence_ = tasks;
  choose_sentences_per_task();
  return true;
}

void TextCnn::choose_sentences_per_task() {
  size_t min_windows = static_cast<size_t>(d_.seq_len);
  for (int b = 0; b < d_.branch_count; ++b)
    min_windows = std::min(min_windows, static_cast<size_t>(d_.seq_len) - branches_[b].k + 1);
  const size_t want = tuning().textcnn_min_tiles_per_task * table_.gemm_rowptr_main.mr;
  sentences_per_task_ = std::min(static_cast<size_t>(d_.batch), (want + min_windows - 1) / min_windows);
}

ndconv_status TextCnn::run(const float* input, float* output, ndconv_threadpool* pool) const {
  const size_t N = static_cast<size_t>(d_.batch), L = static_cast<size_t>(d_.seq_len);
  const size_t E = static_cast<size_t>(d_.embed_dim);
  AlignedArray<float> transposed;
  if (d_.layout == NDCONV_NCX) {
    // [N, E, L] -> [N, L, E] once per run (L*E moves per L*E*sum(k*F) FMAs),
    // so the windows are contiguous again.
    if (!transposed.resize(N * L * E))
      return fail(NDCONV_OUT_OF_MEMORY, "out of memory transposing the text-CNN input");
    float* t = transposed.data();
    auto transpose = [&](size_t n) {
      const float* src = input + n * E * L;
      float* dst = t + n * L * E;
      for (size_t e = 0; e < E; ++e)
        for (size_t l = 0; l < L; ++l) dst[l * E + e] = src[e * L + l];
    };
    parallel_for(pool, N, transpose);
    input = t;
  }
  const size_t runs = (N + sentences_per_task_ - 1) / sentences_per_task_;
  auto task = [&](size_t index) { sentences_branch_panel(input, output, index); };
  parallel_for(pool, runs * tasks_per_sentence_, task);
  return NDCONV_OK;
}

// Task `index`: sentences [n0, n1), branch b, filters [p*NR, p*NR + nr).
void TextCnn::sentences_branch_panel(const float* input, float* output, size_t index) const {
  const size_t run = index / tasks_per_sentence_, local = index % tasks_per_sentence_;
  int b = d_.branch_count - 1;
  while (branches_[b].first_task > local) --b;
  const Branch& br = branches_[b];
  const size_t p = local - br.first_task;
  // The last panel of a branch with a tail runs on the tail kernel from its
  // own packing (whose column 0 is filter tail.first), all its columns at once.
  const bool narrow = br.tail.columns && p + 1 == br.panels;
  const auto& uk = narrow ? br.tail.kernel : table_.gemm_rowptr_main;
  const PackedWeights& packed = narrow ? br.tail.packed : br.packed;
  const size_t col = narrow ? br.tail.first : p * uk.nr, packed_col = narrow ? 0 : col;
  const size_t nr = narrow ? br.tail.columns : std::min(uk.nr, br.filters - col);
  const size_t E = static_cast<size_t>(d_.embed_dim), L = static_cast<size_t>(d_.seq_len);
  const size_t Lo = L - br.k + 1, K = br.k * E;
  const size_t n0 = run * sentences_per_task_;
  const size_t n1 = std::min(static_cast<size_t>(d_.batch), n0 + sentences_per_task_);
  // Windows are A rows (SentenceWindowRows), k*E floats each. The whole
  // reduction runs in one microkernel call per tile (the tile never waits in
  // memory for another K block).
  const GemmRowsReduction red = rows_reduction(tuning(), uk.nr, 1, K, K, nr);
  const SentenceWindowRows window{input + n0 * L * E, L, Lo, E};
  alignas(64) float tile[kMaxMR * kMaxNR];
  alignas(64) float running_max[kMaxNR];
  auto reset = [&] {
    for (size_t j = 0; j < kMaxNR; ++j) running_max[j] = -std::numeric_limits<float>::infinity();
  };
  float* out = output + br.offset + col;
  size_t sentence = 0;  // in the run
  auto flush = [&] {
    float* o = out + (n0 + sentence) * features_;
    for (size_t j = 0; j < nr; ++j) o[j] = running_max[j];
    ++sentence;
    reset();
  };
  reset();
  const size_t rows = (n1 - n0) * Lo;
  for (size_t m = 0; m < rows; m += uk.mr) {
    const size_t mr = std::min(uk.mr, rows - m);
    if (m / Lo == (m + mr - 1) / Lo) {
      gemm_rows_tile(uk, packed, red, m, mr, packed_col, nr, window, tile, act_, running_max);
    } else {
      // Straddles a sentence end: the activated tile goes to L1 and each
      // row joins its own sentence's maximum.
      const size_t ld = gemm_rows_tile(uk, packed, red, m, mr, packed_col, nr, window, tile, act_, nullptr);
      for (size_t i = 0; i < mr; ++i) {
        if (i > 0 && (m + i) % Lo == 0) flush();
        const float* y = tile + i * ld;
        for (size_t j = 0; j < nr; ++j) running_max[j] = max_propagating_nan(running_max[j], y[j]);
      }
    }
    if ((m + mr) % Lo == 0) flush();
  }
}

}  // namespace dispatch
}  // namespace ndconv
