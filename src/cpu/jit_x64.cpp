// The translator: each decoded block (block.hpp) becomes x86-64 code, run by Hart::run_jit.
//
// Why it is exact, in the same terms as the block engine (block_engine.cpp):
// - a block holds the same instructions, found by the same block_at(); what it cannot hold
//   goes through step(), so interrupts, CSRs, system instructions and TLB misses are handled
//   by the reference code;
// - integer instructions are emitted inline (the common bit-manipulation ones too); every other
//   instruction (division, clz/ctz/cpop, Zbc, the F, D and Zfhmin extensions) calls its exec_*
//   function, the single source of its semantics;
// - a block is only entered if it fits the remaining budget (each block's first instructions
//   check it), so a run stops on exactly the instruction the machine asked for;
// - a load or store first looks in a small TLB of host pages. An entry is only made for a page
//   the hart's own fast paths would have used (M-mode RAM, or the hart's TLB), and for a store
//   only if that page holds no decoded code, no page-table entry a hart's TLB entry was made
//   from (Ram::page_has_table), no watched word, and no hart holds a reservation.
//   The TLB is flushed whenever RAM's page generation, the hart's translation generation or the
//   set of code lines and marked page tables (Ram::code_marks) moves. Anything else calls the hart's load or store, after bringing the
//   icount and pc up to date, exactly as the block engine does;
// - a block ends where the block engine's does, and jumps directly to the next block only if
//   that block starts in the same guest page (so the same translation holds) and fits the budget.
//
// Registers while translated code runs: rbx = the guest's x registers, rbp = the JitCtx,
// r12 = instructions completed in this run_jit call before the current block, r13 = the guest
// virtual address of the current block's first instruction.
#include "block.hpp"

#include "retrace/cpu/exec_a.hpp"
#include "retrace/cpu/exec_b.hpp"
#include "retrace/cpu/exec_fd.hpp"
#include "retrace/cpu/exec_i.hpp"
#include "retrace/cpu/exec_m.hpp"
#include "retrace/cpu/exec_system.hpp"
#include "retrace/cpu/exec_zfh.hpp"
#include "retrace/cpu/exec_zicond.hpp"

#include <cstddef>
#include <cstring>
#include <unordered_map>
#include <vector>

#if defined(__x86_64__) && defined(__linux__)
#define RETRACE_JIT 1
#include <sys/mman.h>
#else
#define RETRACE_JIT 0
#endif

namespace retrace {

#if RETRACE_JIT

namespace {

using blocks::u64;
using isa::Op;

// --- what translated code sees ----------------------------------------------------------------

struct TlbEntry {
  u64 tag = ~u64{0}; // guest virtual page number
  u64 addend = 0;    // host address of the page minus its guest virtual address
};
constexpr std::size_t tlb_entries = 256;

// One instruction as the translated code reports it: where it is, for faults and helpers.
struct JitInsn {
  std::uint16_t op;
  std::uint8_t len;
  std::uint8_t index; // in its block
  std::uint16_t offset;
  std::uint32_t raw;
  isa::Insn insn;
  PreInsn pre;
};

struct JitCtx {
  u64* x = nullptr;
  u64 executed = 0; // r12
  u64 entry = 0;    // r13
  u64 budget = 0;
  u64 next_pc = 0;
  u64* link = nullptr;          // a chaining slot to fill with the next block's code
  const JitInsn* info = nullptr; // the instruction a block left at (exit code 1)
  Hart* hart = nullptr;
  u64* icount = nullptr;
  u64 icount_base = 0;
  u64 key_ram = ~u64{0}, key_tlb = ~u64{0}, key_marks = ~u64{0}, key_watch = ~u64{0};
  bool stores_ok = false;
  alignas(64) std::array<TlbEntry, tlb_entries> load{};
  std::array<TlbEntry, tlb_entries> store{};
};

constexpr std::int32_t off_x = offsetof(JitCtx, x);
constexpr std::int32_t off_executed = offsetof(JitCtx, executed);
constexpr std::int32_t off_entry = offsetof(JitCtx, entry);
constexpr std::int32_t off_budget = offsetof(JitCtx, budget);
constexpr std::int32_t off_next = offsetof(JitCtx, next_pc);
constexpr std::int32_t off_link = offsetof(JitCtx, link);
constexpr std::int32_t off_info = offsetof(JitCtx, info);
constexpr std::int32_t off_load = offsetof(JitCtx, load);
constexpr std::int32_t off_store = offsetof(JitCtx, store);

// The F registers and mstatus, from rbx (the x registers).
constexpr std::int32_t off_f = static_cast<std::int32_t>(offsetof(HartState, f) - offsetof(HartState, x));
constexpr std::int32_t off_mstatus = static_cast<std::int32_t>(offsetof(HartState, mstatus) - offsetof(HartState, x));

// Exit codes of translated code.
constexpr int exit_next = 0;   // a block ended: next_pc (and maybe link) set, r12 counts it
constexpr int exit_insn = 1;   // the instruction `info` faulted or must end the block
constexpr int exit_budget = 2; // the block at r13 does not fit the budget; nothing of it ran

// --- an x86-64 encoder: only what the translator emits ------------------------------------------

enum Reg : unsigned { rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15 };
enum Cond : std::uint8_t { cb = 2, cae = 3, ce = 4, cne = 5, ca = 7, cl = 0xc, cge = 0xd, cg = 0xf };
enum AluOp : std::uint8_t { alu_add = 0, alu_or = 1, alu_and = 4, alu_sub = 5, alu_xor = 6, alu_cmp = 7 };
enum ShiftOp : std::uint8_t { sh_rol = 0, sh_ror = 1, sh_shl = 4, sh_shr = 5, sh_sar = 7 };
enum BitOp : std::uint8_t { bit_set = 5, bit_reset = 6, bit_complement = 7 }; // bts, btr, btc (the /r of 0F BA)

class Emitter {
public:
  Emitter(std::uint8_t* p, std::uint8_t* end) : m_p(p), m_end(end) {}
  [[nodiscard]] std::uint8_t* here() const { return m_p; }
  [[nodiscard]] bool overflowed() const { return m_overflow; }

  void byte(unsigned b) {
    if (m_p < m_end) *m_p++ = static_cast<std::uint8_t>(b);
    else m_overflow = true;
  }
  void u32(std::uint32_t v) {
    for (int k = 0; k < 4; ++k) byte((v >> (8 * k)) & 0xff);
  }
  void u64v(std::uint64_t v) {
    for (int k = 0; k < 8; ++k) byte((v >> (8 * k)) & 0xff);
  }

  // r/m operand [base + index + disp32] (index < 0: none), or a register (mod 11).
  void op_mem(std::initializer_list<unsigned> opcode, bool w, unsigned reg, unsigned base, std::int32_t disp,
              int index = -1, bool byte_reg = false, bool prefix16 = false) {
    if (prefix16) byte(0x66);
    rex(w, reg, index < 0 ? 0 : static_cast<unsigned>(index), base, byte_reg && reg >= 4);
    for (unsigned b : opcode) byte(b);
    if (index < 0 && (base & 7) != 4) {
      byte(0x80 | ((reg & 7) << 3) | (base & 7));
    } else {
      byte(0x80 | ((reg & 7) << 3) | 4);
      byte(((index < 0 ? 4u : static_cast<unsigned>(index)) & 7) << 3 | (base & 7));
    }
    u32(static_cast<std::uint32_t>(disp));
  }
  void op_reg(std::initializer_list<unsigned> opcode, bool w, unsigned reg, unsigned rm) {
    rex(w, reg, 0, rm, false);
    for (unsigned b : opcode) byte(b);
    byte(0xc0 | ((reg & 7) << 3) | (rm & 7));
  }

  void mov_load(unsigned r, unsigned base, std::int32_t disp) { op_mem({0x8b}, true, r, base, disp); }
  void mov_store(unsigned base, std::int32_t disp, unsigned r) { op_mem({0x89}, true, r, base, disp); }
  void mov_rr(unsigned dst, unsigned src) { op_reg({0x8b}, true, dst, src); }
  void zero(unsigned r) { op_reg({0x33}, false, r, r); }
  void mov_imm(unsigned r, std::int64_t v) {
    if (v == 0) {
      zero(r);
    } else if (v >= 0 && v <= 0xffffffffll) {
      rex(false, 0, 0, r, false);
      byte(0xb8 + (r & 7));
      u32(static_cast<std::uint32_t>(v));
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      op_reg({0xc7}, true, 0, r);
      u32(static_cast<std::uint32_t>(v));
    } else {
      rex(true, 0, 0, r, false);
      byte(0xb8 + (r & 7));
      u64v(static_cast<std::uint64_t>(v));
    }
  }
  void mov_ptr(unsigned r, const void* p) {
    mov_imm(r, static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(p)));
  }
  void lea(unsigned r, unsigned base, std::int32_t disp) { op_mem({0x8d}, true, r, base, disp); }
  void alu_rr(AluOp op, bool w, unsigned dst, unsigned src) { op_reg({static_cast<unsigned>(op) * 8 + 3}, w, dst, src); }
  void alu_rm(AluOp op, unsigned dst, unsigned base, std::int32_t disp) {
    op_mem({static_cast<unsigned>(op) * 8 + 3}, true, dst, base, disp);
  }
  void alu_ri(AluOp op, bool w, unsigned r, std::int32_t imm) {
    if (imm >= -128 && imm <= 127) {
      op_reg({0x83}, w, op, r);
      byte(static_cast<std::uint8_t>(imm));
    } else {
      op_reg({0x81}, w, op, r);
      u32(static_cast<std::uint32_t>(imm));
    }
  }
  void shift_ri(ShiftOp op, bool w, unsigned r, unsigned amount) {
    op_reg({0xc1}, w, op, r);
    byte(amount);
  }
  void shift_cl(ShiftOp op, bool w, unsigned r) { op_reg({0xd3}, w, op, r); }
  void imul(bool w, unsigned dst, unsigned src) { op_reg({0x0f, 0xaf}, w, dst, src); }
  void movsxd(unsigned dst, unsigned src) { op_reg({0x63}, true, dst, src); }
  void zext32(unsigned r) { op_reg({0x8b}, false, r, r); }               // mov r32, r32
  void zext16(unsigned r) { op_reg({0x0f, 0xb7}, false, r, r); }         // movzx r32, r16
  void sext8(unsigned r) { op_reg({0x0f, 0xbe}, true, r, r); }           // movsx r64, r8 (r is rax..rbx)
  void sext16(unsigned r) { op_reg({0x0f, 0xbf}, true, r, r); }          // movsx r64, r16
  void not64(unsigned r) { op_reg({0xf7}, true, 2, r); }
  void cmov(Cond c, unsigned dst, unsigned src) { op_reg({0x0f, 0x40u + c}, true, dst, src); }
  void bswap64(unsigned r) {
    byte(0x48 | ((r >> 3) & 1));
    byte(0x0f);
    byte(0xc8 + (r & 7));
  }
  void bit_imm(BitOp op, unsigned r, unsigned index) { // bts/btr/btc r64, imm8
    op_reg({0x0f, 0xba}, true, op, r);
    byte(index & 63);
  }
  void bit_reg(BitOp op, unsigned r, unsigned index) { // bts/btr/btc r64, index (mod 64)
    const unsigned opcode = op == bit_set ? 0xab : op == bit_reset ? 0xb3 : 0xbb;
    op_reg({0x0f, opcode}, true, index, r);
  }
  void setcc_zx(Cond c, unsigned r) { // r = condition ? 1 : 0 (r is rax, rcx or rdx)
    op_reg({0x0f, 0x90u + c}, false, 0, r);
    op_reg({0x0f, 0xb6}, false, r, r);
  }
  void test_rr(unsigned a, unsigned b) { op_reg({0x85}, true, b, a); }
  void test_low_byte(unsigned r, std::uint8_t imm) { // test r8, imm (r is rax..rbx)
    op_reg({0xf6}, false, 0, r);
    byte(imm);
  }
  // Returns where the rel32 goes, for patch().
  std::uint8_t* jcc(Cond c) {
    byte(0x0f);
    byte(0x80 + c);
    std::uint8_t* at = m_p;
    u32(0);
    return at;
  }
  std::uint8_t* jmp() {
    byte(0xe9);
    std::uint8_t* at = m_p;
    u32(0);
    return at;
  }
  void jcc_to(Cond c, const std::uint8_t* target) { patch(jcc(c), target); }
  void jmp_to(const std::uint8_t* target) { patch(jmp(), target); }
  void patch(std::uint8_t* at, const std::uint8_t* target) {
    if (m_overflow || at + 4 > m_end) return;
    const auto rel = static_cast<std::int32_t>(target - (at + 4));
    std::memcpy(at, &rel, 4);
  }
  void jmp_reg(unsigned r) { op_reg({0xff}, false, 4, r); }
  void call_abs(const void* fn) {
    mov_ptr(rax, fn);
    op_reg({0xff}, false, 2, rax);
  }
  // mov rax, [rip + slot] / lea rax, [rip + slot]
  void rip_rax(unsigned opcode, std::uintptr_t slot) {
    byte(0x48);
    byte(opcode);
    byte(0x05);
    const auto next = reinterpret_cast<std::uintptr_t>(m_p) + 4;
    u32(static_cast<std::uint32_t>(slot - next)); // the slot is within the buffer: +-2 GB
  }
  void push(unsigned r) {
    if (r >= 8) byte(0x41);
    byte(0x50 + (r & 7));
  }
  void pop(unsigned r) {
    if (r >= 8) byte(0x41);
    byte(0x58 + (r & 7));
  }
  void ret() { byte(0xc3); }
  void align(unsigned n) {
    while (reinterpret_cast<std::uintptr_t>(m_p) % n) byte(0xcc);
  }

private:
  void rex(bool w, unsigned reg, unsigned index, unsigned base, bool force) {
    const unsigned r = 0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((index >> 3) & 1) << 1 | ((base >> 3) & 1);
    if (r != 0x40 || force) byte(r);
  }
  std::uint8_t* m_p;
  std::uint8_t* m_end;
  bool m_overflow = false;
};

// --- the semantics that are not inlined --------------------------------------------------------

// Integer instructions that only read and write x registers.
struct RegContext {
  u64* x;
  [[nodiscard]] u64 xr(unsigned r) const { return x[r]; }
  void xw(unsigned r, u64 v) {
    if (r != 0) x[r] = v;
  }
};
using AluFn = void (*)(u64*, const PreInsn&);
using HartFn = void (*)(Hart&, isa::Insn);

// exec_<op>(h, i) for one op; h and i are dependent so that only the chosen call is compiled.
template <Op op, class H, class I>
void call_exec(H& h, I i) {
#define RETRACE_X(id, name, match, mask, fmt, ext)                                                                    \
  if constexpr (op == Op::id) exec::exec_##id(h, i);
  RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
}

// The register-only instructions the translator does not emit inline: M, and the
// bit-manipulation and Zicond ones it has no x86-64 sequence for.
template <Op op>
constexpr AluFn alu_fn() {
  if constexpr (blocks::on_context(op) && isa::insn_table[static_cast<std::size_t>(op)].ext != isa::Ext::i) {
    return [](u64* x, const PreInsn& p) {
      RegContext c{x};
      call_exec<op>(c, p);
    };
  } else {
    return nullptr;
  }
}
constexpr AluFn alu_fns[] = {
#define RETRACE_X(id, name, match, mask, fmt, ext) alu_fn<Op::id>(),
    RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
};
template <Op op>
constexpr HartFn hart_fn() {
  if constexpr (!blocks::on_context(op)) {
    return [](Hart& h, isa::Insn i) { call_exec<op>(h, i); };
  } else {
    return nullptr;
  }
}
constexpr HartFn hart_fns[] = {
#define RETRACE_X(id, name, match, mask, fmt, ext) hart_fn<Op::id>(),
    RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
};

alignas(4096) const std::uint8_t zero_page[Ram::page_size] = {};

} // namespace

// The code buffer and its bookkeeping, shared by the harts of a machine.
struct Hart::Jit {
  // Code lives in chunks, each twice the size of the one before, up to max_code in all: a
  // machine of a sweep translates a few hundred blocks into well under a megabyte, a Linux boot
  // about 48 MB (docs/performance.md). Reserving 256 MB per machine up front made a sweep of
  // thousands of machines slow under TSan, which shadows every mapping. Each chunk begins with
  // its own entry and exit stubs, so translated code only jumps within its chunk (rel32) or
  // through absolute slots, and a new chunk leaves every translation valid. When all chunks are
  // full, every translation is dropped and code starts over in the first.
  static constexpr std::size_t first_chunk = 1u << 20;
  static constexpr std::size_t max_code = 256u << 20;
  // Translations by physical address, apart from the block cache: a block the block cache
  // evicted (an OS kernel has far more blocks than its 4096 slots) is not translated again.
  // An entry holds while its page's Ram::code_stamp and the buffer's gen are unchanged.
  struct Entry {
    u64 pa = ~u64{0};
    u64 stamp = 0;
    u64 gen = 0;
    const void* code = nullptr;
    u64 count = 0;
  };
  // Starts small (a machine of a sweep runs a few hundred blocks) and grows with the number of
  // translations, up to max_table; a grown table starts empty and refills from `all`.
  static constexpr std::size_t max_table = 1u << 16;
  std::vector<Entry> table = std::vector<Entry>(256);
  // Every translation in the buffer, by physical address: a block whose table slot another
  // took is found here instead of being translated again. Only looked up, never iterated.
  std::unordered_map<u64, Entry> all; // host-time-ok: its order cannot reach the guest
  std::size_t slot(u64 pa) const noexcept { return ((pa >> 1) ^ (pa >> 17)) & (table.size() - 1); }
  static constexpr std::size_t block_reserve = 64u << 10; // the most one block's code can need

  using EnterFn = int (*)(JitCtx*, const void*);
  struct Chunk {
    std::uint8_t* base = nullptr;
    std::size_t size = 0;
    EnterFn enter = nullptr;
    const std::uint8_t* common_exit = nullptr;
    const std::uint8_t* budget_exit = nullptr;
    std::uint8_t* code_start = nullptr; // past the stubs
  };
  std::vector<Chunk> chunks;
  std::size_t current = 0;     // the chunk code is being added to
  std::size_t reserved = 0;    // bytes of all chunks
  std::uint8_t* cursor = nullptr; // in the current chunk
  std::uint64_t gen = 1;              // a translation is valid while the gen it was made under is this
  std::uint64_t code_epoch = ~u64{0}; // RAM's code epoch the buffer's code was made under
  // The current chunk, whose stubs new code uses.
  const Chunk& chunk() const noexcept { return chunks[current]; }
  std::uint8_t* end() const noexcept { return chunk().base + chunk().size; }

  Jit() { add_chunk(first_chunk); } // without a chunk, run_jit runs the block engine
  ~Jit() {
    for (const auto& c : chunks) ::munmap(c.base, c.size);
  }
  Jit(const Jit&) = delete;
  Jit& operator=(const Jit&) = delete;
  bool usable() const noexcept { return !chunks.empty(); }

  bool add_chunk(std::size_t size) {
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (p == MAP_FAILED) return false;
    Chunk c;
    c.base = static_cast<std::uint8_t*>(p);
    c.size = size;
    emit_stubs(c);
    chunks.push_back(c);
    reserved += size;
    use(chunks.size() - 1);
    return true;
  }
  void use(std::size_t k) {
    current = k;
    cursor = chunks[k].code_start;
  }
  // Called when a block does not fit the current chunk, from the dispatcher (no translated code
  // is running): goes on in the next chunk, or drops every translation when there is none.
  void make_room() {
    if (current + 1 < chunks.size()) return use(current + 1);
    const std::size_t next = std::min(chunks.back().size * 2, max_code - std::min(max_code, reserved));
    if (next >= block_reserve * 2 && add_chunk(next)) return;
    reset();
  }
  // Drops every translation; the chunks stay, to be filled again from the first.
  void reset() {
    use(0);
    all.clear();
    ++gen;
  }

  static void emit_stubs(Chunk& c) {
    Emitter e(c.base, c.base + c.size);
    // int enter(JitCtx* ctx, const void* code)
    c.enter = reinterpret_cast<EnterFn>(e.here());
    for (unsigned r : {rbx, rbp, r12, r13, r14, r15}) e.push(r);
    e.alu_ri(alu_sub, true, rsp, 8); // keeps calls from translated code 16-byte aligned
    e.mov_rr(rbp, rdi);
    e.mov_load(rbx, rbp, off_x);
    e.mov_load(r12, rbp, off_executed);
    e.mov_load(r13, rbp, off_entry);
    e.jmp_reg(rsi);
    e.align(16);
    // eax = exit code
    c.common_exit = e.here();
    e.mov_store(rbp, off_executed, r12);
    e.mov_store(rbp, off_entry, r13);
    e.alu_ri(alu_add, true, rsp, 8);
    for (unsigned r : {r15, r14, r13, r12, rbp, rbx}) e.pop(r);
    e.ret();
    e.align(16);
    c.budget_exit = e.here();
    e.mov_imm(rax, exit_budget);
    e.jmp_to(c.common_exit);
    e.align(64);
    c.code_start = e.here();
  }
};

// What translated code needs of one hart: its context, with its TLBs.
struct Hart::JitHart {
  JitCtx ctx;
};
void Hart::JitHartDeleter::operator()(JitHart* j) const noexcept { delete j; }

void Hart::share_translations(Hart& other) {
  if (m_jit && m_jit == other.m_jit) return;
  if (m_s.ext != other.m_s.ext || this == &other) return;
  if (!other.m_jit) other.m_jit = std::make_shared<Jit>();
  m_jit = other.m_jit;
}

// What translated code calls, and the translator itself.
struct JitRuntime {
  // --- the TLB -----------------------------------------------------------------------------
  static void flush(JitCtx& c, bool loads, bool stores) {
    if (loads)
      for (auto& e : c.load) e.tag = ~u64{0};
    if (stores)
      for (auto& e : c.store) e.tag = ~u64{0};
  }
  // The TLB holds while what it was filled under holds.
  static void refresh_key(JitCtx& c) {
    Hart& h = *c.hart;
    const Ram& ram = h.m_bus.ram();
    if (c.key_ram != ram.generation() || c.key_tlb != h.m_tlb_gen || c.key_marks != ram.code_marks() ||
        c.key_watch != h.m_bus.watch_version()) {
      flush(c, true, true);
      c.key_ram = ram.generation();
      c.key_tlb = h.m_tlb_gen;
      c.key_marks = ram.code_marks();
      c.key_watch = h.m_bus.watch_version();
    }
  }
  // After a load that worked: the page it used, if the hart's own fast path would use it too.
  static void fill_load(JitCtx& c, u64 va) {
    Hart& h = *c.hart;
    const std::uint8_t* host = nullptr;
    if (h.fast_data_path(va, 1)) {
      host = h.m_bus.ram().page_for_read(va - h.m_bus.ram_base());
      if (!host) host = zero_page; // never written: reads as zero until it is (the generation then moves)
    } else if (const auto* e = h.tlb_hit(Access::load, va)) {
      host = e->host;
    }
    if (!host) return;
    auto& e = c.load[(va >> Ram::page_shift) & (tlb_entries - 1)];
    e.tag = va >> Ram::page_shift;
    e.addend = reinterpret_cast<std::uintptr_t>(host) - (va & ~(Ram::page_size - 1));
  }
  static void fill_store(JitCtx& c, u64 va) {
    Hart& h = *c.hart;
    if (!c.stores_ok || h.m_s.reservation_valid) return;
    const Ram& ram = h.m_bus.ram();
    std::uint8_t* host = nullptr;
    u64 pa_page = 0;
    if (h.fast_data_path(va, 1)) {
      const u64 off = va - h.m_bus.ram_base();
      if (h.m_store_page != off >> Ram::page_shift || h.m_store_generation != ram.generation()) return;
      host = h.m_store_host;
      pa_page = va & ~(Ram::page_size - 1);
    } else if (const auto* e = h.tlb_hit(Access::store, va)) {
      host = e->host;
      pa_page = e->pa_page << Ram::page_shift;
    }
    if (!host || ram.page_has_code(pa_page - h.m_bus.ram_base()) || ram.page_has_table(pa_page - h.m_bus.ram_base()) ||
        h.m_bus.watched(pa_page, Ram::page_size))
      return;
    auto& e = c.store[(va >> Ram::page_shift) & (tlb_entries - 1)];
    e.tag = va >> Ram::page_shift;
    e.addend = reinterpret_cast<std::uintptr_t>(host) - (va & ~(Ram::page_size - 1));
  }

  // --- helpers called from translated code ------------------------------------------------------
  // Brings the icount and pc up to date for the instruction about to touch a slow path.
  static void sync(JitCtx& c, const JitInsn& in) {
    *c.icount = c.icount_base + c.executed + in.index;
    c.hart->m_s.pc = c.entry + in.offset;
  }
  struct LoadResult {
    u64 value;
    u64 flags; // bit 0: value is the result; bit 1: the block must end after this instruction
  };
  template <class T>
  static LoadResult load(JitCtx* c, u64 va, const JitInsn* in) {
    Hart& h = *c->hart;
    T v{};
    bool ok = h.load_cached(va, v);
    if (!ok) {
      sync(*c, *in);
      ok = h.load_slow(va, v);
    }
    refresh_key(*c);
    if (ok && !h.m_block_exit) fill_load(*c, va);
    using Wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, u64>;
    return {static_cast<u64>(static_cast<Wide>(v)), (ok ? 1u : 0u) | ((!ok || h.m_block_exit) ? 2u : 0u)};
  }
  template <class T>
  static bool store(JitCtx* c, u64 va, u64 value, const JitInsn* in) {
    Hart& h = *c->hart;
    h.invalidate_reservation_if(va, sizeof(T));
    bool ok = h.store_cached(va, static_cast<T>(value));
    if (!ok) {
      sync(*c, *in);
      ok = h.store_slow(va, static_cast<T>(value));
    }
    refresh_key(*c);
    if (ok && !h.m_block_exit) fill_store(*c, va);
    return ok && !h.m_block_exit;
  }
  // An instruction outside I and M (F and D), on the hart as the block engine runs it. False:
  // the block ends.
  static bool hart_op(JitCtx* c, const JitInsn* in) {
    Hart& h = *c->hart;
    sync(*c, *in);
    h.m_npc = h.m_s.pc + in->len;
    h.m_last_raw = in->raw;
    h.m_last_len = in->len;
    hart_fns[in->op](h, in->insn);
    refresh_key(*c);
    return !(h.m_exception | h.m_block_exit);
  }
  static void alu_op(u64* x, const JitInsn* in) { alu_fns[in->op](x, in->pre); }
  // An F or D instruction that only touches registers, fcsr and mstatus: no icount or pc to
  // bring up to date (only an illegal-instruction trap can come of it, and the dispatcher sets
  // the pc for that).
  static bool fp_op(JitCtx* c, const JitInsn* in) {
    Hart& h = *c->hart;
    h.m_last_raw = in->raw;
    h.m_last_len = in->len;
    hart_fns[in->op](h, in->insn);
    return !h.m_exception;
  }
  // flw, fld, fsw, fsd when translated code could not do them (TLB miss, FS not as needed):
  // the whole instruction on the hart, then the page it used goes into the TLB.
  static bool fp_memory(JitCtx* c, u64 va, const JitInsn* in) {
    const bool ok = hart_op(c, in);
    if (ok) {
      const auto op = static_cast<Op>(in->op);
      if (op == Op::flw || op == Op::fld) fill_load(*c, va);
      else fill_store(*c, va);
    }
    return ok;
  }

  // --- the translator --------------------------------------------------------------------------
  struct Pending {
    std::uint8_t* site;
    enum Kind : std::uint8_t { load, store, branch, fp_memory } kind;
    const JitInsn* info;
    std::uint8_t* resume;
    std::int32_t delta; // branch: target - block start
    std::uint32_t executed; // branch: instructions of the block done when it is taken
  };

  static const void* load_helper(Op op) {
    switch (op) {
    case Op::lb: return reinterpret_cast<const void*>(&load<std::int8_t>);
    case Op::lh: return reinterpret_cast<const void*>(&load<std::int16_t>);
    case Op::lw: return reinterpret_cast<const void*>(&load<std::int32_t>);
    case Op::ld: return reinterpret_cast<const void*>(&load<u64>);
    case Op::lbu: return reinterpret_cast<const void*>(&load<std::uint8_t>);
    case Op::lhu: return reinterpret_cast<const void*>(&load<std::uint16_t>);
    default: return reinterpret_cast<const void*>(&load<std::uint32_t>);
    }
  }
  static const void* store_helper(Op op) {
    switch (op) {
    case Op::sb: return reinterpret_cast<const void*>(&store<std::uint8_t>);
    case Op::sh: return reinterpret_cast<const void*>(&store<std::uint16_t>);
    case Op::sw: return reinterpret_cast<const void*>(&store<std::uint32_t>);
    default: return reinterpret_cast<const void*>(&store<u64>);
    }
  }
  static unsigned access_size(Op op) {
    switch (op) {
    case Op::lb: case Op::lbu: case Op::sb: return 1;
    case Op::lh: case Op::lhu: case Op::sh: return 2;
    case Op::lw: case Op::lwu: case Op::sw: case Op::flw: case Op::fsw: return 4;
    default: return 8;
    }
  }

  struct Translator {
    Hart::Jit& j;
    Emitter e;
    u64 page_offset; // of the block's first instruction
    std::vector<Pending> pending;
    struct SlotUse {
      std::uint8_t* site;
      unsigned opcode;
      std::size_t slot;
    };
    std::vector<SlotUse> slot_uses;
    std::size_t slots = 0; // chaining slots, 8 bytes each after the code
    std::array<std::vector<std::uint8_t*>, blocks::max_block> exit_uses{};

    static std::int32_t xoff(unsigned r) { return static_cast<std::int32_t>(8 * r); }
    void read_x(unsigned host, unsigned r) {
      if (r == 0) e.zero(host);
      else e.mov_load(host, rbx, xoff(r));
    }
    void write_x(unsigned r, unsigned host) {
      if (r != 0) e.mov_store(rbx, xoff(r), host);
    }
    void jump_to_exit(unsigned k, std::uint8_t* site) { exit_uses[k].push_back(site); }

    // Leaves the block for the instruction `delta` bytes past its start, `done` of its
    // instructions completed: straight into that block's code if it has been linked.
    void leave_static(std::int32_t delta, std::uint32_t done) {
      e.alu_ri(alu_add, true, r12, static_cast<std::int32_t>(done));
      const std::int64_t target = static_cast<std::int64_t>(page_offset) + delta;
      if (target >= 0 && target < static_cast<std::int64_t>(Ram::page_size)) {
        const std::size_t slot = slots++;
        slot_uses.push_back({e.here(), 0x8b, slot});
        e.rip_rax(0x8b, 0); // mov rax, [rip + slot]
        e.test_rr(rax, rax);
        std::uint8_t* unlinked = e.jcc(ce);
        e.alu_ri(alu_add, true, r13, delta);
        e.jmp_reg(rax);
        e.patch(unlinked, e.here());
        e.lea(rax, r13, delta);
        e.mov_store(rbp, off_next, rax);
        slot_uses.push_back({e.here(), 0x8d, slot});
        e.rip_rax(0x8d, 0); // lea rax, [rip + slot]
        e.mov_store(rbp, off_link, rax);
      } else {
        e.lea(rax, r13, delta);
        e.mov_store(rbp, off_next, rax);
        e.zero(rax);
        e.mov_store(rbp, off_link, rax);
      }
      e.mov_imm(rax, exit_next);
      e.jmp_to(j.chunk().common_exit);
    }
    void save_position() {
      e.mov_store(rbp, off_executed, r12);
      e.mov_store(rbp, off_entry, r13);
    }

    void emit(const Hart::Block::Insn& bi, const JitInsn* info, unsigned k) {
      const auto op = static_cast<Op>(bi.op);
      const PreInsn& p = bi.pre;
      const unsigned rd = p.rd_, rs1 = p.rs1_, rs2 = p.rs2_;
      const std::int32_t imm = p.imm_;
      const auto alu_imm = [&](AluOp a, bool w) {
        if (rd == 0) return;
        read_x(rax, rs1);
        if (imm != 0 || !w) e.alu_ri(a, w, rax, imm);
        if (!w) e.movsxd(rax, rax);
        write_x(rd, rax);
      };
      const auto alu_reg = [&](AluOp a, bool w) {
        if (rd == 0) return;
        read_x(rax, rs1);
        read_x(rcx, rs2);
        e.alu_rr(a, w, rax, rcx);
        if (!w) e.movsxd(rax, rax);
        write_x(rd, rax);
      };
      const auto shift_imm = [&](ShiftOp s, bool w) {
        if (rd == 0) return;
        read_x(rax, rs1);
        e.shift_ri(s, w, rax, static_cast<unsigned>(imm) & (w ? 63 : 31));
        if (!w) e.movsxd(rax, rax);
        write_x(rd, rax);
      };
      const auto shift_reg = [&](ShiftOp s, bool w) {
        if (rd == 0) return;
        read_x(rax, rs1);
        read_x(rcx, rs2);
        e.shift_cl(s, w, rax);
        if (!w) e.movsxd(rax, rax);
        write_x(rd, rax);
      };
      const auto set_if = [&](Cond c, bool with_imm) {
        if (rd == 0) return;
        read_x(rcx, rs1);
        if (with_imm) e.alu_ri(alu_cmp, true, rcx, imm);
        else {
          read_x(rdx, rs2);
          e.alu_rr(alu_cmp, true, rcx, rdx);
        }
        e.setcc_zx(c, rax);
        write_x(rd, rax);
      };
      const auto branch = [&](Cond c) {
        read_x(rax, rs1);
        read_x(rcx, rs2);
        e.alu_rr(alu_cmp, true, rax, rcx);
        pending.push_back({e.jcc(c), Pending::branch, info, nullptr, static_cast<std::int32_t>(bi.offset) + imm, k + 1});
      };
      const auto memory = [&](bool is_store, bool fp) {
        const unsigned size = access_size(op);
        read_x(rsi, rs1);
        if (imm != 0) e.alu_ri(alu_add, true, rsi, imm);
        if (is_store) {
          if (fp) e.mov_load(r8, rbx, off_f + xoff(rs2));
          else read_x(r8, rs2);
        }
        std::uint8_t* guard = nullptr;
        if (fp) { // FS on for a store; for a load, FS dirty and SD already set (what writing f sets)
          e.mov_load(rcx, rbx, off_mstatus);
          if (is_store) {
            e.alu_ri(alu_and, false, rcx, static_cast<std::int32_t>(mstatus_bits::fs));
            guard = e.jcc(ce);
          } else {
            e.mov_imm(rdx, static_cast<std::int64_t>(mstatus_bits::fs | mstatus_bits::sd));
            e.alu_rr(alu_and, true, rcx, rdx);
            e.alu_rr(alu_cmp, true, rcx, rdx);
            guard = e.jcc(cne);
          }
        }
        e.mov_rr(rax, rsi);
        e.shift_ri(sh_shr, true, rax, Ram::page_shift);
        e.op_reg({0x8b}, false, rcx, rax); // mov ecx, eax
        e.alu_ri(alu_and, false, rcx, tlb_entries - 1);
        e.shift_ri(sh_shl, false, rcx, 4);
        const std::int32_t table = is_store ? off_store : off_load;
        e.op_mem({0x3b}, true, rax, rbp, table, rcx); // cmp rax, [rbp + rcx + table]
        std::uint8_t* miss = e.jcc(cne);
        std::uint8_t* straddle = nullptr;
        if (size > 1) {
          e.op_reg({0x8b}, false, rdx, rsi); // mov edx, esi
          e.alu_ri(alu_and, false, rdx, Ram::page_size - 1);
          e.alu_ri(alu_cmp, false, rdx, static_cast<std::int32_t>(Ram::page_size - size));
          straddle = e.jcc(ca);
        }
        e.op_mem({0x8b}, true, rax, rbp, table + 8, rcx); // host addend
        if (is_store) {
          switch (size) {
          case 1: e.op_mem({0x88}, false, r8, rax, 0, rsi, true); break;
          case 2: e.op_mem({0x89}, false, r8, rax, 0, rsi, false, true); break;
          case 4: e.op_mem({0x89}, false, r8, rax, 0, rsi); break;
          default: e.op_mem({0x89}, true, r8, rax, 0, rsi); break;
          }
        } else {
          switch (op) {
          case Op::lb: e.op_mem({0x0f, 0xbe}, true, rax, rax, 0, rsi); break;
          case Op::lbu: e.op_mem({0x0f, 0xb6}, false, rax, rax, 0, rsi); break;
          case Op::lh: e.op_mem({0x0f, 0xbf}, true, rax, rax, 0, rsi); break;
          case Op::lhu: e.op_mem({0x0f, 0xb7}, false, rax, rax, 0, rsi); break;
          case Op::lw: e.op_mem({0x63}, true, rax, rax, 0, rsi); break;
          case Op::lwu: case Op::flw: e.op_mem({0x8b}, false, rax, rax, 0, rsi); break;
          default: e.op_mem({0x8b}, true, rax, rax, 0, rsi); break;
          }
          if (op == Op::flw) { // NaN-boxed
            e.mov_imm(rcx, static_cast<std::int64_t>(0xffffffff00000000ull));
            e.alu_rr(alu_or, true, rax, rcx);
          }
          if (fp) e.mov_store(rbx, off_f + xoff(rd), rax);
          else write_x(rd, rax);
        }
        std::uint8_t* resume = e.here();
        const auto kind = fp ? Pending::fp_memory : is_store ? Pending::store : Pending::load;
        pending.push_back({miss, kind, info, resume, 0, 0});
        if (straddle) pending.push_back({straddle, kind, info, resume, 0, 0});
        if (guard) pending.push_back({guard, kind, info, resume, 0, 0});
      };

      switch (op) {
      case Op::lui:
        if (rd) {
          e.mov_imm(rax, imm);
          write_x(rd, rax);
        }
        break;
      case Op::auipc:
        if (rd) {
          const std::int64_t d = static_cast<std::int64_t>(bi.offset) + imm;
          if (d >= INT32_MIN && d <= INT32_MAX) {
            e.lea(rax, r13, static_cast<std::int32_t>(d));
          } else {
            e.mov_imm(rax, d);
            e.alu_rr(alu_add, true, rax, r13);
          }
          write_x(rd, rax);
        }
        break;
      case Op::addi:
        if (rd && rs1 == 0) {
          e.mov_imm(rax, imm);
          write_x(rd, rax);
        } else {
          alu_imm(alu_add, true);
        }
        break;
      case Op::andi: alu_imm(alu_and, true); break;
      case Op::ori: alu_imm(alu_or, true); break;
      case Op::xori: alu_imm(alu_xor, true); break;
      case Op::addiw: alu_imm(alu_add, false); break;
      case Op::slli: shift_imm(sh_shl, true); break;
      case Op::srli: shift_imm(sh_shr, true); break;
      case Op::srai: shift_imm(sh_sar, true); break;
      case Op::slliw: shift_imm(sh_shl, false); break;
      case Op::srliw: shift_imm(sh_shr, false); break;
      case Op::sraiw: shift_imm(sh_sar, false); break;
      case Op::slti: set_if(cl, true); break;
      case Op::sltiu: set_if(cb, true); break;
      case Op::add: alu_reg(alu_add, true); break;
      case Op::sub: alu_reg(alu_sub, true); break;
      case Op::and_: alu_reg(alu_and, true); break;
      case Op::or_: alu_reg(alu_or, true); break;
      case Op::xor_: alu_reg(alu_xor, true); break;
      case Op::addw: alu_reg(alu_add, false); break;
      case Op::subw: alu_reg(alu_sub, false); break;
      case Op::sll: shift_reg(sh_shl, true); break;
      case Op::srl: shift_reg(sh_shr, true); break;
      case Op::sra: shift_reg(sh_sar, true); break;
      case Op::sllw: shift_reg(sh_shl, false); break;
      case Op::srlw: shift_reg(sh_shr, false); break;
      case Op::sraw: shift_reg(sh_sar, false); break;
      case Op::slt: set_if(cl, false); break;
      case Op::sltu: set_if(cb, false); break;
      case Op::mul:
      case Op::mulw:
        if (rd) {
          const bool w = op == Op::mul;
          read_x(rax, rs1);
          read_x(rcx, rs2);
          e.imul(w, rax, rcx);
          if (!w) e.movsxd(rax, rax);
          write_x(rd, rax);
        }
        break;
      // Zba, Zbb, Zbs and Zicond: the common ones inline (the counts and Zbc call alu_op)
      case Op::add_uw: case Op::sh1add: case Op::sh2add: case Op::sh3add:
      case Op::sh1add_uw: case Op::sh2add_uw: case Op::sh3add_uw:
        if (rd) {
          const unsigned shift = op == Op::sh1add || op == Op::sh1add_uw ? 1
                                 : op == Op::sh2add || op == Op::sh2add_uw ? 2
                                 : op == Op::sh3add || op == Op::sh3add_uw ? 3 : 0;
          read_x(rax, rs1);
          if (op == Op::add_uw || op == Op::sh1add_uw || op == Op::sh2add_uw || op == Op::sh3add_uw) e.zext32(rax);
          if (shift) e.shift_ri(sh_shl, true, rax, shift);
          if (rs2) e.alu_rm(alu_add, rax, rbx, xoff(rs2));
          write_x(rd, rax);
        }
        break;
      case Op::slli_uw:
        if (rd) {
          read_x(rax, rs1);
          e.zext32(rax);
          if (imm & 63) e.shift_ri(sh_shl, true, rax, static_cast<unsigned>(imm) & 63);
          write_x(rd, rax);
        }
        break;
      case Op::andn: case Op::orn: case Op::xnor:
        if (rd) {
          read_x(rax, rs1);
          read_x(rcx, rs2);
          if (op == Op::xnor) {
            e.alu_rr(alu_xor, true, rax, rcx);
            e.not64(rax);
          } else {
            e.not64(rcx);
            e.alu_rr(op == Op::andn ? alu_and : alu_or, true, rax, rcx);
          }
          write_x(rd, rax);
        }
        break;
      case Op::min: case Op::max: case Op::minu: case Op::maxu:
        if (rd) {
          read_x(rax, rs1);
          read_x(rcx, rs2);
          e.alu_rr(alu_cmp, true, rax, rcx);
          // min: take rs2 if rs1 > rs2; max: if rs1 < rs2
          e.cmov(op == Op::min ? cg : op == Op::max ? cl : op == Op::minu ? ca : cb, rax, rcx);
          write_x(rd, rax);
        }
        break;
      case Op::sext_b: case Op::sext_h: case Op::zext_h: case Op::rev8:
        if (rd) {
          read_x(rax, rs1);
          if (op == Op::sext_b) e.sext8(rax);
          else if (op == Op::sext_h) e.sext16(rax);
          else if (op == Op::zext_h) e.zext16(rax);
          else e.bswap64(rax);
          write_x(rd, rax);
        }
        break;
      case Op::rori: case Op::roriw:
        if (rd) {
          const bool w = op == Op::rori;
          read_x(rax, rs1);
          if (const unsigned n = static_cast<unsigned>(imm) & (w ? 63 : 31)) e.shift_ri(sh_ror, w, rax, n);
          if (!w) e.movsxd(rax, rax);
          write_x(rd, rax);
        }
        break;
      case Op::rol: shift_reg(sh_rol, true); break;
      case Op::ror: shift_reg(sh_ror, true); break;
      case Op::rolw: shift_reg(sh_rol, false); break;
      case Op::rorw: shift_reg(sh_ror, false); break;
      case Op::bseti: case Op::bclri: case Op::binvi:
        if (rd) {
          read_x(rax, rs1);
          e.bit_imm(op == Op::bseti ? bit_set : op == Op::bclri ? bit_reset : bit_complement, rax,
                    static_cast<unsigned>(imm) & 63);
          write_x(rd, rax);
        }
        break;
      case Op::bset: case Op::bclr: case Op::binv:
        if (rd) {
          read_x(rax, rs1);
          read_x(rcx, rs2);
          e.bit_reg(op == Op::bset ? bit_set : op == Op::bclr ? bit_reset : bit_complement, rax, rcx);
          write_x(rd, rax);
        }
        break;
      case Op::bexti: case Op::bext:
        if (rd) {
          read_x(rax, rs1);
          if (op == Op::bext) {
            read_x(rcx, rs2);
            e.shift_cl(sh_shr, true, rax);
          } else if (imm & 63) {
            e.shift_ri(sh_shr, true, rax, static_cast<unsigned>(imm) & 63);
          }
          e.alu_ri(alu_and, false, rax, 1);
          write_x(rd, rax);
        }
        break;
      case Op::czero_eqz: case Op::czero_nez:
        if (rd) {
          read_x(rax, rs1);
          read_x(rcx, rs2);
          e.zero(rdx);
          e.test_rr(rcx, rcx);
          e.cmov(op == Op::czero_eqz ? ce : cne, rax, rdx);
          write_x(rd, rax);
        }
        break;
      case Op::fence: break;
      case Op::beq: branch(ce); break;
      case Op::bne: branch(cne); break;
      case Op::blt: branch(cl); break;
      case Op::bge: branch(cge); break;
      case Op::bltu: branch(cb); break;
      case Op::bgeu: branch(cae); break;
      case Op::lb: case Op::lh: case Op::lw: case Op::ld: case Op::lbu: case Op::lhu: case Op::lwu:
        memory(false, false);
        break;
      case Op::sb: case Op::sh: case Op::sw: case Op::sd: memory(true, false); break;
      case Op::flw: case Op::fld: memory(false, true); break;
      case Op::fsw: case Op::fsd: memory(true, true); break;
      case Op::jal:
        if (rd) {
          e.lea(rax, r13, static_cast<std::int32_t>(bi.offset + bi.len));
          write_x(rd, rax);
        }
        leave_static(static_cast<std::int32_t>(bi.offset) + imm, k + 1);
        break;
      case Op::jalr:
        read_x(rax, rs1);
        if (imm != 0) e.alu_ri(alu_add, true, rax, imm);
        e.alu_ri(alu_and, true, rax, -2);
        if (rd) {
          e.lea(rcx, r13, static_cast<std::int32_t>(bi.offset + bi.len));
          write_x(rd, rcx);
        }
        e.mov_store(rbp, off_next, rax);
        e.alu_ri(alu_add, true, r12, static_cast<std::int32_t>(k + 1));
        e.zero(rax);
        e.mov_store(rbp, off_link, rax);
        e.jmp_to(j.chunk().common_exit);
        break;
      default:
        if (alu_fns[bi.op]) {
          e.mov_rr(rdi, rbx);
          e.mov_ptr(rsi, info);
          e.call_abs(reinterpret_cast<const void*>(&alu_op));
        } else {
          const auto& row = isa::insn_table[bi.op];
          const bool fp_only = (row.ext == isa::Ext::f || row.ext == isa::Ext::d || row.ext == isa::Ext::zfhmin) &&
                               row.format != isa::Format::fload && row.format != isa::Format::fstore; // flh, fsh
          if (!fp_only) save_position();
          e.mov_rr(rdi, rbp);
          e.mov_ptr(rsi, info);
          e.call_abs(fp_only ? reinterpret_cast<const void*>(&fp_op) : reinterpret_cast<const void*>(&hart_op));
          e.test_low_byte(rax, 1);
          jump_to_exit(k, e.jcc(ce));
        }
        break;
      }
    }

    // The out-of-line paths, after the block's straight-line code.
    void emit_pending() {
      for (const Pending& pd : pending) {
        e.patch(pd.site, e.here());
        const unsigned k = pd.info->index;
        const auto op = static_cast<Op>(pd.info->op);
        switch (pd.kind) {
        case Pending::branch: leave_static(pd.delta, pd.executed); break;
        case Pending::load:
          save_position();
          e.mov_rr(rdi, rbp); // rsi: the address
          e.mov_ptr(rdx, pd.info);
          e.call_abs(load_helper(op));
          if (pd.info->pre.rd_ != 0) {
            e.test_low_byte(rdx, 1);
            std::uint8_t* skip = e.jcc(ce);
            write_x(pd.info->pre.rd_, rax);
            e.patch(skip, e.here());
          }
          e.test_low_byte(rdx, 2);
          jump_to_exit(k, e.jcc(cne));
          e.jmp_to(pd.resume);
          break;
        case Pending::fp_memory:
          save_position();
          e.mov_rr(rdi, rbp); // rsi: the address
          e.mov_ptr(rdx, pd.info);
          e.call_abs(reinterpret_cast<const void*>(&fp_memory));
          e.test_low_byte(rax, 1);
          jump_to_exit(k, e.jcc(ce));
          e.jmp_to(pd.resume);
          break;
        case Pending::store:
          save_position();
          e.mov_rr(rdi, rbp); // rsi: the address
          e.mov_rr(rdx, r8);
          e.mov_ptr(rcx, pd.info);
          e.call_abs(store_helper(op));
          e.test_low_byte(rax, 1);
          jump_to_exit(k, e.jcc(ce));
          e.jmp_to(pd.resume);
          break;
        }
      }
    }
  };

  // Translates `b` (first instruction at guest address pc) into the buffer; nullptr if it does
  // not fit. Only pc's offset in its page matters: code is shared by every mapping of the block.
  static const void* translate(Hart::Jit& j, const Hart::Block& b, u64 pc) {
    if (static_cast<std::size_t>(j.end() - j.cursor) < Hart::Jit::block_reserve) return nullptr;
    // The instructions' descriptions first: translated code points at them.
    auto* infos = reinterpret_cast<JitInsn*>(j.cursor);
    for (std::uint32_t k = 0; k < b.count; ++k) {
      const auto& bi = b.insns[k];
      infos[k] = {bi.op, bi.len, static_cast<std::uint8_t>(k), bi.offset, bi.raw, bi.insn, bi.pre};
    }
    std::uint8_t* code = j.cursor + sizeof(JitInsn) * b.count;
    code += (16 - reinterpret_cast<std::uintptr_t>(code) % 16) % 16;
    Translator t{j, Emitter(code, j.end()), pc & (Ram::page_size - 1), {}, {}, 0, {}};
    Emitter& e = t.e;
    // Does the block fit the budget? (r12 + count > budget: leave before doing anything.)
    e.lea(rax, r12, static_cast<std::int32_t>(b.count));
    e.op_mem({0x3b}, true, rax, rbp, off_budget);
    e.jcc_to(ca, j.chunk().budget_exit);
    bool ended = false;
    for (std::uint32_t k = 0; k < b.count; ++k) {
      t.emit(b.insns[k], &infos[k], k);
      const auto op = static_cast<Op>(b.insns[k].op);
      if (op == Op::jal || op == Op::jalr) ended = true;
    }
    if (!ended) t.leave_static(static_cast<std::int32_t>(b.bytes), b.count);
    t.emit_pending();
    for (unsigned k = 0; k < b.count; ++k) {
      if (t.exit_uses[k].empty()) continue;
      for (std::uint8_t* site : t.exit_uses[k]) e.patch(site, e.here());
      e.mov_ptr(rax, &infos[k]);
      e.mov_store(rbp, off_info, rax);
      e.mov_imm(rax, exit_insn);
      e.jmp_to(j.chunk().common_exit);
    }
    e.align(8);
    auto* slots = reinterpret_cast<std::uint64_t*>(e.here());
    for (std::size_t s = 0; s < t.slots; ++s) e.u64v(0);
    if (e.overflowed()) return nullptr;
    for (const auto& use : t.slot_uses) {
      Emitter fix(use.site, use.site + 7);
      fix.rip_rax(use.opcode, reinterpret_cast<std::uintptr_t>(&slots[use.slot]));
    }
    j.cursor = e.here();
    return code;
  }

  static Hart::RunResult run(Hart& h, u64 budget, u64& icount, const bool& attention);
};

Hart::RunResult Hart::run_jit(u64 budget, u64& icount, const bool& attention) {
  if (!m_jit) m_jit = std::make_shared<Jit>();
  if (!m_jit_hart) m_jit_hart.reset(new JitHart);
  if (!m_jit->usable()) return run(budget, icount, attention);
  return JitRuntime::run(*this, budget, icount, attention);
}

// The dispatcher: Hart::run's loop, with translated blocks instead of threaded ones.
Hart::RunResult JitRuntime::run(Hart& h, u64 budget, u64& icount, const bool& attention) {
  Hart::Jit& j = *h.m_jit;
  JitCtx& c = h.m_jit_hart->ctx;
  c.hart = &h;
  c.x = h.m_s.x.data();
  c.icount = &icount;
  c.icount_base = icount;
  c.executed = 0;
  c.budget = budget;
  // A store from translated code cannot break a reservation, so none may be held while it runs.
  c.stores_ok = !h.m_s.reservation_valid && !h.m_bus.any_reservation_valid();
  if (!c.stores_ok) flush(c, false, true);
  refresh_key(c);

  Hart::RunResult r;
  u64 counted = 0; // instructions already added to mcycle and minstret
  const auto flush_counters = [&](u64 upto) {
    const u64 n = upto - counted;
    if (!(h.m_s.mcountinhibit & 1)) h.m_s.mcycle += n;
    if (!(h.m_s.mcountinhibit & 4)) h.m_s.minstret += n;
    counted = upto;
  };
  h.m_exception = false;
  h.m_block_exit = false;
  h.m_last_trapped = false;
  u64* link = nullptr; // a slot of the block that just ended, to be linked to the next one
  u64 link_gen = 0;

  const Ram& ram = h.m_bus.ram();
  for (;;) {
    if (c.executed >= budget) break;
    const bool interrupt = (h.m_s.mip & h.m_s.mie) != 0 && h.takeable_interrupts() != 0;
    const void* jit = nullptr;
    u64 count = 0;
    u64 pa = 0;
    if (!h.m_s.waiting && !interrupt && !h.triggers_armed() && h.block_pa(h.m_s.pc, pa)) {
      if (j.code_epoch != ram.code_epoch()) { // RAM restored or cleared: no translation holds
        j.reset();
        j.code_epoch = ram.code_epoch();
      }
      auto& te = j.table[j.slot(pa)];
      const u64 stamp = ram.code_stamp(pa - h.m_bus.ram_base());
      if (te.pa != pa || te.stamp != stamp || te.gen != j.gen) {
        const auto found = j.all.find(pa);
        if (found != j.all.end() && found->second.stamp == stamp && found->second.gen == j.gen) te = found->second;
      }
      if (te.pa == pa && te.stamp == stamp && te.gen == j.gen) {
        jit = te.code;
        count = te.count;
      } else if (Hart::Block* b = h.block_at(h.m_s.pc)) {
        jit = translate(j, *b, h.m_s.pc);
        if (!jit) {
          j.make_room();
          jit = translate(j, *b, h.m_s.pc);
        }
        count = b->count;
        if (jit && h.m_perf_map)
          std::fprintf(h.m_perf_map, "%lx %lx guest_pa_%llx_va_%llx_%u_insns\n", reinterpret_cast<unsigned long>(jit),
                       static_cast<unsigned long>(j.cursor - static_cast<const std::uint8_t*>(jit)),
                       static_cast<unsigned long long>(pa), static_cast<unsigned long long>(h.m_s.pc), b->count);
        // After block_at, which marks the block's lines: the stamp it was decoded under.
        if (jit) j.all[pa] = te = {pa, ram.code_stamp(pa - h.m_bus.ram_base()), j.gen, jit, count};
        if (j.all.size() > j.table.size() && j.table.size() < Hart::Jit::max_table) // off the hot path: only on a new translation
          j.table.assign(j.table.size() * 4, Hart::Jit::Entry{});
      }
    }
    if (jit && count > budget - c.executed) {
      // The budget (a hart's turn) ends inside this block: the block engine runs the rest, a
      // prefix of the block included, instead of one step() per instruction.
      flush_counters(c.executed);
      Hart::RunResult t = h.run(budget - c.executed, icount, attention, ~u64{0});
      t.executed += c.executed;
      return t;
    }
    if (!jit) {
      flush_counters(c.executed);
      r.executed = c.executed;
      return h.step_last(r, icount);
    }
    if (link && link_gen == j.gen) *link = reinterpret_cast<std::uintptr_t>(jit);
    link = nullptr;
    refresh_key(c); // block_at may have marked new code lines

    c.entry = h.m_s.pc;
    const int code = j.chunk().enter(&c, jit);
    icount = c.icount_base + c.executed;
    if (code == exit_next) {
      h.m_s.pc = c.next_pc;
      link = c.link;
      link_gen = j.gen;
      continue;
    }
    if (code == exit_budget) {
      h.m_s.pc = c.entry;
      continue;
    }
    // exit_insn: the instruction c.info faulted, or reached a device or a slow path: it counts.
    const JitInsn& in = *c.info;
    const u64 pc = c.entry + in.offset;
    flush_counters(c.executed + in.index);
    c.executed += in.index + 1u;
    counted = c.executed;
    icount = c.icount_base + c.executed;
    if (h.end_block_at(pc, in.raw, in.len)) {
      r.executed = c.executed;
      r.trapped = true;
      return r;
    }
    if (attention) {
      r.executed = c.executed;
      return r;
    }
  }
  flush_counters(c.executed);
  r.executed = c.executed;
  return r;
}

#else // no translator on this host: the block engine runs instead

struct Hart::Jit {};
struct Hart::JitHart {};
void Hart::JitHartDeleter::operator()(JitHart* j) const noexcept { delete j; }
void Hart::share_translations(Hart&) {}
Hart::RunResult Hart::run_jit(std::uint64_t budget, std::uint64_t& icount, const bool& attention) {
  return run(budget, icount, attention);
}

#endif

} // namespace retrace
