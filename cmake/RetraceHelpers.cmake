# retrace_add_test(NAME SOURCES ... [LIBS ...] [TIMEOUT SECONDS]): one gtest binary whose tests ctest
# discovers, each with a TIMEOUT (default 300 s).
# Tests mirror include/: include/retrace/cpu/hart.hpp is tested in tests/cpu/hart_test.cpp.
function(retrace_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE retrace::retrace retrace_test_support GTest::gmock_main ${T_LIBS})
  target_compile_options(${name} PRIVATE ${RETRACE_WARNINGS})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT ${T_TIMEOUT})
endfunction()
