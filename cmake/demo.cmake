# The README's demo. It grows with each capability. Today: a guest test that passes under its
# default seed, a seed sweep that finds the runs where the planted race corrupts data, and the
# rerun of one failing seed, which fails the same way every time.
# The log then replays without the test code.
function(demo_step title expected)
  list(JOIN ARGN " " shown)
  message(STATUS "")
  message(STATUS "retrace demo: ${title}")
  message(STATUS "  \$ ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  message(STATUS "  exit status ${rc}")
  if(NOT rc EQUAL expected)
    message(FATAL_ERROR "expected exit status ${expected}")
  endif()
endfunction()
set(g "${BUILD_DIR}/guest-fixtures")
set(examples "${BUILD_DIR}/tests/examples_test")
demo_step("a guest runs on retrace's emulator" 0 "${RETRACE}" run --kernel "${g}/hello.elf")
demo_step("a guest test of an interrupt-driven UART ring buffer passes under its default seed" 0
          "${examples}" --gtest_filter=RingBuffer.DeliversEveryByte)
demo_step("sweeping 200 seeds (input timing jitter) finds the runs where the race loses a byte" 1
          "${examples}" --gtest_filter=RingBuffer.DeliversEveryByte --retrace_seeds=200 --gtest_brief=1)
demo_step("rerunning a failing seed fails the same way; the runner bisects it to the instruction that broke the invariant" 1
          "${examples}" --gtest_filter=RingBuffer.DeliversEveryByte --retrace_seed=12 --gtest_brief=1
          --retrace_log_dir=${BUILD_DIR}/demo-logs)
demo_step("the failing run's log replays the failure exactly, without the test code" 0
          "${RETRACE}" replay "${BUILD_DIR}/demo-logs/RingBuffer.DeliversEveryByte/seed-12.rlog")
demo_step("what the log holds" 0 "${RETRACE}" dump "${BUILD_DIR}/demo-logs/RingBuffer.DeliversEveryByte/seed-12.rlog")
