// Tests for include/retrace/devices/uart16550.hpp: registers as Linux's 8250 driver and
// OpenSBI expect them, the RX FIFO with its backlog, and the interrupt identification.
#include "retrace/devices/uart16550.hpp"

#include <gtest/gtest.h>

namespace {

using retrace::Uart16550;
enum : std::uint64_t { RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

std::uint64_t rd(Uart16550& u, std::uint64_t reg) {
  std::uint64_t v = 0;
  EXPECT_TRUE(u.load(reg, 1, v));
  return v;
}
void wr(Uart16550& u, std::uint64_t reg, std::uint64_t v) { EXPECT_TRUE(u.store(reg, 1, v)); }

TEST(Uart16550, TransmitsAtOnce) {
  Uart16550 u;
  std::string seen;
  u.on_output([&](char c) { seen += c; });
  EXPECT_EQ(rd(u, LSR) & 0x60, 0x60u); // THRE and TEMT
  wr(u, THR, 'h');
  wr(u, THR, 'i');
  EXPECT_EQ(u.output(), "hi");
  EXPECT_EQ(seen, "hi");
  EXPECT_EQ(rd(u, LSR) & 0x60, 0x60u);
}

TEST(Uart16550, ReceiveThroughFifoAndBacklog) {
  Uart16550 u;
  wr(u, FCR, 0x07); // FIFO on, both cleared
  u.receive(std::string(20, 'x') + "yz");
  EXPECT_EQ(u.state().rx.size(), 16u);     // FIFO depth
  EXPECT_EQ(u.state().backlog.size(), 6u); // nothing is dropped
  std::string got;
  while (rd(u, LSR) & 1) got += static_cast<char>(rd(u, RBR));
  EXPECT_EQ(got, std::string(20, 'x') + "yz");
  EXPECT_EQ(rd(u, LSR) & 1, 0u);
  EXPECT_EQ(rd(u, RBR), 0u); // empty reads 0
}

TEST(Uart16550, TogglingTheFifoFlushesIt) {
  Uart16550 u;
  u.receive("xy");            // FIFO off: 'x' waits in RBR, 'y' in the backlog
  wr(u, FCR, 0x01);           // enabling the FIFO flushes what was received (as QEMU and a 16550)
  EXPECT_EQ(rd(u, RBR), 'y'); // the backlog refills it
  wr(u, FCR, 0x01);           // no change: nothing flushed
  u.receive("z");
  wr(u, FCR, 0x01);
  EXPECT_EQ(rd(u, RBR), 'z');
}

TEST(Uart16550, WithoutFifoHoldsOneByte) {
  Uart16550 u;
  u.receive("ab");
  EXPECT_EQ(u.state().rx.size(), 1u);
  EXPECT_EQ(rd(u, RBR), 'a');
  EXPECT_EQ(rd(u, RBR), 'b');
}

TEST(Uart16550, InterruptIdentification) {
  Uart16550 u;
  wr(u, FCR, 0x01);
  EXPECT_EQ(rd(u, IIR), 0xc1u); // FIFOs enabled, no interrupt
  EXPECT_FALSE(u.irq_level());
  wr(u, IER, 0x01); // received data available
  u.receive("q");
  EXPECT_EQ(rd(u, IIR), 0xc4u);
  EXPECT_TRUE(u.irq_level());
  (void)rd(u, RBR);
  EXPECT_EQ(rd(u, IIR), 0xc1u);
  EXPECT_FALSE(u.irq_level());
  // THR empty: raised when ETBEI is enabled, cleared by reading IIR, raised again by a write
  wr(u, IER, 0x03);
  EXPECT_EQ(rd(u, IIR), 0xc2u);
  EXPECT_EQ(rd(u, IIR), 0xc1u);
  wr(u, THR, '!');
  EXPECT_TRUE(u.irq_level());
  // received data has priority over THR empty
  u.receive("r");
  EXPECT_EQ(rd(u, IIR), 0xc4u);
}

TEST(Uart16550, DivisorLatchAndScratch) {
  Uart16550 u;
  wr(u, LCR, 0x83); // DLAB, 8N1
  wr(u, 0, 0x01);
  wr(u, 1, 0x00);
  EXPECT_EQ(rd(u, 0), 0x01u);
  wr(u, LCR, 0x03);
  wr(u, THR, 'a'); // with DLAB clear, offset 0 is THR again
  EXPECT_EQ(u.output(), "a");
  wr(u, SCR, 0x5a);
  EXPECT_EQ(rd(u, SCR), 0x5au);
  EXPECT_EQ(rd(u, MSR) & 0xb0, 0xb0u);
}

} // namespace
