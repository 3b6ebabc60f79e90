// Tests for include/retrace/gdb/: the real gdb-multiarch (batch mode) against `retrace gdb`
// over logs of guest fixtures, and the server's protocol handling on its own.
#include "retrace/gdb/server.hpp"
#include "retrace/replay/replay.hpp"

#include "guests.hpp"
#include "subprocess.hpp"

#include <fmt/format.h>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <thread>

namespace {

using namespace retrace;
using ::testing::HasSubstr;

std::string record(const char* fixture) {
  const std::string path = ::testing::TempDir() + "/gdb-" + fixture + "-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".rlog";
  MachineSpec spec;
  spec.kernel = test::guest_fixture(fixture).elf;
  Machine m(spec);
  Recorder rec(m, path);
  rec.finish(rec.run(100'000'000));
  return path;
}

// Runs gdb-multiarch in batch mode with `commands`, attached through --stdio.
std::string gdb(const std::string& elf, const std::string& log, const std::string& commands, const std::string& extra = {}) {
  const std::string script = ::testing::TempDir() + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".gdb";
  std::ofstream(script) << "set pagination off\nset confirm off\nfile " << elf << "\ntarget remote | " << RETRACE_CLI
                        << " gdb " << log << " --stdio " << extra << "\n"
                        << commands;
  const auto r = test::run_process({"gdb-multiarch", "-batch", "-nx", "-x", script}, {}, std::chrono::seconds(120));
  EXPECT_FALSE(r.timed_out);
  EXPECT_THAT(r.out + r.err, ::testing::Not(HasSubstr("rejected target-supplied description")));
  return r.out + r.err;
}

// Values printed by `p/x $pc` lines, in order.
std::vector<std::string> printed(const std::string& out) {
  std::vector<std::string> v;
  static const std::regex re(R"(\$\d+ = (.*))");
  for (std::sregex_iterator it(out.begin(), out.end(), re), end; it != end; ++it) v.push_back((*it)[1]);
  return v;
}

TEST(Gdb, BreakContinueStepAndStepBack) {
  const auto& g = test::guest_fixture("timer-ticks");
  const auto out = gdb(g.elf, record("timer-ticks"),
                       "break main\ncontinue\n"
                       "stepi\nstepi\np/x $pc\np/x $sp\np/x $a0\n" // after two steps
                       "stepi\np/x $pc\n"                         // one more
                       "reverse-stepi\np/x $pc\np/x $sp\np/x $a0\n" // back one: same as after two
                       "info registers ra\nx/2wx &ticks\n");
  EXPECT_THAT(out, HasSubstr("Breakpoint 1, main ()"));
  const auto v = printed(out);
  ASSERT_EQ(v.size(), 7u) << out;
  EXPECT_EQ(v[4], v[0]); // pc back where it was
  EXPECT_EQ(v[5], v[1]); // and the registers too
  EXPECT_EQ(v[6], v[2]);
  EXPECT_NE(v[3], v[0]);
  EXPECT_THAT(out, HasSubstr("ra             0x"));
  EXPECT_THAT(out, ::testing::ContainsRegex("<ticks>:\\s+0x00000000"));
}

TEST(Gdb, ReverseContinueStopsAtTheEarlierBreakpointHit) {
  const auto& g = test::guest_fixture("timer-ticks");
  const auto out = gdb(g.elf, record("timer-ticks"),
                       "break on_trap\ncontinue\nprint ticks\ncontinue\nprint ticks\ncontinue\nprint ticks\n"
                       "reverse-continue\nprint ticks\nreverse-continue\nprint ticks\n");
  const auto v = printed(out);
  ASSERT_EQ(v.size(), 5u) << out;
  EXPECT_EQ(v[0], "0");
  EXPECT_EQ(v[1], "1");
  EXPECT_EQ(v[2], "2");
  EXPECT_EQ(v[3], "1"); // back at the second hit
  EXPECT_EQ(v[4], "0"); // and the first
}

TEST(Gdb, WatchAndReverseContinueFindTheLastWrite) {
  const auto& g = test::guest_fixture("timer-ticks");
  const auto out = gdb(g.elf, record("timer-ticks"),
                       "break on_trap\ncontinue\ncontinue\ncontinue\ncontinue\nprint ticks\ndelete\n"
                       "watch ticks\nreverse-continue\nprint ticks\np/x $pc\ninfo symbol $pc\n"
                       "continue\nprint ticks\n");
  EXPECT_THAT(out, HasSubstr("watchpoint"));
  const auto v = printed(out);
  ASSERT_GE(v.size(), 4u) << out;
  EXPECT_EQ(v[0], "3");  // at the fourth entry, three ticks counted
  EXPECT_EQ(v[1], "2");  // stopped before the write that made it 3
  EXPECT_THAT(out, HasSubstr("on_trap"));  // the write is in the handler
  EXPECT_EQ(v.back(), "3"); // continuing executes the write and the watchpoint reports it
}

TEST(Gdb, SteppingBackToTheStartEndsCleanly) {
  const auto& g = test::guest_fixture("hello");
  const auto out = gdb(g.elf, record("hello"), "stepi\nstepi\nreverse-stepi\nreverse-stepi\nreverse-stepi\np/x $pc\n",
                       "--at 0");
  EXPECT_THAT(out, HasSubstr("No more reverse-execution history"));
  const auto v = printed(out);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v.back(), "0x1000"); // the reset vector
}

TEST(Gdb, ContinueToTheEndOfTheLog) {
  const auto& g = test::guest_fixture("hello");
  const auto out = gdb(g.elf, record("hello"), "continue\nreverse-stepi\np/x $pc\n");
  EXPECT_THAT(out, HasSubstr("No more reverse-execution history"));
}

TEST(Gdb, MonitorCommands) {
  const auto& g = test::guest_fixture("timer-ticks");
  const auto out = gdb(g.elf, record("timer-ticks"),
                       "monitor icount\nmonitor seek 500000\nmonitor icount\nmonitor snapshots\n"
                       "monitor bisect u32[ticks]>=3\nmaintenance flush register-cache\n"
                       "print ticks\nstepi\nprint ticks\nmonitor help\n");
  EXPECT_THAT(out, HasSubstr("icount 0 of "));
  EXPECT_THAT(out, HasSubstr("icount 500000 of "));
  EXPECT_THAT(out, HasSubstr("snapshots, every 262144 instructions"));
  EXPECT_THAT(out, HasSubstr("'u32[ticks]>=3' first holds after instruction"));
  const auto v = printed(out);
  ASSERT_EQ(v.size(), 2u) << out;
  EXPECT_EQ(v[0], "2"); // just before the instruction
  EXPECT_EQ(v[1], "3"); // and after it
  EXPECT_THAT(out, HasSubstr("seek ICOUNT"));
}

TEST(Gdb, TheIntermittentFailureFromItsReport) {
  // The planted race's failing seed: the runner records it and writes the report; `retrace gdb
  // --at-failure` lands on the store that loses the count, and stepping back shows the stale
  // read it came from.
  const std::string dir = ::testing::TempDir() + "/gdb-ringbuf";
  const auto r = test::run_process({EXAMPLES, "--gtest_filter=RingBuffer.DeliversEveryByte", "--retrace_seed=12",
                                    "--retrace_log_dir=" + dir});
  ASSERT_EQ(r.exit_status, 1);
  const std::string log = dir + "/RingBuffer.DeliversEveryByte/seed-12.rlog";
  std::ifstream report(log + ".report.json");
  const auto j = nlohmann::json::parse(report);
  const std::uint64_t pc = j["instruction"]["pc"];
  const auto out = gdb(test::guest_fixture("ringbuf").elf, log,
                       "p/x $pc\ninfo line *$pc\nx/i $pc\nprint count\nprint n\nstepi\nprint count\n"
                       "reverse-stepi\nreverse-stepi\nx/i $pc\n",
                       "--at-failure");
  const auto v = printed(out);
  ASSERT_GE(v.size(), 3u) << out;
  EXPECT_EQ(v[0], fmt::format("{:#x}", pc));
  EXPECT_THAT(out, HasSubstr("ringbuf.c\" starts at address"));
  EXPECT_THAT(out, HasSubstr("Line 72"));
  EXPECT_EQ(v[1], "1"); // the handler has counted the new byte...
  EXPECT_THAT(out, HasSubstr("sw\ta5,0(s7)"));
  EXPECT_EQ(v.back(), "0"); // ...and the main loop's store wipes it out
}

// --- the protocol on its own ---------------------------------------------------------------------

TEST(GdbServer, BadPacketsGetErrorsOrEmptyReplies) {
  const auto log = LogReader::read(record("hello"));
  gdb::Server s(log);
  EXPECT_EQ(s.handle("m zzzz,10"), "E00");
  EXPECT_EQ(s.handle("m80000000"), "E00");
  EXPECT_EQ(s.handle("pzz"), "E00");
  EXPECT_EQ(s.handle("Hg99"), "E01");
  EXPECT_EQ(s.handle("Z0,nothex,4"), "E00");
  EXPECT_EQ(s.handle("Z2,80000000,0"), "E01");
  EXPECT_EQ(s.handle("qRcmd,zz"), "E01");
  EXPECT_EQ(s.handle("P1=00"), "E03"); // a replay is read-only
  EXPECT_EQ(s.handle("M80000000,1:00"), "E03");
  EXPECT_EQ(s.handle("vFlashErase:0,0"), "");
  EXPECT_EQ(s.handle("m0,4"), "E14"); // nothing mapped at 0
  EXPECT_EQ(s.handle("m80000000,4").size(), 8u);
  EXPECT_EQ(s.handle("p20"), "0010000000000000"); // pc = 0x1000, little-endian
  // random bytes never crash it
  std::mt19937 rng(9);
  for (int k = 0; k < 3000; ++k) {
    std::string p;
    const int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) p.push_back(static_cast<char>(rng() % 96 + 32));
    if (!p.empty() && (p[0] == 'c' || p[0] == 'C' || p[0] == 'v' || p[0] == 'b')) continue; // long-running verbs
    (void)s.handle(p);
  }
  SUCCEED();
}

TEST(GdbServer, FramingSurvivesGarbageOnTheWire) {
  const auto log = LogReader::read(record("hello"));
  gdb::Server s(log);
  int to_server[2], from_server[2];
  ASSERT_EQ(pipe(to_server), 0);
  ASSERT_EQ(pipe(from_server), 0);
  const std::string wire = std::string("garbage$bad#zz") + "$" + std::string(20000, 'x') + "#00" + // too long: dropped
                           "$qAttached#8f" + "$k#6b";
  ASSERT_EQ(write(to_server[1], wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  close(to_server[1]);
  gdb::Connection conn(to_server[0], from_server[1]);
  s.serve(conn);
  close(from_server[1]);
  char buf[4096];
  const auto n = read(from_server[0], buf, sizeof buf);
  const std::string replies(buf, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
  EXPECT_THAT(replies, HasSubstr("$1#31")); // qAttached answered
  close(to_server[0]);
  close(from_server[0]);
}

TEST(GdbServer, CtrlCInterruptsContinueAndReverseContinue) {
  // bench-cpu runs 22 million instructions: long enough to interrupt, forwards and backwards.
  const auto log = LogReader::read(record("bench-cpu"));
  gdb::Server s(log, {0, 1 << 16});
  int to_server[2], from_server[2];
  ASSERT_EQ(pipe(to_server), 0);
  ASSERT_EQ(pipe(from_server), 0);
  std::thread client([&] {
    auto say = [&](const std::string& w) { (void)!write(to_server[1], w.data(), w.size()); };
    say("$QStartNoAckMode#b0");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    say("$c#63");
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    say("\x03");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    say("$qRcmd,69636f756e74#fe"); // "icount": where did it stop?
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    say("$bc#c5");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    say("\x03");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    say("$k#6b");
    close(to_server[1]);
  });
  gdb::Connection conn(to_server[0], from_server[1]);
  s.serve(conn);
  client.join();
  close(from_server[1]);
  std::string replies;
  char buf[4096];
  ssize_t n;
  while ((n = read(from_server[0], buf, sizeof buf)) > 0) replies.append(buf, static_cast<std::size_t>(n));
  close(to_server[0]);
  close(from_server[0]);
  // two SIGINT stops, and the first one was in the middle of the run
  std::size_t stops = 0, at = 0;
  while ((at = replies.find("T02thread:1;", at)) != std::string::npos) ++stops, ++at;
  EXPECT_EQ(stops, 2u) << replies;
  EXPECT_EQ(replies.find("replaylog:end"), std::string::npos) << "the continue ran to the end instead";
}

TEST(GdbServer, TcpOnLoopbackAndASecondClientIsRefused) {
  const std::string log = record("hello");
  const std::string port_file = ::testing::TempDir() + "/gdb-tcp-port.txt"; // not the working directory
  // the server prints its port; a second connection attempt must fail
  const auto r = test::run_process(
      {"bash", "-c",
       std::string(RETRACE_CLI) + " gdb " + log + " --port 0 2>" + port_file + " & sleep 1; " +
           "port=$(grep -o '127.0.0.1:[0-9]*' " + port_file + " | head -1 | cut -d: -f2); "
           "exec 3<>/dev/tcp/127.0.0.1/$port || exit 10; "
           "printf '+$qAttached#8f' >&3; sleep 0.5; "
           "(exec 4<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && echo second-accepted || echo second-refused; "
           "printf '+$k#6b' >&3; sleep 0.3; timeout 5 head -c 6 <&3; wait"},
      {}, std::chrono::seconds(30));
  EXPECT_THAT(r.out, HasSubstr("second-refused"));
  EXPECT_THAT(r.out, HasSubstr("$1#31"));
}

} // namespace

namespace {

// Two harts under schedule chaos (guest-fixtures/smp/counter.c with its spinlock), recorded.
std::string record_two_harts() {
  const std::string path = ::testing::TempDir() + "/gdb-smp-amo.rlog";
  MachineSpec spec;
  spec.kernel = RETRACE_GUEST_DIR "/smp-amo.elf";
  spec.harts = 2;
  spec.chaos_min_quantum = 2000;
  spec.chaos_max_quantum = 20'000;
  spec.seed = 3;
  Machine m(spec);
  Recorder rec(m, path, {"gdb smp", 3});
  rec.finish(rec.run(5'000'000));
  return path;
}

} // namespace

// Harts are threads. Stepping thread 1 while hart 1 holds the schedule runs on until hart 0's
// next instruction (hart 1's steps in between are the recording's); stepping it back returns to
// just before that instruction, across hart 1's steps.
TEST(GdbServer, TwoHartsStepAndStepBackPerThreadAcrossHartSwitches) {
  const auto log = LogReader::read(record_two_harts());
  ASSERT_FALSE(log.error());
  std::optional<ScheduleDecision> d;
  for (const auto& r : log.records())
    if (r.kind == LogRecord::schedule && r.decision.hart == 1 && r.decision.quantum >= 2000 && r.icount > 0) {
      d = r.decision;
      break;
    }
  ASSERT_TRUE(d.has_value());
  const std::uint64_t at = d->icount + 100; // hart 1 is running, hart 0 waits for its turn
  gdb::Server s(log, {at});
  EXPECT_EQ(s.handle("qfThreadInfo"), "m1,2");
  auto& m = s.timeline().machine();
  ASSERT_EQ(m.icount(), at);
  const auto before = m.hart(0).state();
  EXPECT_EQ(s.handle("Hg1"), "OK");
  EXPECT_EQ(s.handle("vCont;s:1"), "T05thread:1;");
  EXPECT_EQ(m.hart(0).state().minstret, before.minstret + 1); // hart 0 ran one instruction
  EXPECT_GE(m.icount(), d->icount + d->quantum);              // after hart 1's quantum
  const auto after_step = m.icount();
  // the same, with gdb's "step thread 1, continue the others"
  EXPECT_EQ(s.handle("bs"), "T05thread:1;");
  EXPECT_EQ(m.hart(0).state().pc, before.pc);
  EXPECT_EQ(m.hart(0).state().minstret, before.minstret);
  EXPECT_EQ(m.icount(), after_step - 1); // just before hart 0's instruction
  EXPECT_EQ(s.handle("vCont;s:1;c"), "T05thread:1;");
  EXPECT_EQ(m.icount(), after_step);
  // thread 2's registers are hart 1's
  EXPECT_EQ(s.handle("Hg2"), "OK");
  const auto pc2 = s.handle("p20");
  std::uint64_t want = m.hart(1).state().pc, got = 0;
  for (int b = 7; b >= 0; --b) got = (got << 8) | std::stoull(pc2.substr(static_cast<std::size_t>(2 * b), 2), nullptr, 16);
  EXPECT_EQ(got, want);
  // and stepping thread 2 back goes to hart 1's last instruction, before hart 0's
  EXPECT_EQ(s.handle("bs"), "T05thread:2;");
  EXPECT_LT(m.icount(), after_step - 1);
  EXPECT_NE(m.hart(1).state().pc, want);
}
