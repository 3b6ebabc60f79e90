// The examples' main: retrace's runner (gtest's flags plus --retrace_seed(s), --retrace_jobs).
#include <retrace/testing/runner.hpp>

#include <cstdlib>

int main(int argc, char** argv) {
  // Find the guest fixtures of this build unless told otherwise, so printed rerun commands work.
  setenv("RETRACE_GUEST_PATH", RETRACE_GUEST_DIR, /*overwrite=*/0);
  return retrace::test_main(argc, argv);
}
