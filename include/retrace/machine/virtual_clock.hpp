#pragma once
/// \file
/// The machine's virtual time, a pure function of its icount and of how many harts share it.
///
/// Harts run one at a time on one host thread, but in virtual time they run side by side, as on
/// QEMU and hardware: while k harts can run, each instruction advances time by ns_per_insn / k
/// nanoseconds, so over a round of turns each of the k harts executes a full
/// 1 / ns_per_insn instructions per virtual nanosecond. The share k is fixed at the start of a
/// turn (Machine::begin_slice) and is 1 while every hart waits, so one hart's time is exactly
/// icount × ns_per_insn as it always was. docs/scheduling.md describes the model.
///
/// Time is kept in units of 1/840 ns: 840 is divisible by every share 1..8, so every step is
/// exact and the clock never rounds (no drift, no host arithmetic differences).
///
/// ```cpp
/// std::uint64_t icount = 0;
/// retrace::VirtualClock clock(icount, 1);
/// icount = 1000;                 // 1000 instructions of one hart: 1000 ns
/// clock.share(2);                // two harts from here on
/// icount = 3000;                 // 2000 more instructions, 1000 of each hart: 1000 ns more
/// assert(clock.ns() == 2000);
/// assert(clock.icount_at(2500) == 4000);
/// ```

#include "retrace/detail/int128.hpp"

#include <cstdint>

namespace retrace {

/// Virtual nanoseconds as a function of the machine's instruction count.
class VirtualClock {
public:
  static constexpr std::uint64_t never = ~std::uint64_t{0};
  static constexpr std::uint64_t units_per_ns = 840; ///< lcm(1..8): every share divides it
  static constexpr unsigned max_share = 8;

  /// `icount` is the machine's instruction counter, read whenever the time is needed.
  VirtualClock(const std::uint64_t& icount, std::uint64_t ns_per_insn) : m_icount(icount), m_ns_per_insn(ns_per_insn) {}

  /// Snapshotted state: the time at `base_icount` (whole ns and 1/840 ns) and the share since.
  struct State {
    std::uint64_t base_icount = 0;
    std::uint64_t base_ns = 0;
    std::uint32_t base_units = 0; ///< < units_per_ns
    std::uint32_t share = 1;      ///< harts that can run, 1..8
    template <class A>
    void serialize(A& ar) { ar(base_icount, base_ns, base_units, share); }
    friend bool operator==(const State&, const State&) = default;
  };

  /// The time now, in virtual ns since reset.
  [[nodiscard]] std::uint64_t ns() const noexcept { return ns_at(m_icount); }

  /// The time at `icount` (>= the base) if the share does not change before then.
  [[nodiscard]] std::uint64_t ns_at(std::uint64_t icount) const noexcept {
    const detail::u128 ns = units_at(icount) / units_per_ns;
    return ns > never ? never : static_cast<std::uint64_t>(ns);
  }

  /// The least icount, not before now, at which the time is at least `ns`, if the share does
  /// not change before then; `never` for a time that is never reached.
  [[nodiscard]] std::uint64_t icount_at(std::uint64_t ns) const noexcept {
    if (ns == never) return never;
    if (ns <= this->ns()) return m_icount;
    const detail::u128 have = units_at(m_s.base_icount);
    const detail::u128 want = static_cast<detail::u128>(ns) * units_per_ns;
    const detail::u128 r = rate();
    const detail::u128 ic = m_s.base_icount + (want - have + r - 1) / r;
    return ic >= never ? never : static_cast<std::uint64_t>(ic);
  }

  /// From now on, `harts` harts share the time (clamped to 1..8). Exact: the time now is kept.
  void share(unsigned harts) noexcept {
    const unsigned k = clamped(harts);
    if (k == m_s.share) return; // the line goes on unchanged; no rebase needed
    const detail::u128 units = units_at(m_icount);
    m_s.base_icount = m_icount;
    m_s.base_ns = static_cast<std::uint64_t>(units / units_per_ns);
    m_s.base_units = static_cast<std::uint32_t>(units % units_per_ns);
    m_s.share = k;
  }
  [[nodiscard]] unsigned sharing() const noexcept { return m_s.share; }
  /// The machine's icount (what the clock reads).
  [[nodiscard]] std::uint64_t icount() const noexcept { return m_icount; }

  [[nodiscard]] const State& state() const noexcept { return m_s; }
  /// Restores a state (a snapshot). Out-of-range fields (a damaged file) are clamped, so the
  /// clock can never divide by zero; snapshot loading refuses them first with a clear error.
  void set_state(const State& s) noexcept {
    m_s = s;
    m_s.share = clamped(s.share);
    m_s.base_units = s.base_units % units_per_ns;
  }
  [[nodiscard]] std::uint64_t ns_per_insn() const noexcept { return m_ns_per_insn; }

private:
  [[nodiscard]] std::uint64_t rate() const noexcept { return m_ns_per_insn * units_per_ns / m_s.share; }
  // The time at `icount` in 1/840 ns, on the current line.
  [[nodiscard]] detail::u128 units_at(std::uint64_t icount) const noexcept {
    return static_cast<detail::u128>(m_s.base_ns) * units_per_ns + m_s.base_units +
           static_cast<detail::u128>(icount - m_s.base_icount) * rate();
  }
  static unsigned clamped(unsigned share) noexcept { return share < 1 ? 1 : share > max_share ? max_share : share; }

  const std::uint64_t& m_icount;
  std::uint64_t m_ns_per_insn;
  State m_s;
};

} // namespace retrace
