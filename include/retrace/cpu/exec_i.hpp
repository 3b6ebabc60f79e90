#pragma once
/// \file
/// RV64I semantics (and Zifencei): one small function per instruction, named exec_<op>. They are
/// templates over the hart (H) and the instruction (I) so that the block engine can run the very
/// same code on its pre-decoded operands (src/cpu/block_engine.cpp); the reference interpreter
/// instantiates them with Hart and isa::Insn.
#include "retrace/cpu/hart.hpp"

namespace retrace::exec {

using isa::Insn;
using i64 = std::int64_t;
using u64 = std::uint64_t;
inline u64 sext32(u64 v) { return static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(v))); }

template <class H, class I> [[gnu::always_inline]] inline void exec_lui(H& h, I i) { h.xw(i.rd(), static_cast<u64>(i.imm_u())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_auipc(H& h, I i) { h.xw(i.rd(), h.pc() + static_cast<u64>(i.imm_u())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_jal(H& h, I i) {
  const u64 link = h.pc() + h.insn_length();
  h.jump(h.pc() + static_cast<u64>(i.imm_j()));
  if (!h.raised()) h.xw(i.rd(), link);
}
template <class H, class I> [[gnu::always_inline]] inline void exec_jalr(H& h, I i) {
  const u64 link = h.pc() + h.insn_length();
  h.jump((h.xr(i.rs1()) + static_cast<u64>(i.imm_i())) & ~u64{1});
  if (!h.raised()) h.xw(i.rd(), link);
}
template <class H, class I, class Cmp>
[[gnu::always_inline]] inline void branch(H& h, I i, Cmp taken) {
  if (taken(h.xr(i.rs1()), h.xr(i.rs2()))) h.jump(h.pc() + static_cast<u64>(i.imm_b()));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_beq(H& h, I i) { branch(h, i, [](u64 a, u64 b) { return a == b; }); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bne(H& h, I i) { branch(h, i, [](u64 a, u64 b) { return a != b; }); }
template <class H, class I> [[gnu::always_inline]] inline void exec_blt(H& h, I i) { branch(h, i, [](u64 a, u64 b) { return static_cast<i64>(a) < static_cast<i64>(b); }); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bge(H& h, I i) { branch(h, i, [](u64 a, u64 b) { return static_cast<i64>(a) >= static_cast<i64>(b); }); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bltu(H& h, I i) { branch(h, i, [](u64 a, u64 b) { return a < b; }); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bgeu(H& h, I i) { branch(h, i, [](u64 a, u64 b) { return a >= b; }); }

template <class T, class H, class I>
[[gnu::always_inline]] inline void load_op(H& h, I i) {
  T v;
  if (h.template load<T>(h.xr(i.rs1()) + static_cast<u64>(i.imm_i()), v))
    h.xw(i.rd(), static_cast<u64>(static_cast<std::conditional_t<std::is_signed_v<T>, i64, u64>>(v)));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_lb(H& h, I i) { load_op<std::int8_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_lh(H& h, I i) { load_op<std::int16_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_lw(H& h, I i) { load_op<std::int32_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_ld(H& h, I i) { load_op<std::uint64_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_lbu(H& h, I i) { load_op<std::uint8_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_lhu(H& h, I i) { load_op<std::uint16_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_lwu(H& h, I i) { load_op<std::uint32_t>(h, i); }
template <class T, class H, class I>
[[gnu::always_inline]] inline void store_op(H& h, I i) {
  h.template store<T>(h.xr(i.rs1()) + static_cast<u64>(i.imm_s()), static_cast<T>(h.xr(i.rs2())));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_sb(H& h, I i) { store_op<std::uint8_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sh(H& h, I i) { store_op<std::uint16_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sw(H& h, I i) { store_op<std::uint32_t>(h, i); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sd(H& h, I i) { store_op<std::uint64_t>(h, i); }

template <class I>
[[gnu::always_inline]] inline u64 imm(I i) { return static_cast<u64>(i.imm_i()); }
template <class H, class I> [[gnu::always_inline]] inline void exec_addi(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) + imm(i)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_slti(H& h, I i) { h.xw(i.rd(), static_cast<i64>(h.xr(i.rs1())) < i.imm_i()); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sltiu(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) < imm(i)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_xori(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) ^ imm(i)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_ori(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) | imm(i)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_andi(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) & imm(i)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_slli(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) << i.shamt6()); }
template <class H, class I> [[gnu::always_inline]] inline void exec_srli(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) >> i.shamt6()); }
template <class H, class I> [[gnu::always_inline]] inline void exec_srai(H& h, I i) { h.xw(i.rd(), static_cast<u64>(static_cast<i64>(h.xr(i.rs1())) >> i.shamt6())); }

template <class H, class I> [[gnu::always_inline]] inline void exec_add(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) + h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sub(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) - h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sll(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) << (h.xr(i.rs2()) & 63)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_slt(H& h, I i) { h.xw(i.rd(), static_cast<i64>(h.xr(i.rs1())) < static_cast<i64>(h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sltu(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) < h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_xor_(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) ^ h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_srl(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) >> (h.xr(i.rs2()) & 63)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sra(H& h, I i) {
  h.xw(i.rd(), static_cast<u64>(static_cast<i64>(h.xr(i.rs1())) >> (h.xr(i.rs2()) & 63)));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_or_(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) | h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_and_(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) & h.xr(i.rs2())); }

template <class H, class I> [[gnu::always_inline]] inline void exec_addiw(H& h, I i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) + imm(i))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_slliw(H& h, I i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) << i.shamt5())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_srliw(H& h, I i) { h.xw(i.rd(), sext32(static_cast<std::uint32_t>(h.xr(i.rs1())) >> i.shamt5())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sraiw(H& h, I i) {
  h.xw(i.rd(), sext32(static_cast<u64>(static_cast<std::int32_t>(h.xr(i.rs1())) >> i.shamt5())));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_addw(H& h, I i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) + h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_subw(H& h, I i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) - h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sllw(H& h, I i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) << (h.xr(i.rs2()) & 31))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_srlw(H& h, I i) {
  h.xw(i.rd(), sext32(static_cast<std::uint32_t>(h.xr(i.rs1())) >> (h.xr(i.rs2()) & 31)));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_sraw(H& h, I i) {
  h.xw(i.rd(), sext32(static_cast<u64>(static_cast<std::int32_t>(h.xr(i.rs1())) >> (h.xr(i.rs2()) & 31))));
}

// One in-order hart: memory ordering fences have nothing to order.
template <class H, class I> [[gnu::always_inline]] inline void exec_fence(H&, I) {}
template <class H, class I> [[gnu::always_inline]] inline void exec_fence_i(H& h, I) { h.exec_fence_i(); }
template <class H, class I> [[gnu::always_inline]] inline void exec_ecall(H& h, I) { h.ecall(); }
template <class H, class I> [[gnu::always_inline]] inline void exec_ebreak(H& h, I) { h.raise(Exception::breakpoint, h.pc()); }

} // namespace retrace::exec
