// Tests for include/retrace/bisect/predicate.hpp and bisect.hpp.
#include "retrace/bisect/bisect.hpp"
#include "retrace/error.hpp"
#include "retrace/machine/dwarf.hpp"
#include "retrace/replay/replay.hpp"

#include "guests.hpp"
#include "subprocess.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using namespace retrace;
using ::testing::HasSubstr;
using ::testing::Not;

std::string record(const char* fixture, const std::string& input = {}, std::uint64_t input_at = 0,
                   const std::string& tag = {}) {
  // one file per test (and tag): ctest runs tests in parallel processes
  const std::string path = ::testing::TempDir() + "/bisect-" + fixture + "-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + tag + ".rlog";
  MachineSpec spec;
  spec.kernel = test::guest_fixture(fixture).elf;
  Machine m(spec);
  if (!input.empty()) m.schedule(input_at, {InputEvent::uart_rx, input});
  Recorder rec(m, path, {fixture, 0, 1'000'000});
  rec.finish(rec.run(200'000'000));
  return path;
}

// The first icount at which `p` holds, found by stepping one instruction at a time.
std::uint64_t linear_search(const std::string& path, const Predicate& p) {
  const auto log = LogReader::read(path);
  Replayer replay(log);
  auto& m = replay.machine();
  m.watch_pc(p.watch_pc);
  while (!p.holds(m)) {
    const auto r = m.run(m.icount() + 1);
    if (r.reason != StopReason::limit) break;
  }
  return m.icount();
}

TEST(Predicate, ParsesTheLanguage) {
  const auto elf = ElfFile::load(test::guest_fixture("timer-ticks").elf);
  EXPECT_EQ(parse_predicate("u32[ticks]>3", &elf).text, "u32[ticks]>3");
  EXPECT_EQ(parse_predicate("  uart~tick 5 ", &elf).text, "uart~tick 5");
  EXPECT_EQ(parse_predicate("pc==main", &elf).watch_pc, elf.symbol("main"));
  EXPECT_EQ(parse_predicate("pc==0x80000000", nullptr).watch_pc, 0x80000000u);
  EXPECT_EQ(parse_predicate("trap==illegal", nullptr).text, "trap==illegal");
  EXPECT_EQ(parse_predicate("trap==timer", nullptr).text, "trap==timer");
  EXPECT_EQ(parse_predicate("exited", nullptr).text, "exited");
  EXPECT_EQ(parse_predicate("i64[0x80001000] <= -5", nullptr).text, "i64[0x80001000] <= -5");
}

TEST(Predicate, BadInputSaysWhatWasExpected) {
  const auto elf = ElfFile::load(test::guest_fixture("hello").elf);
  auto error_of = [&](const char* text) {
    try {
      (void)parse_predicate(text, &elf);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_THAT(error_of("pc==no_such_function"), HasSubstr("'no_such_function' is neither a number nor a symbol"));
  EXPECT_THAT(error_of("u33[main]>1"), HasSubstr("unknown type 'u33'"));
  EXPECT_THAT(error_of("u32[main]~1"), HasSubstr("expected one of == != < <= > >="));
  EXPECT_THAT(error_of("u32[main]>x"), HasSubstr("'x' is not a number"));
  EXPECT_THAT(error_of("banana"), HasSubstr("expected pc==X, uart~TEXT"));
  EXPECT_THAT(error_of("uart~"), HasSubstr("needs the text"));
}

TEST(Bisect, AgreesWithALinearSearchForEveryKindOfPredicate) {
  const std::string ticks = record("timer-ticks");
  const auto elf = ElfFile::load(test::guest_fixture("timer-ticks").elf);
  for (const char* text : {"u32[ticks]>=3", "uart~tick 4", "pc==main", "trap==timer", "exited"}) {
    const auto p = parse_predicate(text, &elf);
    const auto log = LogReader::read(ticks);
    const auto r = bisect(log, p, {5000, 10, {}});
    ASSERT_TRUE(r.found) << text;
    EXPECT_EQ(r.icount, linear_search(ticks, p)) << text;
    EXPECT_LT(r.instructions_run, 3 * r.end_icount) << text;
  }
}

TEST(Bisect, ReportNamesTheInstructionItsChangesAndItsSource) {
  const std::string ticks = record("timer-ticks");
  const auto elf = ElfFile::load(test::guest_fixture("timer-ticks").elf);
  const auto log = LogReader::read(ticks);
  const auto r = bisect(log, parse_predicate("u32[ticks]>=1", &elf));
  ASSERT_TRUE(r.found);
  EXPECT_THAT(r.symbol, HasSubstr("on_trap"));
  EXPECT_THAT(r.source, HasSubstr("timer_ticks.c:"));
  ASSERT_EQ(r.memory.size(), 1u); // the store to ticks
  EXPECT_EQ(r.memory[0].address, *elf.symbol("ticks") & ~std::uint64_t{7});
  EXPECT_EQ(r.before.size(), 10u);
  EXPECT_EQ(r.before.back().icount, r.icount - 1);
  const std::string text = format_report(r, ticks);
  EXPECT_THAT(text, HasSubstr("first holds after instruction"));
  EXPECT_THAT(text, HasSubstr("retrace replay " + ticks + " --to " + std::to_string(r.icount - 1)));
  EXPECT_THAT(text, HasSubstr("retrace gdb " + ticks + " --at " + std::to_string(r.icount - 1) + " --port 1234"));
  const auto j = report_json(r, ticks);
  EXPECT_EQ(j["icount"], r.icount);
  EXPECT_EQ(j["source"], r.source);
}

TEST(Bisect, HtmlReportHasATimelineAndTheFinding) {
  const std::string ticks = record("timer-ticks");
  const auto elf = ElfFile::load(test::guest_fixture("timer-ticks").elf);
  const auto log = LogReader::read(ticks);
  const auto r = bisect(log, parse_predicate("u32[ticks]>=5", &elf));
  const std::string html = report_html(r, ticks);
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("</svg>"));
  EXPECT_THAT(html, HasSubstr("timer_ticks.c:"));
  // one blue circle per timer interrupt up to the finding (ticks 1..5), and the red line
  std::size_t interrupts = 0, at = 0;
  while ((at = html.find("fill=\"#37c\"", at)) != std::string::npos) ++interrupts, ++at;
  EXPECT_GE(interrupts, 5u);
  EXPECT_THAT(html, HasSubstr("stroke=\"#d00\""));
  EXPECT_EQ(html.find("<script"), std::string::npos); // a static page
}

TEST(Bisect, NeverAndAlreadyHolding) {
  const std::string ticks = record("timer-ticks");
  const auto log = LogReader::read(ticks);
  const auto never = bisect(log, parse_predicate("uart~no such text", nullptr));
  EXPECT_FALSE(never.found);
  EXPECT_THAT(format_report(never, ticks), HasSubstr("never holds"));
  const auto always = bisect(log, custom("true", [](const Machine&) { return true; }));
  EXPECT_TRUE(always.holds_at_start);
}

TEST(Bisect, FindsAFaultingInstruction) {
  const std::string path = record("fault-illegal");
  const auto log = LogReader::read(path);
  const auto r = bisect(log, parse_predicate("trap==illegal", nullptr));
  ASSERT_TRUE(r.found);
  EXPECT_TRUE(r.instruction.trapped);
  EXPECT_EQ(r.instruction.cause, 2u);
  EXPECT_EQ(r.instruction.raw, 0xffffffffu);
  EXPECT_THAT(r.symbol, HasSubstr("main"));
  EXPECT_THAT(r.source, HasSubstr("fault.c:"));
}

TEST(Diff, FindsWhereTwoRunsDiverge) {
  // The same echo guest fed "abc" and "abd" at icount 1000: the runs are the same until the
  // input arrives; from there the UART holds different bytes.
  const auto a = record("uart-echo", "abc\rquit\r", 1000, "a"), b = record("uart-echo", "abd\rquit\r", 1000, "b");
  const auto la = LogReader::read(a), lb = LogReader::read(b);
  const auto d = diff_runs(la, lb, {100, 5, {}});
  ASSERT_TRUE(d.differ);
  EXPECT_EQ(d.icount, 1000u);
  EXPECT_FALSE(d.registers_only);
  EXPECT_THAT(d.devices, ::testing::Contains("uart"));
  ASSERT_FALSE(d.inputs.empty());
  EXPECT_EQ(d.inputs.back().first, "abc\rquit\r");
  EXPECT_THAT(format_diff_report(d, a, b), HasSubstr("the runs received different input here"));
  const auto same = diff_runs(la, la);
  EXPECT_FALSE(same.differ);
}

TEST(Diff, TwoBuildsCompareHartState) {
  const auto la = LogReader::read(record("hello")), lb = LogReader::read(record("fail"));
  const auto d = diff_runs(la, lb, {100, 5, {}});
  ASSERT_TRUE(d.differ);
  EXPECT_TRUE(d.registers_only);
  EXPECT_GT(d.icount, 6u); // the boot ROM is the same in both
}

TEST(Diff, FindsThePlantedDivergenceBetweenTwoBuilds) {
  const auto la = LogReader::read(record("diverge-a")), lb = LogReader::read(record("diverge-b"));
  const auto d = diff_runs(la, lb, {1000, 5, {}});
  ASSERT_TRUE(d.differ);
  EXPECT_TRUE(d.registers_only); // two builds: different images
  EXPECT_EQ(d.a.pc, d.b.pc);     // same layout, same instruction address
  // the instruction is on the marked line of diverge.c in both builds
  const auto elf = ElfFile::load(test::guest_fixture("diverge-a").elf);
  SourceLines lines(elf);
  const auto loc = lines.find(d.a.pc);
  ASSERT_TRUE(loc.has_value());
  std::ifstream src(loc->file);
  std::string line;
  for (int n = 0; n < loc->line && std::getline(src, line); ++n) {
  }
  EXPECT_THAT(line, HasSubstr("DIVERGE HERE")) << loc->file << ":" << loc->line;
  EXPECT_THAT(d.a.disassembly, HasSubstr("addi"));
  EXPECT_FALSE(d.registers.empty());
}

// Code running 4 MiB above its link address (as U-Boot after relocation): the guest's own ELF
// names nothing there; given as a symbol file, the same ELF is found by its bytes and names the
// function and line.
TEST(Bisect, SymbolFilesNameRelocatedCode) {
  const auto log = LogReader::read(record("relocate"));
  const std::string elf = test::guest_fixture("relocate").elf;
  const auto p = parse_predicate("uart~relocated", nullptr);
  const auto plain = bisect(log, p);
  ASSERT_TRUE(plain.found);
  EXPECT_EQ(plain.source, "");            // the pc is in the copy, not in any line of the file
  EXPECT_THAT(plain.symbol, Not(HasSubstr("say")));
  for (const std::string& file : {elf, elf + "@0x400000"}) {
    const auto r = bisect(log, p, {0, 10, {file}});
    ASSERT_TRUE(r.found);
    EXPECT_EQ(r.icount, plain.icount);
    EXPECT_EQ(r.symbol_offset, 0x400000);
    EXPECT_EQ(r.link_address, r.instruction.pc - 0x400000);
    EXPECT_THAT(r.symbol, testing::StartsWith("say+"));
    const auto colon = r.source.rfind(':');
    ASSERT_NE(colon, std::string::npos) << r.source;
    std::ifstream src(r.source.substr(0, colon));
    std::string line;
    for (int n = 0, want = std::stoi(r.source.substr(colon + 1)); n < want && std::getline(src, line); ++n) {
    }
    EXPECT_THAT(line, HasSubstr("the UART store a report names")) << r.source;
    const auto text = format_report(r, "relocate.rlog");
    EXPECT_THAT(text, HasSubstr("(its code runs 0x400000 bytes higher)"));
    EXPECT_THAT(text, HasSubstr("add-symbol-file " + file.substr(0, file.find('@')) + " -o 0x400000"));
  }
  // a file whose code is not there names nothing; a bad offset is an error naming the argument
  const auto other = bisect(log, p, {0, 10, {test::guest_fixture("hello").elf}});
  EXPECT_EQ(other.symbol_file, "");
  EXPECT_THROW((void)bisect(log, p, {0, 10, {elf + "@lots"}}), Error);
}

TEST(BisectCli, TextAndJson) {
  const std::string ticks = record("timer-ticks");
  const auto t = test::run_process({RETRACE_CLI, "bisect", ticks, "--until", "u32[ticks]>=2"});
  EXPECT_EQ(t.exit_status, 0) << t.err;
  EXPECT_THAT(t.out, HasSubstr("'u32[ticks]>=2' first holds after instruction"));
  EXPECT_THAT(t.out, HasSubstr("timer_ticks.c:"));
  const auto j = test::run_process({RETRACE_CLI, "bisect", ticks, "--until", "u32[ticks]>=2", "--json"});
  EXPECT_EQ(j.exit_status, 0);
  EXPECT_TRUE(nlohmann::json::parse(j.out)["found"].get<bool>());
  const auto bad = test::run_process({RETRACE_CLI, "bisect", ticks, "--until", "u32[nothing]>=2"});
  EXPECT_EQ(bad.exit_status, 2);
  EXPECT_THAT(bad.err, HasSubstr("'nothing' is neither a number nor a symbol"));
  const auto never = test::run_process({RETRACE_CLI, "bisect", ticks, "--until", "uart~zzz"});
  EXPECT_EQ(never.exit_status, 1);
  const auto same = test::run_process({RETRACE_CLI, "bisect", ticks, "--diff", ticks});
  EXPECT_EQ(same.exit_status, 1);
  EXPECT_THAT(same.out, HasSubstr("the runs are the same"));
  const auto neither = test::run_process({RETRACE_CLI, "bisect", ticks});
  EXPECT_NE(neither.exit_status, 0);
}

} // namespace
