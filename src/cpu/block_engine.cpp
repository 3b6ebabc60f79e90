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
// - a block longer than what is left of the budget is not entered (step() runs those
//   instructions), so a run stops on exactly the instruction the machine asked for; `icount`
//   is brought up to date at every block end and before any access that may reach a device.
// A store to a decoded line moves RAM's code epoch (Ram::note_write), which drops every block,
// so self-modifying code, code a device writes, and code restored from a snapshot re-decode.
#include "retrace/cpu/hart.hpp"

#include "retrace/cpu/exec_a.hpp"
#include "retrace/cpu/exec_fd.hpp"
#include "retrace/cpu/exec_i.hpp"
#include "retrace/cpu/exec_m.hpp"
#include "retrace/cpu/exec_system.hpp"

#include <new>
#include <type_traits>

// Threaded dispatch needs labels as values, a GNU extension both GCC and Clang have.
#pragma GCC diagnostic ignored "-Wpedantic"
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wgnu-label-as-value"
#endif

namespace retrace {

using u64 = std::uint64_t;

namespace {

constexpr std::size_t max_block = 64;     // instructions; blocks also end at a page boundary
constexpr std::size_t cache_blocks = 4096; // direct-mapped, by physical address

// What may go inside a block: everything whose effects are registers, RAM through the
// hart's memory paths, fflags, and the next pc.
constexpr bool blockable(isa::Op op) {
  using isa::Op;
  switch (op) {
  case Op::illegal:
  case Op::ecall: case Op::ebreak: case Op::fence_i:
  case Op::csrrw: case Op::csrrs: case Op::csrrc: case Op::csrrwi: case Op::csrrsi: case Op::csrrci:
  case Op::sret: case Op::mret: case Op::wfi: case Op::sfence_vma:
    return false;
  default:
    break;
  }
  return isa::insn_table[static_cast<std::size_t>(op)].ext != isa::Ext::a; // AMOs may reach devices
}

// Jumps end a block. A conditional branch is a side exit: taken, it leaves the block; not
// taken, the block goes on. Either way a block's instructions run in order from the first.
constexpr bool ends_block(isa::Op op) {
  using isa::Op;
  return op == Op::jal || op == Op::jalr;
}
constexpr bool is_branch(isa::Op op) {
  using isa::Op;
  return op == Op::beq || op == Op::bne || op == Op::blt || op == Op::bge || op == Op::bltu || op == Op::bgeu;
}

// Instructions whose exec function is a template (exec_i.hpp, exec_m.hpp) and so runs on the
// block context; the rest run on the hart.
constexpr bool on_context(isa::Op op) {
  const auto e = isa::insn_table[static_cast<std::size_t>(op)].ext;
  return e == isa::Ext::i || e == isa::Ext::m;
}
constexpr bool touches_memory(isa::Op op) {
  using F = isa::Format;
  const auto f = isa::insn_table[static_cast<std::size_t>(op)].format;
  return f == F::load || f == F::store;
}

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

// An instruction's operands, extracted once when its block is decoded. It answers the same
// accessors as isa::Insn for the formats of the integer instructions (exec_i.hpp, exec_m.hpp).
struct PreInsn {
  std::uint8_t rd_ = 0, rs1_ = 0, rs2_ = 0;
  std::int32_t imm_ = 0; // the format's immediate (or shift amount in its low bits)
  [[nodiscard]] unsigned rd() const { return rd_; }
  [[nodiscard]] unsigned rs1() const { return rs1_; }
  [[nodiscard]] unsigned rs2() const { return rs2_; }
  [[nodiscard]] std::int64_t imm_i() const { return imm_; }
  [[nodiscard]] std::int64_t imm_s() const { return imm_; }
  [[nodiscard]] std::int64_t imm_b() const { return imm_; }
  [[nodiscard]] std::int64_t imm_u() const { return imm_; }
  [[nodiscard]] std::int64_t imm_j() const { return imm_; }
  [[nodiscard]] unsigned shamt6() const { return static_cast<unsigned>(imm_) & 63; }
  [[nodiscard]] unsigned shamt5() const { return static_cast<unsigned>(imm_) & 31; }

  static PreInsn of(isa::Op op, isa::Insn i) {
    PreInsn p;
    p.rd_ = static_cast<std::uint8_t>(i.rd());
    p.rs1_ = static_cast<std::uint8_t>(i.rs1());
    p.rs2_ = static_cast<std::uint8_t>(i.rs2());
    using F = isa::Format;
    switch (isa::insn_table[static_cast<std::size_t>(op)].format) {
    case F::u: p.imm_ = static_cast<std::int32_t>(i.imm_u()); break;
    case F::jal: p.imm_ = static_cast<std::int32_t>(i.imm_j()); break;
    case F::branch: p.imm_ = static_cast<std::int32_t>(i.imm_b()); break;
    case F::store: p.imm_ = static_cast<std::int32_t>(i.imm_s()); break;
    default: p.imm_ = static_cast<std::int32_t>(i.imm_i()); break;
    }
    return p;
  }
};

struct Hart::Block {
  std::uint32_t count = 0;       // instructions, not counting the end marker
  std::uint32_t bytes = 0;
  bool threaded = false; // labels filled in (run() owns the label table)
  struct Insn {
    const void* label;
    std::uint16_t op; // isa::Op, or op_count for the end marker
    std::uint8_t len;
    std::uint16_t offset; // from the block's first instruction
    PreInsn pre;
    std::uint32_t raw; // as fetched (what illegal() reports)
    isa::Insn insn;    // expanded
  };
  std::array<Insn, max_block + 1> insns; // + the end marker
};

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

// Direct-mapped by physical address. The tags live apart from the blocks: a lookup touches
// 16 bytes, and a block's memory (2 KB) is only touched, and so only mapped by the OS, when a
// block is first decoded into it. A machine that runs a few thousand instructions does not pay
// for 8 MB of blocks.
struct Hart::BlockCache {
  std::array<std::uint64_t, cache_blocks> pa;    // physical address of the first instruction
  std::array<std::uint64_t, cache_blocks> stamp; // Ram::code_epoch when decoded
  std::array<bool, cache_blocks> constructed{};
  Block* storage; // cache_blocks blocks' worth of raw memory; slot k is built on first use

  BlockCache() : storage(static_cast<Block*>(::operator new(sizeof(Block) * cache_blocks))) {
    pa.fill(~u64{0});
    stamp.fill(~u64{0});
  }
  ~BlockCache() { ::operator delete(storage); }
  static_assert(std::is_trivially_destructible_v<Block>, "blocks are freed without their destructors");
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
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
    const isa::Decoded& d = decoded(w, len);
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

[[gnu::always_inline]] inline Hart::Block* Hart::block_at(u64 pc) {
  u64 pa = 0;
  if (m_s.priv == Priv::m) {
    if (m_pmp_locked || !m_bus.in_ram(pc, 2)) return nullptr;
    pa = pc;
  } else {
    const auto* e = tlb_hit(Access::fetch, pc);
    if (!e) return nullptr; // step() walks the page table and fills the TLB
    pa = (e->pa_page << Ram::page_shift) | (pc & (Ram::page_size - 1));
  }
  if (!m_blocks) m_blocks.reset(new BlockCache);
  const u64 stamp = m_bus.ram().code_epoch();
  auto& cache = *m_blocks;
  const std::size_t slot = ((pa >> 1) ^ (pa >> 13)) & (cache_blocks - 1);
  if (cache.pa[slot] == pa && cache.stamp[slot] == stamp) return &cache.storage[slot];
  if (!cache.constructed[slot]) {
    new (&cache.storage[slot]) Block;
    cache.constructed[slot] = true;
  }
  cache.pa[slot] = ~u64{0};
  Block* b = build_block(cache.storage[slot], pa);
  if (b) {
    cache.pa[slot] = pa;
    cache.stamp[slot] = stamp;
  }
  return b;
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
    b = (m_s.waiting || interrupt) ? nullptr : block_at(m_s.pc);
  found:
    if (!b || watch_pc - m_s.pc < b->bytes || b->count > budget - r.executed) {
      flush_counters();
      const StepResult s = step();
      if (s == StepResult::waiting) {
        r.waiting = true;
        return r;
      }
      ++r.executed;
      ++icount;
      r.stepped = true;
      r.trapped = m_last_trapped;
      return r;
    }
    if (!b->threaded) {
      for (std::uint32_t k = 0; k <= b->count; ++k) b->insns[k].label = labels[b->insns[k].op];
      b->threaded = true;
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
    m_last_write = {};
    m_last_pc = c.pc();
    m_last_raw = c.in->raw;
    m_last_len = c.in->len;
    if (!(m_s.mcountinhibit & 1)) ++m_s.mcycle;
    if (m_exception) {
      m_s.pc = c.pc();
      take_trap(static_cast<u64>(m_exc_cause), m_exc_tval, false);
      m_last_trapped = true;
      m_last_trap = static_cast<u64>(m_exc_cause);
      r.trapped = true;
      return r;
    }
    if (!(m_s.mcountinhibit & 4)) ++m_s.minstret;
    m_s.pc = c.pc() + c.in->len; // not a jump: those end their block without a slow path
    m_block_exit = false;
    if (attention) return r;
    continue;
  }
  }
  flush_counters();
  return r;
}

} // namespace retrace
