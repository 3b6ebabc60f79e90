#pragma once
/// \file
/// The PLIC at 0xc00_0000 with QEMU virt's layout: 96 sources (1..95), two contexts per hart
/// (2h = M-mode -> MEIP, 2h+1 = S-mode -> SEIP). Priority at 4*src, pending bits at 0x1000,
/// enables at 0x2000 + 0x80*ctx, threshold at 0x20_0000 + 0x1000*ctx, claim/complete at +4.
///
/// When a source becomes pending is QEMU 7.2's (hw/intc/sifive_plic.c, as Debian's 7.2.22 and
/// upstream since 7.2.15 have it), because a guest can tell: a device that drives its line high
/// sets the source pending, every time it does so, whether the line was high already or not
/// (sifive_plic_irq_request); driving it low changes nothing. A claim clears the pending bit and
/// marks the source claimed; a claimed source may pend again but is not delivered until it is
/// completed; completing only clears the claim. There is no level sampled at completion: a line
/// that stays high does not pend again until its device drives it again, so a UART whose
/// THR-empty interrupt is never acknowledged interrupts once, not forever. The hart lines are
/// re-evaluated where QEMU's sifive_plic_update runs: at a raise, a claim, a complete, a priority
/// or threshold write, but not at an enable write. docs/devices.md,
/// "Interrupts as QEMU's virt delivers them", has every rule.

#include "retrace/cpu/hart.hpp"
#include "retrace/devices/device.hpp"

#include <array>
#include <cereal/types/array.hpp>
#include <cereal/types/vector.hpp>
#include <cstdint>
#include <vector>

namespace retrace {

/// Platform-level interrupt controller.
class Plic final : public Device {
public:
  static constexpr std::uint64_t default_base = 0xc00'0000;
  static constexpr std::uint64_t size = 0x60'0000;
  static constexpr unsigned sources = 96;
  static constexpr unsigned words = sources / 32;

  [[nodiscard]] std::string_view name() const override { return "plic"; }

  /// Connects the harts, contexts 2 per hart (M, S), and resets everything (as QEMU's
  /// sifive_plic_reset: priorities, pending, claims, enables and thresholds all 0).
  void connect(std::vector<Hart*> harts) {
    m_harts = std::move(harts);
    m_state = State{};
    m_state.contexts.assign(2 * m_harts.size(), Context{});
    update();
  }

  /// A device drove its interrupt line (QEMU's qemu_set_irq): high sets the source pending,
  /// also when it was high before; low changes nothing (sifive_plic_irq_request).
  void set_level(unsigned source, bool level) {
    if (source == 0 || source >= sources || !level) return;
    set_bit(m_state.pending, source, true);
    update();
  }

  bool load(std::uint64_t off, unsigned sz, std::uint64_t& v) override {
    v = 0;
    if (sz != 4 || off % 4) return true; // as QEMU: only 32-bit accesses do anything
    if (off < 0x1000) {
      if (off / 4 < sources) v = m_state.priority[off / 4];
    } else if (off < 0x1000 + 4 * words) {
      v = m_state.pending[(off - 0x1000) / 4];
    } else if (off >= 0x2000 && off < 0x20'0000) {
      const auto ctx = (off - 0x2000) / 0x80, word = (off - 0x2000) % 0x80 / 4;
      if (ctx < m_state.contexts.size() && word < words) v = m_state.contexts[ctx].enable[word];
    } else if (off >= 0x20'0000) {
      const auto ctx = (off - 0x20'0000) / 0x1000, reg = (off - 0x20'0000) % 0x1000;
      if (ctx < m_state.contexts.size()) {
        if (reg == 0) v = m_state.contexts[ctx].threshold;
        else if (reg == 4) v = claim(static_cast<unsigned>(ctx));
      }
    }
    return true;
  }

  bool store(std::uint64_t off, unsigned sz, std::uint64_t v) override {
    if (sz != 4 || off % 4) return true;
    const auto val = static_cast<std::uint32_t>(v);
    if (off < 0x1000) {
      const auto src = off / 4;
      if (src > 0 && src < sources) {
        m_state.priority[src] = val & 7;
        update();
      }
    } else if (off >= 0x2000 && off < 0x20'0000) {
      // As QEMU: an enable write re-evaluates nothing (bit 0 reads back as written, too); the
      // hart lines follow at the next claim, complete, priority or threshold write, or raise.
      const auto ctx = (off - 0x2000) / 0x80, word = (off - 0x2000) % 0x80 / 4;
      if (ctx < m_state.contexts.size() && word < words) m_state.contexts[ctx].enable[word] = val;
    } else if (off >= 0x20'0000) {
      const auto ctx = (off - 0x20'0000) / 0x1000, reg = (off - 0x20'0000) % 0x1000;
      if (ctx < m_state.contexts.size()) {
        if (reg == 0) {
          m_state.contexts[ctx].threshold = val & 7;
          update();
        } else if (reg == 4) {
          complete(val);
        }
      }
    }
    return true;
  }

  struct Context {
    std::array<std::uint32_t, words> enable{};
    std::uint32_t threshold = 0;
    bool line = false; ///< the hart line (MEIP or SEIP) as last driven
    template <class A>
    void serialize(A& ar) { ar(enable, threshold, line); }
  };
  struct State {
    std::array<std::uint32_t, sources> priority{};
    std::array<std::uint32_t, words> pending{}, claimed{};
    std::vector<Context> contexts;
    template <class A>
    void serialize(A& ar) { ar(priority, pending, claimed, contexts); }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  /// Restores a state, hart lines as they were driven (not re-evaluated: an enable written since
  /// the last evaluation stays unseen, as it was).
  void set_state(const State& s) {
    m_state = s;
    drive();
  }

private:
  static bool bit(const std::array<std::uint32_t, words>& a, unsigned s) { return (a[s / 32] >> (s % 32)) & 1; }
  static void set_bit(std::array<std::uint32_t, words>& a, unsigned s, bool v) {
    if (v) a[s / 32] |= 1u << (s % 32);
    else a[s / 32] &= ~(1u << (s % 32));
  }
  // The pending, unclaimed, enabled source of highest priority above the threshold (lowest id
  // on ties), as sifive_plic_claimed.
  [[nodiscard]] unsigned best(unsigned ctx) const {
    const auto& c = m_state.contexts[ctx];
    unsigned best_src = 0, best_prio = 0;
    for (unsigned s = 1; s < sources; ++s) {
      if (!bit(m_state.pending, s) || bit(m_state.claimed, s) || !bit(c.enable, s)) continue;
      const auto p = m_state.priority[s];
      if (p > c.threshold && p > best_prio) {
        best_prio = p;
        best_src = s;
      }
    }
    return best_src;
  }
  std::uint32_t claim(unsigned ctx) {
    const unsigned s = best(ctx);
    if (s) {
      set_bit(m_state.pending, s, false);
      set_bit(m_state.claimed, s, true);
    }
    update(); // also when there was nothing to claim
    return s;
  }
  // Only the claim is cleared: a source pends again only when its device drives its line.
  void complete(std::uint32_t s) {
    if (s >= sources) return;
    set_bit(m_state.claimed, s, false);
    update();
  }
  // Re-evaluates every context's line (QEMU's sifive_plic_update).
  void update() {
    for (std::size_t c = 0; c < m_state.contexts.size(); ++c)
      m_state.contexts[c].line = best(static_cast<unsigned>(c)) != 0;
    drive();
  }
  void drive() {
    for (std::size_t h = 0; h < m_harts.size() && 2 * h + 1 < m_state.contexts.size(); ++h) {
      m_harts[h]->set_interrupt(Interrupt::mei, m_state.contexts[2 * h].line);
      m_harts[h]->set_interrupt(Interrupt::sei, m_state.contexts[2 * h + 1].line);
    }
  }

  std::vector<Hart*> m_harts;
  State m_state;
};

} // namespace retrace
