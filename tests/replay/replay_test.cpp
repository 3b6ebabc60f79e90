// Tests for include/retrace/replay/replay.hpp and digest.hpp: record, replay, divergence.
#include "retrace/detail/parallel.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/replay.hpp"
#include "retrace/testing/seed.hpp"

#include "guests.hpp"
#include "subprocess.hpp"

#include <atomic>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <tbb/parallel_for.h>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace retrace;
using test::GuestFixture;
using ::testing::HasSubstr;

std::string temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

// Records a fixture (with its input at icount 0) and returns the run's result.
RunResult record(const GuestFixture& g, const std::string& path, std::uint64_t interval, std::uint64_t stop) {
  MachineSpec spec;
  spec.kernel = g.elf;
  Machine m(spec);
  if (*g.input) m.schedule(0, {InputEvent::uart_rx, g.input});
  Recorder rec(m, path, {g.name, 0, interval});
  const auto r = rec.run(stop);
  rec.finish(r);
  return r;
}

class Fixture : public ::testing::TestWithParam<GuestFixture> {};

TEST_P(Fixture, RecordThenReplayMatches) {
  const auto& g = GetParam();
  const std::string path = temp(std::string(g.name) + ".rlog");
  const auto recorded = record(g, path, 100'000, g.expect_exit < 0 ? 30'000'000 : 500'000'000);
  const auto log = LogReader::read(path);
  ASSERT_FALSE(log.error()) << log.error()->what();
  Replayer replay(log);
  const auto r = replay.run();
  EXPECT_TRUE(r.matches_recording()) << "diverged " << r.diverged << " between " << r.diverged_after << " and "
                                     << r.diverged_by;
  EXPECT_EQ(r.result.icount, recorded.icount);
  EXPECT_EQ(r.digests_checked, recorded.icount / 100'000); // one per 100000 instructions run
  EXPECT_EQ(replay.machine().uart().output().size() > 0, true);
}

INSTANTIATE_TEST_SUITE_P(Guests, Fixture, ::testing::ValuesIn(test::guest_fixtures()),
                         [](const auto& p) { return test::test_name(p.param.name); });

TEST(Replay, EveryFixtureUnderTwoHundredSeedsReplaysDigestIdentical) {
  // Each fixture with its declared input arriving at icount 2000 plus up to 3000 of seeded
  // jitter, capped at 200000 instructions, recorded with a digest every 10000 and replayed.
  namespace fs = std::filesystem;
  const std::string dir = temp("roundtrip");
  fs::create_directories(dir);
  struct Job {
    const GuestFixture* g;
    std::uint64_t seed;
  };
  std::vector<Job> jobs;
  for (const auto& g : test::guest_fixtures())
    for (std::uint64_t seed = 1; seed <= 200; ++seed) jobs.push_back({&g, seed});
  std::atomic<int> mismatches{0}, digests{0};
  std::mutex first_failure_lock;
  std::string first_failure;
  detail::parallel_for(0, jobs.size(), [&](std::size_t i) {
    const auto& j = jobs[i];
    const std::string path = fmt::format("{}/{}-{}.rlog", dir, j.g->name, j.seed);
    {
      MachineSpec spec;
      spec.kernel = j.g->elf;
      Machine m(spec);
      auto jitter = Rng::derive(j.seed, "input-jitter");
      if (*j.g->input) m.schedule(2000 + jitter.below(3001), {InputEvent::uart_rx, j.g->input});
      Recorder rec(m, path, {j.g->name, j.seed, 10'000});
      rec.finish(rec.run(200'000));
    }
    const auto log = LogReader::read(path);
    Replayer replay(log);
    const auto r = replay.run();
    digests += static_cast<int>(r.digests_checked);
    if (!r.matches_recording() || log.error()) {
      ++mismatches;
      std::lock_guard lock(first_failure_lock);
      if (first_failure.empty()) first_failure = fmt::format("{} seed {}", j.g->name, j.seed);
    }
    fs::remove(path);
  });
  EXPECT_EQ(mismatches.load(), 0) << "first: " << first_failure;
  EXPECT_GT(digests.load(), 10'000);
  RecordProperty("runs", static_cast<int>(jobs.size()));
  RecordProperty("digests_checked", digests.load());
}

TEST(Replay, InputsComeBackAtTheirIcounts) {
  const auto& g = test::guest_fixture("uart-echo");
  MachineSpec spec;
  spec.kernel = g.elf;
  const std::string path = temp("inputs.rlog");
  std::string direct_output;
  {
    Machine m(spec);
    m.schedule(3000, {InputEvent::uart_rx, "abc\r"});
    m.schedule(9000, {InputEvent::uart_rx, "quit\r"});
    Recorder rec(m, path, {"inputs", 0, 1000});
    const auto r = rec.run(1'000'000);
    rec.finish(r);
    direct_output = m.uart().output();
  }
  const auto log = LogReader::read(path);
  std::vector<std::uint64_t> at;
  for (const auto& rec : log.records())
    if (rec.kind == LogRecord::input) at.push_back(rec.icount);
  EXPECT_EQ(at, (std::vector<std::uint64_t>{3000, 9000}));
  Replayer replay(log);
  const auto r = replay.run();
  EXPECT_TRUE(r.matches_recording());
  EXPECT_EQ(r.inputs, 2u);
  EXPECT_EQ(replay.machine().uart().output(), direct_output);
}

TEST(Replay, ATamperedDigestNamesTheWindow) {
  const std::string path = temp("tamper.rlog"), bad = temp("tampered.rlog");
  (void)record(test::guest_fixture("bench-cpu"), path, 1'000'000, ~0ull);
  const auto log = LogReader::read(path);
  {
    LogWriter w(bad, log.header());
    int digests = 0;
    for (const auto& r : log.records()) {
      if (r.kind == LogRecord::input) w.input(r.icount, r.event);
      else if (r.kind == LogRecord::digest) w.digest(r.icount, ++digests == 5 ? r.digest_value ^ 1 : r.digest_value);
      else w.end(r.icount, r.reason, r.status);
    }
  }
  const auto tampered = LogReader::read(bad);
  Replayer replay(tampered);
  const auto r = replay.run();
  EXPECT_TRUE(r.diverged);
  EXPECT_EQ(r.diverged_after, 4'000'000u);
  EXPECT_EQ(r.diverged_by, 5'000'000u);
  EXPECT_EQ(r.digests_checked, 4u);
  EXPECT_FALSE(r.matches_recording());
}

TEST(Replay, AChangedImageIsRefused) {
  namespace fs = std::filesystem;
  const std::string kernel = temp("changing.elf");
  fs::copy_file(test::guest_fixture("hello").elf, kernel, fs::copy_options::overwrite_existing);
  const std::string path = temp("changing.rlog");
  {
    MachineSpec spec;
    spec.kernel = kernel;
    Machine m(spec);
    Recorder rec(m, path);
    rec.finish(rec.run(~0ull));
  }
  fs::copy_file(test::guest_fixture("fail").elf, kernel, fs::copy_options::overwrite_existing);
  const auto log = LogReader::read(path);
  try {
    Replayer replay(log);
    FAIL() << "replayed a different kernel";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::bad_image);
    EXPECT_THAT(e.what(), HasSubstr(kernel));
    EXPECT_THAT(e.what(), HasSubstr("not the one recorded"));
  }
}

TEST(Replay, ToAnIcountGivesTheSameStateAsRunningThere) {
  const std::string path = temp("to.rlog");
  (void)record(test::guest_fixture("bench-cpu"), path, 1'000'000, ~0ull);
  const auto log = LogReader::read(path);
  Replayer replay(log);
  const auto r = replay.run(3'333'333);
  EXPECT_EQ(r.result.icount, 3'333'333u);
  EXPECT_EQ(r.digests_checked, 3u);
  MachineSpec spec;
  spec.kernel = test::guest_fixture("bench-cpu").elf;
  Machine direct(spec);
  direct.run(3'333'333);
  EXPECT_EQ(state_digest(direct), state_digest(replay.machine()));
  EXPECT_TRUE(replay.machine().hart(0).state() == direct.hart(0).state());
}

TEST(Replay, DigestsDependOnEveryPartOfTheState) {
  MachineSpec spec;
  spec.kernel = test::guest_fixture("hello").elf;
  Machine a(spec);
  a.run(100);
  const auto d = state_digest(a);
  a.hart(0).state().x[5] ^= 1;
  EXPECT_NE(state_digest(a), d);
  a.hart(0).state().x[5] ^= 1;
  EXPECT_EQ(state_digest(a), d);
  const std::uint8_t one = 1;
  a.bus().write_ram(0x8700'0000, &one, 1);
  EXPECT_NE(state_digest(a), d);
}

TEST(Replay, LogsStaySmall) {
  // A CPU-bound run without inputs: hundreds of bytes.
  const std::string cpu = temp("small.rlog");
  (void)record(test::guest_fixture("bench-cpu"), cpu, default_digest_interval, ~0ull);
  const auto cpu_size = std::filesystem::file_size(cpu);
  EXPECT_LT(cpu_size, 1024u);
  // An idle guest (100 Hz tick) for 10 seconds of virtual time.
  const std::string idle = temp("idle.rlog");
  (void)record(test::guest_fixture("idle-ticker"), idle, default_digest_interval, 10'000'000'000ull);
  const auto idle_size = std::filesystem::file_size(idle);
  EXPECT_LT(idle_size, 10 * 600u) << "bytes per virtual second: " << idle_size / 10; // well under 1 KiB/s
  RecordProperty("cpu_log_bytes", static_cast<int>(cpu_size));
  RecordProperty("idle_log_bytes_per_second", static_cast<int>(idle_size / 10));
  std::printf("CPU-bound 22M-instruction log: %ju bytes; idle guest: %ju bytes per virtual second\n",
              static_cast<std::uintmax_t>(cpu_size), static_cast<std::uintmax_t>(idle_size / 10));
}

TEST(ReplayCli, RecordReplayDump) {
  const std::string path = temp("cli.rlog");
  const auto rec = test::run_process({RETRACE_CLI, "run", "-k", test::guest_fixture("uart-echo").elf, "--input",
                                      "500:hey\\rquit\\r", "--record", path});
  EXPECT_EQ(rec.exit_status, 0) << rec.err;
  EXPECT_THAT(rec.err, HasSubstr("recorded"));
  const auto rep = test::run_process({RETRACE_CLI, "replay", path});
  EXPECT_EQ(rep.exit_status, 0) << rep.err;
  EXPECT_EQ(rep.out, rec.out);
  EXPECT_THAT(rep.err, HasSubstr("replay matches the recording"));
  const auto dump = test::run_process({RETRACE_CLI, "dump", path});
  EXPECT_EQ(dump.exit_status, 0);
  EXPECT_THAT(dump.out, HasSubstr("500 input uart0 \"hey\\x0dquit\\x0d\""));
  EXPECT_THAT(dump.out, HasSubstr("end exited status 0"));
  const auto json = test::run_process({RETRACE_CLI, "dump", "--json", path});
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["records"][0]["kind"], "uart_rx");
  EXPECT_EQ(j["records"][0]["icount"], 500);
  EXPECT_EQ(j["records"].back()["kind"], "end");
}

TEST(ReplayCli, PackReplaysWithoutTheOriginalImages) {
  namespace fs = std::filesystem;
  const std::string dir = temp("pack-src");
  fs::create_directories(dir);
  const std::string kernel = dir + "/echo.elf";
  fs::copy_file(test::guest_fixture("uart-echo").elf, kernel, fs::copy_options::overwrite_existing);
  const std::string path = dir + "/echo.rlog";
  auto rec = test::run_process({RETRACE_CLI, "run", "-k", kernel, "--input", "700:pack\rquit\r", "--record", path});
  ASSERT_EQ(rec.exit_status, 0) << rec.err;
  const std::string pack = temp("echo.rpack");
  const auto p = test::run_process({RETRACE_CLI, "pack", path, "-o", pack});
  ASSERT_EQ(p.exit_status, 0) << p.err;
  fs::remove_all(dir); // the original kernel and log are gone
  const auto r = test::run_process({RETRACE_CLI, "replay", pack});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out, rec.out);
  EXPECT_THAT(r.err, HasSubstr("replay matches the recording"));
  const auto d = test::run_process({RETRACE_CLI, "dump", pack});
  EXPECT_THAT(d.out, HasSubstr("700 input uart0"));
  // a damaged pack is a clear error
  std::string bytes;
  {
    std::ifstream in(pack, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bytes.resize(bytes.size() / 2);
  std::ofstream(pack, std::ios::binary) << bytes;
  const auto bad = test::run_process({RETRACE_CLI, "replay", pack});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_THAT(bad.err, HasSubstr("damaged pack"));
}

TEST(ReplayCli, ReplayAllInParallel) {
  std::vector<std::string> args = {RETRACE_CLI, "replay-all", "--jobs", "2"};
  for (const char* g : {"hello", "timer-ticks", "priv-vm", "fault-illegal"}) {
    const std::string path = temp(std::string("all-") + g + ".rlog");
    (void)record(test::guest_fixture(g), path, 100'000, ~0ull);
    args.push_back(path);
  }
  const std::string bad = temp("all-bad.rlog");
  std::ofstream(bad) << "junk";
  auto ok = test::run_process(args);
  EXPECT_EQ(ok.exit_status, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("4 of 4 replays match their recording"));
  args.push_back(bad);
  const auto with_bad = test::run_process(args);
  EXPECT_EQ(with_bad.exit_status, 1);
  EXPECT_THAT(with_bad.out, HasSubstr(bad + ": ERROR:"));
  EXPECT_THAT(with_bad.out, HasSubstr("4 of 5 replays match"));
}

TEST(ReplayCli, AKilledRecorderLeavesAReplayablePrefix) {
  // A recording of an idle guest that would run for 10^15 instructions, killed with SIGKILL.
  const std::string path = temp("killed.rlog");
  const auto r = test::run_process({"timeout", "-s", "KILL", "1", RETRACE_CLI, "run", "-k",
                                    test::guest_fixture("idle-ticker").elf, "--max-insns", "1000000000000000", "--record", path});
  // timeout(1) KILLs its whole process group, itself included (or reports 128 + 9)
  EXPECT_TRUE(r.signal == 9 || r.exit_status == 137) << r.exit_status << " " << r.signal;
  const auto log = LogReader::read(path);
  ASSERT_TRUE(log.error().has_value());
  EXPECT_EQ(log.end(), nullptr);
  std::size_t digests = 0;
  for (const auto& rec : log.records()) digests += rec.kind == LogRecord::digest;
  EXPECT_GE(digests, 16u) << "at least one whole chunk reached the disk";
  Replayer replay(log);
  const auto rr = replay.run();
  EXPECT_FALSE(rr.diverged);
  EXPECT_EQ(rr.digests_checked, digests);
  const auto cli = test::run_process({RETRACE_CLI, "replay", "-q", path});
  EXPECT_EQ(cli.exit_status, 1);
  EXPECT_THAT(cli.err, HasSubstr("no end record"));
  EXPECT_THAT(cli.err, HasSubstr("replayed the valid prefix"));
}

TEST(ReplayCli, DamagedLogsAreClearErrors) {
  const std::string path = temp("cli-bad.rlog");
  std::ofstream(path) << "garbage";
  const auto r = test::run_process({RETRACE_CLI, "replay", path});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr(path));
  EXPECT_THAT(r.err, HasSubstr("bad magic"));
  // a cut log replays its valid prefix and says so
  const std::string full = temp("cli-full.rlog"), cut = temp("cli-cut.rlog");
  (void)record(test::guest_fixture("bench-cpu"), full, 1'000'000, ~0ull);
  const auto size = std::filesystem::file_size(full);
  std::filesystem::copy_file(full, cut, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(cut, size - 100); // past the index, into the last chunk
  const auto p = test::run_process({RETRACE_CLI, "replay", "-q", cut});
  EXPECT_EQ(p.exit_status, 1);
  EXPECT_THAT(p.err, HasSubstr("truncated chunk"));
  EXPECT_THAT(p.err, HasSubstr("replaying the valid prefix"));
}

} // namespace
