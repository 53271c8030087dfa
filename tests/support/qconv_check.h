// The int8 convolution's test oracle: builds a plan through the public API,
// runs it on tensors that sit against guard pages, and checks the output
// against the exact integer reference (dispatch::qconv_reference_acc):
// S32 bit for bit, F32 within the float API's tolerance of float64, U8/S8
// within 1 of the requantization computed in float64.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"

namespace ndconv {
namespace test {

// How the input and weights are filled.
enum class QFill {
  kRandom,       // uniform over each type's range
  kExtremeHigh,  // input at its type's maximum (255 / 127), weights alternating -128 and 127
  kExtremeLow,   // input at its type's minimum (0 / -128), weights alternating 127 and -128
  // 7-bit weights (ONNX Runtime's reduce_range), which the vpmaddubsw tables
  // take: uniform over [-64, 64]; at +-64 in runs of 5 (same-sign pairs, the
  // largest a vpmaddubsw pair holds) with the input at its maximum; and
  // uniform over [-64, 64] but for one weight of -65 (the widening tiles).
  kRandom7Bit,
  kExtreme7Bit,
  kRandom7BitButOne,
};

// Bytes against a PROT_NONE page: the byte after the last is unmapped.
class GuardedBytes {
 public:
  explicit GuardedBytes(size_t bytes);
  ~GuardedBytes();
  GuardedBytes(const GuardedBytes&) = delete;
  GuardedBytes& operator=(const GuardedBytes&) = delete;
  unsigned char* data() { return data_; }
  size_t size() const { return bytes_; }

 private:
  void* mapping_ = nullptr;
  size_t mapping_bytes_ = 0;
  unsigned char* data_ = nullptr;
  size_t bytes_ = 0;
};

struct QCheckResult {
  std::string kernel_name;
  std::vector<unsigned char> output;  // the plan's output bytes
};

// Creates, runs and checks (gtest assertions); the caller adds its context
// with SCOPED_TRACE. pool may be NULL.
QCheckResult check_qconv(const ndconv_qconv_desc& desc, uint64_t seed, QFill fill = QFill::kRandom,
                         bool with_bias = true, ndconv_threadpool* pool = nullptr);

// A desc with the given conv and quantization (per-channel weight scales).
ndconv_qconv_desc make_qdesc(const ndconv_conv_desc& conv, ndconv_dtype input_type,
                             ndconv_dtype output_type, int32_t input_zp = 7,
                             int32_t output_zp = 3);

}  // namespace test
}  // namespace ndconv
