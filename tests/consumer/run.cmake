# Installs the build tree to a temporary prefix, then configures, builds and runs the consumer
# project against it. Run by ctest: cmake -DBUILD_DIR= -DSOURCE_DIR= -DWORK_DIR= -DELF= -P run.cmake
file(REMOVE_RECURSE "${WORK_DIR}")
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()
step("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${WORK_DIR}/prefix")
# CONSUMER_FLAGS: what the library was built with that its users must match (sanitizers).
step("${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/consumer" -B "${WORK_DIR}/build" -G Ninja
     "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" "-DCMAKE_CXX_FLAGS=${CONSUMER_FLAGS}"
     "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_FLAGS}")
step("${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
step("${WORK_DIR}/build/consumer" "${ELF}")
message(STATUS "${step_output}")
if(NOT step_output MATCHES "entry 0x80000000")
  message(FATAL_ERROR "consumer printed: ${step_output}")
endif()
# the tutorial's guest test, under several seeds
step("${CMAKE_COMMAND}" -E env "RETRACE_GUEST_PATH=${WORK_DIR}/build" "${WORK_DIR}/build/greeter_test" --retrace_seeds=5)
message(STATUS "${step_output}")
if(NOT step_output MATCHES "PASSED  ] 1 test")
  message(FATAL_ERROR "greeter_test printed: ${step_output}")
endif()
