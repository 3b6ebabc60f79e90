// End-to-end tests of the `retrace` CLI's basics: version, ELF inspection, bad input.
#include "guests.hpp"
#include "subprocess.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;
using retrace::test::run_process;

TEST(Cli, PrintsVersion) {
  const auto r = run_process({RETRACE_CLI, "--version"});
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_THAT(r.out, HasSubstr("retrace 0.1.0"));
}

TEST(Cli, ElfShowsEntryAndSegments) {
  const auto r = run_process({RETRACE_CLI, "elf", retrace::test::guest_fixture("hello").elf});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("RISC-V ELF64 entry 0x80000000"));
  EXPECT_THAT(r.out, HasSubstr("LOAD paddr 0x80000000"));
}

TEST(Cli, BadElfIsExitStatus2WithTheFileName) {
  const std::string path = ::testing::TempDir() + "/garbage.elf";
  std::ofstream(path) << "this is not an ELF file";
  const auto r = run_process({RETRACE_CLI, "elf", path});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr(path));
  EXPECT_THAT(r.err, HasSubstr("bad magic"));
}

TEST(Cli, UnknownSubcommandIsAUsageError) {
  const auto r = run_process({RETRACE_CLI, "frobnicate"});
  EXPECT_NE(r.exit_status, 0);
}

} // namespace
