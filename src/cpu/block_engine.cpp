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
// - `icount` moves after every instruction, and a block is cut short at the budget, so a run
//   stops on exactly the instruction the machine asked for.
// Stores to a decoded line drop the page's blocks (Ram::note_write / code_stamp), so
// self-modifying code, code a device writes, and code restored from a snapshot all re-decode.
#include "retrace/cpu/hart.hpp"

#include "retrace/cpu/exec_a.hpp"
#include "retrace/cpu/exec_fd.hpp"
#include "retrace/cpu/exec_i.hpp"
#include "retrace/cpu/exec_m.hpp"
#include "retrace/cpu/exec_system.hpp"

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

// Control transfers end a block: its instructions then always run in order from the first.
constexpr bool ends_block(isa::Op op) {
  using isa::Op;
  return op == Op::jal || op == Op::jalr || op == Op::beq || op == Op::bne || op == Op::blt || op == Op::bge ||
         op == Op::bltu || op == Op::bgeu;
}

} // namespace

struct Hart::Block {
  std::uint64_t pa = ~u64{0};    // physical address of the first instruction
  std::uint64_t stamp = ~u64{0}; // Ram::code_epoch when decoded
  std::uint32_t count = 0;
  std::uint32_t bytes = 0;
  struct Insn {
    std::uint16_t op;
    std::uint8_t len;
    std::uint32_t raw;  // as fetched (what illegal() reports)
    isa::Insn insn;     // expanded
  };
  std::array<Insn, max_block> insns;
};

struct Hart::BlockCache {
  std::array<Block, cache_blocks> blocks;
};

Hart::~Hart() = default;
void Hart::BlockCacheDeleter::operator()(BlockCache* c) const noexcept { delete c; }

Hart::Block* Hart::build_block(Block& b, u64 pa, u64 stamp) {
  auto& ram = m_bus.ram();
  const u64 off0 = pa - m_bus.ram_base();
  const std::uint8_t* page = ram.page_for_read(off0);
  const u64 page_end = (off0 | (Ram::page_size - 1)) + 1;
  b.pa = ~u64{0};
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
    b.insns[b.count++] = {static_cast<std::uint16_t>(d.op), len, w, d.insn};
    off += len;
    if (ends_block(d.op)) break;
  }
  if (b.count == 0) return nullptr;
  b.bytes = static_cast<std::uint32_t>(off - off0);
  b.pa = pa;
  b.stamp = stamp;
  ram.mark_code(off0, b.bytes);
  return &b;
}

Hart::Block* Hart::block_at(u64 pc) {
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
  Block& b = m_blocks->blocks[((pa >> 1) ^ (pa >> 13)) & (cache_blocks - 1)];
  if (b.pa == pa && b.stamp == stamp) return &b;
  return build_block(b, pa, stamp);
}

Hart::RunResult Hart::run(u64 budget, u64& icount, const bool& attention, u64 watch_pc) {
  static constexpr const void* labels[] = {
#define RETRACE_X(id, name, match, mask, fmt, ext) &&op_##id,
      RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
      &&op_illegal,
  };
  static_assert(std::size(labels) == isa::op_count + 1);

  RunResult r;
  while (r.executed < budget) {
    // Interrupts, WFI and whatever a block cannot hold go through the reference step.
    const bool interrupt = (m_s.mip & m_s.mie) != 0 && takeable_interrupts() != 0;
    Block* b = (m_s.waiting || interrupt) ? nullptr : block_at(m_s.pc);
    if (b && watch_pc - m_s.pc < b->bytes) b = nullptr;
    if (!b) {
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

    const Block::Insn* in = b->insns.data();
    const Block::Insn* const end = in + std::min<u64>(b->count, budget - r.executed);
    const u64 start_icount = icount;
    m_exception = false;
    m_block_exit = false;
    m_last_write = {};
    m_last_trapped = false;
    goto *labels[in->op];

    // One label per instruction: the reference semantics, then straight on to the next one.
#define RETRACE_X(id, name, match, mask, fmt, ext)                                                                    \
  op_##id : {                                                                                                         \
    m_last_pc = m_s.pc;                                                                                               \
    m_last_raw = in->raw;                                                                                             \
    m_last_len = in->len;                                                                                             \
    m_npc = m_s.pc + in->len;                                                                                         \
    exec::exec_##id(*this, in->insn);                                                                                 \
    if (m_exception | m_block_exit) [[unlikely]]                                                                      \
      goto block_exit;                                                                                                \
    m_s.pc = m_npc;                                                                                                   \
    ++icount;                                                                                                         \
    if (++in != end) goto* labels[in->op];                                                                            \
    goto block_done;                                                                                                  \
  }
    RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
  op_illegal:
    illegal(); // never in a block; here for the table's sake
    goto block_exit;

  block_exit:
    // The instruction at `in` faulted, or reached a device or a slow path.
    ++icount;
    {
      const u64 n = icount - start_icount;
      r.executed += n;
      if (!(m_s.mcountinhibit & 1)) m_s.mcycle += n;
      if (m_exception) {
        if (!(m_s.mcountinhibit & 4)) m_s.minstret += n - 1;
        m_last_write = {};
        take_trap(static_cast<u64>(m_exc_cause), m_exc_tval, false);
        m_last_trapped = true;
        m_last_trap = static_cast<u64>(m_exc_cause);
        r.trapped = true;
        return r;
      }
      if (!(m_s.mcountinhibit & 4)) m_s.minstret += n;
      m_s.pc = m_npc;
      if (attention) return r;
      continue;
    }
  block_done : {
    const u64 n = icount - start_icount;
    r.executed += n;
    if (!(m_s.mcountinhibit & 1)) m_s.mcycle += n;
    if (!(m_s.mcountinhibit & 4)) m_s.minstret += n;
  }
  }
  return r;
}

} // namespace retrace
