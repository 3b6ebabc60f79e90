// Tests for include/retrace/devices/goldfish_rtc.hpp: the epoch from the spec, and the alarm at
// its exact instruction, on the device and in a machine (PLIC source 11).
#include "retrace/devices/goldfish_rtc.hpp"
#include "retrace/machine/machine.hpp"
#include "retrace/error.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <vector>

namespace {

std::uint64_t time_of(retrace::GoldfishRtc& rtc) {
  std::uint64_t lo = 0, hi = 0;
  rtc.load(0x00, 4, lo);
  rtc.load(0x04, 4, hi);
  return (hi << 32) | lo;
}

void arm(retrace::GoldfishRtc& rtc, std::uint64_t at_ns) {
  rtc.store(0x0c, 4, at_ns >> 32);
  rtc.store(0x08, 4, at_ns & 0xffffffff);
}

TEST(GoldfishRtc, StartsAtTheEpochItIsGiven) {
  std::uint64_t icount = 0;
  retrace::VirtualClock rtc_clock{icount, 10};
  retrace::GoldfishRtc rtc(rtc_clock, 1'000'000'000'000'000'000ull);
  EXPECT_EQ(time_of(rtc), 1'000'000'000'000'000'000ull);
  icount = 7;
  EXPECT_EQ(time_of(rtc), 1'000'000'000'000'000'070ull);
}

TEST(GoldfishRtc, TheAlarmFiresAtTheExactInstructionAndRaisesItsLine) {
  std::uint64_t icount = 0;
  bool line = false, attention = false;
  retrace::VirtualClock rtc_clock{icount, 3};
  retrace::GoldfishRtc rtc(rtc_clock, 1000);
  rtc.connect([&](bool l) { line = l; }, &attention);
  rtc.store(0x10, 4, 1); // IRQ_ENABLED
  arm(rtc, 1000 + 100);  // 100 ns: the instruction that takes virtual time to 102 ns, icount 34
  EXPECT_TRUE(attention);
  EXPECT_EQ(rtc.next_deadline(), 34u);
  std::uint64_t v = 0;
  rtc.load(0x18, 4, v);
  EXPECT_EQ(v, 1u); // ALARM_STATUS: armed
  icount = 33;
  rtc.update();
  EXPECT_FALSE(line);
  icount = 34;
  rtc.update();
  EXPECT_TRUE(line);
  rtc.load(0x18, 4, v);
  EXPECT_EQ(v, 0u);
  EXPECT_EQ(rtc.next_deadline(), retrace::GoldfishRtc::never);
  rtc.store(0x1c, 4, 1); // CLEAR_INTERRUPT
  EXPECT_FALSE(line);
}

TEST(GoldfishRtc, AnAlarmInThePastFiresAtOnceAndAClearedOneNever) {
  std::uint64_t icount = 50;
  bool line = false;
  retrace::VirtualClock rtc_clock{icount, 1};
  retrace::GoldfishRtc rtc(rtc_clock, 0);
  rtc.connect([&](bool l) { line = l; }, nullptr);
  rtc.store(0x10, 4, 1);
  arm(rtc, 10);
  EXPECT_TRUE(line);
  rtc.store(0x1c, 4, 1);
  arm(rtc, 100);
  rtc.store(0x14, 4, 1); // CLEAR_ALARM
  icount = 1000;
  rtc.update();
  EXPECT_FALSE(line);
  EXPECT_EQ(rtc.next_deadline(), retrace::GoldfishRtc::never);
}

TEST(GoldfishRtc, AMaskedAlarmIsPendingUntilEnabled) {
  std::uint64_t icount = 0;
  bool line = false;
  retrace::VirtualClock rtc_clock{icount, 1};
  retrace::GoldfishRtc rtc(rtc_clock, 0);
  rtc.connect([&](bool l) { line = l; }, nullptr);
  arm(rtc, 5);
  icount = 5;
  rtc.update();
  EXPECT_FALSE(line);
  rtc.store(0x10, 4, 1);
  EXPECT_TRUE(line);
}

TEST(GoldfishRtc, EachHalfOfTheTimeIsWrittenOnItsOwnAsQemu) {
  std::uint64_t icount = 0;
  retrace::VirtualClock rtc_clock{icount, 1};
  retrace::GoldfishRtc rtc(rtc_clock, 0x0000'0005'0000'1000ull);
  rtc.store(0x00, 4, 0x2000); // TIME_LOW alone keeps the high half
  EXPECT_EQ(time_of(rtc), 0x0000'0005'0000'2000ull);
  rtc.store(0x04, 4, 7); // TIME_HIGH alone keeps the low half
  EXPECT_EQ(time_of(rtc), 0x0000'0007'0000'2000ull);
  rtc.store(0x0c, 4, 9); // ALARM_HIGH: read back at once, not armed
  std::uint64_t v = 0;
  rtc.load(0x0c, 4, v);
  EXPECT_EQ(v, 9u);
  rtc.load(0x18, 4, v);
  EXPECT_EQ(v, 0u);
}

TEST(GoldfishRtc, SettingTheTimeDoesNotMoveAnArmedAlarm) {
  // QEMU arms its timer on the clock under the offset: a later time write changes what the
  // guest reads, not when the alarm fires.
  std::uint64_t icount = 0;
  bool line = false;
  retrace::VirtualClock rtc_clock{icount, 1};
  retrace::GoldfishRtc rtc(rtc_clock, 0);
  rtc.connect([&](bool l) { line = l; }, nullptr);
  rtc.store(0x10, 4, 1);
  arm(rtc, 1000);
  rtc.store(0x04, 4, 0);
  rtc.store(0x00, 4, 5000); // the time jumps past the alarm
  rtc.update();
  EXPECT_FALSE(line);
  EXPECT_EQ(rtc.next_deadline(), 1000u);
  icount = 1000;
  rtc.update();
  EXPECT_TRUE(line);
}

TEST(GoldfishRtc, EveryIrqEnabledWriteDrivesTheLineAndARestoreNone) {
  std::uint64_t icount = 0;
  std::vector<bool> drives;
  retrace::VirtualClock rtc_clock{icount, 1};
  retrace::GoldfishRtc rtc(rtc_clock, 0);
  rtc.connect([&](bool l) { drives.push_back(l); }, nullptr);
  rtc.store(0x10, 4, 1);
  arm(rtc, 0); // in the past: fires at once
  rtc.store(0x10, 4, 1);
  rtc.store(0x10, 4, 1);
  EXPECT_EQ(drives, (std::vector<bool>{false, true, true, true})); // each pends PLIC source 11
  drives.clear();
  rtc.set_state(rtc.state());
  EXPECT_TRUE(drives.empty());
  rtc.store(0x1c, 4, 1);
  EXPECT_EQ(drives, std::vector<bool>{false});
}

TEST(GoldfishRtc, InAMachineTheAlarmReachesThePlicAndWakesAnIdleMachine) {
  // A guest that does nothing but wait (wfi; j .-4, interrupts masked): the machine must skip
  // virtual time to the alarm, then find nothing left that can wake it.
  const auto path = std::filesystem::temp_directory_path() / "retrace-rtc-wfi.bin";
  const std::uint32_t code[] = {0x10500073, 0xffdff06f};
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(code), sizeof code);
  retrace::MachineSpec spec;
  spec.kernel = path.string();
  spec.rtc_epoch_ns = 0;
  retrace::Machine m(spec);
  auto& rtc = m.rtc();
  rtc.store(0x10, 4, 1);
  arm(rtc, 5000);
  EXPECT_EQ(rtc.next_deadline(), 5000u);
  const std::uint32_t bit = 1u << retrace::GoldfishRtc::irq;
  EXPECT_EQ(m.run(4999).reason, retrace::StopReason::limit);
  EXPECT_FALSE(m.plic().state().pending[0] & bit);
  const auto r = m.run(1'000'000);
  EXPECT_EQ(r.reason, retrace::StopReason::idle);
  EXPECT_EQ(r.icount, 5000u);
  EXPECT_TRUE(m.plic().state().pending[0] & bit);
}

} // namespace
