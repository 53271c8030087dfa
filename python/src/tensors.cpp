#include "tensors.h"

#include <sstream>
#include <string>

namespace ndconv_py {
namespace {

using DenseFloat = py::array_t<float, py::array::c_style>;      // isinstance: dtype + C order
using AnyFloat = py::array_t<float, py::array::forcecast>;      // isinstance: dtype only
using Converted = py::array_t<float, py::array::c_style | py::array::forcecast>;

// torch is never imported by ndconv: an object can be a tensor only if the
// caller's program imported torch. The type (and from_numpy) are looked up
// once torch is in sys.modules and kept for the life of the process.
PyObject* torch_attr(const char* name, PyObject** cache) {
  if (*cache == nullptr) {
    PyObject* torch = PyDict_GetItemString(PyImport_GetModuleDict(), "torch");  // borrowed
    if (torch == nullptr) return nullptr;
    PyObject* attr = PyObject_GetAttrString(torch, name);
    if (attr == nullptr) {
      PyErr_Clear();
      return nullptr;
    }
    *cache = attr;  // one reference held forever
  }
  return *cache;
}

PyObject* g_tensor_type = nullptr;
PyObject* g_from_numpy = nullptr;

bool is_torch_tensor(py::handle object) {
  PyObject* type = torch_attr("Tensor", &g_tensor_type);
  return type != nullptr && PyObject_IsInstance(object.ptr(), type) == 1;
}

// tensor.numpy() is a view of a CPU tensor's memory (the fast path); tensors it
// refuses (requires_grad, another device, bfloat16) go to the Python helper,
// which detaches, converts or raises a TypeError that says why.
py::array torch_to_numpy(py::handle tensor, const char* what, bool for_writing) {
  try {
    return tensor.attr("numpy")();
  } catch (py::error_already_set&) {
    py::object helper = py::module_::import("ndconv._tensors").attr("torch_to_numpy");
    return helper(tensor, what, for_writing);
  }
}

std::string type_name(py::handle object) {
  return py::str(py::type::handle_of(object).attr("__module__")).cast<std::string>() + "." +
         py::str(py::type::handle_of(object).attr("__qualname__")).cast<std::string>();
}

}  // namespace

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream text;
  text << "(";
  for (size_t i = 0; i < shape.size(); ++i) text << (i ? ", " : "") << shape[i];
  text << (shape.size() == 1 ? ",)" : ")");
  return text.str();
}

std::vector<int64_t> shape_of(const py::array& array) {
  return std::vector<int64_t>(array.shape(), array.shape() + array.ndim());
}

InputTensor read_array(py::handle object, const char* what) {
  InputTensor result;
  if (py::isinstance<py::array>(object)) {
    result.array = py::reinterpret_borrow<py::array>(object);
  } else if (is_torch_tensor(object)) {
    result.array = torch_to_numpy(object, what, false);
    result.is_torch = true;
  } else {
    throw py::type_error(std::string("ndconv: ") + what +
                         " must be a numpy.ndarray or a torch.Tensor, got " + type_name(object));
  }
  return result;
}

InputTensor read_input(py::handle object, const char* what) {
  InputTensor result = read_array(object, what);
  if (py::isinstance<DenseFloat>(result.array)) return result;  // in place, no copy
  const char kind = result.array.dtype().kind();
  if (kind != 'f') {
    throw py::type_error(std::string("ndconv: ") + what + " has dtype " +
                         py::str(result.array.dtype()).cast<std::string>() +
                         ": expected a floating dtype (float32 is used in place; float16 and "
                         "float64 are converted to float32)");
  }
  result.array = Converted::ensure(result.array);  // the documented conversion: one copy
  if (!result.array) throw std::bad_alloc();  // ensure() clears the error: only a failed copy
  return result;
}

py::object make_output(const std::vector<int64_t>& shape, bool as_torch, float** data) {
  DenseFloat array(std::vector<py::ssize_t>(shape.begin(), shape.end()));
  *data = array.mutable_data();
  return as_caller_kind(std::move(array), as_torch);
}

py::object as_caller_kind(py::array array, bool as_torch) {
  if (!as_torch) return std::move(array);
  PyObject* from_numpy = torch_attr("from_numpy", &g_from_numpy);
  if (from_numpy == nullptr) throw std::runtime_error("ndconv: torch.from_numpy not found");
  return py::reinterpret_borrow<py::object>(from_numpy)(array);
}

float* check_out(py::handle out, const std::vector<int64_t>& shape, const py::array& input) {
  py::array array;
  if (py::isinstance<py::array>(out)) {
    array = py::reinterpret_borrow<py::array>(out);
  } else if (is_torch_tensor(out)) {
    array = torch_to_numpy(out, "out", true);
  } else {
    throw py::type_error("ndconv: out must be a numpy.ndarray or a torch.Tensor, got " +
                         type_name(out));
  }
  if (!py::isinstance<AnyFloat>(array)) {
    throw py::type_error("ndconv: out has dtype " + py::str(array.dtype()).cast<std::string>() +
                         ": it must be float32 (out is written in place, never converted)");
  }
  if (!array.writeable()) throw py::value_error("ndconv: out is read-only");
  if (!(array.flags() & py::array::c_style)) {
    throw py::value_error("ndconv: out must be C-contiguous (it is written in place)");
  }
  const std::vector<int64_t> out_shape = shape_of(array);
  if (out_shape != shape) {
    throw py::value_error("ndconv: out has shape " + shape_string(out_shape) + ", expected " +
                          shape_string(shape));
  }
  float* data = static_cast<float*>(array.mutable_data());
  const auto* in_begin = static_cast<const char*>(input.data());
  const auto* in_end = in_begin + input.nbytes();
  const auto* out_begin = reinterpret_cast<const char*>(data);
  const auto* out_end = out_begin + array.nbytes();
  if (out_begin < in_end && in_begin < out_end) {
    throw py::value_error("ndconv: out overlaps the input (the C API needs separate buffers)");
  }
  return data;
}

}  // namespace ndconv_py
