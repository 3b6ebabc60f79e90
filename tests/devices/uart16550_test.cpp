// Tests for include/retrace/devices/uart16550.hpp: registers as Linux's 8250 driver and
// OpenSBI expect them, the RX FIFO with its backlog, the interrupt identification, and when the
// line is driven (each rule as QEMU 7.2's hw/char/serial.c has it; docs/devices.md).
#include "retrace/devices/uart16550.hpp"
#include "retrace/machine/machine.hpp"

#include <filesystem>
#include <fstream>
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

// A UART with its own clock.
struct Clocked {
  std::uint64_t icount = 0;
  retrace::VirtualClock u_clock{icount, 1};
  Uart16550 u{u_clock};
};

TEST(Uart16550, TransmitsAtOnce) {
  Clocked clk;
  auto& u = clk.u;
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
  Clocked clk;
  auto& u = clk.u;
  wr(u, FCR, 0xc7); // FIFO on, both cleared, trigger level 14
  u.receive(std::string(20, 'x') + "yz");
  EXPECT_EQ(u.state().rx.size(), 14u);     // as QEMU's serial_can_receive: up to the trigger level
  EXPECT_EQ(u.state().backlog.size(), 8u); // nothing is dropped
  std::string got;
  while (rd(u, LSR) & 1) got += static_cast<char>(rd(u, RBR));
  EXPECT_EQ(got, std::string(20, 'x') + "yz");
  EXPECT_EQ(rd(u, LSR) & 1, 0u);
  EXPECT_EQ(rd(u, RBR), 0u); // empty reads 0
}

TEST(Uart16550, TogglingTheFifoFlushesIt) {
  Clocked clk;
  auto& u = clk.u;
  u.receive("xy");            // FIFO off: 'x' waits in RBR, 'y' in the backlog
  wr(u, FCR, 0x01);           // enabling the FIFO flushes what was received (as QEMU and a 16550)
  EXPECT_EQ(rd(u, RBR), 'y'); // the backlog refills it
  wr(u, FCR, 0x01);           // no change: nothing flushed
  u.receive("z");
  wr(u, FCR, 0x01);
  EXPECT_EQ(rd(u, RBR), 'z');
}

TEST(Uart16550, WithoutFifoHoldsOneByte) {
  Clocked clk;
  auto& u = clk.u;
  u.receive("ab");
  EXPECT_EQ(u.state().rx.size(), 1u);
  EXPECT_EQ(rd(u, RBR), 'a');
  EXPECT_EQ(rd(u, RBR), 'b');
  EXPECT_EQ(rd(u, LSR) & 1, 0u);
  EXPECT_EQ(rd(u, RBR), 'b'); // as QEMU: RBR keeps the last byte received
}

TEST(Uart16550, InterruptIdentification) {
  Clocked clk;
  auto& u = clk.u;
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
  Clocked clk;
  auto& u = clk.u;
  wr(u, LCR, 0x83); // DLAB, 8N1
  wr(u, 0, 0x01);
  wr(u, 1, 0x00);
  EXPECT_EQ(rd(u, 0), 0x01u);
  wr(u, LCR, 0x03);
  wr(u, THR, 'a'); // with DLAB clear, offset 0 is THR again
  EXPECT_EQ(u.output(), "a");
  wr(u, SCR, 0x5a);
  EXPECT_EQ(rd(u, SCR), 0x5au);
  EXPECT_EQ(rd(u, MSR), 0xb0u);
  EXPECT_EQ(rd(u, MCR), 0x08u); // OUT2 after reset, as QEMU
}

// Every drive of the line, recorded: `true` entries are interrupt requests to the PLIC.
struct Driven : Clocked {
  std::vector<bool> drives;
  Driven() { u.on_irq([this](bool l) { drives.push_back(l); }); }
  // The interrupt requests (high drives) since the last call.
  unsigned raises() {
    unsigned n = 0;
    for (bool l : drives) n += l;
    drives.clear();
    return n;
  }
};

TEST(Uart16550Irq, EnablingEtbeiRaisesThrEmptyOnceAndNothingElseDoes) {
  Driven d;
  wr(d.u, IER, 0x02);
  EXPECT_EQ(d.raises(), 1u);
  // The line stays high, but LSR, MSR, LCR, SCR and rewriting IER unchanged drive nothing.
  for (int i = 0; i < 5; ++i) {
    (void)rd(d.u, LSR);
    (void)rd(d.u, MSR);
    (void)rd(d.u, IER);
    wr(d.u, SCR, i);
    wr(d.u, LCR, 0x03);
    wr(d.u, IER, 0x02);
  }
  EXPECT_TRUE(d.u.irq_level());
  EXPECT_TRUE(d.drives.empty());
}

TEST(Uart16550Irq, ReadingIirAcknowledgesThrEmptyAndDropsTheLine) {
  Driven d;
  wr(d.u, IER, 0x02);
  (void)d.raises();
  EXPECT_EQ(rd(d.u, IIR), 0x02u);
  EXPECT_EQ(d.drives, std::vector<bool>{false});
  d.drives.clear();
  EXPECT_EQ(rd(d.u, IIR), 0x01u); // nothing more, and no drive for a read that reports nothing
  EXPECT_TRUE(d.drives.empty());
}

TEST(Uart16550Irq, EachThrWriteRaisesThrEmptyAgain) {
  Driven d;
  wr(d.u, IER, 0x02);
  (void)d.raises();
  for (int i = 0; i < 3; ++i) {
    wr(d.u, THR, 'a' + i);
    EXPECT_EQ(d.raises(), 1u) << i;
  }
  (void)rd(d.u, IIR);
  wr(d.u, THR, 'z');
  EXPECT_EQ(d.raises(), 1u); // also after an acknowledge
  // Without ETBEI a write drives the line low only.
  wr(d.u, IER, 0x00);
  d.drives.clear();
  wr(d.u, THR, 'q');
  EXPECT_EQ(d.drives, (std::vector<bool>{false, false}));
}

TEST(Uart16550Irq, ReEnablingEtbeiRaisesAgainAfterAnAcknowledge) {
  Driven d;
  wr(d.u, IER, 0x02);
  (void)rd(d.u, IIR); // acknowledged
  d.drives.clear();
  wr(d.u, IER, 0x00);
  EXPECT_EQ(d.drives, std::vector<bool>{false});
  d.drives.clear();
  wr(d.u, IER, 0x02);
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0x02u);
}

TEST(Uart16550Irq, ResettingTheTxFifoRaisesThrEmpty) {
  Driven d;
  wr(d.u, IER, 0x02);
  (void)rd(d.u, IIR);
  d.drives.clear();
  wr(d.u, FCR, 0x01); // FIFO on: toggling resets both FIFOs
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0xc2u);
  wr(d.u, FCR, 0x01); // no toggle, no reset: a drive, but low
  EXPECT_EQ(d.raises(), 0u);
  wr(d.u, FCR, 0x05); // TX FIFO reset
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0xc2u);
}

TEST(Uart16550Irq, EachReceivedByteAndEachRbrReadWithDataLeftRaise) {
  Driven d;
  wr(d.u, IER, 0x01);
  d.drives.clear();
  d.u.receive("abc"); // FIFO off: 'a' in RBR, the rest waits
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0x04u);
  EXPECT_TRUE(d.drives.empty()); // reading IIR for received data drives nothing
  EXPECT_EQ(rd(d.u, RBR), 'a');  // the next byte comes in at once: raised again
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, RBR), 'b');
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, RBR), 'c');
  EXPECT_EQ(d.drives, std::vector<bool>{false});
}

TEST(Uart16550Irq, WithTheFifoDataInterruptsAtTheTriggerLevel) {
  Driven d;
  wr(d.u, FCR, 0x81); // FIFO on, trigger level 8
  wr(d.u, IER, 0x01);
  d.drives.clear();
  d.u.receive("12345678");
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0xc4u);
  EXPECT_EQ(rd(d.u, RBR), '1'); // 7 left: below the level, no interrupt identified
  EXPECT_EQ(rd(d.u, IIR), 0xc1u);
  EXPECT_EQ(d.raises(), 0u);
}

TEST(Uart16550Irq, BelowTheTriggerLevelTheCharacterTimeoutFiresAtItsIcount) {
  Driven d;
  bool attention = false;
  d.u.set_attention(&attention);
  wr(d.u, FCR, 0x81);
  wr(d.u, IER, 0x01);
  d.drives.clear();
  d.icount = 1000;
  d.u.receive("hi");
  EXPECT_EQ(d.raises(), 0u);
  EXPECT_TRUE(attention);
  // Four character times; before any LCR or divisor write, QEMU's 9600 baud reset value.
  const std::uint64_t due = 1000 + 4 * Uart16550::reset_char_ns;
  EXPECT_EQ(d.u.next_deadline(), due);
  d.icount = due - 1;
  d.u.update();
  EXPECT_TRUE(d.drives.empty());
  d.icount = due;
  d.u.update();
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0xccu);
  EXPECT_EQ(d.u.next_deadline(), Uart16550::never);
  EXPECT_EQ(rd(d.u, RBR), 'h'); // clears the timeout; one byte left: re-armed
  EXPECT_EQ(rd(d.u, IIR), 0xc1u);
  EXPECT_EQ(d.u.next_deadline(), due + 4 * Uart16550::reset_char_ns);
}

TEST(Uart16550Irq, CharacterTimeIsQemusForTheLineSettings) {
  Clocked clk;
  wr(clk.u, LCR, 0x83); // DLAB, 8N1
  wr(clk.u, 0, 0x02);   // divisor 2 (Linux's 115200 with a 3.6864 MHz clock): 399193 / 2 baud
  wr(clk.u, 1, 0x00);
  wr(clk.u, LCR, 0x03);
  // QEMU: (1e9 / (float)(399193 / 2)) * 10 bits, in float, truncated
  const float speed = 399193.0f / 2.0f;
  EXPECT_EQ(clk.u.state().char_ns, static_cast<std::uint64_t>((1e9f / speed) * 10.0f));
  EXPECT_EQ(clk.u.state().char_ns, 50101u);
}

TEST(Uart16550Irq, ReadingLsrClearsAnOverrunAndDrivesTheLine) {
  Driven d;
  wr(d.u, MCR, 0x10); // loopback
  wr(d.u, IER, 0x04); // line status
  d.drives.clear();
  wr(d.u, THR, 'a');
  wr(d.u, THR, 'b'); // FIFO off: RBR was full
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0x06u);
  EXPECT_EQ(rd(d.u, LSR) & 0x03, 0x03u);
  EXPECT_EQ(d.drives, std::vector<bool>{false});
  d.drives.clear();
  EXPECT_EQ(rd(d.u, LSR) & 0x03, 0x01u);
  EXPECT_TRUE(d.drives.empty()); // nothing to clear: no drive
  EXPECT_EQ(rd(d.u, RBR), 'b');
}

TEST(Uart16550Irq, LoopbackReceivesWhatIsSentAndLoopsTheModemLines) {
  Driven d;
  std::string seen;
  d.u.on_output([&](char ch) { seen += ch; });
  wr(d.u, FCR, 0x01);
  wr(d.u, MCR, 0x1b); // loop, OUT2, RTS, DTR
  EXPECT_EQ(rd(d.u, MSR), 0xb0u); // DCD, CTS, DSR
  wr(d.u, MCR, 0x14); // loop, OUT1
  EXPECT_EQ(rd(d.u, MSR), 0x40u); // RI
  wr(d.u, IER, 0x01);
  d.drives.clear();
  wr(d.u, THR, 'L');
  EXPECT_EQ(d.raises(), 1u);
  EXPECT_EQ(rd(d.u, IIR), 0xc4u);
  EXPECT_EQ(rd(d.u, RBR), 'L');
  EXPECT_EQ(seen, "");
  EXPECT_EQ(d.u.output(), "");
  wr(d.u, MCR, 0x08);
  wr(d.u, THR, 'o');
  EXPECT_EQ(d.u.output(), "o");
}

TEST(Uart16550Irq, RestoringAStateDrivesNothing) {
  Driven d;
  wr(d.u, IER, 0x02);
  const auto s = d.u.state();
  d.drives.clear();
  d.u.set_state(s);
  EXPECT_TRUE(d.drives.empty());
  EXPECT_TRUE(d.u.irq_level());
}

TEST(Uart16550Irq, InAMachineTheCharacterTimeoutWakesAnIdleMachineAtItsIcountAndRestores) {
  // A guest that only waits (wfi; j .-4, interrupts masked); the UART is set up from outside:
  // FIFO with trigger level 8, received-data interrupts, PLIC source 10 enabled for hart 0.
  const auto path = std::filesystem::temp_directory_path() / "retrace-uart-wfi.bin";
  const std::uint32_t code[] = {0x10500073, 0xffdff06f};
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(code), sizeof code);
  retrace::MachineSpec spec;
  spec.kernel = path.string();
  retrace::Machine m(spec);
  m.plic().store(4 * Uart16550::irq, 4, 1);
  m.plic().store(0x2000, 4, 1u << Uart16550::irq);
  wr(m.uart(), FCR, 0x81);
  wr(m.uart(), IER, 0x01);
  m.schedule(100, {retrace::InputEvent::uart_rx, "hi"}); // 2 bytes: below the trigger level
  EXPECT_EQ(m.run(200).reason, retrace::StopReason::limit);
  const auto snap = m.snapshot();
  const std::uint64_t due = 100 + 4 * Uart16550::reset_char_ns; // 1 ns per instruction
  const std::uint32_t bit = 1u << Uart16550::irq;
  EXPECT_EQ(m.run(due - 1).reason, retrace::StopReason::limit);
  EXPECT_FALSE(m.plic().state().pending[0] & bit);
  auto r = m.run(due + 1'000'000'000);
  EXPECT_EQ(r.reason, retrace::StopReason::idle);
  EXPECT_EQ(r.icount, due);
  EXPECT_TRUE(m.plic().state().pending[0] & bit);
  EXPECT_EQ(m.uart().state().rx.size(), 2u);
  m.restore(snap); // the armed timeout is part of the snapshot
  EXPECT_FALSE(m.plic().state().pending[0] & bit);
  r = m.run(due + 1'000'000'000);
  EXPECT_EQ(r.icount, due);
  EXPECT_TRUE(m.plic().state().pending[0] & bit);
}

} // namespace
