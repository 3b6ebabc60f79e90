// Damaged logs and hostile specs (docs/reliability.md): every truncation of a recorded log, and
// ten thousand random byte flips, end in a clear error or in a replay of the valid prefix;
// never a crash, under ASan and UBSan too (the dev preset). A log that claims an absurd machine
// is refused before anything is allocated for it.
#include "retrace/detail/parallel.hpp"
#include "retrace/error.hpp"
#include "retrace/replay/log.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/lockstep.hpp"
#include "retrace/replay/replay.hpp"

#include "files.hpp"
#include "guests.hpp"
#include "random_stream.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iterator>
#include <random>
#include <map>
#include <set>

namespace {

using namespace retrace;
using ::testing::HasSubstr;

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }
using test::bytes_of;
using test::write_bytes;

// The sample: the echo guest with two inputs, a digest every 500 instructions (so many
// chunks), to its exit.
std::string sample_log() {
  // one file per test: ctest runs these tests in parallel, in the same temp directory
  const std::string path = temp(std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-sample.rlog");
  MachineSpec spec;
  spec.kernel = test::guest_fixture("uart-echo").elf;
  Machine m(spec);
  m.schedule(300, {InputEvent::uart_rx, "hello\r"});
  m.schedule(2500, {InputEvent::uart_rx, "quit\r"});
  Recorder rec(m, path, {"sample", 0, 500});
  const auto r = rec.run(10'000'000);
  rec.finish(r);
  EXPECT_EQ(r.reason, StopReason::exited);
  return path;
}

// What happened to one damaged log.
struct Outcome {
  int refused = 0;      // the reader or the replayer said no, with a retrace::Error
  int prefix = 0;       // a valid prefix was read and replayed without divergence
  int diverged = 0;     // the replay caught a difference (a digest or the schedule)
  int whole = 0;        // read and replayed to the recorded end as recorded
};

void replay_damaged(const std::string& path, Outcome& o, std::uint64_t full_end) {
  try {
    const auto log = LogReader::read(path);
    Replayer replay(log);
    const auto r = replay.run();
    EXPECT_LE(r.result.icount, full_end) << "a damaged log replayed past the recording's end";
    if (r.diverged) ++o.diverged;
    else if (r.matches_recording()) ++o.whole;
    else ++o.prefix;
  } catch (const Error& e) {
    ++o.refused;
    EXPECT_FALSE(std::string(e.what()).empty());
  }
}

// The second sample: two harts racing on a counter under schedule chaos, 200000 instructions:
// thousands of schedule records in many chunks.
std::string smp_log() {
  const std::string path = temp("smp.rlog");
  MachineSpec spec;
  spec.kernel = RETRACE_GUEST_DIR "/smp-race.elf";
  spec.harts = 2;
  spec.chaos_min_quantum = 1;
  spec.chaos_max_quantum = 200;
  spec.seed = 7;
  Machine m(spec);
  Recorder rec(m, path, {"smp sample", 7, 5'000});
  rec.finish(rec.run(200'000));
  return path;
}

// One seed of the racing counter recorded to `path` (two harts, chaos drawn from the seed).
RunResult record_smp(std::uint64_t seed, const std::string& path, std::uint64_t budget) {
  MachineSpec spec;
  spec.kernel = RETRACE_GUEST_DIR "/smp-race.elf";
  spec.harts = 2;
  spec.chaos_min_quantum = 1;
  spec.chaos_max_quantum = 500;
  spec.chaos_order = true;
  spec.seed = seed;
  Machine m(spec);
  Recorder rec(m, path, {"determinism", seed, 10'000});
  const auto r = rec.run(budget);
  rec.finish(r);
  return r;
}

// Cuts every `step` bytes: each is refused (a cut inside the header) or replays, digest for
// digest, as far as it goes; once a cut reads, every longer one reads too.
void sweep_truncations(const std::string& sample, std::size_t step, const char* name) {
  const std::string full = bytes_of(sample);
  const std::uint64_t full_end = LogReader::read(sample).end()->icount;
  const std::string path = temp("cut.rlog");
  Outcome o;
  std::size_t first_read = full.size();
  for (std::size_t len = 0; len < full.size(); len += step) {
    write_bytes(path, full.substr(0, len));
    Outcome one;
    replay_damaged(path, one, full_end);
    EXPECT_EQ(one.diverged, 0) << name << ": a cut at " << len << " replayed differently from the recording";
    if (one.refused == 0) first_read = std::min(first_read, len);
    EXPECT_FALSE(one.refused && len > first_read) << name << ": a cut at " << len << " was refused, a shorter one read";
    o.refused += one.refused;
    o.prefix += one.prefix;
  }
  ::testing::Test::RecordProperty(std::string(name) + "_bytes", std::to_string(full.size()));
  ::testing::Test::RecordProperty(std::string(name) + "_refused", std::to_string(o.refused));
  ::testing::Test::RecordProperty(std::string(name) + "_prefix_replays", std::to_string(o.prefix));
  EXPECT_GT(o.refused, 0);
  EXPECT_GT(o.prefix, 0);
}

TEST(Reliability, EveryTruncationOfALogIsAnErrorOrReplaysItsValidPrefix) {
  sweep_truncations(sample_log(), 1, "echo");
  sweep_truncations(smp_log(), 1, "smp");
}

TEST(Reliability, TenThousandRandomByteFlipsAreErrorsOrCaughtNeverCrashes) {
  const std::string sample = sample_log();
  const std::string full = bytes_of(sample);
  const std::uint64_t full_end = LogReader::read(sample).end()->icount;
  const std::string path = temp("flipped.rlog");
  std::mt19937_64 rng(10'000);
  Outcome o;
  for (int k = 0; k < 10'000; ++k) {
    std::string b = full;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const std::size_t at = rng() % b.size();
      b[at] = static_cast<char>(b[at] ^ (1 + rng() % 255));
    }
    write_bytes(path, b);
    replay_damaged(path, o, full_end);
  }
  RecordProperty("refused", std::to_string(o.refused));
  RecordProperty("prefix_replays", std::to_string(o.prefix));
  RecordProperty("diverged", std::to_string(o.diverged));
  RecordProperty("unharmed", std::to_string(o.whole));
  EXPECT_EQ(o.refused + o.prefix + o.diverged + o.whole, 10'000);
  EXPECT_GT(o.refused, 5'000); // checksums catch nearly every flip
}

TEST(Determinism, TheSameSeedTwiceGivesByteIdenticalLogs) {
  for (std::uint64_t seed : {1u, 2u, 77u}) {
    const std::string a = temp("twice-a.rlog"), b = temp("twice-b.rlog");
    record_smp(seed, a, 300'000);
    record_smp(seed, b, 300'000);
    const std::string ba = bytes_of(a), bb = bytes_of(b);
    EXPECT_GT(ba.size(), 1000u);
    EXPECT_TRUE(ba == bb) << "seed " << seed << ": " << ba.size() << " and " << bb.size() << " bytes differ";
  }
}

TEST(Determinism, AThousandSeedsRecordAndReplayIdenticallyWithOneAndTwoJobs) {
  // Each seed is recorded, then replayed; what is kept per seed is how the run ended and the
  // final whole-machine digest as the replay computed it. With one job and with two, the
  // results must be the same, seed for seed; and every replay must match its recording.
  constexpr std::size_t seeds = 1000;
  struct Result {
    RunResult end;
    std::uint64_t digest = 0;
    bool replayed = false;
    [[nodiscard]] bool same(const Result& o) const {
      return end.reason == o.end.reason && end.icount == o.end.icount && end.status == o.end.status &&
             digest == o.digest && replayed == o.replayed;
    }
  };
  auto sweep = [&](int jobs) {
    std::vector<Result> out(seeds);
    detail::parallel_for(static_cast<unsigned>(jobs), seeds, [&](std::size_t k) {
      const std::string path = temp("seed-" + std::to_string(jobs) + "-" + std::to_string(k) + ".rlog");
      out[k].end = record_smp(k, path, 60'000);
      const auto log = LogReader::read(path);
      Replayer replay(log);
      out[k].replayed = replay.run().matches_recording();
      out[k].digest = state_digest(replay.machine());
      std::remove(path.c_str());
    });
    return out;
  };
  const auto one = sweep(1), two = sweep(2);
  std::size_t replayed = 0, differ = 0;
  for (std::size_t k = 0; k < seeds; ++k) {
    replayed += one[k].replayed;
    differ += !one[k].same(two[k]);
    EXPECT_TRUE(one[k].same(two[k])) << "seed " << k;
  }
  EXPECT_EQ(replayed, seeds);
  EXPECT_EQ(differ, 0u);
  std::set<std::uint64_t> digests;
  for (const auto& r : one) digests.insert(r.digest);
  EXPECT_GT(digests.size(), seeds / 2) << "the seeds should lead to different runs";
  RecordProperty("distinct_final_states", std::to_string(digests.size()));
}

TEST(Reliability, HostileGuestsPokingRandomMmioNeverCrashHangOrDiverge) {
  // Streams of loads, stores, AMOs and FP accesses of every width at random offsets of every
  // device (UART, CLINT, PLIC, RTC, finisher, a virtio disk, a virtio rng, the empty virtio
  // slots, the ROM, and addresses with nothing), with random values, interrupts switched on
  // and off at random, and WFI: tests/support/random_stream.cpp, StreamMode::mmio. Each run
  // must end on its budget or with a reason, agree instruction for instruction between the
  // reference interpreter and each fast engine, and replay its recording.
  const std::string disk = temp("hostile-disk.img");
  {
    std::string bytes(64 << 10, '\0');
    for (std::size_t k = 0; k < bytes.size(); ++k) bytes[k] = static_cast<char>(k * 131 + (k >> 9));
    write_bytes(disk, bytes);
  }
  std::map<StopReason, int> ends;
  std::uint64_t total = 0;
  constexpr std::uint64_t budget = 400'000;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::string image = test::make_random_stream(seed, 16384, test::StreamMode::mmio);
    const auto make = [&] {
      MachineSpec spec;
      spec.kernel = image;
      spec.ram_size = 16 << 20;
      spec.drives = {DriveSpec(disk)};
      spec.drives[0].latency_ns = 20'000;
      spec.rng = true;
      spec.seed = seed;
      auto m = std::make_unique<Machine>(spec);
      m->set_trap_loop_threshold(0);
      return m;
    };
    for (const auto engine : {Machine::Engine::jit, Machine::Engine::blocks}) {
      LockstepOptions o;
      o.engine = engine;
      o.stop = budget;
      o.digest_every = 20'000;
      const auto r = lockstep(make, o);
      ASSERT_FALSE(r.difference) << Machine::engine_name(engine) << ": " << r.difference->describe();
      if (engine == Machine::Engine::jit) {
        ++ends[r.end.reason];
        total += r.icount;
      }
    }
    const std::string path = temp("hostile.rlog");
    {
      auto m = make();
      Recorder rec(*m, path, {"hostile", seed, 10'000});
      rec.finish(rec.run(budget));
    }
    const auto log = LogReader::read(path);
    ASSERT_FALSE(log.error()) << log.error()->what();
    Replayer replay(log);
    EXPECT_TRUE(replay.run().matches_recording());
  }
  for (const auto& [reason, n] : ends) RecordProperty(std::string("ended_") + to_string(reason), std::to_string(n));
  RecordProperty("instructions", std::to_string(total));
  EXPECT_GT(total, 40 * budget / 4) << "most runs should use much of their budget";
}

TEST(Reliability, ALogClaimingAHugeMachineIsRefusedBeforeAllocating) {
  // Checksums are right: the header says what it says. 2^62 bytes of RAM, 9 harts.
  for (auto [ram, harts] : {std::pair{std::uint64_t{1} << 62, 1u}, std::pair{std::uint64_t{128} << 20, 9u}}) {
    const std::string path = temp("huge.rlog");
    {
      LogHeader h;
      h.spec.kernel = test::guest_fixture("hello").elf;
      h.spec.ram_size = ram;
      h.spec.harts = harts;
      LogWriter w(path, h);
      w.end(100, StopReason::limit, 0);
    }
    const auto log = LogReader::read(path);
    try {
      Replayer replay(log);
      FAIL() << "a machine with " << ram << " bytes of RAM and " << harts << " harts was built";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::bad_spec) << e.what();
      EXPECT_THAT(e.what(), HasSubstr(harts > 8 ? "harts must be 1..8, not 9" : "RAM size must be"));
    }
  }
}

} // namespace
