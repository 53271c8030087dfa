# The pytest suites (and the Python example) as CTest tests, so that
# `ctest` (and scripts/test.sh, CI) run them, under every ISA of the isa stage
# too. Included from python/CMakeLists.txt when NDCONV_BUILD_TESTS is on.
#
# They need pytest, numpy and PyTorch for ${Python3_EXECUTABLE} (Debian:
# python3-pytest, python3-numpy, python3-torch; scripts/setup.sh).
execute_process(COMMAND ${Python3_EXECUTABLE} -c "import pytest, numpy, torch"
                RESULT_VARIABLE ndconv_py_test_deps OUTPUT_QUIET ERROR_QUIET)
if(NOT ndconv_py_test_deps EQUAL 0)
  message(STATUS "ndconv: Python tests disabled: ${Python3_EXECUTABLE} cannot import pytest, "
                 "numpy and torch (scripts/setup.sh installs python3-pytest, python3-numpy, "
                 "python3-torch)")
  return()
endif()

set(ndconv_py_env
  PYTHONPATH=${CMAKE_CURRENT_BINARY_DIR}
  PYTHONDONTWRITEBYTECODE=1           # no __pycache__ in the source tree
  OMP_NUM_THREADS=2)                  # torch's reference convolutions: no oversubscription
set(ndconv_pytest ${Python3_EXECUTABLE} -m pytest -q -p no:cacheprovider)
set(ndconv_py_tests ${CMAKE_CURRENT_SOURCE_DIR}/tests)

set(ndconv_py_suites conv textcnn errors threads qconv)
if(ndconv_py_sanitize MATCHES "address")
  # The asan preset: the module is instrumented (ASan + UBSan), CPython, numpy
  # and PyTorch are not, so the ASan runtime is loaded first (LD_PRELOAD), with
  # libstdc++ right after it (else ASan's __cxa_throw interceptor finds no real
  # function and aborts at the first C++ exception). Leaks are not reported:
  # CPython keeps objects alive until exit by design. Every pytest suite runs;
  # the example and the benchmark (timings) do not. README, "Python".
  # gcc's runtime is libasan.so; clang's (the asan preset) is in its runtime
  # directory, libclang_rt.asan-<arch>.so.
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-runtime-dir
                    OUTPUT_VARIABLE ndconv_rt_dir OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(ndconv_libasan ${ndconv_rt_dir}/libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so)
  else()
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE ndconv_libasan OUTPUT_STRIP_TRAILING_WHITESPACE)
  endif()
  if(NOT EXISTS "${ndconv_libasan}")
    message(STATUS "ndconv: Python tests disabled: no ASan runtime at '${ndconv_libasan}'")
    return()
  endif()
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libstdc++.so
                  OUTPUT_VARIABLE ndconv_libstdcxx OUTPUT_STRIP_TRAILING_WHITESPACE)
  foreach(suite IN LISTS ndconv_py_suites)
    add_test(NAME python.${suite} COMMAND ${ndconv_pytest} ${ndconv_py_tests}/test_${suite}.py)
    set_tests_properties(python.${suite} PROPERTIES ENVIRONMENT
      "${ndconv_py_env};LD_PRELOAD=${ndconv_libasan}:${ndconv_libstdcxx};ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=1")
  endforeach()
  return()
elseif(ndconv_py_sanitize)
  return()   # tsan, ...: not run from Python
endif()

foreach(suite IN LISTS ndconv_py_suites)
  add_test(NAME python.${suite} COMMAND ${ndconv_pytest} ${ndconv_py_tests}/test_${suite}.py)
  set_tests_properties(python.${suite} PROPERTIES ENVIRONMENT "${ndconv_py_env}")
endforeach()

# The sentence-classifier example (PyTorch vs ndconv.TextCNN logits), quick mode.
add_test(NAME python.example.text_classifier
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/examples/python/text_classifier.py --quick)
set_tests_properties(python.example.text_classifier PROPERTIES ENVIRONMENT "${ndconv_py_env}")
# The benchmark script's smoke run: every row computed and checked, one timing each.
add_test(NAME python.bench_smoke
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/python/bench/bench_python.py --quick
          --shapes ${PROJECT_SOURCE_DIR}/bench/shapes.tsv)
set_tests_properties(python.bench_smoke PROPERTIES ENVIRONMENT "${ndconv_py_env}")
