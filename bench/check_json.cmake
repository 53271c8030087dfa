# ctest's check of ndconv_bench --json (bench/CMakeLists.txt, bench_json_*):
# runs the bench on the smoke shapes and reads the JSON back with CMake's own
# parser: it must parse, name the machine, and hold one row per shape and
# layout with every field. Arguments: -DBENCH=<ndconv_bench> -DSHAPES=<tsv>
# -DOUT=<json> -DMODE=report|ab -DROWS=<expected row count>.
file(REMOVE "${OUT}")
if(MODE STREQUAL "ab")
  set(mode_flags --ab)
else()
  set(mode_flags --report --benchmark_repetitions=1)
endif()
execute_process(
  COMMAND "${BENCH}" ${mode_flags} --shapes=${SHAPES} --benchmark_min_time=0.001 --json=${OUT}
  RESULT_VARIABLE status OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "ndconv_bench --${MODE} exited ${status}:\n${stdout}\n${stderr}")
endif()
if(NOT stdout MATCHES "Machine: [^\n]+; microarchitecture: [a-z0-9-]+; FMA units: [^\n]+; caches: L1d [0-9]+ KiB")
  message(FATAL_ERROR "no machine header at the top of the report:\n${stdout}")
endif()
file(READ "${OUT}" json)
string(JSON mode GET "${json}" mode)
string(JSON arch GET "${json}" machine cpu microarchitecture)
string(JSON l1d GET "${json}" machine cache l1d_bytes)
string(JSON rows LENGTH "${json}" rows)
if(NOT mode STREQUAL MODE OR arch STREQUAL "" OR NOT l1d GREATER 0 OR NOT rows EQUAL ROWS)
  message(FATAL_ERROR "mode ${mode}, microarchitecture '${arch}', l1d ${l1d}, ${rows} rows "
                      "(expected ${MODE}, a name, > 0, ${ROWS}):\n${json}")
endif()
math(EXPR last "${rows} - 1")
foreach(i RANGE ${last})
  foreach(field shape layout mflop ndconv_gflops onednn_gflops ratio kernel onednn_impl)
    string(JSON value ERROR_VARIABLE missing GET "${json}" rows ${i} ${field})
    if(missing)
      message(FATAL_ERROR "row ${i} has no ${field}: ${missing}\n${json}")
    endif()
  endforeach()
  string(JSON ratio GET "${json}" rows ${i} ratio)
  string(JSON nd GET "${json}" rows ${i} ndconv_gflops)
  if(NOT nd GREATER 0)
    message(FATAL_ERROR "row ${i}: ndconv_gflops ${nd} is not a positive rate\n${json}")
  endif()
endforeach()
message(STATUS "ndconv_bench --${MODE} --json: ${rows} rows, microarchitecture ${arch}")
