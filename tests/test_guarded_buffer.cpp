// The test helpers themselves: a guarded buffer really traps one float past
// its end (or before its start), and seeded tensors are reproducible.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/support/guarded_buffer.h"
#include "tests/support/random_tensor.h"

namespace {

using ndconv::test::Guard;
using ndconv::test::GuardedBuffer;

float read_at(const float* p, ptrdiff_t i) { return *static_cast<const volatile float*>(p + i); }

TEST(GuardedBufferDeathTest, ReadingOnePastTheEndCrashes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (size_t n : {1, 7, 1024, 1025}) {
    GuardedBuffer b(n, Guard::kAfter, 1.0f);
    EXPECT_EQ(read_at(b.data(), static_cast<ptrdiff_t>(n) - 1), 1.0f);
    EXPECT_DEATH(read_at(b.data(), static_cast<ptrdiff_t>(n)), "");
  }
}

TEST(GuardedBufferDeathTest, ReadingBeforeTheStartCrashes) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  GuardedBuffer b(5, Guard::kBefore, 2.0f);
  EXPECT_EQ(read_at(b.data(), 0), 2.0f);
  EXPECT_DEATH(read_at(b.data(), -1), "");
}

TEST(GuardedBuffer, DefaultFillIsNaNAndMovesKeepData) {
  GuardedBuffer a(3);
  EXPECT_TRUE(std::isnan(a[0]) && std::isnan(a[2]));
  a.fill(4.0f);
  GuardedBuffer b = std::move(a);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2], 4.0f);
  GuardedBuffer empty(0);
  EXPECT_EQ(empty.size(), 0u);
}

TEST(RandomTensor, SeededAndInRange) {
  const auto a = ndconv::test::random_tensor(1000, 42), b = ndconv::test::random_tensor(1000, 42);
  const auto c = ndconv::test::random_tensor(1000, 43, 2.0f, 3.0f);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, ndconv::test::random_tensor(1000, 43));
  for (float v : a) EXPECT_TRUE(v >= -1.0f && v <= 1.0f);
  for (float v : c) EXPECT_TRUE(v >= 2.0f && v <= 3.0f);
}

}  // namespace
