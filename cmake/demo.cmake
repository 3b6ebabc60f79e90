# The README's demo. It grows with each capability; today it shows a guest built for the virt
# map and validated by retrace.
set(hello "${BUILD_DIR}/guest-fixtures/hello.elf")
message(STATUS "retrace demo: inspecting ${hello}")
execute_process(COMMAND "${RETRACE}" elf "${hello}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "retrace elf failed (${rc})")
endif()
