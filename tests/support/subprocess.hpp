#pragma once
// Running a child process from a test (QEMU as a peer, the retrace CLI, gdb), with its output
// captured and a deadline, so a hung peer fails the test instead of hanging ctest.
#include <chrono>
#include <string>
#include <vector>

namespace retrace::test {

struct ProcessResult {
  int exit_status = -1; ///< exit code, or -1 if killed by a signal
  int signal = 0;       ///< terminating signal, 0 if it exited
  bool timed_out = false;
  std::string out;
  std::string err;
};

/// Runs argv[0] (searched in PATH) with `input` on stdin; kills it after `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// True if `program` is found in PATH.
bool have_program(const std::string& program);

} // namespace retrace::test
