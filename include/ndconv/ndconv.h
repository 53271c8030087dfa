/* ndconv: SIMD convolution microkernels for CPU inference. The stable C ABI.
 *
 * Everything in this header is part of the contract documented in the README
 * ("C API"): names, types and meanings do not change. All tensors are dense,
 * row-major float32 and need no particular alignment. */
#ifndef NDCONV_NDCONV_H
#define NDCONV_NDCONV_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && defined(NDCONV_SHARED)
#  if defined(NDCONV_BUILDING)
#    define NDCONV_API __declspec(dllexport)
#  else
#    define NDCONV_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define NDCONV_API __attribute__((visibility("default")))
#else
#  define NDCONV_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define NDCONV_MAX_RANK 8                  /* spatial dimensions */

typedef enum ndconv_status {
  NDCONV_OK = 0,
  NDCONV_INVALID_ARGUMENT = 1,   /* malformed descriptor, null pointer, sizes that
                                    do not fit together or overflow int64 */
  NDCONV_UNSUPPORTED = 2,        /* well formed, but not available (e.g. an ISA
                                    this CPU lacks) */
  NDCONV_OUT_OF_MEMORY = 3,
  NDCONV_INTERNAL_ERROR = 4
} ndconv_status;

typedef enum ndconv_layout {
  NDCONV_NCX = 0,   /* [N, C, X0 .. Xr-1]  PyTorch Conv1d/2d/3d (NCW, NCHW, NCDHW) */
  NDCONV_NXC = 1    /* [N, X0 .. Xr-1, C]  TensorFlow/Keras channels_last (NWC, NHWC) */
} ndconv_layout;

typedef enum ndconv_weight_layout {
  NDCONV_OIX = 0,   /* [C_out, C_in/groups, K0 .. Kr-1]  PyTorch weight */
  NDCONV_XIO = 1    /* [K0 .. Kr-1, C_in/groups, C_out]  TensorFlow/Keras kernel */
} ndconv_weight_layout;

typedef enum ndconv_padding {
  NDCONV_PAD_EXPLICIT = 0,    /* pad_begin / pad_end as given */
  NDCONV_PAD_VALID = 1,       /* no padding */
  NDCONV_PAD_SAME_UPPER = 2,  /* ONNX auto_pad SAME_UPPER (TensorFlow 'same'):
                                 out = ceil(in / stride),
                                 total = max((out-1)*stride + dilation*(kernel-1) + 1 - in, 0),
                                 pad_begin = floor(total / 2), pad_end = total - pad_begin */
  NDCONV_PAD_SAME_LOWER = 3   /* the same, with pad_end = floor(total / 2) and the
                                 odd extra at the beginning */
} ndconv_padding;

typedef enum ndconv_activation {
  NDCONV_ACT_NONE = 0,
  NDCONV_ACT_RELU = 1,
  NDCONV_ACT_CLAMP = 2        /* min(max(y, act_min), act_max), e.g. ReLU6 */
} ndconv_activation;

typedef struct ndconv_conv_desc {
  int32_t rank;                          /* 1 .. NDCONV_MAX_RANK */
  ndconv_layout layout;                  /* input and output activations */
  ndconv_weight_layout weight_layout;
  int64_t batch;                         /* N >= 1 */
  int64_t in_channels;                   /* divisible by groups */
  int64_t out_channels;                  /* divisible by groups */
  int64_t groups;                        /* 0 means 1; negative is invalid */
  int64_t in_size[NDCONV_MAX_RANK];      /* spatial input extent */
  int64_t kernel[NDCONV_MAX_RANK];
  int64_t stride[NDCONV_MAX_RANK];       /* 0 means 1; negative is invalid */
  int64_t dilation[NDCONV_MAX_RANK];     /* 0 means 1; negative is invalid */
  int64_t pad_begin[NDCONV_MAX_RANK];    /* >= 0; read only with NDCONV_PAD_EXPLICIT,
                                            ignored (not validated) otherwise */
  int64_t pad_end[NDCONV_MAX_RANK];
  ndconv_padding padding;
  ndconv_activation activation;
  float act_min, act_max;                /* read only with NDCONV_ACT_CLAMP (then
                                            act_min <= act_max, neither NaN),
                                            ignored otherwise */
} ndconv_conv_desc;                      /* a zero-filled desc plus the sizes is valid.
                                            In every per-dimension array, entries at
                                            index >= rank are ignored, not validated. */

typedef struct ndconv_conv ndconv_conv;              /* opaque plan */
typedef struct ndconv_threadpool ndconv_threadpool;  /* opaque */

/* Output spatial extent of a descriptor, without building a plan. Returns the
   status ndconv_conv_create would return for this desc. */
NDCONV_API ndconv_status ndconv_conv_output_size(const ndconv_conv_desc* desc,
                                                 int64_t out_size[NDCONV_MAX_RANK]);

/* Validate, choose the algorithm and ISA, pre-pack the weights. create copies
   everything it needs from desc, weights and bias: the caller may overwrite or
   free them afterwards. bias may be NULL. On failure *out_conv is set to NULL. */
NDCONV_API ndconv_status ndconv_conv_create(const ndconv_conv_desc* desc,
                                            const float* weights, const float* bias,
                                            ndconv_conv** out_conv);
NDCONV_API void ndconv_conv_destroy(ndconv_conv* conv);      /* NULL is a no-op */

/* out = act(conv(input, weights) + bias). Does not modify input. Writes only
   inside the output tensor. A plan is immutable after create: any number of
   threads may call run on the same plan at once with different buffers.
   input and output must not overlap. pool NULL runs on the calling thread. */
NDCONV_API ndconv_status ndconv_conv_run(const ndconv_conv* conv, const float* input,
                                         float* output, ndconv_threadpool* pool);

/* What create chose, "<algorithm>/<ndconv_isa_name(isa)>", e.g.
   "pointwise-gemm/avx512", "ngram-gemm/neon". Never NULL nor empty; for a
   NULL conv it returns "". */
NDCONV_API const char* ndconv_conv_kernel_name(const ndconv_conv* conv);

/* Runtime dispatch. */
typedef enum ndconv_isa {
  NDCONV_ISA_AUTO = 0,     /* best the CPU supports (the default) */
  NDCONV_ISA_SCALAR = 1,   /* portable C++, no intrinsics */
  NDCONV_ISA_AVX2 = 2,     /* x86-64 AVX2 + FMA */
  NDCONV_ISA_AVX512 = 3,   /* x86-64 AVX-512 F/BW/DQ/VL */
  NDCONV_ISA_NEON = 4      /* AArch64 Advanced SIMD */
} ndconv_isa;
/* Best ISA that both this CPU (and its OS) and this build support: the
   widest, except AVX2 rather than AVX-512 on cores with one 512-bit FMA unit,
   where AVX-512 is no faster (see ndconv_cpu_string's cpu.fma_units). */
NDCONV_API ndconv_isa  ndconv_detected_isa(void);
/* Process-wide: plans created afterwards use exactly this ISA (AUTO: the
   detected one). UNSUPPORTED if the CPU or the build lacks it, INVALID_ARGUMENT
   for a value outside the enum; ndconv_set_isa(ndconv_detected_isa()) is OK.
   The environment variable NDCONV_ISA (auto, scalar, avx2, avx512, neon) sets
   the same at load time; a value that is not one of these, or an ISA this
   machine lacks, is an error, never a silent fallback: a message on stderr,
   every create fails with it and ndconv_current_isa() returns AUTO, until
   ndconv_set_isa succeeds. */
NDCONV_API ndconv_status ndconv_set_isa(ndconv_isa isa);
NDCONV_API ndconv_isa  ndconv_current_isa(void);   /* what plans created now use
                                                      (AUTO: none, see above) */
NDCONV_API const char* ndconv_isa_name(ndconv_isa isa); /* exactly "auto", "scalar",
                                                           "avx2", "avx512", "neon" */
/* The cache sizes detected at load time and the tuning plans use (cache
   blocks, task sizes, ...), as "name = value" lines: "cache.source" (where the
   sizes came from: "cpuid leaf 4", "cpuid 0x8000001d", "cpuid 0x80000005/6",
   "sysfs", or "none" when nothing answered), "cache.l1d_bytes",
   "cache.l2_bytes", "cache.l3_bytes" (0: none), "cache.line_bytes",
   "cache.defaulted" (the values replaced by defaults: "none", or some of
   "l1d l2 l3 line"), then one line per tuning value, e.g.
   "gemm_l1_budget_bytes = 32768". For people and logs: more names may be
   added. snprintf's contract: writes at most `size` bytes into buf, the
   terminating NUL included (nothing when size is 0 or buf is NULL), and
   returns the length of the whole text, so ndconv_tuning_string(NULL, 0) + 1
   is the buffer size needed. */
NDCONV_API size_t ndconv_tuning_string(char* buf, size_t size);
/* The CPU detected at load time, as "name = value" lines: "cpu.brand" (the
   x86 brand string; on AArch64 made from MIDR_EL1, e.g. "Arm part 0xd0c
   r3p1"), "cpu.vendor" ("intel", "amd", "arm" or "unknown"), on x86
   "cpu.family", "cpu.model" (display values, decimal then hexadecimal in
   parentheses), "cpu.stepping", on AArch64 "cpu.implementer", "cpu.part",
   "cpu.variant", "cpu.revision", then "cpu.microarchitecture" (the name the
   tuning is keyed on: "skylake-sp", "cascade-lake", "ice-lake-sp",
   "sapphire-rapids", "zen", "zen2" .. "zen5", "neoverse-n1", "neoverse-v1",
   "neoverse-n2", "neoverse-v2" or "unknown"), "cpu.fma_units" ("2 x 512-bit",
   or "unknown"), "cpu.fma_units_source" and "cpu.int8_dot_products" (those
   this CPU and OS allow: "avx512-vnni", "avx-vnni", "amx-int8", "neon-dot",
   or "none"). For people and logs: more names
   may be added. A static, NUL-terminated text, valid for the whole process. */
NDCONV_API const char* ndconv_cpu_string(void);

/* Threads. A built-in pool, or the runtime's own threads through a callback
   that runs fn(ctx, i) for every i in [0, count) and returns when all are done.
   The callback may run the tasks in any order, with any concurrency, serially
   on the caller included: ndconv's tasks never wait for each other. `threads`
   is a hint for how finely to split the work. One pool may serve several
   concurrent ndconv_conv_run calls. */
NDCONV_API ndconv_threadpool* ndconv_threadpool_create(size_t threads);  /* 0: all cores */
typedef void (*ndconv_task_fn)(void* ctx, size_t index);
typedef void (*ndconv_parallel_for_fn)(void* pool_ctx, ndconv_task_fn fn,
                                       void* ctx, size_t count);
NDCONV_API ndconv_threadpool* ndconv_threadpool_create_external(
    ndconv_parallel_for_fn parallel_for, void* pool_ctx, size_t threads);
NDCONV_API void ndconv_threadpool_destroy(ndconv_threadpool* pool);      /* NULL no-op */

/* Errors. */
NDCONV_API const char* ndconv_status_string(ndconv_status status);
/* Human-readable detail of the last failed call on this thread, e.g.
   "kernel[1] = 301 exceeds padded input extent 300". Never NULL; "" if no
   call on this thread has failed. */
NDCONV_API const char* ndconv_last_error(void);

/* ==========================================================================
   Fused text-CNN block (an addition to the API above; nothing above changes).

   The sentence-classification layer of Kim (2014): over each sentence, an
   [L, E] matrix of word embeddings, several branches of n-gram convolutions
   (branch b: Conv1D with kernel k_b over E channels, F_b filters, stride 1,
   no padding, L_b = L - k_b + 1 output positions), each with its bias and
   activation, then max pooling over time, concatenated:

     output[n][off_b + f] = max over l < L_b of act(bias_b[f] +
                            sum_{t < k_b, e < E} x[n][l + t][e] * w_b[t][e][f])

   with off_b = F_0 + .. + F_{b-1}; output is [N, F_0 + .. + F_{B-1}]. One
   call does it all, and the [L_b, F_b] activations are never written to
   memory. Error conventions are those of the convolution API above.
   ========================================================================== */

#define NDCONV_TEXTCNN_MAX_BRANCHES 8

typedef enum ndconv_textcnn_pooling {
  NDCONV_TEXTCNN_POOL_MAX = 0       /* global max over time */
} ndconv_textcnn_pooling;

typedef struct ndconv_textcnn_branch {
  int64_t ngram;                    /* k: words per window, 1 .. seq_len */
  int64_t filters;                  /* F >= 1 */
} ndconv_textcnn_branch;

typedef struct ndconv_textcnn_desc {
  int64_t batch;                    /* N >= 1 sentences */
  int64_t seq_len;                  /* L >= 1 words each */
  int64_t embed_dim;                /* E >= 1 floats per word */
  int32_t branch_count;             /* 1 .. NDCONV_TEXTCNN_MAX_BRANCHES */
  ndconv_textcnn_branch branches[NDCONV_TEXTCNN_MAX_BRANCHES];  /* [0, branch_count) read */
  ndconv_layout layout;             /* input: NXC [N, L, E] (Keras), or NCX [N, E, L]
                                       (PyTorch Conv1d); the output is [N, sum F] either way */
  ndconv_weight_layout weight_layout;  /* per branch: XIO [k, E, F] (Keras Conv1D kernel),
                                          OIX [F, E, k] (PyTorch Conv1d weight) */
  ndconv_activation activation;     /* RELU (the classic), NONE or CLAMP */
  float act_min, act_max;           /* read only with NDCONV_ACT_CLAMP, as in ndconv_conv_desc */
  ndconv_textcnn_pooling pooling;   /* NDCONV_TEXTCNN_POOL_MAX (0) */
} ndconv_textcnn_desc;

typedef struct ndconv_textcnn ndconv_textcnn;   /* opaque, immutable plan */

/* weights[b]: branch b's filters in desc->weight_layout. biases may be NULL
   (no bias anywhere), and so may any biases[b] (no bias for that branch);
   biases[b] holds F_b floats. create copies everything it needs. On failure
   *out_textcnn is set to NULL. */
NDCONV_API ndconv_status ndconv_textcnn_create(const ndconv_textcnn_desc* desc,
                                               const float* const* weights,
                                               const float* const* biases,
                                               ndconv_textcnn** out_textcnn);
NDCONV_API void ndconv_textcnn_destroy(ndconv_textcnn* textcnn);   /* NULL is a no-op */

/* output [N, sum F] = the block applied to input (layout per desc). Does not
   modify input; input and output must not overlap; thread-safe like
   ndconv_conv_run. pool NULL runs on the calling thread. */
NDCONV_API ndconv_status ndconv_textcnn_run(const ndconv_textcnn* textcnn, const float* input,
                                            float* output, ndconv_threadpool* pool);

/* "textcnn-fused-gemm/<isa>"; "" for NULL. */
NDCONV_API const char* ndconv_textcnn_kernel_name(const ndconv_textcnn* textcnn);

/* ==========================================================================
   Measure mode and wisdom (an addition to the API above; nothing above
   changes). See the README, "Measure mode and wisdom".

   By default create picks the plan by the planner's rules and the tuning for
   this CPU (NDCONV_TUNE_DEFAULT). NDCONV_TUNE_MEASURE instead times the
   candidates that apply to the shape (algorithms of the planner's list; for
   the GEMM ones, the main tile formulation and the K and M cache blocks
   halved or doubled) on scratch buffers, single-threaded on the calling
   thread, within a budget of wall time, and keeps the fastest. Picks are
   cached per process by a shape key (the descriptor's fields and the ISA);
   the cache exports to and imports from a text file ("wisdom"), so a runtime
   measures once per machine. Every candidate is an existing algorithm and
   kernel: whatever is picked, results stay within the API tolerance.
   ========================================================================== */

typedef enum ndconv_tune_mode {
  NDCONV_TUNE_DEFAULT = 0,   /* the planner's rules; the cache is not consulted */
  NDCONV_TUNE_MEASURE = 1,   /* the cached pick for this shape key, else time the
                                candidates and cache the fastest */
  NDCONV_TUNE_WISDOM = 2     /* the cached pick if there is one, else DEFAULT; never times */
} ndconv_tune_mode;

#define NDCONV_TUNE_DEFAULT_BUDGET_MS 20.0
#define NDCONV_TUNE_MAX_BUDGET_MS 60000.0

/* A zero-filled struct is the default create. */
typedef struct ndconv_create_options {
  ndconv_tune_mode tune;
  double budget_ms;          /* MEASURE: wall time of candidate runs allowed per
                                plan (0: NDCONV_TUNE_DEFAULT_BUDGET_MS), at most
                                NDCONV_TUNE_MAX_BUDGET_MS. Checked before each run,
                                so it is exceeded by at most one run of the first
                                candidate timed. Building (packing) candidates is
                                not counted. */
  const char* candidate;     /* NULL, or a name from ndconv_tune_candidates: build
                                exactly that candidate (UNSUPPORTED if it does not
                                apply to the shape); tune is then ignored */
} ndconv_create_options;

/* ndconv_conv_create with options. options NULL is ndconv_conv_create, which
   reads the environment: NDCONV_TUNE = default | measure | wisdom (another
   value fails every such create with INVALID_ARGUMENT naming it) and
   NDCONV_TUNE_BUDGET_MS. NDCONV_WISDOM=<file> is imported at the first create
   of the process, whatever the mode (a missing file is skipped silently, a
   bad one is reported on stderr and skipped). */
NDCONV_API ndconv_status ndconv_conv_create_ex(const ndconv_conv_desc* desc,
                                               const float* weights, const float* bias,
                                               const ndconv_create_options* options,
                                               ndconv_conv** out_conv);

typedef enum ndconv_tune_source {
  NDCONV_TUNE_SOURCE_HEURISTIC = 0,  /* the planner's rules (nothing timed) */
  NDCONV_TUNE_SOURCE_MEASURED = 1,   /* timed at this create */
  NDCONV_TUNE_SOURCE_CACHED = 2,     /* the cache: an earlier measurement or imported wisdom */
  NDCONV_TUNE_SOURCE_FORCED = 3      /* ndconv_create_options.candidate */
} ndconv_tune_source;

typedef struct ndconv_tune_info {
  const char* candidate;     /* the plan's candidate, e.g.
                                "indirect-gemm:tiles=lean:kblock=1x:mblock=1x";
                                valid while the plan lives */
  ndconv_tune_source source;
  int32_t candidates_timed;  /* at this create (0 unless MEASURED) */
  int32_t timed_runs;        /* convolution runs timed (each candidate: up to 3, the fastest counts) */
  double timing_ms;          /* wall time of those runs */
  double budget_ms;          /* the budget they were allowed (0 unless MEASURE) */
} ndconv_tune_info;
NDCONV_API ndconv_status ndconv_conv_tune_info(const ndconv_conv* conv, ndconv_tune_info* info);

/* The candidate names for the current ISA, one per line (whether one applies
   depends on the shape). snprintf's contract, as ndconv_tuning_string. */
NDCONV_API size_t ndconv_tune_candidates(char* buf, size_t size);

/* Wisdom: the cache as text. First line "ndconv-wisdom 1", then one line per
   shape key, "<key> <candidate>", sorted; '#' lines are comments. export
   follows snprintf's contract. import merges into the cache (an entry
   replaces the one of the same key) and is all or nothing: text that is not
   wisdom (bad header, a line without exactly two fields, a key of an unknown
   ISA) is INVALID_ARGUMENT naming the line, another version UNSUPPORTED, and
   nothing is imported. An entry whose candidate no longer exists or does not
   apply to its shape is kept but ignored when a plan looks it up. */
NDCONV_API size_t ndconv_wisdom_export(char* buf, size_t size);
NDCONV_API ndconv_status ndconv_wisdom_import(const char* text);
NDCONV_API ndconv_status ndconv_wisdom_export_file(const char* path);
NDCONV_API ndconv_status ndconv_wisdom_import_file(const char* path);
NDCONV_API void ndconv_wisdom_clear(void);

/* ==========================================================================
   Quantized (int8) convolution (an addition; nothing above changes).

   ONNX QLinearConv / ConvInteger with symmetric int8 weights (zero point 0,
   the TFLite and oneDNN scheme). With x the input, w the weights, c the
   output channel, the window and padding exactly those of ndconv_conv_desc:

     acc = sum over the window of (x - input_zero_point) * w + bias[c]

   in exact int32 arithmetic (wrap-around where the sum leaves int32's range,
   bit for bit on every ISA and algorithm). Padding holds input_zero_point
   (a real zero), so a padded tap contributes 0. Then, by output_type:
   - NDCONV_S32 (ConvInteger): y = acc; RELU gives max(acc, 0); CLAMP is
     INVALID_ARGUMENT.
   - NDCONV_F32: y = act(acc * (input_scale * weight_scale[c])), within the
     float32 API's tolerance of the float64 value (one float32 multiply,
     rounded in the caller's mode like any float32 convolution).
   - NDCONV_U8 / NDCONV_S8 (QLinearConv):
       q = round_half_to_even(acc * input_scale * weight_scale[c] / output_scale)
           + output_zero_point,
     RELU raises q to at least output_zero_point, CLAMP bounds it to
     round_half_to_even(act_min / output_scale) + output_zero_point and the
     same for act_max, and q saturates to the type's range. Within 1 of that
     computed in float64 (the library multiplies by one float32 scale per
     channel), never dependent on the caller's floating-point rounding mode
     (MXCSR / FPCR are never changed; the AVX2 kernels read MXCSR to take
     their fast path only where it gives the bytes of every other mode).
   Tensors are dense and row-major in conv.layout / conv.weight_layout, with
   elements of the types named here (int8 weights, int32 bias).
   ========================================================================== */

typedef enum ndconv_dtype {
  NDCONV_F32 = 0,
  NDCONV_U8 = 1,
  NDCONV_S8 = 2,
  NDCONV_S32 = 3
} ndconv_dtype;

typedef struct ndconv_qconv_desc {
  ndconv_conv_desc conv;         /* shapes, layouts, padding, groups, activation:
                                    the same fields and rules as float32 */
  ndconv_dtype input_type;       /* NDCONV_U8 or NDCONV_S8 */
  ndconv_dtype output_type;      /* NDCONV_U8 or NDCONV_S8 (QLinearConv),
                                    NDCONV_S32 (ConvInteger), NDCONV_F32 */
  float input_scale;             /* finite, > 0 */
  int32_t input_zero_point;      /* inside input_type's range */
  int64_t weight_scale_count;    /* 1 (per tensor) or conv.out_channels */
  float output_scale;            /* finite, > 0; read only for U8/S8 output */
  int32_t output_zero_point;     /* inside output_type's range; U8/S8 only */
} ndconv_qconv_desc;

typedef struct ndconv_qconv ndconv_qconv;          /* opaque plan */

/* Output spatial extent; the status ndconv_qconv_create would return for desc
   (weights and scales aside). */
NDCONV_API ndconv_status ndconv_qconv_output_size(const ndconv_qconv_desc* desc,
                                                  int64_t out_size[NDCONV_MAX_RANK]);
/* weights: int8 in conv.weight_layout; weight_scales: weight_scale_count
   finite floats > 0 (each checked: INVALID_ARGUMENT naming the index); for
   F32, U8 and S8 output each channel's input_scale * weight_scale[c] (divided
   by output_scale for U8/S8), rounded to float, must be finite too
   (INVALID_ARGUMENT naming the channel; S32 output does not use it);
   bias: NULL or conv.out_channels int32 values whose scale is
   input_scale * weight_scale[c]. create copies what it needs. On failure
   *out_qconv is set to NULL. */
NDCONV_API ndconv_status ndconv_qconv_create(const ndconv_qconv_desc* desc,
                                             const int8_t* weights,
                                             const float* weight_scales,
                                             const int32_t* bias,
                                             ndconv_qconv** out_qconv);
NDCONV_API void ndconv_qconv_destroy(ndconv_qconv* qconv);    /* NULL is a no-op */
/* input: input_type elements; output: output_type elements; same layout and
   shape rules, thread safety and buffer rules as ndconv_conv_run. */
NDCONV_API ndconv_status ndconv_qconv_run(const ndconv_qconv* qconv, const void* input,
                                          void* output, ndconv_threadpool* pool);
/* "<algorithm>/<variant>", e.g. "int8-indirect-gemm/avx512-vnni" (the ISA
   level and, after the dash, the int8 dot-product instructions used: vnni,
   amx (AMX tiles for the channels-last GEMMs, VNNI for the rest), dot, or
   maddubsw: vpmaddubsw pairs, taken without dot products when every
   weight lies in [-64, 64], exact) or "int8-reference/scalar" (the exact,
   slow path for shapes without a fast one). "" for NULL. */
NDCONV_API const char* ndconv_qconv_kernel_name(const ndconv_qconv* qconv);

/* ndconv_qconv_create with options: the measure mode and wisdom of
   ndconv_conv_create_ex, the same ndconv_create_options and, with options
   NULL (plain ndconv_qconv_create), the same environment (NDCONV_TUNE,
   NDCONV_TUNE_BUDGET_MS, NDCONV_WISDOM). An int8 plan's one measured choice
   is its GEMM tile's rows (the per-core choice: 14 x 32 on Zen 5, the main
   8 x 32 elsewhere): candidates "int8:mr=<rows>", one per tile of the
   table's main width, and "int8" for plans that are no GEMM (depthwise,
   stream, grouped, reference). options->candidate "int8:mr=<rows>" that the
   plan cannot take (no such tile, or a shape the tile rules give another)
   is UNSUPPORTED. Picks are cached under keys "<isa>:int8-<variant>:...",
   beside the float32 ones in the same wisdom. Every candidate gives the same
   bytes (exact accumulators, a per-element epilogue). */
NDCONV_API ndconv_status ndconv_qconv_create_ex(const ndconv_qconv_desc* desc,
                                                const int8_t* weights,
                                                const float* weight_scales,
                                                const int32_t* bias,
                                                const ndconv_create_options* options,
                                                ndconv_qconv** out_qconv);
/* How the plan was chosen, as ndconv_conv_tune_info. */
NDCONV_API ndconv_status ndconv_qconv_tune_info(const ndconv_qconv* qconv, ndconv_tune_info* info);

/* Process-wide, for tests and benchmarks: whether int8 plans created
   afterwards may use the CPU's int8 dot-product instructions (AVX512-VNNI,
   AVX-VNNI, the Arm dot-product extension); 0 forces the same ISA level's
   kernels without them (exact 16-bit widening, or vpmaddubsw pairs where
   every weight lies in [-64, 64]). Default 1; the environment variable
   NDCONV_INT8_DOT=0 sets 0 at load time. Results are identical either way. */
NDCONV_API void ndconv_set_int8_dot_product(int enable);
NDCONV_API int ndconv_int8_dot_product(void);   /* the current setting (0 or 1) */

/* Process-wide, for tests and benchmarks: whether int8 plans created
   afterwards may use Intel AMX (AMX-INT8 tdpbusd tiles, Sapphire Rapids and
   later: the "avx512-amx" variant, taken at the AVX-512 level with dot
   products on) for their channels-last GEMMs; 0 forces AVX512-VNNI there.
   Default 1; NDCONV_INT8_AMX=0 sets 0 at load time. Results are identical
   either way. */
NDCONV_API void ndconv_set_int8_amx(int enable);
NDCONV_API int ndconv_int8_amx(void);           /* the current setting (0 or 1) */

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* NDCONV_NDCONV_H */
