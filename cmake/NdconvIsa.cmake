# Which ISA instances of the kernels this build contains, and the flags of each
# instance's translation unit. The library as a whole is compiled for the
# baseline of the target (plain x86-64 or armv8-a): only kernels/isa_<name>.cpp
# gets its ISA's flags, and dispatch picks one at run time.

set(NDCONV_ISA_INSTANCES scalar)
set(NDCONV_ISA_DEFINITIONS "")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  list(APPEND NDCONV_ISA_INSTANCES avx2 avx512)
  list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_AVX2=1 NDCONV_HAVE_AVX512=1)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  list(APPEND NDCONV_ISA_INSTANCES neon)
  list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_NEON=1)
endif()

set(NDCONV_FLAGS_scalar "")
set(NDCONV_FLAGS_avx2 -mavx2 -mfma -mf16c)
set(NDCONV_FLAGS_avx512 -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512dq -mavx512vl)
set(NDCONV_FLAGS_neon "")
# GCC 12 warns inside its own avx512fintrin.h (the _mm512_undefined_ps idiom
# behind masked and reducing intrinsics reads as "uninitialized": GCC bug
# 105593). Silenced for the AVX-512 instance only, where nothing else is.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND NDCONV_FLAGS_avx512 -Wno-uninitialized -Wno-maybe-uninitialized)
endif()   # Advanced SIMD is part of the AArch64 baseline

message(STATUS "ndconv: ISA instances: ${NDCONV_ISA_INSTANCES}")

# The int8 kernels (kernels/qisa_<name>.cpp, kernels/qkernel_table.h): one TU
# per ISA level and dot-product variant, each with its own flags. A
# dot-product instance whose flag the compiler lacks is left out (its level
# then runs the widening kernels). NDCONV_HAVE_Q_<NAME> says which are in.
include(CheckCXXCompilerFlag)
set(NDCONV_QISA_INSTANCES scalar)
set(NDCONV_QFLAGS_scalar "")
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  # avx2pairs, avx512pairs: the levels' vpmaddubsw tiles, TUs of their own.
  list(APPEND NDCONV_QISA_INSTANCES avx2 avx2pairs avx512 avx512pairs)
  list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_Q_AVX2=1 NDCONV_HAVE_Q_AVX512=1)
  set(NDCONV_QFLAGS_avx2 ${NDCONV_FLAGS_avx2})
  set(NDCONV_QFLAGS_avx2pairs ${NDCONV_FLAGS_avx2})
  set(NDCONV_QFLAGS_avx512 ${NDCONV_FLAGS_avx512})
  set(NDCONV_QFLAGS_avx512pairs ${NDCONV_FLAGS_avx512})
  check_cxx_compiler_flag(-mavxvnni NDCONV_COMPILER_HAS_AVXVNNI)
  if(NDCONV_COMPILER_HAS_AVXVNNI)
    list(APPEND NDCONV_QISA_INSTANCES avx2vnni)
    list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_Q_AVXVNNI=1)
    set(NDCONV_QFLAGS_avx2vnni ${NDCONV_FLAGS_avx2} -mavxvnni)
  endif()
  check_cxx_compiler_flag(-mavx512vnni NDCONV_COMPILER_HAS_AVX512VNNI)
  if(NDCONV_COMPILER_HAS_AVX512VNNI)
    list(APPEND NDCONV_QISA_INSTANCES avx512vnni)
    list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_Q_AVX512VNNI=1)
    set(NDCONV_QFLAGS_avx512vnni ${NDCONV_FLAGS_avx512} -mavx512vnni)
    # AMX (Sapphire Rapids and later): the VNNI table with the AMX GEMM tile.
    check_cxx_compiler_flag(-mamx-int8 NDCONV_COMPILER_HAS_AMXINT8)
    if(NDCONV_COMPILER_HAS_AMXINT8)
      list(APPEND NDCONV_QISA_INSTANCES avx512amx)
      list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_Q_AVX512AMX=1)
      set(NDCONV_QFLAGS_avx512amx ${NDCONV_QFLAGS_avx512vnni} -mamx-tile -mamx-int8)
    endif()
  endif()
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  list(APPEND NDCONV_QISA_INSTANCES neon)
  list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_Q_NEON=1)
  set(NDCONV_QFLAGS_neon "")
  check_cxx_compiler_flag(-march=armv8.2-a+dotprod NDCONV_COMPILER_HAS_DOTPROD)
  if(NDCONV_COMPILER_HAS_DOTPROD)
    list(APPEND NDCONV_QISA_INSTANCES neondot)
    list(APPEND NDCONV_ISA_DEFINITIONS NDCONV_HAVE_Q_NEONDOT=1)
    set(NDCONV_QFLAGS_neondot -march=armv8.2-a+dotprod)
  endif()
endif()
message(STATUS "ndconv: int8 kernel instances: ${NDCONV_QISA_INSTANCES}")
