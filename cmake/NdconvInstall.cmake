# install() and the exported package: find_package(ndconv CONFIG) then link
# ndconv::ndconv; a pkg-config file (ndconv.pc); a Debian package (cpack -G DEB).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# What a static libndconv.a needs at link time beyond itself: the C++ runtime
# it was compiled against (a C program is linked by the C driver, which adds
# neither libstdc++ nor libm) and the threads library. The shared library
# records these itself (DT_NEEDED). Override for another C++ runtime, e.g.
# -DNDCONV_CXX_RUNTIME_LIBS="c++;c++abi;m" when built with -stdlib=libc++.
if(APPLE)
  set(_ndconv_runtime_default "c++")
elseif(UNIX)
  set(_ndconv_runtime_default "stdc++;m")
else()
  set(_ndconv_runtime_default "")
endif()
set(NDCONV_CXX_RUNTIME_LIBS "${_ndconv_runtime_default}" CACHE STRING
    "Libraries a static ndconv's consumers link for its C++ runtime (exported target and ndconv.pc)")
if(NOT BUILD_SHARED_LIBS)
  # LINK_ONLY: needed on the consumer's link line, not a usage requirement
  # (Threads::Threads is already there, from the PRIVATE link in CMakeLists.txt).
  foreach(_lib IN LISTS NDCONV_CXX_RUNTIME_LIBS)
    target_link_libraries(ndconv INTERFACE "$<LINK_ONLY:${_lib}>")
  endforeach()
endif()

install(TARGETS ndconv EXPORT ndconvTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ndconv DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ndconvTargets NAMESPACE ndconv::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ndconv)
configure_package_config_file(cmake/ndconvConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ndconvConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ndconv)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ndconvConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ndconvConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/ndconvConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ndconv)

# ndconv.pc. Its prefix is the one used at install time (cmake --install
# --prefix, or /usr inside the Debian package), not the one configured, so the
# file is written by the install step itself, then installed like any file.
set(NDCONV_PC_CFLAGS "")
set(NDCONV_PC_LIBS_PRIVATE "")
if(BUILD_SHARED_LIBS)
  set(NDCONV_PC_CFLAGS " -DNDCONV_SHARED")
else()
  foreach(_lib IN LISTS NDCONV_CXX_RUNTIME_LIBS)
    string(APPEND NDCONV_PC_LIBS_PRIVATE " -l${_lib}")
  endforeach()
  if(CMAKE_USE_PTHREADS_INIT)
    string(APPEND NDCONV_PC_LIBS_PRIVATE " -lpthread")
  endif()
  string(STRIP "${NDCONV_PC_LIBS_PRIVATE}" NDCONV_PC_LIBS_PRIVATE)
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(NDCONV_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(NDCONV_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
set(NDCONV_PC_PREFIX "@NDCONV_PC_PREFIX@")  # left for the install step to fill
configure_file(cmake/ndconv.pc.in ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/ndconv.pc.in @ONLY)
install(CODE "
  set(NDCONV_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/ndconv.pc.in\"
                 \"${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/ndconv.pc\" @ONLY)")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/ndconv.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The Debian package: `cpack -G DEB` in a build directory makes
# libndconv-dev_<version>_<arch>.deb with the library, the headers, the CMake
# package and ndconv.pc, installed under /usr (scripts/check_install.sh builds,
# installs and uses it).
if(PROJECT_IS_TOP_LEVEL)
  set(CPACK_PACKAGE_NAME "libndconv-dev")
  set(CPACK_PACKAGE_VENDOR "ndconv")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION} (C API, C++17 header, CMake and pkg-config files)")
  set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
  set(CPACK_PACKAGE_CONTACT "ndconv maintainers <ndconv@localhost>")
  set(CPACK_GENERATOR "DEB")
  set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
  set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
  set(CPACK_DEBIAN_PACKAGE_SECTION "libdevel")
  if(BUILD_SHARED_LIBS)
    find_program(NDCONV_DPKG_SHLIBDEPS dpkg-shlibdeps)
    if(NDCONV_DPKG_SHLIBDEPS)
      set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)   # libc6, libstdc++6, ... with versions
    else()
      set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6, libstdc++6, libgcc-s1")
    endif()
  else()
    # A static library has no run-time dependencies; what links it needs a C++
    # toolchain's runtime, which every Debian compiler brings.
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libstdc++-dev | libc++-dev")
  endif()
  set(CPACK_SOURCE_GENERATOR "")
  include(CPack)
endif()
