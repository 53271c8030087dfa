// The _ndconv extension module: errors, the thread pool, ISA dispatch; the
// plans are bound in conv.cpp and textcnn.cpp. The user-facing package is
// python/ndconv (argument normalization in Python, the hot calls here).
#include <pybind11/stl.h>

#include <vector>

#include "common.h"

namespace ndconv_py {
namespace {

PyObject* g_unsupported_error = nullptr;

constexpr ndconv_isa kConcreteIsas[] = {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2, NDCONV_ISA_AVX512,
                                        NDCONV_ISA_NEON};

ndconv_isa isa_from_name(const std::string& name) {
  for (ndconv_isa isa : {NDCONV_ISA_AUTO, NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2,
                         NDCONV_ISA_AVX512, NDCONV_ISA_NEON}) {
    if (name == ndconv_isa_name(isa)) return isa;
  }
  throw py::value_error("ndconv: isa = '" + name +
                        "' is not an ISA name (auto, scalar, avx2, avx512, neon)");
}

// Probing with ndconv_set_isa is the C API's test of availability; the
// choice in effect is restored afterwards. When no ISA is in effect (a bad
// NDCONV_ISA), probing would silently replace that error state: not done.
py::dict info() {
  const ndconv_isa current = ndconv_current_isa();
  py::list available;
  if (current != NDCONV_ISA_AUTO) {
    for (ndconv_isa isa : kConcreteIsas) {
      if (ndconv_set_isa(isa) == NDCONV_OK) available.append(ndconv_isa_name(isa));
    }
    ndconv_set_isa(current);
  }
  std::vector<char> tuning(ndconv_tuning_string(nullptr, 0) + 1);
  ndconv_tuning_string(tuning.data(), tuning.size());
  py::dict result;
  result["detected"] = ndconv_isa_name(ndconv_detected_isa());
  result["current"] = current == NDCONV_ISA_AUTO ? py::object(py::none())
                                                 : py::object(py::str(ndconv_isa_name(current)));
  result["available"] = available;
  result["tuning"] = std::string(tuning.data());
  return result;
}

void set_isa(const std::string& name) { check(ndconv_set_isa(isa_from_name(name)), "set_isa"); }

}  // namespace

void set_unsupported_error_type(PyObject* type) { g_unsupported_error = type; }

[[noreturn]] void raise_status(ndconv_status status, const std::string& context) {
  const std::string message = "ndconv: " + context + ": " + ndconv_last_error() + " (" +
                              ndconv_status_string(status) + ")";
  switch (status) {
    case NDCONV_INVALID_ARGUMENT: throw py::value_error(message);
    case NDCONV_OUT_OF_MEMORY: PyErr_SetString(PyExc_MemoryError, message.c_str()); break;
    case NDCONV_UNSUPPORTED: PyErr_SetString(g_unsupported_error, message.c_str()); break;
    default: PyErr_SetString(PyExc_RuntimeError, message.c_str()); break;
  }
  throw py::error_already_set();
}

ThreadPool::ThreadPool(size_t threads) : threads_(threads) {
  ndconv_threadpool* pool = ndconv_threadpool_create(threads);
  if (pool == nullptr) raise_status(NDCONV_OUT_OF_MEMORY, "ThreadPool");
  handle_ = std::make_shared<PoolHandle>(pool);
}

std::shared_ptr<PoolHandle> ThreadPool::handle() const {
  if (!handle_) throw py::value_error("ndconv: this ThreadPool was closed");
  return handle_;
}

std::shared_ptr<PoolHandle> pool_from(py::handle pool) {
  if (pool.is_none()) return nullptr;
  if (!py::isinstance<ThreadPool>(pool)) {
    throw py::type_error("ndconv: pool must be an ndconv.ThreadPool or None");
  }
  return pool.cast<const ThreadPool&>().handle();
}

}  // namespace ndconv_py

PYBIND11_MODULE(_ndconv, m) {
  using namespace ndconv_py;
  m.doc() = "ndconv's C API bound with pybind11 (use the ndconv package, not this module)";
  PyObject* unsupported =
      PyErr_NewExceptionWithDoc("ndconv.UnsupportedError",
                                "NDCONV_UNSUPPORTED: well formed, but not available here "
                                "(e.g. an ISA this CPU lacks)",
                                PyExc_RuntimeError, nullptr);
  set_unsupported_error_type(unsupported);
  m.add_object("UnsupportedError", py::handle(unsupported));

  py::class_<ThreadPool>(m, "ThreadPool")
      .def(py::init<size_t>(), py::arg("threads") = 0,
           "ndconv's own worker threads (0: one per core); pass as pool= to any run")
      .def_property_readonly("threads", &ThreadPool::threads)
      .def("close", &ThreadPool::close, "destroy the pool (runs in flight finish first)")
      .def("__enter__", [](py::object self) { return self; })
      .def("__exit__", [](ThreadPool& self, py::args) { self.close(); });

  m.def("info", &info, "detected, current and available ISAs, and the tuning text");
  m.def("set_isa", &set_isa, py::arg("isa"),
        "process-wide ISA for plans created afterwards: 'auto', 'scalar', 'avx2', 'avx512', "
        "'neon'");
  bind_conv(m);
  bind_textcnn(m);
  bind_qconv(m);
}
