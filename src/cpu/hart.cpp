// The hart's slow paths: the interpreter step, traps and interrupts, CSRs (Sstc, Sdtrig),
// Sv39/Sv48/Sv57 with Svpbmt, PMP, and the cache-block operations.
// These follow the RISC-V privileged spec 1.12; where QEMU's virt differs, docs/machine.md
// says which one we follow.
#include "retrace/cpu/hart.hpp"

#include <cstring>
#include <memory>

#include "retrace/cpu/exec_a.hpp"
#include "retrace/cpu/exec_b.hpp"
#include "retrace/cpu/exec_fd.hpp"
#include "retrace/cpu/exec_i.hpp"
#include "retrace/cpu/exec_m.hpp"
#include "retrace/cpu/exec_system.hpp"
#include "retrace/cpu/exec_zfh.hpp"
#include "retrace/cpu/exec_zicond.hpp"

namespace retrace {

namespace ms = mstatus_bits;
using u64 = std::uint64_t;

namespace {

using Handler = void (*)(Hart&, isa::Insn);
constexpr Handler handlers[] = {
#define RETRACE_X(id, name, match, mask, fmt, ext) &exec::exec_##id,
    RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
};
static_assert(std::size(handlers) == isa::op_count);

constexpr u64 mip_writable = (1u << 1) | (1u << 5) | (1u << 9);   // SSIP, STIP, SEIP
constexpr u64 s_interrupts = (1u << 1) | (1u << 5) | (1u << 9);
constexpr u64 medeleg_writable = 0xb3ff;                           // not 10, 11 (ecall from M), 14
constexpr u64 mstatus_writable = ms::sie | ms::mie | ms::spie | ms::mpie | ms::spp | ms::mpp | ms::fs |
                                 ms::mprv | ms::sum | ms::mxr | ms::tvm | ms::tw | ms::tsr;
constexpr u64 sstatus_mask = ms::sie | ms::spie | ms::ube | ms::spp | ms::fs | ms::xs | ms::sum | ms::mxr |
                             ms::uxl | ms::sd;

constexpr unsigned mseccfg = 0x747; // unnamed: objdump does not know it either

// menvcfg (machine) or senvcfg: the fields of the extensions the hart has. CBIE's reserved
// value 10 reads as 00.
u64 legal_envcfg(u64 v, bool machine, const isa::ExtSet& ext) {
  namespace ev = envcfg_bits;
  u64 mask = ev::fiom;
  if (ext.contains(isa::Ext::zicbom)) mask |= ev::cbie | ev::cbcfe;
  if (ext.contains(isa::Ext::zicboz)) mask |= ev::cbze;
  if (machine && ext.contains(isa::Ext::svpbmt)) mask |= ev::pbmte;
  if (machine && ext.contains(isa::Ext::sstc)) mask |= ev::stce;
  v &= mask;
  if ((v & ev::cbie) == (2ull << 4)) v &= ~ev::cbie;
  return v;
}

// Sdtrig: tdata1 (mcontrol6) fields, and what tinfo says: version 1 (Sdtrig 1.0), types 6
// (mcontrol6) and 15 (disabled).
namespace trig {
constexpr u64 disabled = 15ull << 60, mcontrol6 = 6ull << 60;
constexpr u64 load = 1, store = 2, execute = 4, u = 8, s = 16, m = 64, select = 1ull << 21, hit0 = 1ull << 22,
              hit1 = 1ull << 25;
constexpr unsigned match_shift = 7;
} // namespace trig
constexpr u64 tinfo_value = (1ull << 24) | (1u << 15) | (1u << 6);

// A write to tdata1: type 6 keeps the fields implemented here (action 0 = breakpoint, size 0 =
// any, no chaining, match 0..3); any other type (0 included) leaves the trigger disabled.
u64 legal_tdata1(u64 v) {
  if ((v >> 60) != 6) return trig::disabled;
  u64 match = (v >> trig::match_shift) & 15;
  if (match > 3) match = 0;
  const u64 keep = trig::load | trig::store | trig::execute | trig::u | trig::s | trig::m | trig::select |
                   trig::hit0 | trig::hit1;
  return trig::mcontrol6 | (v & keep) | (match << trig::match_shift);
}

u64 with_sd(u64 mstatus) {
  const bool dirty = ((mstatus & ms::fs) == ms::fs) || ((mstatus & ms::xs) == ms::xs);
  return dirty ? (mstatus | ms::sd) : (mstatus & ~ms::sd);
}

} // namespace

Hart::Hart(unsigned hartid, Bus& bus, const TimeSource& time) : m_hartid(hartid), m_bus(bus), m_time(time) {
  reset(0x1000);
  apply_extensions();
}

void Hart::reset(u64 reset_pc) {
  const isa::ExtSet ext = m_s.ext; // configuration, not reset
  m_s = HartState{};
  m_s.ext = ext;
  m_s.pc = reset_pc;
  m_s.priv = Priv::m;
  m_s.misa = misa_for(ext);
  m_s.mstatus = (2ull << 32) | (2ull << 34); // UXL = SXL = 64
  update_pmp_summary();
  tlb_context_changed();
  update_trigger_summary();
}

// --- extensions --------------------------------------------------------------------------------

u64 Hart::misa_for(isa::ExtSet set) noexcept {
  using isa::Ext;
  u64 misa = (2ull << 62) | (1u << 8) | (1u << 18) | (1u << 20); // MXL = 64, I, S, U
  struct Letter {
    Ext ext;
    char letter;
  };
  static constexpr Letter letters[] = {{Ext::m, 'm'}, {Ext::a, 'a'}, {Ext::f, 'f'}, {Ext::d, 'd'}, {Ext::c, 'c'}};
  for (const auto& l : letters)
    if (set.contains(l.ext)) misa |= 1ull << (l.letter - 'a');
  return misa;
}

void Hart::apply_extensions() {
  for (const auto& row : isa::insn_table) m_op_enabled[static_cast<std::size_t>(row.op)] = m_s.ext.contains(row.ext);
  m_op_enabled[static_cast<std::size_t>(isa::Op::illegal)] = false;
  m_rvc_enabled = m_s.ext.contains(isa::Ext::c);
  m_s.misa = misa_for(m_s.ext);
  // Blocks and translations were decoded under the old set.
  m_blocks.reset();
  m_jit.reset();
}

// --- the interpreter -------------------------------------------------------------------------

void Hart::execute(isa::Op op, isa::Insn insn) {
  if (op == isa::Op::illegal) return illegal();
  handlers[static_cast<std::size_t>(op)](*this, insn);
}

Hart::StepResult Hart::step() {
  m_last_write = {};
  m_last_trapped = false;
  if (m_s.waiting) {
    if (!interrupt_pending()) return StepResult::waiting;
    m_s.waiting = false;
  }
  const bool interrupted = (m_s.mip & m_s.mie) != 0 && take_pending_interrupt(); // nothing pending: most steps

  m_exception = false;
  m_last_pc = m_s.pc;
  m_counters_written = 0;
  std::uint32_t raw = 0;
  std::uint8_t len = 4;
  // An execute trigger on the address fires before the fetch (it outranks fetch faults); one on
  // the instruction's bits (select = 1) after it.
  if (m_trig_exec && trigger_hit(trig_exec, m_s.pc, 1, false, 0)) [[unlikely]] {
    m_last_raw = 0;
    m_last_len = 0;
  } else if (fetch(m_s.pc, raw, len)) {
    m_last_raw = raw;
    m_last_len = len;
    if (!m_trig_exec || !trigger_hit(trig_exec, m_s.pc, len, true, raw)) {
      const isa::Decoded d = decoded(raw, len);
      m_npc = m_s.pc + len;
      execute(d.op, d.insn);
    }
  } else {
    m_last_raw = 0;
    m_last_len = 0;
  }
  // The counters count this instruction after it, unless it wrote them itself: a CSR write to
  // mcycle or minstret is done instead of the increment, so the next instruction reads the
  // value written (privileged spec, "Zicsr": side effects of the writing instruction).
  const u64 counting = ~(m_s.mcountinhibit | m_counters_written);
  if (m_exception) {
    m_last_write = {};
    take_trap(static_cast<u64>(m_exc_cause), m_exc_tval, false);
    if (counting & 1) ++m_s.mcycle;
    m_last_trapped = true;
    m_last_trap = static_cast<u64>(m_exc_cause);
    return StepResult::trapped;
  }
  m_s.pc = m_npc;
  if (counting & 1) ++m_s.mcycle;
  if (counting & 4) ++m_s.minstret;
  if (interrupted) m_last_trapped = true;
  return StepResult::retired;
}

// Every 16-bit word decoded once: compressed instructions are most of RV64GC code, and
// expanding one costs more than executing it. Built on first use, immutable afterwards.
const std::array<isa::Decoded, 65536>& Hart::compressed_table() {
  static const auto table = [] {
    auto t = std::make_unique<std::array<isa::Decoded, 65536>>();
    for (std::uint32_t w = 0; w < 65536; ++w) (*t)[w] = isa::decode(w);
    return t;
  }();
  return *table;
}

bool Hart::fetch16(u64 va, u64& half) {
  if (m_s.priv == Priv::m && !m_pmp_locked && m_bus.in_ram(va, 2)) {
    m_bus.ram().read(va - m_bus.ram_base(), &half, 2);
    return true;
  }
  u64 pa = 0;
  if (!translate(va, Access::fetch, pa)) return false;
  if (!pmp_allows(pa, 2, Access::fetch, m_s.priv) || !m_bus.load(pa, 2, half)) {
    raise(Exception::insn_access, va);
    return false;
  }
  if (m_s.priv != Priv::m) tlb_fill(Access::fetch, va, pa);
  return true;
}

bool Hart::fetch(u64 va, std::uint32_t& raw, std::uint8_t& len) {
  // Fast path: M-mode without locked PMP entries, four bytes inside one page of RAM, from the
  // cached host page (one 32-bit load; the length comes from its low bits).
  const std::uint64_t off = va - m_bus.ram_base();
  if (m_s.priv == Priv::m && !m_pmp_locked && off < m_bus.ram_size() &&
      (off & (Ram::page_size - 1)) <= Ram::page_size - 4 && m_bus.ram_size() - off >= 4) {
    const auto& ram = m_bus.ram();
    if ((off >> Ram::page_shift) != m_fetch_page || ram.generation() != m_fetch_generation) {
      m_fetch_page = off >> Ram::page_shift;
      m_fetch_host = ram.page_for_read(off);
      m_fetch_generation = ram.generation();
    }
    std::uint32_t w = 0;
    if (m_fetch_host) std::memcpy(&w, m_fetch_host + (off & (Ram::page_size - 1)), 4);
    if ((w & 3) != 3) {
      raw = w & 0xffff;
      len = 2;
    } else {
      raw = w;
      len = 4;
    }
    return true;
  }
  if ((va & (Ram::page_size - 1)) <= Ram::page_size - 4)
    if (const auto* e = tlb_hit(Access::fetch, va)) {
      std::uint32_t w = 0;
      if (e->host) std::memcpy(&w, e->host + (va & (Ram::page_size - 1)), 4);
      raw = (w & 3) != 3 ? (w & 0xffff) : w;
      len = (w & 3) != 3 ? 2 : 4;
      return true;
    }
  // 16 bits at a time: a 32-bit instruction may straddle a page boundary.
  u64 lo = 0, hi = 0;
  if (!fetch16(va, lo)) return false;
  if ((lo & 3) != 3) {
    raw = static_cast<std::uint32_t>(lo);
    len = 2;
    return true;
  }
  if (!fetch16(va + 2, hi)) return false;
  raw = static_cast<std::uint32_t>(lo | (hi << 16));
  len = 4;
  return true;
}

// --- traps and interrupts --------------------------------------------------------------------

void Hart::take_trap(u64 cause, u64 tval, bool interrupt) {
  const u64 mstatus_before = m_s.mstatus;
  struct PrivChanged { // however the trap is taken below
    Hart& h;
    u64 before;
    ~PrivChanged() { h.tlb_priv_changed(before); }
  } priv_changed{*this, mstatus_before};
  const u64 bit = 1ull << cause;
  const bool to_s = m_s.priv != Priv::m && ((interrupt ? m_s.mideleg : m_s.medeleg) & bit);
  const u64 mcause = interrupt ? ((1ull << 63) | cause) : cause;
  if (to_s) {
    m_s.sepc = m_s.pc;
    m_s.scause = mcause;
    m_s.stval = tval;
    u64 st = m_s.mstatus;
    st = (st & ms::sie) ? (st | ms::spie) : (st & ~ms::spie);
    st &= ~ms::sie;
    st = m_s.priv == Priv::s ? (st | ms::spp) : (st & ~ms::spp);
    m_s.mstatus = st;
    m_s.priv = Priv::s;
    const u64 base = m_s.stvec & ~u64{3};
    m_s.pc = (interrupt && (m_s.stvec & 3) == 1) ? base + 4 * cause : base;
  } else {
    m_s.mepc = m_s.pc;
    m_s.mcause = mcause;
    m_s.mtval = tval;
    u64 st = m_s.mstatus;
    st = (st & ms::mie) ? (st | ms::mpie) : (st & ~ms::mpie);
    st &= ~ms::mie;
    st = (st & ~ms::mpp) | (static_cast<u64>(m_s.priv) << 11);
    m_s.mstatus = st;
    m_s.priv = Priv::m;
    // Sdtrig: MPTE = MTE, MTE = 0, so M-mode triggers do not fire in the trap handler.
    m_s.tcontrol = (m_s.tcontrol & 8) << 4;
    const u64 base = m_s.mtvec & ~u64{3};
    m_s.pc = (interrupt && (m_s.mtvec & 3) == 1) ? base + 4 * cause : base;
  }
}

u64 Hart::takeable_interrupts() const noexcept {
  const u64 pending = m_s.mip & m_s.mie;
  if (!pending) return 0;
  // M-level interrupts: enabled below M, or in M with MIE. S-level (delegated): below S, or in
  // S with SIE; never in M.
  const u64 m_level = pending & ~m_s.mideleg;
  const u64 s_level = pending & m_s.mideleg;
  u64 take = 0;
  if (m_s.priv != Priv::m || (m_s.mstatus & ms::mie)) take = m_level;
  if (!take && (m_s.priv == Priv::u || (m_s.priv == Priv::s && (m_s.mstatus & ms::sie)))) take = s_level;
  return take;
}

bool Hart::take_pending_interrupt() {
  const u64 take = takeable_interrupts();
  if (!take) return false;
  // Priority: MEI, MSI, MTI, SEI, SSI, STI.
  for (unsigned irq : {11u, 3u, 7u, 9u, 1u, 5u}) {
    if (take & (1ull << irq)) {
      take_trap(irq, 0, true);
      m_last_trap = (1ull << 63) | irq;
      return true;
    }
  }
  return false;
}

void Hart::exec_mret() {
  if (m_s.priv != Priv::m) return illegal();
  const u64 mstatus_before = m_s.mstatus;
  u64 st = m_s.mstatus;
  const auto mpp = static_cast<Priv>((st & ms::mpp) >> 11);
  st = (st & ms::mpie) ? (st | ms::mie) : (st & ~ms::mie);
  st |= ms::mpie;
  st &= ~ms::mpp; // MPP = U
  if (mpp != Priv::m) st &= ~ms::mprv;
  m_s.mstatus = st;
  m_s.priv = mpp;
  m_s.tcontrol = (m_s.tcontrol & 0x80) | ((m_s.tcontrol >> 4) & 8); // MTE = MPTE
  m_npc = m_s.mepc;
  tlb_priv_changed(mstatus_before);
}

void Hart::exec_sret() {
  if (m_s.priv == Priv::u || (m_s.priv == Priv::s && (m_s.mstatus & ms::tsr))) return illegal();
  const u64 mstatus_before = m_s.mstatus;
  u64 st = m_s.mstatus;
  const Priv spp = (st & ms::spp) ? Priv::s : Priv::u;
  st = (st & ms::spie) ? (st | ms::sie) : (st & ~ms::sie);
  st |= ms::spie;
  st &= ~ms::spp;
  st &= ~ms::mprv; // the new privilege is below M
  m_s.mstatus = st;
  m_s.priv = spp;
  m_npc = m_s.sepc;
  tlb_priv_changed(mstatus_before);
}

void Hart::exec_wfi() {
  // As QEMU: U-mode, or S-mode with TW set, traps at once.
  if (m_s.priv == Priv::u || (m_s.priv == Priv::s && (m_s.mstatus & ms::tw))) return illegal();
  if (!interrupt_pending()) m_s.waiting = true;
}

void Hart::exec_sfence_vma() {
  tlb_context_changed(); // drops every cached translation, whatever the operands
  if (m_s.priv == Priv::u || (m_s.priv == Priv::s && (m_s.mstatus & ms::tvm))) return illegal();
}

void Hart::exec_sfence_w_inval() {
  if (m_s.priv == Priv::u) return illegal();
}

void Hart::exec_cbo(unsigned op, u64 va) {
  namespace ev = envcfg_bits;
  // Enabled in S by menvcfg, in U by menvcfg and senvcfg; M always.
  const auto enabled = [&](u64 field) {
    return m_s.priv == Priv::m ||
           ((m_s.menvcfg & field) && (m_s.priv == Priv::s || (m_s.senvcfg & field)));
  };
  const bool zero = op == 4;
  if (!enabled(zero ? ev::cbze : op == 0 ? ev::cbie : ev::cbcfe)) return illegal();
  // (cbo.inval with CBIE = 01 in some level is a flush: the same here, where nothing is cached.)
  const u64 block = va & ~(cache_block - 1);
  if (m_trig_store && trigger_hit(trig_store, block, cache_block, false, 0)) return; // CMOs match as stores
  // One translation serves the whole block (it is inside one page); faults report rs1 itself.
  u64 pa = 0;
  if (!translate(va, Access::store, pa, !zero)) return;
  pa &= ~(cache_block - 1);
  const Priv priv = effective_priv(Access::store);
  const bool allowed = zero ? pmp_allows(pa, cache_block, Access::store, priv)
                            : pmp_allows(pa, cache_block, Access::load, priv) ||
                                  pmp_allows(pa, cache_block, Access::store, priv);
  if (!allowed) return raise(Exception::store_access, va);
  if (!zero) {
    // Clean, flush, invalidate: memory is coherent and uncached here, so nothing more to do;
    // the block must still be memory something answers at.
    if (!m_bus.in_ram(pa, cache_block) && m_bus.describe(pa) == "unmapped") raise(Exception::store_access, va);
    return;
  }
  if (m_s.reservation_valid && pa < m_s.reservation + 8 && pa + cache_block > m_s.reservation)
    m_s.reservation_valid = false;
  // RAM: eight doubleword stores (each drops decoded code and other harts' reservations as any
  // store does); a device: byte stores, as QEMU makes them.
  const unsigned width = m_bus.in_ram(pa, cache_block) ? 8 : 1;
  for (u64 off = 0; off < cache_block; off += width)
    if (!m_bus.store(pa + off, width, 0)) return raise(Exception::store_access, va);
  m_block_exit = true;
}

void Hart::exec_fence_i() {
  // Nothing to do: step() fetches from memory every time, and the block engine's decoded blocks
  // are dropped by the store that changes their code (Ram::note_write), before any fence.
}

// --- Sstc and Sdtrig ---------------------------------------------------------------------------

void Hart::timer_changed() noexcept {
  update_stimer(m_time.mtime());
  if (m_attention) *m_attention = true; // the CLINT's deadline for this hart may have moved
}

void Hart::update_trigger_summary() noexcept {
  m_trig_exec = m_trig_load = m_trig_store = false;
  for (const u64 t : m_s.tdata1) {
    if ((t >> 60) != 6 || !(t & (trig::m | trig::s | trig::u))) continue;
    m_trig_exec |= (t & trig::execute) != 0;
    m_trig_load |= (t & trig::load) != 0;
    m_trig_store |= (t & trig::store) != 0;
  }
}

bool Hart::trigger_hit(unsigned kind, u64 addr, unsigned size, bool data, u64 value) {
  for (unsigned k = 0; k < trigger_count; ++k) {
    const u64 t = m_s.tdata1[k];
    if ((t >> 60) != 6 || !(t & kind) || ((t & trig::select) != 0) != data) continue;
    // In M-mode only while tcontrol.MTE is set (a trap into M clears it: no re-entry).
    const bool mode = m_s.priv == Priv::m ? (t & trig::m) && (m_s.tcontrol & 8)
                      : m_s.priv == Priv::s ? (t & trig::s) != 0
                                            : (t & trig::u) != 0;
    if (!mode) continue;
    const u64 want = m_s.tdata2[k];
    const u64 napot = want ^ (want + 1); // match 1: tdata2's trailing ones and the first zero
    const u64 last = addr + size - 1;    // an address matches if any byte accessed does
    bool hit = false;
    switch ((t >> trig::match_shift) & 15) {
    case 0: hit = data ? value == want : (want >= addr && want <= last); break;
    case 1:
      hit = data ? (value & ~napot) == (want & ~napot) : (addr <= (want | napot) && last >= (want & ~napot));
      break;
    case 2: hit = data ? value >= want : last >= want; break;
    case 3: hit = data ? value < want : addr < want; break;
    default: break;
    }
    if (hit) {
      m_s.tdata1[k] |= trig::hit0; // fired before the instruction retired
      raise(Exception::breakpoint, addr);
      return true;
    }
  }
  return false;
}

// --- memory: translation and PMP --------------------------------------------------------------

Priv Hart::effective_priv(Access kind) const noexcept {
  if (kind != Access::fetch && m_s.priv == Priv::m && (m_s.mstatus & ms::mprv))
    return static_cast<Priv>((m_s.mstatus & ms::mpp) >> 11);
  return m_s.priv;
}

static Exception page_fault(Access kind) {
  return kind == Access::fetch ? Exception::insn_page_fault
         : kind == Access::load ? Exception::load_page_fault
                                : Exception::store_page_fault;
}
static Exception access_fault(Access kind) {
  return kind == Access::fetch ? Exception::insn_access
         : kind == Access::load ? Exception::load_access
                                : Exception::store_access;
}

bool Hart::translate(u64 va, Access kind, u64& pa, bool cbo) {
  m_walk_count = 0; // the page-table entries this walk reads (tlb_fill marks their pages)
  m_walk_in_ram = true;
  const Priv priv = effective_priv(kind);
  const u64 mode = m_s.satp >> 60;
  if (priv == Priv::m || mode == 0) {
    pa = va;
    return true;
  }
  // Sv39, Sv48, Sv57 (satp holds only modes this hart accepts): 3, 4 or 5 levels of 9 bits.
  const Exception fault = page_fault(kind); // a CMO's is a store page fault (kind = store)
  if (mode < 8 || mode > 10) { // only a restored state can hold another mode
    raise(fault, va);
    return false;
  }
  const int levels = static_cast<int>(mode) - 5;
  // Canonical: bits 63..VA-bits all equal the top bit of the VA (38, 47 or 56).
  const unsigned unused = 64 - (12 + 9 * static_cast<unsigned>(levels));
  if (static_cast<std::int64_t>(va << unused) >> unused != static_cast<std::int64_t>(va)) {
    raise(fault, va);
    return false;
  }
  namespace ev = envcfg_bits;
  u64 table = (m_s.satp & ((1ull << 44) - 1)) << 12;
  for (int level = levels - 1; level >= 0; --level) {
    const u64 vpn = (va >> (12 + 9 * level)) & 511;
    const u64 pte_addr = table + vpn * 8;
    u64 pte = 0;
    if (!pmp_allows(pte_addr, 8, Access::load, Priv::s) || !m_bus.load(pte_addr, 8, pte)) {
      raise(access_fault(kind), va);
      return false;
    }
    if (m_bus.in_ram(pte_addr, 8)) m_walk_ptes[m_walk_count++] = pte_addr - m_bus.ram_base();
    else m_walk_in_ram = false;
    const bool v = pte & 1, r = pte & 2, w = pte & 4, x = pte & 8, u = pte & 16, a = pte & 64, d = pte & 128;
    if (!v || (!r && w)) break;
    // Bits 63..54: N (Svnapot, not implemented), PBMT (Svpbmt, only with menvcfg.PBMTE, and 3 is
    // reserved), 60..54 reserved: any of them set where not allowed is a page fault.
    const u64 pbmt = (pte >> 61) & 3;
    if ((pte >> 63) || ((pte >> 54) & 0x7f)) break;
    if (pbmt && (pbmt == 3 || !(m_s.menvcfg & ev::pbmte))) break;
    if (!r && !x) { // pointer to the next level: PBMT is reserved there
      if (pbmt) break;
      table = ((pte >> 10) & ((1ull << 44) - 1)) << 12;
      continue;
    }
    // Leaf: permissions, then superpage alignment, then A/D. A cache-block management
    // instruction needs what a load needs (a readable page allows stores only if writable).
    const bool as_load = kind == Access::load || cbo;
    bool ok = kind == Access::fetch ? x : as_load ? (r || ((m_s.mstatus & ms::mxr) && x)) : w;
    if (priv == Priv::u && !u) ok = false;
    if (priv == Priv::s && u && (kind == Access::fetch || !(m_s.mstatus & ms::sum))) ok = false;
    const u64 ppn = (pte >> 10) & ((1ull << 44) - 1);
    if (level > 0 && (ppn & ((1ull << (9 * level)) - 1)) != 0) ok = false;
    if (!ok) break;
    const bool dirty = kind == Access::store && !cbo; // a CMO sets A, not D
    if (!a || (dirty && !d)) {
      // Hardware A/D update, as QEMU does.
      const u64 updated = pte | 64 | (dirty ? 128 : 0);
      if (!pmp_allows(pte_addr, 8, Access::store, Priv::s) || !m_bus.store(pte_addr, 8, updated)) {
        raise(access_fault(kind), va);
        return false;
      }
    }
    const u64 offset_mask = (1ull << (12 + 9 * level)) - 1;
    pa = ((ppn << 12) & ~offset_mask) | (va & offset_mask);
    return true;
  }
  raise(fault, va);
  return false;
}

void Hart::update_pmp_summary() noexcept {
  m_pmp_locked = false;
  for (auto cfg : m_s.pmpcfg) m_pmp_locked |= (cfg & 0x80) != 0;
}

bool Hart::pmp_allows(u64 pa, unsigned size, Access kind, Priv priv) const noexcept {
  for (unsigned i = 0; i < 16; ++i) {
    const std::uint8_t cfg = m_s.pmpcfg[i];
    const unsigned a = (cfg >> 3) & 3;
    if (a == 0) continue;
    u64 lo = 0, hi = 0; // [lo, hi)
    if (a == 1) {
      lo = i == 0 ? 0 : (m_s.pmpaddr[i - 1] << 2);
      hi = m_s.pmpaddr[i] << 2;
    } else if (a == 2) {
      lo = m_s.pmpaddr[i] << 2;
      hi = lo + 4;
    } else {
      const u64 addr = m_s.pmpaddr[i];
      const u64 mask = addr ^ (addr + 1); // the trailing ones and the first zero
      lo = (addr & ~mask) << 2;
      hi = lo + ((mask + 1) << 2);
      if (mask + 1 == 0) hi = ~u64{0}; // all ones: the whole address space
    }
    const bool any = pa < hi && pa + size > lo;
    if (!any) continue;
    const bool all = pa >= lo && pa + size <= hi;
    if (!all) return false; // a partial match fails
    if (priv == Priv::m && !(cfg & 0x80)) return true;
    const unsigned need = kind == Access::fetch ? 4 : kind == Access::load ? 1 : 2;
    return (cfg & need) != 0;
  }
  return priv == Priv::m;
}

void Hart::tlb_fill(Access kind, u64 va, u64 pa) {
  const u64 pa_page = pa & ~(Ram::page_size - 1);
  if (!m_bus.in_ram(pa_page, Ram::page_size) || !pmp_allows(pa_page, Ram::page_size, kind, effective_priv(kind))) return;
  if (!m_walk_in_ram) return; // a page-table entry outside RAM: stores to it are not seen
  auto& ram = m_bus.ram();
  const u64 off = pa_page - m_bus.ram_base();
  // A store that wrote a page-table entry of its own walk may have changed its translation.
  if (kind == Access::store)
    for (unsigned k = 0; k < m_walk_count; ++k)
      if ((m_walk_ptes[k] >> Ram::page_shift) == (off >> Ram::page_shift)) return;
  std::uint8_t* host = kind == Access::store ? ram.page_for_write(off) : const_cast<std::uint8_t*>(ram.page_for_read(off));
  // After page_for_write (which may move the generation): the marks hold under the entry's.
  for (unsigned k = 0; k < m_walk_count; ++k) ram.mark_table(m_walk_ptes[k]);
  auto& e = tlb_for(kind)[(va >> Ram::page_shift) & (tlb_size - 1)];
  e = {va >> Ram::page_shift, m_tlb_gen, ram.generation(), pa_page >> Ram::page_shift, host};
}

bool Hart::access_slow(u64 va, unsigned size, Access kind, u64& value) {
  // Misaligned accesses succeed, as on QEMU's virt: split them into bytes when they cross a
  // page (each byte translated), otherwise do one access at the translated address.
  const bool crosses = ((va & (Ram::page_size - 1)) + size) > Ram::page_size;
  if (crosses) {
    u64 out = 0;
    for (unsigned k = 0; k < size; ++k) {
      u64 byte = kind == Access::store ? (value >> (8 * k)) & 0xff : 0;
      if (!access_slow(va + k, 1, kind, byte)) return false;
      out |= (byte & 0xff) << (8 * k);
    }
    if (kind == Access::load) value = out;
    return true;
  }
  u64 pa = 0;
  if (!translate(va, kind, pa)) return false;
  if (!pmp_allows(pa, size, kind, effective_priv(kind))) {
    raise(access_fault(kind), va);
    return false;
  }
  bool ok;
  m_block_exit = true; // a device may raise an interrupt or ask for attention
  if ((pa & (size - 1)) != 0 && !m_bus.in_ram(pa, size)) {
    // Misaligned device access: byte by byte.
    ok = true;
    u64 out = 0;
    for (unsigned k = 0; k < size && ok; ++k) {
      u64 byte = (value >> (8 * k)) & 0xff;
      ok = kind == Access::store ? m_bus.store(pa + k, 1, byte) : m_bus.load(pa + k, 1, byte);
      out |= (byte & 0xff) << (8 * k);
    }
    if (kind == Access::load) value = out;
  } else {
    ok = kind == Access::store ? m_bus.store(pa, size, value) : m_bus.load(pa, size, value);
    if (ok && m_s.priv != Priv::m) tlb_fill(kind, va, pa); // M-mode has its own page cache
  }
  if (!ok) raise(access_fault(kind), va);
  return ok;
}

bool Hart::translate_amo(u64 va, unsigned size, u64& pa, bool is_lr) {
  const Access kind = is_lr ? Access::load : Access::store;
  // Address triggers first (they outrank misalignment): LR is a load; SC and the AMOs match
  // store and load triggers (an AMO reads and writes; SC is not told apart here).
  if (m_trig_load && trigger_hit(trig_load, va, size, false, 0)) return false;
  if (!is_lr && m_trig_store && trigger_hit(trig_store, va, size, false, 0)) return false;
  if (va & (size - 1)) {
    raise(is_lr ? Exception::load_misaligned : Exception::store_misaligned, va);
    return false;
  }
  if (!translate(va, kind, pa)) return false;
  // AMOs need read and write permission; LR only read.
  if (!pmp_allows(pa, size, Access::load, effective_priv(kind)) ||
      (!is_lr && !pmp_allows(pa, size, Access::store, effective_priv(kind)))) {
    raise(access_fault(kind), va);
    return false;
  }
  return true;
}

bool Hart::debug_read(u64 vaddr, void* dst, std::size_t n) {
  auto* out = static_cast<std::uint8_t*>(dst);
  const bool saved_exc = m_exception;
  for (std::size_t k = 0; k < n; ++k) {
    u64 pa = 0, byte = 0;
    m_exception = false;
    if (!translate(vaddr + k, Access::load, pa) || !m_bus.debug_load(pa, 1, byte)) {
      m_exception = saved_exc;
      return false;
    }
    out[k] = static_cast<std::uint8_t>(byte);
  }
  m_exception = saved_exc;
  return true;
}

// --- CSRs -------------------------------------------------------------------------------------

bool Hart::csr_op(unsigned number, bool do_write, u64 write_value, bool do_read, u64& old) {
  const auto min_priv = static_cast<Priv>((number >> 8) & 3);
  const bool read_only = ((number >> 10) & 3) == 3;
  if (static_cast<unsigned>(m_s.priv) < static_cast<unsigned>(min_priv) || (do_write && read_only)) {
    illegal();
    return false;
  }
  if (number == csr::satp && m_s.priv == Priv::s && (m_s.mstatus & ms::tvm)) {
    illegal();
    return false;
  }
  // Sstc: below M, stimecmp needs menvcfg.STCE and mcounteren.TM.
  if (number == csr::stimecmp && m_s.priv != Priv::m &&
      (!(m_s.menvcfg & envcfg_bits::stce) || !(m_s.mcounteren & 2))) {
    illegal();
    return false;
  }
  u64 v = 0;
  if (!csr_read(number, v)) {
    illegal();
    return false;
  }
  if (do_read) old = v;
  if (do_write && !csr_write(number, write_value)) {
    illegal();
    return false;
  }
  return true;
}

bool Hart::debug_read_csr(unsigned number, u64& value) const {
  return const_cast<Hart*>(this)->csr_read(number, value); // csr_read has no side effects
}

bool Hart::csr_read(unsigned n, u64& v) {
  auto counter_ok = [&](unsigned bit) {
    if (m_s.priv == Priv::m) return true;
    if (!((m_s.mcounteren >> bit) & 1)) return false;
    return m_s.priv == Priv::s || ((m_s.scounteren >> bit) & 1);
  };
  switch (n) {
  case csr::fflags:
  case csr::frm:
  case csr::fcsr:
    if (!fp_enabled()) return false;
    v = n == csr::fflags ? (m_s.fcsr & 31) : n == csr::frm ? ((m_s.fcsr >> 5) & 7) : (m_s.fcsr & 0xff);
    return true;
  case csr::cycle: if (!counter_ok(0)) return false; v = m_s.mcycle; return true;
  case csr::time: if (!counter_ok(1)) return false; v = m_time.mtime(); return true;
  case csr::instret: if (!counter_ok(2)) return false; v = m_s.minstret; return true;
  case csr::sstatus: v = with_sd(m_s.mstatus) & sstatus_mask; return true;
  case csr::sie: v = m_s.mie & m_s.mideleg; return true;
  case csr::stvec: v = m_s.stvec; return true;
  case csr::scounteren: v = m_s.scounteren; return true;
  case csr::senvcfg: v = m_s.senvcfg; return true;
  case csr::stimecmp:
    if (!m_s.ext.contains(isa::Ext::sstc)) return false;
    v = m_s.stimecmp;
    return true;
  case csr::sscratch: v = m_s.sscratch; return true;
  case csr::sepc: v = m_s.sepc; return true;
  case csr::scause: v = m_s.scause; return true;
  case csr::stval: v = m_s.stval; return true;
  case csr::sip: v = m_s.mip & m_s.mideleg; return true;
  case csr::satp: v = m_s.satp; return true;
  case csr::mvendorid: case csr::marchid: case csr::mimpid: case csr::mconfigptr: v = 0; return true;
  case csr::mhartid: v = m_hartid; return true;
  case csr::mstatus: v = with_sd(m_s.mstatus); return true;
  case csr::misa: v = m_s.misa; return true;
  case csr::medeleg: v = m_s.medeleg; return true;
  case csr::mideleg: v = m_s.mideleg; return true;
  case csr::mie: v = m_s.mie; return true;
  case csr::mtvec: v = m_s.mtvec; return true;
  case csr::mcounteren: v = m_s.mcounteren; return true;
  case csr::menvcfg: v = m_s.menvcfg; return true;
  case csr::mcountinhibit: v = m_s.mcountinhibit; return true;
  case csr::mscratch: v = m_s.mscratch; return true;
  case csr::mepc: v = m_s.mepc; return true;
  case csr::mcause: v = m_s.mcause; return true;
  case csr::mtval: v = m_s.mtval; return true;
  case csr::mip: v = m_s.mip; return true;
  case csr::mtinst: case csr::mtval2: v = 0; return true;
  case csr::mcycle: v = m_s.mcycle; return true;
  case csr::minstret: v = m_s.minstret; return true;
  case mseccfg: v = 0; return true; // no Smepmp, Zkr: all fields read 0
  case csr::tselect: v = m_s.tselect; return true;
  case csr::tdata1: v = m_s.tdata1[selected()]; return true;
  case csr::tdata2: v = m_s.tdata2[selected()]; return true;
  case csr::tdata3: v = 0; return true; // no textra matching
  case csr::tinfo: v = tinfo_value; return true;
  case csr::tcontrol: v = m_s.tcontrol; return true;
  default: break;
  }
  if (n >= 0x3a0 && n <= 0x3af) { // pmpcfg0..15: RV64 has only the even ones
    if (n & 1) return false;
    v = 0;
    if (n <= 0x3a2)
      for (unsigned k = 0; k < 8; ++k) v |= u64{m_s.pmpcfg[(n - 0x3a0) * 4 + k]} << (8 * k);
    return true;
  }
  if (n >= 0x3b0 && n <= 0x3ef) { // pmpaddr0..63, 16 implemented
    v = n < 0x3c0 ? m_s.pmpaddr[n - 0x3b0] : 0;
    return true;
  }
  if ((n >= 0xc03 && n <= 0xc1f)) { // hpmcounters: present, always zero
    if (!counter_ok(n - 0xc00)) return false;
    v = 0;
    return true;
  }
  if ((n >= 0xb03 && n <= 0xb1f) || (n >= 0x323 && n <= 0x33f)) {
    v = 0;
    return true;
  }
  return false;
}

// A CSR write that may change translation (satp, mstatus's SUM, MXR, MPRV and MPP, menvcfg,
// PMP) starts new TLB contexts; the others (sscratch, sepc, sie, ...: most of an OS's) keep them.
bool Hart::csr_write(unsigned n, u64 v) {
  const u64 satp = m_s.satp, mstatus = mstatus_xlate(m_s.mstatus), menvcfg = m_s.menvcfg;
  const bool ok = csr_write_value(n, v);
  const bool pmp = (n >= 0x3a0 && n <= 0x3ef) || n == 0x747; // pmpcfg*, pmpaddr*, mseccfg
  if (pmp || satp != m_s.satp || mstatus != mstatus_xlate(m_s.mstatus) || menvcfg != m_s.menvcfg) tlb_context_changed();
  return ok;
}

bool Hart::csr_write_value(unsigned n, u64 v) {
  switch (n) {
  case csr::fflags: m_s.fcsr = (m_s.fcsr & ~31u) | (v & 31); fp_dirty(); return true;
  case csr::frm: m_s.fcsr = (m_s.fcsr & 31u) | static_cast<std::uint32_t>((v & 7) << 5); fp_dirty(); return true;
  case csr::fcsr: m_s.fcsr = static_cast<std::uint32_t>(v & 0xff); fp_dirty(); return true;
  case csr::sstatus: {
    const u64 mask = sstatus_mask & ~(ms::uxl | ms::sd | ms::xs | ms::ube);
    m_s.mstatus = (m_s.mstatus & ~mask) | (v & mask);
    return true;
  }
  case csr::sie: m_s.mie = (m_s.mie & ~m_s.mideleg) | (v & m_s.mideleg); return true;
  case csr::stvec: if ((v & 3) < 2) m_s.stvec = v; return true;
  case csr::scounteren: m_s.scounteren = v & 0xffffffff; return true;
  case csr::senvcfg: m_s.senvcfg = legal_envcfg(v, false, m_s.ext); return true;
  case csr::stimecmp:
    if (!m_s.ext.contains(isa::Ext::sstc)) return false;
    m_s.stimecmp = v;
    timer_changed();
    return true;
  case csr::sscratch: m_s.sscratch = v; return true;
  case csr::sepc: m_s.sepc = v & ~u64{1}; return true;
  case csr::scause: m_s.scause = v; return true;
  case csr::stval: m_s.stval = v; return true;
  case csr::sip: {
    const u64 mask = m_s.mideleg & (1u << 1); // only SSIP is writable through sip
    m_s.mip = (m_s.mip & ~mask) | (v & mask);
    return true;
  }
  case csr::satp: {
    const u64 mode = v >> 60;
    if (mode == 0 || (mode >= 8 && mode <= max_satp_mode())) m_s.satp = v; // WARL: other modes are ignored
    return true;
  }
  case csr::mstatus: {
    u64 nv = (m_s.mstatus & ~mstatus_writable) | (v & mstatus_writable);
    if (((nv & ms::mpp) >> 11) == 2) nv &= ~ms::mpp; // MPP is WARL: the reserved value becomes U
    m_s.mstatus = nv;
    return true;
  }
  case csr::misa: return true; // WARL: extensions cannot be switched off
  case csr::medeleg: m_s.medeleg = v & medeleg_writable; return true;
  case csr::mideleg: m_s.mideleg = v & s_interrupts; return true;
  case csr::mie: m_s.mie = v & 0xaaa; return true;
  case csr::mtvec: if ((v & 3) < 2) m_s.mtvec = v; return true;
  case csr::mcounteren: m_s.mcounteren = v & 0xffffffff; return true;
  case csr::menvcfg:
    m_s.menvcfg = legal_envcfg(v, true, m_s.ext);
    timer_changed();
    return true;
  case csr::mcountinhibit: m_s.mcountinhibit = v & 5; return true;
  case csr::mscratch: m_s.mscratch = v; return true;
  case csr::mepc: m_s.mepc = v & ~u64{1}; return true;
  case csr::mcause: m_s.mcause = v; return true;
  case csr::mtval: m_s.mtval = v; return true;
  case csr::mip: {
    // With Sstc enabled, STIP is stimecmp's, not software's.
    const u64 mask = (m_s.menvcfg & envcfg_bits::stce) ? (mip_writable & ~(1u << 5)) : mip_writable;
    m_s.mip = (m_s.mip & ~mask) | (v & mask);
    return true;
  }
  case csr::mtinst: case csr::mtval2: return true;
  case csr::mcycle: m_s.mcycle = v; m_counters_written |= 1; return true;   // instead of step()'s increment
  case csr::minstret: m_s.minstret = v; m_counters_written |= 4; return true;
  case mseccfg: return true;
  case csr::tselect: if (v < trigger_count) m_s.tselect = v; return true; // WARL: probing stops at the count
  case csr::tdata1:
    m_s.tdata1[selected()] = legal_tdata1(v);
    update_trigger_summary();
    return true;
  case csr::tdata2: m_s.tdata2[selected()] = v; return true;
  case csr::tdata3: case csr::tinfo: return true;
  case csr::tcontrol: m_s.tcontrol = v & 0x88; return true; // MPTE, MTE
  default: break;
  }
  if (n >= 0x3a0 && n <= 0x3af) {
    if (n & 1) return false;
    if (n > 0x3a2) return true;
    for (unsigned k = 0; k < 8; ++k) {
      auto& cfg = m_s.pmpcfg[(n - 0x3a0) * 4 + k];
      if (cfg & 0x80) continue; // locked
      auto nc = static_cast<std::uint8_t>((v >> (8 * k)) & 0x9f);
      if ((nc & 3) == 2) nc &= static_cast<std::uint8_t>(~2u); // R=0 W=1 is reserved: drop W
      cfg = nc;
    }
    update_pmp_summary();
    return true;
  }
  if (n >= 0x3b0 && n <= 0x3ef) {
    const unsigned i = n - 0x3b0;
    if (i >= 16) return true;
    const bool locked = (m_s.pmpcfg[i] & 0x80) != 0;
    const bool next_tor_locked = i + 1 < 16 && (m_s.pmpcfg[i + 1] & 0x80) && ((m_s.pmpcfg[i + 1] >> 3) & 3) == 1;
    if (!locked && !next_tor_locked) m_s.pmpaddr[i] = v & ((1ull << 54) - 1);
    return true;
  }
  if ((n >= 0xb03 && n <= 0xb1f) || (n >= 0x323 && n <= 0x33f)) return true;
  return false;
}

} // namespace retrace
