#pragma once
/// \file
/// F and D semantics on retrace's own IEEE-754 implementation (isa/softfloat.hpp), so results
/// are bit-exact and independent of the host FPU. Every instruction traps as illegal when
/// mstatus.FS is Off or its rounding mode is reserved.
#include "retrace/cpu/exec_i.hpp"
#include "retrace/isa/softfloat.hpp"

#include <bit>
#include <cmath>
#include <initializer_list>
#include <type_traits>

namespace retrace::exec {

namespace fpd {
using fp::RoundingMode;
using u32 = std::uint32_t;

inline bool on(Hart& h) {
  if (!h.fp_enabled()) {
    h.illegal();
    return false;
  }
  return true;
}
// Resolves the rounding mode; false after raising illegal.
inline bool rm(Hart& h, Insn i, RoundingMode& out) {
  unsigned r = 0;
  if (!on(h) || !h.rounding_mode(i.rm(), r)) return false;
  out = static_cast<RoundingMode>(r);
  return true;
}
// A fast path on the host's FPU, taken only where it gives the same bits and flags as ours:
// round to nearest even, every operand and the result normal (so no invalid, overflow or
// underflow can arise, and no NaN or subnormal handling differs), and inexact already raised
// in fflags (so whether this operation is exact does not matter). IEEE 754 requires +, -, *,
// / and fused multiply-add to be correctly rounded, and x86-64 (SSE2) and AArch64 do so, so the
// result does not depend on the host. Anything else goes to the soft-float routine.
// (The build is ISO C++, so the compiler never contracts a * b + c on its own.)
inline bool normal(u64 v) { // binary64: exponent neither 0 nor all ones
  const u64 e = (v >> 52) & 0x7ff;
  return e != 0 && e != 0x7ff;
}
inline bool normal(u32 v) { // binary32
  const u32 e = (v >> 23) & 0xff;
  return e != 0 && e != 0xff;
}
inline bool host_fp_ok(Hart& h, RoundingMode m) { return m == RoundingMode::rne && (h.fcsr() & fp::flag_nx); }
// Computes f() on the host into `out` if the operands `in` and the result are all normal.
template <class U, class F>
inline bool host_fp(U& out, F f, std::initializer_list<U> in) {
  for (U v : in)
    if (!normal(v)) return false;
  const U r = std::bit_cast<U>(f());
  if (!normal(r)) return false;
  out = r;
  return true;
}
struct no_host {}; // an operation without a host fast path (sqrt)

template <class F, class Host = no_host>
inline void d_binop(Hart& h, Insn i, F f, Host host = {}) {
  RoundingMode m;
  if (!rm(h, i, m)) return;
  const u64 a = h.fr(i.rs1()), b = h.fr(i.rs2());
  u64 r = 0;
  if constexpr (!std::is_same_v<Host, no_host>)
    if (host_fp_ok(h, m) && host_fp(r, [&] { return host(std::bit_cast<double>(a), std::bit_cast<double>(b)); }, {a, b}))
      return h.fw(i.rd(), r);
  std::uint8_t fl = 0;
  r = f(a, b, m, fl);
  h.set_fflags(fl);
  h.fw(i.rd(), r);
}
template <class F, class Host = no_host>
inline void s_binop(Hart& h, Insn i, F f, Host host = {}) {
  RoundingMode m;
  if (!rm(h, i, m)) return;
  const u32 a = h.fr32(i.rs1()), b = h.fr32(i.rs2());
  u32 r = 0;
  if constexpr (!std::is_same_v<Host, no_host>)
    if (host_fp_ok(h, m) && host_fp(r, [&] { return host(std::bit_cast<float>(a), std::bit_cast<float>(b)); }, {a, b}))
      return h.fw32(i.rd(), r);
  std::uint8_t fl = 0;
  r = f(a, b, m, fl);
  h.set_fflags(fl);
  h.fw32(i.rd(), r);
}
// fmadd/fmsub/fnmsub/fnmadd: negate the product and/or the addend by flipping sign bits.
inline void s_fma(Hart& h, Insn i, bool neg_product, bool neg_addend) {
  RoundingMode m;
  if (!rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const u32 a = h.fr32(i.rs1()) ^ (neg_product ? 0x80000000u : 0), c = h.fr32(i.rs3()) ^ (neg_addend ? 0x80000000u : 0);
  const u32 b = h.fr32(i.rs2());
  u32 r = 0;
  if (host_fp_ok(h, m) &&
      host_fp(r, [&] { return std::fma(std::bit_cast<float>(a), std::bit_cast<float>(b), std::bit_cast<float>(c)); },
                     {a, b, c}))
    return h.fw32(i.rd(), r);
  r = fp::f32_mul_add(a, b, c, m, fl);
  h.set_fflags(fl);
  h.fw32(i.rd(), r);
}
inline void d_fma(Hart& h, Insn i, bool neg_product, bool neg_addend) {
  RoundingMode m;
  if (!rm(h, i, m)) return;
  std::uint8_t fl = 0;
  constexpr u64 sign = 1ull << 63;
  const u64 a = h.fr(i.rs1()) ^ (neg_product ? sign : 0), c = h.fr(i.rs3()) ^ (neg_addend ? sign : 0);
  const u64 b = h.fr(i.rs2());
  u64 r = 0;
  if (host_fp_ok(h, m) &&
      host_fp(
          r, [&] { return std::fma(std::bit_cast<double>(a), std::bit_cast<double>(b), std::bit_cast<double>(c)); },
          {a, b, c}))
    return h.fw(i.rd(), r);
  r = fp::f64_mul_add(a, b, c, m, fl);
  h.set_fflags(fl);
  h.fw(i.rd(), r);
}
template <class T, class F>
inline void to_int(Hart& h, Insn i, u64 src, F f) {
  RoundingMode m;
  if (!rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const T r = f(src, m, fl);
  h.set_fflags(fl);
  // 32-bit results, signed or not, are sign-extended into the 64-bit register.
  if constexpr (sizeof(T) == 4) h.xw(i.rd(), static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(r))));
  else h.xw(i.rd(), static_cast<u64>(r));
}
template <class F>
inline void s_from_int(Hart& h, Insn i, F f) {
  RoundingMode m;
  if (!rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const u32 r = f(h.xr(i.rs1()), m, fl);
  h.set_fflags(fl);
  h.fw32(i.rd(), r);
}
template <class F>
inline void d_from_int(Hart& h, Insn i, F f) {
  RoundingMode m;
  if (!rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const u64 r = f(h.xr(i.rs1()), m, fl);
  h.set_fflags(fl);
  h.fw(i.rd(), r);
}
template <class F>
inline void cmp(Hart& h, Insn i, F f) {
  if (!on(h)) return;
  std::uint8_t fl = 0;
  const bool r = f(fl);
  h.set_fflags(fl);
  h.xw(i.rd(), r ? 1 : 0);
}
} // namespace fpd

// loads and stores move raw bits: flw NaN-boxes, fsw stores the low 32 bits as they are
inline void exec_flw(Hart& h, Insn i) {
  std::uint32_t v;
  if (fpd::on(h) && h.load<std::uint32_t>(h.xr(i.rs1()) + static_cast<u64>(i.imm_i()), v)) h.fw32(i.rd(), v);
}
inline void exec_fld(Hart& h, Insn i) {
  std::uint64_t v;
  if (fpd::on(h) && h.load<std::uint64_t>(h.xr(i.rs1()) + static_cast<u64>(i.imm_i()), v)) h.fw(i.rd(), v);
}
inline void exec_fsw(Hart& h, Insn i) {
  if (fpd::on(h)) h.store<std::uint32_t>(h.xr(i.rs1()) + static_cast<u64>(i.imm_s()), static_cast<std::uint32_t>(h.fr(i.rs2())));
}
inline void exec_fsd(Hart& h, Insn i) {
  if (fpd::on(h)) h.store<std::uint64_t>(h.xr(i.rs1()) + static_cast<u64>(i.imm_s()), h.fr(i.rs2()));
}

inline void exec_fmadd_s(Hart& h, Insn i) { fpd::s_fma(h, i, false, false); }
inline void exec_fmsub_s(Hart& h, Insn i) { fpd::s_fma(h, i, false, true); }
inline void exec_fnmsub_s(Hart& h, Insn i) { fpd::s_fma(h, i, true, false); }
inline void exec_fnmadd_s(Hart& h, Insn i) { fpd::s_fma(h, i, true, true); }
inline void exec_fmadd_d(Hart& h, Insn i) { fpd::d_fma(h, i, false, false); }
inline void exec_fmsub_d(Hart& h, Insn i) { fpd::d_fma(h, i, false, true); }
inline void exec_fnmsub_d(Hart& h, Insn i) { fpd::d_fma(h, i, true, false); }
inline void exec_fnmadd_d(Hart& h, Insn i) { fpd::d_fma(h, i, true, true); }

inline void exec_fadd_s(Hart& h, Insn i) {
  fpd::s_binop(h, i, fp::f32_add, [](float x, float y) { return x + y; });
}
inline void exec_fsub_s(Hart& h, Insn i) {
  fpd::s_binop(h, i, fp::f32_sub, [](float x, float y) { return x - y; });
}
inline void exec_fmul_s(Hart& h, Insn i) {
  fpd::s_binop(h, i, fp::f32_mul, [](float x, float y) { return x * y; });
}
inline void exec_fdiv_s(Hart& h, Insn i) {
  fpd::s_binop(h, i, fp::f32_div, [](float x, float y) { return x / y; });
}
inline void exec_fadd_d(Hart& h, Insn i) {
  fpd::d_binop(h, i, fp::f64_add, [](double x, double y) { return x + y; });
}
inline void exec_fsub_d(Hart& h, Insn i) {
  fpd::d_binop(h, i, fp::f64_sub, [](double x, double y) { return x - y; });
}
inline void exec_fmul_d(Hart& h, Insn i) {
  fpd::d_binop(h, i, fp::f64_mul, [](double x, double y) { return x * y; });
}
inline void exec_fdiv_d(Hart& h, Insn i) {
  fpd::d_binop(h, i, fp::f64_div, [](double x, double y) { return x / y; });
}
inline void exec_fsqrt_s(Hart& h, Insn i) {
  fpd::s_binop(h, i, [](std::uint32_t a, std::uint32_t, fp::RoundingMode m, std::uint8_t& fl) { return fp::f32_sqrt(a, m, fl); });
}
inline void exec_fsqrt_d(Hart& h, Insn i) {
  fpd::d_binop(h, i, [](u64 a, u64, fp::RoundingMode m, std::uint8_t& fl) { return fp::f64_sqrt(a, m, fl); });
}

inline void exec_fsgnj_s(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw32(i.rd(), (h.fr32(i.rs1()) & 0x7fffffffu) | (h.fr32(i.rs2()) & 0x80000000u));
}
inline void exec_fsgnjn_s(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw32(i.rd(), (h.fr32(i.rs1()) & 0x7fffffffu) | (~h.fr32(i.rs2()) & 0x80000000u));
}
inline void exec_fsgnjx_s(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw32(i.rd(), h.fr32(i.rs1()) ^ (h.fr32(i.rs2()) & 0x80000000u));
}
inline void exec_fsgnj_d(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw(i.rd(), (h.fr(i.rs1()) & ~(1ull << 63)) | (h.fr(i.rs2()) & (1ull << 63)));
}
inline void exec_fsgnjn_d(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw(i.rd(), (h.fr(i.rs1()) & ~(1ull << 63)) | (~h.fr(i.rs2()) & (1ull << 63)));
}
inline void exec_fsgnjx_d(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw(i.rd(), h.fr(i.rs1()) ^ (h.fr(i.rs2()) & (1ull << 63)));
}
inline void exec_fmin_s(Hart& h, Insn i) {
  if (!fpd::on(h)) return;
  std::uint8_t fl = 0;
  h.fw32(i.rd(), fp::f32_min(h.fr32(i.rs1()), h.fr32(i.rs2()), fl));
  h.set_fflags(fl);
}
inline void exec_fmax_s(Hart& h, Insn i) {
  if (!fpd::on(h)) return;
  std::uint8_t fl = 0;
  h.fw32(i.rd(), fp::f32_max(h.fr32(i.rs1()), h.fr32(i.rs2()), fl));
  h.set_fflags(fl);
}
inline void exec_fmin_d(Hart& h, Insn i) {
  if (!fpd::on(h)) return;
  std::uint8_t fl = 0;
  h.fw(i.rd(), fp::f64_min(h.fr(i.rs1()), h.fr(i.rs2()), fl));
  h.set_fflags(fl);
}
inline void exec_fmax_d(Hart& h, Insn i) {
  if (!fpd::on(h)) return;
  std::uint8_t fl = 0;
  h.fw(i.rd(), fp::f64_max(h.fr(i.rs1()), h.fr(i.rs2()), fl));
  h.set_fflags(fl);
}

inline void exec_fcvt_w_s(Hart& h, Insn i) { fpd::to_int<std::int32_t>(h, i, h.fr32(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f32_to_i32(static_cast<std::uint32_t>(a), m, f); }); }
inline void exec_fcvt_wu_s(Hart& h, Insn i) { fpd::to_int<std::uint32_t>(h, i, h.fr32(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f32_to_u32(static_cast<std::uint32_t>(a), m, f); }); }
inline void exec_fcvt_l_s(Hart& h, Insn i) { fpd::to_int<std::int64_t>(h, i, h.fr32(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f32_to_i64(static_cast<std::uint32_t>(a), m, f); }); }
inline void exec_fcvt_lu_s(Hart& h, Insn i) { fpd::to_int<std::uint64_t>(h, i, h.fr32(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f32_to_u64(static_cast<std::uint32_t>(a), m, f); }); }
inline void exec_fcvt_w_d(Hart& h, Insn i) { fpd::to_int<std::int32_t>(h, i, h.fr(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f64_to_i32(a, m, f); }); }
inline void exec_fcvt_wu_d(Hart& h, Insn i) { fpd::to_int<std::uint32_t>(h, i, h.fr(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f64_to_u32(a, m, f); }); }
inline void exec_fcvt_l_d(Hart& h, Insn i) { fpd::to_int<std::int64_t>(h, i, h.fr(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f64_to_i64(a, m, f); }); }
inline void exec_fcvt_lu_d(Hart& h, Insn i) { fpd::to_int<std::uint64_t>(h, i, h.fr(i.rs1()), [](u64 a, auto m, auto& f) { return fp::f64_to_u64(a, m, f); }); }

inline void exec_fcvt_s_w(Hart& h, Insn i) { fpd::s_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::i32_to_f32(static_cast<std::int32_t>(v), m, f); }); }
inline void exec_fcvt_s_wu(Hart& h, Insn i) { fpd::s_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::u32_to_f32(static_cast<std::uint32_t>(v), m, f); }); }
inline void exec_fcvt_s_l(Hart& h, Insn i) { fpd::s_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::i64_to_f32(static_cast<std::int64_t>(v), m, f); }); }
inline void exec_fcvt_s_lu(Hart& h, Insn i) { fpd::s_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::u64_to_f32(v, m, f); }); }
inline void exec_fcvt_d_w(Hart& h, Insn i) { fpd::d_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::i32_to_f64(static_cast<std::int32_t>(v), m, f); }); }
inline void exec_fcvt_d_wu(Hart& h, Insn i) { fpd::d_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::u32_to_f64(static_cast<std::uint32_t>(v), m, f); }); }
inline void exec_fcvt_d_l(Hart& h, Insn i) { fpd::d_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::i64_to_f64(static_cast<std::int64_t>(v), m, f); }); }
inline void exec_fcvt_d_lu(Hart& h, Insn i) { fpd::d_from_int(h, i, [](u64 v, auto m, auto& f) { return fp::u64_to_f64(v, m, f); }); }

inline void exec_fcvt_s_d(Hart& h, Insn i) {
  fpd::RoundingMode m;
  if (!fpd::rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const auto r = fp::f64_to_f32(h.fr(i.rs1()), m, fl);
  h.set_fflags(fl);
  h.fw32(i.rd(), r);
}
inline void exec_fcvt_d_s(Hart& h, Insn i) {
  fpd::RoundingMode m;
  if (!fpd::rm(h, i, m)) return;
  std::uint8_t fl = 0;
  const auto r = fp::f32_to_f64(h.fr32(i.rs1()), fl);
  h.set_fflags(fl);
  h.fw(i.rd(), r);
}

inline void exec_feq_s(Hart& h, Insn i) { fpd::cmp(h, i, [&](auto& f) { return fp::f32_eq(h.fr32(i.rs1()), h.fr32(i.rs2()), f); }); }
inline void exec_flt_s(Hart& h, Insn i) { fpd::cmp(h, i, [&](auto& f) { return fp::f32_lt(h.fr32(i.rs1()), h.fr32(i.rs2()), f); }); }
inline void exec_fle_s(Hart& h, Insn i) { fpd::cmp(h, i, [&](auto& f) { return fp::f32_le(h.fr32(i.rs1()), h.fr32(i.rs2()), f); }); }
inline void exec_feq_d(Hart& h, Insn i) { fpd::cmp(h, i, [&](auto& f) { return fp::f64_eq(h.fr(i.rs1()), h.fr(i.rs2()), f); }); }
inline void exec_flt_d(Hart& h, Insn i) { fpd::cmp(h, i, [&](auto& f) { return fp::f64_lt(h.fr(i.rs1()), h.fr(i.rs2()), f); }); }
inline void exec_fle_d(Hart& h, Insn i) { fpd::cmp(h, i, [&](auto& f) { return fp::f64_le(h.fr(i.rs1()), h.fr(i.rs2()), f); }); }

inline void exec_fclass_s(Hart& h, Insn i) {
  if (fpd::on(h)) h.xw(i.rd(), fp::f32_classify(h.fr32(i.rs1())));
}
inline void exec_fclass_d(Hart& h, Insn i) {
  if (fpd::on(h)) h.xw(i.rd(), fp::f64_classify(h.fr(i.rs1())));
}
// fmv moves raw bits: fmv.x.w sign-extends the low 32 bits without a NaN-box check.
inline void exec_fmv_x_w(Hart& h, Insn i) {
  if (fpd::on(h)) h.xw(i.rd(), sext32(h.fr(i.rs1())));
}
inline void exec_fmv_w_x(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw32(i.rd(), static_cast<std::uint32_t>(h.xr(i.rs1())));
}
inline void exec_fmv_x_d(Hart& h, Insn i) {
  if (fpd::on(h)) h.xw(i.rd(), h.fr(i.rs1()));
}
inline void exec_fmv_d_x(Hart& h, Insn i) {
  if (fpd::on(h)) h.fw(i.rd(), h.xr(i.rs1()));
}

} // namespace retrace::exec
