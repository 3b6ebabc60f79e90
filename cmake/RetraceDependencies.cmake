# Finds the libraries retrace::retrace links against. Used both by the build and by the
# installed retraceConfig.cmake, so a consumer resolves exactly the same targets.
include(CMakeFindDependencyMacro)
find_package(PkgConfig REQUIRED)

find_dependency(fmt)
find_dependency(cereal)
find_dependency(TBB)
find_dependency(range-v3)
find_dependency(nlohmann_json)
find_dependency(zstd)
find_dependency(GTest)

# Debian ships these without CMake configs: pkg-config, or a plain header + library.
if(NOT TARGET retrace_dep::elf)
  pkg_check_modules(RETRACE_LIBELF REQUIRED IMPORTED_TARGET GLOBAL libelf)
  pkg_check_modules(RETRACE_LIBDW REQUIRED IMPORTED_TARGET GLOBAL libdw)
  pkg_check_modules(RETRACE_XXHASH REQUIRED IMPORTED_TARGET GLOBAL libxxhash)
  find_path(RETRACE_FDT_INCLUDE_DIR libfdt.h REQUIRED)
  find_library(RETRACE_FDT_LIBRARY fdt REQUIRED)

  add_library(retrace_dep::elf INTERFACE IMPORTED GLOBAL)
  target_link_libraries(retrace_dep::elf INTERFACE PkgConfig::RETRACE_LIBELF)
  add_library(retrace_dep::dw INTERFACE IMPORTED GLOBAL)
  target_link_libraries(retrace_dep::dw INTERFACE PkgConfig::RETRACE_LIBDW)
  add_library(retrace_dep::xxhash INTERFACE IMPORTED GLOBAL)
  target_link_libraries(retrace_dep::xxhash INTERFACE PkgConfig::RETRACE_XXHASH)
  add_library(retrace_dep::fdt INTERFACE IMPORTED GLOBAL)
  target_include_directories(retrace_dep::fdt INTERFACE ${RETRACE_FDT_INCLUDE_DIR})
  target_link_libraries(retrace_dep::fdt INTERFACE ${RETRACE_FDT_LIBRARY})
endif()

if(TARGET zstd::libzstd_shared)
  set(RETRACE_ZSTD_TARGET zstd::libzstd_shared)
else()
  set(RETRACE_ZSTD_TARGET zstd::libzstd_static)
endif()
