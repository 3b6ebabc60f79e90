// The devices as a guest driver sees them (guest-fixtures/examples/virtio_devices.c): virtio-rng
// bytes from the seed, disk latency in virtual time with seeded jitter, an injected I/O error,
// the RTC's epoch, host inputs recorded and replayed, and the same driver on QEMU.
#include "retrace/replay/replay.hpp"
#include "retrace/testing/matchers.hpp"
#include "retrace/testing/run.hpp"

#include "guests.hpp"
#include "subprocess.hpp"

#include <chrono>
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <regex>
#include <set>

namespace {

using namespace retrace;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string disk() {
  const auto p = (std::filesystem::temp_directory_path() / "retrace-virtio-guest.img").string();
  std::string bytes = "RETRACE!";
  bytes.resize(4096);
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

Scenario devices(DriveSpec d) {
  Scenario s;
  s.kernel(RETRACE_GUEST_DIR "/virtio-devices.elf").budget(50'000'000).rng().drive(std::move(d));
  return s;
}

std::string line_of(const std::string& text, const std::string& key) {
  const auto at = text.find(key);
  return at == std::string::npos ? "(missing " + key + ")" : text.substr(at, text.find('\n', at) - at);
}

std::uint64_t took_ns(const std::string& text) {
  std::smatch m;
  const std::regex re("took ([0-9]+) ns");
  return std::regex_search(text, m, re) ? std::stoull(m[1]) : ~0ull;
}

TEST(VirtioGuest, RngBytesFollowTheSeed) {
  const auto s = devices(disk());
  auto bytes = [&](std::uint64_t seed) { return line_of(ScenarioRun(s, seed).run().uart, "rng: "); };
  const auto one = bytes(1);
  EXPECT_THAT(one, MatchesRegex("rng: [0-9a-f]{32}"));
  EXPECT_EQ(one, bytes(1));
  EXPECT_NE(one, bytes(2));
}

TEST(VirtioGuest, DiskLatencyIsVirtualTimeAndJitterFollowsTheSeed) {
  DriveSpec d(disk());
  d.latency_ns = 50'000;
  d.jitter_ns = 20'000;
  const auto s = devices(d);
  std::set<std::uint64_t> seen;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    const auto o = ScenarioRun(s, seed).run();
    ASSERT_THAT(o, ExitedWith(0)) << o.uart;
    EXPECT_THAT(o.uart, HasSubstr("blk: status 0, first bytes 5245545241434521")); // "RETRACE!"
    const auto t = took_ns(o.uart);
    EXPECT_GE(t, 50'000u);
    EXPECT_LE(t, 70'000u + 200); // the guest's mtime reads round to 100 ns
    EXPECT_EQ(t, took_ns(ScenarioRun(s, seed).run().uart)) << "seed " << seed;
    seen.insert(t);
  }
  EXPECT_GE(seen.size(), 4u);
}

TEST(VirtioGuest, AScriptedFaultReachesTheDriver) {
  DriveSpec d(disk());
  d.faults.push_back({0, 1});
  const auto o = ScenarioRun(devices(d), 1).run();
  EXPECT_THAT(o.uart, HasSubstr("blk: status 1, first bytes 0000000000000000"));
}

TEST(VirtioGuest, TheRtcStartsAtTheSpecsEpoch) {
  auto s = devices(disk());
  EXPECT_THAT(ScenarioRun(s, 1).run().uart, HasSubstr("rtc: 1767225600\n")); // 2026-01-01
  s.rtc_epoch_ns(parse_rtc_epoch("2030-06-01T12:00:00Z"));
  EXPECT_THAT(ScenarioRun(s, 1).run().uart, HasSubstr("rtc: 1906545600\n"));
}

TEST(VirtioGuest, HostTimeAndEntropyAreReadOnceAndReplayedFromTheLog) {
  const std::string log = ::testing::TempDir() + "/virtio-host.rlog";
  DriveSpec d(disk());
  d.latency_ns = 1000;
  d.jitter_ns = 1000;
  auto s = devices(d);
  s.rng(true).rtc_from_host();
  std::string uart;
  {
    ScenarioRun run(s, 9, RunLimits{60, log, "host inputs"});
    uart = run.run().uart;
  }
  const auto l = LogReader::read(log);
  ASSERT_FALSE(l.error());
  const auto& spec = l.header().spec;
  EXPECT_TRUE(spec.rng_from_host);
  EXPECT_TRUE(spec.rtc_from_host);
  const auto now_s = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  EXPECT_NEAR(static_cast<double>(spec.rtc_epoch_ns / 1'000'000'000), static_cast<double>(now_s), 600.0);
  EXPECT_THAT(uart, HasSubstr(fmt::format("rtc: {}\n", spec.rtc_epoch_ns / 1'000'000'000)));
  Replayer replay(l);
  const auto r = replay.run();
  EXPECT_TRUE(r.matches_recording());
  EXPECT_EQ(replay.machine().uart().output(), uart); // the same bytes, the same date
  // a second run asks the host again: other entropy
  ScenarioRun again(s, 9);
  EXPECT_NE(line_of(again.run().uart, "rng: "), line_of(uart, "rng: "));
}

TEST(VirtioGuest, TheSameDriverWorksOnQemu) {
  ASSERT_TRUE(test::have_program("qemu-system-riscv64"));
  const auto r = test::run_process({"timeout", "20", "qemu-system-riscv64", "-M", "virt", "-bios", "none", "-kernel",
                                    RETRACE_GUEST_DIR "/virtio-devices.elf", "-nographic", "-monitor", "none",
                                    "-serial", "stdio", "-global", "virtio-mmio.force-legacy=false", "-device",
                                    "virtio-rng-device", "-drive", "file=" + disk() + ",if=none,format=raw,id=d",
                                    "-device", "virtio-blk-device,drive=d"},
                                   {}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_THAT(r.out, testing::ContainsRegex("rng: [0-9a-f]{32}"));
  EXPECT_THAT(r.out, HasSubstr("blk: status 0, first bytes 5245545241434521"));
}

} // namespace
