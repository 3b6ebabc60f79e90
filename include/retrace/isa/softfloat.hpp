#pragma once
/// \file
/// Bit-exact IEEE 754 binary32 / binary64 arithmetic with RISC-V F and D semantics, and the
/// binary16 conversions of Zfhmin.
///
/// Every function takes and returns raw bit patterns (std::uint16_t for binary16, std::uint32_t
/// for binary32, std::uint64_t for binary64) and is implemented with integer arithmetic only, so results never depend on
/// the host FPU, its rounding mode or its flags. Nothing here has state: the caller owns the
/// accrued exception flags (fflags) and passes them in by reference.
///
/// RISC-V rules that apply throughout:
///  - A NaN result is always the canonical NaN (f32_canonical_nan / f64_canonical_nan); NaN
///    payloads are never propagated. A signaling NaN operand raises flag_nv.
///  - Tininess is detected after rounding; flag_uf is raised only for a tiny *and* inexact
///    result. Overflow raises flag_of | flag_nx.
///  - `flags` is only ever OR-ed into, never cleared.
///  - A RoundingMode outside rne..rmm (the reserved encodings 5 and 6, or an unresolved dyn)
///    must be rejected by the decoder; if one gets here anyway it behaves as rne.
///
/// Example (fadd.d with the dynamic rounding mode already resolved from frm):
/// \code
///   std::uint8_t fflags = hart.fflags();
///   hart.set_f(rd, retrace::fp::f64_add(hart.f(rs1), hart.f(rs2), rm, fflags));
///   hart.set_fflags(fflags);
/// \endcode

#include <cstdint>

namespace retrace::fp {

/// RISC-V rounding modes, numbered as in the instruction's rm field and the frm CSR.
enum class RoundingMode : std::uint8_t {
  rne = 0, ///< round to nearest, ties to even
  rtz = 1, ///< round towards zero
  rdn = 2, ///< round down (towards -infinity)
  rup = 3, ///< round up (towards +infinity)
  rmm = 4, ///< round to nearest, ties to max magnitude (away from zero)
};

/// fflags bits, as in the RISC-V fflags CSR.
inline constexpr std::uint8_t flag_nx = 1;  ///< inexact
inline constexpr std::uint8_t flag_uf = 2;  ///< underflow
inline constexpr std::uint8_t flag_of = 4;  ///< overflow
inline constexpr std::uint8_t flag_dz = 8;  ///< divide by zero
inline constexpr std::uint8_t flag_nv = 16; ///< invalid operation

/// The canonical NaNs that every NaN-producing operation returns.
inline constexpr std::uint32_t f32_canonical_nan = 0x7fc00000u;
inline constexpr std::uint64_t f64_canonical_nan = 0x7ff8000000000000ull;
inline constexpr std::uint16_t f16_canonical_nan = 0x7e00u;

// ---------------------------------------------------------------------------------------------
// binary32
// ---------------------------------------------------------------------------------------------

/// fadd.s: a + b, correctly rounded. inf + -inf is invalid. An exact zero sum of operands with
/// opposite signs is +0, or -0 in rdn.
std::uint32_t f32_add(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags);
/// fsub.s: a - b, correctly rounded (a + (-b)).
std::uint32_t f32_sub(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags);
/// fmul.s: a * b, correctly rounded. inf * 0 is invalid.
std::uint32_t f32_mul(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags);
/// fdiv.s: a / b, correctly rounded. finite-nonzero / 0 raises flag_dz and gives a signed
/// infinity; 0/0 and inf/inf are invalid.
std::uint32_t f32_div(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags);
/// fsqrt.s: correctly rounded square root. sqrt(-0) = -0; sqrt of anything else negative
/// (including -inf) is invalid.
std::uint32_t f32_sqrt(std::uint32_t a, RoundingMode rm, std::uint8_t& flags);
/// fmadd.s: a * b + c with a single rounding. inf * 0 is invalid even when c is a quiet NaN.
/// An exact zero result is -0 only if both a*b and c are -0, or in rdn when they have opposite
/// signs. (fmsub/fnmsub/fnmadd are this with the sign bits of c and/or a flipped by the caller.)
std::uint32_t f32_mul_add(std::uint32_t a, std::uint32_t b, std::uint32_t c, RoundingMode rm,
                          std::uint8_t& flags);
/// fmin.s (IEEE 754-2019 minimumNumber): -0 < +0; if exactly one operand is a NaN the result
/// is the other operand; two NaNs give the canonical NaN. A signaling NaN operand raises
/// flag_nv even when the result is not a NaN.
std::uint32_t f32_min(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);
/// fmax.s (IEEE 754-2019 maximumNumber); see f32_min.
std::uint32_t f32_max(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);
/// feq.s: quiet comparison (flag_nv only for a signaling NaN); +0 == -0; NaN compares false.
bool f32_eq(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);
/// flt.s: signaling comparison (flag_nv for any NaN operand, which compares false).
bool f32_lt(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);
/// fle.s: signaling comparison (flag_nv for any NaN operand, which compares false).
bool f32_le(std::uint32_t a, std::uint32_t b, std::uint8_t& flags);
/// fclass.s: a one-hot 10-bit mask. bit 0 -inf, 1 negative normal, 2 negative subnormal,
/// 3 -0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +inf, 8 signaling NaN, 9 quiet NaN.
std::uint32_t f32_classify(std::uint32_t a);

/// fcvt.w.s: rounds to an integer with `rm`; inexact in-range results raise flag_nx. Out of
/// range values saturate and raise flag_nv only: NaN and too large -> INT32_MAX, too
/// negative -> INT32_MIN. The caller sign-extends the result into the 64-bit register.
std::int32_t f32_to_i32(std::uint32_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.wu.s: like f32_to_i32 with the range 0..UINT32_MAX. NaN and too large -> UINT32_MAX;
/// anything that rounds to a negative integer -> 0 with flag_nv (but a negative value that
/// rounds to 0, e.g. -0.3 in rtz, is just inexact).
std::uint32_t f32_to_u32(std::uint32_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.l.s: like f32_to_i32 with the range INT64_MIN..INT64_MAX.
std::int64_t f32_to_i64(std::uint32_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.lu.s: like f32_to_u32 with the range 0..UINT64_MAX.
std::uint64_t f32_to_u64(std::uint32_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.s.w: rounded conversion; 0 converts to +0.
std::uint32_t i32_to_f32(std::int32_t v, RoundingMode rm, std::uint8_t& flags);
/// fcvt.s.wu: rounded conversion.
std::uint32_t u32_to_f32(std::uint32_t v, RoundingMode rm, std::uint8_t& flags);
/// fcvt.s.l: rounded conversion.
std::uint32_t i64_to_f32(std::int64_t v, RoundingMode rm, std::uint8_t& flags);
/// fcvt.s.lu: rounded conversion.
std::uint32_t u64_to_f32(std::uint64_t v, RoundingMode rm, std::uint8_t& flags);

// ---------------------------------------------------------------------------------------------
// binary64 (same semantics as the binary32 functions above)
// ---------------------------------------------------------------------------------------------

/// fadd.d; see f32_add.
std::uint64_t f64_add(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags);
/// fsub.d; see f32_sub.
std::uint64_t f64_sub(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags);
/// fmul.d; see f32_mul.
std::uint64_t f64_mul(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags);
/// fdiv.d; see f32_div.
std::uint64_t f64_div(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags);
/// fsqrt.d; see f32_sqrt.
std::uint64_t f64_sqrt(std::uint64_t a, RoundingMode rm, std::uint8_t& flags);
/// fmadd.d; see f32_mul_add.
std::uint64_t f64_mul_add(std::uint64_t a, std::uint64_t b, std::uint64_t c, RoundingMode rm,
                          std::uint8_t& flags);
/// fmin.d; see f32_min.
std::uint64_t f64_min(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
/// fmax.d; see f32_max.
std::uint64_t f64_max(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
/// feq.d; see f32_eq.
bool f64_eq(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
/// flt.d; see f32_lt.
bool f64_lt(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
/// fle.d; see f32_le.
bool f64_le(std::uint64_t a, std::uint64_t b, std::uint8_t& flags);
/// fclass.d: the same 10-bit mask as f32_classify (the caller zero-extends it).
std::uint32_t f64_classify(std::uint64_t a);

/// fcvt.w.d; see f32_to_i32.
std::int32_t f64_to_i32(std::uint64_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.wu.d; see f32_to_u32.
std::uint32_t f64_to_u32(std::uint64_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.l.d; see f32_to_i64.
std::int64_t f64_to_i64(std::uint64_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.lu.d; see f32_to_u64.
std::uint64_t f64_to_u64(std::uint64_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.d.w: always exact (`rm` and `flags` are accepted for symmetry and never used).
std::uint64_t i32_to_f64(std::int32_t v, RoundingMode rm, std::uint8_t& flags);
/// fcvt.d.wu: always exact.
std::uint64_t u32_to_f64(std::uint32_t v, RoundingMode rm, std::uint8_t& flags);
/// fcvt.d.l: rounded conversion.
std::uint64_t i64_to_f64(std::int64_t v, RoundingMode rm, std::uint8_t& flags);
/// fcvt.d.lu: rounded conversion.
std::uint64_t u64_to_f64(std::uint64_t v, RoundingMode rm, std::uint8_t& flags);

// ---------------------------------------------------------------------------------------------
// Between the formats
// ---------------------------------------------------------------------------------------------

/// fcvt.d.s: exact. A signaling NaN raises flag_nv; any NaN gives the canonical binary64 NaN.
std::uint64_t f32_to_f64(std::uint32_t a, std::uint8_t& flags);
/// fcvt.s.d: rounded with `rm` (may overflow, underflow or be inexact). A signaling NaN raises
/// flag_nv; any NaN gives the canonical binary32 NaN.
std::uint32_t f64_to_f32(std::uint64_t a, RoundingMode rm, std::uint8_t& flags);

/// fcvt.s.h: exact. A signaling NaN raises flag_nv; any NaN gives the canonical binary32 NaN.
std::uint32_t f16_to_f32(std::uint16_t a, std::uint8_t& flags);
/// fcvt.d.h: exact, as f16_to_f32.
std::uint64_t f16_to_f64(std::uint16_t a, std::uint8_t& flags);
/// fcvt.h.s: rounded with `rm` (may overflow, underflow or be inexact, as f64_to_f32). A
/// signaling NaN raises flag_nv; any NaN gives the canonical binary16 NaN (0x7e00).
std::uint16_t f32_to_f16(std::uint32_t a, RoundingMode rm, std::uint8_t& flags);
/// fcvt.h.d: rounded once, directly from binary64 (not through binary32), as f32_to_f16.
std::uint16_t f64_to_f16(std::uint64_t a, RoundingMode rm, std::uint8_t& flags);

} // namespace retrace::fp
