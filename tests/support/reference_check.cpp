#include "tests/support/reference_check.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "api/conv_shape.h"
#include "kernels/reference.h"
#include "tests/support/random_tensor.h"

namespace ndconv {
namespace test {
namespace {

bool shape_of(const ndconv_conv_desc& desc, dispatch::ConvShape* shape) {
  if (dispatch::validate_desc(&desc, shape) == NDCONV_OK) return true;
  ADD_FAILURE() << "invalid descriptor: " << ndconv_last_error() << " (" << describe(desc) << ")";
  return false;
}

void append_dims(std::ostringstream& os, const char* name, const int64_t* dims, int rank) {
  os << ' ' << name << "=[";
  for (int i = 0; i < rank; ++i) os << (i ? "," : "") << dims[i];
  os << ']';
}

}  // namespace

TensorSizes tensor_sizes(const ndconv_conv_desc& desc) {
  dispatch::ConvShape s;
  if (!shape_of(desc, &s)) return {};
  return {static_cast<size_t>(s.input_elements()), static_cast<size_t>(s.weight_elements()),
          static_cast<size_t>(s.out_channels), static_cast<size_t>(s.output_elements())};
}

std::string describe(const ndconv_conv_desc& d) {
  std::ostringstream os;
  const int r = d.rank < 0 ? 0 : (d.rank > NDCONV_MAX_RANK ? NDCONV_MAX_RANK : d.rank);
  os << "rank=" << d.rank << (d.layout == NDCONV_NXC ? " NXC" : " NCX")
     << (d.weight_layout == NDCONV_XIO ? " XIO" : " OIX") << " N=" << d.batch
     << " Cin=" << d.in_channels << " Cout=" << d.out_channels << " G=" << d.groups;
  append_dims(os, "in", d.in_size, r);
  append_dims(os, "k", d.kernel, r);
  append_dims(os, "s", d.stride, r);
  append_dims(os, "d", d.dilation, r);
  os << " padding=" << d.padding;
  if (d.padding == NDCONV_PAD_EXPLICIT) {
    append_dims(os, "pb", d.pad_begin, r);
    append_dims(os, "pe", d.pad_end, r);
  }
  os << " act=" << d.activation;
  if (d.activation == NDCONV_ACT_CLAMP) os << "[" << d.act_min << "," << d.act_max << "]";
  return os.str();
}

ReferenceOutput reference_output(const ndconv_conv_desc& desc, const float* input,
                                 const float* weights, const float* bias) {
  ReferenceOutput r;
  dispatch::ConvShape s;
  if (!shape_of(desc, &s)) return r;
  const int64_t n = s.output_elements();
  r.value.resize(static_cast<size_t>(n));
  r.magnitude.resize(static_cast<size_t>(n));
  kernels::reference_conv_f64(s, input, weights, bias, r.value.data(), r.magnitude.data(), 0, n);
  return r;
}

::testing::AssertionResult matches_reference(const ndconv_conv_desc& desc, const float* input,
                                             const float* weights, const float* bias,
                                             const float* output) {
  const ReferenceOutput ref = reference_output(desc, input, weights, bias);
  size_t bad = 0, worst = 0;
  double worst_excess = -1.0;  // error / bound of the worst bad element (inf if bound 0)
  for (size_t i = 0; i < ref.value.size(); ++i) {
    const double got = output[i], want = ref.value[i];
    const double bound = kRelativeTolerance * ref.magnitude[i];
    bool ok;
    double excess = 0.0;
    if (std::isnan(want) || std::isnan(got)) {
      ok = std::isnan(want) && std::isnan(got);
      excess = HUGE_VAL;
    } else {
      const double err = std::fabs(got - want);
      ok = err <= bound;
      excess = bound > 0 ? err / bound : (err > 0 ? HUGE_VAL : 0.0);
    }
    if (!ok) {
      if (bad == 0 || excess > worst_excess) {
        worst_excess = excess;
        worst = i;
      }
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << ref.value.size() << " output elements out of tolerance; worst: index "
         << worst << " got " << output[worst] << " want " << ref.value[worst] << " bound "
         << kRelativeTolerance * ref.magnitude[worst] << " (" << describe(desc) << ")";
}

::testing::AssertionResult create_run_and_check(const ndconv_conv_desc& desc,
                                                const RunOptions& opt) {
  const TensorSizes sizes = tensor_sizes(desc);
  if (sizes.output == 0) return ::testing::AssertionFailure() << "invalid descriptor";
  GuardedBuffer input(sizes.input, opt.guard), weights(sizes.weights, opt.guard),
      bias(sizes.bias, opt.guard), output(sizes.output, opt.guard);
  fill_random(input.data(), input.size(), opt.seed * 3 + 1);
  fill_random(weights.data(), weights.size(), opt.seed * 3 + 2);
  fill_random(bias.data(), bias.size(), opt.seed * 3 + 3);
  const std::vector<float> input_copy(input.begin(), input.end());
  const float* bias_ptr = opt.with_bias ? bias.data() : nullptr;

  ndconv_conv* conv = nullptr;
  ndconv_status st = ndconv_conv_create(&desc, weights.data(), bias_ptr, &conv);
  if (st != NDCONV_OK)
    return ::testing::AssertionFailure() << "ndconv_conv_create: " << ndconv_status_string(st)
                                         << ": " << ndconv_last_error() << " (" << describe(desc) << ")";
  if (opt.kernel_name) *opt.kernel_name = ndconv_conv_kernel_name(conv);
  st = ndconv_conv_run(conv, input.data(), output.data(), opt.pool);
  ndconv_conv_destroy(conv);
  if (st != NDCONV_OK)
    return ::testing::AssertionFailure() << "ndconv_conv_run: " << ndconv_status_string(st) << ": "
                                         << ndconv_last_error() << " (" << describe(desc) << ")";
  if (std::memcmp(input_copy.data(), input.data(), input.size() * sizeof(float)) != 0)
    return ::testing::AssertionFailure() << "ndconv_conv_run modified its input (" << describe(desc) << ")";
  return matches_reference(desc, input.data(), weights.data(), bias_ptr, output.data());
}

}  // namespace test
}  // namespace ndconv
