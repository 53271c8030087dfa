// oneDNN 2.6 convolution, the comparison target. Two ways a user can run it:
//  - plain: src/dst in the user's own layout (ncw/nchw/ncdhw or nwc/nhwc/ndhwc),
//    weights reordered once at setup into oneDNN's preferred format (as ndconv
//    packs at create);
//  - best: src, weights and dst all format_tag::any, oneDNN's own choice; the
//    reorders into and out of its blocked formats happen outside the timed call.
// Only built with NDCONV_HAVE_ONEDNN. Ranks 1..3 only (oneDNN's limit).
#pragma once

#include <memory>
#include <string>

#include "ndconv/ndconv.h"
#include "shapes.h"

namespace ndconv_bench {

enum class OnednnMode { plain, best };

class OnednnConv {
 public:
  // weights are OIX [C_out, C_in/groups, K...], bias has C_out entries (or is
  // null). Throws std::exception (dnnl::error) if oneDNN cannot build it.
  OnednnConv(const BenchShape& shape, ndconv_layout layout, OnednnMode mode,
             const float* weights_oix, const float* bias);
  ~OnednnConv();
  OnednnConv(const OnednnConv&) = delete;
  OnednnConv& operator=(const OnednnConv&) = delete;

  // Untimed: brings a user-layout input into the primitive's src memory.
  void set_input(const float* user_src);
  // The timed part: the convolution primitive alone.
  void execute();
  // Untimed: the last result, in the user's layout.
  void get_output(float* user_dst);
  // oneDNN's implementation name (impl_info_str), e.g. "brgconv:avx512_core".
  std::string impl_info() const;

  static bool supports(const BenchShape& shape) { return shape.rank >= 1 && shape.rank <= 3; }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace ndconv_bench
