# Linux guests: the kernel and busybox the tests boot (cmake/linux-guest.sh: Debian's
# linux-source-6.1 and busybox source packages, built once into a cache shared by every build
# directory), and initramfs images holding a test author's own static Linux programs.
#
#   retrace_linux_guest()          # once; defines RETRACE_LINUX_DIR and target linux-guest
#   retrace_add_initramfs(racefs
#       PROGRAMS race.c            # compiled static for riscv64 Linux into /bin/race
#       FILES data.txt=/etc/data.txt rc.sh=/etc/rc.test
#       FLAGS -pthread -march=rv64gc_zba_zbb_zbs
#       INIT my-init)              # default: guest-fixtures/linux/init
#
# gives ${CMAKE_CURRENT_BINARY_DIR}/racefs.cpio, the programs' ELFs with DWARF next to it
# (racefs/race, for --symbols and gdb), and target initramfs-racefs. docs/linux.md shows a test.
find_program(RETRACE_LINUX_CC riscv64-linux-gnu-gcc)
set(RETRACE_LINUX_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}")
# kernel.config, busybox.config and the default /init: the source tree's, or an installed copy.
if(NOT RETRACE_LINUX_CONFIG_DIR)
  set(RETRACE_LINUX_CONFIG_DIR "${PROJECT_SOURCE_DIR}/guest-fixtures/linux")
endif()

function(retrace_linux_guest)
  if(TARGET linux-guest)
    return()
  endif()
  set(dir "${PROJECT_BINARY_DIR}/linux")
  set(RETRACE_LINUX_DIR "${dir}" CACHE INTERNAL "the Linux guest's kernel and busybox")
  set(fixtures "${RETRACE_LINUX_CONFIG_DIR}")
  add_custom_command(OUTPUT "${dir}/Image" "${dir}/vmlinux" "${dir}/busybox" "${dir}/busybox.links"
                            "${dir}/gen_init_cpio"
    COMMAND "${CMAKE_COMMAND}" -E env "RETRACE_LINUX_CONFIG_DIR=${fixtures}"
            bash "${RETRACE_LINUX_SCRIPTS}/linux-guest.sh" "${dir}"
    DEPENDS "${RETRACE_LINUX_SCRIPTS}/linux-guest.sh" "${RETRACE_LINUX_SCRIPTS}/apt-source.sh"
            "${fixtures}/kernel.config" "${fixtures}/busybox.config" /usr/src/linux-source-6.1.tar.xz
    COMMENT "Linux and busybox for the Linux guest (cached in ~/.cache/retrace/linux; the first build takes minutes)"
    USES_TERMINAL)
  add_custom_target(linux-guest DEPENDS "${dir}/Image" "${dir}/busybox")
endfunction()

function(retrace_add_initramfs name)
  cmake_parse_arguments(R "" "INIT" "PROGRAMS;FILES;FLAGS" ${ARGN})
  if(NOT RETRACE_LINUX_CC)
    message(FATAL_ERROR "retrace_add_initramfs(${name}): riscv64-linux-gnu-gcc not found (Debian packages "
                        "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross; retrace's cmake/setup-deps.sh)")
  endif()
  retrace_linux_guest()
  if(NOT R_INIT)
    set(R_INIT "${RETRACE_LINUX_CONFIG_DIR}/init")
  endif()
  cmake_path(ABSOLUTE_PATH R_INIT BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}.cpio")
  set(bindir "${CMAKE_CURRENT_BINARY_DIR}/${name}")
  set(entries)
  set(deps "${R_INIT}" "${RETRACE_LINUX_DIR}/busybox" "${RETRACE_LINUX_SCRIPTS}/make-initramfs.sh")
  foreach(src IN LISTS R_PROGRAMS)
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE abs)
    cmake_path(GET src STEM prog)
    set(elf "${bindir}/${prog}")
    # -g: the report's source lines and gdb; static: the initramfs has no libc of its own.
    add_custom_command(OUTPUT "${elf}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${bindir}"
      COMMAND "${RETRACE_LINUX_CC}" -static -O2 -g ${R_FLAGS} -o "${elf}" "${abs}"
      DEPENDS "${abs}" COMMENT "Linux program ${prog} (riscv64, static) for ${name}" VERBATIM)
    list(APPEND entries "${elf}=/bin/${prog}")
    list(APPEND deps "${elf}")
  endforeach()
  foreach(f IN LISTS R_FILES)
    string(FIND "${f}" "=" eq)
    if(eq LESS 0)
      cmake_path(GET f FILENAME base)
      set(src "${f}")
      set(dest "/${base}")
    else()
      string(SUBSTRING "${f}" 0 ${eq} src)
      math(EXPR after "${eq} + 1")
      string(SUBSTRING "${f}" ${after} -1 dest)
    endif()
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND entries "${src}=${dest}")
    list(APPEND deps "${src}")
  endforeach()
  add_custom_command(OUTPUT "${out}"
    COMMAND bash "${RETRACE_LINUX_SCRIPTS}/make-initramfs.sh" "${out}" "${RETRACE_LINUX_DIR}" "${R_INIT}" ${entries}
    DEPENDS ${deps} linux-guest COMMENT "initramfs ${name}.cpio" VERBATIM)
  add_custom_target(initramfs-${name} DEPENDS "${out}")
  set_property(GLOBAL APPEND PROPERTY RETRACE_INITRAMFS ${name})
endfunction()
