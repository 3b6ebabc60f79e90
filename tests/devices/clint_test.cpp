// Tests for include/retrace/devices/clint.hpp: mtime derived from the instruction count,
// mtimecmp deadlines as exact icounts, MSIP/MTIP lines, 32-bit halves.
#include "retrace/devices/clint.hpp"

#include <gtest/gtest.h>

namespace {

using retrace::Clint;

struct ClintTest : ::testing::Test {
  std::uint64_t icount = 0;
  retrace::FixedTime t;
  retrace::Bus bus{0x8000'0000, 1 << 20};
  retrace::Hart hart{0, bus, t};
  retrace::VirtualClock clint_clock{icount, 1};
  Clint clint{clint_clock};
  void SetUp() override { clint.connect({&hart}); }
  std::uint64_t ld(std::uint64_t off, unsigned size = 8) {
    std::uint64_t v = 0;
    EXPECT_TRUE(clint.load(off, size, v));
    return v;
  }
};

TEST_F(ClintTest, MtimeIsIcountOverHundred) {
  EXPECT_EQ(clint.mtime(), 0u);
  icount = 12345;
  EXPECT_EQ(clint.mtime(), 123u);
  EXPECT_EQ(ld(0xbff8), 123u);
  EXPECT_EQ(ld(0xbff8, 4), 123u);
  EXPECT_EQ(ld(0xbffc, 4), 0u);
}

TEST_F(ClintTest, NsPerInstructionScalesTime) {
  retrace::VirtualClock slow_clock{icount, 250};
  Clint slow{slow_clock}; // 250 ns per instruction
  icount = 1000;
  EXPECT_EQ(slow.mtime(), 2500u);
}

TEST_F(ClintTest, DeadlineIsTheExactIcount) {
  EXPECT_EQ(clint.next_deadline(), Clint::never);
  clint.store(0x4000, 8, 50);
  EXPECT_EQ(clint.next_deadline(), 5000u);
  EXPECT_FALSE(hart.state().mip & (1u << 7));
  icount = 4999;
  clint.update();
  EXPECT_FALSE(hart.state().mip & (1u << 7));
  icount = 5000;
  clint.update();
  EXPECT_TRUE(hart.state().mip & (1u << 7));
  EXPECT_EQ(clint.next_deadline(), Clint::never); // already due
  clint.store(0x4000, 8, ~0ull);
  EXPECT_FALSE(hart.state().mip & (1u << 7));
}

TEST_F(ClintTest, MtimecmpHalves) {
  clint.store(0x4000, 4, 0xdeadbeef);
  clint.store(0x4004, 4, 0x1);
  EXPECT_EQ(ld(0x4000), 0x1deadbeefu);
}

TEST_F(ClintTest, SoftwareInterrupt) {
  clint.store(0, 4, 1);
  EXPECT_TRUE(hart.state().mip & (1u << 3));
  EXPECT_EQ(ld(0, 4), 1u);
  clint.store(0, 4, 0);
  EXPECT_FALSE(hart.state().mip & (1u << 3));
}

TEST_F(ClintTest, WritingMtimeMovesTheOffset) {
  icount = 1000;
  clint.store(0xbff8, 8, 500);
  EXPECT_EQ(clint.mtime(), 500u);
  icount = 1100;
  EXPECT_EQ(clint.mtime(), 501u);
}

TEST_F(ClintTest, StoresAskForAttention) {
  bool attention = false;
  clint.attention = &attention;
  clint.store(0x4000, 8, 10);
  EXPECT_TRUE(attention);
}

// Regression (found by Reliability.HostileGuestsPokingRandomMmio... under UBSan): offsets past
// mtime, up to the end of the 64 KiB window, used to be taken as bytes of mtime, shifting by
// thousands of bits. Nothing answers there: reads are 0, writes change nothing.
TEST_F(ClintTest, OffsetsPastMtimeReadZeroAndIgnoreWrites) {
  icount = 12345;
  for (std::uint64_t off : {0xc000ull, 0xc001ull, 0xd000ull, 0xfff8ull, 0xffffull}) {
    for (unsigned size : {1u, 2u, 4u, 8u}) {
      EXPECT_EQ(ld(off, size), 0u) << off;
      EXPECT_TRUE(clint.store(off, size, ~0ull)) << off;
    }
  }
  EXPECT_EQ(clint.mtime(), 123u);
  EXPECT_EQ(ld(0xbff8), 123u);
}

} // namespace
