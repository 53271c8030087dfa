// ndconv.Conv's C++ side: the descriptor without batch and input extent (set
// once from the normalized arguments), the float32 weights converted once, and
// one C plan per distinct input shape, created on first use. Calls hold the
// GIL only to look up the plan and make the output; ndconv_conv_run runs with
// the GIL released, so Python threads run plans in parallel.
#include <pybind11/stl.h>

#include <chrono>
#include <map>
#include <vector>

#include "common.h"
#include "tensors.h"

namespace ndconv_py {
namespace {

using WeightArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// One C plan, shared so that close() in one thread cannot free a plan another
// thread is running with the GIL released.
struct ConvPlan {
  ~ConvPlan() { ndconv_conv_destroy(conv); }
  ndconv_conv* conv = nullptr;
  std::vector<int64_t> output_shape;
  std::string kernel_name;
};

class Conv {
 public:
  Conv(const WeightArray& weight, const std::optional<WeightArray>& bias, bool channels_last,
       int64_t groups, const std::vector<int64_t>& stride, const std::vector<int64_t>& dilation,
       const std::vector<int64_t>& pad_begin, const std::vector<int64_t>& pad_end,
       int padding_mode, const Activation& activation);

  py::object call(py::handle input, py::handle out, py::handle pool);
  std::vector<int64_t> output_shape(const std::vector<int64_t>& input_shape) const;
  std::string kernel_name() const;
  size_t cached_plans() const { return plans_.size(); }
  void close();
  double seconds_per_c_run(py::handle input, int iterations, py::handle pool);

 private:
  ndconv_conv_desc desc_for(const std::vector<int64_t>& input_shape) const;
  std::shared_ptr<ConvPlan> plan_for(const std::vector<int64_t>& input_shape);
  void check_open() const {
    if (closed_) throw py::value_error("ndconv: this Conv was released (close()); make a new one");
  }

  ndconv_conv_desc base_{};
  std::vector<float> weight_, bias_;
  bool has_bias_ = false;
  std::map<std::vector<int64_t>, std::shared_ptr<ConvPlan>> plans_;
  std::shared_ptr<ConvPlan> last_;
  bool closed_ = false;
};

Conv::Conv(const WeightArray& weight, const std::optional<WeightArray>& bias, bool channels_last,
           int64_t groups, const std::vector<int64_t>& stride,
           const std::vector<int64_t>& dilation, const std::vector<int64_t>& pad_begin,
           const std::vector<int64_t>& pad_end, int padding_mode, const Activation& activation) {
  const int rank = static_cast<int>(weight.ndim()) - 2;
  if (rank < 1 || rank > NDCONV_MAX_RANK) {
    throw py::value_error("ndconv: weight has " + std::to_string(weight.ndim()) +
                          " dims; a convolution of rank 1.." + std::to_string(NDCONV_MAX_RANK) +
                          " takes rank + 2");
  }
  ndconv_conv_desc& d = base_;
  d.rank = rank;
  d.layout = channels_last ? NDCONV_NXC : NDCONV_NCX;
  d.weight_layout = channels_last ? NDCONV_XIO : NDCONV_OIX;
  d.groups = groups;
  const int64_t in_per_group = weight.shape(channels_last ? rank : 1);
  d.out_channels = weight.shape(channels_last ? rank + 1 : 0);
  d.in_channels = in_per_group * groups;
  for (int i = 0; i < rank; ++i) {
    d.kernel[i] = weight.shape(channels_last ? i : i + 2);
    d.stride[i] = stride.at(i);
    d.dilation[i] = dilation.at(i);
    d.pad_begin[i] = pad_begin.at(i);
    d.pad_end[i] = pad_end.at(i);
  }
  d.padding = static_cast<ndconv_padding>(padding_mode);
  d.activation = static_cast<ndconv_activation>(activation.kind);
  d.act_min = activation.lo;
  d.act_max = activation.hi;
  weight_.assign(weight.data(), weight.data() + weight.size());
  if (bias) {
    if (bias->ndim() != 1 || bias->shape(0) != d.out_channels) {
      throw py::value_error("ndconv: bias has shape " + shape_string(shape_of(*bias)) +
                            ", expected (" + std::to_string(d.out_channels) + ",) (out_channels)");
    }
    bias_.assign(bias->data(), bias->data() + bias->size());
    has_bias_ = true;
  }
}

// Rank and channels are checked here, before any C call; the library checks
// the rest (extents against the kernel, ...) and its message is raised.
ndconv_conv_desc Conv::desc_for(const std::vector<int64_t>& shape) const {
  ndconv_conv_desc d = base_;
  const bool nxc = d.layout == NDCONV_NXC;
  if (static_cast<int>(shape.size()) != d.rank + 2) {
    throw py::value_error("ndconv: input has shape " + shape_string(shape) + " (" +
                          std::to_string(shape.size()) + " dims); this rank-" +
                          std::to_string(d.rank) + " convolution takes " +
                          std::to_string(d.rank + 2) + " dims, " +
                          (nxc ? "[N, spatial..., C] (channels_last)" : "[N, C, spatial...]"));
  }
  const int64_t channels = shape[nxc ? shape.size() - 1 : 1];
  if (channels != d.in_channels) {
    throw py::value_error("ndconv: input has " + std::to_string(channels) + " channels (shape " +
                          shape_string(shape) + "), the weight expects in_channels = " +
                          std::to_string(d.in_channels) + " (groups " + std::to_string(d.groups) +
                          " x " + std::to_string(d.in_channels / d.groups) + " per group)");
  }
  d.batch = shape[0];
  for (int i = 0; i < d.rank; ++i) d.in_size[i] = shape[nxc ? i + 1 : i + 2];
  return d;
}

std::vector<int64_t> Conv::output_shape(const std::vector<int64_t>& input_shape) const {
  const ndconv_conv_desc d = desc_for(input_shape);
  int64_t out_size[NDCONV_MAX_RANK] = {};
  check(ndconv_conv_output_size(&d, out_size), "output_shape");
  std::vector<int64_t> shape{d.batch};
  if (d.layout == NDCONV_NCX) shape.push_back(d.out_channels);
  shape.insert(shape.end(), out_size, out_size + d.rank);
  if (d.layout == NDCONV_NXC) shape.push_back(d.out_channels);
  return shape;
}

std::shared_ptr<ConvPlan> Conv::plan_for(const std::vector<int64_t>& shape) {
  auto found = plans_.find(shape);
  if (found != plans_.end()) return found->second;
  auto plan = std::make_shared<ConvPlan>();
  const ndconv_conv_desc d = desc_for(shape);
  check(ndconv_conv_create(&d, weight_.data(), has_bias_ ? bias_.data() : nullptr, &plan->conv),
        "Conv");
  plan->output_shape = output_shape(shape);
  plan->kernel_name = ndconv_conv_kernel_name(plan->conv);
  plans_.emplace(shape, plan);
  return plan;
}

py::object Conv::call(py::handle input, py::handle out, py::handle pool) {
  check_open();
  const InputTensor in = read_input(input, "input");
  const std::shared_ptr<ConvPlan> plan = plan_for(shape_of(in.array));
  py::object result;
  float* output = nullptr;
  if (out.is_none()) {
    result = make_output(plan->output_shape, in.is_torch, &output);
  } else {
    output = check_out(out, plan->output_shape, in.array);
    result = py::reinterpret_borrow<py::object>(out);
  }
  const std::shared_ptr<PoolHandle> threads = pool_from(pool);
  const float* x = static_cast<const float*>(in.array.data());
  ndconv_status status;
  {
    py::gil_scoped_release released;
    status = ndconv_conv_run(plan->conv, x, output, threads ? threads->pool : nullptr);
  }
  check(status, "run");
  last_ = plan;
  return result;
}

std::string Conv::kernel_name() const { return last_ ? last_->kernel_name : std::string(); }

void Conv::close() {
  plans_.clear();
  last_.reset();
  weight_ = {};
  bias_ = {};
  closed_ = true;
}

// For the benchmark: the same plan run back to back from C++ (no Python per
// call), as a C program would; seconds per run.
double Conv::seconds_per_c_run(py::handle input, int iterations, py::handle pool) {
  check_open();
  const InputTensor in = read_input(input, "input");
  const std::shared_ptr<ConvPlan> plan = plan_for(shape_of(in.array));
  float* output = nullptr;
  py::object keep = make_output(plan->output_shape, false, &output);
  const std::shared_ptr<PoolHandle> threads = pool_from(pool);
  const float* x = static_cast<const float*>(in.array.data());
  py::gil_scoped_release released;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    ndconv_conv_run(plan->conv, x, output, threads ? threads->pool : nullptr);
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / iterations;
}

}  // namespace

void bind_conv(py::module_& m) {
  py::class_<Conv>(m, "_Conv")
      .def(py::init([](const WeightArray& weight, const std::optional<WeightArray>& bias,
                       bool channels_last, int64_t groups, const std::vector<int64_t>& stride,
                       const std::vector<int64_t>& dilation, const std::vector<int64_t>& pad_begin,
                       const std::vector<int64_t>& pad_end, int padding_mode, int act_kind,
                       float act_lo, float act_hi) {
             return new Conv(weight, bias, channels_last, groups, stride, dilation, pad_begin,
                             pad_end, padding_mode, Activation{act_kind, act_lo, act_hi});
           }))
      .def("__call__", &Conv::call, py::arg("input"), py::kw_only(), py::arg("out") = py::none(),
           py::arg("pool") = py::none())
      .def("output_shape",
           [](const Conv& self, const std::vector<int64_t>& shape) {
             return py::tuple(py::cast(self.output_shape(shape)));
           },
           py::arg("input_shape"))
      .def_property_readonly("kernel_name", &Conv::kernel_name)
      .def_property_readonly("cached_plans", &Conv::cached_plans)
      .def("close", &Conv::close)
      .def("_seconds_per_c_run", &Conv::seconds_per_c_run, py::arg("input"),
           py::arg("iterations"), py::arg("pool") = py::none());
}

}  // namespace ndconv_py
