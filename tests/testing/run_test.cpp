// Tests for include/retrace/testing/run.hpp, scenario.hpp and seed.hpp.
#include "retrace/error.hpp"
#include "retrace/testing/matchers.hpp"
#include "retrace/testing/probe.hpp"
#include "retrace/testing/run.hpp"
#include "retrace/testing/seed.hpp"

#include "guests.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace retrace;
using ::testing::HasSubstr;

TEST(Rng, NamedStreamsAreIndependentAndRepeatable) {
  auto a = Rng::derive(7, "input-jitter"), b = Rng::derive(7, "input-jitter"), c = Rng::derive(7, "chaos"),
       d = Rng::derive(8, "input-jitter");
  const auto x = a.next();
  EXPECT_EQ(x, b.next());
  EXPECT_NE(x, c.next());
  EXPECT_NE(x, d.next());
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.below(10), 10u);
  EXPECT_EQ(a.below(0), 0u);
}

TEST(ScenarioRun, BudgetIsAlwaysFinite) {
  Scenario s;
  s.kernel(test::guest_fixture("uart-echo").elf).budget(100'000); // waits for input forever
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_EQ(o.reason, StopReason::limit);
  EXPECT_TRUE(o.budget_exhausted);
  EXPECT_EQ(o.icount, 100'000u);
  EXPECT_THAT(o.describe(), HasSubstr("ran out of its instruction budget at icount 100000 (seed 1)"));
}

TEST(ScenarioRun, RunForAdvancesExactly) {
  Scenario s;
  s.kernel(test::guest_fixture("hello").elf);
  ScenarioRun run(s, 1);
  EXPECT_EQ(run.run_for(100).icount, 100u);
  EXPECT_EQ(run.run_for(50).icount, 150u);
  EXPECT_THAT(run.run(), Passed());
}

TEST(ScenarioRun, InvariantViolationStopsTheRun) {
  Scenario s;
  s.kernel(test::guest_fixture("timer-ticks").elf).check_every(1000).invariant("fewer than 3 ticks", [](const Machine& m) {
    // the guest's tick counter, by symbol
    return m.read<std::uint32_t>(m.symbol_address("ticks")) < 3;
  });
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, BrokeInvariant("fewer than 3 ticks"));
  EXPECT_FALSE(o.passed());
  // the third tick is due at icount 300000; checks every 1000 instructions see it soon after
  EXPECT_GE(o.invariant_icount, 300'000u);
  EXPECT_LE(o.invariant_icount, 302'000u);
}

TEST(ScenarioRun, DeclarativeInvariantOnASymbol) {
  Scenario s;
  s.kernel(test::guest_fixture("timer-ticks").elf).check_every(500).invariant(u32_at("ticks") <= 4);
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, BrokeInvariant("u32[ticks] <= 4"));
  EXPECT_GE(o.invariant_icount, 500'000u); // tick 5 is due at icount 500000
  EXPECT_LE(o.invariant_icount, 501'000u);
  EXPECT_EQ((u32_at("ticks") == 5).description, "u32[ticks] == 5");
  EXPECT_EQ((u64_at(0x80001000) != 0).description, "u64[0x80001000] != 0");
  EXPECT_TRUE((u32_at("ticks") >= 5).holds(run.machine()));
}

TEST(ScenarioRun, TrapLoopIsDetected) {
  // An illegal instruction with mtvec still 0 after reset: the trap goes to address 0, where
  // nothing is mapped, so every step takes the same fetch fault there.
  const std::string path = ::testing::TempDir() + "/trap-loop.bin";
  {
    const std::uint32_t word = 0xffffffff;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(&word), 4);
  }
  Scenario s;
  s.kernel(path).trap_loop_threshold(50);
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, StoppedBy(StopReason::trap_loop));
  EXPECT_THAT(o, TookTrap(Cause::kIllegalInstruction));
  EXPECT_THAT(o, TookTrap(Cause::kInstructionAccessFault));
  EXPECT_LT(o.icount, 100u);
  EXPECT_THAT(o.describe(), HasSubstr("looped on a trap"));
}

TEST(ScenarioRun, HangWithNothingPendingIsReported) {
  // The interrupt-driven echo sleeps in WFI for input that never comes.
  Scenario idle;
  idle.kernel(test::guest_fixture("uart-echo-irq").elf).budget(5'000'000);
  ScenarioRun waiting(idle, 1);
  EXPECT_THAT(waiting.run(), StoppedBy(StopReason::idle));
}

TEST(ScenarioRun, SameSeedSameRunDifferentSeedDifferentTiming) {
  Scenario s;
  s.kernel(test::guest_fixture("uart-echo").elf).jitter(5000).send(1000, "a").send(20'000, "\r").send(40'000, "quit\r");
  auto once = [&](std::uint64_t seed) {
    ScenarioRun r(s, seed);
    return r.run();
  };
  const auto a = once(3), b = once(3), c = once(4);
  EXPECT_EQ(a.icount, b.icount);
  EXPECT_EQ(a.uart, b.uart);
  EXPECT_EQ(a.uart, c.uart);       // the echo does not depend on timing...
  EXPECT_NE(a.icount, c.icount);   // ...but when it finishes does
}

TEST(ScenarioRun, InputAtVirtualTime) {
  Scenario s;
  s.kernel(test::guest_fixture("uart-echo").elf).ns_per_insn(2).send_at_ns(100'000, "quit\r");
  ScenarioRun run(s, 1);
  const auto o = run.run();
  EXPECT_THAT(o, Passed());
  EXPECT_GT(o.icount, 50'000u); // 100 us at 2 ns per instruction
}

TEST(GuestPath, FindsFixturesByNameAndExplainsFailure) {
  EXPECT_EQ(guest_path(test::guest_fixture("hello").elf), test::guest_fixture("hello").elf);
  try {
    (void)guest_path("no-such-guest");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no guest called 'no-such-guest'"));
  }
}

} // namespace
