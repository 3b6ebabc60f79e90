#pragma once
/// \file
/// ns16550a UART as on QEMU's virt (0x1000_0000, IRQ 10, byte registers, reference clock
/// 399193 Hz × 16 as QEMU's serial_mm_init is given). Transmission is instant (THR is empty
/// again when the store returns). Received bytes come from timed input events and wait in a
/// backlog until the UART would take them (as QEMU's serial_can_receive says: one byte with the
/// FIFO off, up to the trigger level with it on), so nothing a script sends is ever dropped.
///
/// The interrupt line follows QEMU 7.2's hw/char/serial.c: the UART drives its line at exactly
/// the points where QEMU's serial_update_irq runs (a THR write, an IER write that changes it, an
/// FCR write, an RBR read, an IIR read that reports THR empty, an LSR read that clears an
/// overrun, a received byte, the character timeout), high if any interrupt is identified then.
/// With QEMU's PLIC each high drive makes source 10 pending once (see plic.hpp): a THR-empty
/// interrupt that is never acknowledged through IIR interrupts once, not forever. Received data
/// interrupts at the FIFO trigger level, or after four character times (the character timeout,
/// IIR 0xcc, at an exact icount). MCR loopback sends transmitted bytes to the receiver.
///
/// Example:
/// \code
///   std::uint64_t icount = 0;
///   retrace::Uart16550 uart(icount, 1);
///   uart.on_irq([](bool level) { /* PLIC source 10 */ });
///   uart.store(1, 1, 0x02);     // IER.ETBEI: THR is empty, so the line goes high once
/// \endcode

#include "retrace/devices/device.hpp"
#include "retrace/machine/virtual_clock.hpp"

#include <algorithm>
#include <cereal/types/deque.hpp>
#include <cereal/types/string.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

namespace retrace {

/// The serial console.
class Uart16550 final : public Device {
public:
  static constexpr std::uint64_t default_base = 0x1000'0000;
  static constexpr std::uint64_t size = 0x100;
  static constexpr unsigned irq = 10;
  static constexpr std::uint64_t never = ~std::uint64_t{0};
  /// QEMU virt's UART clock as serial_mm_init receives it (baud = baudbase / divisor).
  static constexpr std::uint32_t baudbase = 399193;
  /// QEMU's character time before the guest first sets LCR or the divisor (serial_reset).
  static constexpr std::uint64_t reset_char_ns = (1'000'000'000ull / 9600) * 10;

  /// `clock` is the machine's virtual time (character times and the FIFO timeout run on it).
  explicit Uart16550(const VirtualClock& clock) : m_clock(clock) {}
  Uart16550(VirtualClock&&) = delete; // the clock must outlive the UART

  [[nodiscard]] std::string_view name() const override { return "uart0"; }

  /// Called with every byte the guest transmits (e.g. to echo it to the terminal).
  void on_output(std::function<void(char)> f) { m_sink = std::move(f); }
  /// Everything the guest transmitted so far (not what loopback sent to the receiver).
  [[nodiscard]] const std::string& output() const { return m_state.output; }

  /// Delivers received bytes (an input event).
  void receive(const std::string& bytes) {
    for (char c : bytes) m_state.backlog.push_back(static_cast<std::uint8_t>(c));
    refill();
  }
  /// Called whenever the UART drives its interrupt line (wired to the PLIC's source 10): every
  /// call with `true` is an interrupt request, also when the line was high already.
  void on_irq(std::function<void(bool)> f) { m_irq_sink = std::move(f); }
  /// The flag the run loop watches to re-plan when the character timeout is armed.
  void set_attention(bool* attention) { m_attention = attention; }
  /// True while an interrupt is identified (IIR bit 0 clear).
  [[nodiscard]] bool irq_level() const { return (iir_value() & 1) == 0; }

  /// The icount at which the armed character timeout fires, or `never`.
  [[nodiscard]] std::uint64_t next_deadline() const noexcept {
    if (m_state.timeout_at == never) return never;
    return m_clock.icount_at(m_state.timeout_at);
  }
  /// Fires the character timeout if its time has come (QEMU's fifo_timeout_int).
  void update() {
    auto& s = m_state;
    if (s.timeout_at == never || m_clock.ns() < s.timeout_at) return;
    s.timeout_at = never;
    if (!s.rx.empty()) {
      s.timeout_ipending = true;
      update_irq();
    }
  }

  bool load(std::uint64_t off, unsigned, std::uint64_t& v) override {
    auto& s = m_state;
    const bool dlab = s.lcr & 0x80;
    switch (off) {
    case 0:
      if (dlab) {
        v = s.dll;
        break;
      }
      if (fifo()) {
        if (s.rx.empty())
          v = 0;
        else {
          v = s.rx.front();
          s.rx.pop_front();
        }
        if (!s.rx.empty()) arm_timeout();
        s.timeout_ipending = false;
      } else {
        v = s.rbr; // the last byte received, also when none is waiting
        s.rx.clear();
      }
      update_irq();
      refill(); // the backend may hand over the next byte now
      break;
    case 1: v = dlab ? s.dlm : s.ier; break;
    case 2:
      v = iir_value();
      if ((v & 0x06) == 0x02) { // reading IIR when it reports THR empty acknowledges that
        s.thr_ipending = false;
        update_irq();
      }
      break;
    case 3: v = s.lcr; break;
    case 4: v = s.mcr; break;
    case 5:
      v = 0x60 | (s.rx.empty() ? 0 : 0x01) | (s.overrun ? 0x02 : 0); // THRE | TEMT always
      if (s.overrun) {
        s.overrun = false;
        update_irq();
      }
      break;
    case 6:
      if (loopback()) // the modem outputs looped to the inputs: OUT2->DCD, OUT1->RI, RTS->CTS, DTR->DSR
        v = ((s.mcr & 0x0c) << 4) | ((s.mcr & 0x02) << 3) | ((s.mcr & 0x01) << 5);
      else
        v = 0xb0; // DCD, DSR, CTS; the lines never change, so no modem-status interrupt
      break;
    case 7: v = s.scr; break;
    default: v = 0; break;
    }
    return true;
  }

  bool store(std::uint64_t off, unsigned, std::uint64_t value) override {
    auto& s = m_state;
    const auto v = static_cast<std::uint8_t>(value);
    const bool dlab = s.lcr & 0x80;
    switch (off) {
    case 0:
      if (dlab) {
        s.dll = v;
        s.char_ns = char_time();
        break;
      }
      // QEMU: THR full (update), sent at once, THR empty again (thr_ipending, update).
      s.thr_ipending = false;
      update_irq();
      s.thr_ipending = true;
      if (loopback()) {
        deliver(v);
      } else {
        s.output.push_back(static_cast<char>(v));
        if (m_sink) m_sink(static_cast<char>(v));
      }
      update_irq();
      break;
    case 1: {
      if (dlab) {
        s.dlm = v;
        s.char_ns = char_time();
        break;
      }
      const std::uint8_t changed = (s.ier ^ v) & 0x0f;
      s.ier = v & 0x0f;
      // Enabling ETBEI while THR is empty (it always is) raises THR empty, even if IIR had
      // acknowledged it; disabling it forgets it.
      if (changed & 0x02) s.thr_ipending = s.ier & 0x02;
      if (changed) update_irq();
      break;
    }
    case 2: {
      std::uint8_t f = v;
      if ((f ^ s.fcr) & 0x01) f |= 0x06; // toggling the FIFO enable resets both FIFOs
      if (f & 0x02) {                    // RX FIFO reset
        s.rx.clear();
        s.timeout_ipending = false;
        s.timeout_at = never;
      }
      if (f & 0x04) s.thr_ipending = true; // TX FIFO reset: THR empty
      s.fcr = f & 0xc9;
      update_irq();
      refill();
      break;
    }
    case 3:
      s.lcr = v;
      s.char_ns = char_time();
      break;
    case 4: s.mcr = v & 0x1f; break;
    case 7: s.scr = v; break;
    default: break;
    }
    return true;
  }

  struct State {
    std::uint8_t ier = 0, lcr = 0, mcr = 0x08, fcr = 0, scr = 0, dll = 0x0c, dlm = 0; // MCR: OUT2, as QEMU
    std::uint8_t rbr = 0; ///< the last byte received with the FIFO off
    bool thr_ipending = false, overrun = false, timeout_ipending = false;
    std::uint64_t char_ns = reset_char_ns; ///< one character's time on the line (QEMU's char_transmit_time)
    std::uint64_t timeout_at = never;      ///< virtual ns at which the character timeout fires
    std::deque<std::uint8_t> rx, backlog;
    std::string output;
    template <class A>
    void serialize(A& ar) {
      ar(ier, lcr, mcr, fcr, scr, dll, dlm, rbr, thr_ipending, overrun, timeout_ipending, char_ns, timeout_at,
         rx, backlog, output);
    }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  /// Restores a state (a snapshot, a reset). Drives no line: the PLIC's state is restored with
  /// its own pending bits.
  void set_state(const State& s) { m_state = s; }

private:
  static constexpr std::size_t fifo_depth = 16;
  [[nodiscard]] bool fifo() const { return m_state.fcr & 0x01; }
  [[nodiscard]] bool loopback() const { return m_state.mcr & 0x10; }
  [[nodiscard]] std::size_t trigger_level() const {
    static constexpr std::size_t levels[4] = {1, 4, 8, 14};
    return levels[m_state.fcr >> 6];
  }
  // How many bytes the UART takes from the backend now (QEMU's serial_can_receive).
  [[nodiscard]] std::size_t can_receive() const {
    const auto& s = m_state;
    if (!fifo()) return s.rx.empty() ? 1 : 0;
    if (s.rx.size() >= fifo_depth) return 0;
    const std::size_t itl = trigger_level();
    return s.rx.size() <= itl ? itl - s.rx.size() : 1;
  }
  // One character's time for the current LCR and divisor, computed as QEMU's
  // serial_update_parameters does (single-precision float, truncated to ns).
  [[nodiscard]] std::uint64_t char_time() const {
    const auto& s = m_state;
    const unsigned divider = s.dll | (unsigned{s.dlm} << 8);
    const unsigned frame = 1 + ((s.lcr & 0x08) ? 1 : 0) + (s.lcr & 0x03) + 5 + ((s.lcr & 0x04) ? 2 : 1);
    const float speed = divider == 0 ? 3500.0f : static_cast<float>(baudbase) / static_cast<float>(divider);
    return static_cast<std::uint64_t>((1'000'000'000.0f / speed) * static_cast<float>(frame));
  }
  void arm_timeout() {
    m_state.timeout_at = m_clock.ns() + 4 * m_state.char_ns;
    if (m_attention) *m_attention = true;
  }
  // A byte reaches the receiver (QEMU's serial_receive1, one byte), without driving the line.
  void deliver(std::uint8_t c) {
    auto& s = m_state;
    if (fifo()) {
      if (s.rx.size() < fifo_depth)
        s.rx.push_back(c);
      else
        s.overrun = true;
      arm_timeout();
    } else {
      if (!s.rx.empty()) s.overrun = true;
      s.rbr = c;
      s.rx.assign(1, c);
    }
  }
  // The backend hands over what the UART will take, a batch at a time, each batch a receive
  // that drives the line.
  void refill() {
    auto& s = m_state;
    while (!s.backlog.empty()) {
      std::size_t n = std::min(can_receive(), s.backlog.size());
      if (n == 0) break;
      while (n--) {
        deliver(s.backlog.front());
        s.backlog.pop_front();
      }
      update_irq();
    }
  }
  // The interrupt identified now, by priority (QEMU's serial_update_irq).
  [[nodiscard]] std::uint8_t iir_value() const {
    const auto& s = m_state;
    const std::uint8_t fifo_bits = fifo() ? 0xc0 : 0;
    if ((s.ier & 0x04) && s.overrun) return fifo_bits | 0x06;
    if ((s.ier & 0x01) && s.timeout_ipending) return fifo_bits | 0x0c;
    if ((s.ier & 0x01) && !s.rx.empty() && (!fifo() || s.rx.size() >= trigger_level()))
      return fifo_bits | 0x04;
    if ((s.ier & 0x02) && s.thr_ipending) return fifo_bits | 0x02;
    return fifo_bits | 0x01;
  }
  void update_irq() {
    if (m_irq_sink) m_irq_sink(irq_level());
  }

  const VirtualClock& m_clock;
  State m_state;
  std::function<void(char)> m_sink;
  std::function<void(bool)> m_irq_sink;
  bool* m_attention = nullptr;
};

} // namespace retrace
