// Multi-hart machines (include/retrace/machine/machine.hpp, docs/scheduling.md): LR/SC
// reservations across harts, the scheduler's decisions (round-robin, chaos within the spec's
// bounds), and replays that follow the recorded schedule rather than the scheduler.
#include "retrace/error.hpp"
#include "retrace/machine/machine.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/replay.hpp"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>

namespace {

using namespace retrace;
using ::testing::HasSubstr;

MachineSpec two_harts(const char* guest) {
  MachineSpec s;
  s.kernel = std::string(RETRACE_GUEST_DIR "/") + guest + ".elf";
  s.harts = 2;
  return s;
}

std::string output_of(MachineSpec spec) {
  Machine m(spec);
  m.run(10'000'000);
  return m.uart().output();
}

TEST(Smp, AnotherHartsStoreBreaksAReservation) {
  EXPECT_EQ(output_of(two_harts("smp-reservation")), "sc failed\n");
  EXPECT_EQ(output_of(two_harts("smp-reservation-other")), "sc succeeded\n"); // another doubleword
}

TEST(Smp, RoundRobinAlternatesAndChaosStaysWithinItsBounds) {
  auto decisions = [](MachineSpec spec) {
    Machine m(spec);
    std::vector<ScheduleDecision> d;
    m.on_schedule([&](const ScheduleDecision& x) { d.push_back(x); });
    m.run(3'000'000);
    return d;
  };
  auto spec = two_harts("smp-amo");
  spec.quantum = 500;
  const auto rr = decisions(spec);
  ASSERT_GT(rr.size(), 10u);
  EXPECT_EQ(rr[0].hart, 0u);
  for (std::size_t k = 0; k < 10; ++k) {
    EXPECT_EQ(rr[k].quantum, 500u);
    EXPECT_EQ(rr[k].hart, k % 2); // both run: they alternate
  }
  spec.chaos_min_quantum = 100;
  spec.chaos_max_quantum = 900;
  spec.seed = 5;
  const auto chaos = decisions(spec);
  std::set<std::uint64_t> lengths;
  for (const auto& d : chaos) {
    EXPECT_GE(d.quantum, 100u);
    EXPECT_LE(d.quantum, 900u);
    lengths.insert(d.quantum);
  }
  EXPECT_GT(lengths.size(), 50u);
  EXPECT_EQ(chaos, decisions(spec)); // the seed decides, the same way every time
  spec.seed = 6;
  EXPECT_NE(chaos, decisions(spec));
  spec.chaos_order = true;
  const auto ordered = decisions(spec);
  std::size_t repeats = 0;
  for (std::size_t k = 1; k < ordered.size(); ++k) repeats += ordered[k].hart == ordered[k - 1].hart;
  EXPECT_GT(repeats, 0u); // a drawn order runs a hart twice in a row sometimes
}

TEST(Smp, BadChaosBoundsAreRefused) {
  auto spec = two_harts("smp-amo");
  spec.chaos_min_quantum = 0;
  spec.chaos_max_quantum = 10;
  EXPECT_THROW(Machine{spec}, Error);
  spec.chaos_min_quantum = 20;
  EXPECT_THROW(Machine{spec}, Error);
}

// Turns of 37 instructions end inside most blocks: the fast engines run the first instructions
// of a block as a block of their own there (Hart::BlockCache::tail), and must end every turn on
// the same instruction as the reference interpreter.
TEST(Smp, TurnsThatEndInsideBlocksGiveTheSameRunOnEveryEngine) {
  auto spec = two_harts("smp-race");
  spec.harts = 3;
  spec.quantum = 37;
  std::vector<std::vector<std::uint64_t>> digests;
  std::vector<std::string> outputs;
  for (auto e : {Machine::Engine::reference, Machine::Engine::blocks, Machine::Engine::jit}) {
    Machine m(spec);
    m.set_engine(e);
    std::vector<std::uint64_t> at;
    for (std::uint64_t stop = 100'003; stop < 2'000'000; stop += 100'003) {
      m.run(stop);
      at.push_back(state_digest(m));
    }
    EXPECT_EQ(at.size(), 19u);
    digests.push_back(std::move(at));
    outputs.push_back(m.uart().output());
  }
  EXPECT_EQ(digests[1], digests[0]);
  EXPECT_EQ(digests[2], digests[0]);
  EXPECT_EQ(outputs[1], outputs[0]);
  EXPECT_EQ(outputs[2], outputs[0]);
  EXPECT_FALSE(outputs[0].empty());
}

// Without chaos a turn is a function of the machine's state, so the log records none: a 3-hart
// log is as small as a 1-hart one, and the replay's scheduler recomputes every turn. The
// digests cover the schedule, so a replay whose scheduler decides otherwise (here: the header
// claims another quantum) diverges at the first digest after the first different turn.
TEST(Smp, WithoutChaosALogRecordsNoTurnsAndTheReplayRecomputesThem) {
  const std::string path = ::testing::TempDir() + "/smp-no-chaos.rlog";
  auto spec = two_harts("smp-race");
  spec.harts = 3;
  std::uint64_t turns = 0;
  {
    Machine m(spec);
    Recorder rec(m, path, {"smp", 0, 5'000});
    m.on_schedule([&](const ScheduleDecision&) { ++turns; }); // the recorder does not listen
    rec.finish(rec.run(5'000'000)); // the guest exits after about 480,000
  }
  EXPECT_GT(turns, 300u);
  auto log = LogReader::read(path);
  ASSERT_FALSE(log.error());
  EXPECT_EQ(std::count_if(log.records().begin(), log.records().end(),
                          [](const LogRecord& r) { return r.kind == LogRecord::schedule; }),
            0);
  {
    Replayer r(log);
    const auto res = r.run();
    EXPECT_TRUE(res.matches_recording());
    EXPECT_GE(res.digests_checked, 90u);
  }
  const std::string other = ::testing::TempDir() + "/smp-no-chaos-other.rlog";
  {
    LogHeader h = log.header();
    h.spec.quantum = 999;
    LogWriter w(other, h);
    for (const auto& r : log.records()) {
      if (r.kind == LogRecord::digest) w.digest(r.icount, r.digest_value);
      else if (r.kind == LogRecord::end) w.end(r.icount, r.reason, r.status);
    }
  }
  const auto l2 = LogReader::read(other);
  Replayer r2(l2);
  const auto res2 = r2.run();
  EXPECT_TRUE(res2.diverged);
  EXPECT_LE(res2.diverged_by, 5'000u); // the first digest after hart 0's first turn
}

// A chaos log holds every decision, and a replay follows them: replacing the spec's chaos bounds
// in the header (as a changed scheduler would) does not change the replay.
TEST(Smp, ReplayFollowsTheRecordedScheduleNotTheScheduler) {
  const std::string path = ::testing::TempDir() + "/smp-schedule.rlog";
  auto spec = two_harts("smp-race");
  spec.chaos_min_quantum = 2000;
  spec.chaos_max_quantum = 20'000;
  spec.seed = 2;
  {
    Machine m(spec);
    Recorder rec(m, path, {"smp", 2, 50'000});
    rec.finish(rec.run(5'000'000));
  }
  auto log = LogReader::read(path);
  ASSERT_FALSE(log.error());
  {
    Replayer r(log);
    const auto res = r.run();
    EXPECT_TRUE(res.matches_recording());
    EXPECT_GT(res.digests_checked, 5u);
    EXPECT_THAT(r.machine().uart().output(), HasSubstr("FAIL: counter")); // seed 2 loses an update
  }
  // Rewrite the log: the header claims other chaos bounds (as if the scheduler had changed),
  // and, in a second copy, one decision runs a hart 1 instruction longer.
  auto rewrite = [&](const std::string& out, std::uint64_t min_q, std::uint64_t max_q, bool nudge) {
    LogHeader h = log.header();
    h.spec.chaos_min_quantum = min_q;
    h.spec.chaos_max_quantum = max_q;
    LogWriter w(out, h);
    bool nudged = false;
    for (const auto& r : log.records()) {
      if (r.kind == LogRecord::input) w.input(r.icount, r.event);
      else if (r.kind == LogRecord::digest) w.digest(r.icount, r.digest_value);
      else if (r.kind == LogRecord::schedule) {
        auto d = r.decision;
        if (nudge && !nudged && d.icount > 100'000) {
          ++d.quantum;
          nudged = true;
        }
        w.schedule(d);
      } else w.end(r.icount, r.reason, r.status);
    }
  };
  const std::string other = ::testing::TempDir() + "/smp-schedule-other.rlog";
  rewrite(other, 1, 3, false);
  const auto l2 = LogReader::read(other);
  Replayer r2(l2);
  EXPECT_TRUE(r2.run().matches_recording());
  EXPECT_FALSE(r2.machine().schedule_divergence().has_value());
  const std::string nudged = ::testing::TempDir() + "/smp-schedule-nudged.rlog";
  rewrite(nudged, 2000, 20'000, true);
  const auto l3 = LogReader::read(nudged);
  Replayer r3(l3);
  const auto res3 = r3.run();
  EXPECT_TRUE(res3.diverged); // a different interleaving is a different run
  EXPECT_GT(res3.diverged_by, 100'000u);
}

} // namespace
