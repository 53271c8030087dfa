// The benchmark suite's shapes file: one convolution per line. The format is
// documented in the header comment of bench/shapes.tsv.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"

namespace ndconv_bench {

struct BenchShape {
  std::string name;
  int rank = 0;  // spatial dimensions
  int64_t batch = 0, in_channels = 0, out_channels = 0, groups = 1;
  std::vector<int64_t> in_size, kernel, stride, dilation, pad_begin, pad_end;
  std::string note;

  // Derived sizes (filled by parse_shapes / finish_shape).
  std::vector<int64_t> out_size;
  int64_t in_pixels = 1, out_pixels = 1, taps = 1;

  int64_t input_elements() const { return batch * in_channels * in_pixels; }
  int64_t output_elements() const { return batch * out_channels * out_pixels; }
  int64_t weight_elements() const { return out_channels * (in_channels / groups) * taps; }
  // 2 * N * C_out * prod(out) * C_in/groups * prod(kernel): every tap counts,
  // padding taps included (the convention of anchors.md).
  double flops() const {
    return 2.0 * double(batch) * double(out_channels) * double(out_pixels) *
           double(in_channels / groups) * double(taps);
  }
  // ndconv descriptor for the given activation layout; weights are OIX for
  // NCX (PyTorch) and XIO for NXC (TensorFlow/Keras), what each user hands over.
  ndconv_conv_desc desc(ndconv_layout layout) const;
};

// Validates sizes and fills the derived fields. Returns "" or the problem.
std::string finish_shape(BenchShape* shape);

// Parses a shapes file. On error returns false with a message naming the file,
// line and field.
bool parse_shapes_file(const std::string& path, std::vector<BenchShape>* shapes,
                       std::string* error);
bool parse_shapes_text(const std::string& text, const std::string& source_name,
                       std::vector<BenchShape>* shapes, std::string* error);

}  // namespace ndconv_bench
