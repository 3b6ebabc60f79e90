// Tests for include/retrace/devices/plic.hpp: when a source becomes pending, is delivered and
// pends again, as QEMU 7.2's hw/intc/sifive_plic.c (docs/devices.md, "Interrupts as QEMU's virt
// delivers them"), and the register layout around it.
#include "retrace/devices/plic.hpp"
#include "retrace/devices/uart16550.hpp"

#include <gtest/gtest.h>

namespace {

using retrace::Plic;

constexpr std::uint64_t pending_reg = 0x1000;
constexpr std::uint64_t enable(unsigned ctx) { return 0x2000 + 0x80 * ctx; }
constexpr std::uint64_t threshold(unsigned ctx) { return 0x20'0000 + 0x1000 * ctx; }
constexpr std::uint64_t claim_reg(unsigned ctx) { return threshold(ctx) + 4; }
constexpr std::uint64_t meip = 1u << 11, seip = 1u << 9;

struct PlicTest : ::testing::Test {
  retrace::FixedTime t;
  retrace::Bus bus{0x8000'0000, 1 << 20};
  retrace::Hart h0{0, bus, t}, h1{1, bus, t};
  Plic plic;
  void SetUp() override {
    plic.connect({&h0, &h1});
    for (unsigned s = 1; s < 12; ++s) st(4 * s, 1); // priority 1
    st(enable(0), ~0u);                             // hart 0, M: every source
  }
  std::uint32_t ld(std::uint64_t off) {
    std::uint64_t v = 0;
    EXPECT_TRUE(plic.load(off, 4, v));
    return static_cast<std::uint32_t>(v);
  }
  void st(std::uint64_t off, std::uint32_t v) { EXPECT_TRUE(plic.store(off, 4, v)); }
  std::uint32_t claim(unsigned ctx = 0) { return ld(claim_reg(ctx)); }
  void complete(std::uint32_t src, unsigned ctx = 0) { st(claim_reg(ctx), src); }
  bool meip0() { return h0.state().mip & meip; }
};

TEST_F(PlicTest, ARaisedLineIsDeliveredOnceAndClaimClearsIt) {
  plic.set_level(10, true);
  EXPECT_EQ(ld(pending_reg), 1u << 10);
  EXPECT_TRUE(meip0());
  EXPECT_EQ(claim(), 10u);
  EXPECT_EQ(ld(pending_reg), 0u);
  EXPECT_FALSE(meip0());
  EXPECT_EQ(claim(), 0u); // nothing else
}

TEST_F(PlicTest, ALineThatStaysHighDoesNotPendAgainAtComplete) {
  // The THR-empty storm: the UART's line is high and stays high; after complete, QEMU 7.2's
  // PLIC has nothing pending (no level is sampled at completion).
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 10u);
  complete(10);
  EXPECT_EQ(ld(pending_reg), 0u);
  EXPECT_FALSE(meip0());
  EXPECT_EQ(claim(), 0u);
}

TEST_F(PlicTest, EveryHighDrivePendsAgainAlsoWhileHigh) {
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 10u);
  complete(10);
  plic.set_level(10, true); // driven high again (it never went low)
  EXPECT_TRUE(meip0());
  EXPECT_EQ(claim(), 10u);
}

TEST_F(PlicTest, LoweringTheLineLeavesThePendingBit) {
  plic.set_level(10, true);
  plic.set_level(10, false);
  EXPECT_EQ(ld(pending_reg), 1u << 10);
  EXPECT_EQ(claim(), 10u); // delivered although the device has dropped it
}

TEST_F(PlicTest, ARaiseWhileClaimedPendsButWaitsForComplete) {
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 10u);
  plic.set_level(10, true);
  EXPECT_EQ(ld(pending_reg), 1u << 10); // visible in the pending register
  EXPECT_FALSE(meip0());                // but not delivered
  EXPECT_EQ(claim(), 0u);
  complete(10);
  EXPECT_TRUE(meip0());
  EXPECT_EQ(claim(), 10u);
  complete(10);
  EXPECT_EQ(claim(), 0u);
}

TEST_F(PlicTest, AnEnableWriteReEvaluatesNothingAsQemu) {
  st(enable(0), 0);
  plic.set_level(10, true); // pending, not enabled
  EXPECT_FALSE(meip0());
  st(enable(0), 1u << 10);
  EXPECT_FALSE(meip0()); // QEMU's enable write does not run sifive_plic_update
  const auto s = plic.state();
  st(threshold(0), 0); // a threshold write does
  EXPECT_TRUE(meip0());
  plic.set_state(s); // a restore drives the lines as they were, not re-evaluated
  EXPECT_FALSE(meip0());
  st(4 * 10, 1); // so does a priority write
  EXPECT_TRUE(meip0());
  st(enable(0), 0);
  EXPECT_TRUE(meip0());   // disabling: the line stays until the next evaluation
  EXPECT_EQ(claim(), 0u); // a claim evaluates, even when it finds nothing
  EXPECT_FALSE(meip0());
  st(enable(0), 1u << 10);
  EXPECT_EQ(claim(), 10u); // a claim reads the enables as they are
}

TEST_F(PlicTest, PriorityThresholdAndTies) {
  plic.set_level(11, true);
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 10u); // equal priority: the lower id
  complete(10);
  st(4 * 11, 3);
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 11u); // higher priority first
  complete(11);
  plic.set_level(11, true);
  st(threshold(0), 1); // priority 1 (source 10) is not above threshold 1; 3 (source 11) is
  EXPECT_EQ(claim(), 11u);
  complete(11);
  EXPECT_FALSE(meip0());
  EXPECT_EQ(claim(), 0u);
  st(threshold(0), 9);
  EXPECT_EQ(ld(threshold(0)), 1u); // WARL, as QEMU: value % 8
  st(threshold(0), 0);
  EXPECT_EQ(claim(), 10u);
  complete(10);
  st(4 * 10, 0); // priority 0 never interrupts
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 0u);
}

TEST_F(PlicTest, CompletingAnUnclaimedOrUnknownSourceChangesNothing) {
  complete(10);
  complete(0);
  complete(96);
  complete(0xffffffff);
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 10u);
  complete(11); // another source: 10 stays claimed
  plic.set_level(10, true);
  EXPECT_FALSE(meip0());
  complete(10);
  EXPECT_TRUE(meip0());
}

TEST_F(PlicTest, ContextsReachTheirHartAndMode) {
  st(enable(0), 0);
  st(enable(3), 1u << 5); // hart 1, S-mode
  plic.set_level(5, true);
  EXPECT_FALSE(meip0());
  EXPECT_TRUE(h1.state().mip & seip);
  EXPECT_FALSE(h1.state().mip & meip);
  EXPECT_EQ(claim(0), 0u); // not enabled for hart 0
  EXPECT_EQ(claim(3), 5u);
  EXPECT_FALSE(h1.state().mip & seip);
}

TEST_F(PlicTest, RegistersReadBackAsQemus) {
  st(enable(0), 0xffffffff);
  EXPECT_EQ(ld(enable(0)), 0xffffffffu); // bit 0 (no source) too
  st(4 * 7, 12);
  EXPECT_EQ(ld(4 * 7), 4u);  // priority % 8
  EXPECT_EQ(ld(4 * 96), 0u); // past the last source: reads 0
  EXPECT_EQ(ld(4 * 97), 0u);
  plic.set_level(0, true); // there is no source 0
  plic.set_level(96, true);
  EXPECT_EQ(ld(pending_reg), 0u);
}

TEST_F(PlicTest, ConnectResetsEverything) {
  plic.set_level(10, true);
  EXPECT_EQ(claim(), 10u);
  plic.set_level(10, true);
  plic.connect({&h0, &h1});
  EXPECT_EQ(ld(pending_reg), 0u);
  EXPECT_EQ(ld(4 * 10), 0u);
  EXPECT_EQ(ld(enable(0)), 0u);
  EXPECT_FALSE(meip0());
}

TEST_F(PlicTest, StateRoundTripsAndRestoresTheHartLines) {
  plic.set_level(10, true);
  const auto s = plic.state();
  EXPECT_EQ(claim(), 10u);
  EXPECT_FALSE(meip0());
  plic.set_state(s);
  EXPECT_TRUE(meip0());
  EXPECT_EQ(claim(), 10u);
}

// The kernel that hung: a UART with ETBEI enabled whose driver never reads IIR. Once through
// the PLIC, then nothing until the guest touches the UART again.
TEST_F(PlicTest, UartThrEmptyNeverAcknowledgedInterruptsOnce) {
  std::uint64_t icount = 0;
  retrace::VirtualClock uart_clock{icount, 1};
  retrace::Uart16550 uart{uart_clock};
  uart.on_irq([&](bool level) { plic.set_level(retrace::Uart16550::irq, level); });
  uart.store(1, 1, 0x02); // IER.ETBEI
  unsigned interrupts = 0;
  for (int i = 0; i < 100 && meip0(); ++i) {
    const auto src = claim();
    if (src == 10) ++interrupts;
    complete(src);
  }
  EXPECT_EQ(interrupts, 1u);
  EXPECT_TRUE(uart.irq_level()); // the UART's line is still high
  // Each THR write raises it once more.
  for (int k = 0; k < 3; ++k) {
    uart.store(0, 1, 'x');
    ASSERT_TRUE(meip0());
    EXPECT_EQ(claim(), 10u);
    complete(10);
    EXPECT_FALSE(meip0());
  }
}

} // namespace
