#pragma once
/// \file
/// RV64A semantics: LR/SC with a reservation, AMOs as read-modify-write on the physical
/// address (one hart runs at a time, so each is atomic). Misaligned addresses trap.
#include "retrace/cpu/exec_i.hpp"

#include <algorithm>

namespace retrace::exec {

template <class T>
inline void exec_lr(Hart& h, Insn i) {
  std::uint64_t pa = 0, v = 0;
  if (!h.translate_amo(h.xr(i.rs1()), sizeof(T), pa, true)) return;
  if (!h.amo_load(pa, sizeof(T), v)) return h.raise(Exception::load_access, h.xr(i.rs1()));
  auto& s = h.state();
  s.reservation = pa;
  s.reservation_valid = true;
  h.xw(i.rd(), static_cast<u64>(static_cast<i64>(static_cast<std::make_signed_t<T>>(v))));
}
template <class T>
inline void exec_sc(Hart& h, Insn i) {
  std::uint64_t pa = 0;
  if (!h.translate_amo(h.xr(i.rs1()), sizeof(T), pa, false)) return;
  auto& s = h.state();
  const bool ok = s.reservation_valid && s.reservation == pa;
  s.reservation_valid = false;
  if (ok && !h.amo_store(pa, sizeof(T), h.xr(i.rs2()))) return h.raise(Exception::store_access, h.xr(i.rs1()));
  h.xw(i.rd(), ok ? 0 : 1);
}
template <class T, class F>
inline void amo(Hart& h, Insn i, F f) {
  std::uint64_t pa = 0, old = 0;
  if (!h.translate_amo(h.xr(i.rs1()), sizeof(T), pa, false)) return;
  if (!h.amo_load(pa, sizeof(T), old)) return h.raise(Exception::store_access, h.xr(i.rs1()));
  const T a = static_cast<T>(old), b = static_cast<T>(h.xr(i.rs2()));
  if (!h.amo_store(pa, sizeof(T), static_cast<std::make_unsigned_t<T>>(f(a, b))))
    return h.raise(Exception::store_access, h.xr(i.rs1()));
  if (h.state().reservation_valid && h.state().reservation == pa) h.state().reservation_valid = false;
  h.xw(i.rd(), static_cast<u64>(static_cast<i64>(static_cast<std::make_signed_t<T>>(a))));
}

using i32 = std::int32_t;
using u32 = std::uint32_t;
inline void exec_lr_w(Hart& h, Insn i) { exec_lr<u32>(h, i); }
inline void exec_sc_w(Hart& h, Insn i) { exec_sc<u32>(h, i); }
inline void exec_lr_d(Hart& h, Insn i) { exec_lr<u64>(h, i); }
inline void exec_sc_d(Hart& h, Insn i) { exec_sc<u64>(h, i); }
inline void exec_amoswap_w(Hart& h, Insn i) { amo<i32>(h, i, [](i32, i32 b) { return b; }); }
inline void exec_amoadd_w(Hart& h, Insn i) { amo<u32>(h, i, [](u32 a, u32 b) { return a + b; }); }
inline void exec_amoxor_w(Hart& h, Insn i) { amo<u32>(h, i, [](u32 a, u32 b) { return a ^ b; }); }
inline void exec_amoand_w(Hart& h, Insn i) { amo<u32>(h, i, [](u32 a, u32 b) { return a & b; }); }
inline void exec_amoor_w(Hart& h, Insn i) { amo<u32>(h, i, [](u32 a, u32 b) { return a | b; }); }
inline void exec_amomin_w(Hart& h, Insn i) { amo<i32>(h, i, [](i32 a, i32 b) { return std::min(a, b); }); }
inline void exec_amomax_w(Hart& h, Insn i) { amo<i32>(h, i, [](i32 a, i32 b) { return std::max(a, b); }); }
inline void exec_amominu_w(Hart& h, Insn i) { amo<u32>(h, i, [](u32 a, u32 b) { return std::min(a, b); }); }
inline void exec_amomaxu_w(Hart& h, Insn i) { amo<u32>(h, i, [](u32 a, u32 b) { return std::max(a, b); }); }
inline void exec_amoswap_d(Hart& h, Insn i) { amo<i64>(h, i, [](i64, i64 b) { return b; }); }
inline void exec_amoadd_d(Hart& h, Insn i) { amo<u64>(h, i, [](u64 a, u64 b) { return a + b; }); }
inline void exec_amoxor_d(Hart& h, Insn i) { amo<u64>(h, i, [](u64 a, u64 b) { return a ^ b; }); }
inline void exec_amoand_d(Hart& h, Insn i) { amo<u64>(h, i, [](u64 a, u64 b) { return a & b; }); }
inline void exec_amoor_d(Hart& h, Insn i) { amo<u64>(h, i, [](u64 a, u64 b) { return a | b; }); }
inline void exec_amomin_d(Hart& h, Insn i) { amo<i64>(h, i, [](i64 a, i64 b) { return std::min(a, b); }); }
inline void exec_amomax_d(Hart& h, Insn i) { amo<i64>(h, i, [](i64 a, i64 b) { return std::max(a, b); }); }
inline void exec_amominu_d(Hart& h, Insn i) { amo<u64>(h, i, [](u64 a, u64 b) { return std::min(a, b); }); }
inline void exec_amomaxu_d(Hart& h, Insn i) { amo<u64>(h, i, [](u64 a, u64 b) { return std::max(a, b); }); }

} // namespace retrace::exec
