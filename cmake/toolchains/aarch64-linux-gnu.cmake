# Cross build for 64-bit Arm Linux with Debian's cross toolchain
# (apt-get install g++-aarch64-linux-gnu qemu-user; scripts/setup.sh --cross).
# Test binaries run on the x86-64 host through qemu-aarch64, so `ctest` works
# unchanged in the cross build directory.
#
#   cmake --preset aarch64        (or)
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(NDCONV_CROSS_TRIPLE aarch64-linux-gnu)
find_program(NDCONV_CROSS_CXX ${NDCONV_CROSS_TRIPLE}-g++)
if(NOT NDCONV_CROSS_CXX)
  message(FATAL_ERROR "ndconv: ${NDCONV_CROSS_TRIPLE}-g++ not found: run scripts/setup.sh --cross "
                      "(Debian packages g++-aarch64-linux-gnu qemu-user)")
endif()
set(CMAKE_C_COMPILER   ${NDCONV_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${NDCONV_CROSS_TRIPLE}-g++)

# Debian's target sysroot: libc, libstdc++ and the dynamic loader for aarch64.
set(NDCONV_CROSS_SYSROOT /usr/${NDCONV_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH ${NDCONV_CROSS_SYSROOT})

# Programs (cmake, the emulator) come from the host; libraries, headers and
# packages only from the target root, so no x86-64 library is ever linked.
# Host-only packages (GTest, benchmark, oneDNN) are therefore not found: the
# project builds GoogleTest from /usr/src/googletest for the target and
# disables what needs the others.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# -L: where qemu finds the target's dynamic loader and shared libraries.
find_program(NDCONV_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(NDCONV_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${NDCONV_QEMU_AARCH64} -L ${NDCONV_CROSS_SYSROOT})
else()
  message(WARNING "ndconv: qemu-aarch64 not found: the aarch64 tests cannot run "
                  "(apt-get install qemu-user, or scripts/setup.sh --cross)")
endif()
