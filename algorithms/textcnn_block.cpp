// The fused text-CNN block (ndconv_textcnn_*): per branch the n-gram GEMM of
// algorithms/ngram.h (windows of the sentence read in place as A
// rows, packed filters as B), whose microkernel epilogue applies bias and
// activation and max-reduces each finished tile over its rows into a running
// maximum (GemmOutput::row_max), so the [L - k + 1, F] activations never
// reach memory. One task per (run of sentences, branch, NR filters): the
// windows of consecutive sentences form one M range, so tiles are full
// across sentence ends (per sentence, 62 windows in 14-row tiles wasted 11%
// of the FMAs: the fused block ran at 0.85x the unfused convolution); a tile
// that straddles two sentences is written to L1 and max-reduced per sentence.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <new>
#include <string>

#include "api/conv_shape.h"
#include "api/error.h"
#include "gemm/gemm_driver.h"
#include "plan/isa_select.h"
#include "api/memory.h"
#include "algorithms/ngram.h"
#include "api/threadpool.h"
#include "gemm/weight_packing.h"

namespace ndconv {
namespace dispatch {
namespace {

bool checked_mul(int64_t a, int64_t b, int64_t* r) { return !__builtin_mul_overflow(a, b, r); }

ndconv_status invalid_enum(const char* field, int value, int last) {
  return failf(NDCONV_INVALID_ARGUMENT, "%s = %d is not a valid value (0 .. %d)", field, value, last);
}

// The integer a C caller stored in an enum field, read through memcpy: loading
// an enum object that holds a value outside its enumerators is UB in C++
// (UBSan -fsanitize=enum reports it), and those are exactly the values this
// validation must reject.
template <class Enum>
int raw_enum_value(const Enum& field) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized here");
  int v;
  std::memcpy(&v, &field, sizeof v);
  return v;
}

// Every rule of the descriptor, each failure naming the field and its value.
ndconv_status validate_textcnn(const ndconv_textcnn_desc& d) {
  const int layout = raw_enum_value(d.layout), wlayout = raw_enum_value(d.weight_layout);
  const int act = raw_enum_value(d.activation), pooling = raw_enum_value(d.pooling);
  if (d.batch < 1) return failf(NDCONV_INVALID_ARGUMENT, "batch = %" PRId64 " must be >= 1", d.batch);
  if (d.seq_len < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "seq_len = %" PRId64 " must be >= 1", d.seq_len);
  if (d.embed_dim < 1)
    return failf(NDCONV_INVALID_ARGUMENT, "embed_dim = %" PRId64 " must be >= 1", d.embed_dim);
  if (d.branch_count < 1 || d.branch_count > NDCONV_TEXTCNN_MAX_BRANCHES)
    return failf(NDCONV_INVALID_ARGUMENT, "branch_count = %d must be 1 .. %d", d.branch_count,
                 NDCONV_TEXTCNN_MAX_BRANCHES);
  if (layout < NDCONV_NCX || layout > NDCONV_NXC) return invalid_enum("layout", layout, NDCONV_NXC);
  if (wlayout < NDCONV_OIX || wlayout > NDCONV_XIO)
    return invalid_enum("weight_layout", wlayout, NDCONV_XIO);
  if (act < NDCONV_ACT_NONE || act > NDCONV_ACT_CLAMP)
    return invalid_enum("activation", act, NDCONV_ACT_CLAMP);
  if (pooling != NDCONV_TEXTCNN_POOL_MAX) return invalid_enum("pooling", pooling, NDCONV_TEXTCNN_POOL_MAX);
  if (act == NDCONV_ACT_CLAMP) {
    if (std::isnan(d.act_min))
      return failf(NDCONV_INVALID_ARGUMENT, "act_min = nan is NaN (activation = CLAMP)");
    if (std::isnan(d.act_max))
      return failf(NDCONV_INVALID_ARGUMENT, "act_max = nan is NaN (activation = CLAMP)");
    if (d.act_min > d.act_max)
      return failf(NDCONV_INVALID_ARGUMENT, "act_min = %g exceeds act_max = %g (activation = CLAMP)",
                   static_cast<double>(d.act_min), static_cast<double>(d.act_max));
  }
  int64_t count = 0, features = 0;
  if (!checked_mul(d.batch, d.seq_len, &count) || !checked_mul(count, d.embed_dim, &count) ||
      !checked_mul(count, 4, &count))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "input byte size overflows int64 (batch = %" PRId64 ", seq_len = %" PRId64
                 ", embed_dim = %" PRId64 ")",
                 d.batch, d.seq_len, d.embed_dim);
  for (int b = 0; b < d.branch_count; ++b) {
    const ndconv_textcnn_branch& br = d.branches[b];
    if (br.ngram < 1)
      return failf(NDCONV_INVALID_ARGUMENT, "branches[%d].ngram = %" PRId64 " must be >= 1", b, br.ngram);
    if (br.ngram > d.seq_len)
      return failf(NDCONV_INVALID_ARGUMENT,
                   "branches[%d].ngram = %" PRId64 " exceeds seq_len = %" PRId64, b, br.ngram,
                   d.seq_len);
    if (br.filters < 1)
      return failf(NDCONV_INVALID_ARGUMENT, "branches[%d].filters = %" PRId64 " must be >= 1", b,
                   br.filters);
    if (!checked_mul(br.ngram, d.embed_dim, &count) || !checked_mul(count, br.filters, &count) ||
        !checked_mul(count, 4, &count))
      return failf(NDCONV_INVALID_ARGUMENT,
                   "branches[%d] weight byte size overflows int64 (ngram = %" PRId64
                   ", embed_dim = %" PRId64 ", filters = %" PRId64 ")",
                   b, br.ngram, d.embed_dim, br.filters);
    if (__builtin_add_overflow(features, br.filters, &features))
      return failf(NDCONV_INVALID_ARGUMENT, "the sum of branches[].filters overflows int64");
  }
  if (!checked_mul(d.batch, features, &count) || !checked_mul(count, 4, &count))
    return failf(NDCONV_INVALID_ARGUMENT,
                 "output byte size overflows int64 (batch = %" PRId64 ", sum of filters = %" PRId64 ")",
                 d.batch, features);
  return NDCONV_OK;
}

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

struct Branch {
  size_t k = 0, filters = 0, offset = 0, panels = 0, first_task = 0;
  PackedWeights packed;
  // Filters [n_main, filters) on the tail kernel (see narrow_tail_columns):
  // dot products along K for up to half a vector of them (nr = 1 per packed
  // panel, all in one call), else the one-vector kernel.
  size_t tail = 0, n_main = 0;
  kernels::GemmRowsKernel tail_kernel;
  PackedWeights packed_tail;
};

}  // namespace

class TextCnn {
 public:
  TextCnn(const ndconv_textcnn_desc& d, const kernels::KernelTable& table)
      : d_(d), table_(table), name_("textcnn-fused-gemm", ndconv_isa_name(table.isa)) {
    act_ = {d.activation, d.act_min, d.act_max};
  }

  bool init(const float* const* weights, const float* const* biases) {
    const size_t NR = table_.gemm_rowptr_main.nr;
    size_t offset = 0, tasks = 0;
    for (int b = 0; b < d_.branch_count; ++b) {
      Branch& br = branches_[b];
      br.k = static_cast<size_t>(d_.branches[b].ngram);
      br.filters = static_cast<size_t>(d_.branches[b].filters);
      br.offset = offset;
      br.tail = narrow_tail_columns(br.filters, table_);
      br.n_main = br.filters - br.tail;
      br.panels = (br.n_main + NR - 1) / NR + (br.tail ? 1 : 0);
      br.first_task = tasks;
      offset += br.filters;
      tasks += br.panels;
      const ConvShape shape = branch_shape(d_, b);
      const float* bias = biases ? biases[b] : nullptr;
      if (!br.packed.pack(shape, weights[b], bias, NR)) return false;
      br.tail_kernel = table_.gemm_rowptr_dot.fn && 2 * br.tail <= table_.gemm_rowptr_one_vector.nr
                           ? table_.gemm_rowptr_dot
                           : table_.gemm_rowptr_one_vector;
      if (br.tail && !pack_channel_range(shape, weights[b], bias, br.n_main, br.tail,
                                         br.tail_kernel.nr, &br.packed_tail))
        return false;
    }
    features_ = offset;
    tasks_per_sentence_ = tasks;
    // Sentences per task: enough windows (16 tiles) that the one tile
    // straddling the end of the run costs little.
    size_t min_windows = static_cast<size_t>(d_.seq_len);
    for (int b = 0; b < d_.branch_count; ++b)
      min_windows = std::min(min_windows, static_cast<size_t>(d_.seq_len) - branches_[b].k + 1);
    const size_t want = 16 * table_.gemm_rowptr_main.mr;
    sentences_per_task_ =
        std::min(static_cast<size_t>(d_.batch), (want + min_windows - 1) / min_windows);
    return true;
  }

  ndconv_status run(const float* input, float* output, ndconv_threadpool* pool) const {
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

  const PlanName& name() const { return name_; }

  static void* operator new(size_t bytes, const std::nothrow_t&) noexcept { return allocate(bytes); }
  static void operator delete(void* p) noexcept { deallocate(p); }
  static void operator delete(void* p, const std::nothrow_t&) noexcept { deallocate(p); }

 private:
  // Task `index`: sentences [n0, n1), branch b, filters [p*NR, p*NR + nr).
  void sentences_branch_panel(const float* input, float* output, size_t index) const {
    const size_t run = index / tasks_per_sentence_, local = index % tasks_per_sentence_;
    int b = d_.branch_count - 1;
    while (branches_[b].first_task > local) --b;
    const Branch& br = branches_[b];
    const size_t p = local - br.first_task;
    // The last panel of a branch with a tail runs on the tail kernel from its
    // own packing (whose column 0 is filter n_main), all its columns at once.
    const bool narrow = br.tail && p + 1 == br.panels;
    const auto& uk = narrow ? br.tail_kernel : table_.gemm_rowptr_main;
    const PackedWeights& packed = narrow ? br.packed_tail : br.packed;
    const size_t col = narrow ? br.n_main : p * uk.nr, packed_col = narrow ? 0 : col;
    const size_t nr = narrow ? br.tail : std::min(uk.nr, br.filters - col);
    const size_t E = static_cast<size_t>(d_.embed_dim), L = static_cast<size_t>(d_.seq_len);
    const size_t Lo = L - br.k + 1, K = br.k * E;
    const size_t n0 = run * sentences_per_task_;
    const size_t n1 = std::min(static_cast<size_t>(d_.batch), n0 + sentences_per_task_);
    // Windows are A rows: window r of the run is word r % Lo of sentence
    // n0 + r / Lo and spans k*E floats. The whole reduction runs in one
    // microkernel call per tile (the tile never waits in memory for another
    // K block).
    const GemmRowsReduction red = rows_reduction(1, K, K, nr);
    const float* first_sentence = input + n0 * L * E;
    auto window = [&](size_t r, size_t) { return first_sentence + ((r / Lo) * L + r % Lo) * E; };
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
        const size_t ld =
            gemm_rows_tile(uk, packed, red, m, mr, packed_col, nr, window, tile, act_, nullptr);
        for (size_t i = 0; i < mr; ++i) {
          if (i > 0 && (m + i) % Lo == 0) flush();
          const float* y = tile + i * ld;
          for (size_t j = 0; j < nr; ++j) running_max[j] = max_propagating_nan(running_max[j], y[j]);
        }
      }
      if ((m + mr) % Lo == 0) flush();
    }
  }

  // The microkernel's row max (simd max_nan): NaN when either operand is.
  static float max_propagating_nan(float running, float y) {
    if (running != running) return running;
    return (y != y || y > running) ? y : running;
  }

  ndconv_textcnn_desc d_;
  const kernels::KernelTable& table_;
  PlanName name_;  // fixed buffer: no allocation outside dispatch::allocate
  kernels::Activation act_;
  Branch branches_[NDCONV_TEXTCNN_MAX_BRANCHES];
  size_t features_ = 0, tasks_per_sentence_ = 0;
  size_t sentences_per_task_ = 1;
};

}  // namespace dispatch
}  // namespace ndconv

struct ndconv_textcnn {
  ndconv::dispatch::TextCnn* plan = nullptr;
};

using ndconv::dispatch::failf;
using ndconv::dispatch::guarded;

extern "C" ndconv_status ndconv_textcnn_create(const ndconv_textcnn_desc* desc,
                                               const float* const* weights,
                                               const float* const* biases,
                                               ndconv_textcnn** out_textcnn) {
  using namespace ndconv::dispatch;
  if (out_textcnn == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "out_textcnn is NULL");
  *out_textcnn = nullptr;
  if (desc == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "desc is NULL");
  ndconv_textcnn* handle = nullptr;
  TextCnn* plan = nullptr;
  const ndconv_status st = guarded("ndconv_textcnn_create", [&] {
    ndconv_status s = validate_textcnn(*desc);
    if (s != NDCONV_OK) return s;
    if (weights == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "weights is NULL");
    for (int b = 0; b < desc->branch_count; ++b)
      if (weights[b] == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "weights[%d] is NULL", b);
    const ndconv::kernels::KernelTable* table = current_kernel_table(&s);
    if (table == nullptr) return s;
    plan = new (std::nothrow) TextCnn(*desc, *table);
    if (plan == nullptr || !plan->init(weights, biases))
      return failf(NDCONV_OUT_OF_MEMORY, "out of memory packing the text-CNN weights");
    handle = create_object<ndconv_textcnn>();
    if (handle == nullptr) return failf(NDCONV_OUT_OF_MEMORY, "out of memory allocating a plan");
    handle->plan = plan;
    return NDCONV_OK;
  });
  if (st != NDCONV_OK) {
    if (handle == nullptr) delete plan;
    destroy_object(handle);
    return st;
  }
  *out_textcnn = handle;
  return NDCONV_OK;
}

extern "C" void ndconv_textcnn_destroy(ndconv_textcnn* textcnn) {
  if (textcnn) delete textcnn->plan;
  ndconv::dispatch::destroy_object(textcnn);
}

extern "C" ndconv_status ndconv_textcnn_run(const ndconv_textcnn* textcnn, const float* input,
                                            float* output, ndconv_threadpool* pool) {
  if (textcnn == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "textcnn is NULL");
  if (input == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "input is NULL");
  if (output == nullptr) return failf(NDCONV_INVALID_ARGUMENT, "output is NULL");
  return guarded("ndconv_textcnn_run", [&] { return textcnn->plan->run(input, output, pool); });
}

extern "C" const char* ndconv_textcnn_kernel_name(const ndconv_textcnn* textcnn) {
  return textcnn ? textcnn->plan->name().c_str() : "";
}
