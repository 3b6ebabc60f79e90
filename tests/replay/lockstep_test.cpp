// Tests for include/retrace/replay/lockstep.hpp: each fast engine (the block engine and the
// translator) agrees with the reference interpreter on every guest fixture, on ten million
// randomized instructions in M- and U-mode and eight million dense integer ones, and on recorded
// logs (which replay digest-identical with every engine); and lockstep reports the first
// instruction after which two machines differ.
#include "retrace/replay/digest.hpp"
#include "retrace/replay/lockstep.hpp"
#include "retrace/replay/log.hpp"
#include "retrace/replay/replay.hpp"

#include "guests.hpp"
#include "random_stream.hpp"
#include "subprocess.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using namespace retrace;
using test::GuestFixture;
using ::testing::HasSubstr;

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

std::unique_ptr<Machine> fixture_machine(const GuestFixture& g) {
  MachineSpec spec;
  spec.kernel = g.elf;
  auto m = std::make_unique<Machine>(spec);
  if (*g.input) m->schedule(0, {InputEvent::uart_rx, g.input});
  return m;
}
std::uint64_t fixture_budget(const GuestFixture& g) { return g.expect_exit < 0 ? 30'000'000 : 500'000'000; }

// Each fast engine against the reference interpreter.
constexpr Machine::Engine fast_engines[] = {Machine::Engine::blocks, Machine::Engine::jit};

class LockstepFixture : public ::testing::TestWithParam<std::tuple<GuestFixture, Machine::Engine>> {};

TEST_P(LockstepFixture, AgreesWithReference) {
  const auto& g = std::get<0>(GetParam());
  LockstepOptions o;
  o.engine = std::get<1>(GetParam());
  o.stop = fixture_budget(g);
  o.digest_every = 100'000;
  const auto r = lockstep([&] { return fixture_machine(g); }, o);
  ASSERT_FALSE(r.difference) << r.difference->describe();
  EXPECT_GT(r.icount, 0u);
  EXPECT_GT(r.digests, 0u);
  if (g.expect_exit >= 0) {
    EXPECT_EQ(r.end.reason, StopReason::exited);
    EXPECT_EQ(r.end.status, static_cast<std::uint32_t>(g.expect_exit));
  }
}

INSTANTIATE_TEST_SUITE_P(Guests, LockstepFixture,
                         ::testing::Combine(::testing::ValuesIn(test::guest_fixtures()), ::testing::ValuesIn(fast_engines)),
                         [](const auto& p) {
                           return test::test_name(std::get<0>(p.param).name) + "_" +
                                  Machine::engine_name(std::get<1>(p.param));
                         });

TEST(Lockstep, TenMillionRandomInstructionsInMachineAndUserMode) {
  // Random streams: every instruction kind with random operands, compressed words and garbage;
  // traps, self-modifying stores, FP with random rounding modes, CSR accesses (illegal ones
  // too), and in U-mode every fetch, load and store through the TLB and PMP.
  for (const auto engine : fast_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    std::uint64_t total = 0, traps = 0;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const auto mode = seed % 2 ? test::StreamMode::machine : test::StreamMode::user;
      const std::string image = test::make_random_stream(seed, 16384, mode);
      LockstepOptions o;
      o.engine = engine;
      o.stop = 1'000'000;
      o.digest_every = 50'000;
      const auto make = [&] {
        MachineSpec spec;
        spec.kernel = image;
        spec.ram_size = 16 << 20;
        auto m = std::make_unique<Machine>(spec);
        m->set_trap_loop_threshold(0); // keep going whatever the stream does
        return m;
      };
      const auto r = lockstep(make, o);
      ASSERT_FALSE(r.difference) << "seed " << seed << ": " << r.difference->describe();
      total += r.icount;
      // How many traps that was, and how much ran in U-mode: the streams must not be trivial.
      auto m = make();
      std::uint64_t in_user = 0;
      m->on_step([&](const Hart& h) { in_user += h.state().priv == Priv::u; });
      m->run(r.icount);
      traps += m->trap_count();
      if (mode == test::StreamMode::user) {
        EXPECT_GT(in_user, r.icount / 10) << "seed " << seed;
      }
    }
    EXPECT_GE(total, 10'000'000u);
    EXPECT_GT(traps, 10'000u);
    RecordProperty(std::string("instructions_") + Machine::engine_name(engine), std::to_string(total));
    RecordProperty(std::string("traps_") + Machine::engine_name(engine), std::to_string(traps));
  }
}

TEST(Lockstep, DenseIntegerStreamsAgreeWithReference) {
  // Streams made of what blocks hold (integer instructions, loads and stores into a data area
  // and sometimes into the stream, short forward branches and jumps, some FP), so most of each
  // run is translated or threaded code rather than step().
  for (const auto engine : fast_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    std::uint64_t total = 0;
    for (std::uint64_t seed = 101; seed <= 108; ++seed) {
      const std::string image = test::make_random_stream(seed, 16384, test::StreamMode::integer);
      LockstepOptions o;
      o.engine = engine;
      o.stop = 1'000'000;
      o.digest_every = 25'000;
      const auto r = lockstep(
          [&] {
            MachineSpec spec;
            spec.kernel = image;
            spec.ram_size = 16 << 20;
            auto m = std::make_unique<Machine>(spec);
            m->set_trap_loop_threshold(0);
            return m;
          },
          o);
      ASSERT_FALSE(r.difference) << "seed " << seed << ": " << r.difference->describe();
      total += r.icount;
    }
    EXPECT_GE(total, 8'000'000u);
  }
}

TEST(Lockstep, RandomStreamsOnARestrictedHartAgreeWithReference) {
  // A hart limited to RV64GC (Hart::set_extensions): the streams' bit-manipulation, Zicond and
  // Zfhmin instructions are illegal on every engine alike, also inside what blocks decode.
  for (const auto engine : fast_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    for (std::uint64_t seed : {201u, 202u}) {
      const std::string image =
          test::make_random_stream(seed, 16384, seed % 2 ? test::StreamMode::integer : test::StreamMode::machine);
      LockstepOptions o;
      o.engine = engine;
      o.stop = 500'000;
      o.digest_every = 25'000;
      const auto r = lockstep(
          [&] {
            MachineSpec spec;
            spec.kernel = image;
            spec.ram_size = 16 << 20;
            auto m = std::make_unique<Machine>(spec);
            m->set_trap_loop_threshold(0);
            m->hart(0).set_extensions(isa::ExtSet::rv64gc());
            return m;
          },
          o);
      ASSERT_FALSE(r.difference) << "seed " << seed << ": " << r.difference->describe();
      EXPECT_EQ(r.icount, 500'000u);
    }
  }
}

TEST(Lockstep, ReportsTheFirstInstructionAfterWhichTheMachinesDiffer) {
  // Two machines that are not the same: the second of each pair gets its input later, so the
  // echo guest's state departs where it first reads the UART differently. Lockstep must name
  // the same icount as stepping two reference machines side by side, one instruction at a time.
  const auto& g = test::guest_fixture("uart-echo");
  int calls = 0;
  const auto make = [&] {
    MachineSpec spec;
    spec.kernel = g.elf;
    auto m = std::make_unique<Machine>(spec);
    m->schedule(calls++ % 2 ? 3000 : 2000, {InputEvent::uart_rx, "hello\rquit\r"});
    return m;
  };
  LockstepOptions o;
  o.stop = 2'000'000;
  const auto r = lockstep(make, o);
  ASSERT_TRUE(r.difference);

  calls = 0;
  auto a = make(), b = make();
  std::uint64_t first = 0;
  for (std::uint64_t i = 1; i <= o.stop && !first; ++i) {
    a->run(i);
    b->run(i);
    if (!(a->hart(0).state() == b->hart(0).state()) || a->uart().output() != b->uart().output() ||
        state_digest(*a) != state_digest(*b))
      first = i;
  }
  ASSERT_NE(first, 0u);
  EXPECT_EQ(r.difference->icount, first) << r.difference->describe();
  EXPECT_EQ(r.icount, first - 1);
  EXPECT_THAT(r.difference->describe(), HasSubstr("after instruction " + std::to_string(first)));
}

TEST(Lockstep, LogsReplayDigestIdenticalWithEveryEngine) {
  constexpr Machine::Engine engines[] = {Machine::Engine::jit, Machine::Engine::blocks, Machine::Engine::reference};
  for (const auto& g : test::guest_fixtures()) {
    SCOPED_TRACE(g.name);
    for (auto rec_engine : engines) {
      const std::string path = temp(std::string(g.name) + "-engine.rlog");
      {
        auto m = fixture_machine(g);
        m->set_engine(rec_engine);
        Recorder rec(*m, path, {g.name, 0, 1'000});
        rec.finish(rec.run(g.expect_exit < 0 ? 3'000'000 : 500'000'000));
      }
      const auto log = LogReader::read(path);
      ASSERT_FALSE(log.error());
      for (auto replay_engine : engines) {
        Replayer replay(log);
        replay.machine().set_engine(replay_engine);
        const auto r = replay.run();
        EXPECT_TRUE(r.matches_recording()) << "recorded with " << Machine::engine_name(rec_engine)
                                           << ", replayed with " << Machine::engine_name(replay_engine) << ": diverged " << r.diverged
                                           << " between " << r.diverged_after << " and " << r.diverged_by;
        EXPECT_EQ(r.digests_checked, r.result.icount / 1'000);
      }
    }
  }
}

TEST(LockstepCli, AgreesOnALogAndSaysSo) {
  const std::string path = temp("lockstep-cli.rlog");
  const auto rec = test::run_process({RETRACE_CLI, "run", "-k", test::guest_fixture("uart-echo").elf, "--input",
                                      "500:hey\\rquit\\r", "--record", path});
  ASSERT_EQ(rec.exit_status, 0) << rec.err;
  const auto ls = test::run_process({RETRACE_CLI, "lockstep", path});
  EXPECT_EQ(ls.exit_status, 0) << ls.err;
  EXPECT_THAT(ls.err, HasSubstr("agree on all"));
  const auto ref = test::run_process({RETRACE_CLI, "replay", "--engine", "reference", path});
  EXPECT_EQ(ref.exit_status, 0) << ref.err;
  EXPECT_EQ(ref.out, rec.out);
  const auto blocks = test::run_process({RETRACE_CLI, "lockstep", "--engine", "blocks", path});
  EXPECT_EQ(blocks.exit_status, 0) << blocks.err;
  EXPECT_THAT(blocks.err, HasSubstr("the block engine and the reference interpreter agree on all"));
  const auto bad = test::run_process({RETRACE_CLI, "replay", "--engine", "tcg", path});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_THAT(bad.err, HasSubstr("--engine takes 'jit', 'blocks' or 'reference', not 'tcg'"));
}

} // namespace
