# Dependency lookup. xsimd is required (header-only, SIMD types for the
# kernels); everything else is optional and only disables what needs it.

# xsimd: Debian installs its CMake config under the host's multiarch libdir,
# which a cross build's find_package does not search, so look for the header
# directly and expose only the xsimd/ folder (never all of the host's
# /usr/include to a cross compiler).
find_path(NDCONV_XSIMD_INCLUDE_DIR xsimd/xsimd.hpp
  HINTS /usr/include /usr/local/include
  NO_CMAKE_FIND_ROOT_PATH)
if(NOT NDCONV_XSIMD_INCLUDE_DIR)
  message(FATAL_ERROR "ndconv: xsimd headers not found. Install them with "
                      "scripts/setup.sh (Debian package libxsimd-dev).")
endif()
set(_ndconv_xsimd_dir ${CMAKE_BINARY_DIR}/ndconv-xsimd-include)
file(MAKE_DIRECTORY ${_ndconv_xsimd_dir})
file(CREATE_LINK ${NDCONV_XSIMD_INCLUDE_DIR}/xsimd ${_ndconv_xsimd_dir}/xsimd SYMBOLIC)
add_library(ndconv_xsimd INTERFACE)
target_include_directories(ndconv_xsimd SYSTEM INTERFACE $<BUILD_INTERFACE:${_ndconv_xsimd_dir}>)
message(STATUS "ndconv: xsimd from ${NDCONV_XSIMD_INCLUDE_DIR}/xsimd")

# GoogleTest: the host package, or (cross builds) compiled from Debian's
# /usr/src/googletest sources for the target.
if(NDCONV_BUILD_TESTS)
  if(CMAKE_CROSSCOMPILING)
    set(NDCONV_GTEST_SOURCE_DIR /usr/src/googletest CACHE PATH "GoogleTest sources for cross builds")
    if(EXISTS ${NDCONV_GTEST_SOURCE_DIR}/CMakeLists.txt)
      set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
      set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
      add_subdirectory(${NDCONV_GTEST_SOURCE_DIR} ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
      # GoogleTest >= 1.11 defines these aliases itself; older sources do not.
      if(NOT TARGET GTest::gtest)
        add_library(GTest::gtest ALIAS gtest)
      endif()
      if(NOT TARGET GTest::gtest_main)
        add_library(GTest::gtest_main ALIAS gtest_main)
      endif()
      set(GTest_FOUND TRUE)
    endif()
  else()
    find_package(GTest QUIET)
  endif()
  if(NOT GTest_FOUND)
    message(WARNING "ndconv: GoogleTest not found: tests disabled (run scripts/setup.sh)")
    set(NDCONV_BUILD_TESTS OFF)
  endif()
endif()

if(NDCONV_BUILD_BENCH)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    message(WARNING "ndconv: Google Benchmark not found: benchmarks disabled (run scripts/setup.sh)")
    set(NDCONV_BUILD_BENCH OFF)
  endif()
endif()

# oneDNN is a comparison target only (benchmarks and cross-check tests); it is
# never linked into the library.
set(NDCONV_HAVE_ONEDNN OFF)
if(NOT CMAKE_CROSSCOMPILING AND (NDCONV_BUILD_TESTS OR NDCONV_BUILD_BENCH))
  find_package(dnnl CONFIG QUIET)
  if(dnnl_FOUND)
    set(NDCONV_HAVE_ONEDNN ON)
    message(STATUS "ndconv: oneDNN ${dnnl_VERSION} found: comparisons enabled")
  else()
    message(STATUS "ndconv: oneDNN not found: benchmarks and cross-checks run ndconv alone "
                   "(install libdnnl-dev, or run scripts/setup.sh)")
  endif()
endif()
