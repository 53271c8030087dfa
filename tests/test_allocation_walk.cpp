// Allocation failure, walked exhaustively (issue 8). For shapes of every
// algorithm (pointwise, depthwise, n-gram, the general N-D path, the
// reference, the text-CNN block, the int8 algorithms with the int8 dot
// product on and off) under every ISA this CPU has:
//  - create: count its allocations (dispatch::allocate), then make each one
//    fail in turn: NDCONV_OUT_OF_MEMORY with a message and a NULL plan (or OK
//    with a working plan), never a crash, never a leak (LeakSanitizer in the
//    asan build checks the latter at exit);
//  - run: the same walk over run's allocations (OK results must equal the
//    unfaulted run bit for bit);
//  - every allocation goes through dispatch::allocate: this executable
//    replaces the global operator new and counts calls made while create or
//    run is inside the library; there must be none;
//  - descriptors whose sizes overflow are rejected before any allocation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "api/conv_shape.h"
#include "plan/isa_select.h"
#include "api/memory.h"
#include "algorithms/reference.h"
#include "ndconv/ndconv.h"
#include "tests/isa_param.h"
#include "tests/support/random_tensor.h"
#include "tests/support/reference_check.h"
#include "tests/support/conv_desc.h"

// ------------------------------------------------ counting global operator new
namespace {
std::atomic<bool> global_new_armed{false};
std::atomic<size_t> global_news{0};

void* counted_malloc(size_t n) noexcept {
  if (global_new_armed.load(std::memory_order_relaxed)) global_news.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
}  // namespace

void* operator new(size_t n) {
  void* p = counted_malloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}
void* operator new[](size_t n) {
  void* p = counted_malloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}
void* operator new(size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using ndconv::dispatch::testing::fail_allocations_from;

// Counts both kinds of allocation over a scope: dispatch::allocate (through
// the fault injector's counter) and the global operator new.
class AllocationCount {
 public:
  AllocationCount() {
    fail_allocations_from(0);
    global_news = 0;
    global_new_armed = true;
  }
  ~AllocationCount() { stop(); }
  void stop() {
    if (!stopped_) {
      global_new_armed = false;
      dispatch_ = fail_allocations_from(0);
      stopped_ = true;
    }
  }
  size_t dispatch() { stop(); return dispatch_; }
  size_t global() { stop(); return global_news.load(); }

 private:
  bool stopped_ = false;
  size_t dispatch_ = 0;
};

struct AllocationsRestored {
  ~AllocationsRestored() { fail_allocations_from(0); }
};

// Failure points walked by the current test, printed at its end (the
// report's figure; ctest runs each test in its own process).
size_t total_points_walked = 0;
void print_points(const char* test) {
  std::printf("allocation walk: %s under %s: %zu allocation-failure points walked\n", test,
              ndconv_isa_name(ndconv_current_isa()), total_points_walked);
  total_points_walked = 0;
}

// One plan kind, behind callables, so conv and text-CNN plans share the walk.
struct PlanOps {
  std::function<ndconv_status(void** plan)> create;
  std::function<ndconv_status(const void* plan, float* out, ndconv_threadpool* pool)> run;
  std::function<void(void* plan)> destroy;
  size_t output_size = 0;
};

void walk(const std::string& label, const PlanOps& ops, ndconv_threadpool* pool) {
  SCOPED_TRACE(label);
  AllocationsRestored restore;
  // Unfaulted create and run: the allocation counts and the golden output.
  void* plan = nullptr;
  size_t create_allocs = 0, run_allocs = 0;
  std::vector<float> golden(ops.output_size, -1.0f), out(ops.output_size);
  {
    AllocationCount count;
    ASSERT_EQ(ops.create(&plan), NDCONV_OK) << ndconv_last_error();
    create_allocs = count.dispatch();
    EXPECT_EQ(count.global(), 0u) << "create allocated outside dispatch::allocate";
  }
  {
    AllocationCount count;
    ASSERT_EQ(ops.run(plan, golden.data(), pool), NDCONV_OK) << ndconv_last_error();
    run_allocs = count.dispatch();
    EXPECT_EQ(count.global(), 0u) << "run allocated outside dispatch::allocate";
  }
  EXPECT_GE(create_allocs, 1u);  // at least the plan object

  // Run's allocations fail one by one (the plan was made without faults).
  for (size_t n = 1; n <= run_allocs; ++n) {
    fail_allocations_from(n);
    std::fill(out.begin(), out.end(), -1.0f);
    const ndconv_status st = ops.run(plan, out.data(), pool);
    fail_allocations_from(0);
    ASSERT_TRUE(st == NDCONV_OUT_OF_MEMORY || st == NDCONV_OK) << "run, allocation " << n << ": " << st;
    if (st == NDCONV_OK)
      EXPECT_EQ(std::memcmp(out.data(), golden.data(), out.size() * sizeof(float)), 0) << "allocation " << n;
    else
      EXPECT_NE(std::string(ndconv_last_error()).find("out of memory"), std::string::npos) << ndconv_last_error();
    ++total_points_walked;
  }
  ops.destroy(plan);

  // Create's allocations fail one by one.
  for (size_t n = 1; n <= create_allocs; ++n) {
    fail_allocations_from(n);
    void* p = &plan;  // garbage create must overwrite
    const ndconv_status st = ops.create(&p);
    fail_allocations_from(0);
    ++total_points_walked;
    if (st == NDCONV_OK) {  // a create that survives a failed allocation must still work
      ASSERT_NE(p, nullptr);
      std::fill(out.begin(), out.end(), -1.0f);
      EXPECT_EQ(ops.run(p, out.data(), pool), NDCONV_OK);
      EXPECT_EQ(std::memcmp(out.data(), golden.data(), out.size() * sizeof(float)), 0) << "allocation " << n;
      ops.destroy(p);
      continue;
    }
    ASSERT_EQ(st, NDCONV_OUT_OF_MEMORY) << "create, allocation " << n << " of " << create_allocs;
    EXPECT_EQ(p, nullptr) << "allocation " << n;
    EXPECT_NE(std::string(ndconv_last_error()).find("out of memory"), std::string::npos) << ndconv_last_error();
  }
  // One past the last: everything succeeds again.
  fail_allocations_from(create_allocs + 1);
  ASSERT_EQ(ops.create(&plan), NDCONV_OK);
  fail_allocations_from(0);
  ops.destroy(plan);
}

// A convolution case: random weights, bias and input, kept alive for the walk.
struct ConvCase {
  ndconv_conv_desc desc;
  std::vector<float> input, weights, bias;

  explicit ConvCase(const ndconv_conv_desc& d) : desc(d) {
    const ndconv::test::TensorSizes s = ndconv::test::tensor_sizes(d);
    input = ndconv::test::random_tensor(s.input, 1);
    weights = ndconv::test::random_tensor(s.weights, 2);
    bias = ndconv::test::random_tensor(s.bias, 3);
  }
  PlanOps ops() const {
    PlanOps o;
    o.create = [this](void** plan) {
      return ndconv_conv_create(&desc, weights.data(), bias.data(), reinterpret_cast<ndconv_conv**>(plan));
    };
    o.run = [this](const void* plan, float* out, ndconv_threadpool* pool) {
      return ndconv_conv_run(static_cast<const ndconv_conv*>(plan), input.data(), out, pool);
    };
    o.destroy = [](void* plan) { ndconv_conv_destroy(static_cast<ndconv_conv*>(plan)); };
    o.output_size = ndconv::test::tensor_sizes(desc).output;
    return o;
  }
};

ndconv_conv_desc conv2d(ndconv_layout layout, int64_t cin, int64_t cout, int64_t h, int64_t w,
                        int64_t kh, int64_t kw, int64_t groups, int64_t stride, ndconv_padding padding) {
  return ndconv::test::conv2d_desc(layout, cin, cout, h, w, kh, kw, groups, padding, stride,
                                   NDCONV_ACT_RELU);
}

struct NamedDesc {
  const char* name;
  ndconv_conv_desc desc;
};

std::vector<NamedDesc> conv_cases() {
  ndconv_conv_desc ngram1d = {};
  ngram1d.rank = 1;
  ngram1d.batch = 2;
  ngram1d.in_channels = 12;
  ngram1d.out_channels = 20;
  ngram1d.in_size[0] = 15;
  ngram1d.kernel[0] = 4;
  ngram1d.padding = NDCONV_PAD_SAME_UPPER;
  ndconv_conv_desc conv3d = {};
  conv3d.rank = 3;
  conv3d.layout = NDCONV_NXC;
  conv3d.batch = 1;
  conv3d.in_channels = 3;
  conv3d.out_channels = 8;
  for (int i = 0; i < 3; ++i) conv3d.in_size[i] = 5, conv3d.kernel[i] = 3;
  conv3d.padding = NDCONV_PAD_SAME_LOWER;
  return {
      {"pointwise_nxc", conv2d(NDCONV_NXC, 24, 40, 6, 7, 1, 1, 1, 1, NDCONV_PAD_VALID)},
      {"pointwise_ncx", conv2d(NDCONV_NCX, 24, 40, 6, 7, 1, 1, 1, 1, NDCONV_PAD_VALID)},
      {"pointwise_nxc_strided", conv2d(NDCONV_NXC, 24, 40, 6, 7, 1, 1, 1, 2, NDCONV_PAD_VALID)},
      {"depthwise_nxc", conv2d(NDCONV_NXC, 16, 16, 9, 9, 3, 3, 16, 2, NDCONV_PAD_SAME_UPPER)},
      {"depthwise_ncx", conv2d(NDCONV_NCX, 16, 32, 9, 9, 3, 3, 16, 1, NDCONV_PAD_SAME_UPPER)},
      {"ngram_conv2d_nxc", conv2d(NDCONV_NXC, 1, 24, 20, 16, 3, 16, 1, 1, NDCONV_PAD_VALID)},
      {"ngram_conv1d_ncx_same", ngram1d},
      {"general_nxc_3x3", conv2d(NDCONV_NXC, 8, 20, 8, 9, 3, 3, 1, 1, NDCONV_PAD_SAME_UPPER)},
      {"general_ncx_3x3", conv2d(NDCONV_NCX, 8, 20, 8, 9, 3, 3, 1, 1, NDCONV_PAD_SAME_UPPER)},
      {"general_grouped_nxc", conv2d(NDCONV_NXC, 8, 8, 7, 7, 3, 3, 4, 1, NDCONV_PAD_SAME_UPPER)},
      {"general_grouped_ncx", conv2d(NDCONV_NCX, 8, 8, 7, 7, 3, 3, 4, 1, NDCONV_PAD_SAME_UPPER)},
      {"general_3d_nxc", conv3d},
  };
}

class AllocationWalk : public ndconv::test::IsaTest {};

TEST_P(AllocationWalk, ConvolutionsOfEveryAlgorithm) {
  ndconv_threadpool* pool = ndconv_threadpool_create(2);
  ASSERT_NE(pool, nullptr);
  for (const NamedDesc& c : conv_cases()) {
    const ConvCase conv(c.desc);
    ndconv_conv* probe = nullptr;
    ASSERT_EQ(ndconv_conv_create(&c.desc, conv.weights.data(), conv.bias.data(), &probe), NDCONV_OK);
    const std::string label = std::string(c.name) + " (" + ndconv_conv_kernel_name(probe) + ")";
    ndconv_conv_destroy(probe);
    walk(label, conv.ops(), nullptr);
    walk(label + " on a pool", conv.ops(), pool);
  }
  ndconv_threadpool_destroy(pool);
  print_points("convolutions");
}

TEST_P(AllocationWalk, TextCnnBlocks) {
  ndconv_threadpool* pool = ndconv_threadpool_create(2);
  ASSERT_NE(pool, nullptr);
  for (ndconv_layout layout : {NDCONV_NXC, NDCONV_NCX}) {
    ndconv_textcnn_desc d = {};
    d.batch = 2;
    d.seq_len = 13;
    d.embed_dim = 10;
    d.branch_count = 3;
    d.branches[0] = {2, 7};
    d.branches[1] = {3, 19};
    d.branches[2] = {5, 33};
    d.layout = layout;
    d.weight_layout = NDCONV_XIO;
    d.activation = NDCONV_ACT_RELU;
    std::vector<std::vector<float>> w, b;
    const float* wp[3];
    const float* bp[3];
    for (int i = 0; i < 3; ++i) {
      w.push_back(ndconv::test::random_tensor(d.branches[i].ngram * 10 * d.branches[i].filters, 10 + i));
      b.push_back(ndconv::test::random_tensor(d.branches[i].filters, 20 + i));
      wp[i] = w.back().data();
      bp[i] = b.back().data();
    }
    const std::vector<float> input = ndconv::test::random_tensor(2 * 13 * 10, 30);
    PlanOps ops;
    ops.create = [&](void** plan) {
      return ndconv_textcnn_create(&d, wp, bp, reinterpret_cast<ndconv_textcnn**>(plan));
    };
    ops.run = [&](const void* plan, float* out, ndconv_threadpool* p) {
      return ndconv_textcnn_run(static_cast<const ndconv_textcnn*>(plan), input.data(), out, p);
    };
    ops.destroy = [](void* plan) { ndconv_textcnn_destroy(static_cast<ndconv_textcnn*>(plan)); };
    ops.output_size = 2 * (7 + 19 + 33);
    const std::string label = layout == NDCONV_NXC ? "textcnn_nxc" : "textcnn_ncx";
    walk(label, ops, nullptr);
    walk(label + " on a pool", ops, pool);
  }
  ndconv_threadpool_destroy(pool);
  print_points("text-CNN blocks");
}

// The int8 shapes: those of the float32 walk, and one with more taps than the
// indirect GEMM's row pointers, which only the int8 reference takes.
std::vector<NamedDesc> int8_cases() {
  std::vector<NamedDesc> cases = conv_cases();
  ndconv_conv_desc many_taps = conv2d(NDCONV_NCX, 2, 4, 66, 81, 64, 80, 1, 1, NDCONV_PAD_EXPLICIT);
  many_taps.pad_begin[1] = 1;
  cases.push_back({"reference_many_taps", many_taps});
  // 64 pixels: the channels-first cols GEMM (AVX512-VNNI), its interleave scratch.
  cases.push_back({"pointwise_ncx_cols", conv2d(NDCONV_NCX, 24, 40, 4, 16, 1, 1, 1, 1, NDCONV_PAD_VALID)});
  // The same pixels at stride 2: the cols GEMM's pixel runs and gather scratch too.
  cases.push_back({"pointwise_ncx_cols_s2", conv2d(NDCONV_NCX, 24, 40, 8, 32, 1, 1, 1, 2, NDCONV_PAD_VALID)});
  return cases;
}

// Walks one int8 plan of shape c (u8 in and out, per-channel scales) under
// the current int8 dot-product setting; returns the plan's kernel name.
std::string walk_int8(const NamedDesc& c, ndconv_threadpool* pool) {
  const ndconv::test::TensorSizes sz = ndconv::test::tensor_sizes(c.desc);
  ndconv_qconv_desc qd = {};
  qd.conv = c.desc;
  qd.input_type = NDCONV_U8;
  qd.output_type = NDCONV_U8;
  qd.input_scale = 0.1f;
  qd.input_zero_point = 100;
  qd.weight_scale_count = c.desc.out_channels;
  qd.output_scale = 0.5f;
  qd.output_zero_point = 10;
  std::vector<uint8_t> input(static_cast<size_t>(sz.input));
  std::vector<int8_t> weights(static_cast<size_t>(sz.weights));
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int8_t>(i * 13 + 5);
  const std::vector<float> scales(static_cast<size_t>(c.desc.out_channels), 0.01f);
  const std::vector<int32_t> bias(static_cast<size_t>(c.desc.out_channels), 7);
  PlanOps ops;
  ops.create = [&](void** plan) {
    return ndconv_qconv_create(&qd, weights.data(), scales.data(), bias.data(), reinterpret_cast<ndconv_qconv**>(plan));
  };
  ops.run = [&](const void* plan, float* out, ndconv_threadpool* p) {  // u8 output in a float buffer
    return ndconv_qconv_run(static_cast<const ndconv_qconv*>(plan), input.data(), out, p);
  };
  ops.destroy = [](void* plan) { ndconv_qconv_destroy(static_cast<ndconv_qconv*>(plan)); };
  ops.output_size = static_cast<size_t>(sz.output);
  ndconv_qconv* probe = nullptr;
  EXPECT_EQ(ops.create(reinterpret_cast<void**>(&probe)), NDCONV_OK) << ndconv_last_error();
  if (probe == nullptr) return "";
  const std::string kernel = ndconv_qconv_kernel_name(probe);
  ndconv_qconv_destroy(probe);
  const std::string label = std::string("int8 ") + c.name + " (" + kernel + ")";
  walk(label, ops, nullptr);
  walk(label + " on a pool", ops, pool);
  return kernel;
}

// Int8 plans of every int8 algorithm (issue 14), with the int8 dot product
// on, then off (the 16-bit widening kernels pack differently).
TEST_P(AllocationWalk, Int8ConvolutionsOfEveryAlgorithm) {
  ndconv_threadpool* pool = ndconv_threadpool_create(2);
  ASSERT_NE(pool, nullptr);
  const int dot_setting = ndconv_int8_dot_product();
  bool reference_walked = false;
  for (int dot : {1, 0}) {
    ndconv_set_int8_dot_product(dot);
    for (const NamedDesc& c : int8_cases()) {
      SCOPED_TRACE(dot ? "int8 dot product on" : "int8 dot product off");
      const std::string kernel = walk_int8(c, pool);
      if (kernel.rfind("int8-reference/", 0) == 0) reference_walked = true;
    }
  }
  ndconv_set_int8_dot_product(dot_setting);
  EXPECT_TRUE(reference_walked) << "no case reached the int8 reference algorithm";
  ndconv_threadpool_destroy(pool);
  print_points("int8 convolutions");
}

// The reference algorithm is chosen only when nothing else applies: walk its
// factory directly (white box).
TEST_P(AllocationWalk, ReferenceAlgorithmFactory) {
  AllocationsRestored restore;
  const ConvCase c(conv2d(NDCONV_NCX, 6, 9, 7, 8, 3, 2, 3, 1, NDCONV_PAD_SAME_UPPER));
  ndconv::dispatch::ConvShape shape;
  ASSERT_EQ(ndconv::dispatch::validate_desc(&c.desc, &shape), NDCONV_OK);
  const ndconv::kernels::KernelTable* table = ndconv::dispatch::current_kernel_table();
  ASSERT_NE(table, nullptr);
  ndconv_status st = NDCONV_OK;
  size_t allocs = 0;
  {
    AllocationCount count;
    auto algo = ndconv::dispatch::make_reference_algorithm(shape, *table, ndconv::dispatch::tuning(), c.weights.data(), c.bias.data(), &st);
    ASSERT_TRUE(algo);
    allocs = count.dispatch();
    EXPECT_EQ(count.global(), 0u);
    std::vector<float> out(ndconv::test::tensor_sizes(c.desc).output);
    AllocationCount run_count;
    ASSERT_EQ(algo->run(c.input.data(), out.data(), nullptr), NDCONV_OK);
    EXPECT_EQ(run_count.dispatch(), 0u);
    EXPECT_EQ(run_count.global(), 0u);
    EXPECT_TRUE(ndconv::test::matches_reference(c.desc, c.input.data(), c.weights.data(), c.bias.data(), out.data()));
  }
  ASSERT_GE(allocs, 2u);  // the object and its weights
  for (size_t n = 1; n <= allocs; ++n) {
    fail_allocations_from(n);
    auto algo = ndconv::dispatch::make_reference_algorithm(shape, *table, ndconv::dispatch::tuning(), c.weights.data(), c.bias.data(), &st);
    fail_allocations_from(0);
    EXPECT_FALSE(algo);
    EXPECT_EQ(st, NDCONV_OUT_OF_MEMORY);
    ++total_points_walked;
  }
  print_points("reference factory");
}

INSTANTIATE_TEST_SUITE_P(EveryIsa, AllocationWalk, ::testing::ValuesIn(ndconv::test::available_isas()),
                         ndconv::test::isa_test_name);

// ndconv_threadpool_create: the pool, its worker set and the thread array
// all come from dispatch::allocate; each can fail, leaving nothing behind.
TEST(AllocationWalkPools, EveryAllocationOfPoolCreateCanFail) {
  AllocationsRestored restore;
  size_t allocs = 0;
  {
    AllocationCount count;
    ndconv_threadpool* pool = ndconv_threadpool_create(3);
    allocs = count.dispatch();
    ASSERT_NE(pool, nullptr);
    ndconv_threadpool_destroy(pool);
  }
  EXPECT_GE(allocs, 3u);
  for (size_t n = 1; n <= allocs; ++n) {
    fail_allocations_from(n);
    ndconv_threadpool* pool = ndconv_threadpool_create(3);
    fail_allocations_from(0);
    EXPECT_EQ(pool, nullptr) << "allocation " << n;
    ndconv_threadpool_destroy(pool);
  }
  std::printf("allocation walk: thread pool create: %zu allocation-failure points walked\n", allocs);
}

// Descriptors whose sizes overflow int64 are rejected by validation, before
// anything is allocated (dispatch::allocate or otherwise).
TEST(AllocationWalkOverflow, OverflowingDescriptorsAllocateNothing) {
  const int64_t big = int64_t{1} << 40;
  std::vector<ndconv_conv_desc> descs;
  ndconv_conv_desc d = conv2d(NDCONV_NXC, 4, 4, 8, 8, 3, 3, 1, 1, NDCONV_PAD_VALID);
  d.in_size[0] = d.in_size[1] = big;  // input elements overflow
  descs.push_back(d);
  d = conv2d(NDCONV_NCX, big, big, 8, 8, 3, 3, 1, 1, NDCONV_PAD_VALID);  // weights overflow
  descs.push_back(d);
  d = conv2d(NDCONV_NXC, 1, 1, 8, 8, 3, 3, 1, 1, NDCONV_PAD_EXPLICIT);
  d.in_size[0] = INT64_MAX - 1;
  d.pad_end[0] = 5;  // in + pads overflow
  descs.push_back(d);
  d = conv2d(NDCONV_NXC, 1, 1, 8, 8, 3, 3, 1, 1, NDCONV_PAD_SAME_UPPER);
  d.in_size[0] = INT64_MAX - 2;
  d.kernel[0] = INT64_MAX / 2;  // SAME padding of a huge kernel overflows the padded extent
  descs.push_back(d);
  d = conv2d(NDCONV_NXC, 1, 1, 8, 8, 3, 3, 1, 1, NDCONV_PAD_VALID);
  d.dilation[0] = INT64_MAX / 2 + 1;  // dilation * (kernel - 1) + 1 overflows
  descs.push_back(d);
  d = conv2d(NDCONV_NCX, 1, big, big, 1, 1, 1, 1, 1, NDCONV_PAD_VALID);  // output bytes overflow
  descs.push_back(d);
  const float w = 1.0f;
  for (size_t i = 0; i < descs.size(); ++i) {
    // Only the library calls inside the counted scope (gtest's macros and
    // std::string allocate).
    AllocationCount count;
    int64_t out[NDCONV_MAX_RANK];
    const ndconv_status size_status = ndconv_conv_output_size(&descs[i], out);
    ndconv_conv* conv = nullptr;
    const ndconv_status create_status = ndconv_conv_create(&descs[i], &w, nullptr, &conv);
    const size_t dispatch_allocs = count.dispatch(), global_allocs = count.global();
    EXPECT_EQ(size_status, NDCONV_INVALID_ARGUMENT) << i;
    EXPECT_EQ(create_status, NDCONV_INVALID_ARGUMENT) << i;
    EXPECT_EQ(conv, nullptr);
    EXPECT_NE(std::string(ndconv_last_error()).find("overflow"), std::string::npos) << i << ": " << ndconv_last_error();
    EXPECT_EQ(dispatch_allocs, 0u) << i;
    EXPECT_EQ(global_allocs, 0u) << i;
  }

  ndconv_textcnn_desc t = {};
  t.batch = big;
  t.seq_len = big;
  t.embed_dim = 3;
  t.branch_count = 1;
  t.branches[0] = {2, 4};
  const float* wp[1] = {&w};
  AllocationCount count;
  ndconv_textcnn* block = nullptr;
  const ndconv_status st = ndconv_textcnn_create(&t, wp, nullptr, &block);
  const size_t dispatch_allocs = count.dispatch(), global_allocs = count.global();
  EXPECT_EQ(st, NDCONV_INVALID_ARGUMENT);
  EXPECT_EQ(block, nullptr);
  EXPECT_EQ(dispatch_allocs, 0u);
  EXPECT_EQ(global_allocs, 0u);
}

}  // namespace
