#pragma once
// What the block engine (block_engine.cpp) and the x86-64 translator (jit_x64.cpp) share: which
// instructions a block may hold, their pre-decoded operands, blocks and the block cache.
// Private to src/cpu/.
#include "retrace/cpu/hart.hpp"

#include <array>
#include <new>
#include <type_traits>

namespace retrace::blocks {

using u64 = std::uint64_t;

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
  // translation (sinval.vma), CSR-gated cache-block operations: through step() as well
  case Op::sinval_vma: case Op::sfence_w_inval: case Op::sfence_inval_ir:
  case Op::cbo_inval: case Op::cbo_clean: case Op::cbo_flush: case Op::cbo_zero:
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

// Instructions whose exec function is a template (exec_i.hpp, exec_m.hpp, exec_b.hpp,
// exec_zicond.hpp) and so runs on the block context; the rest run on the hart.
constexpr bool on_context(isa::Op op) {
  using isa::Ext;
  const auto e = isa::insn_table[static_cast<std::size_t>(op)].ext;
  return e == Ext::i || e == Ext::m || e == Ext::zba || e == Ext::zbb || e == Ext::zbc || e == Ext::zbs ||
         e == Ext::zicond;
}
constexpr bool touches_memory(isa::Op op) {
  using F = isa::Format;
  const auto f = isa::insn_table[static_cast<std::size_t>(op)].format;
  return f == F::load || f == F::store;
}

} // namespace retrace::blocks

namespace retrace {

using blocks::u64;

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
    case F::store: case F::fstore: p.imm_ = static_cast<std::int32_t>(i.imm_s()); break;
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
  std::array<Insn, blocks::max_block + 1> insns; // + the end marker
};

// Direct-mapped by physical address. The tags live apart from the blocks: a lookup touches
// 16 bytes. Each slot's block (about 3.6 KB) is allocated when a block is first decoded into
// it: a machine that runs a few hundred blocks (a seed of a sweep) allocates a few hundred, not
// the 15 MB of all 4096, and freeing thousands of such machines stays cheap, also under TSan,
// which clears the shadow of every byte freed (one 8 MB allocation per hart made a 200-seed
// sweep test take 40 times as long under TSan as without).
struct Hart::BlockCache {
  std::array<std::uint64_t, blocks::cache_blocks> pa;    // physical address of the first instruction
  std::array<std::uint64_t, blocks::cache_blocks> stamp; // Ram::code_stamp of its page when decoded
  std::array<Block*, blocks::cache_blocks> slots{};     // null until first used
  // The first instructions of a block, when a budget ends inside it (the end of a hart's turn):
  // run() copies them here with an end marker after the last and runs that, rather than
  // stepping each one (a 2-hart Linux boot spent about half its time on those steps) or
  // decoding and translating a block at every pc of the tail.
  Block tail;

  BlockCache() {
    pa.fill(~u64{0});
    stamp.fill(~u64{0});
  }
  ~BlockCache() {
    for (Block* b : slots) delete b;
  }
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;
};

// The block that starts at pc, decoded if need be; nullptr if pc cannot start one (step() then
// fetches it: a TLB miss, PMP-checked M-mode, outside RAM, or an instruction a block cannot hold).
[[gnu::always_inline]] inline bool Hart::block_pa(u64 pc, u64& pa) {
  if (m_s.priv == Priv::m) {
    if (m_pmp_locked || !m_bus.in_ram(pc, 2)) return false;
    pa = pc;
  } else {
    const auto* e = tlb_hit(Access::fetch, pc);
    if (!e) return false; // step() walks the page table and fills the TLB
    pa = (e->pa_page << Ram::page_shift) | (pc & (Ram::page_size - 1));
  }
  return true;
}

[[gnu::always_inline]] inline Hart::Block* Hart::block_at(u64 pc) {
  u64 pa = 0;
  if (!block_pa(pc, pa)) return nullptr;
  if (!m_blocks) m_blocks.reset(new BlockCache);
  const u64 stamp = m_bus.ram().code_stamp(pa - m_bus.ram_base());
  auto& cache = *m_blocks;
  const std::size_t slot = ((pa >> 1) ^ (pa >> 13)) & (blocks::cache_blocks - 1);
  if (cache.pa[slot] == pa && cache.stamp[slot] == stamp) return cache.slots[slot];
  if (!cache.slots[slot]) cache.slots[slot] = new Block;
  cache.pa[slot] = ~u64{0};
  Block* b = build_block(*cache.slots[slot], pa);
  if (b) {
    cache.pa[slot] = pa;
    cache.stamp[slot] = stamp;
  }
  return b;
}

} // namespace retrace
