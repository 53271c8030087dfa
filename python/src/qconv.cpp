// ndconv.QConv's C++ side (the int8 ndconv_qconv_* API): the descriptor without
// batch and input extent, the int8 weights, float scales and int32 bias copied
// once, and one C plan per distinct input shape, created on first use. As in
// conv.cpp, ndconv_qconv_run runs with the GIL released. The Python class
// (python/ndconv/_qconv.py) normalizes the arguments and checks their dtypes;
// here the input's dtype is checked against input_type before any C call.
#include <pybind11/stl.h>

#include <map>
#include <vector>

#include "common.h"
#include "desc.h"
#include "tensors.h"

namespace ndconv_py {
namespace {

using Int8Array = py::array_t<int8_t, py::array::c_style>;
using FloatArray = py::array_t<float, py::array::c_style>;
using Int32Array = py::array_t<int32_t, py::array::c_style>;

// numpy's name of an ndconv_dtype (the Python side passes these values).
const char* numpy_name(ndconv_dtype type) {
  switch (type) {
    case NDCONV_U8: return "uint8";
    case NDCONV_S8: return "int8";
    case NDCONV_S32: return "int32";
    default: return "float32";
  }
}

struct QConvPlan {
  ~QConvPlan() { ndconv_qconv_destroy(qconv); }
  ndconv_qconv* qconv = nullptr;
  std::vector<int64_t> output_shape;
  std::string kernel_name;
};

// The quantization fields of ndconv_qconv_desc, as Python passes them.
struct QuantArgs {
  int input_type = NDCONV_U8, output_type = NDCONV_U8;
  float input_scale = 1.f, output_scale = 1.f;
  int32_t input_zero_point = 0, output_zero_point = 0;
};

class QConv {
 public:
  QConv(const Int8Array& weight, const FloatArray& weight_scales,
        const std::optional<Int32Array>& bias, const WindowArgs& window, const QuantArgs& q);

  py::object call(py::handle input, py::handle pool);
  std::vector<int64_t> output_shape(const std::vector<int64_t>& input_shape) const;
  std::string kernel_name() const { return last_ ? last_->kernel_name : std::string(); }
  size_t cached_plans() const { return plans_.size(); }
  void close();

 private:
  ndconv_qconv_desc desc_for(const std::vector<int64_t>& input_shape) const {
    ndconv_qconv_desc d = base_;
    d.conv = desc_for_input(base_.conv, input_shape);
    return d;
  }
  std::shared_ptr<QConvPlan> plan_for(const std::vector<int64_t>& input_shape);
  py::array dense_input(py::handle input, bool* is_torch) const;

  ndconv_qconv_desc base_{};
  std::vector<int8_t> weight_;
  std::vector<float> weight_scales_;
  std::vector<int32_t> bias_;
  bool has_bias_ = false;
  std::map<std::vector<int64_t>, std::shared_ptr<QConvPlan>> plans_;
  std::shared_ptr<QConvPlan> last_;
  bool closed_ = false;
};

QConv::QConv(const Int8Array& weight, const FloatArray& weight_scales,
             const std::optional<Int32Array>& bias, const WindowArgs& window, const QuantArgs& q) {
  base_.conv = base_desc(shape_of(weight), window);
  base_.input_type = static_cast<ndconv_dtype>(q.input_type);
  base_.output_type = static_cast<ndconv_dtype>(q.output_type);
  base_.input_scale = q.input_scale;
  base_.input_zero_point = q.input_zero_point;
  base_.output_scale = q.output_scale;
  base_.output_zero_point = q.output_zero_point;
  base_.weight_scale_count = weight_scales.size();   // 1 or C_out: the library checks
  weight_.assign(weight.data(), weight.data() + weight.size());
  weight_scales_.assign(weight_scales.data(), weight_scales.data() + weight_scales.size());
  if (bias) {
    if (bias->ndim() != 1 || bias->shape(0) != base_.conv.out_channels) {
      throw py::value_error("ndconv: bias has shape " + shape_string(shape_of(*bias)) +
                            ", expected (" + std::to_string(base_.conv.out_channels) +
                            ",) (out_channels)");
    }
    bias_.assign(bias->data(), bias->data() + bias->size());
    has_bias_ = true;
  }
}

std::vector<int64_t> QConv::output_shape(const std::vector<int64_t>& input_shape) const {
  const ndconv_qconv_desc d = desc_for(input_shape);
  int64_t out_size[NDCONV_MAX_RANK] = {};
  check(ndconv_qconv_output_size(&d, out_size), "output_shape");
  return output_shape_of(d.conv, out_size);
}

std::shared_ptr<QConvPlan> QConv::plan_for(const std::vector<int64_t>& shape) {
  auto found = plans_.find(shape);
  if (found != plans_.end()) return found->second;
  auto plan = std::make_shared<QConvPlan>();
  const ndconv_qconv_desc d = desc_for(shape);
  check(ndconv_qconv_create(&d, weight_.data(), weight_scales_.data(),
                            has_bias_ ? bias_.data() : nullptr, &plan->qconv),
        "QConv");
  plan->output_shape = output_shape(shape);
  plan->kernel_name = ndconv_qconv_kernel_name(plan->qconv);
  plans_.emplace(shape, plan);
  return plan;
}

// The input as a C-contiguous array of input_type: used in place when it is
// one, copied once when only its strides differ; another dtype is a TypeError
// (an int8 input is never reinterpreted or converted: its zero point and scale
// belong to its dtype).
py::array QConv::dense_input(py::handle input, bool* is_torch) const {
  InputTensor in = read_array(input, "input");
  *is_torch = in.is_torch;
  const py::dtype expected(numpy_name(base_.input_type));
  if (!in.array.dtype().is(expected) && !in.array.dtype().equal(expected)) {
    throw py::type_error("ndconv: input has dtype " +
                         py::str(in.array.dtype()).cast<std::string>() + ", this QConv takes " +
                         numpy_name(base_.input_type) + " (input_dtype)");
  }
  if (in.array.flags() & py::array::c_style) return in.array;
  return py::module_::import("numpy").attr("ascontiguousarray")(in.array);
}

py::object QConv::call(py::handle input, py::handle pool) {
  if (closed_) throw py::value_error("ndconv: this QConv was released (close()); make a new one");
  bool is_torch = false;
  const py::array x = dense_input(input, &is_torch);
  const std::shared_ptr<QConvPlan> plan = plan_for(shape_of(x));
  const auto& shape = plan->output_shape;
  py::array y(py::dtype(numpy_name(base_.output_type)),
              std::vector<py::ssize_t>(shape.begin(), shape.end()));
  const std::shared_ptr<PoolHandle> threads = pool_from(pool);
  const void* x_data = x.data();
  void* y_data = y.mutable_data();
  ndconv_status status;
  {
    py::gil_scoped_release released;
    status = ndconv_qconv_run(plan->qconv, x_data, y_data, threads ? threads->pool : nullptr);
  }
  check(status, "run");
  last_ = plan;
  return as_caller_kind(std::move(y), is_torch);
}

void QConv::close() {
  plans_.clear();
  last_.reset();
  weight_ = {};
  weight_scales_ = {};
  bias_ = {};
  closed_ = true;
}

}  // namespace

void bind_qconv(py::module_& m) {
  py::class_<QConv>(m, "_QConv")
      .def(py::init([](const Int8Array& weight, const FloatArray& weight_scales,
                       const std::optional<Int32Array>& bias, bool channels_last, int64_t groups,
                       const std::vector<int64_t>& stride, const std::vector<int64_t>& dilation,
                       const std::vector<int64_t>& pad_begin, const std::vector<int64_t>& pad_end,
                       int padding_mode, int act_kind, float act_lo, float act_hi,
                       int input_type, float input_scale, int32_t input_zero_point,
                       int output_type, float output_scale, int32_t output_zero_point) {
             return new QConv(weight, weight_scales, bias,
                              WindowArgs{channels_last, groups, stride, dilation, pad_begin,
                                         pad_end, padding_mode,
                                         Activation{act_kind, act_lo, act_hi}},
                              QuantArgs{input_type, output_type, input_scale, output_scale,
                                        input_zero_point, output_zero_point});
           }))
      .def("__call__", &QConv::call, py::arg("input"), py::kw_only(),
           py::arg("pool") = py::none())
      .def("output_shape",
           [](const QConv& self, const std::vector<int64_t>& shape) {
             return py::tuple(py::cast(self.output_shape(shape)));
           },
           py::arg("input_shape"))
      .def_property_readonly("kernel_name", &QConv::kernel_name)
      .def_property_readonly("cached_plans", &QConv::cached_plans)
      .def("close", &QConv::close);
}

}  // namespace ndconv_py
