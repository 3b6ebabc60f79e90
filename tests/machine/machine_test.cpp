// Tests for include/retrace/machine/machine.hpp: every guest fixture on retrace's machine
// (same output and exit status as declared, and as QEMU shows), the exact icount of a timer
// interrupt, stopping at an exact icount, WFI skipping time, determinism, and bad specs.
#include "retrace/error.hpp"
#include "retrace/machine/machine.hpp"

#include "guests.hpp"
#include "subprocess.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using retrace::Machine;
using retrace::MachineSpec;
using retrace::StopReason;
using retrace::test::GuestFixture;
using ::testing::HasSubstr;

MachineSpec spec_for(const std::string& kernel) {
  MachineSpec s;
  s.kernel = kernel;
  return s;
}

class Fixture : public ::testing::TestWithParam<GuestFixture> {};

// Each fixture with its declared input delivered at icount 0.
std::unique_ptr<Machine> machine_for(const GuestFixture& g) {
  auto m = std::make_unique<Machine>(spec_for(g.elf));
  if (*g.input) m->schedule(0, {retrace::InputEvent::uart_rx, g.input});
  return m;
}

TEST_P(Fixture, RunsWithDeclaredOutputAndExitStatus) {
  const auto& g = GetParam();
  auto mp = machine_for(g);
  Machine& m = *mp;
  if (g.expect_exit < 0) { // a guest that never exits: it runs, prints, and is still running
    const auto r = m.run(50'000'000);
    EXPECT_EQ(r.reason, StopReason::limit);
    EXPECT_THAT(m.uart().output(), HasSubstr(g.expect_output));
    return;
  }
  const auto r = m.run(500'000'000);
  ASSERT_EQ(r.reason, StopReason::exited) << "stopped at icount " << r.icount << ", output:\n" << m.uart().output();
  EXPECT_THAT(m.uart().output(), HasSubstr(g.expect_output));
  EXPECT_EQ(r.status, static_cast<std::uint32_t>(g.expect_exit)) << m.uart().output();
}

class QemuFixture : public ::testing::TestWithParam<GuestFixture> {};

TEST_P(QemuFixture, SameOutputAndExitStatusAsQemu) {
  const auto& g = GetParam();
  ASSERT_TRUE(retrace::test::have_program("qemu-system-riscv64"));
  const auto q = retrace::test::run_process({"qemu-system-riscv64", "-M", "virt", "-bios", "none", "-kernel", g.elf,
                                             "-nographic", "-monitor", "none", "-serial", "stdio", "-icount",
                                             "shift=0"},
                                            g.input, std::chrono::seconds(60));
  ASSERT_FALSE(q.timed_out);
  auto mp = machine_for(g);
  Machine& m = *mp;
  const auto r = m.run(500'000'000);
  ASSERT_EQ(r.reason, StopReason::exited);
  EXPECT_EQ(m.uart().output(), q.out);
  EXPECT_EQ(static_cast<int>(r.status & 0xff), q.exit_status);
}

INSTANTIATE_TEST_SUITE_P(Guests, QemuFixture, ::testing::ValuesIn(retrace::test::qemu_fixtures()),
                         [](const auto& p) { return retrace::test::test_name(p.param.name); });

TEST_P(Fixture, IsDeterministic) {
  const auto& g = GetParam();
  auto pa = machine_for(g), pb = machine_for(g);
  Machine &a = *pa, &b = *pb;
  const std::uint64_t stop = g.expect_exit < 0 ? 50'000'000 : 500'000'000;
  const auto ra = a.run(stop), rb = b.run(stop);
  EXPECT_EQ(ra.icount, rb.icount);
  EXPECT_EQ(a.hart(0).state(), b.hart(0).state());
  EXPECT_EQ(a.uart().output(), b.uart().output());
}

INSTANTIATE_TEST_SUITE_P(Guests, Fixture, ::testing::ValuesIn(retrace::test::guest_fixtures()),
                         [](const auto& p) { return retrace::test::test_name(p.param.name); });

// A raw image built from instruction words, for tests that need exact control.
std::string write_raw(const std::string& name, const std::vector<std::uint32_t>& words) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(words.data()), static_cast<std::streamsize>(words.size() * 4));
  return path;
}

TEST(Machine, StopsAtExactIcountAndResumes) {
  Machine m(spec_for(retrace::test::guest_fixture("hello").elf));
  auto r = m.run(123);
  EXPECT_EQ(r.reason, StopReason::limit);
  EXPECT_EQ(r.icount, 123u);
  EXPECT_EQ(m.icount(), 123u);
  const auto minstret = m.hart(0).state().minstret;
  r = m.run(124);
  EXPECT_EQ(r.icount, 124u);
  EXPECT_EQ(m.hart(0).state().minstret, minstret + 1);
  r = m.run(~0ull);
  EXPECT_EQ(r.reason, StopReason::exited);
  EXPECT_EQ(m.uart().output(), "hello from the guest\n");
}

TEST(Machine, TimerInterruptIsTakenAtTheExactIcount) {
  // mtimecmp = 50 with 1 ns per instruction: mtime = icount / 100 reaches 50 at icount 5000,
  // so the interrupt is taken at the boundary before step 5001 executes.
  using namespace retrace::isa;
  const std::vector<std::uint32_t> prog = {
      enc_u(0, 5, 0x17),               // auipc t0, 0            t0 = 0x80000000
      enc_i(0x40, 5, 0, 5, 0x13),      // addi t0, t0, 64        handler at base + 64
      enc_i(0x305, 5, 1, 0, 0x73),     // csrw mtvec, t0
      enc_u(0x2004000, 6, 0x37),       // lui t1, 0x2004         &mtimecmp[0]
      enc_i(50, 0, 0, 7, 0x13),        // li t2, 50
      enc_s(0, 7, 6, 3, 0x23),         // sd t2, 0(t1)
      enc_i(0x80, 0, 0, 7, 0x13),      // li t2, 0x80 (MTIE)
      enc_i(0x304, 7, 1, 0, 0x73),     // csrw mie, t2
      enc_i(0x8, 0, 0, 7, 0x13),       // li t2, 8 (MIE)
      enc_i(0x300, 7, 2, 0, 0x73),     // csrs mstatus, t2
      enc_j(0, 0, 0x6f),               // 1: j 1b
  };
  std::vector<std::uint32_t> image = prog;
  image.resize(16, 0x00000013);             // nops up to the handler
  image.push_back(enc_j(0, 0, 0x6f));       // handler: j .
  Machine m(spec_for(write_raw("timer.bin", image)));
  std::uint64_t taken_at = 0;
  m.on_step([&](const retrace::Hart& h) {
    if (!taken_at && h.last_step_trapped() && h.last_trap_cause() == ((1ull << 63) | 7)) taken_at = m.icount();
  });
  m.run(10'000);
  EXPECT_EQ(taken_at, 5001u);
  EXPECT_EQ(m.hart(0).state().mcause, (1ull << 63) | 7);
}

TEST(Machine, WfiSkipsToTheNextEvent) {
  using namespace retrace::isa;
  const std::vector<std::uint32_t> prog = {
      enc_u(0x2004000, 6, 0x37),   // lui t1, 0x2004
      enc_i(1000, 0, 0, 7, 0x13),  // li t2, 1000      mtimecmp = 1000 -> icount 100000
      enc_s(0, 7, 6, 3, 0x23),     // sd t2, 0(t1)
      enc_i(0x80, 0, 0, 7, 0x13),  // li t2, 0x80
      enc_i(0x304, 7, 1, 0, 0x73), // csrw mie, t2    (MIE stays off: WFI wakes, no trap)
      0x10500073,                  // wfi
      enc_j(0, 0, 0x6f),           // j .
  };
  Machine m(spec_for(write_raw("wfi.bin", prog)));
  std::uint64_t executed = 0;
  m.on_step([&](const retrace::Hart&) { ++executed; });
  const auto r = m.run(200'000);
  EXPECT_EQ(r.icount, 200'000u);
  // The ROM's 6 instructions, 5 before the wfi, the wfi (icount 12); idle until 100000; then
  // `j .` for the remaining 100000.
  EXPECT_EQ(executed, 12u + 100'000u);
  EXPECT_EQ(m.hart(0).state().minstret, executed);
}

TEST(Machine, IdleForeverIsReported) {
  const std::vector<std::uint32_t> prog = {0x10500073, 0x0000006f}; // wfi; j .
  Machine m(spec_for(write_raw("idle.bin", prog)));
  const auto r = m.run(1'000'000);
  EXPECT_EQ(r.reason, StopReason::idle);
  EXPECT_EQ(r.icount, 7u); // 6 ROM instructions and the wfi
}

TEST(Machine, UartInputArrivesAtItsIcount) {
  using namespace retrace::isa;
  // Poll LSR.DR until a byte arrives, then exit with it as the status.
  const std::vector<std::uint32_t> prog = {
      enc_u(0x10000000, 5, 0x37),          // lui t0, 0x10000
      enc_i(5, 5, 4, 6, 0x03),             // 1: lbu t1, 5(t0)
      enc_i(1, 6, 7, 6, 0x13),             // andi t1, t1, 1
      enc_b(-8, 0, 6, 0, 0x63),            // beqz t1, 1b
      enc_i(0, 5, 4, 10, 0x03),            // lbu a0, 0(t0)
      enc_i(16, 10, 1, 10, 0x13),          // slli a0, a0, 16
      enc_i(0x333, 10, 6, 10, 0x13),       // ori a0, a0, 0x333
      enc_u(0x3000, 11, 0x37),             // lui a1, 3
      enc_r(0, 11, 10, 6, 10, 0x33),       // or a0, a0, a1   -> (c << 16) | 0x3333
      enc_u(0x100000, 5, 0x37),            // lui t0, 0x100
      enc_s(0, 10, 5, 2, 0x23),            // sw a0, 0(t0)
      enc_j(0, 0, 0x6f),
  };
  Machine m(spec_for(write_raw("uart.bin", prog)));
  m.schedule(5000, {retrace::InputEvent::uart_rx, "*"});
  const auto r = m.run(100'000);
  ASSERT_EQ(r.reason, StopReason::exited);
  EXPECT_EQ(r.status, static_cast<std::uint32_t>('*'));
  EXPECT_GT(r.icount, 5000u);
  EXPECT_LT(r.icount, 5020u);
}

TEST(Machine, RawImagesLoadAtTheirAddress) {
  using namespace retrace::isa;
  // The kernel reads the word the second image put at 0x8010_0000 and exits with it.
  const std::vector<std::uint32_t> prog = {
      enc_u(0x80100000, 5, 0x37),    // lui t0, 0x80100   (sign-extended: 0xffffffff80100000)
      enc_i(32, 5, 1, 5, 0x13),      // slli t0, t0, 32
      enc_i(32, 5, 5, 5, 0x13),      // srli t0, t0, 32    t0 = 0x80100000
      enc_i(0, 5, 2, 10, 0x03),      // lw a0, 0(t0)
      enc_u(0x100000, 6, 0x37),      // lui t1, 0x100
      enc_s(0, 10, 6, 2, 0x23),      // sw a0, 0(t1)       the finisher
      enc_j(0, 0, 0x6f),
  };
  MachineSpec s = spec_for(write_raw("loader.bin", prog));
  s.loads.push_back({write_raw("data.bin", {(9u << 16) | 0x3333}), 0x8010'0000});
  Machine m(s);
  const auto r = m.run(1000);
  ASSERT_EQ(r.reason, StopReason::exited);
  EXPECT_EQ(r.status, 9u);
  s.loads.back().address = 0x9000'0000; // outside RAM
  EXPECT_THROW(Machine{s}, retrace::Error);
}

TEST(Machine, AGuestRequestedResetStartsOverThroughTheBootRom) {
  using namespace retrace::isa;
  // write 0x7777 to the finisher (reset), forever: each reset goes back through the boot ROM
  const std::vector<std::uint32_t> prog = {
      enc_u(0x100000, 5, 0x37),    // lui t0, 0x100
      enc_u(0x7000, 6, 0x37),      // lui t1, 7
      enc_i(0x777, 6, 0, 6, 0x13), // addi t1, t1, 0x777
      enc_s(0, 6, 5, 2, 0x23),     // sw t1, 0(t0)
      enc_j(0, 0, 0x6f),
  };
  Machine m(spec_for(write_raw("reset.bin", prog)));
  std::uint64_t rom_steps = 0;
  m.on_step([&](const retrace::Hart& h) { rom_steps += h.last_pc() < 0x2000; });
  const auto r = m.run(1000);
  EXPECT_EQ(r.reason, StopReason::limit);
  EXPECT_EQ(r.icount, 1000u);
  EXPECT_EQ(rom_steps % 6, 0u);
  EXPECT_GT(rom_steps, 6u * 50); // many resets, each through the 6-instruction reset vector
}

TEST(Machine, BadSpecsAreErrors) {
  MachineSpec s;
  EXPECT_THROW(Machine{s}, retrace::Error); // nothing to run
  s.kernel = retrace::test::guest_fixture("hello").elf;
  s.harts = 0;
  EXPECT_THROW(Machine{s}, retrace::Error);
  s.harts = 1;
  s.ram_size = 12345;
  EXPECT_THROW(Machine{s}, retrace::Error);
}

TEST(Machine, ImageOutsideRamIsAClearError) {
  MachineSpec s = spec_for(retrace::test::guest_fixture("hello").elf);
  s.ram_size = 1 << 20; // hello's bss and heap need more
  try {
    Machine m(s);
    FAIL() << "loaded";
  } catch (const retrace::Error& e) {
    EXPECT_EQ(e.code(), retrace::Errc::bad_image);
    EXPECT_THAT(e.what(), HasSubstr("hello.elf"));
    EXPECT_THAT(e.what(), HasSubstr("outside RAM"));
  }
}

} // namespace
