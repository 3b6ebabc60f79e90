// Tests for include/retrace/devices/sifive_test.hpp and htif.hpp.
#include "retrace/devices/goldfish_rtc.hpp"
#include "retrace/devices/htif.hpp"
#include "retrace/devices/sifive_test.hpp"

#include <gtest/gtest.h>

namespace {

TEST(SifiveTest, PassFailReset) {
  retrace::SifiveTest t;
  bool attention = false;
  t.attention = &attention;
  t.store(0, 4, 0x5555);
  ASSERT_TRUE(t.request);
  EXPECT_EQ(t.request->kind, retrace::FinishRequest::exit);
  EXPECT_EQ(t.request->status, 0u);
  EXPECT_TRUE(attention);
  t.request.reset();
  t.store(0, 4, (42u << 16) | 0x3333);
  EXPECT_EQ(t.request->status, 42u);
  t.request.reset();
  t.store(0, 4, 0x7777);
  EXPECT_EQ(t.request->kind, retrace::FinishRequest::reset);
  t.request.reset();
  t.store(0, 4, 0x1234); // anything else is ignored
  EXPECT_FALSE(t.request);
  t.store(4, 4, 0x5555); // other offsets too
  EXPECT_FALSE(t.request);
  t.store(0, 1, 0x55); // and bytes
  EXPECT_FALSE(t.request);
  t.store(0, 2, 0x5555); // OpenSBI's shutdown is a 16-bit write, as QEMU accepts
  ASSERT_TRUE(t.request);
  EXPECT_EQ(t.request->kind, retrace::FinishRequest::exit);
  EXPECT_EQ(t.request->status, 0u);
  t.request.reset();
  EXPECT_FALSE(t.request);
}

TEST(GoldfishRtc, FixedEpochPlusVirtualTime) {
  std::uint64_t icount = 0;
  retrace::VirtualClock rtc_clock{icount, 1};
  retrace::GoldfishRtc rtc(rtc_clock);
  auto read_time = [&] {
    std::uint64_t lo = 0, hi = 0;
    rtc.load(0x00, 4, lo); // latches the high half
    icount += 0x1'0000'0000ull; // time moves between the two reads...
    rtc.load(0x04, 4, hi);      // ...but the latched half is consistent
    icount -= 0x1'0000'0000ull;
    return (hi << 32) | lo;
  };
  EXPECT_EQ(read_time(), retrace::GoldfishRtc::default_epoch_ns); // 2026-01-01T00:00:00Z
  icount = 2'000'000'000; // two virtual seconds
  EXPECT_EQ(read_time(), retrace::GoldfishRtc::default_epoch_ns + 2'000'000'000ull);
  // setting the time moves an offset
  const std::uint64_t want = 1'000'000'000'000'000'000ull;
  rtc.store(0x04, 4, want >> 32);
  rtc.store(0x00, 4, want & 0xffffffff);
  EXPECT_EQ(read_time(), want);
  icount += 5;
  EXPECT_EQ(read_time(), want + 5);
}

TEST(Htif, ExitAndConsole) {
  retrace::Bus bus(0x8000'0000, 1 << 20);
  const std::uint64_t tohost = 0x8000'1000, fromhost = 0x8000'1008;
  retrace::Htif htif(bus, tohost, fromhost);
  bus.watch(tohost, 8, htif);
  std::string out;
  htif.console = [&](char c) { out += c; };
  bus.store(tohost, 8, (1ull << 56) | (1ull << 48) | 'A');
  EXPECT_EQ(out, "A");
  std::uint64_t v = 1;
  bus.load(tohost, 8, v);
  EXPECT_EQ(v, 0u); // acknowledged
  bus.load(fromhost, 8, v);
  EXPECT_EQ(v, (1ull << 56) | (1ull << 48));
  EXPECT_FALSE(htif.request);
  bus.store(tohost, 8, (5u << 1) | 1);
  ASSERT_TRUE(htif.request);
  EXPECT_EQ(htif.request->status, 5u);
}

} // namespace
