#pragma once
/// \file
/// RV64I semantics (and Zifencei): one small function per instruction, named exec_<op>.
#include "retrace/cpu/hart.hpp"

namespace retrace::exec {

using isa::Insn;
using i64 = std::int64_t;
using u64 = std::uint64_t;
inline u64 sext32(u64 v) { return static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(v))); }

inline void exec_lui(Hart& h, Insn i) { h.xw(i.rd(), static_cast<u64>(i.imm_u())); }
inline void exec_auipc(Hart& h, Insn i) { h.xw(i.rd(), h.pc() + static_cast<u64>(i.imm_u())); }
inline void exec_jal(Hart& h, Insn i) {
  const u64 link = h.pc() + h.insn_length();
  h.jump(h.pc() + static_cast<u64>(i.imm_j()));
  if (!h.raised()) h.xw(i.rd(), link);
}
inline void exec_jalr(Hart& h, Insn i) {
  const u64 link = h.pc() + h.insn_length();
  h.jump((h.xr(i.rs1()) + static_cast<u64>(i.imm_i())) & ~u64{1});
  if (!h.raised()) h.xw(i.rd(), link);
}
template <class Cmp>
inline void branch(Hart& h, Insn i, Cmp taken) {
  if (taken(h.xr(i.rs1()), h.xr(i.rs2()))) h.jump(h.pc() + static_cast<u64>(i.imm_b()));
}
inline void exec_beq(Hart& h, Insn i) { branch(h, i, [](u64 a, u64 b) { return a == b; }); }
inline void exec_bne(Hart& h, Insn i) { branch(h, i, [](u64 a, u64 b) { return a != b; }); }
inline void exec_blt(Hart& h, Insn i) { branch(h, i, [](u64 a, u64 b) { return static_cast<i64>(a) < static_cast<i64>(b); }); }
inline void exec_bge(Hart& h, Insn i) { branch(h, i, [](u64 a, u64 b) { return static_cast<i64>(a) >= static_cast<i64>(b); }); }
inline void exec_bltu(Hart& h, Insn i) { branch(h, i, [](u64 a, u64 b) { return a < b; }); }
inline void exec_bgeu(Hart& h, Insn i) { branch(h, i, [](u64 a, u64 b) { return a >= b; }); }

template <class T>
inline void load_op(Hart& h, Insn i) {
  T v;
  if (h.load<T>(h.xr(i.rs1()) + static_cast<u64>(i.imm_i()), v))
    h.xw(i.rd(), static_cast<u64>(static_cast<std::conditional_t<std::is_signed_v<T>, i64, u64>>(v)));
}
inline void exec_lb(Hart& h, Insn i) { load_op<std::int8_t>(h, i); }
inline void exec_lh(Hart& h, Insn i) { load_op<std::int16_t>(h, i); }
inline void exec_lw(Hart& h, Insn i) { load_op<std::int32_t>(h, i); }
inline void exec_ld(Hart& h, Insn i) { load_op<std::uint64_t>(h, i); }
inline void exec_lbu(Hart& h, Insn i) { load_op<std::uint8_t>(h, i); }
inline void exec_lhu(Hart& h, Insn i) { load_op<std::uint16_t>(h, i); }
inline void exec_lwu(Hart& h, Insn i) { load_op<std::uint32_t>(h, i); }
template <class T>
inline void store_op(Hart& h, Insn i) {
  h.store<T>(h.xr(i.rs1()) + static_cast<u64>(i.imm_s()), static_cast<T>(h.xr(i.rs2())));
}
inline void exec_sb(Hart& h, Insn i) { store_op<std::uint8_t>(h, i); }
inline void exec_sh(Hart& h, Insn i) { store_op<std::uint16_t>(h, i); }
inline void exec_sw(Hart& h, Insn i) { store_op<std::uint32_t>(h, i); }
inline void exec_sd(Hart& h, Insn i) { store_op<std::uint64_t>(h, i); }

inline u64 imm(Insn i) { return static_cast<u64>(i.imm_i()); }
inline void exec_addi(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) + imm(i)); }
inline void exec_slti(Hart& h, Insn i) { h.xw(i.rd(), static_cast<i64>(h.xr(i.rs1())) < i.imm_i()); }
inline void exec_sltiu(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) < imm(i)); }
inline void exec_xori(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) ^ imm(i)); }
inline void exec_ori(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) | imm(i)); }
inline void exec_andi(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) & imm(i)); }
inline void exec_slli(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) << i.shamt6()); }
inline void exec_srli(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) >> i.shamt6()); }
inline void exec_srai(Hart& h, Insn i) { h.xw(i.rd(), static_cast<u64>(static_cast<i64>(h.xr(i.rs1())) >> i.shamt6())); }

inline void exec_add(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) + h.xr(i.rs2())); }
inline void exec_sub(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) - h.xr(i.rs2())); }
inline void exec_sll(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) << (h.xr(i.rs2()) & 63)); }
inline void exec_slt(Hart& h, Insn i) { h.xw(i.rd(), static_cast<i64>(h.xr(i.rs1())) < static_cast<i64>(h.xr(i.rs2()))); }
inline void exec_sltu(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) < h.xr(i.rs2())); }
inline void exec_xor_(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) ^ h.xr(i.rs2())); }
inline void exec_srl(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) >> (h.xr(i.rs2()) & 63)); }
inline void exec_sra(Hart& h, Insn i) {
  h.xw(i.rd(), static_cast<u64>(static_cast<i64>(h.xr(i.rs1())) >> (h.xr(i.rs2()) & 63)));
}
inline void exec_or_(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) | h.xr(i.rs2())); }
inline void exec_and_(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) & h.xr(i.rs2())); }

inline void exec_addiw(Hart& h, Insn i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) + imm(i))); }
inline void exec_slliw(Hart& h, Insn i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) << i.shamt5())); }
inline void exec_srliw(Hart& h, Insn i) { h.xw(i.rd(), sext32(static_cast<std::uint32_t>(h.xr(i.rs1())) >> i.shamt5())); }
inline void exec_sraiw(Hart& h, Insn i) {
  h.xw(i.rd(), sext32(static_cast<u64>(static_cast<std::int32_t>(h.xr(i.rs1())) >> i.shamt5())));
}
inline void exec_addw(Hart& h, Insn i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) + h.xr(i.rs2()))); }
inline void exec_subw(Hart& h, Insn i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) - h.xr(i.rs2()))); }
inline void exec_sllw(Hart& h, Insn i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) << (h.xr(i.rs2()) & 31))); }
inline void exec_srlw(Hart& h, Insn i) {
  h.xw(i.rd(), sext32(static_cast<std::uint32_t>(h.xr(i.rs1())) >> (h.xr(i.rs2()) & 31)));
}
inline void exec_sraw(Hart& h, Insn i) {
  h.xw(i.rd(), sext32(static_cast<u64>(static_cast<std::int32_t>(h.xr(i.rs1())) >> (h.xr(i.rs2()) & 31))));
}

// One in-order hart: memory ordering fences have nothing to order.
inline void exec_fence(Hart&, Insn) {}
inline void exec_fence_i(Hart& h, Insn) { h.exec_fence_i(); }
inline void exec_ecall(Hart& h, Insn) { h.ecall(); }
inline void exec_ebreak(Hart& h, Insn) { h.raise(Exception::breakpoint, h.pc()); }

} // namespace retrace::exec
