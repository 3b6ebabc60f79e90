// End-to-end tests of the `retrace` CLI's basics: version, ELF inspection, bad input.
#include "guests.hpp"
#include "subprocess.hpp"

#include <filesystem>
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

TEST(CliRun, HelloPrintsAndExitsZero) {
  const auto r = run_process({RETRACE_CLI, "run", "--kernel", retrace::test::guest_fixture("hello").elf});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out, "hello from the guest\n");
}

TEST(CliRun, ExitStatusIsTheGuests) {
  const auto r = run_process({RETRACE_CLI, "run", "-k", retrace::test::guest_fixture("fail").elf});
  EXPECT_EQ(r.exit_status, 3);
  EXPECT_THAT(r.out, HasSubstr("FAIL: expected 42, got 41"));
}

TEST(CliRun, MaxInsnsStopsExactlyWithStatus124) {
  const auto r = run_process({RETRACE_CLI, "run", "-k", retrace::test::guest_fixture("hello").elf, "--max-insns", "100"});
  EXPECT_EQ(r.exit_status, 124);
  EXPECT_THAT(r.err, HasSubstr("stopped at icount 100 (--max-insns)"));
}

TEST(CliRun, TraceShowsIcountHartPcDisassemblyAndRegister) {
  const auto r = run_process(
      {RETRACE_CLI, "run", "-k", retrace::test::guest_fixture("hello").elf, "--trace", "--max-insns", "7"});
  EXPECT_EQ(r.exit_status, 124);
  // The boot ROM's first instruction, then the jump to the kernel and its first instruction.
  EXPECT_THAT(r.err, HasSubstr("         1 0 0000000000001000: 00000297 auipc t0,0x0"));
  EXPECT_THAT(r.err, HasSubstr("t0=0x1000"));
  EXPECT_THAT(r.err, HasSubstr("         6 0 0000000000001014: 00028067 jr t0"));
  EXPECT_THAT(r.err, HasSubstr("         7 0 0000000080000000: "));
  EXPECT_THAT(r.err, HasSubstr("gp=0x"));
}

TEST(CliRun, BadKernelIsExitStatus2) {
  const std::string path = ::testing::TempDir() + "/bad-kernel.elf";
  {
    std::ofstream out(path, std::ios::binary);
    out << "\x7f" << "ELF" << std::string(60, '\0');
  }
  const auto r = run_process({RETRACE_CLI, "run", "-k", path});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr(path));
  const auto missing = run_process({RETRACE_CLI, "run", "-k", "/nonexistent.elf"});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent.elf"));
}

TEST(CliRun, UartInputReachesTheGuest) {
  // priv fixtures don't read; the machine test covers input timing. Here: a bad --input is a
  // clear usage error, exit status 2.
  const auto r = run_process({RETRACE_CLI, "run", "-k", retrace::test::guest_fixture("hello").elf, "--input", "x"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr("ICOUNT:TEXT"));
}

TEST(CliRun, BadLoadIsAUsageErrorAndMissingLoadNamesTheFile) {
  const auto hello = retrace::test::guest_fixture("hello").elf;
  const auto r = run_process({RETRACE_CLI, "run", "-k", hello, "--load", "data.bin"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr("FILE@ADDRESS"));
  const auto missing = run_process({RETRACE_CLI, "run", "-k", hello, "--load", "/nonexistent.bin@0x80100000"});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent.bin"));
}

TEST(CliRun, DeviceOptionsAreCheckedAndRecorded) {
  const auto hello = retrace::test::guest_fixture("hello").elf;
  const auto bad_drive = run_process({RETRACE_CLI, "run", "-k", hello, "--drive", "/tmp/x.img,speed=3"});
  EXPECT_EQ(bad_drive.exit_status, 2);
  EXPECT_THAT(bad_drive.err, HasSubstr("unknown drive option 'speed'"));
  const auto bad_rng = run_process({RETRACE_CLI, "run", "-k", hello, "--rng=lava-lamp"});
  EXPECT_EQ(bad_rng.exit_status, 2);
  EXPECT_THAT(bad_rng.err, HasSubstr("--rng takes 'seed' or 'host'"));
  const auto bad_rtc = run_process({RETRACE_CLI, "run", "-k", hello, "--rtc", "noon"});
  EXPECT_EQ(bad_rtc.exit_status, 2);
  EXPECT_THAT(bad_rtc.err, HasSubstr("YYYY-MM-DDTHH:MM:SSZ"));
  // a good set is recorded in the log's header, and dump shows it
  const std::string img = ::testing::TempDir() + "/cli-drive.img", log = ::testing::TempDir() + "/cli-devices.rlog";
  std::ofstream(img, std::ios::binary) << std::string(4096, '\0');
  const auto ok = run_process({RETRACE_CLI, "run", "-k", hello, "--drive", img + ",latency=100,jitter=5,fail-at=9*2",
                               "--rng", "--seed", "77", "--rtc", "2030-06-01T12:00:00Z", "--record", log});
  ASSERT_EQ(ok.exit_status, 0) << ok.err;
  const auto dump = run_process({RETRACE_CLI, "dump", log});
  EXPECT_THAT(dump.out, HasSubstr("drive 0: " + img + ", latency 100 ns, jitter 5 ns, error rate 0 ppm, fail 2 at icount 9"));
  EXPECT_THAT(dump.out, HasSubstr("virtio-rng: from device seed 77"));
  EXPECT_THAT(dump.out, HasSubstr("rtc: starts at 1906545600000000000 ns since 1970\n"));
  const auto replay = run_process({RETRACE_CLI, "replay", "-q", log});
  EXPECT_EQ(replay.exit_status, 0) << replay.err;
}

} // namespace

namespace {

// --dump-dtb writes the tree the guest would get (as QEMU's -machine dumpdtb=) and runs
// nothing; given back with --dtb, the same guest boots with it.
TEST(CliRun, DumpDtbThenBootWithIt) {
  const std::string dtb = ::testing::TempDir() + "/dumped.dtb";
  const auto hello = retrace::test::guest_fixture("hello").elf;
  auto r = run_process({RETRACE_CLI, "run", "--kernel", hello, "--append", "console=ttyS0 loglevel=8", "--ram", "256M",
                        "--dump-dtb", dtb});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out, ""); // nothing ran
  EXPECT_THAT(r.err, HasSubstr("wrote the device tree"));
  std::ifstream in(dtb, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.substr(0, 4), std::string("\xd0\x0d\xfe\xed", 4));
  EXPECT_THAT(bytes, HasSubstr("console=ttyS0 loglevel=8"));
  r = run_process({RETRACE_CLI, "run", "--kernel", hello, "--dtb", dtb});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out, "hello from the guest\n");
  // a damaged one is refused before the run, naming the file
  const std::string bad = ::testing::TempDir() + "/damaged.dtb";
  std::ofstream(bad, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  r = run_process({RETRACE_CLI, "run", "--kernel", hello, "--dtb", bad});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr(bad));
  EXPECT_EQ(r.out, "");
}

TEST(CliRun, BadBootOptionsAreUsageErrors) {
  const auto hello = retrace::test::guest_fixture("hello").elf;
  auto r = run_process({RETRACE_CLI, "run", "--kernel", hello, "--ram", "lots"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr("'lots'"));
  r = run_process({RETRACE_CLI, "run", "--kernel", hello, "--initrd", "/nonexistent/rootfs.cpio"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/rootfs.cpio"));
  r = run_process({RETRACE_CLI, "run", "--kernel", hello, "--cpu", "rv32gc"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr("rv32gc"));
}

// The log records the initrd, the command line and the given tree; a pack carries the initrd
// and the tree, so it replays with the originals gone.
TEST(CliRun, PackCarriesTheInitrdAndTheDeviceTree) {
  const std::string dir = ::testing::TempDir() + "/pack-boot";
  std::filesystem::create_directories(dir);
  const auto hello = retrace::test::guest_fixture("hello").elf;
  const std::string initrd = dir + "/rootfs.cpio", dtb = dir + "/tree.dtb", log = dir + "/run.rlog";
  std::ofstream(initrd, std::ios::binary) << std::string(5000, 'r');
  ASSERT_EQ(run_process({RETRACE_CLI, "run", "--kernel", hello, "--dump-dtb", dtb}).exit_status, 0);
  auto r = run_process({RETRACE_CLI, "run", "--kernel", hello, "--initrd", initrd, "--dtb", dtb, "--append", "quiet",
                        "--record", log});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  r = run_process({RETRACE_CLI, "dump", log});
  EXPECT_THAT(r.out, HasSubstr("initrd: " + initrd));
  EXPECT_THAT(r.out, HasSubstr("command line: quiet"));
  EXPECT_THAT(r.out, HasSubstr("image dtb: " + dtb));
  ASSERT_EQ(run_process({RETRACE_CLI, "pack", log, "-o", dir + "/run.rpack"}).exit_status, 0);
  std::filesystem::remove(initrd);
  std::filesystem::remove(dtb);
  r = run_process({RETRACE_CLI, "replay", log});
  EXPECT_EQ(r.exit_status, 2); // the log alone needs the images
  r = run_process({RETRACE_CLI, "replay", dir + "/run.rpack"});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("replay matches the recording"));
}

} // namespace
