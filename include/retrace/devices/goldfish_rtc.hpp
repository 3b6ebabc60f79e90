#pragma once
/// \file
/// The goldfish RTC at 0x10_1000 (as on QEMU's virt, IRQ 11): nanoseconds since the Unix epoch,
/// read as TIME_LOW (which latches the high half) then TIME_HIGH. The time is a fixed epoch plus
/// the machine's virtual time, never the host clock, so every run reads the same dates. Writing
/// the time moves an offset, as on QEMU. The alarm registers are kept but the alarm does not
/// fire (no guest here needs it yet).

#include "retrace/devices/device.hpp"

#include <cstdint>

namespace retrace {

class GoldfishRtc final : public Device {
public:
  static constexpr std::uint64_t default_base = 0x10'1000;
  static constexpr std::uint64_t size = 0x1000;
  /// 2026-01-01T00:00:00Z: the date every run starts at.
  static constexpr std::uint64_t default_epoch_ns = 1'767'225'600ull * 1'000'000'000ull;

  GoldfishRtc(const std::uint64_t& icount, std::uint64_t ns_per_insn) : m_icount(icount), m_ns_per_insn(ns_per_insn) {}

  [[nodiscard]] std::string_view name() const override { return "goldfish-rtc"; }
  [[nodiscard]] std::uint64_t now_ns() const { return default_epoch_ns + m_icount * m_ns_per_insn + m_state.offset_ns; }

  bool load(std::uint64_t off, unsigned, std::uint64_t& v) override {
    switch (off) {
    case 0x00: { // TIME_LOW, latching TIME_HIGH
      const std::uint64_t t = now_ns();
      m_state.latched_high = static_cast<std::uint32_t>(t >> 32);
      v = static_cast<std::uint32_t>(t);
      break;
    }
    case 0x04: v = m_state.latched_high; break;
    case 0x08: v = static_cast<std::uint32_t>(m_state.alarm); break;
    case 0x0c: v = static_cast<std::uint32_t>(m_state.alarm >> 32); break;
    case 0x10: v = m_state.irq_enabled; break;
    case 0x18: v = 0; break; // ALARM_STATUS: no alarm pending
    default: v = 0; break;
    }
    return true;
  }
  bool store(std::uint64_t off, unsigned, std::uint64_t v) override {
    const auto w = static_cast<std::uint32_t>(v);
    switch (off) {
    case 0x00: { // TIME_LOW: set the time (with the high half written before)
      const std::uint64_t want = (std::uint64_t{m_state.pending_high} << 32) | w;
      m_state.offset_ns += want - now_ns();
      break;
    }
    case 0x04: m_state.pending_high = w; break;
    case 0x08: m_state.alarm = (m_state.alarm & ~0xffffffffull) | w; break;
    case 0x0c: m_state.alarm = (m_state.alarm & 0xffffffffull) | (std::uint64_t{w} << 32); break;
    case 0x10: m_state.irq_enabled = w & 1; break;
    default: break;
    }
    return true;
  }
  [[nodiscard]] bool debug_readable() const override { return false; } // TIME_LOW latches

  struct State {
    std::uint64_t offset_ns = 0, alarm = 0;
    std::uint32_t latched_high = 0, pending_high = 0, irq_enabled = 0;
    template <class A>
    void serialize(A& ar) { ar(offset_ns, alarm, latched_high, pending_high, irq_enabled); }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  void set_state(const State& s) { m_state = s; }

private:
  const std::uint64_t& m_icount;
  std::uint64_t m_ns_per_insn;
  State m_state;
};

} // namespace retrace
