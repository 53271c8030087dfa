// ndconv's C++17 layer: header-only, over the C API of ndconv.h and nothing
// else. RAII plan and pool types, a descriptor builder that reads like the
// PyTorch / Keras layer arguments, and errors as exceptions (ndconv::Error
// carries the status and the ndconv_last_error text).
//
//   auto conv = ndconv::ConvBuilder::conv2d(64, 128, {3, 3})
//                   .input_size({56, 56}).batch(8)
//                   .stride(2).padding_same().relu().channels_last()
//                   .build(weights, bias);
//   ndconv::ThreadPool pool(4);
//   conv.run(input, output, pool);
#ifndef NDCONV_NDCONV_HPP
#define NDCONV_NDCONV_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ndconv/ndconv.h"

namespace ndconv {

// A failed ndconv call: status() is the C status, what() is
// "<status name>: <ndconv_last_error()>".
class Error : public std::runtime_error {
 public:
  Error(ndconv_status status, const std::string& detail)
      : std::runtime_error(std::string(ndconv_status_string(status)) + ": " + detail),
        status_(status),
        detail_(detail) {}
  ndconv_status status() const noexcept { return status_; }
  const std::string& detail() const noexcept { return detail_; }  // ndconv_last_error text

 private:
  ndconv_status status_;
  std::string detail_;
};

// Throws Error for any status but NDCONV_OK.
inline void check(ndconv_status status) {
  if (status != NDCONV_OK) throw Error(status, ndconv_last_error());
}

// Owns an ndconv_threadpool: ndconv's own threads, or the host's parallel_for.
class ThreadPool {
 public:
  // Host callback form: run fn(ctx, i) for every i in [0, count), return when done.
  using ParallelFor = std::function<void(ndconv_task_fn fn, void* ctx, size_t count)>;

  // ndconv's own threads; 0 = one per core. The calling thread also works.
  explicit ThreadPool(size_t threads = 0) : pool_(ndconv_threadpool_create(threads)) {
    if (!pool_) throw Error(NDCONV_OUT_OF_MEMORY, ndconv_last_error());
  }

  // The host runtime's threads: `parallel_for` runs every task, `threads` is
  // the split hint. The callable is kept alive by the pool.
  static ThreadPool external(ParallelFor parallel_for, size_t threads) {
    if (!parallel_for) throw Error(NDCONV_INVALID_ARGUMENT, "parallel_for is empty");
    auto holder = std::make_unique<ParallelFor>(std::move(parallel_for));
    ndconv_threadpool* p = ndconv_threadpool_create_external(
        [](void* pool_ctx, ndconv_task_fn fn, void* ctx, size_t count) {
          (*static_cast<ParallelFor*>(pool_ctx))(fn, ctx, count);
        },
        holder.get(), threads);
    if (!p) throw Error(NDCONV_INVALID_ARGUMENT, ndconv_last_error());
    return ThreadPool(p, std::move(holder));
  }

  ThreadPool(ThreadPool&& o) noexcept : pool_(o.pool_), callback_(std::move(o.callback_)) { o.pool_ = nullptr; }
  ThreadPool& operator=(ThreadPool&& o) noexcept {
    std::swap(pool_, o.pool_);
    std::swap(callback_, o.callback_);
    return *this;
  }
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  ~ThreadPool() { ndconv_threadpool_destroy(pool_); }

  ndconv_threadpool* get() const noexcept { return pool_; }

 private:
  ThreadPool(ndconv_threadpool* p, std::unique_ptr<ParallelFor> callback)
      : pool_(p), callback_(std::move(callback)) {}
  ndconv_threadpool* pool_ = nullptr;
  std::unique_ptr<ParallelFor> callback_;  // external pools only
};

// Element counts of a descriptor's tensors (validates it: throws Error).
struct TensorSizes {
  int64_t input = 0, weights = 0, bias = 0, output = 0;
  std::vector<int64_t> out_size;  // spatial output extent, one per dimension
};

inline TensorSizes tensor_sizes(const ndconv_conv_desc& d) {
  int64_t out[NDCONV_MAX_RANK] = {};
  check(ndconv_conv_output_size(&d, out));
  TensorSizes t;
  const int64_t groups = d.groups ? d.groups : 1;
  t.input = d.batch * d.in_channels;
  t.weights = d.out_channels * (d.in_channels / groups);
  t.output = d.batch * d.out_channels;
  t.bias = d.out_channels;
  for (int i = 0; i < d.rank; ++i) {  // no overflow: validated above
    t.input *= d.in_size[i];
    t.weights *= d.kernel[i];
    t.output *= out[i];
    t.out_size.push_back(out[i]);
  }
  return t;
}

// An immutable convolution plan. run() is const and thread-safe.
class Conv {
 public:
  Conv() = default;
  // weights in desc.weight_layout; bias may be NULL. Copies what it needs.
  Conv(const ndconv_conv_desc& desc, const float* weights, const float* bias = nullptr) : desc_(desc) {
    check(ndconv_conv_create(&desc, weights, bias, &conv_));
  }
  // The same with create options (the measure mode: README "Measure mode and wisdom").
  Conv(const ndconv_conv_desc& desc, const float* weights, const float* bias,
       const ndconv_create_options& options)
      : desc_(desc) {
    check(ndconv_conv_create_ex(&desc, weights, bias, &options, &conv_));
  }
  Conv(Conv&& o) noexcept : conv_(o.conv_), desc_(o.desc_) { o.conv_ = nullptr; }
  Conv& operator=(Conv&& o) noexcept {
    std::swap(conv_, o.conv_);
    std::swap(desc_, o.desc_);
    return *this;
  }
  Conv(const Conv&) = delete;
  Conv& operator=(const Conv&) = delete;
  ~Conv() { ndconv_conv_destroy(conv_); }

  // output = act(conv(input) + bias). No pool: the calling thread only.
  void run(const float* input, float* output) const { check(ndconv_conv_run(conv_, input, output, nullptr)); }
  void run(const float* input, float* output, const ThreadPool& pool) const {
    check(ndconv_conv_run(conv_, input, output, pool.get()));
  }

  const char* kernel_name() const noexcept { return ndconv_conv_kernel_name(conv_); }
  // How the plan was chosen: its candidate, and what measuring it cost.
  ndconv_tune_info tune_info() const {
    ndconv_tune_info info{};
    check(ndconv_conv_tune_info(conv_, &info));
    return info;
  }
  const ndconv_conv_desc& desc() const noexcept { return desc_; }
  TensorSizes sizes() const { return tensor_sizes(desc_); }
  const ndconv_conv* get() const noexcept { return conv_; }
  explicit operator bool() const noexcept { return conv_ != nullptr; }

 private:
  ndconv_conv* conv_ = nullptr;
  ndconv_conv_desc desc_{};
};

// Builds an ndconv_conv_desc with the vocabulary of torch.nn.ConvNd and
// keras.layers.ConvND. Per-dimension setters take one value for every
// dimension or a list with one value per dimension.
class ConvBuilder {
 public:
  using Dims = std::initializer_list<int64_t>;

  // in_channels -> out_channels with the given kernel; rank = kernel's length.
  static ConvBuilder conv(int64_t in_channels, int64_t out_channels, Dims kernel) {
    if (kernel.size() < 1 || kernel.size() > NDCONV_MAX_RANK)
      throw Error(NDCONV_INVALID_ARGUMENT, "kernel has " + std::to_string(kernel.size()) +
                                               " values; the rank must be 1 .. 8");
    ConvBuilder b;
    b.d_.rank = static_cast<int32_t>(kernel.size());
    b.d_.batch = 1;
    b.d_.in_channels = in_channels;
    b.d_.out_channels = out_channels;
    b.set(b.d_.kernel, kernel, "kernel");
    return b;
  }
  static ConvBuilder conv1d(int64_t in_ch, int64_t out_ch, int64_t kernel) { return conv(in_ch, out_ch, {kernel}); }
  static ConvBuilder conv2d(int64_t in_ch, int64_t out_ch, Dims kernel) { return conv(in_ch, out_ch, kernel); }
  static ConvBuilder conv3d(int64_t in_ch, int64_t out_ch, Dims kernel) { return conv(in_ch, out_ch, kernel); }

  ConvBuilder& batch(int64_t n) { d_.batch = n; return *this; }
  ConvBuilder& input_size(Dims size) { return set(d_.in_size, size, "input_size"); }
  ConvBuilder& stride(int64_t s) { return fill(d_.stride, s); }
  ConvBuilder& stride(Dims s) { return set(d_.stride, s, "stride"); }
  ConvBuilder& dilation(int64_t v) { return fill(d_.dilation, v); }
  ConvBuilder& dilation(Dims v) { return set(d_.dilation, v, "dilation"); }
  ConvBuilder& groups(int64_t g) { d_.groups = g; return *this; }
  // groups = in_channels (PyTorch's depthwise form).
  ConvBuilder& depthwise() { d_.groups = d_.in_channels; return *this; }

  // Explicit padding, PyTorch style: the same amount on both sides.
  ConvBuilder& padding(int64_t p) { d_.padding = NDCONV_PAD_EXPLICIT; fill(d_.pad_begin, p); return fill(d_.pad_end, p); }
  ConvBuilder& padding(Dims p) {
    d_.padding = NDCONV_PAD_EXPLICIT;
    set(d_.pad_begin, p, "padding");
    return set(d_.pad_end, p, "padding");
  }
  // ONNX pads: begin and end per dimension.
  ConvBuilder& padding(Dims begin, Dims end) {
    d_.padding = NDCONV_PAD_EXPLICIT;
    set(d_.pad_begin, begin, "pad_begin");
    return set(d_.pad_end, end, "pad_end");
  }
  ConvBuilder& padding_same() { d_.padding = NDCONV_PAD_SAME_UPPER; return *this; }  // Keras 'same'
  ConvBuilder& padding_same_lower() { d_.padding = NDCONV_PAD_SAME_LOWER; return *this; }
  ConvBuilder& padding_valid() { d_.padding = NDCONV_PAD_VALID; return *this; }

  ConvBuilder& relu() { d_.activation = NDCONV_ACT_RELU; return *this; }
  ConvBuilder& relu6() { return clamp(0.0f, 6.0f); }
  ConvBuilder& clamp(float lo, float hi) {
    d_.activation = NDCONV_ACT_CLAMP;
    d_.act_min = lo;
    d_.act_max = hi;
    return *this;
  }
  ConvBuilder& no_activation() { d_.activation = NDCONV_ACT_NONE; return *this; }

  ConvBuilder& channels_last() { d_.layout = NDCONV_NXC; return *this; }    // NHWC
  ConvBuilder& channels_first() { d_.layout = NDCONV_NCX; return *this; }   // NCHW
  ConvBuilder& weights_xio() { d_.weight_layout = NDCONV_XIO; return *this; }  // Keras kernel
  ConvBuilder& weights_oix() { d_.weight_layout = NDCONV_OIX; return *this; }  // PyTorch weight
  // build() times the candidates and keeps the fastest (budget_ms 0: the default).
  ConvBuilder& measure(double budget_ms = 0) {
    options_.tune = NDCONV_TUNE_MEASURE;
    options_.budget_ms = budget_ms;
    return *this;
  }

  const ndconv_conv_desc& desc() const noexcept { return d_; }
  operator const ndconv_conv_desc&() const noexcept { return d_; }
  TensorSizes sizes() const { return tensor_sizes(d_); }
  std::vector<int64_t> output_size() const { return tensor_sizes(d_).out_size; }
  Conv build(const float* weights, const float* bias = nullptr) const { return Conv(d_, weights, bias, options_); }

 private:
  ConvBuilder& fill(int64_t* dst, int64_t v) {
    for (int i = 0; i < NDCONV_MAX_RANK; ++i) dst[i] = v;
    return *this;
  }
  ConvBuilder& set(int64_t* dst, Dims values, const char* what) {
    if (values.size() != static_cast<size_t>(d_.rank))
      throw Error(NDCONV_INVALID_ARGUMENT, std::string(what) + " has " + std::to_string(values.size()) +
                                               " values for rank " + std::to_string(d_.rank));
    int i = 0;
    for (int64_t v : values) dst[i++] = v;
    return *this;
  }
  ndconv_conv_desc d_{};
  ndconv_create_options options_{};
};

// ---- Fused text-CNN block (ndconv_textcnn_*) --------------------------------
//
//   auto block = ndconv::TextCnnBuilder(/*batch=*/32, /*seq_len=*/64, /*embed_dim=*/300)
//                    .branch(3, 100).branch(4, 100).branch(5, 100)
//                    .relu().weights_xio()
//                    .build({w3, w4, w5}, {b3, b4, b5});
//   block.run(sentences, features);   // [32, 64, 300] -> [32, 300]

// An immutable text-CNN block plan. run() is const and thread-safe.
class TextCnn {
 public:
  TextCnn() = default;
  // weights[b] in desc.weight_layout; biases may be NULL, and so may biases[b].
  TextCnn(const ndconv_textcnn_desc& desc, const float* const* weights, const float* const* biases)
      : desc_(desc) {
    check(ndconv_textcnn_create(&desc, weights, biases, &block_));
  }
  TextCnn(TextCnn&& o) noexcept : block_(o.block_), desc_(o.desc_) { o.block_ = nullptr; }
  TextCnn& operator=(TextCnn&& o) noexcept {
    std::swap(block_, o.block_);
    std::swap(desc_, o.desc_);
    return *this;
  }
  TextCnn(const TextCnn&) = delete;
  TextCnn& operator=(const TextCnn&) = delete;
  ~TextCnn() { ndconv_textcnn_destroy(block_); }

  // output [batch, features()] from input [batch, seq_len, embed_dim] (or
  // [batch, embed_dim, seq_len] with channels_first()).
  void run(const float* input, float* output) const {
    check(ndconv_textcnn_run(block_, input, output, nullptr));
  }
  void run(const float* input, float* output, const ThreadPool& pool) const {
    check(ndconv_textcnn_run(block_, input, output, pool.get()));
  }

  // Output features per sentence: the sum of the branches' filters.
  int64_t features() const noexcept {
    int64_t f = 0;
    for (int b = 0; b < desc_.branch_count; ++b) f += desc_.branches[b].filters;
    return f;
  }
  const char* kernel_name() const noexcept { return ndconv_textcnn_kernel_name(block_); }
  const ndconv_textcnn_desc& desc() const noexcept { return desc_; }
  explicit operator bool() const noexcept { return block_ != nullptr; }

 private:
  ndconv_textcnn* block_ = nullptr;
  ndconv_textcnn_desc desc_{};
};

// Builds an ndconv_textcnn_desc. Defaults: input [N, L, E] (channels-last),
// PyTorch weights [F, E, k], no activation (call relu() for the classic block).
class TextCnnBuilder {
 public:
  TextCnnBuilder(int64_t batch, int64_t seq_len, int64_t embed_dim) {
    d_.batch = batch;
    d_.seq_len = seq_len;
    d_.embed_dim = embed_dim;
    d_.layout = NDCONV_NXC;
  }
  // One more branch: windows of `ngram` words, `filters` output features.
  TextCnnBuilder& branch(int64_t ngram, int64_t filters) {
    if (d_.branch_count >= NDCONV_TEXTCNN_MAX_BRANCHES)
      throw Error(NDCONV_INVALID_ARGUMENT, "more than " + std::to_string(NDCONV_TEXTCNN_MAX_BRANCHES) + " branches");
    d_.branches[d_.branch_count++] = {ngram, filters};
    return *this;
  }
  TextCnnBuilder& relu() { d_.activation = NDCONV_ACT_RELU; return *this; }
  TextCnnBuilder& clamp(float lo, float hi) {
    d_.activation = NDCONV_ACT_CLAMP;
    d_.act_min = lo;
    d_.act_max = hi;
    return *this;
  }
  TextCnnBuilder& no_activation() { d_.activation = NDCONV_ACT_NONE; return *this; }
  TextCnnBuilder& channels_last() { d_.layout = NDCONV_NXC; return *this; }    // [N, L, E]
  TextCnnBuilder& channels_first() { d_.layout = NDCONV_NCX; return *this; }   // [N, E, L]
  TextCnnBuilder& weights_xio() { d_.weight_layout = NDCONV_XIO; return *this; }  // Keras [k, E, F]
  TextCnnBuilder& weights_oix() { d_.weight_layout = NDCONV_OIX; return *this; }  // PyTorch [F, E, k]

  const ndconv_textcnn_desc& desc() const noexcept { return d_; }
  // One weights pointer per branch; biases empty (no bias) or one per branch
  // (entries may be nullptr).
  TextCnn build(const std::vector<const float*>& weights, const std::vector<const float*>& biases = {}) const {
    const size_t n = static_cast<size_t>(d_.branch_count);
    if (weights.size() != n)
      throw Error(NDCONV_INVALID_ARGUMENT, std::to_string(weights.size()) + " weight tensors for " +
                                               std::to_string(n) + " branches");
    if (!biases.empty() && biases.size() != n)
      throw Error(NDCONV_INVALID_ARGUMENT, std::to_string(biases.size()) + " bias tensors for " +
                                               std::to_string(n) + " branches");
    return TextCnn(d_, weights.data(), biases.empty() ? nullptr : biases.data());
  }

 private:
  ndconv_textcnn_desc d_{};
};


// ---- Quantized (int8) convolution (ndconv_qconv_*) ---------------------------
//
//   auto q = ndconv::QConvBuilder(ndconv::ConvBuilder::conv2d(64, 64, {3, 3})
//                                     .input_size({56, 56}).padding_same().relu().channels_last())
//                .input_u8(0.02f, 128).output_u8(0.05f, 0)
//                .build(weights_s8, weight_scales, bias_s32);   // per-channel scales
//   q.run(input_u8, output_u8);

// An immutable int8 convolution plan. run() is const and thread-safe.
class QConv {
 public:
  QConv() = default;
  // weights int8 in desc.conv.weight_layout; weight_scales: desc.weight_scale_count
  // floats; bias NULL or out_channels int32 values. Copies what it needs.
  QConv(const ndconv_qconv_desc& desc, const int8_t* weights, const float* weight_scales,
        const int32_t* bias = nullptr)
      : desc_(desc) {
    check(ndconv_qconv_create(&desc, weights, weight_scales, bias, &qconv_));
  }
  // The same with create options (the measure mode: README "Measure mode and wisdom").
  QConv(const ndconv_qconv_desc& desc, const int8_t* weights, const float* weight_scales, const int32_t* bias,
        const ndconv_create_options& options)
      : desc_(desc) {
    check(ndconv_qconv_create_ex(&desc, weights, weight_scales, bias, &options, &qconv_));
  }
  QConv(QConv&& o) noexcept : qconv_(o.qconv_), desc_(o.desc_) { o.qconv_ = nullptr; }
  QConv& operator=(QConv&& o) noexcept {
    std::swap(qconv_, o.qconv_);
    std::swap(desc_, o.desc_);
    return *this;
  }
  QConv(const QConv&) = delete;
  QConv& operator=(const QConv&) = delete;
  ~QConv() { ndconv_qconv_destroy(qconv_); }

  // input: input_type elements, output: output_type elements.
  void run(const void* input, void* output) const { check(ndconv_qconv_run(qconv_, input, output, nullptr)); }
  void run(const void* input, void* output, const ThreadPool& pool) const {
    check(ndconv_qconv_run(qconv_, input, output, pool.get()));
  }
  const char* kernel_name() const noexcept { return ndconv_qconv_kernel_name(qconv_); }
  // How the plan was chosen: its candidate ("int8:mr=14"), and what measuring it cost.
  ndconv_tune_info tune_info() const {
    ndconv_tune_info info{};
    check(ndconv_qconv_tune_info(qconv_, &info));
    return info;
  }
  const ndconv_qconv_desc& desc() const noexcept { return desc_; }
  TensorSizes sizes() const { return tensor_sizes(desc_.conv); }  // element counts
  explicit operator bool() const noexcept { return qconv_ != nullptr; }

 private:
  ndconv_qconv* qconv_ = nullptr;
  ndconv_qconv_desc desc_{};
};

// Builds an ndconv_qconv_desc around a ConvBuilder's shape. Defaults: u8
// input (scale 1, zero point 0), per-tensor weight scale, int32 output.
class QConvBuilder {
 public:
  explicit QConvBuilder(const ndconv_conv_desc& conv) {
    d_.conv = conv;
    d_.input_type = NDCONV_U8;
    d_.output_type = NDCONV_S32;
    d_.input_scale = 1.0f;
    d_.weight_scale_count = 1;
    d_.output_scale = 1.0f;
  }
  QConvBuilder& input_u8(float scale, int32_t zero_point) { return input(NDCONV_U8, scale, zero_point); }
  QConvBuilder& input_s8(float scale, int32_t zero_point) { return input(NDCONV_S8, scale, zero_point); }
  QConvBuilder& output_u8(float scale, int32_t zero_point) { return output(NDCONV_U8, scale, zero_point); }
  QConvBuilder& output_s8(float scale, int32_t zero_point) { return output(NDCONV_S8, scale, zero_point); }
  QConvBuilder& output_s32() { return output(NDCONV_S32, 1.0f, 0); }  // ConvInteger
  QConvBuilder& output_f32() { return output(NDCONV_F32, 1.0f, 0); }  // dequantized
  QConvBuilder& per_channel_scales() { d_.weight_scale_count = d_.conv.out_channels; return *this; }
  QConvBuilder& per_tensor_scale() { d_.weight_scale_count = 1; return *this; }
  // build() times the GEMM tiles and keeps the fastest (budget_ms 0: the default).
  QConvBuilder& measure(double budget_ms = 0) {
    options_.tune = NDCONV_TUNE_MEASURE;
    options_.budget_ms = budget_ms;
    return *this;
  }

  const ndconv_qconv_desc& desc() const noexcept { return d_; }
  QConv build(const int8_t* weights, const float* weight_scales, const int32_t* bias = nullptr) const {
    return QConv(d_, weights, weight_scales, bias, options_);
  }

 private:
  QConvBuilder& input(ndconv_dtype type, float scale, int32_t zero_point) {
    d_.input_type = type;
    d_.input_scale = scale;
    d_.input_zero_point = zero_point;
    return *this;
  }
  QConvBuilder& output(ndconv_dtype type, float scale, int32_t zero_point) {
    d_.output_type = type;
    d_.output_scale = scale;
    d_.output_zero_point = zero_point;
    return *this;
  }
  ndconv_qconv_desc d_{};
  ndconv_create_options options_{};
};

}  // namespace ndconv

#endif  // NDCONV_NDCONV_HPP
