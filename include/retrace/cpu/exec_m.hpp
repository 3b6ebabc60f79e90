#pragma once
/// \file
/// RV64M semantics: division by zero and signed overflow give the results the spec defines
/// (no trap).
#include "retrace/cpu/exec_i.hpp"
#include "retrace/detail/int128.hpp"

namespace retrace::exec {

using detail::i128;
using detail::u128;

inline void exec_mul(Hart& h, Insn i) { h.xw(i.rd(), h.xr(i.rs1()) * h.xr(i.rs2())); }
inline void exec_mulh(Hart& h, Insn i) {
  const i128 p = static_cast<i128>(static_cast<i64>(h.xr(i.rs1()))) * static_cast<i64>(h.xr(i.rs2()));
  h.xw(i.rd(), static_cast<u64>(static_cast<u128>(p) >> 64));
}
inline void exec_mulhsu(Hart& h, Insn i) {
  const i128 p = static_cast<i128>(static_cast<i64>(h.xr(i.rs1()))) * static_cast<i128>(h.xr(i.rs2()));
  h.xw(i.rd(), static_cast<u64>(static_cast<u128>(p) >> 64));
}
inline void exec_mulhu(Hart& h, Insn i) {
  h.xw(i.rd(), static_cast<u64>((static_cast<u128>(h.xr(i.rs1())) * h.xr(i.rs2())) >> 64));
}
inline void exec_div(Hart& h, Insn i) {
  const auto a = static_cast<i64>(h.xr(i.rs1())), b = static_cast<i64>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), ~u64{0});
  else if (a == INT64_MIN && b == -1) h.xw(i.rd(), static_cast<u64>(a));
  else h.xw(i.rd(), static_cast<u64>(a / b));
}
inline void exec_divu(Hart& h, Insn i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), b == 0 ? ~u64{0} : a / b);
}
inline void exec_rem(Hart& h, Insn i) {
  const auto a = static_cast<i64>(h.xr(i.rs1())), b = static_cast<i64>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), static_cast<u64>(a));
  else if (a == INT64_MIN && b == -1) h.xw(i.rd(), 0);
  else h.xw(i.rd(), static_cast<u64>(a % b));
}
inline void exec_remu(Hart& h, Insn i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), b == 0 ? a : a % b);
}
inline void exec_mulw(Hart& h, Insn i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) * h.xr(i.rs2()))); }
inline void exec_divw(Hart& h, Insn i) {
  const auto a = static_cast<std::int32_t>(h.xr(i.rs1())), b = static_cast<std::int32_t>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), ~u64{0});
  else if (a == INT32_MIN && b == -1) h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a))));
  else h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a / b))));
}
inline void exec_divuw(Hart& h, Insn i) {
  const auto a = static_cast<std::uint32_t>(h.xr(i.rs1())), b = static_cast<std::uint32_t>(h.xr(i.rs2()));
  h.xw(i.rd(), b == 0 ? ~u64{0} : sext32(a / b));
}
inline void exec_remw(Hart& h, Insn i) {
  const auto a = static_cast<std::int32_t>(h.xr(i.rs1())), b = static_cast<std::int32_t>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a))));
  else if (a == INT32_MIN && b == -1) h.xw(i.rd(), 0);
  else h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a % b))));
}
inline void exec_remuw(Hart& h, Insn i) {
  const auto a = static_cast<std::uint32_t>(h.xr(i.rs1())), b = static_cast<std::uint32_t>(h.xr(i.rs2()));
  h.xw(i.rd(), sext32(b == 0 ? a : a % b));
}

} // namespace retrace::exec
