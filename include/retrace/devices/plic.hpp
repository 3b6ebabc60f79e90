#pragma once
/// \file
/// The PLIC at 0xc00_0000 with QEMU virt's layout: 96 sources (1..95), two contexts per hart
/// (2h = M-mode -> MEIP, 2h+1 = S-mode -> SEIP). Priority at 4*src, pending bits at 0x1000,
/// enables at 0x2000 + 0x80*ctx, threshold at 0x20_0000 + 0x1000*ctx, claim/complete at +4.
/// Sources are level-triggered through a gateway: a claimed source cannot pend again until it
/// is completed.

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

  /// Connects the harts; contexts are 2 per hart (M, S).
  void connect(std::vector<Hart*> harts) {
    m_harts = std::move(harts);
    m_state.contexts.assign(2 * m_harts.size(), Context{});
    update();
  }

  /// A device's interrupt line changed.
  void set_level(unsigned source, bool level) {
    if (source == 0 || source >= sources) return;
    set_bit(m_state.level, source, level);
    if (level && !bit(m_state.claimed, source)) set_bit(m_state.pending, source, true);
    update();
  }

  bool load(std::uint64_t off, unsigned sz, std::uint64_t& v) override {
    v = 0;
    if (sz != 4 || off % 4) return true; // as QEMU: only 32-bit accesses do anything
    if (off < 0x1000) {
      v = m_state.priority[off / 4 % sources];
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
      if (src > 0 && src < sources) m_state.priority[src] = val & 7;
    } else if (off >= 0x2000 && off < 0x20'0000) {
      const auto ctx = (off - 0x2000) / 0x80, word = (off - 0x2000) % 0x80 / 4;
      if (ctx < m_state.contexts.size() && word < words)
        m_state.contexts[ctx].enable[word] = word == 0 ? (val & ~1u) : val; // source 0 does not exist
    } else if (off >= 0x20'0000) {
      const auto ctx = (off - 0x20'0000) / 0x1000, reg = (off - 0x20'0000) % 0x1000;
      if (ctx < m_state.contexts.size()) {
        if (reg == 0) m_state.contexts[ctx].threshold = val & 7;
        else if (reg == 4) complete(static_cast<unsigned>(val));
      }
    }
    update();
    return true;
  }

  struct Context {
    std::array<std::uint32_t, words> enable{};
    std::uint32_t threshold = 0;
    template <class A>
    void serialize(A& ar) { ar(enable, threshold); }
  };
  struct State {
    std::array<std::uint32_t, sources> priority{};
    std::array<std::uint32_t, words> pending{}, claimed{}, level{};
    std::vector<Context> contexts;
    template <class A>
    void serialize(A& ar) { ar(priority, pending, claimed, level, contexts); }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  void set_state(const State& s) {
    m_state = s;
    update();
  }

private:
  static bool bit(const std::array<std::uint32_t, words>& a, unsigned s) { return (a[s / 32] >> (s % 32)) & 1; }
  static void set_bit(std::array<std::uint32_t, words>& a, unsigned s, bool v) {
    if (v) a[s / 32] |= 1u << (s % 32);
    else a[s / 32] &= ~(1u << (s % 32));
  }
  // The pending, enabled source of highest priority above the threshold (lowest id on ties).
  [[nodiscard]] unsigned best(unsigned ctx) const {
    const auto& c = m_state.contexts[ctx];
    unsigned best_src = 0, best_prio = 0;
    for (unsigned s = 1; s < sources; ++s) {
      if (!bit(m_state.pending, s) || !bit(c.enable, s)) continue;
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
      update();
    }
    return s;
  }
  void complete(unsigned s) {
    if (s == 0 || s >= sources || !bit(m_state.claimed, s)) return;
    set_bit(m_state.claimed, s, false);
    if (bit(m_state.level, s)) set_bit(m_state.pending, s, true);
  }
  void update() {
    for (std::size_t h = 0; h < m_harts.size(); ++h) {
      m_harts[h]->set_interrupt(Interrupt::mei, best(static_cast<unsigned>(2 * h)) != 0);
      m_harts[h]->set_interrupt(Interrupt::sei, best(static_cast<unsigned>(2 * h + 1)) != 0);
    }
  }

  std::vector<Hart*> m_harts;
  State m_state;
};

} // namespace retrace
