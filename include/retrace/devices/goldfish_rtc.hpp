#pragma once
/// \file
/// The goldfish RTC at 0x10_1000 (as on QEMU's virt, PLIC source 11): nanoseconds since the Unix
/// epoch, read as TIME_LOW (which latches the high half) then TIME_HIGH. The time is an epoch
/// from the spec (MachineSpec::rtc_epoch_ns) plus the machine's virtual time, never the host
/// clock, so every run reads the same dates. Writing the time moves an offset, as on QEMU. The
/// alarm fires at the exact instruction where the clock reaches it.
///
/// As QEMU 7.2's hw/rtc/goldfish_rtc.c: TIME_HIGH and TIME_LOW writes each replace their half of
/// the current time; ALARM_HIGH replaces the alarm's high half, ALARM_LOW its low half and arms
/// it (an alarm not in the future fires at once). An armed alarm stays on the timer it was armed
/// on: setting the time afterwards does not move it (QEMU's timer runs on the clock under the
/// offset). The line is driven on the alarm, on IRQ_ENABLED writes and on CLEAR_INTERRUPT
/// (goldfish_rtc_update), high when pending and enabled: each high drive pends PLIC source 11.
///
/// Example:
/// \code
///   std::uint64_t icount = 0;
///   retrace::GoldfishRtc rtc(icount, 1, retrace::GoldfishRtc::default_epoch_ns);
///   std::uint64_t lo; rtc.load(0x00, 4, lo);      // 2026-01-01T00:00:00Z, low half
/// \endcode

#include "retrace/devices/device.hpp"
#include "retrace/machine/virtual_clock.hpp"

#include <cstdint>
#include <functional>

namespace retrace {

class GoldfishRtc final : public Device {
public:
  static constexpr std::uint64_t default_base = 0x10'1000;
  static constexpr std::uint64_t size = 0x1000;
  static constexpr unsigned irq = 11;
  static constexpr std::uint64_t never = ~std::uint64_t{0};
  /// 2026-01-01T00:00:00Z: the date every run starts at unless the spec says otherwise.
  static constexpr std::uint64_t default_epoch_ns = 1'767'225'600ull * 1'000'000'000ull;

  /// `clock` is the machine's virtual time; the RTC reads `epoch_ns` plus it.
  explicit GoldfishRtc(const VirtualClock& clock, std::uint64_t epoch_ns = default_epoch_ns)
      : m_clock(clock), m_epoch_ns(epoch_ns) {}

  /// The interrupt line (PLIC source 11) and the flag that makes the run loop re-plan.
  void connect(std::function<void(bool)> set_irq, bool* attention) {
    m_set_irq = std::move(set_irq);
    m_attention = attention;
  }

  [[nodiscard]] std::string_view name() const override { return "goldfish-rtc"; }
  [[nodiscard]] std::uint64_t now_ns() const { return clock_ns() + m_state.offset_ns; }

  /// The icount at which the armed alarm fires, or `never`.
  [[nodiscard]] std::uint64_t next_deadline() const noexcept {
    if (!m_state.alarm_running || m_state.alarm_clock == never) return never;
    if (m_state.alarm_clock <= clock_ns()) return m_clock.icount(); // due now
    return m_clock.icount_at(m_state.alarm_clock - m_epoch_ns);
  }
  /// Fires the alarm if its time has come.
  void update() {
    if (m_state.alarm_running && m_state.alarm_clock != never && clock_ns() >= m_state.alarm_clock) fire();
  }

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
    case 0x18: v = m_state.alarm_running; break; // ALARM_STATUS
    default: v = 0; break;
    }
    return true;
  }
  bool store(std::uint64_t off, unsigned, std::uint64_t v) override {
    const auto w = static_cast<std::uint32_t>(v);
    switch (off) {
    case 0x00: { // TIME_LOW: the low half of the time
      const std::uint64_t now = now_ns();
      m_state.offset_ns += ((now & ~0xffffffffull) | w) - now;
      break;
    }
    case 0x04: { // TIME_HIGH: the high half
      const std::uint64_t now = now_ns();
      m_state.offset_ns += ((now & 0xffffffffull) | (std::uint64_t{w} << 32)) - now;
      break;
    }
    case 0x08: // ALARM_LOW: the low half, and arm
      m_state.alarm = (m_state.alarm & ~0xffffffffull) | w;
      set_alarm();
      break;
    case 0x0c: m_state.alarm = (m_state.alarm & 0xffffffffull) | (std::uint64_t{w} << 32); break;
    case 0x10:
      m_state.irq_enabled = w & 1;
      update_irq();
      break;
    case 0x14: m_state.alarm_running = 0; break; // CLEAR_ALARM
    case 0x1c:                                    // CLEAR_INTERRUPT
      m_state.irq_pending = 0;
      update_irq();
      break;
    default: break;
    }
    return true;
  }
  [[nodiscard]] bool debug_readable() const override { return false; } // TIME_LOW latches

  struct State {
    std::uint64_t offset_ns = 0, alarm = 0;
    std::uint64_t alarm_clock = never; ///< when the armed alarm fires, on the clock under the offset
    std::uint32_t latched_high = 0, irq_enabled = 0, alarm_running = 0, irq_pending = 0;
    template <class A>
    void serialize(A& ar) { ar(offset_ns, alarm, alarm_clock, latched_high, irq_enabled, alarm_running, irq_pending); }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  /// Restores a state (a snapshot, a reset). Drives no line: the PLIC's state is restored with
  /// its own pending bits.
  void set_state(const State& s) { m_state = s; }

private:
  // Virtual time since the Unix epoch without the guest's offset (QEMU's rtc_clock).
  [[nodiscard]] std::uint64_t clock_ns() const { return m_epoch_ns + m_clock.ns(); }
  void update_irq() {
    if (m_set_irq) m_set_irq(m_state.irq_pending && m_state.irq_enabled);
  }
  void fire() {
    m_state.alarm_running = 0;
    m_state.irq_pending = 1;
    update_irq();
  }
  // QEMU's goldfish_rtc_set_alarm: an alarm not in the future fires now, another one is put on
  // the clock (saturating: an alarm beyond 2554 never fires).
  void set_alarm() {
    const std::uint64_t now = now_ns();
    if (m_state.alarm <= now) {
      fire();
      return;
    }
    const std::uint64_t delta = m_state.alarm - now, clock = clock_ns();
    m_state.alarm_clock = delta >= never - clock ? never : clock + delta;
    m_state.alarm_running = 1;
    if (m_attention) *m_attention = true;
  }

  const VirtualClock& m_clock;
  std::uint64_t m_epoch_ns;
  std::function<void(bool)> m_set_irq;
  bool* m_attention = nullptr;
  State m_state;
};

} // namespace retrace
