# install() and the exported package: find_package(ndconv CONFIG) then link
# ndconv::ndconv.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

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
