#pragma once
/// \file
/// ns16550a UART as on QEMU's virt (0x1000_0000, IRQ 10, byte registers). Transmission is
/// instant (THR is always empty); received bytes come from timed input events and wait in a
/// backlog until the 16-byte RX FIFO has room, so nothing a script sends is ever dropped.

#include "retrace/devices/device.hpp"

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

  [[nodiscard]] std::string_view name() const override { return "uart0"; }

  /// Called with every byte the guest transmits (e.g. to echo it to the terminal).
  void on_output(std::function<void(char)> f) { m_sink = std::move(f); }
  /// Everything the guest transmitted so far.
  [[nodiscard]] const std::string& output() const { return m_state.output; }

  /// Delivers received bytes (an input event).
  void receive(const std::string& bytes) {
    for (char c : bytes) m_state.backlog.push_back(static_cast<std::uint8_t>(c));
    refill();
    notify();
  }
  /// Called whenever the interrupt line changes level (wired to the PLIC's source 10).
  void on_irq(std::function<void(bool)> f) {
    m_irq_sink = std::move(f);
    m_irq = irq_level();
    if (m_irq_sink) m_irq_sink(m_irq);
  }
  /// The interrupt line (to the PLIC).
  [[nodiscard]] bool irq_level() const {
    return (iir_value() & 1) == 0;
  }

  bool load(std::uint64_t off, unsigned, std::uint64_t& v) override {
    auto& s = m_state;
    const bool dlab = s.lcr & 0x80;
    switch (off) {
    case 0:
      if (dlab) { v = s.dll; break; }
      if (!s.rx.empty()) {
        v = s.rx.front();
        s.rx.pop_front();
        refill();
      } else v = 0;
      break;
    case 1: v = dlab ? s.dlm : s.ier; break;
    case 2:
      v = iir_value();
      if ((v & 0x0f) == 0x02) s.thr_ipending = false; // reading IIR clears a THRE interrupt
      break;
    case 3: v = s.lcr; break;
    case 4: v = s.mcr; break;
    case 5:
      v = 0x60 | (s.rx.empty() ? 0 : 0x01) | (s.overrun ? 0x02 : 0); // THRE | TEMT always
      s.overrun = false;
      break;
    case 6: v = 0xb0; break; // DCD, DSR, CTS
    case 7: v = s.scr; break;
    default: v = 0; break;
    }
    notify();
    return true;
  }

  bool store(std::uint64_t off, unsigned, std::uint64_t value) override {
    auto& s = m_state;
    const auto v = static_cast<std::uint8_t>(value);
    const bool dlab = s.lcr & 0x80;
    switch (off) {
    case 0:
      if (dlab) { s.dll = v; break; }
      s.output.push_back(static_cast<char>(v));
      if (m_sink) m_sink(static_cast<char>(v));
      s.thr_ipending = true; // sent at once: THR is empty again
      break;
    case 1:
      if (dlab) { s.dlm = v; break; }
      if ((v & 0x02) && !(s.ier & 0x02)) s.thr_ipending = true;
      s.ier = v & 0x0f;
      break;
    case 2: {
      // As a 16550 (and QEMU): toggling the FIFO enable flushes the FIFOs; bit 1 flushes RX.
      const bool flush = (v & 0x02) || ((v ^ s.fcr) & 0x01);
      s.fcr = v;
      if (flush) {
        s.rx.clear();
        refill();
      }
      break;
    }
    case 3: s.lcr = v; break;
    case 4: s.mcr = v & 0x1f; break;
    case 7: s.scr = v; break;
    default: break;
    }
    notify();
    return true;
  }

  struct State {
    std::uint8_t ier = 0, lcr = 0, mcr = 0, fcr = 0, scr = 0, dll = 0x0c, dlm = 0;
    bool thr_ipending = false, overrun = false;
    std::deque<std::uint8_t> rx, backlog;
    std::string output;
    template <class A>
    void serialize(A& ar) { ar(ier, lcr, mcr, fcr, scr, dll, dlm, thr_ipending, overrun, rx, backlog, output); }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  void set_state(const State& s) {
    m_state = s;
    notify();
  }

private:
  static constexpr std::size_t fifo_depth = 16;
  void refill() {
    const std::size_t depth = (m_state.fcr & 1) ? fifo_depth : 1;
    while (m_state.rx.size() < depth && !m_state.backlog.empty()) {
      m_state.rx.push_back(m_state.backlog.front());
      m_state.backlog.pop_front();
    }
  }
  [[nodiscard]] std::uint8_t iir_value() const {
    const auto& s = m_state;
    const std::uint8_t fifo = (s.fcr & 1) ? 0xc0 : 0;
    if ((s.ier & 0x04) && s.overrun) return fifo | 0x06;
    if ((s.ier & 0x01) && !s.rx.empty()) return fifo | 0x04;
    if ((s.ier & 0x02) && s.thr_ipending) return fifo | 0x02;
    return fifo | 0x01;
  }

  void notify() {
    const bool level = irq_level();
    if (level != m_irq) {
      m_irq = level;
      if (m_irq_sink) m_irq_sink(level);
    }
  }

  State m_state;
  std::function<void(char)> m_sink;
  std::function<void(bool)> m_irq_sink;
  bool m_irq = false;
};

} // namespace retrace
