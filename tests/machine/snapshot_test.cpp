// Tests for Machine::snapshot/restore (machine.hpp), Ram's copy-on-write (mem/ram.hpp) and
// snapshots on disk (replay/snapshot.hpp).
#include "retrace/error.hpp"
#include "retrace/machine/machine.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/snapshot.hpp"

#include "guests.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>
#include <gtest/gtest.h>

namespace {

using namespace retrace;

MachineSpec spec_of(const char* fixture) {
  MachineSpec s;
  s.kernel = test::guest_fixture(fixture).elf;
  return s;
}

TEST(Snapshot, RestoreThenRunEqualsRunningStraightThrough) {
  Machine straight(spec_of("bench-cpu"));
  const auto end = straight.run(~0ull);
  const auto final_digest = state_digest(straight);

  Machine m(spec_of("bench-cpu"));
  m.run(5'000'000);
  const auto at5 = state_digest(m);
  const auto snap = m.snapshot();
  m.run(~0ull); // to the end: writes plenty of pages after the snapshot
  EXPECT_EQ(state_digest(m), final_digest);
  m.restore(snap);
  EXPECT_EQ(m.icount(), 5'000'000u);
  EXPECT_EQ(state_digest(m), at5); // the snapshot was not changed by the writes after it
  const auto again = m.run(~0ull);
  EXPECT_EQ(again.icount, end.icount);
  EXPECT_EQ(state_digest(m), final_digest);
  EXPECT_EQ(m.uart().output(), straight.uart().output());
}

// Taking snapshots changes nothing that follows: two harts under schedule chaos, racing on
// one counter (a plain store, an AMO spinlock, LR/SC), run straight and with a snapshot every
// few thousand instructions (all kept, so every page stays shared and is copied on its next
// write), on every engine, end in the same state. tests/cpu/priv_engine_test.cpp has the case
// that broke this: a TLB entry outliving its PTE until a snapshot dropped it.
TEST(Snapshot, TakingSnapshotsDoesNotChangeAMultiHartRun) {
  for (const char* guest : {"smp-race", "smp-amo", "smp-lrsc"}) {
    MachineSpec spec;
    spec.kernel = std::string(RETRACE_GUEST_DIR "/") + guest + ".elf";
    spec.harts = 2;
    spec.chaos_min_quantum = 200;
    spec.chaos_max_quantum = 3000;
    spec.seed = 3;
    for (auto engine : {Machine::Engine::reference, Machine::Engine::blocks, Machine::Engine::jit}) {
      SCOPED_TRACE(std::string(guest) + " on " + Machine::engine_name(engine));
      constexpr std::uint64_t limit = 3'000'000, kept_at_least = 10;
      Machine straight(spec);
      straight.set_engine(engine);
      const auto end = straight.run(limit);
      ASSERT_EQ(end.reason, StopReason::exited) << "the guest finishes well inside the limit";
      Machine m(spec);
      m.set_engine(engine);
      std::vector<MachineSnapshot> kept;
      RunResult r;
      for (std::uint64_t at = 7919; at < limit + 7919; at += 7919) {
        r = m.run(std::min(at, limit));
        if (r.reason == StopReason::exited) break;
        kept.push_back(m.snapshot());
      }
      EXPECT_EQ(r.reason, end.reason);
      EXPECT_GE(kept.size(), kept_at_least);
      EXPECT_EQ(m.icount(), straight.icount());
      EXPECT_EQ(m.uart().output(), straight.uart().output());
      EXPECT_EQ(state_digest(m), state_digest(straight));
    }
  }
}

TEST(Snapshot, OnlyDirtiedPagesAreCopied) {
  Machine m(spec_of("bench-cpu"));
  m.run(2'000'000);
  const std::size_t in_use = m.bus().ram().pages_in_use();
  const auto snap = m.snapshot();
  EXPECT_EQ(m.bus().ram().pages_shared(), in_use);
  m.run(2'100'000);
  const std::size_t still_shared = m.bus().ram().pages_shared();
  EXPECT_LT(still_shared, in_use);       // some pages were written and copied...
  EXPECT_GT(still_shared, in_use / 2);   // ...but most are still shared with the snapshot
  RecordProperty("pages_in_use", static_cast<int>(in_use));
  RecordProperty("pages_copied_in_100k_insns", static_cast<int>(in_use - still_shared));
}

TEST(Snapshot, PendingInputsAreRestored) {
  Machine m(spec_of("uart-echo"));
  m.schedule(50'000, {InputEvent::uart_rx, "abc\rquit\r"});
  m.run(10'000);
  const auto snap = m.snapshot();
  auto r = m.run(~0ull);
  ASSERT_EQ(r.reason, StopReason::exited);
  const std::string out = m.uart().output();
  m.restore(snap);
  EXPECT_EQ(m.pending_inputs().size(), 1u);
  r = m.run(~0ull);
  EXPECT_EQ(r.reason, StopReason::exited);
  EXPECT_EQ(m.uart().output(), out);
}

TEST(Snapshot, DiskRoundTripIntoAnotherMachine) {
  Machine m(spec_of("bench-cpu"));
  m.run(7'654'321);
  const std::string path = ::testing::TempDir() + "/snap.rsnap";
  save_snapshot(m.snapshot(), path);
  const auto d = state_digest(m);
  m.run(~0ull);
  const auto final_digest = state_digest(m);

  Machine other(spec_of("bench-cpu"));
  other.restore(load_snapshot(path));
  EXPECT_EQ(state_digest(other), d);
  other.run(~0ull);
  EXPECT_EQ(state_digest(other), final_digest);
}

TEST(Snapshot, DamagedFilesAreErrors) {
  const std::string path = ::testing::TempDir() + "/bad.rsnap";
  std::ofstream(path) << "RTRCSNAPgarbage";
  EXPECT_THROW((void)load_snapshot(path), Error);
  std::ofstream(path) << "nothing";
  EXPECT_THROW((void)load_snapshot(path), Error);
  EXPECT_THROW((void)load_snapshot("/nonexistent.rsnap"), Error);
  // every truncation of a real snapshot is an error, never a crash
  Machine m(spec_of("hello"));
  m.run(300);
  const std::string good = ::testing::TempDir() + "/good.rsnap";
  save_snapshot(m.snapshot(), good);
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::size_t len = 0; len < bytes.size(); len += 97) {
    std::ofstream(path, std::ios::binary) << bytes.substr(0, len);
    EXPECT_THROW((void)load_snapshot(path), Error) << len;
  }
}

} // namespace
