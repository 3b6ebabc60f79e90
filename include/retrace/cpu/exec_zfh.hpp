#pragma once
/// \file
/// Zfhmin semantics: binary16 loads, stores, moves and conversions to and from binary32 and
/// binary64 (no half-precision arithmetic: that is Zfh). A half value in the 64-bit f registers
/// is NaN-boxed: bits 63..16 all ones. An operand that is not properly boxed reads as the
/// canonical half NaN, as for single precision; fmv.x.h and fsh move the low 16 bits as they
/// are. Like the F and D instructions, each traps as illegal with mstatus.FS Off or a reserved
/// rounding mode, and writing an f register or fflags makes FS dirty.
#include "retrace/cpu/exec_fd.hpp"

namespace retrace::exec {

namespace zfh {
using u16 = std::uint16_t;
inline u16 fr16(const Hart& h, unsigned r) {
  const u64 v = h.fr(r);
  return (v >> 16) == 0xffff'ffff'ffffull ? static_cast<u16>(v) : fp::f16_canonical_nan;
}
inline void fw16(Hart& h, unsigned r, u16 v) { h.fw(r, 0xffff'ffff'ffff'0000ull | v); }
} // namespace zfh

inline void exec_flh(Hart& h, Insn i) {
  std::uint16_t v;
  if (fpd::on(h) && h.load<std::uint16_t>(h.xr(i.rs1()) + static_cast<u64>(i.imm_i()), v)) zfh::fw16(h, i.rd(), v);
}
inline void exec_fsh(Hart& h, Insn i) {
  if (fpd::on(h)) h.store<std::uint16_t>(h.xr(i.rs1()) + static_cast<u64>(i.imm_s()), static_cast<std::uint16_t>(h.fr(i.rs2())));
}
// fmv.x.h sign-extends the low 16 bits, boxed or not.
inline void exec_fmv_x_h(Hart& h, Insn i) {
  if (fpd::on(h)) h.xw(i.rd(), static_cast<u64>(static_cast<i64>(static_cast<std::int16_t>(h.fr(i.rs1())))));
}
inline void exec_fmv_h_x(Hart& h, Insn i) {
  if (fpd::on(h)) zfh::fw16(h, i.rd(), static_cast<std::uint16_t>(h.xr(i.rs1())));
}
// The widening conversions are exact, but their rm field is still checked, as for fcvt.d.s.
inline void exec_fcvt_s_h(Hart& h, Insn i) {
  fpd::RoundingMode m;
  if (!fpd::rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const auto r = fp::f16_to_f32(zfh::fr16(h, i.rs1()), fl);
  h.set_fflags(fl);
  h.fw32(i.rd(), r);
}
inline void exec_fcvt_d_h(Hart& h, Insn i) {
  fpd::RoundingMode m;
  if (!fpd::rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const auto r = fp::f16_to_f64(zfh::fr16(h, i.rs1()), fl);
  h.set_fflags(fl);
  h.fw(i.rd(), r);
}
inline void exec_fcvt_h_s(Hart& h, Insn i) {
  fpd::RoundingMode m;
  if (!fpd::rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const auto r = fp::f32_to_f16(h.fr32(i.rs1()), m, fl);
  h.set_fflags(fl);
  zfh::fw16(h, i.rd(), r);
}
inline void exec_fcvt_h_d(Hart& h, Insn i) {
  fpd::RoundingMode m;
  if (!fpd::rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const auto r = fp::f64_to_f16(h.fr(i.rs1()), m, fl);
  h.set_fflags(fl);
  zfh::fw16(h, i.rd(), r);
}

} // namespace retrace::exec
