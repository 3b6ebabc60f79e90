// Tests for include/retrace/testing/runner.hpp, end to end: the examples program run with the
// runner's flags, as a user would.
#include "retrace/testing/runner.hpp"

#include "subprocess.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>

namespace {

using ::testing::HasSubstr;
using retrace::test::run_process;

const std::string ringbuf_filter = "--gtest_filter=RingBuffer.DeliversEveryByte";

TEST(Runner, DefaultSeedPasses) {
  const auto r = run_process({EXAMPLES, ringbuf_filter});
  EXPECT_EQ(r.exit_status, 0) << r.out;
}

TEST(Runner, SweepReportsFailingSeedsAndTheRerunCommand) {
  const auto r = run_process({EXAMPLES, ringbuf_filter, "--retrace_seeds=200", "--retrace_jobs=2"});
  EXPECT_EQ(r.exit_status, 1);
  EXPECT_THAT(r.out, HasSubstr("seeds failed: 12,"));
  EXPECT_THAT(r.out, HasSubstr("rerun one: " + std::string(EXAMPLES) +
                                   " --gtest_filter=RingBuffer.DeliversEveryByte --retrace_seed=12"));
  EXPECT_THAT(r.out, HasSubstr("[seed 12] the run broke the invariant 'every byte in the ring is counted'"));
  // the runner bisected the first failing seed down to the store that loses the count
  EXPECT_THAT(r.out, HasSubstr("'invariant broken: every byte in the ring is counted' first holds after instruction 36625"));
  EXPECT_THAT(r.out, HasSubstr("ringbuf.c:72"));
  EXPECT_THAT(r.out, HasSubstr("sw a5,0(s7)"));
  // the rerun command fails the same way
  const auto again = run_process({EXAMPLES, ringbuf_filter, "--retrace_seed=12"});
  EXPECT_EQ(again.exit_status, 1);
  EXPECT_THAT(again.out, HasSubstr("[seed 12] the run broke the invariant 'every byte in the ring is counted' (a check "
                                   "saw it at icount 40000) (seed 12)"));
}

TEST(Runner, EveryRunIsRecordedAndTheFailureReplays) {
  const std::string dir = ::testing::TempDir() + "/runner-logs";
  const auto r = run_process({EXAMPLES, ringbuf_filter, "--retrace_seeds=11..13", "--retrace_log_dir=" + dir});
  EXPECT_EQ(r.exit_status, 1);
  const std::string log = dir + "/RingBuffer.DeliversEveryByte/seed-12.rlog";
  EXPECT_THAT(r.out, HasSubstr("replay it: retrace replay " + log));
  // every seed's log is complete and replays to the same end (the first seed's too: gtest's own
  // fixture instance must not write a second log over it)
  for (int seed : {11, 12, 13}) {
    const std::string each = dir + "/RingBuffer.DeliversEveryByte/seed-" + std::to_string(seed) + ".rlog";
    const auto rep = run_process({RETRACE_CLI, "replay", "-q", each});
    EXPECT_EQ(rep.exit_status, 0) << each << ": " << rep.err;
    EXPECT_THAT(rep.err, HasSubstr("replay matches the recording")) << each;
    EXPECT_THAT(rep.err, ::testing::Not(HasSubstr("warning"))) << each;
  }
  const auto replay = run_process({RETRACE_CLI, "replay", log});
  EXPECT_EQ(replay.exit_status, 0) << replay.err;
  EXPECT_THAT(replay.err, HasSubstr("replay matches the recording: 40000 instructions"));
  // the report files next to the log
  std::ifstream report(log + ".report.txt");
  std::stringstream text;
  text << report.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("ringbuf.c:72"));
  EXPECT_TRUE(std::ifstream(log + ".report.json").good());
}

TEST(Runner, EveryLogOfASweepReplaysDigestIdentical) {
  const std::string dir = ::testing::TempDir() + "/sweep-logs";
  const auto r = run_process({EXAMPLES, ringbuf_filter, "--retrace_seeds=60", "--retrace_log_dir=" + dir});
  EXPECT_EQ(r.exit_status, 1); // some seeds fail
  std::vector<std::string> args = {RETRACE_CLI, "replay-all", "--jobs", "2"};
  for (int seed = 1; seed <= 60; ++seed)
    args.push_back(dir + "/RingBuffer.DeliversEveryByte/seed-" + std::to_string(seed) + ".rlog");
  const auto all = run_process(args, {}, std::chrono::seconds(300));
  EXPECT_EQ(all.exit_status, 0) << all.out;
  EXPECT_THAT(all.out, HasSubstr("60 of 60 replays match their recording"));
}

TEST(Runner, SeedRangeAndXmlProperties) {
  const std::string xml = ::testing::TempDir() + "/runner.xml";
  const auto r = run_process({EXAMPLES, ringbuf_filter, "--retrace_seeds=10..14", "--gtest_output=xml:" + xml});
  EXPECT_EQ(r.exit_status, 1); // 12 and 14 fail
  std::ifstream in(xml);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("<property name=\"retrace_seeds\" value=\"5\"/>"));
  EXPECT_THAT(text.str(), HasSubstr("<property name=\"retrace_failed_seeds\" value=\"12,14\"/>"));
}

TEST(Runner, GtestFlagsStillWork) {
  const auto list = run_process({EXAMPLES, "--gtest_list_tests"});
  EXPECT_EQ(list.exit_status, 0);
  EXPECT_THAT(list.out, HasSubstr("RingBufferRace."));
  const auto shard = run_process({EXAMPLES, "--gtest_filter=Echo.*:Ticks.*"}, {}, std::chrono::seconds(120));
  EXPECT_EQ(shard.exit_status, 0) << shard.out;
  EXPECT_THAT(shard.out, HasSubstr("[  PASSED  ] 3 tests"));
}

TEST(Runner, BadFlagsAreErrors) {
  const auto r = run_process({EXAMPLES, "--retrace_seeds=banana"});
  EXPECT_EQ(r.exit_status, 2);
  EXPECT_THAT(r.err, HasSubstr("--retrace_seeds takes N or A..B"));
  const auto u = run_process({EXAMPLES, "--retrace_sedes=3"});
  EXPECT_EQ(u.exit_status, 2);
  EXPECT_THAT(u.err, HasSubstr("unknown flag --retrace_sedes=3"));
}

TEST(RunnerFlags, Parse) {
  retrace::RunnerConfig c;
  std::vector<std::string> args = {"prog", "--retrace_seeds=3..5", "--gtest_filter=X", "--retrace_jobs=2"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  EXPECT_EQ(retrace::parse_runner_flags(argc, argv.data(), c), "");
  EXPECT_EQ(c.seeds, (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_EQ(c.jobs, 2u);
  ASSERT_EQ(argc, 2);
  EXPECT_STREQ(argv[1], "--gtest_filter=X");
}

} // namespace
