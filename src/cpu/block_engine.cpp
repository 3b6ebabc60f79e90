// The block engine: straight-line runs of instructions decoded once, cached by physical
// address, and executed with threaded dispatch (one indirect jump per instruction, no fetch,
// no decode, no per-instruction return to the machine).
//
// Exactness is kept by construction rather than by re-checking:
// - the semantics are the reference interpreter's own exec_* functions, inlined;
// - a block holds only instructions that cannot change what the next instruction sees beyond
//   registers and RAM (no CSR, system, AMO or illegal instruction: those go through step());
// - an interrupt can only become pending through a device or a CSR, so it is checked before
//   each block, and a block ends after any access that reached a device or took the slow path;
//   timer interrupts (mtimecmp, Sstc's stimecmp) rise at deadlines the machine stops runs at;
// - while a debug trigger is armed, every instruction goes through step(), which checks it;
// - a block longer than what is left of the budget is not entered (step() runs those
//   instructions), so a run stops on exactly the instruction the machine asked for; `icount`
//   is brought up to date at every block end and before any access that may reach a device.
// A store to a decoded line moves its page's code stamp (Ram::note_write), which drops that
// page's blocks, and a restore moves every page's, so self-modifying code, code a device
// writes, and code restored from a snapshot re-decode.
#include "block.hpp"

#include "retrace/cpu/exec_a.hpp"
#include "retrace/cpu/exec_b.hpp"
#include "retrace/cpu/exec_fd.hpp"
#include "retrace/cpu/exec_i.hpp"
#include "retrace/cpu/exec_m.hpp"
#include "retrace/cpu/exec_system.hpp"
#include "retrace/cpu/exec_zfh.hpp"
#include "retrace/cpu/exec_zicond.hpp"

#include <algorithm>
#include <new>
#include <type_traits>

// Threaded dispatch needs labels as values, a GNU extension both GCC and Clang have.
#pragma GCC diagnostic ignored "-Wpedantic"
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wgnu-label-as-value"
#endif

namespace retrace {

using u64 = std::uint64_t;

using namespace blocks;

namespace {

// A forwarding template per instruction: the run loop's labels name both instantiations (on the
// context and on the hart) under `if constexpr`, and only the one kept is instantiated.
#define RETRACE_X(id, name, match, mask, fmt, ext)                                                                    \
  template <class H, class I>                                                                                         \
  [[gnu::always_inline]] inline void run_##id(H& h, I i) {                                                                                   \
    exec::exec_##id(h, i);                                                                                            \
  }
RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X

} // namespace

// What exec_i.hpp and exec_m.hpp see of the hart inside a block: registers in place, the pc
// derived from the block's start, and loads and stores through the hart's cached pages. Only
// what may reach a device (the slow path) first brings the machine's icount up to date.
struct BlockContext {
  Hart& h;
  u64* x;
  u64 entry_pc;                // the block's first instruction
  u64 npc;                     // set by jumps and branches
  const Hart::Block::Insn* in; // the instruction being executed
  const Hart::Block::Insn* first;
  u64& icount;
  u64 start_icount;

  [[nodiscard]] u64 xr(unsigned r) const { return x[r]; }
  void xw(unsigned r, u64 v) {
    if (r != 0) x[r] = v;
  }
  [[nodiscard]] u64 pc() const { return entry_pc + in->offset; }
  [[nodiscard]] unsigned insn_length() const { return in->len; }
  [[gnu::always_inline]] void jump(u64 target) {
    if (target & 1) h.raise(Exception::insn_misaligned, target);
    else npc = target;
  }
  [[nodiscard]] bool raised() const { return h.m_exception; }
  void raise(Exception cause, u64 tval) { h.raise(cause, tval); }
  [[gnu::always_inline]] void sync() {
    icount = start_icount + static_cast<u64>(in - first);
    h.m_s.pc = pc();
  }
  template <class T>
  [[gnu::always_inline]] bool load(u64 va, T& out) {
    if (h.load_cached(va, out)) return true;
    sync();
    return h.load_slow(va, out);
  }
  template <class T>
  [[gnu::always_inline]] bool store(u64 va, T value) {
    h.invalidate_reservation_if(va, sizeof(T));
    if (h.store_cached(va, value)) return true;
    sync();
    return h.store_slow(va, value);
  }
  void exec_fence_i() {} // never in a block
  void ecall() {}        // never in a block
};

Hart::~Hart() = default;
void Hart::BlockCacheDeleter::operator()(BlockCache* c) const noexcept { delete c; }

Hart::Block* Hart::build_block(Block& b, u64 pa) {
  auto& ram = m_bus.ram();
  const u64 off0 = pa - m_bus.ram_base();
  const std::uint8_t* page = ram.page_for_read(off0);
  const u64 page_end = (off0 | (Ram::page_size - 1)) + 1;
  b.count = 0;
  u64 off = off0;
  while (b.count < max_block && off + 2 <= page_end && off + 2 <= m_bus.ram_size()) {
    std::uint32_t w = 0;
    if (page) std::memcpy(&w, page + (off & (Ram::page_size - 1)), 2);
    std::uint8_t len = 2;
    if ((w & 3) == 3) {
      if (off + 4 > page_end || off + 4 > m_bus.ram_size()) break; // straddles: step() fetches it
      if (page) std::memcpy(&w, page + (off & (Ram::page_size - 1)), 4);
      len = 4;
    }
    const isa::Decoded d = decoded(w, len); // illegal if the hart's extensions lack it
    if (!blockable(d.op)) break;
    b.insns[b.count++] = {nullptr, static_cast<std::uint16_t>(d.op), len, static_cast<std::uint16_t>(off - off0),
                          PreInsn::of(d.op, d.insn), w, d.insn};
    off += len;
    if (ends_block(d.op)) break;
  }
  if (b.count == 0) return nullptr;
  b.insns[b.count] = {nullptr, static_cast<std::uint16_t>(isa::op_count), 0, static_cast<std::uint16_t>(off - off0),
                      {}, 0, {}};
  b.threaded = false;
  b.bytes = static_cast<std::uint32_t>(off - off0);

  ram.mark_code(off0, b.bytes);
  return &b;
}

Hart::RunResult Hart::run(u64 budget, u64& icount, const bool& attention, u64 watch_pc) {
  static constexpr const void* labels[] = {
#define RETRACE_X(id, name, match, mask, fmt, ext) &&op_##id,
      RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
      &&block_end, // isa::Op::illegal's slot: never in a block, so it marks a block's end
  };
  static_assert(std::size(labels) == isa::op_count + 1);

  RunResult r;
  // mcycle and minstret for the blocks run since the last flush: no block instruction reads
  // them, so they are added before anything that might (step(), a trap, returning).
  u64 pending = 0;
  const auto flush_counters = [&] {
    if (!(m_s.mcountinhibit & 1)) m_s.mcycle += pending;
    if (!(m_s.mcountinhibit & 4)) m_s.minstret += pending;
    pending = 0;
  };
  Block* b = nullptr;
  BlockContext c{*this, m_s.x.data(), 0, 0, nullptr, nullptr, icount, 0};
  m_exception = false;
  m_block_exit = false;
  m_last_trapped = false;

  for (;;) {
    if (r.executed >= budget) break;
    // Interrupts, WFI, whatever a block cannot hold, the watched pc and the last few
    // instructions before the budget go through the reference step.
    const bool interrupt = (m_s.mip & m_s.mie) != 0 && takeable_interrupts() != 0;
    // An armed debug trigger sends everything through step() too (Hart::triggers_armed).
    b = (m_s.waiting || interrupt || triggers_armed()) ? nullptr : block_at(m_s.pc);
  found:
    if (!b || watch_pc - m_s.pc < b->bytes) {
      flush_counters();
      return step_last(r, icount);
    }
    if (!b->threaded) {
      for (std::uint32_t k = 0; k <= b->count; ++k) b->insns[k].label = labels[b->insns[k].op];
      b->threaded = true;
    }
    if (b->count > budget - r.executed) [[unlikely]] {
      // The budget ends inside this block: its first n instructions, as a block of their own.
      // None of them is a jump (only a block's last instruction is); a taken branch leaves the
      // copy as it leaves any block, and the copy is only ever entered from here.
      const auto n = static_cast<std::uint32_t>(budget - r.executed);
      Block& t = m_blocks->tail;
      std::copy_n(b->insns.data(), n, t.insns.data());
      t.insns[n] = {&&block_end, static_cast<std::uint16_t>(isa::op_count), 0, b->insns[n].offset, {}, 0, {}};
      t.count = n;
      t.bytes = b->insns[n].offset;
      t.threaded = true;
      b = &t;
    }
    c.entry_pc = m_s.pc;
    c.first = c.in = b->insns.data();
    c.start_icount = icount;
    goto *c.in->label;

    // The end of a block that changed only registers and RAM: on to the next block. Every block
    // end has its own copy of this, so that the indirect jump into the next block is predicted
    // per site (one shared jump for all block entries mispredicts most of the time).
#define RETRACE_NEXT_BLOCK()                                                                                          \
  {                                                                                                                   \
    const u64 n_ = static_cast<u64>(c.in - c.first);                                                                  \
    icount = c.start_icount + n_;                                                                                     \
    r.executed += n_;                                                                                                 \
    pending += n_;                                                                                                    \
    if (r.executed >= budget) [[unlikely]]                                                                            \
      continue;                                                                                                       \
    b = block_at(m_s.pc);                                                                                             \
    if (b && b->threaded && watch_pc - m_s.pc >= b->bytes && b->count <= budget - r.executed) [[likely]] {           \
      c.entry_pc = m_s.pc;                                                                                            \
      c.first = c.in = b->insns.data();                                                                               \
      c.start_icount = icount;                                                                                        \
      goto* c.in->label;                                                                                              \
    }                                                                                                                 \
    goto found;                                                                                                       \
  }

    // One label per instruction. The integer instructions run exec_i.hpp / exec_m.hpp on the
    // block context; the others (floating point) run on the hart itself, with its pc, icount
    // and scratch state brought up to date first. Jumps are always last in a block; a taken
    // branch leaves it.
#define RETRACE_X(id, name, match, mask, fmt, ext)                                                                    \
  op_##id : {                                                                                                         \
    constexpr auto op = isa::Op::id;                                                                                  \
    if constexpr (ends_block(op)) {                                                                                   \
      c.npc = c.pc() + c.in->len;                                                                                     \
      run_##id(c, c.in->pre);                                                                                         \
      if (m_exception) [[unlikely]]                                                                                   \
        goto block_exit;                                                                                              \
      m_s.pc = c.npc;                                                                                                 \
      ++c.in;                                                                                                         \
      RETRACE_NEXT_BLOCK()                                                                                            \
    } else if constexpr (is_branch(op)) {                                                                             \
      /* pc and branch offsets are even, so a branch cannot raise a misaligned-target fault */                       \
      const u64 fall_through = c.pc() + c.in->len;                                                                    \
      c.npc = fall_through;                                                                                           \
      run_##id(c, c.in->pre);                                                                                         \
      if (c.npc != fall_through) {                                                                                    \
        m_s.pc = c.npc;                                                                                               \
        ++c.in;                                                                                                       \
        RETRACE_NEXT_BLOCK()                                                                                          \
      }                                                                                                               \
    } else if constexpr (on_context(op)) {                                                                            \
      run_##id(c, c.in->pre);                                                                                         \
      if constexpr (touches_memory(op))                                                                               \
        if (m_exception | m_block_exit) [[unlikely]]                                                                  \
          goto block_exit;                                                                                            \
    } else {                                                                                                          \
      c.sync();                                                                                                       \
      m_npc = m_s.pc + c.in->len;                                                                                     \
      m_last_raw = c.in->raw;                                                                                         \
      m_last_len = c.in->len;                                                                                         \
      run_##id(*this, c.in->insn);                                                                                    \
      if (m_exception | m_block_exit) [[unlikely]]                                                                    \
        goto block_exit;                                                                                              \
    }                                                                                                                 \
    ++c.in;                                                                                                           \
    goto* c.in->label;                                                                                                \
  }
    RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X

  block_end:
    // Past the last instruction of a block that does not end in a jump.
    m_s.pc = c.entry_pc + c.in->offset;
    RETRACE_NEXT_BLOCK()
#undef RETRACE_NEXT_BLOCK

  block_exit : {
    // The instruction at c.in faulted, or reached a device or a slow path: it counts.
    const u64 n = static_cast<u64>(c.in - c.first) + 1;
    icount = c.start_icount + n;
    r.executed += n;
    pending += n - 1;
    flush_counters();
    if (end_block_at(c.pc(), c.in->raw, c.in->len)) {
      r.trapped = true;
      return r;
    }
    if (attention) return r;
    continue;
  }
  }
  flush_counters();
  return r;
}

Hart::RunResult Hart::step_last(RunResult r, u64& icount) {
  if (step() == StepResult::waiting) {
    r.waiting = true;
    return r;
  }
  ++r.executed;
  ++icount;
  r.stepped = true;
  r.trapped = m_last_trapped;
  return r;
}

bool Hart::end_block_at(u64 pc, std::uint32_t raw, std::uint8_t len) {
  m_last_write = {};
  m_last_pc = pc;
  m_last_raw = raw;
  m_last_len = len;
  if (!(m_s.mcountinhibit & 1)) ++m_s.mcycle;
  if (m_exception) {
    m_s.pc = pc;
    take_trap(static_cast<u64>(m_exc_cause), m_exc_tval, false);
    m_last_trapped = true;
    m_last_trap = static_cast<u64>(m_exc_cause);
    return true;
  }
  if (!(m_s.mcountinhibit & 4)) ++m_s.minstret;
  m_s.pc = pc + len; // not a jump: those end their block without a slow path
  m_block_exit = false;
  return false;
}

} // namespace retrace
