// Out-of-memory smoke test: make each allocation of ndconv_conv_create fail in
// turn (dispatch::testing::fail_allocations_from); every time create must
// return NDCONV_OUT_OF_MEMORY with a message and a NULL plan, never crash or leak.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/memory.h"
#include "ndconv/ndconv.h"
#include "tests/support/random_tensor.h"

namespace {

using ndconv::dispatch::testing::fail_allocations_from;

// Re-enables allocation however the test exits.
struct AllocationsRestored {
  ~AllocationsRestored() { fail_allocations_from(0); }
};

ndconv_conv_desc desc() {
  ndconv_conv_desc d = {};
  d.rank = 2;
  d.batch = 1;
  d.in_channels = 4;
  d.out_channels = 6;
  d.in_size[0] = d.in_size[1] = 9;
  d.kernel[0] = d.kernel[1] = 3;
  return d;
}

TEST(AllocationFailure, EveryAllocationOfCreateCanFail) {
  AllocationsRestored restore;
  const ndconv_conv_desc d = desc();
  const auto weights = ndconv::test::random_tensor(6 * 4 * 9, 1);
  const auto bias = ndconv::test::random_tensor(6, 2);

  fail_allocations_from(0);
  ndconv_conv* conv = nullptr;
  ASSERT_EQ(ndconv_conv_create(&d, weights.data(), bias.data(), &conv), NDCONV_OK);
  const size_t allocations = fail_allocations_from(0);
  ndconv_conv_destroy(conv);
  ASSERT_GE(allocations, 2u);  // at least the plan and its weights

  for (size_t n = 1; n <= allocations; ++n) {
    fail_allocations_from(n);
    conv = reinterpret_cast<ndconv_conv*>(&conv);  // garbage create must overwrite
    EXPECT_EQ(ndconv_conv_create(&d, weights.data(), bias.data(), &conv), NDCONV_OUT_OF_MEMORY)
        << "allocation " << n << " of " << allocations;
    EXPECT_EQ(conv, nullptr);
    EXPECT_NE(std::string(ndconv_last_error()).find("out of memory"), std::string::npos)
        << ndconv_last_error();
  }
  fail_allocations_from(allocations + 1);  // one past the last: succeeds
  ASSERT_EQ(ndconv_conv_create(&d, weights.data(), bias.data(), &conv), NDCONV_OK);
  ndconv_conv_destroy(conv);
}

TEST(AllocationFailure, ThreadPoolCreateReturnsNull) {
  AllocationsRestored restore;
  fail_allocations_from(1);
  EXPECT_EQ(ndconv_threadpool_create(2), nullptr);
  EXPECT_EQ(ndconv_threadpool_create_external(
                [](void*, ndconv_task_fn, void*, size_t) {}, nullptr, 2),
            nullptr);
  EXPECT_NE(std::string(ndconv_last_error()).find("out of memory"), std::string::npos);
  fail_allocations_from(2);  // the pool object succeeds, its workers' state does not
  EXPECT_EQ(ndconv_threadpool_create(2), nullptr);
}

TEST(AllocationFailure, AllocateIsAlignedAndCounted) {
  AllocationsRestored restore;
  fail_allocations_from(0);
  void* a = ndconv::dispatch::allocate(3);
  void* b = ndconv::dispatch::allocate(0);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
  EXPECT_EQ(fail_allocations_from(1), 2u);
  EXPECT_EQ(ndconv::dispatch::allocate(8), nullptr);
  ndconv::dispatch::deallocate(a);
  ndconv::dispatch::deallocate(b);
  ndconv::dispatch::deallocate(nullptr);
}

}  // namespace
