#pragma once
/// \file
/// CLINT (ACLINT MSWI + MTIMER) at 0x200_0000: msip per hart at +4*h, mtimecmp at
/// +0x4000 + 8*h, mtime at +0xbff8. mtime is the machine's virtual time (VirtualClock), never
/// the host clock: mtime = virtual ns / 100 (10 MHz).

#include "retrace/cpu/hart.hpp"
#include "retrace/detail/int128.hpp"
#include "retrace/devices/device.hpp"
#include "retrace/machine/virtual_clock.hpp"

#include <cereal/types/vector.hpp>
#include <cstdint>
#include <limits>
#include <vector>

namespace retrace {

/// Core-local interruptor: software and timer interrupts, and the time base.
class Clint final : public Device, public TimeSource {
public:
  static constexpr std::uint64_t default_base = 0x200'0000;
  static constexpr std::uint64_t size = 0x10000;
  static constexpr std::uint64_t never = std::numeric_limits<std::uint64_t>::max();

  /// `clock` is the machine's virtual time, read whenever time is needed.
  explicit Clint(const VirtualClock& clock) : m_clock(clock) {}

  /// Connects the harts whose MSIP/MTIP lines this CLINT drives.
  void connect(std::vector<Hart*> harts) {
    m_harts = std::move(harts);
    m_state.msip.assign(m_harts.size(), 0);
    m_state.mtimecmp.assign(m_harts.size(), never);
    update();
  }

  [[nodiscard]] std::string_view name() const override { return "clint"; }
  [[nodiscard]] std::uint64_t mtime() const override {
    return m_clock.ns() / 100 + m_state.mtime_offset;
  }

  bool load(std::uint64_t off, unsigned sz, std::uint64_t& v) override {
    v = 0;
    if (off < 0x4000) {
      const auto h = off / 4;
      if (h < m_state.msip.size() && sz == 4 && off % 4 == 0) v = m_state.msip[h];
      return true;
    }
    if (off >= 0x4000 && off < 0xbff8) {
      const auto h = (off - 0x4000) / 8;
      if (h < m_state.mtimecmp.size()) v = part(m_state.mtimecmp[h], off & 7, sz);
      return true;
    }
    if (off >= 0xbff8 && off < 0xc000) v = part(mtime(), off - 0xbff8, sz);
    return true; // above mtime, up to the end of the window, nothing answers: reads are 0
  }

  bool store(std::uint64_t off, unsigned sz, std::uint64_t v) override {
    if (off < 0x4000) {
      const auto h = off / 4;
      if (h < m_state.msip.size() && off % 4 == 0) m_state.msip[h] = static_cast<std::uint32_t>(v & 1);
    } else if (off < 0xbff8) {
      const auto h = (off - 0x4000) / 8;
      if (h < m_state.mtimecmp.size()) m_state.mtimecmp[h] = merge(m_state.mtimecmp[h], off & 7, sz, v);
    } else if (off < 0xc000) {
      const std::uint64_t t = merge(mtime(), off - 0xbff8, sz, v);
      m_state.mtime_offset += t - mtime();
    } // above mtime: writes are ignored
    update();
    if (attention) *attention = true; // deadlines may have moved
    return true;
  }

  /// Recomputes every hart's MSIP and MTIP lines from the current time.
  void update() {
    const std::uint64_t now = mtime();
    for (std::size_t h = 0; h < m_harts.size(); ++h) {
      m_harts[h]->set_interrupt(Interrupt::msi, m_state.msip[h] != 0);
      m_harts[h]->set_interrupt(Interrupt::mti, now >= m_state.mtimecmp[h]);
      m_harts[h]->update_stimer(now); // Sstc: STIP from the hart's stimecmp, against the same mtime
    }
  }

  /// The first icount after `now_icount` at which some hart's MTIP rises (or, with Sstc, its
  /// STIP: Hart::stimer_compare), or `never`.
  [[nodiscard]] std::uint64_t next_deadline() const {
    std::uint64_t best = never;
    const std::uint64_t now = mtime();
    const auto consider = [&](std::uint64_t cmp) {
      if (cmp <= now || cmp == never) return;
      // least icount with ns / 100 + offset >= cmp
      const detail::u128 ns = static_cast<detail::u128>(cmp - m_state.mtime_offset) * 100;
      const std::uint64_t ic = ns >= never ? never : m_clock.icount_at(static_cast<std::uint64_t>(ns));
      if (ic < best) best = ic;
    };
    for (auto cmp : m_state.mtimecmp) consider(cmp);
    for (const Hart* h : m_harts) consider(h->stimer_compare());
    return best;
  }

  /// Snapshotted state.
  struct State {
    std::vector<std::uint32_t> msip;
    std::vector<std::uint64_t> mtimecmp;
    std::uint64_t mtime_offset = 0;
    template <class A>
    void serialize(A& ar) { ar(msip, mtimecmp, mtime_offset); }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  void set_state(const State& s) {
    m_state = s;
    update();
  }
  /// Set on every store, so the run loop re-reads next_deadline().
  bool* attention = nullptr;

private:
  static std::uint64_t part(std::uint64_t reg, std::uint64_t byte, unsigned sz) {
    const std::uint64_t v = reg >> (8 * byte);
    return sz >= 8 ? v : v & ((1ull << (8 * sz)) - 1);
  }
  static std::uint64_t merge(std::uint64_t reg, std::uint64_t byte, unsigned sz, std::uint64_t v) {
    const std::uint64_t mask = (sz >= 8 ? ~0ull : ((1ull << (8 * sz)) - 1)) << (8 * byte);
    return (reg & ~mask) | ((v << (8 * byte)) & mask);
  }

  const VirtualClock& m_clock;
  std::vector<Hart*> m_harts;
  State m_state;
};

} // namespace retrace
