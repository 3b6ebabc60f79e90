#pragma once
/// \file
/// A RISC-V RV64GC hart (plus the extensions of isa/encoding.hpp's table, each of which can be
/// turned off: set_extensions): architectural state, CSRs, privilege, traps, Sv39/Sv48/Sv57 with
/// Svpbmt, PMP, Sstc, the CMOs and the Sdtrig triggers (docs/machine.md). The
/// instruction semantics live in exec_*.hpp and operate on a Hart through the small accessor
/// API below; the interpreter (step) and the CSR/MMU slow paths are compiled in src/cpu/.
///
/// Example:
/// \code
///   retrace::Bus bus(0x8000'0000, 128 << 20);
///   retrace::FixedTime time;                     // or the machine's CLINT
///   retrace::Hart hart(0, bus, time);
///   hart.state().pc = 0x8000'0000;
///   while (hart.step() != retrace::Hart::StepResult::waiting) {}
/// \endcode

#include "retrace/cpu/csr.hpp"
#include "retrace/isa/decode.hpp"
#include "retrace/isa/extensions.hpp"
#include "retrace/mem/bus.hpp"

#include <array>
#include <cereal/types/array.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

namespace retrace {

/// Where a hart reads `time` from (the CLINT's mtime, derived from the instruction count).
class TimeSource {
public:
  virtual ~TimeSource() = default;
  [[nodiscard]] virtual std::uint64_t mtime() const = 0;
};

/// A TimeSource that returns a settable value, for tests.
class FixedTime final : public TimeSource {
public:
  std::uint64_t value = 0;
  [[nodiscard]] std::uint64_t mtime() const override { return value; }
};

/// All architectural state of a hart: what a snapshot saves and a digest hashes.
struct HartState {
  std::array<std::uint64_t, 32> x{};
  std::array<std::uint64_t, 32> f{}; ///< raw bits; single precision values are NaN-boxed
  std::uint64_t pc = 0;
  Priv priv = Priv::m;
  bool waiting = false; ///< in WFI
  std::uint64_t mstatus = 0, misa = 0, medeleg = 0, mideleg = 0, mie = 0, mip = 0;
  std::uint64_t mtvec = 0, stvec = 0, mscratch = 0, sscratch = 0, mepc = 0, sepc = 0;
  std::uint64_t mcause = 0, scause = 0, mtval = 0, stval = 0, satp = 0;
  std::uint64_t mcounteren = 0, scounteren = 0, menvcfg = 0, senvcfg = 0, mcountinhibit = 0;
  std::uint64_t mcycle = 0, minstret = 0;
  std::uint32_t fcsr = 0; ///< frm << 5 | fflags
  std::array<std::uint8_t, 16> pmpcfg{};
  std::array<std::uint64_t, 16> pmpaddr{};
  std::uint64_t reservation = 0;
  bool reservation_valid = false;
  isa::ExtSet ext; ///< the extensions this hart executes (Hart::set_extensions; default: all)
  // Sstc and Sdtrig (docs/machine.md, "Privileged architecture")
  std::uint64_t stimecmp = ~std::uint64_t{0};
  std::uint64_t tselect = 0, tcontrol = 0;
  /// Per trigger: tdata1 as it reads (type 15 = disabled, type 6 = mcontrol6) and tdata2.
  std::array<std::uint64_t, 2> tdata1{0xf000'0000'0000'0000ull, 0xf000'0000'0000'0000ull}, tdata2{};

  template <class Archive>
  void serialize(Archive& ar) {
    ar(x, f, pc, priv, waiting, mstatus, misa, medeleg, mideleg, mie, mip, mtvec, stvec, mscratch, sscratch,
       mepc, sepc, mcause, scause, mtval, stval, satp, mcounteren, scounteren, menvcfg, senvcfg, mcountinhibit,
       mcycle, minstret, fcsr, pmpcfg, pmpaddr, reservation, reservation_valid, ext, stimecmp, tselect, tcontrol,
       tdata1, tdata2);
  }
  friend bool operator==(const HartState&, const HartState&) = default;
};

/// Kinds of memory access, for translation, PMP and fault causes.
enum class Access : std::uint8_t { fetch, load, store };

/// One RV64GC hart.
class Hart {
public:
  /// What one step did.
  enum class StepResult : std::uint8_t {
    retired, ///< an instruction completed
    trapped, ///< an exception was taken instead
    waiting, ///< the hart is in WFI with nothing pending: it used no instruction
  };
  /// The register an instruction wrote, for traces and reports.
  struct LastWrite {
    enum Kind : std::uint8_t { none, x, f } kind = none;
    std::uint8_t reg = 0;
    std::uint64_t value = 0;
  };

  static constexpr std::uint64_t misa_rv64gc =
      (2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 8) | (1u << 12) | (1u << 18) | (1u << 20);

  Hart(unsigned hartid, Bus& bus, const TimeSource& time);
  ~Hart();
  Hart(const Hart&) = delete;
  Hart& operator=(const Hart&) = delete;

  /// Resets to the state after power-on: M-mode, pc = reset_pc, CSRs at their reset values.
  void reset(std::uint64_t reset_pc);

  /// Executes one instruction (taking a pending interrupt first, at this boundary). This is
  /// the reference interpreter: run() must agree with it instruction for instruction.
  StepResult step();

  /// How a call to run() ended.
  struct RunResult {
    std::uint64_t executed = 0; ///< instructions executed (a trapped one counts, as in step)
    bool stepped = false;       ///< the last one went through step(): last_pc() etc. describe it
    bool trapped = false;       ///< the last one took a trap (an exception, or an interrupt via step)
    bool waiting = false;       ///< the hart is in WFI with nothing pending
  };
  /// The block engine: executes up to `budget` instructions from pre-decoded blocks, exactly as
  /// that many step() calls would. `icount` is incremented after each instruction, so a device
  /// that reads it during an access sees the same value as under step(). Returns early after
  /// a trap, when the hart waits, after an instruction that went through step() (CSR and
  /// system instructions, interrupts, TLB misses) or reached a device while `attention` is set,
  /// and before executing the instruction at `watch_pc` (which it then executes with step()).
  RunResult run(std::uint64_t budget, std::uint64_t& icount, const bool& attention,
                std::uint64_t watch_pc = ~std::uint64_t{0});
  /// The same as run() (without a watched pc), with each block translated to x86-64 code
  /// (src/cpu/jit_x64.cpp). Falls back to run() on other hosts. The lockstep tests hold it to
  /// the reference interpreter.
  RunResult run_jit(std::uint64_t budget, std::uint64_t& icount, const bool& attention);
  /// Lets this hart run the translations `other` made, and `other` this hart's: translated code
  /// depends on the guest's code and the extensions only, never on the hart. Does nothing if
  /// the two implement different extensions; cheap when they already share. The machine calls
  /// it before each turn, so an OS's kernel is translated once, not once per hart.
  void share_translations(Hart& other);
  /// Writes a line per translated block to `f` in perf's map format (`START SIZE NAME`, NAME
  /// naming the guest addresses), so `perf report` on the host names guest blocks; nullptr
  /// stops. Host-side only: it changes nothing the guest sees.
  void set_perf_map(std::FILE* f) noexcept { m_perf_map = f; }

  [[nodiscard]] unsigned hartid() const noexcept { return m_hartid; }
  [[nodiscard]] HartState& state() noexcept { return m_s; }
  /// Replaces the whole architectural state (restoring a snapshot).
  void set_state(const HartState& s) {
    const bool new_extensions = s.ext != m_s.ext;
    m_s = s;
    update_pmp_summary();
    update_trigger_summary();
    tlb_context_changed();
    if (new_extensions) apply_extensions();
  }

  /// The extensions this hart executes; an instruction of any other is an illegal-instruction
  /// exception, in step(), run() and run_jit() alike. The default is every extension retrace
  /// implements; ExtSet::rv64gc() is what QEMU's and most boards' base cores have. It is decided
  /// when an instruction is decoded (what is cached stays decided), so it costs nothing per
  /// instruction executed; setting it drops every decoded block and translation. misa's letters
  /// follow it, it is part of the state (snapshots, digests), and reset() keeps it. (Without C,
  /// compressed words are illegal; jump targets are still only checked for 2-byte alignment.)
  void set_extensions(isa::ExtSet set) {
    m_s.ext = set;
    apply_extensions();
  }
  [[nodiscard]] isa::ExtSet extensions() const noexcept { return m_s.ext; }
  /// misa for an extension set: MXL = 64, S and U, and the letters of its single-letter ones.
  [[nodiscard]] static std::uint64_t misa_for(isa::ExtSet set) noexcept;
  [[nodiscard]] const HartState& state() const noexcept { return m_s; }

  /// Interrupt lines driven by devices (MSIP, MTIP, MEIP, SEIP).
  void set_interrupt(Interrupt irq, bool level) noexcept {
    const std::uint64_t bit = 1ull << static_cast<unsigned>(irq);
    m_s.mip = level ? (m_s.mip | bit) : (m_s.mip & ~bit);
  }
  /// True if an interrupt is pending and enabled in mie (what wakes WFI).
  [[nodiscard]] bool interrupt_pending() const noexcept { return (m_s.mip & m_s.mie) != 0; }

  // --- Sstc: the supervisor timer, compared against the same mtime as the CLINT's mtimecmp ---
  /// The mtime at which STIP rises, or ~0 when stimecmp does not drive STIP (menvcfg.STCE = 0).
  /// The CLINT turns it into an icount deadline, so every engine stops exactly there.
  [[nodiscard]] std::uint64_t stimer_compare() const noexcept {
    return (m_s.menvcfg & envcfg_bits::stce) ? m_s.stimecmp : ~std::uint64_t{0};
  }
  /// With menvcfg.STCE set, STIP = (mtime >= stimecmp); called by the CLINT whenever it
  /// re-evaluates its timers (and by the hart itself when stimecmp or menvcfg change).
  void update_stimer(std::uint64_t mtime) noexcept {
    if (m_s.menvcfg & envcfg_bits::stce) set_interrupt(Interrupt::sti, mtime >= m_s.stimecmp);
  }
  /// A flag the hart sets when a CSR write moved a deadline the run loop plans around
  /// (stimecmp, menvcfg.STCE): the machine's `attention`, as the CLINT's.
  void set_attention(bool* flag) noexcept { m_attention = flag; }

  /// The highest satp mode this hart accepts: 8 (Sv39), 9 (Sv48, with Ext::sv48) or 10 (Sv57,
  /// with Ext::sv57). A write of any other mode leaves satp unchanged.
  [[nodiscard]] unsigned max_satp_mode() const noexcept {
    return m_s.ext.contains(isa::Ext::sv57) ? 10 : m_s.ext.contains(isa::Ext::sv48) ? 9 : 8;
  }
  /// Whether a debug trigger (Sdtrig) is armed. While one is, run() and run_jit() execute
  /// every instruction with step(), which checks the triggers; otherwise they run at full speed.
  [[nodiscard]] bool triggers_armed() const noexcept { return m_trig_exec | m_trig_load | m_trig_store; }
  static constexpr unsigned trigger_count = 2;

  // --- trace support: what the last step did ---
  [[nodiscard]] std::uint64_t last_pc() const noexcept { return m_last_pc; }
  [[nodiscard]] std::uint32_t last_raw() const noexcept { return m_last_raw; }
  [[nodiscard]] std::uint8_t last_length() const noexcept { return m_last_len; }
  [[nodiscard]] const LastWrite& last_write() const noexcept { return m_last_write; }
  /// The mcause of the trap the last step took (with the interrupt bit), if it took one.
  [[nodiscard]] std::uint64_t last_trap_cause() const noexcept { return m_last_trap; }
  [[nodiscard]] bool last_step_trapped() const noexcept { return m_last_trapped; }

  // --- debugger access: no side effects, no traps ---
  /// Reads a CSR as the debugger sees it. False if the CSR does not exist.
  bool debug_read_csr(unsigned number, std::uint64_t& value) const;
  /// Reads guest-virtual memory with the current translation. False if unmapped.
  bool debug_read(std::uint64_t vaddr, void* dst, std::size_t n);

  // --- the API instruction semantics use ---
  [[nodiscard]] std::uint64_t xr(unsigned r) const noexcept { return m_s.x[r]; }
  void xw(unsigned r, std::uint64_t v) noexcept {
    if (r != 0) {
      m_s.x[r] = v;
      m_last_write = {LastWrite::x, static_cast<std::uint8_t>(r), v};
    }
  }
  [[nodiscard]] std::uint64_t pc() const noexcept { return m_s.pc; }
  /// Sets the next pc (branches, jumps). Raises a misaligned-fetch exception when the target
  /// is not 2-byte aligned.
  void jump(std::uint64_t target) noexcept {
    if (target & 1) raise(Exception::insn_misaligned, target);
    else m_npc = target;
  }
  [[nodiscard]] std::uint64_t next_pc() const noexcept { return m_npc; }
  [[nodiscard]] unsigned insn_length() const noexcept { return m_last_len; }

  /// Raises an exception: the instruction has no further effect and the trap is taken.
  void raise(Exception cause, std::uint64_t tval) noexcept {
    if (!m_exception) {
      m_exception = true;
      m_exc_cause = cause;
      m_exc_tval = tval;
    }
  }
  void illegal() noexcept { raise(Exception::illegal_insn, m_last_raw); }
  [[nodiscard]] bool raised() const noexcept { return m_exception; }

  /// Loads `T` from a guest-virtual address; on failure raises the fault and returns false.
  template <class T>
  bool load(std::uint64_t va, T& out) {
    if (m_trig_load) [[unlikely]] { // address triggers before the access, data triggers on its value
      if (trigger_hit(trig_load, va, sizeof(T), false, 0)) return false;
      if (!(load_cached(va, out) || load_slow(va, out))) return false;
      return !trigger_hit(trig_load, va, sizeof(T), true, raw_bits(out));
    }
    return load_cached(va, out) || load_slow(va, out);
  }
  /// Stores `T` to a guest-virtual address; on failure raises the fault and returns false.
  template <class T>
  bool store(std::uint64_t va, T value) {
    if (m_trig_store) [[unlikely]]
      if (trigger_hit(trig_store, va, sizeof(T), false, 0) ||
          trigger_hit(trig_store, va, sizeof(T), true, raw_bits(value)))
        return false;
    invalidate_reservation_if(va, sizeof(T));
    return store_cached(va, value) || store_slow(va, value);
  }
  /// Translates for an atomic (aligned, read-write) access; false after raising the fault.
  bool translate_amo(std::uint64_t va, unsigned size, std::uint64_t& pa, bool is_lr);
  /// Physical read/write for AMOs after translate_amo.
  bool amo_load(std::uint64_t pa, unsigned size, std::uint64_t& v) { return m_bus.load(pa, size, v); }
  bool amo_store(std::uint64_t pa, unsigned size, std::uint64_t v) { return m_bus.store(pa, size, v); }

  /// CSR instruction access with all permission checks; false after raising illegal.
  bool csr_op(unsigned number, bool do_write, std::uint64_t write_value, bool do_read, std::uint64_t& old);

  // floating point
  [[nodiscard]] bool fp_enabled() const noexcept { return (m_s.mstatus & mstatus_bits::fs) != 0; }
  [[nodiscard]] std::uint32_t fcsr() const noexcept { return m_s.fcsr; }
  void fp_dirty() noexcept { m_s.mstatus |= mstatus_bits::fs | mstatus_bits::sd; }
  [[nodiscard]] std::uint64_t fr(unsigned r) const noexcept { return m_s.f[r]; }
  void fw(unsigned r, std::uint64_t v) noexcept {
    m_s.f[r] = v;
    m_last_write = {LastWrite::f, static_cast<std::uint8_t>(r), v};
    fp_dirty();
  }
  /// Single-precision view of f[r]: a value not properly NaN-boxed reads as the canonical NaN.
  [[nodiscard]] std::uint32_t fr32(unsigned r) const noexcept {
    return (m_s.f[r] >> 32) == 0xffffffffu ? static_cast<std::uint32_t>(m_s.f[r]) : 0x7fc00000u;
  }
  void fw32(unsigned r, std::uint32_t v) noexcept { fw(r, 0xffffffff00000000ull | v); }
  void set_fflags(std::uint8_t flags) noexcept {
    if (flags) {
      m_s.fcsr |= flags;
      fp_dirty();
    }
  }
  /// The effective rounding mode for an instruction's rm field; false (after raising illegal)
  /// if it is reserved.
  bool rounding_mode(unsigned rm, unsigned& out) noexcept {
    if (rm == 7) rm = (m_s.fcsr >> 5) & 7;
    if (rm > 4) {
      illegal();
      return false;
    }
    out = rm;
    return true;
  }

  // system instructions
  void exec_mret();
  void exec_sret();
  void exec_wfi();
  void exec_sfence_vma();
  void exec_fence_i();
  // Svinval: sinval.vma is sfence.vma (every translation is dropped at once); the two fences
  // order nothing more here, but are illegal in U-mode.
  void exec_sinval_vma() { exec_sfence_vma(); }
  void exec_sfence_w_inval();
  void exec_sfence_inval_ir() { exec_sfence_w_inval(); }
  /// Zicbom/Zicboz on the 64-byte block holding `va`: op is the instruction's imm (0 inval,
  /// 1 clean, 2 flush, 4 zero). Enabled per mode by menvcfg/senvcfg, translated and checked as
  /// the CMO spec says; only cbo.zero changes memory (as a 64-byte store).
  void exec_cbo(unsigned op, std::uint64_t va);
  static constexpr std::uint64_t cache_block = 64;
  void ecall() noexcept {
    raise(m_s.priv == Priv::u ? Exception::ecall_u : m_s.priv == Priv::s ? Exception::ecall_s : Exception::ecall_m, 0);
  }

private:
  friend struct BlockContext;
  friend struct JitRuntime;
  // The two halves of load and store: through a cached host page (true if it applied), or
  // through translation, PMP and the bus (which may reach a device and may fault).
  template <class T>
  [[gnu::always_inline]] bool load_cached(std::uint64_t va, T& out) {
    if (fast_data_path(va, sizeof(T))) {
      const std::uint64_t off = va - m_bus.ram_base();
      const auto& ram = m_bus.ram();
      if ((off >> Ram::page_shift) != m_load_page || ram.generation() != m_load_generation) {
        m_load_page = off >> Ram::page_shift;
        m_load_host = ram.page_for_read(off);
        m_load_generation = ram.generation();
      }
      T v{};
      if (m_load_host) std::memcpy(&v, m_load_host + (off & (Ram::page_size - 1)), sizeof(T));
      out = v;
      return true;
    }
    if ((va & (Ram::page_size - 1)) + sizeof(T) <= Ram::page_size)
      if (const auto* e = tlb_hit(Access::load, va)) {
        T v{};
        if (e->host) std::memcpy(&v, e->host + (va & (Ram::page_size - 1)), sizeof(T));
        out = v;
        return true;
      }
    return false;
  }
  template <class T>
  bool load_slow(std::uint64_t va, T& out) {
    std::uint64_t v = 0;
    if (!access_slow(va, sizeof(T), Access::load, v)) return false;
    out = static_cast<T>(v);
    return true;
  }
  template <class T>
  [[gnu::always_inline]] bool store_cached(std::uint64_t va, T value) {
    const auto v = static_cast<std::uint64_t>(value);
    if (fast_data_path(va, sizeof(T))) {
      const std::uint64_t off = va - m_bus.ram_base();
      auto& ram = m_bus.ram();
      // A page written once stays this hart's to write until the generation moves (a snapshot
      // shares it, or RAM is restored or cleared): then page_for_write copies it again.
      if ((off >> Ram::page_shift) != m_store_page || ram.generation() != m_store_generation) {
        m_store_host = ram.page_for_write(off);
        m_store_page = off >> Ram::page_shift;
        m_store_generation = ram.generation();
      }
      std::memcpy(m_store_host + (off & (Ram::page_size - 1)), &value, sizeof(T));
      // watchers (HTIF tohost), other harts' reservations, decoded code
      if (m_bus.after_ram_store(va, sizeof(T), v)) [[unlikely]] m_block_exit = true;
      return true;
    }
    if ((va & (Ram::page_size - 1)) + sizeof(T) <= Ram::page_size)
      if (const auto* e = tlb_hit(Access::store, va)) {
        const std::uint64_t in_page = va & (Ram::page_size - 1);
        std::memcpy(e->host + in_page, &value, sizeof(T));
        if (m_bus.after_ram_store((e->pa_page << Ram::page_shift) | in_page, sizeof(T), v)) [[unlikely]]
          m_block_exit = true;
        return true;
      }
    return false;
  }
  template <class T>
  bool store_slow(std::uint64_t va, T value) {
    auto v = static_cast<std::uint64_t>(value);
    return access_slow(va, sizeof(T), Access::store, v);
  }

  // RAM fast path: M-mode data access without MPRV, with no locked PMP entry, inside one page of RAM.
  [[nodiscard, gnu::always_inline]] bool fast_data_path(std::uint64_t va, unsigned size) const noexcept {
    return m_s.priv == Priv::m && !(m_s.mstatus & mstatus_bits::mprv) && !m_pmp_locked &&
           m_bus.in_ram(va, size) && ((va & (Ram::page_size - 1)) + size <= Ram::page_size);
  }
  void invalidate_reservation_if(std::uint64_t va, unsigned size) noexcept {
    if (m_s.reservation_valid && va < m_s.reservation + 8 && va + size > m_s.reservation)
      m_s.reservation_valid = false;
  }
  bool access_slow(std::uint64_t va, unsigned size, Access kind, std::uint64_t& value);
  bool fetch(std::uint64_t va, std::uint32_t& raw, std::uint8_t& len);
  bool fetch16(std::uint64_t va, std::uint64_t& half);
  /// Translates va for `kind`; raises the page/access fault and returns false on failure.
  /// `cbo`: for a cache-block management instruction (a store for MPRV and faults, which a
  /// load's permissions allow, and which sets A but not D).
  bool translate(std::uint64_t va, Access kind, std::uint64_t& pa, bool cbo = false);
  bool pmp_allows(std::uint64_t pa, unsigned size, Access kind, Priv priv) const noexcept;
  [[nodiscard]] Priv effective_priv(Access kind) const noexcept;
  void take_trap(std::uint64_t cause, std::uint64_t tval, bool interrupt);
  bool take_pending_interrupt();
  /// The pending, enabled interrupts the current privilege and mstatus let through now.
  [[nodiscard]] std::uint64_t takeable_interrupts() const noexcept;
  bool csr_read(unsigned number, std::uint64_t& v);
  bool csr_write(unsigned number, std::uint64_t v);
  bool csr_write_value(unsigned number, std::uint64_t v);
  void update_pmp_summary() noexcept;
  void execute(isa::Op op, isa::Insn insn);
  struct Block;
  struct BlockCache;
  Block* block_at(std::uint64_t pc);
  // The physical address a block starting at pc is cached under, if one can start there
  // without step() (block.hpp).
  bool block_pa(std::uint64_t pc, std::uint64_t& pa);
  // What run() and run_jit() share (block_engine.cpp), off their hot paths. The instruction
  // that ends a call through step(), with mcycle and minstret already up to date:
  RunResult step_last(RunResult r, std::uint64_t& icount);
  // The instruction at pc faulted, or reached a device or a slow path, and so ended its block
  // (the instructions before it already counted): takes its trap, or retires it and moves on.
  // True if it trapped.
  bool end_block_at(std::uint64_t pc, std::uint32_t raw, std::uint8_t len);
  Block* build_block(Block& slot, std::uint64_t pa);
  // The decoded instruction, illegal if its extension is not in the hart's set.
  isa::Decoded decoded(std::uint32_t raw, std::uint8_t len) {
    isa::Decoded d;
    if (len == 2) {
      d = (*m_compressed)[raw & 0xffff];
      if (!m_rvc_enabled) d.op = isa::Op::illegal;
    } else {
      auto& slot = m_decode_cache[(raw >> 2) & (m_decode_cache.size() - 1)];
      if (slot.raw != raw) slot = {raw, isa::decode(raw)};
      d = slot.d;
    }
    if (!m_op_enabled[static_cast<std::size_t>(d.op)]) d.op = isa::Op::illegal;
    return d;
  }
  // Recomputes what decoded() lets through and misa from m_s.ext; drops decoded blocks.
  void apply_extensions();
  static const std::array<isa::Decoded, 65536>& compressed_table();

  unsigned m_hartid;
  Bus& m_bus;
  const TimeSource& m_time;
  HartState m_s;
  bool m_pmp_locked = false;     // some PMP entry has L set (so M-mode accesses are checked)
  // Sdtrig: the access kinds some armed trigger watches (a summary of m_s.tdata1, kept by
  // update_trigger_summary), and the mcontrol6 bits that name them.
  bool m_trig_exec = false, m_trig_load = false, m_trig_store = false;
  static constexpr unsigned trig_load = 1, trig_store = 2, trig_exec = 4;
  // True (after raising the breakpoint) if a trigger watching `kind` fires on this access: on
  // its address range [addr, addr+size) or, with `data`, on the value.
  bool trigger_hit(unsigned kind, std::uint64_t addr, unsigned size, bool data, std::uint64_t value);
  void update_trigger_summary() noexcept;
  template <class T>
  static std::uint64_t raw_bits(T v) noexcept {
    std::uint64_t r = 0;
    std::memcpy(&r, &v, sizeof(T));
    return r;
  }
  bool* m_attention = nullptr;  // set_attention
  // stimecmp or menvcfg changed: STIP now, and the run loop must look at the deadlines again.
  void timer_changed() noexcept;
  [[nodiscard]] unsigned selected() const noexcept {
    return m_s.tselect < trigger_count ? static_cast<unsigned>(m_s.tselect) : 0;
  }
  unsigned m_counters_written = 0; // mcountinhibit-style bits (CY 1, IR 4) the current instruction wrote
  // Caches of pure functions, never part of the state: the host page M-mode fetches from (valid
  // while RAM's generation is unchanged), and decoded 32-bit instruction words. M-mode keeps
  // one-entry page caches beside the TLB below: routing M-mode through the TLB measured about
  // 20% slower on the workload benchmark (docs/performance.md), where M-mode code is the common case.
  std::uint64_t m_fetch_page = ~std::uint64_t{0};
  const std::uint8_t* m_fetch_host = nullptr;
  std::uint64_t m_fetch_generation = ~std::uint64_t{0};
  struct DecodeSlot {
    std::uint32_t raw = 0;
    isa::Decoded d = isa::decode(0);
  };
  std::array<DecodeSlot, 4096> m_decode_cache{};
  const std::array<isa::Decoded, 65536>* m_compressed = &compressed_table();
  // Which Ops m_s.ext lets through (Op::illegal's slot: false), and whether C is in it.
  std::array<bool, isa::op_count + 1> m_op_enabled{};
  bool m_rvc_enabled = true;
  // A small TLB for the other modes: guest-virtual page -> host page, per access kind. An entry
  // holds while neither the translation context it was made in (m_tlb_gen) nor RAM's page
  // generation has moved. Each privilege level has its own context generation, so a trap or
  // an xRET only switches m_tlb_gen between them and the entries of the level left stay for
  // its return (an OS traps and returns all the time, docs/performance.md). What changes
  // translation moves all of them: satp, SUM, MXR, MPRV (with MPP while it is set), menvcfg,
  // PMP, sfence.vma, a restore. Filled only for pages that are
  // RAM end to end and that PMP allows whole, so a hit needs no further check. The pages of the
  // page-table entries it was made from are marked (Ram::mark_table), and a write to one moves
  // the generation: an entry is always what a walk would give now, so when entries go (a
  // snapshot or a copy on write moves the generation too) never changes what the guest sees.
  struct TlbEntry {
    std::uint64_t tag = ~std::uint64_t{0}, gen = ~std::uint64_t{0}, ram_gen = ~std::uint64_t{0};
    std::uint64_t pa_page = 0;
    std::uint8_t* host = nullptr;
  };
  static constexpr std::size_t tlb_size = 256;
  std::array<TlbEntry, tlb_size> m_tlb_fetch{}, m_tlb_load{}, m_tlb_store{};
  std::uint64_t m_tlb_gen = 0;                // the current privilege level's context generation
  std::array<std::uint64_t, 4> m_priv_gen{};  // per privilege level (Priv's value)
  std::uint64_t m_tlb_counter = 0;            // where new generations come from
  // Translation changed for every privilege level: no entry made before holds.
  void tlb_context_changed() noexcept {
    for (auto& g : m_priv_gen) g = ++m_tlb_counter;
    m_tlb_gen = m_priv_gen[static_cast<unsigned>(m_s.priv)];
  }
  // What translation depends on in mstatus, given the rest: MPP only while MPRV is set.
  static std::uint64_t mstatus_xlate(std::uint64_t mstatus) noexcept {
    constexpr std::uint64_t mprv = 1ull << 17, sum = 1ull << 18, mxr = 1ull << 19, mpp = 3ull << 11;
    return mstatus & ((mstatus & mprv) ? (mprv | sum | mxr | mpp) : (sum | mxr));
  }
  // After a trap or an xRET: the new level's context, or a new one for all if mstatus changed it.
  void tlb_priv_changed(std::uint64_t mstatus_before) noexcept {
    if (mstatus_xlate(mstatus_before) != mstatus_xlate(m_s.mstatus)) tlb_context_changed();
    else m_tlb_gen = m_priv_gen[static_cast<unsigned>(m_s.priv)];
  }
  std::array<TlbEntry, tlb_size>& tlb_for(Access kind) noexcept {
    return kind == Access::fetch ? m_tlb_fetch : kind == Access::load ? m_tlb_load : m_tlb_store;
  }
  [[gnu::always_inline]] TlbEntry* tlb_hit(Access kind, std::uint64_t va) noexcept {
    auto& e = tlb_for(kind)[(va >> Ram::page_shift) & (tlb_size - 1)];
    return e.tag == (va >> Ram::page_shift) && e.gen == m_tlb_gen && e.ram_gen == m_bus.ram().generation() ? &e : nullptr;
  }
  void tlb_fill(Access kind, std::uint64_t va, std::uint64_t pa);
  // The RAM offsets of the page-table entries the last translate() read, which a TLB entry made
  // from it depends on (tlb_fill marks their pages, Ram::mark_table); false in m_walk_in_ram if
  // one was outside RAM (then no entry is made).
  std::array<std::uint64_t, 5> m_walk_ptes{};
  unsigned m_walk_count = 0;
  bool m_walk_in_ram = true;
  // The same for M-mode loads and stores (a store page is one page_for_write returned).
  std::uint64_t m_load_page = ~std::uint64_t{0}, m_load_generation = ~std::uint64_t{0};
  const std::uint8_t* m_load_host = nullptr;
  std::uint64_t m_store_page = ~std::uint64_t{0}, m_store_generation = ~std::uint64_t{0};
  std::uint8_t* m_store_host = nullptr;
  // Decoded blocks, by physical address (src/cpu/block_engine.cpp); allocated on first run().
  struct BlockCacheDeleter {
    void operator()(BlockCache* c) const noexcept;
  };
  std::unique_ptr<BlockCache, BlockCacheDeleter> m_blocks;
  // The translator's code buffer and translation table (src/cpu/jit_x64.cpp), shared by the
  // harts of a machine that implement the same extensions (share_translations), and this hart's
  // own context and TLBs; allocated on first run_jit().
  struct Jit;
  std::shared_ptr<Jit> m_jit;
  struct JitHart;
  struct JitHartDeleter {
    void operator()(JitHart* j) const noexcept;
  };
  std::unique_ptr<JitHart, JitHartDeleter> m_jit_hart;
  std::FILE* m_perf_map = nullptr; // set_perf_map
  bool m_block_exit = false; // set by a slow memory access: the block ends after this instruction
  // per-step scratch
  std::uint64_t m_npc = 0;
  bool m_exception = false;
  Exception m_exc_cause = Exception::illegal_insn;
  std::uint64_t m_exc_tval = 0;
  std::uint64_t m_last_pc = 0;
  std::uint32_t m_last_raw = 0;
  std::uint8_t m_last_len = 0;
  LastWrite m_last_write;
  bool m_last_trapped = false;
  std::uint64_t m_last_trap = 0;
};

} // namespace retrace
