// Checking an ndconv output against the float64 reference convolution with
// the C API's tolerance: before the activation |y - r| <= 1e-5 * (sum of
// |x*w| + |bias|). The activations are monotone and 1-Lipschitz, so the same
// bound holds between act(y) and act(r), which is what is compared.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "tests/support/guarded_buffer.h"

namespace ndconv {
namespace test {

constexpr double kRelativeTolerance = 1e-5;

// Element counts of a valid descriptor's tensors (bias = out_channels).
// Fails the calling test (ADD_FAILURE) and returns zeros if desc is invalid.
struct TensorSizes {
  size_t input = 0, weights = 0, bias = 0, output = 0;
};
TensorSizes tensor_sizes(const ndconv_conv_desc& desc);

// One line describing a descriptor, for failure messages.
std::string describe(const ndconv_conv_desc& desc);

// The reference for a whole output: act(r) and the magnitude, per element in
// output memory order.
struct ReferenceOutput {
  std::vector<double> value;
  std::vector<double> magnitude;
};
ReferenceOutput reference_output(const ndconv_conv_desc& desc, const float* input,
                                 const float* weights, const float* bias);

// Success if every element of `output` is within tolerance of the reference
// (NaN only where the reference is NaN); otherwise a message with the number
// of bad elements and the worst one: index, got, want, bound.
::testing::AssertionResult matches_reference(const ndconv_conv_desc& desc, const float* input,
                                             const float* weights, const float* bias,
                                             const float* output);

// The whole round trip every kernel test needs: seeded random input, weights
// and bias in guarded buffers, ndconv_conv_create, ndconv_conv_run on `pool`,
// matches_reference. Also checks that run did not modify the input.
struct RunOptions {
  uint64_t seed = 1;
  bool with_bias = true;
  Guard guard = Guard::kAfter;          // for input, weights, bias and output
  ndconv_threadpool* pool = nullptr;
  std::string* kernel_name = nullptr;   // if set, receives ndconv_conv_kernel_name
};
::testing::AssertionResult create_run_and_check(const ndconv_conv_desc& desc,
                                                const RunOptions& options = RunOptions());

}  // namespace test
}  // namespace ndconv
