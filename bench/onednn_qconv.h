// oneDNN 2.6's int8 convolution, the comparison target of `ndconv_bench
// --int8`: u8 source with a zero point, s8 weights (reordered once at setup
// into oneDNN's format), s32 bias, per-output-channel output scales
// (input_scale * weight_scale[c] / output_scale), u8 destination with a zero
// point; source and destination in the user's plain layout (ncw/nchw/ncdhw
// or nwc/nhwc/ndhwc). Only built with NDCONV_HAVE_ONEDNN; ranks 1..3.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ndconv/ndconv.h"
#include "shapes.h"

namespace ndconv_bench {

struct QuantParams {
  float input_scale = 1.0f, output_scale = 1.0f;
  int32_t input_zero_point = 0, output_zero_point = 0;
  std::vector<float> weight_scales;  // one per output channel
};

class OnednnQConv {
 public:
  // weights OIX int8, bias out_channels int32. Throws on failure.
  OnednnQConv(const BenchShape& shape, ndconv_layout layout, const int8_t* weights_oix,
              const int32_t* bias, const QuantParams& q);
  ~OnednnQConv();
  OnednnQConv(const OnednnQConv&) = delete;
  OnednnQConv& operator=(const OnednnQConv&) = delete;

  void set_input(const uint8_t* user_src);   // untimed copy into the primitive's source
  void execute();                            // the timed part
  void get_output(uint8_t* user_dst);        // untimed
  std::string impl_info() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ndconv_bench
