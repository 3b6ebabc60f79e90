// Virtual time shared by the harts that can run (include/retrace/machine/virtual_clock.hpp):
// exact arithmetic at every share, deadlines as the least icount that reaches them, and a
// machine whose harts each run at the spec's speed (docs/scheduling.md).
#include "retrace/machine/virtual_clock.hpp"

#include "retrace/machine/machine.hpp"
#include "retrace/replay/snapshot.hpp"

#include <gtest/gtest.h>

namespace {

using retrace::VirtualClock;

TEST(VirtualClock, OneHartIsIcountTimesNsPerInsn) {
  std::uint64_t icount = 0;
  VirtualClock c(icount, 3);
  icount = 1'000'000;
  EXPECT_EQ(c.ns(), 3'000'000u);
  EXPECT_EQ(c.icount_at(3'000'001), 1'000'001u); // the instruction that reaches it
  EXPECT_EQ(c.icount_at(10), icount);             // a time already passed is due now
  EXPECT_EQ(c.icount_at(VirtualClock::never), VirtualClock::never);
}

TEST(VirtualClock, SharedTimeIsExactAtEveryShareAndKeepsTheTimeAtTheChange) {
  std::uint64_t icount = 0;
  VirtualClock c(icount, 1);
  for (unsigned k = 1; k <= 8; ++k) {
    c.share(k);
    const std::uint64_t t = c.ns(), at = icount;
    EXPECT_EQ(c.icount_at(t + 1), at + k) << k; // k harts' instructions make one ns
    icount += 840;
    EXPECT_EQ(c.ns(), t + 840 / k) << k; // 840 instructions of k harts: 840/k ns, no rounding
  }
  // Fractions carry over a change of share: 1 instruction at share 3 is a third of a ns.
  c.share(3);
  const std::uint64_t t = c.ns();
  icount += 1;
  c.share(1);
  EXPECT_EQ(c.ns(), t); // a third of a ns is kept, not rounded up
  c.share(3);
  icount += 2; // two more thirds: a whole ns
  EXPECT_EQ(c.ns(), t + 1);
  c.share(0); // clamped
  EXPECT_EQ(c.sharing(), 1u);
  c.share(99);
  EXPECT_EQ(c.sharing(), 8u);
}

TEST(VirtualClock, ADamagedStateCannotDivideByZero) {
  std::uint64_t icount = 100;
  VirtualClock c(icount, 1);
  c.set_state({0, 0, 5000, 0});
  EXPECT_EQ(c.sharing(), 1u);
  EXPECT_EQ(c.ns(), 100u); // 800/840 ns of carry, and 100 instructions at share 1
}

// Two harts spinning on a lock never wait: they share time, so the machine executes two
// instructions per virtual ns and each hart runs at one per ns, as on QEMU and hardware.
TEST(VirtualClock, TwoHartsThatNeverWaitEachRunAtTheSpecsSpeed) {
  retrace::MachineSpec s;
  s.kernel = RETRACE_GUEST_DIR "/smp-amo.elf";
  s.harts = 2;
  retrace::Machine m(s);
  std::uint64_t turns[2] = {0, 0};
  m.on_schedule([&](const retrace::ScheduleDecision& d) { ++turns[d.hart]; });
  m.run(400'000); // both still count (the guest exits after about 480,000)
  ASSERT_EQ(m.icount(), 400'000u);
  EXPECT_GT(turns[1], 150u); // both harts took turns throughout
  EXPECT_NEAR(static_cast<double>(m.clock().ns()), 200'000.0, 10'000.0);
  EXPECT_EQ(m.clock().sharing(), 2u);
  EXPECT_EQ(m.clint().mtime(), m.clock().ns() / 100);
  // One hart alone: one instruction per ns.
  s.harts = 1;
  retrace::Machine one(s);
  one.run(400'000);
  EXPECT_EQ(one.clock().ns(), 400'000u);
}

TEST(VirtualClock, ASnapshotKeepsTheShareAndARestoredRunGoesOnAlike) {
  retrace::MachineSpec s;
  s.kernel = RETRACE_GUEST_DIR "/smp-amo.elf";
  s.harts = 2;
  retrace::Machine a(s);
  a.run(300'123);
  const auto snap = a.snapshot();
  EXPECT_EQ(snap.clock, a.clock().state());
  const std::string path = ::testing::TempDir() + "/clock.snap";
  retrace::save_snapshot(snap, path);
  retrace::Machine b(s);
  b.restore(retrace::load_snapshot(path));
  a.run(900'000);
  b.run(900'000);
  EXPECT_EQ(a.clock().state(), b.clock().state());
  EXPECT_EQ(a.clint().mtime(), b.clint().mtime());
  EXPECT_EQ(a.uart().output(), b.uart().output());
}

} // namespace
