// Debian's firmware, unmodified, on retrace: OpenSBI 1.1 (fw_jump) + S-mode U-Boot, and M-mode
// U-Boot alone, booted to the prompt with a scripted console; OpenSBI's banner against QEMU's;
// recording and replay; gdb with U-Boot's symbols.
#include "retrace/replay/lockstep.hpp"
#include "retrace/replay/replay.hpp"
#include "retrace/testing/matchers.hpp"
#include "retrace/testing/run.hpp"

#include "subprocess.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>
#include <sstream>

namespace {

using namespace retrace;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string opensbi = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf";
const std::string uboot_s = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin";
const std::string uboot_m = "/usr/lib/u-boot/qemu-riscv64/u-boot.bin";
const std::string uboot_m_elf = "/usr/lib/u-boot/qemu-riscv64/uboot.elf";

// Firmware that stops U-Boot's autoboot; callers script the prompt's commands after it.
Scenario uboot_prompt(const std::string& bios, const std::string& kernel) {
  Scenario s;
  s.bios(bios).budget(3'000'000'000ull).trap_loop_threshold(0);
  if (!kernel.empty()) s.kernel(kernel);
  s.when_output("Hit any key to stop autoboot:  2", " ");
  return s;
}

Scenario uboot_session(const std::string& bios, const std::string& kernel) {
  Scenario s = uboot_prompt(bios, kernel);
  s.when_output("=> ", "version\r")
      .when_output("=> ", "poweroff\r");
  return s;
}

TEST(Firmware, OpenSbiAndSModeUBootBootToThePrompt) {
  const auto s = uboot_session(opensbi, uboot_s);
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, ExitedWith(0)) << o.uart;
  EXPECT_THAT(o, UartOutput(HasSubstr("OpenSBI v1.1")));
  EXPECT_THAT(o, UartOutput(HasSubstr("Domain0 Next Mode         : S-mode")));
  EXPECT_THAT(o, UartOutput(HasSubstr("U-Boot 2023.01")));
  EXPECT_THAT(o, UartOutput(HasSubstr("=> version\r\nU-Boot 2023.01")));
  EXPECT_THAT(o, UartOutput(HasSubstr("=> poweroff\r\npoweroff ...")));
  RecordProperty("boot_instructions", std::to_string(o.icount));
}

// A FAT image the test builds (dosfstools, mtools) with one known file, bit for bit the same
// every time (fixed volume id, --invariant, a fixed file time).
std::string fat_image() {
  const std::string dir = ::testing::TempDir(), img = dir + "/fat-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".img";
  const auto r = test::run_process({"bash", "-c",
                                    "set -e; rm -f " + img + "; dd if=/dev/zero of=" + img +
                                        " bs=1M count=16 2>/dev/null; mkfs.vfat -F 16 -n RETRACE " + img +
                                        " >/dev/null; printf 'hello from a FAT disk\n' > " + dir +
                                        "/hello.txt; mcopy -i " + img + " " + dir + "/hello.txt ::/hello.txt"});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  return img;
}

TEST(Firmware, UBootReadsAFileFromAVirtioDisk) {
  const std::string img = fat_image();
  const auto before = test::run_process({"sha256sum", img}).out;
  Scenario s = uboot_prompt(opensbi, uboot_s);
  s.drive(img).when_output("=> ", "virtio scan\r")
      .when_output("=> ", "virtio info\r")
      .when_output("=> ", "ls virtio 0\r")
      .when_output("=> ", "load virtio 0 0x84000000 hello.txt\r")
      .when_output("=> ", "md.b 0x84000000 0x16\r")
      .when_output("=> ", "poweroff\r");
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, ExitedWith(0)) << o.uart;
  EXPECT_THAT(o, UartOutput(HasSubstr("Device 0: QEMU VirtIO Block Device")));
  EXPECT_THAT(o, UartOutput(HasSubstr("Capacity: 16.0 MB = 0.0 GB (32768 x 512)")));
  EXPECT_THAT(o, UartOutput(HasSubstr("       22   hello.txt")));
  EXPECT_THAT(o, UartOutput(HasSubstr("22 bytes read")));
  EXPECT_THAT(o, UartOutput(HasSubstr("84000000: 68 65 6c 6c 6f 20 66 72 6f 6d 20 61 20 46 41 54  hello from a FAT")));
  EXPECT_GT(run.machine().drive(0).state().requests, 0u);
  EXPECT_EQ(test::run_process({"sha256sum", img}).out, before); // the image file is never written
}

TEST(Firmware, GuestWritesGoToTheOverlay) {
  const std::string img = fat_image();
  const auto before = test::run_process({"sha256sum", img}).out;
  Scenario s = uboot_prompt(opensbi, uboot_s);
  s.drive(img).when_output("=> ", "virtio scan\r")
      .when_output("=> ", "mw.b 0x84000000 0x5a 0x200\r")
      .when_output("=> ", "virtio write 0x84000000 100 1\r") // U-Boot numbers are hex: block 256
      .when_output("=> ", "virtio read 0x85000000 100 1\r")
      .when_output("=> ", "cmp.b 0x84000000 0x85000000 0x200\r")
      .when_output("=> ", "poweroff\r");
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, ExitedWith(0)) << o.uart;
  EXPECT_THAT(o, UartOutput(HasSubstr("Total of 512 byte(s) were the same")));
  EXPECT_THAT(o, UartOutput(HasSubstr("1 blocks written: OK")));
  ASSERT_EQ(run.machine().drive(0).state().overlay.count(256), 1u);
  EXPECT_EQ(run.machine().drive(0).state().overlay.at(256)[0], 0x5a);
  EXPECT_EQ(test::run_process({"sha256sum", img}).out, before);
}

// A slow disk whose latency jitters with the seed: U-Boot still reads the file, and the run
// replays digest-identical because the timing comes from the seed, not the host.
TEST(Firmware, UBootOnASlowJitteryDiskRecordsAndReplays) {
  const std::string img = fat_image(), log = ::testing::TempDir() + "/uboot-slow-disk.rlog";
  DriveSpec d(img);
  d.latency_ns = 200'000; // 0.2 ms
  d.jitter_ns = 100'000;
  Scenario s = uboot_prompt(opensbi, uboot_s);
  s.drive(d).when_output("=> ", "virtio scan\r")
      .when_output("=> ", "load virtio 0 0x84000000 hello.txt\r")
      .when_output("=> ", "md.b 0x84000000 0x16\r")
      .when_output("=> ", "poweroff\r");
  {
    ScenarioRun run(s, 4, RunLimits{600, log, "slow disk"});
    const auto o = run.run();
    EXPECT_THAT(o, ExitedWith(0)) << o.uart;
    EXPECT_THAT(o, UartOutput(HasSubstr("84000000: 68 65 6c 6c 6f 20 66 72 6f 6d 20 61 20 46 41 54  hello from a FAT")));
  }
  const auto l = LogReader::read(log);
  ASSERT_FALSE(l.error());
  EXPECT_EQ(l.header().spec.drives.at(0).jitter_ns, 100'000u);
  Replayer replay(l);
  const auto r = replay.run();
  EXPECT_TRUE(r.matches_recording());
  EXPECT_GT(r.digests_checked, 0u);
}

// An I/O error injected at an exact icount: a first run finds the icount at which the `virtio
// read` command is typed (its input record in the log); a second run fails the first request
// after it. Everything before, the partition scan included, is untouched. (Block 0x7000 is one
// the scan does not read, so U-Boot's block cache does not answer for the disk.)
TEST(Firmware, AnIoErrorInjectedAtAnIcountFailsExactlyThatRead) {
  const std::string img = fat_image(), log = ::testing::TempDir() + "/uboot-fault-finder.rlog";
  auto session = [&](DriveSpec d) {
    Scenario s = uboot_prompt(opensbi, uboot_s);
    s.drive(std::move(d)).when_output("=> ", "virtio scan\r")
        .when_output("=> ", "virtio read 0x84000000 7000 1\r")
        .when_output("=> ", "virtio read 0x84000000 7000 1\r")
        .when_output("=> ", "poweroff\r");
    return s;
  };
  std::uint64_t typed = 0;
  {
    ScenarioRun run(session(DriveSpec(img)), 1, RunLimits{600, log, "find the icount"});
    const auto o = run.run();
    EXPECT_THAT(o, UartOutput(Not(HasSubstr("ERROR"))));
  }
  const auto l = LogReader::read(log);
  std::vector<std::uint64_t> inputs;
  for (const auto& r : l.records())
    if (r.kind == LogRecord::input) inputs.push_back(r.icount);
  ASSERT_EQ(inputs.size(), 5u); // the key press, scan, two reads, poweroff
  typed = inputs[2];
  DriveSpec faulty(img);
  faulty.faults.push_back({typed, 1});
  ScenarioRun run(session(faulty), 1);
  const auto o = run.run();
  EXPECT_THAT(o, ExitedWith(0)) << o.uart;
  const auto first = o.uart.find("1 blocks read: OK"), error = o.uart.find("-5 blocks read: ERROR");
  EXPECT_NE(error, std::string::npos) << o.uart;
  ASSERT_NE(first, std::string::npos) << "the second read succeeds";
  EXPECT_LT(error, first) << "the first read fails, the second does not";
  EXPECT_EQ(run.machine().drive(0).state().errors, 1u);
}

// Four harts: every hart enters OpenSBI at the reset vector, one wins the boot lottery, the
// others wait in WFI until started (SBI HSM); OpenSBI reports all four and U-Boot still
// reaches its prompt. Recorded, the boot (with its schedule) replays digest-identical.
TEST(Firmware, OpenSbiWithFourHartsAndUBootReachesItsPrompt) {
  const std::string log = ::testing::TempDir() + "/uboot-4harts.rlog";
  auto s = uboot_session(opensbi, uboot_s);
  s.harts(4);
  {
    ScenarioRun run(s, 1, RunLimits{600, log, "4 harts"});
    const auto o = run.run();
    EXPECT_THAT(o, ExitedWith(0)) << o.uart;
    EXPECT_THAT(o, UartOutput(HasSubstr("Platform HART Count       : 4")));
    EXPECT_THAT(o, UartOutput(HasSubstr("Domain0 HARTs             : 0*,1*,2*,3*")));
    EXPECT_THAT(o, UartOutput(HasSubstr("=> version\r\nU-Boot 2023.01")));
  }
  const auto l = LogReader::read(log);
  ASSERT_FALSE(l.error());
  Replayer replay(l);
  EXPECT_TRUE(replay.run().matches_recording());
  RecordProperty("log_bytes", std::to_string(std::filesystem::file_size(log)));
}

// SBI HSM through OpenSBI: an S-mode payload (guest-fixtures/sbi/hsm.S) starts every other
// hart with hart_start; each reports on the SBI console; then SBI SRST shuts down. QEMU with
// the same firmware and payload starts the same harts. (OpenSBI's console writes CR LF.) Under schedule chaos with a drawn hart
// order, the lottery winner and the order of the reports change with the seed.
TEST(Firmware, OpenSbiStartsHartsThroughSbiHsm) {
  const std::string payload = RETRACE_GUEST_DIR "/sbi-hsm.bin";
  auto session = [&](unsigned harts, std::uint64_t seed, bool chaos) {
    Scenario s;
    s.bios(opensbi).kernel(payload).harts(harts).budget(1'000'000'000);
    if (chaos) s.chaos(200, 5000, true);
    ScenarioRun run(s, seed);
    return run.run();
  };
  for (unsigned harts : {1u, 4u, 8u}) {
    const auto o = session(harts, 1, false);
    EXPECT_THAT(o, ExitedWith(0)) << o.uart; // SRST shutdown (a 16-bit finisher write)
    EXPECT_THAT(o.uart, HasSubstr(fmt::format("Platform HART Count       : {}", harts)));
    EXPECT_THAT(o.uart, HasSubstr(fmt::format("started {} harts\r\n", harts - 1)));
    const auto boot = o.uart.find("boot hart ");
    ASSERT_NE(boot, std::string::npos) << o.uart;
    const unsigned winner = static_cast<unsigned>(o.uart[boot + 10] - '0');
    for (unsigned h = 0; h < harts; ++h) {
      if (h == winner) continue;
      EXPECT_THAT(o.uart, HasSubstr(fmt::format("hart {} started\r\n", h))) << harts << " harts";
    }
  }
  std::set<std::string> orders;
  for (std::uint64_t seed = 0; seed < 6; ++seed) {
    const auto o = session(4, seed, true);
    EXPECT_THAT(o, ExitedWith(0)) << o.uart;
    EXPECT_THAT(o.uart, HasSubstr("started 3 harts\r\n"));
    orders.insert(o.uart.substr(o.uart.find("boot hart ")));
  }
  EXPECT_GT(orders.size(), 1u); // chaos changes who wins and who reports first
  ASSERT_TRUE(test::have_program("qemu-system-riscv64"));
  const auto q = test::run_process({"timeout", "20", "qemu-system-riscv64", "-M", "virt", "-smp", "4", "-bios", opensbi,
                                    "-kernel", payload, "-nographic", "-monitor", "none", "-serial", "stdio"},
                                   {}, std::chrono::seconds(30));
  EXPECT_EQ(q.exit_status, 0);
  EXPECT_THAT(q.out, HasSubstr("started 3 harts\r\n"));
}

TEST(Firmware, MModeUBootAloneBootsToThePrompt) {
  const auto s = uboot_session(uboot_m, "");
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, ExitedWith(0)) << o.uart;
  EXPECT_THAT(o, UartOutput(HasSubstr("=> version\r\nU-Boot 2023.01")));
}

// The banner lines that describe the platform, not the emulator's optional features (QEMU 7.2
// implements Sstc, the hypervisor extension and HPM counters; retrace does not yet).
TEST(Firmware, OpenSbiBannerMatchesQemu) {
  ASSERT_TRUE(test::have_program("qemu-system-riscv64"));
  const auto q = test::run_process({"timeout", "8", "qemu-system-riscv64", "-M", "virt", "-bios", opensbi, "-kernel",
                                    uboot_s, "-nographic", "-monitor", "none", "-serial", "stdio"},
                                   {}, std::chrono::seconds(30));
  Scenario s;
  s.bios(opensbi).kernel(uboot_s).budget(60'000'000);
  ScenarioRun run(s, 1);
  const auto o = run.run();
  for (const char* key : {"OpenSBI v1.1", "Platform Name", "Platform HART Count", "Platform IPI Device",
                          "Platform Timer Device", "Platform Console Device", "Platform Reboot Device",
                          "Platform Shutdown Device", "Firmware Base", "Domain0 Name", "Domain0 Boot HART",
                          "Domain0 HARTs", "Domain0 Next Address", "Domain0 Next Mode", "Domain0 SysReset",
                          "Boot HART ID", "Boot HART Domain", "Boot HART Priv Version", "Boot HART PMP Count",
                          "Boot HART PMP Granularity", "Boot HART PMP Address Bits"}) {
    auto line_of = [&](const std::string& text) {
      const auto at = text.find(key);
      if (at == std::string::npos) return std::string("(missing)");
      return text.substr(at, text.find('\n', at) - at);
    };
    EXPECT_EQ(line_of(o.uart), line_of(q.out)) << key;
  }
}

TEST(Firmware, TheBootRecordsAndReplaysDigestIdentical) {
  const std::string log = ::testing::TempDir() + "/uboot.rlog";
  auto s = uboot_session(opensbi, uboot_s);
  {
    ScenarioRun run(s, 1, RunLimits{600, log, "uboot"});
    EXPECT_THAT(run.run(), ExitedWith(0));
  }
  const auto l = LogReader::read(log);
  ASSERT_FALSE(l.error());
  Replayer replay(l);
  const auto r = replay.run();
  EXPECT_TRUE(r.matches_recording());
  EXPECT_EQ(r.digests_checked, r.result.icount >> 25); // one every 2^25 instructions
  EXPECT_EQ(r.inputs, 3u); // the key press and two commands
  EXPECT_THAT(replay.machine().uart().output(), HasSubstr("=> version"));
}

// The block engine and the translator, each against the reference interpreter, over U-Boot's
// boot to its prompt and two commands, one hart and four (docs/performance.md): both machines
// are rebuilt from the boot's log and compared in chunks of up to 4096 instructions, with
// whole-machine digests every million.
TEST(Firmware, FastEnginesAgreeWithTheReferenceOverTheUBootBoot) {
  for (unsigned harts : {1u, 4u}) {
    SCOPED_TRACE(fmt::format("{} harts", harts));
    const std::string log = ::testing::TempDir() + fmt::format("/uboot-lockstep-{}.rlog", harts);
    auto s = uboot_session(opensbi, uboot_s);
    s.harts(harts);
    {
      ScenarioRun run(s, 1, RunLimits{600, log, "uboot lockstep"});
      EXPECT_THAT(run.run(), ExitedWith(0));
    }
    const auto l = LogReader::read(log);
    ASSERT_FALSE(l.error());
    for (auto engine : {Machine::Engine::blocks, Machine::Engine::jit}) {
      SCOPED_TRACE(Machine::engine_name(engine));
      LockstepOptions o;
      o.engine = engine;
      const auto r = lockstep(l, o);
      ASSERT_FALSE(r.difference) << r.difference->describe();
      EXPECT_EQ(r.end.reason, StopReason::exited);
      EXPECT_EQ(r.icount, l.end()->icount);
      EXPECT_GT(r.icount, 40'000'000u);
      RecordProperty(fmt::format("lockstep_instructions_{}_harts_{}", harts, Machine::engine_name(engine)),
                     std::to_string(r.icount));
    }
  }
}

// "UART output contains =>" over a recorded boot: the instruction is the UART store of U-Boot's
// first prompt, in code U-Boot has relocated to the top of RAM. Given a symbol file, the report
// finds the relocation by matching bytes. Debian's uboot.elf keeps only 249 dynamic symbols and
// no DWARF, so with it the report can give only the address in the file; with the debug ELF of a
// byte-identical rebuild of Debian's source package (cmake/uboot-symbols.sh) it names the
// function and the source lines, inlining included. gdb, given the offset, stops in relocated
// board_init_r at its source line.
TEST(Firmware, BisectionFindsWhereUBootPrintsItsPromptInRelocatedCode) {
  const std::string log = ::testing::TempDir() + "/uboot-bisect.rlog";
  const std::string stripped = "/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf", debug = RETRACE_UBOOT_SYMBOLS;
  {
    ScenarioRun run(uboot_session(opensbi, uboot_s), 1, RunLimits{600, log, "uboot"});
    EXPECT_THAT(run.run(), ExitedWith(0));
  }
  auto bisect_json = [&](const std::string& symbols) {
    const auto b = test::run_process({RETRACE_CLI, "bisect", log, "--until", "uart~=>", "--symbols", symbols, "--json"},
                                     {}, std::chrono::seconds(120));
    EXPECT_EQ(b.exit_status, 0) << b.err;
    return nlohmann::json::parse(b.out);
  };
  const auto j = bisect_json(stripped);
  ASSERT_TRUE(j["found"].get<bool>());
  const auto icount = j["icount"].get<std::uint64_t>();
  const auto offset = j["symbol_file"]["offset"].get<std::int64_t>();
  const auto link = j["symbol_file"]["link_address"].get<std::uint64_t>();
  EXPECT_FALSE(j["symbol_file"]["has_lines"].get<bool>());
  EXPECT_GT(offset, 0x7000000);                           // relocated near the top of 128 MiB
  EXPECT_EQ(offset % 4096, 0);
  EXPECT_GE(link, 0x80200000u);                           // inside uboot.elf's text
  EXPECT_LT(link, 0x80200000u + 0x9e6c0u);
  EXPECT_THAT(j["instruction"]["disassembly"].get<std::string>(), testing::StartsWith("sb ")); // the UART store
  // the store is the prompt's '>': the output up to it ends with "=>", one step earlier it did not
  const auto recorded = LogReader::read(log);
  Replayer replay(recorded);
  replay.run(icount - 1);
  EXPECT_THAT(replay.machine().uart().output(), testing::EndsWith("\n="));
  replay.run(icount);
  EXPECT_THAT(replay.machine().uart().output(), testing::EndsWith("\n=>"));
  // the text report says what it could and could not name from the stripped file
  const auto t = test::run_process({RETRACE_CLI, "bisect", log, "--until", "uart~=>", "--symbols", stripped}, {},
                                   std::chrono::seconds(120));
  EXPECT_THAT(t.out, HasSubstr(fmt::format("in {} at link address {:#x} (its code runs {:#x} bytes higher); no symbol "
                                           "of the file covers it; the file has no DWARF line table, so no source line",
                                           stripped, link, offset)));
  // the debug ELF: the same instruction, offset and address, now with its function and lines
  const auto d = bisect_json(debug);
  EXPECT_EQ(d["icount"].get<std::uint64_t>(), icount);
  EXPECT_EQ(d["symbol_file"]["offset"].get<std::int64_t>(), offset);
  EXPECT_EQ(d["symbol_file"]["link_address"].get<std::uint64_t>(), link);
  EXPECT_TRUE(d["symbol_file"]["has_lines"].get<bool>());
  EXPECT_THAT(d["symbol"].get<std::string>(), testing::StartsWith("ns16550_writeb"));
  EXPECT_EQ(d["source"].get<std::string>(),
            "arch/riscv/include/asm/io.h:49 (writeb, inlined at drivers/serial/ns16550.c:72 in serial_out_shift, "
            "inlined at drivers/serial/ns16550.c:171 in ns16550_writeb)");
  // gdb with the debug symbols where the code runs: relocated board_init_r, by name and line
  const std::string script = ::testing::TempDir() + "/uboot-reloc.gdb";
  std::ofstream(script) << "set pagination off\nadd-symbol-file " << debug << " -o " << fmt::format("{:#x}", offset)
                        << "\ntarget remote | " << RETRACE_CLI << " gdb " << log << " --stdio\n"
                        << "break *board_init_r\ncontinue\ninfo registers pc\n"; // * : no prologue skipping
  const auto g = test::run_process({"gdb-multiarch", "-batch", "-nx", "-x", script}, {}, std::chrono::seconds(120));
  EXPECT_THAT(g.out, testing::ContainsRegex("Breakpoint 1, board_init_r \\(.*\\) at common/board_r.c:[0-9]+"))
      << g.out << g.err;
  EXPECT_THAT(g.out, HasSubstr(fmt::format("pc             {:#x}", 0x802125fau + offset))) << g.out;
}

TEST(Firmware, GdbAttachesToTheUBootReplayWithSymbols) {
  const std::string log = ::testing::TempDir() + "/uboot-m.rlog";
  auto s = uboot_session(uboot_m, "");
  {
    ScenarioRun run(s, 1, RunLimits{600, log, "uboot-m"});
    (void)run.run();
  }
  const std::string script = ::testing::TempDir() + "/uboot.gdb";
  std::ofstream(script) << "set pagination off\nfile " << uboot_m_elf << "\ntarget remote | " << RETRACE_CLI << " gdb "
                        << log << " --stdio\n"
                        << "break board_init_f\ncontinue\nbt 1\ninfo registers pc\nstepi\nreverse-stepi\n"
                           "info registers pc\n";
  const auto r = test::run_process({"gdb-multiarch", "-batch", "-nx", "-x", script}, {}, std::chrono::seconds(120));
  // Debian's uboot.elf has symbols but no line tables: gdb names functions, not lines
  EXPECT_THAT(r.out, HasSubstr("Breakpoint 1, 0x0000000080012338 in board_init_f ()"));
  EXPECT_THAT(r.out, HasSubstr("0x000000008001233c in board_init_f ()")); // stepi
  EXPECT_THAT(r.out, HasSubstr("pc             0x80012338\t0x80012338 <board_init_f+8>\n[Inferior")); // and back
}

} // namespace
