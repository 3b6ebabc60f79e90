// Peer check: every guest fixture runs on QEMU's virt board (`-bios none -kernel X.elf`) with
// the output and exit status it declares. This keeps the guest runtime honest about the map
// independently of retrace's own emulator.
#include "guests.hpp"
#include "subprocess.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using retrace::test::GuestFixture;

class QemuPeer : public ::testing::TestWithParam<GuestFixture> {};

TEST_P(QemuPeer, RunsWithDeclaredOutputAndExitStatus) {
  const auto& g = GetParam();
  ASSERT_TRUE(retrace::test::have_program("qemu-system-riscv64"))
      << "qemu-system-riscv64 missing: run cmake/setup-deps.sh";
  const auto r = retrace::test::run_process(
      {"qemu-system-riscv64", "-M", "virt", "-bios", "none", "-kernel", g.elf, "-nographic",
       "-monitor", "none", "-serial", "stdio"},
      g.input, std::chrono::seconds(60));
  ASSERT_FALSE(r.timed_out) << "QEMU did not finish; output so far:\n" << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr(g.expect_output));
  EXPECT_EQ(r.exit_status, g.expect_exit) << "stderr: " << r.err;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, QemuPeer, ::testing::ValuesIn(retrace::test::qemu_fixtures()),
                         [](const auto& p) { return retrace::test::test_name(p.param.name); });

} // namespace
