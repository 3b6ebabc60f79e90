// The main() of retrace::test_main: link it instead of gtest_main to get retrace's runner.
#include "retrace/testing/runner.hpp"

int main(int argc, char** argv) { return retrace::test_main(argc, argv); }
