// Interrupt counts against QEMU: the UART fixtures of guest-fixtures/devices/uart_irq.c count the
// PLIC interrupts hart 0 takes (THR empty never acknowledged, THR writes, received bytes, a source
// enabled while pending) on
// `qemu-system-riscv64 -M virt` 7.2 and on retrace, with one hart and with three; the counts
// must be the same (docs/devices.md, "Interrupts as QEMU's virt delivers them").
#include "retrace/machine/machine.hpp"

#include "guests.hpp"
#include "subprocess.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <optional>
#include <regex>

namespace {

struct Case {
  const char* fixture;
  unsigned harts;
  unsigned expected; ///< UART interrupts hart 0 takes, on QEMU and on retrace
  bool icount;       ///< QEMU with -icount shift=0 (otherwise its clock is the host's)
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.fixture << " x" << c.harts << (c.icount ? " icount" : "");
}

std::optional<unsigned> irq_count(const std::string& out) {
  std::smatch m;
  static const std::regex re("uart irqs: ([0-9]+)");
  if (!std::regex_search(out, m, re)) return std::nullopt;
  return static_cast<unsigned>(std::stoul(m[1]));
}

class QemuIrq : public ::testing::TestWithParam<Case> {};

TEST_P(QemuIrq, SameUartInterruptCountAsQemu) {
  const auto& c = GetParam();
  const auto& g = retrace::test::guest_fixture(c.fixture);
  ASSERT_TRUE(retrace::test::have_program("qemu-system-riscv64"))
      << "qemu-system-riscv64 missing: run cmake/setup-deps.sh";
  std::vector<std::string> argv = {"qemu-system-riscv64",
                                   "-M",
                                   "virt",
                                   "-smp",
                                   std::to_string(c.harts),
                                   "-bios",
                                   "none",
                                   "-kernel",
                                   g.elf,
                                   "-nographic",
                                   "-monitor",
                                   "none",
                                   "-serial",
                                   "stdio"};
  if (c.icount) argv.insert(argv.end(), {"-icount", "shift=0"});
  const auto q = retrace::test::run_process(argv, g.input, std::chrono::seconds(60));
  ASSERT_FALSE(q.timed_out) << "QEMU did not finish; output so far:\n" << q.out;
  ASSERT_EQ(q.exit_status, 0) << q.out << q.err;
  const auto on_qemu = irq_count(q.out);
  ASSERT_TRUE(on_qemu) << q.out;

  retrace::MachineSpec spec;
  spec.kernel = g.elf;
  spec.harts = c.harts;
  retrace::Machine m(spec);
  if (*g.input) m.schedule(0, {retrace::InputEvent::uart_rx, g.input});
  const auto r = m.run(500'000'000);
  ASSERT_EQ(r.reason, retrace::StopReason::exited) << "stopped at icount " << r.icount << ":\n"
                                                   << m.uart().output();
  const auto on_retrace = irq_count(m.uart().output());
  ASSERT_TRUE(on_retrace) << m.uart().output();

  RecordProperty("qemu_irqs", static_cast<int>(*on_qemu));
  RecordProperty("retrace_irqs", static_cast<int>(*on_retrace));
  EXPECT_EQ(*on_retrace, *on_qemu) << "QEMU:\n" << q.out << "\nretrace:\n" << m.uart().output();
  EXPECT_EQ(*on_qemu, c.expected) << q.out;
  EXPECT_EQ(m.uart().output(), q.out); // the rest of the output too (bytes received, dots sent)
}

const Case cases[] = {
    {"uart-thre-storm", 1, 1, false},  {"uart-thre-storm", 3, 1, false},  {"uart-thre-storm", 1, 1, true},
    {"uart-thr-writes", 1, 6, false},  {"uart-thr-writes", 3, 6, false},  {"uart-thr-writes", 1, 6, true},
    {"uart-rx-irqs", 1, 8, false},     {"uart-rx-irqs", 3, 8, false},     {"uart-rx-irqs", 1, 8, true},
    {"uart-late-enable", 1, 1, false}, {"uart-late-enable", 3, 1, false}, {"uart-late-enable", 1, 1, true},
};

INSTANTIATE_TEST_SUITE_P(Fixtures, QemuIrq, ::testing::ValuesIn(cases), [](const auto& p) {
  return fmt::format("{}_{}harts{}", retrace::test::test_name(p.param.fixture), p.param.harts,
                     p.param.icount ? "_icount" : "");
});

} // namespace
