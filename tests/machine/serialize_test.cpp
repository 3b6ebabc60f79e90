// cereal round trips for everything a snapshot holds: HartState, MachineSpec and the devices'
// state (the replay layer builds snapshots from these).
#include "retrace/devices/clint.hpp"
#include "retrace/devices/goldfish_rtc.hpp"
#include "retrace/devices/plic.hpp"
#include "retrace/devices/uart16550.hpp"
#include "retrace/machine/machine_spec.hpp"

#include <cereal/archives/binary.hpp>
#include <gtest/gtest.h>
#include <sstream>

namespace {

template <class T>
T round_trip(const T& in) {
  std::stringstream ss;
  {
    cereal::BinaryOutputArchive out(ss);
    out(in);
  }
  T back{};
  cereal::BinaryInputArchive ar(ss);
  ar(back);
  return back;
}

TEST(Serialize, HartState) {
  retrace::HartState s;
  for (unsigned i = 0; i < 32; ++i) {
    s.x[i] = 0x1111111111111111ull * i;
    s.f[i] = ~s.x[i];
  }
  s.pc = 0x80001234;
  s.priv = retrace::Priv::s;
  s.waiting = true;
  s.mstatus = 0xa00000088;
  s.satp = (8ull << 60) | 0x80123;
  s.pmpcfg[3] = 0x9f;
  s.pmpaddr[15] = 0x3fffffffffffff;
  s.fcsr = 0xe1;
  s.reservation = 0x80000040;
  s.reservation_valid = true;
  s.minstret = 99;
  s.ext = retrace::isa::ExtSet::rv64gc().with(retrace::isa::Ext::zba); // not the default
  EXPECT_TRUE(round_trip(s) == s);
  EXPECT_EQ(round_trip(s).ext, s.ext);
}

TEST(Serialize, MachineSpec) {
  retrace::MachineSpec s;
  s.harts = 4;
  s.kernel = "k.elf";
  s.bios = "fw.bin";
  s.ram_size = 64 << 20;
  s.ns_per_insn = 3;
  s.quantum = 77;
  EXPECT_TRUE(round_trip(s) == s);
}

TEST(Serialize, UartState) {
  retrace::Uart16550::State s;
  s.ier = 3;
  s.lcr = 0x83;
  s.rx = {1, 2, 3};
  s.backlog = {4, 5};
  s.output = "out";
  s.thr_ipending = true;
  s.timeout_ipending = true;
  s.rbr = 0x42;
  s.char_ns = 50101;
  s.timeout_at = 123456789;
  const auto b = round_trip(s);
  EXPECT_EQ(b.ier, 3);
  EXPECT_EQ(b.lcr, 0x83);
  EXPECT_EQ(b.rx, s.rx);
  EXPECT_EQ(b.backlog, s.backlog);
  EXPECT_EQ(b.output, "out");
  EXPECT_TRUE(b.thr_ipending);
  EXPECT_TRUE(b.timeout_ipending);
  EXPECT_EQ(b.rbr, 0x42);
  EXPECT_EQ(b.char_ns, 50101u);
  EXPECT_EQ(b.timeout_at, 123456789u);
}

TEST(Serialize, PlicState) {
  retrace::Plic::State s;
  s.priority[10] = 7;
  s.pending = {1u << 10, 2, 3};
  s.claimed = {4, 5, 6};
  s.contexts.resize(2);
  s.contexts[1].enable = {7, 8, 9};
  s.contexts[1].threshold = 3;
  const auto b = round_trip(s);
  EXPECT_EQ(b.priority, s.priority);
  EXPECT_EQ(b.pending, s.pending);
  EXPECT_EQ(b.claimed, s.claimed);
  ASSERT_EQ(b.contexts.size(), 2u);
  EXPECT_EQ(b.contexts[1].enable, s.contexts[1].enable);
  EXPECT_EQ(b.contexts[1].threshold, 3u);
}

TEST(Serialize, GoldfishRtcState) {
  retrace::GoldfishRtc::State s;
  s.offset_ns = 11;
  s.alarm = 22;
  s.alarm_clock = 33;
  s.latched_high = 44;
  s.irq_enabled = 1;
  s.alarm_running = 1;
  s.irq_pending = 1;
  const auto b = round_trip(s);
  EXPECT_EQ(b.offset_ns, 11u);
  EXPECT_EQ(b.alarm, 22u);
  EXPECT_EQ(b.alarm_clock, 33u);
  EXPECT_EQ(b.latched_high, 44u);
  EXPECT_EQ(b.irq_enabled + b.alarm_running + b.irq_pending, 3u);
}

TEST(Serialize, ClintState) {
  retrace::Clint::State s;
  s.msip = {1, 0};
  s.mtimecmp = {100, ~0ull};
  s.mtime_offset = 42;
  const auto b = round_trip(s);
  EXPECT_EQ(b.msip, s.msip);
  EXPECT_EQ(b.mtimecmp, s.mtimecmp);
  EXPECT_EQ(b.mtime_offset, 42u);
}

} // namespace
