// Differential register trace against QEMU: single-step a guest through QEMU's gdbstub
// (gdb-multiarch driving `qemu-system-riscv64 -icount shift=0 -gdb stdio -S`) and through
// retrace, and compare pc and all 31 integer registers before every instruction.
#include "retrace/isa/disasm.hpp"
#include "retrace/machine/machine.hpp"

#include "guests.hpp"
#include "subprocess.hpp"

#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace {

struct Row {
  std::uint64_t pc = 0;
  std::array<std::uint64_t, 32> x{};
  bool operator==(const Row&) const = default;
};

std::vector<Row> qemu_trace(const std::string& elf, int steps) {
  const std::string script = ::testing::TempDir() + "/trace.py";
  std::ofstream(script) << "import gdb\n"
                           "out = []\n"
                           "for i in range(" << steps << "):\n"
                           "    f = gdb.selected_frame()\n"
                           "    vals = [int(f.read_register('pc')) & 0xffffffffffffffff]\n"
                           "    for r in range(1, 32):\n"
                           "        vals.append(int(f.read_register('x%d' % r)) & 0xffffffffffffffff)\n"
                           "    out.append(' '.join('%x' % v for v in vals))\n"
                           "    try:\n"
                           "        gdb.execute('stepi', to_string=True)\n"
                           "    except gdb.error:\n"
                           "        break  # the guest finished and QEMU exited\n"
                           "print('TRACE-BEGIN')\n"
                           "print('\\n'.join(out))\n"
                           "print('TRACE-END')\n";
  const std::string qemu = "qemu-system-riscv64 -M virt -bios none -kernel " + elf +
                           " -nographic -monitor none -serial none -icount shift=0 -gdb stdio -S";
  const auto r = retrace::test::run_process({"gdb-multiarch", "-batch", "-nx", "-ex", "set pagination off", "-ex",
                                             "set architecture riscv:rv64", "-ex", "target remote | " + qemu, "-x",
                                             script},
                                            {}, std::chrono::seconds(240));
  EXPECT_FALSE(r.timed_out);
  std::vector<Row> rows;
  std::istringstream in(r.out);
  std::string line;
  bool on = false;
  while (std::getline(in, line)) {
    if (line == "TRACE-BEGIN") on = true;
    else if (line == "TRACE-END") break;
    else if (on) {
      std::istringstream ls(line);
      Row row;
      ls >> std::hex >> row.pc;
      for (int k = 1; k < 32; ++k) ls >> std::hex >> row.x[static_cast<std::size_t>(k)];
      rows.push_back(row);
    }
  }
  EXPECT_GT(rows.size(), 100u) << r.out.substr(0, 2000) << r.err.substr(0, 2000);
  return rows;
}

std::vector<Row> retrace_trace(const std::string& elf, int steps) {
  retrace::MachineSpec spec;
  spec.kernel = elf;
  retrace::Machine m(spec);
  std::vector<Row> rows;
  auto snap = [&] {
    Row row;
    row.pc = m.hart(0).state().pc;
    row.x = m.hart(0).state().x;
    rows.push_back(row);
  };
  for (int i = 0; i < steps; ++i) {
    snap();
    m.run(m.icount() + 1);
  }
  return rows;
}

class QemuTrace : public ::testing::TestWithParam<std::string> {};

TEST_P(QemuTrace, RegistersMatchBeforeEveryInstruction) {
  ASSERT_TRUE(retrace::test::have_program("gdb-multiarch"));
  constexpr int steps = 3000;
  const auto& g = retrace::test::guest_fixture(GetParam());
  const auto q = qemu_trace(g.elf, steps);
  const auto r = retrace_trace(g.elf, static_cast<int>(q.size()));
  ASSERT_EQ(q.size(), r.size());
  RecordProperty("instructions_compared", static_cast<int>(q.size()));
  for (std::size_t i = 0; i < q.size(); ++i) {
    if (q[i] == r[i]) continue;
    std::string diff;
    if (q[i].pc != r[i].pc) diff += fmt::format(" pc qemu={:#x} retrace={:#x}", q[i].pc, r[i].pc);
    for (unsigned k = 1; k < 32; ++k)
      if (q[i].x[k] != r[i].x[k])
        diff += fmt::format(" {} qemu={:#x} retrace={:#x}", retrace::isa::xreg_name(k), q[i].x[k], r[i].x[k]);
    FAIL() << "first difference before instruction " << i << " (pc " << std::hex << r[i].pc << "):" << diff;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, QemuTrace, ::testing::Values("hello", "priv-vm", "priv-pmp", "bench-cpu"),
                         [](const auto& p) { return retrace::test::test_name(p.param); });

} // namespace
