// Tests for include/retrace/isa/softfloat.hpp.
//
// Three kinds of test:
//  - Hand-written corner cases, with the reasoning for the expected bits and flags alongside.
//  - Randomized differential tests against the host's x86-64 SSE unit in rne, rtz, rdn and rup
//    (x86 detects tininess after rounding, like RISC-V). Every host NaN counts as the canonical
//    NaN; host FE_INEXACT/UNDERFLOW/OVERFLOW/DIVBYZERO/INVALID map to nx/uf/of/dz/nv.
//  - Randomized rmm tests. rmm rounds exactly like rne except when the exact result is a tie
//    (exactly halfway between two neighbours), where it rounds like the directed mode away from
//    zero. Whether the exact result is a tie is decided by computing it in binary128
//    (__float128): every f32/f64 product fits exactly, and a sum or quotient that does not
//    fit (FE_INEXACT) has far too many significant bits to be a tie.
//
// The operands drawn at random are biased towards the interesting classes (subnormals, huge and
// tiny exponents, NaNs, infinities, zeros, few-bit significands that make exact results and
// ties, operands close to each other for cancellation). Seeds are fixed, so runs are repeatable.
//
// Must be compiled with -frounding-math -fno-fast-math: host operations read volatile operands
// and write volatile results so they happen between fesetround/feclearexcept and fetestexcept.
#include "retrace/isa/softfloat.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace {

using namespace retrace::fp;
using enum RoundingMode;

__extension__ typedef __float128 f128;
__extension__ typedef unsigned __int128 u128;

constexpr std::uint8_t nx = flag_nx;
constexpr std::uint8_t uf = flag_uf;
constexpr std::uint8_t of = flag_of;
constexpr std::uint8_t dz = flag_dz;
constexpr std::uint8_t nv = flag_nv;

constexpr std::int32_t i32_max = std::numeric_limits<std::int32_t>::max();
constexpr std::int32_t i32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::uint32_t u32_max = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

/// binary32 bit patterns.
namespace s32 {
constexpr std::uint32_t pzero = 0x00000000, nzero = 0x80000000;
constexpr std::uint32_t one = 0x3f800000, neg_one = 0xbf800000, two = 0x40000000, three = 0x40400000;
constexpr std::uint32_t half = 0x3f000000;
constexpr std::uint32_t max = 0x7f7fffff, neg_max = 0xff7fffff;
constexpr std::uint32_t min_norm = 0x00800000, max_sub = 0x007fffff, min_sub = 0x00000001;
constexpr std::uint32_t inf = 0x7f800000, neg_inf = 0xff800000;
constexpr std::uint32_t qnan = 0x7fc00000, snan = 0x7f800001;
constexpr std::uint32_t ulp_half = 0x33800000; ///< 2^-24, half an ulp of 1.0
} // namespace s32

/// binary64 bit patterns.
namespace d64 {
constexpr std::uint64_t pzero = 0, nzero = 0x8000000000000000;
constexpr std::uint64_t one = 0x3ff0000000000000, neg_one = 0xbff0000000000000;
constexpr std::uint64_t two = 0x4000000000000000, three = 0x4008000000000000;
constexpr std::uint64_t half = 0x3fe0000000000000;
constexpr std::uint64_t max = 0x7fefffffffffffff, neg_max = 0xffefffffffffffff;
constexpr std::uint64_t min_norm = 0x0010000000000000, max_sub = 0x000fffffffffffff, min_sub = 1;
constexpr std::uint64_t inf = 0x7ff0000000000000, neg_inf = 0xfff0000000000000;
constexpr std::uint64_t qnan = 0x7ff8000000000000, snan = 0x7ff0000000000001;
constexpr std::uint64_t ulp_half = 0x3ca0000000000000; ///< 2^-53, half an ulp of 1.0
} // namespace d64

// ----- checking helpers ------------------------------------------------------------------------

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string flag_names(std::uint8_t f) {
  std::string s;
  if (f & nv) s += "NV ";
  if (f & dz) s += "DZ ";
  if (f & of) s += "OF ";
  if (f & uf) s += "UF ";
  if (f & nx) s += "NX ";
  if (s.empty()) return "none";
  s.pop_back();
  return s;
}

template <class T>
std::string show(T v) {
  if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
  else if constexpr (std::is_signed_v<T>) return std::to_string(v) + " (" + hex(static_cast<std::uint64_t>(v)) + ")";
  else return hex(v);
}

template <class T, class W>
::testing::AssertionResult same_result(T got, std::uint8_t got_flags, W want_value, std::uint8_t want_flags) {
  const T want = static_cast<T>(want_value);
  if (got == want && got_flags == want_flags) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << show(got) << " [" << flag_names(got_flags) << "], want "
                                       << show(want) << " [" << flag_names(want_flags) << "]";
}

// Evaluates `expr`, which passes the local `fl` as its flags argument, and checks both the result
// and exactly the flags it raised.
#define EXPECT_FP(expr, want, want_flags)                                                                   \
  do {                                                                                                      \
    std::uint8_t fl = 0;                                                                                    \
    const auto got_ = (expr);                                                                               \
    EXPECT_TRUE(same_result(got_, fl, want, want_flags)) << #expr;                                          \
  } while (0)

// ===== hand-written corner cases ===============================================================

TEST(SoftFloat, F32AddCorners) {
  using namespace s32;
  EXPECT_FP(f32_add(one, two, rne, fl), three, 0);
  // x + (-x) is +0, except -0 when rounding down.
  for (auto rm : {rne, rtz, rup, rmm}) EXPECT_FP(f32_add(one, neg_one, rm, fl), pzero, 0);
  EXPECT_FP(f32_add(one, neg_one, rdn, fl), nzero, 0);
  EXPECT_FP(f32_sub(three, three, rdn, fl), nzero, 0);
  // -0 + -0 = -0 in every mode; +0 + -0 = +0 except in rdn.
  for (auto rm : {rne, rtz, rdn, rup, rmm}) EXPECT_FP(f32_add(nzero, nzero, rm, fl), nzero, 0);
  EXPECT_FP(f32_add(pzero, nzero, rne, fl), pzero, 0);
  EXPECT_FP(f32_add(pzero, nzero, rdn, fl), nzero, 0);
  EXPECT_FP(f32_sub(nzero, pzero, rne, fl), nzero, 0); // -0 - +0 = -0 + -0
  EXPECT_FP(f32_sub(pzero, pzero, rup, fl), pzero, 0);
  // Sums of subnormals are exact, so never UF, even when crossing into the normal range.
  EXPECT_FP(f32_add(min_sub, min_sub, rne, fl), 0x00000002u, 0);
  EXPECT_FP(f32_add(max_sub, min_sub, rne, fl), min_norm, 0);
  EXPECT_FP(f32_sub(min_norm, min_sub, rne, fl), max_sub, 0);
  EXPECT_FP(f32_add(min_sub, pzero, rdn, fl), min_sub, 0);
  // Cancellation: (1 + 2^-23) - 1 = 2^-23 exactly.
  EXPECT_FP(f32_sub(0x3f800001u, one, rne, fl), 0x34000000u, 0);
  // 1 + 2^-24 is exactly half an ulp above 1: rne/rtz/rdn keep 1, rup/rmm go up.
  EXPECT_FP(f32_add(one, ulp_half, rne, fl), one, nx);
  EXPECT_FP(f32_add(one, ulp_half, rtz, fl), one, nx);
  EXPECT_FP(f32_add(one, ulp_half, rdn, fl), one, nx);
  EXPECT_FP(f32_add(one, ulp_half, rup, fl), 0x3f800001u, nx);
  EXPECT_FP(f32_add(one, ulp_half, rmm, fl), 0x3f800001u, nx);
  EXPECT_FP(f32_add(neg_one, ulp_half | 0x80000000u, rmm, fl), 0xbf800001u, nx); // ties away, negative
  // 1 + 3*2^-25 is three quarters of an ulp: nearest goes up, rtz down.
  EXPECT_FP(f32_add(one, 0x33c00000u, rne, fl), 0x3f800001u, nx);
  EXPECT_FP(f32_add(one, 0x33c00000u, rtz, fl), one, nx);
  // 1 - 2^-149: just below 1.
  EXPECT_FP(f32_sub(one, min_sub, rne, fl), one, nx);
  EXPECT_FP(f32_sub(one, min_sub, rtz, fl), 0x3f7fffffu, nx);
  EXPECT_FP(f32_sub(one, min_sub, rdn, fl), 0x3f7fffffu, nx);
  EXPECT_FP(f32_sub(one, min_sub, rup, fl), one, nx);
  // Overflow: max + max. Directed modes towards zero give max finite; OF|NX in every mode.
  EXPECT_FP(f32_add(max, max, rne, fl), inf, of | nx);
  EXPECT_FP(f32_add(max, max, rtz, fl), max, of | nx);
  EXPECT_FP(f32_add(max, max, rdn, fl), max, of | nx);
  EXPECT_FP(f32_add(max, max, rup, fl), inf, of | nx);
  EXPECT_FP(f32_add(max, max, rmm, fl), inf, of | nx);
  EXPECT_FP(f32_add(neg_max, neg_max, rne, fl), neg_inf, of | nx);
  EXPECT_FP(f32_add(neg_max, neg_max, rtz, fl), neg_max, of | nx);
  EXPECT_FP(f32_add(neg_max, neg_max, rdn, fl), neg_inf, of | nx);
  EXPECT_FP(f32_add(neg_max, neg_max, rup, fl), neg_max, of | nx);
  EXPECT_FP(f32_add(neg_max, neg_max, rmm, fl), neg_inf, of | nx);
  // max + 2^-149: rup must round up past max, which overflows.
  EXPECT_FP(f32_add(max, min_sub, rne, fl), max, nx);
  EXPECT_FP(f32_add(max, min_sub, rup, fl), inf, of | nx);
  // Specials.
  EXPECT_FP(f32_add(inf, neg_inf, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_sub(inf, inf, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_add(inf, inf, rne, fl), inf, 0);
  EXPECT_FP(f32_add(neg_inf, max, rne, fl), neg_inf, 0);
  EXPECT_FP(f32_add(qnan, one, rne, fl), f32_canonical_nan, 0);
  EXPECT_FP(f32_add(one, 0xffc12345u, rne, fl), f32_canonical_nan, 0); // payload dropped
  EXPECT_FP(f32_add(snan, one, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_add(qnan, snan, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_add(snan, inf, rne, fl), f32_canonical_nan, nv);
}

TEST(SoftFloat, F64AddCorners) {
  using namespace d64;
  EXPECT_FP(f64_add(one, two, rne, fl), three, 0);
  EXPECT_FP(f64_add(one, neg_one, rne, fl), pzero, 0);
  EXPECT_FP(f64_add(one, neg_one, rdn, fl), nzero, 0);
  EXPECT_FP(f64_add(nzero, nzero, rne, fl), nzero, 0);
  EXPECT_FP(f64_add(nzero, pzero, rup, fl), pzero, 0);
  EXPECT_FP(f64_add(nzero, pzero, rdn, fl), nzero, 0);
  EXPECT_FP(f64_add(max_sub, min_sub, rne, fl), min_norm, 0);
  EXPECT_FP(f64_sub(min_norm, min_sub, rne, fl), max_sub, 0);
  // 1 + 2^-53: a tie.
  EXPECT_FP(f64_add(one, ulp_half, rne, fl), one, nx);
  EXPECT_FP(f64_add(one, ulp_half, rmm, fl), 0x3ff0000000000001u, nx);
  EXPECT_FP(f64_add(one, ulp_half, rup, fl), 0x3ff0000000000001u, nx);
  EXPECT_FP(f64_add(one, ulp_half, rtz, fl), one, nx);
  // 1 - 2^-1074: the far smaller operand only contributes a sticky bit.
  EXPECT_FP(f64_sub(one, min_sub, rne, fl), one, nx);
  EXPECT_FP(f64_sub(one, min_sub, rdn, fl), 0x3fefffffffffffffu, nx);
  EXPECT_FP(f64_add(one, min_sub, rup, fl), 0x3ff0000000000001u, nx);
  // Overflow in every mode.
  EXPECT_FP(f64_add(max, max, rne, fl), inf, of | nx);
  EXPECT_FP(f64_add(max, max, rtz, fl), max, of | nx);
  EXPECT_FP(f64_add(max, max, rdn, fl), max, of | nx);
  EXPECT_FP(f64_add(max, max, rup, fl), inf, of | nx);
  EXPECT_FP(f64_add(max, max, rmm, fl), inf, of | nx);
  EXPECT_FP(f64_add(neg_max, neg_max, rdn, fl), neg_inf, of | nx);
  EXPECT_FP(f64_add(neg_max, neg_max, rup, fl), neg_max, of | nx);
  EXPECT_FP(f64_add(neg_max, neg_max, rtz, fl), neg_max, of | nx);
  EXPECT_FP(f64_add(inf, neg_inf, rne, fl), f64_canonical_nan, nv);
  EXPECT_FP(f64_add(snan, one, rne, fl), f64_canonical_nan, nv);
  EXPECT_FP(f64_add(0xfff8000000001234u, one, rne, fl), f64_canonical_nan, 0);
}

TEST(SoftFloat, F32MulCorners) {
  using namespace s32;
  EXPECT_FP(f32_mul(three, three, rne, fl), 0x41100000u, 0); // 9
  EXPECT_FP(f32_mul(nzero, 0x40a00000u, rne, fl), nzero, 0);  // -0 * 5 = -0
  EXPECT_FP(f32_mul(nzero, 0xc0a00000u, rne, fl), pzero, 0);  // -0 * -5 = +0
  EXPECT_FP(f32_mul(inf, pzero, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_mul(nzero, neg_inf, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_mul(inf, 0xc0000000u, rne, fl), neg_inf, 0);
  EXPECT_FP(f32_mul(qnan, pzero, rne, fl), f32_canonical_nan, 0);
  EXPECT_FP(f32_mul(snan, inf, rne, fl), f32_canonical_nan, nv);
  // Overflow in every mode (max * 2, and -max * 2).
  EXPECT_FP(f32_mul(max, two, rne, fl), inf, of | nx);
  EXPECT_FP(f32_mul(max, two, rtz, fl), max, of | nx);
  EXPECT_FP(f32_mul(max, two, rdn, fl), max, of | nx);
  EXPECT_FP(f32_mul(max, two, rup, fl), inf, of | nx);
  EXPECT_FP(f32_mul(max, two, rmm, fl), inf, of | nx);
  EXPECT_FP(f32_mul(neg_max, two, rdn, fl), neg_inf, of | nx);
  EXPECT_FP(f32_mul(neg_max, two, rup, fl), neg_max, of | nx);
  // Tininess after rounding, case 1: 0x3fffffff * 2^-127 = (2^24-1) * 2^-150 = 2^-126 - 2^-150.
  // That has 24 significant bits, so rounding it to full precision with an unbounded exponent is
  // exact and below 2^-126: tiny. On the subnormal grid (spacing 2^-149) it is a tie between
  // max_sub (odd) and min_norm (even). So UF in every mode, even where the result is min_norm.
  EXPECT_FP(f32_mul(0x3fffffffu, 0x00400000u, rne, fl), min_norm, uf | nx);
  EXPECT_FP(f32_mul(0x3fffffffu, 0x00400000u, rtz, fl), max_sub, uf | nx);
  EXPECT_FP(f32_mul(0x3fffffffu, 0x00400000u, rdn, fl), max_sub, uf | nx);
  EXPECT_FP(f32_mul(0x3fffffffu, 0x00400000u, rup, fl), min_norm, uf | nx);
  EXPECT_FP(f32_mul(0x3fffffffu, 0x00400000u, rmm, fl), min_norm, uf | nx);
  // Case 2: 0x3f918e00 (18631 * 2^-14) * 0x00709000 (1801 * 2^-137) = (2^25-1) * 2^-151
  // = 2^-126 - 2^-151. At full precision (spacing 2^-150 below 2^-126) that is a tie between
  // 2^-126 - 2^-150 (odd) and 2^-126 (even), so rne/rmm/rup round to 2^-126: not tiny, no UF,
  // just NX. rtz/rdn stay below 2^-126: tiny, UF.
  EXPECT_FP(f32_mul(0x3f918e00u, 0x00709000u, rne, fl), min_norm, nx);
  EXPECT_FP(f32_mul(0x3f918e00u, 0x00709000u, rmm, fl), min_norm, nx);
  EXPECT_FP(f32_mul(0x3f918e00u, 0x00709000u, rup, fl), min_norm, nx);
  EXPECT_FP(f32_mul(0x3f918e00u, 0x00709000u, rtz, fl), max_sub, uf | nx);
  EXPECT_FP(f32_mul(0x3f918e00u, 0x00709000u, rdn, fl), max_sub, uf | nx);
  // An exact subnormal result is not an underflow: 2^-126 * 0.5 = 2^-127.
  EXPECT_FP(f32_mul(min_norm, half, rne, fl), 0x00400000u, 0);
  // 2^-149 * 0.5 = 2^-150, a tie between 0 (even) and min_sub.
  EXPECT_FP(f32_mul(min_sub, half, rne, fl), pzero, uf | nx);
  EXPECT_FP(f32_mul(min_sub, half, rtz, fl), pzero, uf | nx);
  EXPECT_FP(f32_mul(min_sub, half, rdn, fl), pzero, uf | nx);
  EXPECT_FP(f32_mul(min_sub, half, rup, fl), min_sub, uf | nx);
  EXPECT_FP(f32_mul(min_sub, half, rmm, fl), min_sub, uf | nx);
  EXPECT_FP(f32_mul(min_sub, 0xbf000000u, rne, fl), nzero, uf | nx); // signed zero result
  EXPECT_FP(f32_mul(min_sub, 0xbf000000u, rdn, fl), 0x80000001u, uf | nx);
  EXPECT_FP(f32_mul(min_sub, min_sub, rne, fl), pzero, uf | nx); // 2^-298
  EXPECT_FP(f32_mul(min_sub, min_sub, rup, fl), min_sub, uf | nx);
  // (1 + 3*2^-23) * 1.5 = 1.5 + 4.5 ulps: a tie between 0x3fc00004 (even) and 0x3fc00005.
  EXPECT_FP(f32_mul(0x3f800003u, 0x3fc00000u, rne, fl), 0x3fc00004u, nx);
  EXPECT_FP(f32_mul(0x3f800003u, 0x3fc00000u, rmm, fl), 0x3fc00005u, nx);
  EXPECT_FP(f32_mul(0x3f800003u, 0x3fc00000u, rtz, fl), 0x3fc00004u, nx);
  EXPECT_FP(f32_mul(0x3f800003u, 0x3fc00000u, rup, fl), 0x3fc00005u, nx);
}

TEST(SoftFloat, F64MulCorners) {
  using namespace d64;
  EXPECT_FP(f64_mul(three, three, rne, fl), 0x4022000000000000u, 0); // 9
  EXPECT_FP(f64_mul(inf, nzero, rne, fl), f64_canonical_nan, nv);
  EXPECT_FP(f64_mul(nzero, two, rne, fl), nzero, 0);
  EXPECT_FP(f64_mul(max, two, rne, fl), inf, of | nx);
  EXPECT_FP(f64_mul(max, two, rtz, fl), max, of | nx);
  EXPECT_FP(f64_mul(max, two, rdn, fl), max, of | nx);
  EXPECT_FP(f64_mul(max, two, rup, fl), inf, of | nx);
  EXPECT_FP(f64_mul(max, two, rmm, fl), inf, of | nx);
  EXPECT_FP(f64_mul(neg_max, two, rup, fl), neg_max, of | nx);
  EXPECT_FP(f64_mul(neg_max, two, rdn, fl), neg_inf, of | nx);
  // (2^53-1) * 2^-52 * 2^-1023 = 2^-1022 - 2^-1075: exact at full precision, below 2^-1022, so
  // tiny; a tie on the subnormal grid that rne rounds up to min_norm. UF|NX.
  EXPECT_FP(f64_mul(0x3fffffffffffffffu, 0x0008000000000000u, rne, fl), min_norm, uf | nx);
  EXPECT_FP(f64_mul(0x3fffffffffffffffu, 0x0008000000000000u, rtz, fl), max_sub, uf | nx);
  // (1 + 2^-27) * ((2^27-1) * 2^-1049) = (2^54-1) * 2^-1076 = 2^-1022 - 2^-1076: a full
  // precision tie that rne rounds to 2^-1022, so not tiny: NX only.
  EXPECT_FP(f64_mul(0x3ff0000002000000u, 0x000ffffffe000000u, rne, fl), min_norm, nx);
  EXPECT_FP(f64_mul(0x3ff0000002000000u, 0x000ffffffe000000u, rdn, fl), max_sub, uf | nx);
  EXPECT_FP(f64_mul(min_sub, half, rne, fl), pzero, uf | nx); // 2^-1075, tie to even 0
  EXPECT_FP(f64_mul(min_sub, half, rmm, fl), min_sub, uf | nx);
  EXPECT_FP(f64_mul(min_norm, half, rne, fl), 0x0008000000000000u, 0); // exact subnormal
}

TEST(SoftFloat, DivCorners) {
  {
    using namespace s32;
    EXPECT_FP(f32_div(one, three, rne, fl), 0x3eaaaaabu, nx);
    EXPECT_FP(f32_div(one, three, rtz, fl), 0x3eaaaaaau, nx);
    EXPECT_FP(f32_div(one, three, rdn, fl), 0x3eaaaaaau, nx);
    EXPECT_FP(f32_div(one, three, rup, fl), 0x3eaaaaabu, nx);
    EXPECT_FP(f32_div(one, three, rmm, fl), 0x3eaaaaabu, nx);
    EXPECT_FP(f32_div(neg_one, three, rdn, fl), 0xbeaaaaabu, nx);
    EXPECT_FP(f32_div(0x40c00000u, three, rne, fl), two, 0); // 6/3
    EXPECT_FP(f32_div(one, pzero, rne, fl), inf, dz);
    EXPECT_FP(f32_div(neg_one, pzero, rne, fl), neg_inf, dz);
    EXPECT_FP(f32_div(one, nzero, rne, fl), neg_inf, dz);
    EXPECT_FP(f32_div(pzero, pzero, rne, fl), f32_canonical_nan, nv);
    EXPECT_FP(f32_div(inf, neg_inf, rne, fl), f32_canonical_nan, nv);
    EXPECT_FP(f32_div(inf, pzero, rne, fl), inf, 0); // infinity is exact: no DZ
    EXPECT_FP(f32_div(pzero, inf, rne, fl), pzero, 0);
    EXPECT_FP(f32_div(neg_one, inf, rne, fl), nzero, 0);
    EXPECT_FP(f32_div(pzero, 0xc0a00000u, rne, fl), nzero, 0);
    EXPECT_FP(f32_div(qnan, pzero, rne, fl), f32_canonical_nan, 0); // NaN wins over DZ
    EXPECT_FP(f32_div(snan, one, rne, fl), f32_canonical_nan, nv);
    EXPECT_FP(f32_div(max, half, rne, fl), inf, of | nx);
    EXPECT_FP(f32_div(max, half, rtz, fl), max, of | nx);
    // 2^-126 / 3 = 2796202.67 * 2^-149: inexact subnormal.
    EXPECT_FP(f32_div(min_norm, three, rne, fl), 0x002aaaabu, uf | nx);
    EXPECT_FP(f32_div(min_norm, three, rtz, fl), 0x002aaaaau, uf | nx);
    // 5 * 2^-149 / 2 = 2.5 * 2^-149: a tie on the subnormal grid.
    EXPECT_FP(f32_div(0x00000005u, two, rne, fl), 0x00000002u, uf | nx);
    EXPECT_FP(f32_div(0x00000005u, two, rmm, fl), 0x00000003u, uf | nx);
    EXPECT_FP(f32_div(0x00000005u, two, rup, fl), 0x00000003u, uf | nx);
    EXPECT_FP(f32_div(max_sub, min_sub, rne, fl), 0x4afffffeu, 0); // 2^23 - 1
  }
  {
    using namespace d64;
    EXPECT_FP(f64_div(one, three, rne, fl), 0x3fd5555555555555u, nx);
    EXPECT_FP(f64_div(one, three, rup, fl), 0x3fd5555555555556u, nx);
    EXPECT_FP(f64_div(one, nzero, rne, fl), neg_inf, dz);
    EXPECT_FP(f64_div(nzero, pzero, rne, fl), f64_canonical_nan, nv);
    EXPECT_FP(f64_div(inf, inf, rne, fl), f64_canonical_nan, nv);
    EXPECT_FP(f64_div(min_sub, two, rne, fl), pzero, uf | nx); // 2^-1075, tie to even 0
    EXPECT_FP(f64_div(min_sub, two, rmm, fl), min_sub, uf | nx);
    EXPECT_FP(f64_div(max, half, rdn, fl), max, of | nx);
    EXPECT_FP(f64_div(max_sub, max_sub, rne, fl), one, 0);
  }
}

TEST(SoftFloat, SqrtCorners) {
  {
    using namespace s32;
    EXPECT_FP(f32_sqrt(0x40800000u, rne, fl), two, 0); // sqrt(4)
    EXPECT_FP(f32_sqrt(two, rne, fl), 0x3fb504f3u, nx); // 1.41421354 < sqrt(2)
    EXPECT_FP(f32_sqrt(two, rtz, fl), 0x3fb504f3u, nx);
    EXPECT_FP(f32_sqrt(two, rup, fl), 0x3fb504f4u, nx);
    EXPECT_FP(f32_sqrt(two, rmm, fl), 0x3fb504f3u, nx);
    EXPECT_FP(f32_sqrt(nzero, rne, fl), nzero, 0);
    EXPECT_FP(f32_sqrt(pzero, rne, fl), pzero, 0);
    EXPECT_FP(f32_sqrt(neg_one, rne, fl), f32_canonical_nan, nv);
    EXPECT_FP(f32_sqrt(0x80000001u, rne, fl), f32_canonical_nan, nv); // negative subnormal
    EXPECT_FP(f32_sqrt(neg_inf, rne, fl), f32_canonical_nan, nv);
    EXPECT_FP(f32_sqrt(inf, rne, fl), inf, 0);
    EXPECT_FP(f32_sqrt(qnan, rne, fl), f32_canonical_nan, 0);
    EXPECT_FP(f32_sqrt(0xffc00000u, rne, fl), f32_canonical_nan, 0); // negative qNaN: no NV
    EXPECT_FP(f32_sqrt(snan, rne, fl), f32_canonical_nan, nv);
    EXPECT_FP(f32_sqrt(0x00000002u, rne, fl), 0x1a800000u, 0); // sqrt(2^-148) = 2^-74
    EXPECT_FP(f32_sqrt(min_sub, rne, fl), 0x1a3504f3u, nx);     // sqrt(2^-149) = 2^-75 sqrt(2)
    // sqrt(max) = 2^64 (1 - 2^-25 - 2^-51 ...), just below the midpoint 2^64 - 2^39.
    EXPECT_FP(f32_sqrt(max, rne, fl), 0x5f7fffffu, nx);
    EXPECT_FP(f32_sqrt(max, rup, fl), 0x5f800000u, nx);
  }
  {
    using namespace d64;
    EXPECT_FP(f64_sqrt(two, rne, fl), 0x3ff6a09e667f3bcdu, nx);
    EXPECT_FP(f64_sqrt(0x4022000000000000u, rne, fl), three, 0); // sqrt(9)
    EXPECT_FP(f64_sqrt(nzero, rdn, fl), nzero, 0);
    EXPECT_FP(f64_sqrt(neg_one, rne, fl), f64_canonical_nan, nv);
    EXPECT_FP(f64_sqrt(min_sub, rne, fl), 0x1e60000000000000u, 0); // sqrt(2^-1074) = 2^-537
    EXPECT_FP(f64_sqrt(max, rne, fl), 0x5fefffffffffffffu, nx);
    EXPECT_FP(f64_sqrt(snan, rne, fl), f64_canonical_nan, nv);
  }
}

TEST(SoftFloat, F32MulAddCorners) {
  using namespace s32;
  // RISC-V: inf * 0 raises NV even when the addend is a quiet NaN (x86 does not).
  EXPECT_FP(f32_mul_add(inf, pzero, qnan, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_mul_add(nzero, neg_inf, qnan, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_mul_add(pzero, inf, one, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_mul_add(qnan, one, one, rne, fl), f32_canonical_nan, 0);
  EXPECT_FP(f32_mul_add(one, one, snan, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_mul_add(qnan, pzero, snan, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f32_mul_add(inf, one, neg_inf, rne, fl), f32_canonical_nan, nv); // inf - inf
  EXPECT_FP(f32_mul_add(inf, neg_one, neg_inf, rne, fl), neg_inf, 0);
  EXPECT_FP(f32_mul_add(one, one, neg_inf, rne, fl), neg_inf, 0);
  EXPECT_FP(f32_mul_add(max, max, neg_inf, rne, fl), neg_inf, 0); // no overflow from a*b
  // Exact zero sums: +0 unless rdn, and -0 when both addends are -0.
  EXPECT_FP(f32_mul_add(one, one, neg_one, rne, fl), pzero, 0);
  EXPECT_FP(f32_mul_add(one, one, neg_one, rdn, fl), nzero, 0);
  for (auto rm : {rne, rtz, rdn, rup, rmm}) EXPECT_FP(f32_mul_add(nzero, one, nzero, rm, fl), nzero, 0);
  EXPECT_FP(f32_mul_add(nzero, one, pzero, rne, fl), pzero, 0);
  EXPECT_FP(f32_mul_add(nzero, one, pzero, rdn, fl), nzero, 0);
  EXPECT_FP(f32_mul_add(pzero, neg_one, pzero, rup, fl), pzero, 0);
  EXPECT_FP(f32_mul_add(pzero, one, min_sub, rne, fl), min_sub, 0);
  // Single rounding: a = 1 + 2^-12, a*a - 1 = 2^-11 + 2^-24 exactly. (Rounding a*a first would
  // give 1 + 2^-11, a tie, and then 2^-11.)
  EXPECT_FP(f32_mul_add(0x3f800800u, 0x3f800800u, neg_one, rne, fl), 0x3a000400u, 0);
  // Addend far below the product: it only decides the rounding direction.
  EXPECT_FP(f32_mul_add(one, one, min_sub, rne, fl), one, nx);
  EXPECT_FP(f32_mul_add(one, one, min_sub, rup, fl), 0x3f800001u, nx);
  EXPECT_FP(f32_mul_add(one, one, min_sub, rtz, fl), one, nx);
  EXPECT_FP(f32_mul_add(one, one, 0x80000001u, rne, fl), one, nx);
  EXPECT_FP(f32_mul_add(one, one, 0x80000001u, rtz, fl), 0x3f7fffffu, nx);
  EXPECT_FP(f32_mul_add(one, one, 0x80000001u, rdn, fl), 0x3f7fffffu, nx);
  EXPECT_FP(f32_mul_add(one, one, 0x80000001u, rup, fl), one, nx);
  // Product far below the addend (2^-298).
  EXPECT_FP(f32_mul_add(min_sub, min_sub, one, rne, fl), one, nx);
  EXPECT_FP(f32_mul_add(min_sub, min_sub, one, rup, fl), 0x3f800001u, nx);
  EXPECT_FP(f32_mul_add(0x80000001u, min_sub, one, rdn, fl), 0x3f7fffffu, nx);
  EXPECT_FP(f32_mul_add(0x80000001u, min_sub, one, rne, fl), one, nx);
  // Tiny products with a zero addend: rounded on their own, sign from the product.
  EXPECT_FP(f32_mul_add(min_sub, min_sub, nzero, rne, fl), pzero, uf | nx);
  EXPECT_FP(f32_mul_add(min_sub, min_sub, nzero, rup, fl), min_sub, uf | nx);
  EXPECT_FP(f32_mul_add(min_sub, half, pzero, rne, fl), pzero, uf | nx); // 2^-150: tie to 0
  EXPECT_FP(f32_mul_add(min_sub, half, pzero, rmm, fl), min_sub, uf | nx);
  EXPECT_FP(f32_mul_add(0x3fffffffu, 0x00400000u, pzero, rne, fl), min_norm, uf | nx); // see F32MulCorners
  // Exact subnormal results: 2^-127 + 2^-149, and 2^-126 - (2^-126 - 2^-149).
  EXPECT_FP(f32_mul_add(min_norm, half, min_sub, rne, fl), 0x00400001u, 0);
  EXPECT_FP(f32_mul_add(min_norm, one, 0x807fffffu, rne, fl), min_sub, 0);
  // a*b overflows on its own but the sum does not: max*2 - max = max exactly.
  EXPECT_FP(f32_mul_add(max, two, neg_max, rne, fl), max, 0);
  EXPECT_FP(f32_mul_add(max, two, pzero, rne, fl), inf, of | nx);
  EXPECT_FP(f32_mul_add(max, two, pzero, rtz, fl), max, of | nx);
  // 1*1 + 2^-24 is a tie.
  EXPECT_FP(f32_mul_add(one, one, ulp_half, rne, fl), one, nx);
  EXPECT_FP(f32_mul_add(one, one, ulp_half, rmm, fl), 0x3f800001u, nx);
}

TEST(SoftFloat, F64MulAddCorners) {
  using namespace d64;
  EXPECT_FP(f64_mul_add(inf, pzero, qnan, rne, fl), f64_canonical_nan, nv);
  EXPECT_FP(f64_mul_add(pzero, neg_inf, 0xfff8000000000001u, rne, fl), f64_canonical_nan, nv);
  EXPECT_FP(f64_mul_add(qnan, pzero, one, rne, fl), f64_canonical_nan, 0);
  EXPECT_FP(f64_mul_add(one, snan, one, rne, fl), f64_canonical_nan, nv);
  EXPECT_FP(f64_mul_add(neg_inf, one, inf, rne, fl), f64_canonical_nan, nv);
  EXPECT_FP(f64_mul_add(one, one, neg_one, rne, fl), pzero, 0);
  EXPECT_FP(f64_mul_add(one, one, neg_one, rdn, fl), nzero, 0);
  EXPECT_FP(f64_mul_add(nzero, one, nzero, rne, fl), nzero, 0);
  // a = 1 + 2^-27: a*a - 1 = 2^-26 + 2^-54 exactly.
  EXPECT_FP(f64_mul_add(0x3ff0000002000000u, 0x3ff0000002000000u, neg_one, rne, fl), 0x3e50000001000000u, 0);
  EXPECT_FP(f64_mul_add(one, one, min_sub, rne, fl), one, nx);
  EXPECT_FP(f64_mul_add(one, one, min_sub, rup, fl), 0x3ff0000000000001u, nx);
  EXPECT_FP(f64_mul_add(one, neg_one, min_sub, rup, fl), 0xbfefffffffffffffu, nx);
  EXPECT_FP(f64_mul_add(min_sub, min_sub, one, rne, fl), one, nx);
  EXPECT_FP(f64_mul_add(min_sub, min_sub, one, rup, fl), 0x3ff0000000000001u, nx);
  EXPECT_FP(f64_mul_add(0x8000000000000001u, min_sub, one, rtz, fl), 0x3fefffffffffffffu, nx);
  EXPECT_FP(f64_mul_add(min_sub, min_sub, neg_one, rdn, fl), neg_one, nx);
  EXPECT_FP(f64_mul_add(min_sub, min_sub, pzero, rne, fl), pzero, uf | nx);
  EXPECT_FP(f64_mul_add(min_sub, min_sub, pzero, rup, fl), min_sub, uf | nx);
  EXPECT_FP(f64_mul_add(min_norm, one, 0x800fffffffffffffu, rne, fl), min_sub, 0);
  EXPECT_FP(f64_mul_add(0x3fffffffffffffffu, 0x0008000000000000u, nzero, rne, fl), min_norm, uf | nx);
  EXPECT_FP(f64_mul_add(max, two, neg_max, rne, fl), max, 0);
  EXPECT_FP(f64_mul_add(max, two, neg_one, rup, fl), inf, of | nx);
  EXPECT_FP(f64_mul_add(one, one, ulp_half, rmm, fl), 0x3ff0000000000001u, nx);
  EXPECT_FP(f64_mul_add(one, one, ulp_half, rne, fl), one, nx);
}

TEST(SoftFloat, MinMaxCorners) {
  {
    using namespace s32;
    // -0 < +0, in either operand order.
    EXPECT_FP(f32_min(nzero, pzero, fl), nzero, 0);
    EXPECT_FP(f32_min(pzero, nzero, fl), nzero, 0);
    EXPECT_FP(f32_max(nzero, pzero, fl), pzero, 0);
    EXPECT_FP(f32_max(pzero, nzero, fl), pzero, 0);
    // One NaN: the other operand. Signaling NaNs raise NV anyway.
    EXPECT_FP(f32_min(qnan, one, fl), one, 0);
    EXPECT_FP(f32_max(one, qnan, fl), one, 0);
    EXPECT_FP(f32_min(snan, one, fl), one, nv);
    EXPECT_FP(f32_max(neg_inf, snan, fl), neg_inf, nv);
    // Two NaNs: the canonical NaN, never a payload.
    EXPECT_FP(f32_min(qnan, qnan, fl), f32_canonical_nan, 0);
    EXPECT_FP(f32_max(0xffc00001u, 0x7fc12345u, fl), f32_canonical_nan, 0);
    EXPECT_FP(f32_max(snan, qnan, fl), f32_canonical_nan, nv);
    EXPECT_FP(f32_min(neg_one, one, fl), neg_one, 0);
    EXPECT_FP(f32_max(neg_one, one, fl), one, 0);
    EXPECT_FP(f32_min(0xc0000000u, neg_one, fl), 0xc0000000u, 0); // -2 < -1
    EXPECT_FP(f32_max(min_sub, pzero, fl), min_sub, 0);
    EXPECT_FP(f32_min(neg_inf, neg_max, fl), neg_inf, 0);
  }
  {
    using namespace d64;
    EXPECT_FP(f64_min(pzero, nzero, fl), nzero, 0);
    EXPECT_FP(f64_max(nzero, pzero, fl), pzero, 0);
    EXPECT_FP(f64_min(one, qnan, fl), one, 0);
    EXPECT_FP(f64_max(snan, two, fl), two, nv);
    EXPECT_FP(f64_min(snan, snan, fl), f64_canonical_nan, nv);
    EXPECT_FP(f64_max(0xfff0000000000001u, qnan, fl), f64_canonical_nan, nv);
    EXPECT_FP(f64_min(neg_one, one, fl), neg_one, 0);
    EXPECT_FP(f64_max(inf, max, fl), inf, 0);
  }
}

TEST(SoftFloat, CompareCorners) {
  {
    using namespace s32;
    // feq is quiet: NV only for signaling NaNs.
    EXPECT_FP(f32_eq(qnan, one, fl), false, 0);
    EXPECT_FP(f32_eq(qnan, qnan, fl), false, 0);
    EXPECT_FP(f32_eq(snan, one, fl), false, nv);
    EXPECT_FP(f32_eq(one, snan, fl), false, nv);
    EXPECT_FP(f32_eq(pzero, nzero, fl), true, 0);
    EXPECT_FP(f32_eq(one, one, fl), true, 0);
    EXPECT_FP(f32_eq(one, 0x3f800001u, fl), false, 0);
    // flt/fle are signaling: NV for any NaN.
    EXPECT_FP(f32_lt(qnan, one, fl), false, nv);
    EXPECT_FP(f32_lt(one, qnan, fl), false, nv);
    EXPECT_FP(f32_le(qnan, qnan, fl), false, nv);
    EXPECT_FP(f32_le(snan, one, fl), false, nv);
    EXPECT_FP(f32_lt(nzero, pzero, fl), false, 0);
    EXPECT_FP(f32_le(nzero, pzero, fl), true, 0);
    EXPECT_FP(f32_le(pzero, nzero, fl), true, 0);
    EXPECT_FP(f32_lt(neg_one, one, fl), true, 0);
    EXPECT_FP(f32_lt(one, neg_one, fl), false, 0);
    EXPECT_FP(f32_lt(0xc0000000u, neg_one, fl), true, 0); // -2 < -1
    EXPECT_FP(f32_lt(neg_inf, neg_max, fl), true, 0);
    EXPECT_FP(f32_lt(inf, inf, fl), false, 0);
    EXPECT_FP(f32_le(inf, inf, fl), true, 0);
    EXPECT_FP(f32_lt(nzero, min_sub, fl), true, 0);
  }
  {
    using namespace d64;
    EXPECT_FP(f64_eq(qnan, qnan, fl), false, 0);
    EXPECT_FP(f64_eq(snan, qnan, fl), false, nv);
    EXPECT_FP(f64_eq(nzero, pzero, fl), true, 0);
    EXPECT_FP(f64_lt(qnan, one, fl), false, nv);
    EXPECT_FP(f64_le(one, qnan, fl), false, nv);
    EXPECT_FP(f64_lt(pzero, nzero, fl), false, 0);
    EXPECT_FP(f64_le(nzero, pzero, fl), true, 0);
    EXPECT_FP(f64_lt(neg_max, neg_one, fl), true, 0);
    EXPECT_FP(f64_le(two, one, fl), false, 0);
  }
}

TEST(SoftFloat, ClassifyEveryClass) {
  // bit: 0 -inf, 1 -normal, 2 -subnormal, 3 -0, 4 +0, 5 +subnormal, 6 +normal, 7 +inf, 8 sNaN, 9 qNaN
  EXPECT_EQ(f32_classify(s32::neg_inf), 1u << 0);
  EXPECT_EQ(f32_classify(s32::neg_one), 1u << 1);
  EXPECT_EQ(f32_classify(0x80800000u), 1u << 1); // -min normal
  EXPECT_EQ(f32_classify(0x807fffffu), 1u << 2);
  EXPECT_EQ(f32_classify(0x80000001u), 1u << 2);
  EXPECT_EQ(f32_classify(s32::nzero), 1u << 3);
  EXPECT_EQ(f32_classify(s32::pzero), 1u << 4);
  EXPECT_EQ(f32_classify(s32::min_sub), 1u << 5);
  EXPECT_EQ(f32_classify(s32::max_sub), 1u << 5);
  EXPECT_EQ(f32_classify(s32::min_norm), 1u << 6);
  EXPECT_EQ(f32_classify(s32::max), 1u << 6);
  EXPECT_EQ(f32_classify(s32::inf), 1u << 7);
  EXPECT_EQ(f32_classify(s32::snan), 1u << 8);
  EXPECT_EQ(f32_classify(0xffbfffffu), 1u << 8); // negative sNaN, full payload
  EXPECT_EQ(f32_classify(s32::qnan), 1u << 9);
  EXPECT_EQ(f32_classify(0xffc00001u), 1u << 9);

  EXPECT_EQ(f64_classify(d64::neg_inf), 1u << 0);
  EXPECT_EQ(f64_classify(d64::neg_max), 1u << 1);
  EXPECT_EQ(f64_classify(0x800fffffffffffffu), 1u << 2);
  EXPECT_EQ(f64_classify(d64::nzero), 1u << 3);
  EXPECT_EQ(f64_classify(d64::pzero), 1u << 4);
  EXPECT_EQ(f64_classify(d64::min_sub), 1u << 5);
  EXPECT_EQ(f64_classify(d64::min_norm), 1u << 6);
  EXPECT_EQ(f64_classify(d64::inf), 1u << 7);
  EXPECT_EQ(f64_classify(d64::snan), 1u << 8);
  EXPECT_EQ(f64_classify(0xfff7ffffffffffffu), 1u << 8);
  EXPECT_EQ(f64_classify(d64::qnan), 1u << 9);
  EXPECT_EQ(f64_classify(0xfff8000000000000u), 1u << 9);
}

TEST(SoftFloat, F32ToIntBoundaries) {
  using namespace s32;
  // 2^31 is out of range for i32 in every mode; -2^31 is exactly INT32_MIN; the next float
  // below it (-2^31 - 256) is out of range.
  for (auto rm : {rne, rtz, rdn, rup, rmm}) {
    EXPECT_FP(f32_to_i32(0x4f000000u, rm, fl), i32_max, nv);
    EXPECT_FP(f32_to_i32(0xcf000000u, rm, fl), i32_min, 0);
    EXPECT_FP(f32_to_i32(0xcf000001u, rm, fl), i32_min, nv);
    EXPECT_FP(f32_to_i32(0x4effffffu, rm, fl), 2147483520, 0); // largest float below 2^31
  }
  // NaN of either sign -> the largest value; infinities saturate by sign. NV only.
  EXPECT_FP(f32_to_i32(qnan, rne, fl), i32_max, nv);
  EXPECT_FP(f32_to_i32(0xffc00000u, rne, fl), i32_max, nv);
  EXPECT_FP(f32_to_i32(snan, rne, fl), i32_max, nv);
  EXPECT_FP(f32_to_i32(inf, rne, fl), i32_max, nv);
  EXPECT_FP(f32_to_i32(neg_inf, rne, fl), i32_min, nv);
  EXPECT_FP(f32_to_u32(qnan, rne, fl), u32_max, nv);
  EXPECT_FP(f32_to_u32(0xffc00000u, rne, fl), u32_max, nv);
  EXPECT_FP(f32_to_u32(inf, rne, fl), u32_max, nv);
  EXPECT_FP(f32_to_u32(neg_inf, rne, fl), 0u, nv);
  EXPECT_FP(f32_to_i64(qnan, rne, fl), i64_max, nv);
  EXPECT_FP(f32_to_i64(neg_inf, rne, fl), i64_min, nv);
  EXPECT_FP(f32_to_u64(qnan, rne, fl), u64_max, nv);
  EXPECT_FP(f32_to_u64(0xff800001u, rne, fl), u64_max, nv); // negative sNaN
  EXPECT_FP(f32_to_u64(neg_inf, rne, fl), 0u, nv);
  // 2.5 and -2.5 in every mode: rmm ties away, rne to even.
  EXPECT_FP(f32_to_i32(0x40200000u, rne, fl), 2, nx);
  EXPECT_FP(f32_to_i32(0x40200000u, rtz, fl), 2, nx);
  EXPECT_FP(f32_to_i32(0x40200000u, rdn, fl), 2, nx);
  EXPECT_FP(f32_to_i32(0x40200000u, rup, fl), 3, nx);
  EXPECT_FP(f32_to_i32(0x40200000u, rmm, fl), 3, nx);
  EXPECT_FP(f32_to_i32(0xc0200000u, rne, fl), -2, nx);
  EXPECT_FP(f32_to_i32(0xc0200000u, rtz, fl), -2, nx);
  EXPECT_FP(f32_to_i32(0xc0200000u, rdn, fl), -3, nx);
  EXPECT_FP(f32_to_i32(0xc0200000u, rup, fl), -2, nx);
  EXPECT_FP(f32_to_i32(0xc0200000u, rmm, fl), -3, nx);
  EXPECT_FP(f32_to_i32(half, rne, fl), 0, nx);
  EXPECT_FP(f32_to_i32(half, rmm, fl), 1, nx);
  EXPECT_FP(f32_to_i32(0x3fc00000u, rne, fl), 2, nx); // 1.5
  EXPECT_FP(f32_to_i32(nzero, rdn, fl), 0, 0);
  EXPECT_FP(f32_to_i32(min_sub, rne, fl), 0, nx);
  EXPECT_FP(f32_to_i32(min_sub, rup, fl), 1, nx);
  EXPECT_FP(f32_to_i32(0x80000001u, rdn, fl), -1, nx);
  // Unsigned: a negative value that rounds to 0 is merely inexact; one that rounds to -1 or
  // below is invalid (result 0, NV only).
  EXPECT_FP(f32_to_u32(neg_one, rtz, fl), 0u, nv);
  EXPECT_FP(f32_to_u32(0xbe99999au, rtz, fl), 0u, nx); // -0.3
  EXPECT_FP(f32_to_u32(0xbe99999au, rne, fl), 0u, nx);
  EXPECT_FP(f32_to_u32(0xbe99999au, rup, fl), 0u, nx);
  EXPECT_FP(f32_to_u32(0xbe99999au, rmm, fl), 0u, nx);
  EXPECT_FP(f32_to_u32(0xbe99999au, rdn, fl), 0u, nv);
  EXPECT_FP(f32_to_u32(0xbf000000u, rne, fl), 0u, nx); // -0.5 ties to even 0
  EXPECT_FP(f32_to_u32(0xbf000000u, rmm, fl), 0u, nv); // -0.5 ties away to -1
  EXPECT_FP(f32_to_u32(nzero, rne, fl), 0u, 0);
  EXPECT_FP(f32_to_u32(0x4f800000u, rne, fl), u32_max, nv);  // 2^32
  EXPECT_FP(f32_to_u32(0x4f7fffffu, rne, fl), 0xffffff00u, 0); // 2^32 - 256
  EXPECT_FP(f32_to_u64(neg_one, rne, fl), 0u, nv);
  EXPECT_FP(f32_to_u64(0xbe99999au, rtz, fl), 0u, nx);
  // 64-bit boundaries: 2^63, -2^63, the float below -2^63, 2^64.
  EXPECT_FP(f32_to_i64(0x5f000000u, rne, fl), i64_max, nv);
  EXPECT_FP(f32_to_i64(0xdf000000u, rne, fl), i64_min, 0);
  EXPECT_FP(f32_to_i64(0xdf000001u, rne, fl), i64_min, nv);
  EXPECT_FP(f32_to_i64(0x5effffffu, rne, fl), 9223371487098961920, 0); // 2^63 - 2^39
  EXPECT_FP(f32_to_u64(0x5f000000u, rne, fl), 0x8000000000000000u, 0);
  EXPECT_FP(f32_to_u64(0x5f800000u, rne, fl), u64_max, nv);
  EXPECT_FP(f32_to_u64(0x5f7fffffu, rne, fl), 0xffffff0000000000u, 0);
  EXPECT_FP(f32_to_i64(0xc0200000u, rmm, fl), -3, nx);
}

TEST(SoftFloat, F64ToIntBoundaries) {
  using namespace d64;
  // 2^31 - 0.5: a tie between 2^31 - 1 and 2^31 (even, out of range).
  EXPECT_FP(f64_to_i32(0x41dfffffffe00000u, rne, fl), i32_max, nv);
  EXPECT_FP(f64_to_i32(0x41dfffffffe00000u, rtz, fl), i32_max, nx);
  EXPECT_FP(f64_to_i32(0x41dfffffffe00000u, rdn, fl), i32_max, nx);
  EXPECT_FP(f64_to_i32(0x41dfffffffe00000u, rup, fl), i32_max, nv);
  EXPECT_FP(f64_to_i32(0x41dfffffffe00000u, rmm, fl), i32_max, nv);
  EXPECT_FP(f64_to_i32(0x41dfffffffc00000u, rne, fl), i32_max, 0); // 2^31 - 1
  EXPECT_FP(f64_to_i32(0x41e0000000000000u, rtz, fl), i32_max, nv); // 2^31
  // -2^31 - 0.5: a tie between -2^31 (even, in range) and -2^31 - 1.
  EXPECT_FP(f64_to_i32(0xc1e0000000100000u, rne, fl), i32_min, nx);
  EXPECT_FP(f64_to_i32(0xc1e0000000100000u, rtz, fl), i32_min, nx);
  EXPECT_FP(f64_to_i32(0xc1e0000000100000u, rup, fl), i32_min, nx);
  EXPECT_FP(f64_to_i32(0xc1e0000000100000u, rdn, fl), i32_min, nv);
  EXPECT_FP(f64_to_i32(0xc1e0000000100000u, rmm, fl), i32_min, nv);
  for (auto rm : {rne, rtz, rdn, rup, rmm}) {
    EXPECT_FP(f64_to_i32(0xc1e0000000200000u, rm, fl), i32_min, nv); // -2^31 - 1
    EXPECT_FP(f64_to_i32(0xc1e0000000000000u, rm, fl), i32_min, 0);  // -2^31
  }
  // u32: 2^32 - 0.5 ties to 2^32 (out of range); 2^32 - 1 is exact.
  EXPECT_FP(f64_to_u32(0x41effffffff00000u, rne, fl), u32_max, nv);
  EXPECT_FP(f64_to_u32(0x41effffffff00000u, rtz, fl), u32_max, nx);
  EXPECT_FP(f64_to_u32(0x41effffffff00000u, rmm, fl), u32_max, nv);
  EXPECT_FP(f64_to_u32(0x41efffffffe00000u, rne, fl), u32_max, 0);
  EXPECT_FP(f64_to_u32(neg_one, rne, fl), 0u, nv);
  EXPECT_FP(f64_to_u32(0xbfd3333333333333u, rtz, fl), 0u, nx); // -0.3
  EXPECT_FP(f64_to_u32(0xbfd3333333333333u, rdn, fl), 0u, nv);
  // 64-bit boundaries.
  EXPECT_FP(f64_to_i64(0x43e0000000000000u, rne, fl), i64_max, nv); // 2^63
  EXPECT_FP(f64_to_i64(0xc3e0000000000000u, rne, fl), i64_min, 0);  // -2^63
  EXPECT_FP(f64_to_i64(0xc3e0000000000001u, rne, fl), i64_min, nv);
  EXPECT_FP(f64_to_i64(0x43dfffffffffffffu, rne, fl), 9223372036854774784, 0); // 2^63 - 1024
  EXPECT_FP(f64_to_u64(0x43e0000000000000u, rne, fl), 0x8000000000000000u, 0);
  EXPECT_FP(f64_to_u64(0x43efffffffffffffu, rne, fl), 0xfffffffffffff800u, 0);
  EXPECT_FP(f64_to_u64(0x43f0000000000000u, rne, fl), u64_max, nv); // 2^64
  EXPECT_FP(f64_to_u64(neg_one, rne, fl), 0u, nv);
  EXPECT_FP(f64_to_i64(0xbfe0000000000000u, rne, fl), 0, nx); // -0.5
  EXPECT_FP(f64_to_i64(0xbfe0000000000000u, rmm, fl), -1, nx);
  EXPECT_FP(f64_to_u64(0xbfe0000000000000u, rne, fl), 0u, nx);
  EXPECT_FP(f64_to_u64(0xbfe0000000000000u, rmm, fl), 0u, nv);
  // NaN -> the largest value of each type; infinities saturate by sign.
  EXPECT_FP(f64_to_i32(qnan, rne, fl), i32_max, nv);
  EXPECT_FP(f64_to_u32(0xfff8000000000000u, rne, fl), u32_max, nv);
  EXPECT_FP(f64_to_i64(snan, rne, fl), i64_max, nv);
  EXPECT_FP(f64_to_u64(qnan, rne, fl), u64_max, nv);
  EXPECT_FP(f64_to_i32(neg_inf, rne, fl), i32_min, nv);
  EXPECT_FP(f64_to_u32(neg_inf, rne, fl), 0u, nv);
  EXPECT_FP(f64_to_i64(inf, rne, fl), i64_max, nv);
  EXPECT_FP(f64_to_u64(inf, rne, fl), u64_max, nv);
  EXPECT_FP(f64_to_i64(max, rne, fl), i64_max, nv);
  EXPECT_FP(f64_to_i32(neg_max, rne, fl), i32_min, nv);
  EXPECT_FP(f64_to_i32(0x400c000000000000u, rmm, fl), 4, nx); // 3.5
  EXPECT_FP(f64_to_i32(0x4004000000000000u, rmm, fl), 3, nx); // 2.5
  EXPECT_FP(f64_to_i32(0x4004000000000000u, rne, fl), 2, nx);
}

TEST(SoftFloat, IntToFloatCorners) {
  // 2^24 + 1 is a tie between 2^24 (even) and 2^24 + 2.
  EXPECT_FP(i32_to_f32(16777217, rne, fl), 0x4b800000u, nx);
  EXPECT_FP(i32_to_f32(16777217, rtz, fl), 0x4b800000u, nx);
  EXPECT_FP(i32_to_f32(16777217, rdn, fl), 0x4b800000u, nx);
  EXPECT_FP(i32_to_f32(16777217, rup, fl), 0x4b800001u, nx);
  EXPECT_FP(i32_to_f32(16777217, rmm, fl), 0x4b800001u, nx);
  EXPECT_FP(i32_to_f32(-16777217, rdn, fl), 0xcb800001u, nx);
  EXPECT_FP(i32_to_f32(-16777217, rmm, fl), 0xcb800001u, nx);
  EXPECT_FP(i32_to_f32(-16777217, rne, fl), 0xcb800000u, nx);
  EXPECT_FP(i32_to_f32(16777219, rne, fl), 0x4b800002u, nx); // tie, up to even
  EXPECT_FP(i32_to_f32(i32_min, rne, fl), 0xcf000000u, 0);
  EXPECT_FP(i32_to_f32(i32_max, rne, fl), 0x4f000000u, nx);
  EXPECT_FP(i32_to_f32(i32_max, rtz, fl), 0x4effffffu, nx);
  EXPECT_FP(i32_to_f32(0, rdn, fl), 0u, 0); // +0 even in rdn
  EXPECT_FP(i32_to_f32(-1, rne, fl), 0xbf800000u, 0);
  EXPECT_FP(u32_to_f32(u32_max, rne, fl), 0x4f800000u, nx);
  EXPECT_FP(u32_to_f32(u32_max, rtz, fl), 0x4f7fffffu, nx);
  EXPECT_FP(i64_to_f32(i64_min, rne, fl), 0xdf000000u, 0);
  EXPECT_FP(i64_to_f32(i64_max, rtz, fl), 0x5effffffu, nx);
  EXPECT_FP(u64_to_f32(u64_max, rne, fl), 0x5f800000u, nx);
  EXPECT_FP(u64_to_f32(u64_max, rtz, fl), 0x5f7fffffu, nx);
  EXPECT_FP(u64_to_f32(0, rne, fl), 0u, 0);
  // binary64: 2^53 + 1 is a tie.
  EXPECT_FP(i64_to_f64(9007199254740993, rne, fl), 0x4340000000000000u, nx);
  EXPECT_FP(i64_to_f64(9007199254740993, rmm, fl), 0x4340000000000001u, nx);
  EXPECT_FP(i64_to_f64(9007199254740993, rup, fl), 0x4340000000000001u, nx);
  EXPECT_FP(i64_to_f64(-9007199254740993, rmm, fl), 0xc340000000000001u, nx);
  EXPECT_FP(i64_to_f64(i64_max, rne, fl), 0x43e0000000000000u, nx);
  EXPECT_FP(i64_to_f64(i64_max, rtz, fl), 0x43dfffffffffffffu, nx);
  EXPECT_FP(i64_to_f64(i64_min, rtz, fl), 0xc3e0000000000000u, 0);
  EXPECT_FP(u64_to_f64(u64_max, rne, fl), 0x43f0000000000000u, nx);
  EXPECT_FP(u64_to_f64(u64_max, rtz, fl), 0x43efffffffffffffu, nx);
  EXPECT_FP(u64_to_f64(u64_max, rmm, fl), 0x43f0000000000000u, nx);
  EXPECT_FP(i32_to_f64(i32_min, rne, fl), 0xc1e0000000000000u, 0);
  EXPECT_FP(u32_to_f64(u32_max, rne, fl), 0x41efffffffe00000u, 0);
  EXPECT_FP(i32_to_f64(0, rdn, fl), 0u, 0);
}

TEST(SoftFloat, FormatConversionCorners) {
  // f32 -> f64 is exact; any NaN becomes the canonical NaN, sNaN raises NV.
  EXPECT_FP(f32_to_f64(s32::one, fl), d64::one, 0);
  EXPECT_FP(f32_to_f64(s32::min_sub, fl), 0x36a0000000000000u, 0); // 2^-149
  EXPECT_FP(f32_to_f64(s32::max_sub, fl), 0x380fffffc0000000u, 0);
  EXPECT_FP(f32_to_f64(s32::nzero, fl), d64::nzero, 0);
  EXPECT_FP(f32_to_f64(s32::neg_inf, fl), d64::neg_inf, 0);
  EXPECT_FP(f32_to_f64(s32::snan, fl), f64_canonical_nan, nv);
  EXPECT_FP(f32_to_f64(0x7fc12345u, fl), f64_canonical_nan, 0);
  EXPECT_FP(f32_to_f64(0xffc00000u, fl), f64_canonical_nan, 0);
  // f64 -> f32 rounds. 2^-150: a tie between 0 and min_sub.
  EXPECT_FP(f64_to_f32(0x3690000000000000u, rne, fl), 0u, uf | nx);
  EXPECT_FP(f64_to_f32(0x3690000000000000u, rdn, fl), 0u, uf | nx);
  EXPECT_FP(f64_to_f32(0x3690000000000000u, rup, fl), s32::min_sub, uf | nx);
  EXPECT_FP(f64_to_f32(0x3690000000000000u, rmm, fl), s32::min_sub, uf | nx);
  // 2^-126 - 2^-151 rounds to 2^-126 even with an unbounded exponent: NX only.
  EXPECT_FP(f64_to_f32(0x380ffffff0000000u, rne, fl), s32::min_norm, nx);
  EXPECT_FP(f64_to_f32(0x380ffffff0000000u, rtz, fl), s32::max_sub, uf | nx);
  // 2^-126 - 2^-150 is tiny after rounding but the result is still min_norm: UF|NX.
  EXPECT_FP(f64_to_f32(0x380fffffe0000000u, rne, fl), s32::min_norm, uf | nx);
  EXPECT_FP(f64_to_f32(0x380fffffe0000000u, rtz, fl), s32::max_sub, uf | nx);
  // f32 max + half an ulp: a tie between max (odd) and 2^128, which overflows.
  EXPECT_FP(f64_to_f32(0x47effffff0000000u, rne, fl), s32::inf, of | nx);
  EXPECT_FP(f64_to_f32(0x47effffff0000000u, rmm, fl), s32::inf, of | nx);
  EXPECT_FP(f64_to_f32(0x47effffff0000000u, rtz, fl), s32::max, nx);
  EXPECT_FP(f64_to_f32(0x47effffff0000000u, rdn, fl), s32::max, nx);
  EXPECT_FP(f64_to_f32(0x47effffff0000000u, rup, fl), s32::inf, of | nx);
  // Just below that: no overflow to nearest, overflow rounding up.
  EXPECT_FP(f64_to_f32(0x47efffffefffffffu, rne, fl), s32::max, nx);
  EXPECT_FP(f64_to_f32(0x47efffffefffffffu, rup, fl), s32::inf, of | nx);
  EXPECT_FP(f64_to_f32(d64::max, rne, fl), s32::inf, of | nx);
  EXPECT_FP(f64_to_f32(d64::max, rtz, fl), s32::max, of | nx);
  EXPECT_FP(f64_to_f32(d64::neg_max, rup, fl), s32::neg_max, of | nx);
  EXPECT_FP(f64_to_f32(d64::neg_max, rdn, fl), s32::neg_inf, of | nx);
  // 1 + 2^-24 is a tie.
  EXPECT_FP(f64_to_f32(0x3ff0000010000000u, rne, fl), s32::one, nx);
  EXPECT_FP(f64_to_f32(0x3ff0000010000000u, rmm, fl), 0x3f800001u, nx);
  EXPECT_FP(f64_to_f32(d64::snan, rne, fl), f32_canonical_nan, nv);
  EXPECT_FP(f64_to_f32(0xfff8000000000123u, rne, fl), f32_canonical_nan, 0);
  EXPECT_FP(f64_to_f32(d64::nzero, rne, fl), s32::nzero, 0);
  EXPECT_FP(f64_to_f32(d64::neg_inf, rne, fl), s32::neg_inf, 0);
  EXPECT_FP(f64_to_f32(d64::min_sub, rne, fl), 0u, uf | nx);
  EXPECT_FP(f64_to_f32(d64::min_sub, rup, fl), s32::min_sub, uf | nx);
  EXPECT_FP(f64_to_f32(0x8000000000000001u, rdn, fl), 0x80000001u, uf | nx);
}

TEST(SoftFloat, FlagsAccumulate) {
  std::uint8_t fl = nv;
  EXPECT_EQ(f32_add(s32::one, s32::one, rne, fl), s32::two);
  EXPECT_EQ(fl, nv); // untouched by an exact operation
  EXPECT_EQ(f64_div(d64::one, d64::three, rne, fl), 0x3fd5555555555555u);
  EXPECT_EQ(fl, nv | nx);
}

// ===== randomized tests: operand generation ====================================================

using Rng = std::mt19937_64;
constexpr std::uint64_t base_seed = 0x5eedf00dcafe0001;

template <class U>
struct Fmt;
template <>
struct Fmt<std::uint32_t> {
  using Host = float;
  static constexpr int frac_bits = 23;
  static constexpr int exp_bits = 8;
};
template <>
struct Fmt<std::uint64_t> {
  using Host = double;
  static constexpr int frac_bits = 52;
  static constexpr int exp_bits = 11;
};

template <class U>
using Host = typename Fmt<U>::Host;
template <class U>
constexpr int frac_bits = Fmt<U>::frac_bits;
template <class U>
constexpr int bias = (1 << (Fmt<U>::exp_bits - 1)) - 1;
template <class U>
constexpr int exp_ones = (1 << Fmt<U>::exp_bits) - 1;
template <class U>
constexpr U sign_bit = U{1} << (sizeof(U) * 8 - 1);
template <class U>
constexpr U frac_mask = (U{1} << frac_bits<U>) - 1;
template <class U>
constexpr U quiet_bit = U{1} << (frac_bits<U> - 1);
template <class U>
constexpr U canonical_nan = static_cast<U>(static_cast<U>(exp_ones<U>) << frac_bits<U>) | quiet_bit<U>;

template <class U>
U make(bool neg, int biased_exp, U frac) {
  return static_cast<U>((neg ? sign_bit<U> : U{0}) | (static_cast<U>(biased_exp) << frac_bits<U>) |
                        (frac & frac_mask<U>));
}
template <class U>
bool is_nan_bits(U x) {
  return static_cast<U>(x & ~sign_bit<U>) > static_cast<U>(static_cast<U>(exp_ones<U>) << frac_bits<U>);
}
template <class U>
int biased_exp(U x) {
  return static_cast<int>((x >> frac_bits<U>) & static_cast<U>(exp_ones<U>));
}
/// The top `keep` bits of a random fraction (few significant bits: exact results and ties).
template <class U>
U top_bits(U frac, int keep) {
  return keep >= frac_bits<U> ? frac : static_cast<U>(frac & ~((U{1} << (frac_bits<U> - keep)) - 1));
}

/// A random operand, drawn to hit the special classes often.
template <class U>
U random_operand(Rng& rng) {
  constexpr int m = frac_bits<U>;
  const std::uint64_t r = rng();
  const bool neg = (r & 1) != 0;
  const auto frac = static_cast<U>(rng());
  const auto pick = [r](int shift, int n) {
    return static_cast<int>((r >> shift) % static_cast<std::uint64_t>(n));
  };
  switch (pick(1, 16)) {
  case 0:
  case 1: return static_cast<U>(rng());                                 // any bit pattern
  case 2:
  case 3: return make<U>(neg, bias<U> - 2 + pick(8, 5), frac);          // near 1
  case 4: return make<U>(neg, 0, static_cast<U>((frac & frac_mask<U>) >> pick(8, m + 1))); // subnormal
  case 5: return make<U>(neg, exp_ones<U> - 1 - pick(8, 4), frac);      // huge
  case 6: return make<U>(neg, 1 + pick(8, 4), frac);                    // tiny normal
  case 7: {                                                             // NaN
    U f = frac & frac_mask<U>;
    if (pick(8, 2) != 0) {
      f |= quiet_bit<U>;
    } else {
      f &= static_cast<U>(~quiet_bit<U>);
      if (f == 0) f = 1;
    }
    return make<U>(neg, exp_ones<U>, f);
  }
  case 8: return make<U>(neg, exp_ones<U>, 0); // infinity
  case 9: return make<U>(neg, 0, 0);           // zero
  case 10:
  case 11: return make<U>(neg, pick(8, exp_ones<U>), top_bits<U>(frac, pick(20, m / 2 + 1))); // few bits
  case 12: return make<U>(neg, bias<U> - 1 + pick(8, 67), pick(20, 2) ? frac : top_bits<U>(frac, pick(24, m))); // integers
  case 13: {                                   // significand extremes
    const U extremes[] = {0, 1, frac_mask<U>, frac_mask<U> - 1, quiet_bit<U>};
    return make<U>(neg, pick(8, exp_ones<U>), extremes[pick(20, 5)]);
  }
  default: return make<U>(neg, pick(8, exp_ones<U>), frac); // any finite value
  }
}

/// A second operand: often close to `a` (cancellation) or with a nearby exponent (alignment).
template <class U>
U second_operand(Rng& rng, U a) {
  const std::uint64_t r = rng();
  switch (r % 4) {
  case 0: { // a few ulps from +-a
    const auto b = static_cast<U>(a + static_cast<U>((r >> 8) % 9) - 4);
    return ((r >> 16) & 1) != 0 ? static_cast<U>(b ^ sign_bit<U>) : b;
  }
  case 1: { // an exponent within 60 of a's
    const int e = std::clamp(biased_exp(a) + static_cast<int>((r >> 8) % 121) - 60, 0, exp_ones<U> - 1);
    return make<U>(((r >> 16) & 1) != 0, e, top_bits<U>(static_cast<U>(rng()), static_cast<int>((r >> 24) % 60)));
  }
  default: return random_operand<U>(rng);
  }
}

template <class U>
U soft_mul(U a, U b) {
  std::uint8_t ignored = 0;
  if constexpr (sizeof(U) == 4) return f32_mul(a, b, rne, ignored);
  else return f64_mul(a, b, rne, ignored);
}

/// An addend for a*b + c: often cancelling most of the product, or just above/below it.
template <class U>
U third_operand(Rng& rng, U a, U b) {
  constexpr int m = frac_bits<U>;
  const std::uint64_t r = rng();
  switch (r % 5) {
  case 0: // minus the rounded product, nudged by a few ulps
    return static_cast<U>((soft_mul(a, b) ^ sign_bit<U>) + (r >> 8) % 5 - 2);
  case 1: { // an exponent within about two significands of the product's
    const int e = std::clamp(biased_exp(a) + biased_exp(b) - bias<U> + static_cast<int>((r >> 8) % (4 * m + 9)) -
                                 (2 * m + 4),
                             0, exp_ones<U> - 1);
    return make<U>(((r >> 16) & 1) != 0, e, top_bits<U>(static_cast<U>(rng()), static_cast<int>((r >> 24) % 60)));
  }
  case 2: return second_operand<U>(rng, a);
  default: return random_operand<U>(rng);
  }
}

/// Operands for conversions to integers: often integer-valued or near a saturation boundary.
template <class U>
U to_int_operand(Rng& rng) {
  const std::uint64_t r = rng();
  const bool neg = ((r >> 4) & 1) != 0;
  switch (r % 4) {
  case 0: return random_operand<U>(rng);
  case 1: { // magnitudes from 1/4 to 2^66, with a few or many fraction bits
    const auto frac = static_cast<U>(rng());
    return make<U>(neg, bias<U> - 2 + static_cast<int>((r >> 8) % 69),
                   ((r >> 20) & 1) != 0 ? frac : top_bits<U>(frac, static_cast<int>((r >> 24) % 40)));
  }
  default: { // a few ulps around 0.5, 1, 1.5, 2^31, 2^32, 2^63, 2^64 (+- a half)
    constexpr int exps[] = {-1, 0, 31, 32, 63, 64};
    const int e = exps[(r >> 8) % 6];
    const U frac = ((r >> 12) & 1) != 0 ? quiet_bit<U> : U{0};
    return static_cast<U>(make<U>(neg, bias<U> + e, frac) + (r >> 16) % 17 - 8);
  }
  }
}

/// Integers for conversions to floating point: near powers of two, with exactly p+1 significant
/// bits (ties) for either precision, small, or arbitrary. Values use the low `bits` bits.
std::uint64_t random_integer(Rng& rng, int bits) {
  const std::uint64_t r = rng();
  const std::uint64_t v = rng();
  const std::uint64_t mask = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  const auto ranged = [&](int width) { // a value with exactly `width` significant bits, shifted
    width = std::min(width, bits);
    const std::uint64_t x = (v >> (64 - width)) | (std::uint64_t{1} << (width - 1)) | 1;
    return x << ((r >> 24) % static_cast<std::uint64_t>(bits - width + 1));
  };
  switch (r % 6) {
  case 0: return v & mask;
  case 1: return (v & mask) >> ((r >> 8) % static_cast<std::uint64_t>(bits));
  case 2: return ranged(20 + static_cast<int>((r >> 8) % 45));
  case 3: return ((std::uint64_t{1} << ((r >> 8) % static_cast<std::uint64_t>(bits))) + (r >> 16) % 9 - 4) & mask;
  case 4: return (r >> 8) % 3000;
  default: return ranged(((r >> 8) & 1) != 0 ? 25 : 54); // ties for f32 / f64
  }
}

template <class I>
I random_int(Rng& rng) {
  constexpr int bits = static_cast<int>(sizeof(I) * 8);
  const std::uint64_t v = random_integer(rng, bits);
  using Un = std::make_unsigned_t<I>;
  if constexpr (std::is_signed_v<I>) {
    const bool neg = (rng() & 1) != 0;
    return static_cast<I>(neg ? static_cast<Un>(Un{0} - static_cast<Un>(v)) : static_cast<Un>(v));
  } else {
    return static_cast<I>(v);
  }
}

/// binary64 operands for conversion to binary32: mostly within or near binary32's range.
std::uint64_t narrowing_operand(Rng& rng) {
  const std::uint64_t r = rng();
  const bool neg = ((r >> 4) & 1) != 0;
  switch (r % 4) {
  case 0: return random_operand<std::uint64_t>(rng);
  case 3: { // binary32 max / min normal / min subnormal, converted, plus half an ulp +- 1
    constexpr std::uint64_t points[] = {0x47efffffe0000000, 0x3810000000000000, 0x36a0000000000000};
    const std::uint64_t p = points[(r >> 8) % 3];
    const std::uint64_t half_ulp = (r >> 12) % 3 == 0 ? 0 : std::uint64_t{1} << 28;
    return (neg ? sign_bit<std::uint64_t> : 0) | (p + half_ulp + (r >> 16) % 3 - 1);
  }
  default: { // 2^-180 .. 2^129, often with few enough bits to make ties
    const auto frac = static_cast<std::uint64_t>(rng());
    return make<std::uint64_t>(neg, 1023 - 180 + static_cast<int>((r >> 8) % 310),
                               ((r >> 20) & 1) != 0 ? frac : top_bits<std::uint64_t>(frac, static_cast<int>((r >> 24) % 30)));
  }
  }
}

/// A value whose significand has exactly `k` significant bits (1 <= k <= p), the last one set.
template <class U>
U with_bits(Rng& rng, bool neg, int biased_exp, int k) {
  U frac = top_bits<U>(static_cast<U>(rng()), k - 1);
  if (k > 1) frac |= U{1} << (frac_bits<U> - (k - 1));
  return make<U>(neg, std::clamp(biased_exp, 1, exp_ones<U> - 1), frac);
}

/// Operands whose exact product has p+1 significant bits with the last one set -- a tie -- more
/// often than random ones would: significands of k1 and k2 bits with k1 + k2 in {p+1, p+2}.
/// A quarter land in the subnormal range, where the grid (and so what is a tie) is coarser.
template <class U>
std::pair<U, U> tie_prone_factors(Rng& rng) {
  constexpr int p = frac_bits<U> + 1;
  const std::uint64_t r = rng();
  const int k1 = 1 + static_cast<int>((r >> 8) % p);
  const int k2 = std::clamp(p + 1 + static_cast<int>(r & 1) - k1, 1, p);
  const int e1 = bias<U> - 20 + static_cast<int>((r >> 16) % 41);
  const int e2 = (r >> 24) % 4 == 0 ? 1 + static_cast<int>((r >> 28) % static_cast<std::uint64_t>(2 * p))
                                    : bias<U> - 20 + static_cast<int>((r >> 28) % 41);
  return {with_bits<U>(rng, ((r >> 1) & 1) != 0, e1, k1), with_bits<U>(rng, ((r >> 2) & 1) != 0, e2, k2)};
}

/// Operands whose quotient is a tie. That is only possible in the subnormal range (in the normal
/// range a/b would need more significant bits than a has), so: a few-bit dividend over the power
/// of two that puts its last set bit exactly half a subnormal ulp (2^(emin-p)) up -- or near it.
template <class U>
std::pair<U, U> tie_prone_quotient(Rng& rng) {
  constexpr int p = frac_bits<U> + 1;
  constexpr int emin = 1 - bias<U>;
  const std::uint64_t r = rng();
  const int k = 1 + static_cast<int>((r >> 8) % p);
  const int ea = 1 + static_cast<int>((r >> 16) % static_cast<std::uint64_t>(4 * p)); // biased
  const U a = with_bits<U>(rng, ((r >> 1) & 1) != 0, ea, k);
  int j = (ea - bias<U>) - (k - 1) - (emin - p); // a / 2^j has its last bit at 2^(emin-p)
  if (((r >> 3) & 1) != 0) j += static_cast<int>((r >> 40) % 5) - 2;
  return {a, make<U>(((r >> 2) & 1) != 0, std::clamp(bias<U> + j, 1, exp_ones<U> - 1), 0)};
}

/// A third operand for tie_prone_factors: a few-bit addend around the product's magnitude.
template <class U>
U tie_prone_addend(Rng& rng, U a, U b) {
  const std::uint64_t r = rng();
  const int e = biased_exp(a) + biased_exp(b) - bias<U> - static_cast<int>((r >> 8) % static_cast<std::uint64_t>(frac_bits<U>));
  return with_bits<U>(rng, (r & 1) != 0, e, 1 + static_cast<int>((r >> 16) % static_cast<std::uint64_t>(frac_bits<U> / 2)));
}

// ===== randomized tests: host plumbing =========================================================

struct HostMode {
  RoundingMode rm;
  int fe;
};
constexpr std::array<HostMode, 4> host_modes{
    {{rne, FE_TONEAREST}, {rtz, FE_TOWARDZERO}, {rdn, FE_DOWNWARD}, {rup, FE_UPWARD}}};

constexpr int per_mode = 60'000;   // x 4 host modes = 240k cases per op per precision
constexpr int rmm_cases = 120'000; // per op per precision

/// Sets the host rounding mode for a scope.
class HostRounding {
public:
  explicit HostRounding(int mode) { std::fesetround(mode); }
  ~HostRounding() { std::fesetround(FE_TONEAREST); }
  HostRounding(const HostRounding&) = delete;
  HostRounding& operator=(const HostRounding&) = delete;
};

std::uint8_t host_flags() {
  const int e = std::fetestexcept(FE_ALL_EXCEPT);
  std::uint8_t f = 0;
  if (e & FE_INEXACT) f |= nx;
  if (e & FE_UNDERFLOW) f |= uf;
  if (e & FE_OVERFLOW) f |= of;
  if (e & FE_DIVBYZERO) f |= dz;
  if (e & FE_INVALID) f |= nv;
  return f;
}

/// Runs `op` (which must read volatile operands) with the host flags cleared; returns its result
/// and sets `flags` to what it raised.
template <class Op>
auto run_host(Op op, std::uint8_t& flags) {
  std::feclearexcept(FE_ALL_EXCEPT);
  volatile auto result = op();
  flags = host_flags();
  return result;
}

/// A host floating-point result as the bits RISC-V would produce (any NaN is canonical).
template <class H>
auto host_bits(H x) {
  using U = std::conditional_t<sizeof(H) == 4, std::uint32_t, std::uint64_t>;
  const auto b = std::bit_cast<U>(x);
  return is_nan_bits(b) ? canonical_nan<U> : b;
}

const char* mode_name(RoundingMode rm) {
  switch (rm) {
  case rne: return "rne";
  case rtz: return "rtz";
  case rdn: return "rdn";
  case rup: return "rup";
  case rmm: return "rmm";
  }
  return "?";
}

/// Collects the mismatches of one randomized test; reports the first few in detail.
class Mismatches {
public:
  explicit Mismatches(std::string what) : m_what(std::move(what)) {}
  Mismatches(const Mismatches&) = delete;
  Mismatches& operator=(const Mismatches&) = delete;
  ~Mismatches() {
    EXPECT_EQ(m_failures, 0) << m_what << ": " << m_failures << " of " << m_cases << " cases differ";
    std::printf("[   info   ] %s: %ld random cases\n", m_what.c_str(), m_cases);
  }

  template <class Got, class Want>
  void check(const std::string& operands, RoundingMode rm, Got got, std::uint8_t got_flags, Want want,
             std::uint8_t want_flags) {
    ++m_cases;
    if (got == want && got_flags == want_flags) return;
    if (++m_failures <= 8) {
      ADD_FAILURE() << m_what << "(" << operands << ", " << mode_name(rm) << "): got " << show(got) << " ["
                    << flag_names(got_flags) << "], want " << show(want) << " [" << flag_names(want_flags) << "]";
    }
  }

private:
  std::string m_what;
  long m_cases = 0;
  long m_failures = 0;
};

template <class... T>
std::string operands(T... v) {
  std::string s;
  ((s += (s.empty() ? "" : ", ") + show(v)), ...);
  return s;
}

// ===== randomized differential tests against the host ==========================================

template <class U>
using BinaryOp = U (*)(U, U, RoundingMode, std::uint8_t&);

template <class U, class HostOp>
void binary_vs_host(const std::string& what, BinaryOp<U> soft, HostOp host_op, std::uint64_t salt) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  Mismatches bad(what);
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe);
    for (int i = 0; i < per_mode; ++i) {
      const U a = random_operand<U>(rng);
      const U b = second_operand<U>(rng, a);
      std::uint8_t flags = 0;
      const U got = soft(a, b, mode.rm, flags);
      volatile H va = std::bit_cast<H>(a);
      volatile H vb = std::bit_cast<H>(b);
      std::uint8_t host_fl = 0;
      const U want = host_bits(run_host([&] { return host_op(va, vb); }, host_fl));
      bad.check(operands(a, b), mode.rm, got, flags, want, host_fl);
    }
  }
}

const auto host_add = [](auto x, auto y) { return x + y; };
const auto host_sub = [](auto x, auto y) { return x - y; };
const auto host_mul = [](auto x, auto y) { return x * y; };
const auto host_div = [](auto x, auto y) { return x / y; };

TEST(SoftFloat, F32AddMatchesHost) { binary_vs_host<std::uint32_t>("f32_add", f32_add, host_add, 1); }
TEST(SoftFloat, F32SubMatchesHost) { binary_vs_host<std::uint32_t>("f32_sub", f32_sub, host_sub, 2); }
TEST(SoftFloat, F32MulMatchesHost) { binary_vs_host<std::uint32_t>("f32_mul", f32_mul, host_mul, 3); }
TEST(SoftFloat, F32DivMatchesHost) { binary_vs_host<std::uint32_t>("f32_div", f32_div, host_div, 4); }
TEST(SoftFloat, F64AddMatchesHost) { binary_vs_host<std::uint64_t>("f64_add", f64_add, host_add, 5); }
TEST(SoftFloat, F64SubMatchesHost) { binary_vs_host<std::uint64_t>("f64_sub", f64_sub, host_sub, 6); }
TEST(SoftFloat, F64MulMatchesHost) { binary_vs_host<std::uint64_t>("f64_mul", f64_mul, host_mul, 7); }
TEST(SoftFloat, F64DivMatchesHost) { binary_vs_host<std::uint64_t>("f64_div", f64_div, host_div, 8); }

/// Square roots, including exact ones (squares of few-bit values).
template <class U>
U sqrt_operand(Rng& rng) {
  const U x = random_operand<U>(rng);
  if ((rng() & 3) != 0) return x;
  const U root = make<U>(false, biased_exp(x) / 2 + bias<U> / 2, top_bits<U>(x, frac_bits<U> / 2));
  return soft_mul(root, root);
}

template <class U>
void sqrt_vs_host(const std::string& what, U (*soft)(U, RoundingMode, std::uint8_t&), std::uint64_t salt) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  Mismatches bad(what);
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe);
    for (int i = 0; i < per_mode; ++i) {
      const U a = sqrt_operand<U>(rng);
      std::uint8_t flags = 0;
      const U got = soft(a, mode.rm, flags);
      volatile H va = std::bit_cast<H>(a);
      std::uint8_t host_fl = 0;
      const U want = host_bits(run_host([&] { return std::sqrt(va); }, host_fl));
      bad.check(operands(a), mode.rm, got, flags, want, host_fl);
    }
  }
}

TEST(SoftFloat, F32SqrtMatchesHost) { sqrt_vs_host<std::uint32_t>("f32_sqrt", f32_sqrt, 9); }
TEST(SoftFloat, F64SqrtMatchesHost) { sqrt_vs_host<std::uint64_t>("f64_sqrt", f64_sqrt, 10); }

template <class U>
bool inf_times_zero(U a, U b) {
  const U inf = static_cast<U>(exp_ones<U>) << frac_bits<U>;
  const auto mag = [](U x) { return static_cast<U>(x & ~sign_bit<U>); };
  return (mag(a) == inf && mag(b) == 0) || (mag(a) == 0 && mag(b) == inf);
}

template <class U>
void mul_add_vs_host(const std::string& what, U (*soft)(U, U, U, RoundingMode, std::uint8_t&), std::uint64_t salt) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  Mismatches bad(what);
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe);
    for (int i = 0; i < per_mode; ++i) {
      const U a = random_operand<U>(rng);
      const U b = second_operand<U>(rng, a);
      const U c = third_operand<U>(rng, a, b);
      std::uint8_t flags = 0;
      const U got = soft(a, b, c, mode.rm, flags);
      volatile H va = std::bit_cast<H>(a);
      volatile H vb = std::bit_cast<H>(b);
      volatile H vc = std::bit_cast<H>(c);
      std::uint8_t host_fl = 0;
      const U want = host_bits(run_host([&] { return std::fma(va, vb, vc); }, host_fl));
      // x86 does not raise invalid for inf * 0 + qNaN; RISC-V does.
      if (inf_times_zero(a, b)) host_fl |= nv;
      bad.check(operands(a, b, c), mode.rm, got, flags, want, host_fl);
    }
  }
}

TEST(SoftFloat, F32MulAddMatchesHost) { mul_add_vs_host<std::uint32_t>("f32_mul_add", f32_mul_add, 11); }
TEST(SoftFloat, F64MulAddMatchesHost) { mul_add_vs_host<std::uint64_t>("f64_mul_add", f64_mul_add, 12); }

/// fmin/fmax from host comparisons. The host's quiet == raises invalid exactly for signaling
/// NaNs, which is when fmin/fmax must raise NV.
template <class U>
U host_min_max(U a, U b, bool want_max, std::uint8_t& flags) {
  using H = Host<U>;
  volatile H va = std::bit_cast<H>(a);
  volatile H vb = std::bit_cast<H>(b);
  run_host([&] { return va == vb; }, flags);
  const H x = va;
  const H y = vb;
  if (std::isnan(x) && std::isnan(y)) return canonical_nan<U>;
  if (std::isnan(x)) return b;
  if (std::isnan(y)) return a;
  if (x < y) return want_max ? b : a;
  if (y < x) return want_max ? a : b;
  return std::signbit(x) != want_max ? a : b; // equal: only +0 and -0 can differ
}

template <class U>
void compare_ops_vs_host(const std::string& prefix, std::uint64_t salt) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  Mismatches bad_min(prefix + "_min"), bad_max(prefix + "_max"), bad_eq(prefix + "_eq"), bad_lt(prefix + "_lt"),
      bad_le(prefix + "_le");
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe); // these must not depend on the rounding mode
    for (int i = 0; i < per_mode; ++i) {
      const U a = random_operand<U>(rng);
      const U b = (rng() & 7) == 0 ? a : second_operand<U>(rng, a);
      const std::string ops = operands(a, b);
      std::uint8_t flags = 0;
      std::uint8_t host_fl = 0;
      volatile H va = std::bit_cast<H>(a);
      volatile H vb = std::bit_cast<H>(b);
      if constexpr (sizeof(U) == 4) {
        U got = f32_min(a, b, flags);
        U want = host_min_max(a, b, false, host_fl);
        bad_min.check(ops, mode.rm, got, flags, want, host_fl);
        flags = 0;
        got = f32_max(a, b, flags);
        want = host_min_max(a, b, true, host_fl);
        bad_max.check(ops, mode.rm, got, flags, want, host_fl);
      } else {
        U got = f64_min(a, b, flags);
        U want = host_min_max(a, b, false, host_fl);
        bad_min.check(ops, mode.rm, got, flags, want, host_fl);
        flags = 0;
        got = f64_max(a, b, flags);
        want = host_min_max(a, b, true, host_fl);
        bad_max.check(ops, mode.rm, got, flags, want, host_fl);
      }
      const auto soft_cmp = [&](int which) {
        flags = 0;
        if constexpr (sizeof(U) == 4) return which == 0 ? f32_eq(a, b, flags) : which == 1 ? f32_lt(a, b, flags) : f32_le(a, b, flags);
        else return which == 0 ? f64_eq(a, b, flags) : which == 1 ? f64_lt(a, b, flags) : f64_le(a, b, flags);
      };
      bool got = soft_cmp(0);
      bool want = run_host([&] { return va == vb; }, host_fl); // ucomis: quiet
      bad_eq.check(ops, mode.rm, got, flags, want, host_fl);
      got = soft_cmp(1);
      want = run_host([&] { return va < vb; }, host_fl); // comis: signaling
      bad_lt.check(ops, mode.rm, got, flags, want, host_fl);
      got = soft_cmp(2);
      want = run_host([&] { return va <= vb; }, host_fl);
      bad_le.check(ops, mode.rm, got, flags, want, host_fl);
    }
  }
}

TEST(SoftFloat, F32MinMaxCompareMatchHost) { compare_ops_vs_host<std::uint32_t>("f32", 13); }
TEST(SoftFloat, F64MinMaxCompareMatchHost) { compare_ops_vs_host<std::uint64_t>("f64", 14); }

template <class U>
std::uint32_t host_classify(U a) {
  const auto x = std::bit_cast<Host<U>>(a);
  const bool neg = std::signbit(x);
  switch (std::fpclassify(x)) {
  case FP_INFINITE: return neg ? 1u << 0 : 1u << 7;
  case FP_NORMAL: return neg ? 1u << 1 : 1u << 6;
  case FP_SUBNORMAL: return neg ? 1u << 2 : 1u << 5;
  case FP_ZERO: return neg ? 1u << 3 : 1u << 4;
  default: return (a & quiet_bit<U>) != 0 ? 1u << 9 : 1u << 8; // x86 also marks quiet NaNs so
  }
}

TEST(SoftFloat, ClassifyMatchesHost) {
  Rng rng(base_seed ^ 15);
  Mismatches bad32("f32_classify"), bad64("f64_classify");
  for (int i = 0; i < 4 * per_mode; ++i) {
    const auto a = random_operand<std::uint32_t>(rng);
    bad32.check(operands(a), rne, f32_classify(a), 0, host_classify(a), 0);
    const auto b = random_operand<std::uint64_t>(rng);
    bad64.check(operands(b), rne, f64_classify(b), 0, host_classify(b), 0);
  }
}

/// The RISC-V saturating conversion computed with the host: rint (current mode) or round (ties
/// away from zero) to an integral value, which is exact, then a range check.
template <class I, class H>
I host_to_int(H x, bool ties_away, std::uint8_t& flags) {
  constexpr int bits = static_cast<int>(sizeof(I) * 8);
  flags = 0;
  if (std::isnan(x)) {
    flags = nv;
    return std::numeric_limits<I>::max();
  }
  const H r = ties_away ? std::round(x) : std::rint(x);
  const H top = std::ldexp(H{1}, std::is_signed_v<I> ? bits - 1 : bits); // first value too large
  const bool in_range = std::is_signed_v<I> ? (r >= -top && r < top) : (r > H{-1} && r < top);
  if (!in_range) {
    flags = nv;
    return r > 0 ? std::numeric_limits<I>::max() : std::numeric_limits<I>::min();
  }
  if (r != x) flags = nx;
  return static_cast<I>(r);
}

template <class U, class I>
void to_int_vs_reference(const std::string& what, I (*soft)(U, RoundingMode, std::uint8_t&), std::uint64_t salt) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  Mismatches bad(what);
  Mismatches bad_rmm(what + " rmm");
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe);
    for (int i = 0; i < per_mode; ++i) {
      const U a = to_int_operand<U>(rng);
      std::uint8_t flags = 0;
      const I got = soft(a, mode.rm, flags);
      std::uint8_t ref_fl = 0;
      const I want = host_to_int<I>(std::bit_cast<H>(a), false, ref_fl);
      bad.check(operands(a), mode.rm, got, flags, want, ref_fl);
    }
  }
  for (int i = 0; i < rmm_cases; ++i) {
    const U a = to_int_operand<U>(rng);
    std::uint8_t flags = 0;
    const I got = soft(a, rmm, flags);
    std::uint8_t ref_fl = 0;
    const I want = host_to_int<I>(std::bit_cast<H>(a), true, ref_fl);
    bad_rmm.check(operands(a), rmm, got, flags, want, ref_fl);
  }
}

TEST(SoftFloat, F32ToIntMatchesHost) {
  to_int_vs_reference<std::uint32_t, std::int32_t>("f32_to_i32", f32_to_i32, 16);
  to_int_vs_reference<std::uint32_t, std::uint32_t>("f32_to_u32", f32_to_u32, 17);
  to_int_vs_reference<std::uint32_t, std::int64_t>("f32_to_i64", f32_to_i64, 18);
  to_int_vs_reference<std::uint32_t, std::uint64_t>("f32_to_u64", f32_to_u64, 19);
}

TEST(SoftFloat, F64ToIntMatchesHost) {
  to_int_vs_reference<std::uint64_t, std::int32_t>("f64_to_i32", f64_to_i32, 20);
  to_int_vs_reference<std::uint64_t, std::uint32_t>("f64_to_u32", f64_to_u32, 21);
  to_int_vs_reference<std::uint64_t, std::int64_t>("f64_to_i64", f64_to_i64, 22);
  to_int_vs_reference<std::uint64_t, std::uint64_t>("f64_to_u64", f64_to_u64, 23);
}

template <class U, class I>
void from_int_vs_host(const std::string& what, U (*soft)(I, RoundingMode, std::uint8_t&), std::uint64_t salt) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  Mismatches bad(what);
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe);
    for (int i = 0; i < per_mode; ++i) {
      const I v = random_int<I>(rng);
      std::uint8_t flags = 0;
      const U got = soft(v, mode.rm, flags);
      volatile I vv = v;
      std::uint8_t host_fl = 0;
      const U want = host_bits(run_host([&] { return static_cast<H>(vv); }, host_fl));
      bad.check(operands(v), mode.rm, got, flags, want, host_fl);
    }
  }
}

TEST(SoftFloat, IntToF32MatchesHost) {
  from_int_vs_host<std::uint32_t, std::int32_t>("i32_to_f32", i32_to_f32, 24);
  from_int_vs_host<std::uint32_t, std::uint32_t>("u32_to_f32", u32_to_f32, 25);
  from_int_vs_host<std::uint32_t, std::int64_t>("i64_to_f32", i64_to_f32, 26);
  from_int_vs_host<std::uint32_t, std::uint64_t>("u64_to_f32", u64_to_f32, 27);
}

TEST(SoftFloat, IntToF64MatchesHost) {
  from_int_vs_host<std::uint64_t, std::int32_t>("i32_to_f64", i32_to_f64, 28);
  from_int_vs_host<std::uint64_t, std::uint32_t>("u32_to_f64", u32_to_f64, 29);
  from_int_vs_host<std::uint64_t, std::int64_t>("i64_to_f64", i64_to_f64, 30);
  from_int_vs_host<std::uint64_t, std::uint64_t>("u64_to_f64", u64_to_f64, 31);
}

TEST(SoftFloat, F32ToF64MatchesHost) {
  Rng rng(base_seed ^ 32);
  Mismatches bad("f32_to_f64");
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe); // exact, so the mode must not matter
    for (int i = 0; i < per_mode; ++i) {
      const auto a = random_operand<std::uint32_t>(rng);
      std::uint8_t flags = 0;
      const std::uint64_t got = f32_to_f64(a, flags);
      volatile float va = std::bit_cast<float>(a);
      std::uint8_t host_fl = 0;
      const std::uint64_t want = host_bits(run_host([&] { return static_cast<double>(va); }, host_fl));
      bad.check(operands(a), mode.rm, got, flags, want, host_fl);
    }
  }
}

TEST(SoftFloat, F64ToF32MatchesHost) {
  Rng rng(base_seed ^ 33);
  Mismatches bad("f64_to_f32");
  for (const HostMode& mode : host_modes) {
    const HostRounding rounding(mode.fe);
    for (int i = 0; i < per_mode; ++i) {
      const auto a = narrowing_operand(rng);
      std::uint8_t flags = 0;
      const std::uint32_t got = f64_to_f32(a, mode.rm, flags);
      volatile double va = std::bit_cast<double>(a);
      std::uint8_t host_fl = 0;
      const std::uint32_t want = host_bits(run_host([&] { return static_cast<float>(va); }, host_fl));
      bad.check(operands(a), mode.rm, got, flags, want, host_fl);
    }
  }
}

// ===== randomized rmm tests ====================================================================
//
// Reference: if the exact result (in binary128) is a tie at the destination precision (taking
// the subnormal range into account), rmm rounds away from zero, so its result and flags are the
// host's in rup (positive) or rdn (negative): on a tie the directed result is the away one, OF is
// raised iff that overflows, and UF iff the value is below 2^emin (a tie there is never within
// rounding distance of 2^emin at full precision). Otherwise rmm agrees with rne in result and
// flags: both round to nearest with the same outcome, and tininess can only differ for a value
// that full-precision rounding takes to 2^emin, which both modes do alike (2^emin is even).

template <class U>
bool is_tie(f128 q) {
  constexpr int m = frac_bits<U>;
  constexpr int emin = 1 - bias<U>;
  constexpr int emax = bias<U>;
  const auto bits = std::bit_cast<u128>(q);
  const int biased = static_cast<int>((bits >> 112) & 0x7fff);
  if (biased == 0 || biased == 0x7fff) return false; // zero (no f32/f64 result is that small), inf, NaN
  const int e = biased - 16383;
  if (e > emax) return false; // overflows whatever the mode
  const u128 sig = (bits & ((u128{1} << 112) - 1)) | (u128{1} << 112); // value = sig * 2^(e-112)
  const int below = std::max(e, emin) - m - (e - 112);                  // bits below the last place
  if (below <= 0 || below > 113) return false;
  return (sig & ((u128{1} << below) - 1)) == u128{1} << (below - 1);
}

/// The expected rmm result of `host_op` (reading volatile operands) whose exact value
/// `exact_op` computes in binary128. Counts ties.
template <class U, class HostOp, class ExactOp>
U rmm_reference(HostOp host_op, ExactOp exact_op, std::uint8_t& flags, long& ties) {
  std::feclearexcept(FE_ALL_EXCEPT);
  volatile f128 vq = exact_op();
  const bool exact = std::fetestexcept(FE_INEXACT) == 0;
  const f128 q = vq;
  const bool tie = exact && is_tie<U>(q);
  ties += tie ? 1 : 0;
  const HostRounding rounding(!tie ? FE_TONEAREST : q < 0 ? FE_DOWNWARD : FE_UPWARD);
  return host_bits(run_host(host_op, flags));
}

/// Which operands to mix in (a third of the cases) to make ties more common.
enum class TieProne { none, product, quotient };

template <class U, class HostOp, class ExactOp>
void binary_rmm(const std::string& what, BinaryOp<U> soft, HostOp host_op, ExactOp exact_op, TieProne prone,
                std::uint64_t salt, long min_ties) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  long ties = 0;
  {
    Mismatches bad(what);
    for (int i = 0; i < rmm_cases; ++i) {
      U a = random_operand<U>(rng);
      U b = second_operand<U>(rng, a);
      if (prone != TieProne::none && i % 3 == 0) {
        std::tie(a, b) = prone == TieProne::product ? tie_prone_factors<U>(rng) : tie_prone_quotient<U>(rng);
      }
      std::uint8_t flags = 0;
      const U got = soft(a, b, rmm, flags);
      volatile H va = std::bit_cast<H>(a);
      volatile H vb = std::bit_cast<H>(b);
      std::uint8_t ref_fl = 0;
      const U want = rmm_reference<U>([&] { return host_op(va, vb); },
                                      [&] { return exact_op(static_cast<f128>(va), static_cast<f128>(vb)); }, ref_fl,
                                      ties);
      bad.check(operands(a, b), rmm, got, flags, want, ref_fl);
    }
  }
  std::printf("[   info   ] %s: %ld ties\n", what.c_str(), ties);
  EXPECT_GE(ties, min_ties) << what << ": too few ties to test rmm";
}

TEST(SoftFloat, F32ArithmeticRmm) {
  binary_rmm<std::uint32_t>("f32_add rmm", f32_add, host_add, host_add, TieProne::none, 40, 1000);
  binary_rmm<std::uint32_t>("f32_sub rmm", f32_sub, host_sub, host_sub, TieProne::none, 41, 1000);
  binary_rmm<std::uint32_t>("f32_mul rmm", f32_mul, host_mul, host_mul, TieProne::product, 42, 1000);
  binary_rmm<std::uint32_t>("f32_div rmm", f32_div, host_div, host_div, TieProne::quotient, 43, 1000);
}

TEST(SoftFloat, F64ArithmeticRmm) {
  binary_rmm<std::uint64_t>("f64_add rmm", f64_add, host_add, host_add, TieProne::none, 44, 1000);
  binary_rmm<std::uint64_t>("f64_sub rmm", f64_sub, host_sub, host_sub, TieProne::none, 45, 1000);
  binary_rmm<std::uint64_t>("f64_mul rmm", f64_mul, host_mul, host_mul, TieProne::product, 46, 1000);
  binary_rmm<std::uint64_t>("f64_div rmm", f64_div, host_div, host_div, TieProne::quotient, 47, 1000);
}

template <class U>
void mul_add_rmm(const std::string& what, U (*soft)(U, U, U, RoundingMode, std::uint8_t&), std::uint64_t salt) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  long ties = 0;
  {
    Mismatches bad(what);
    for (int i = 0; i < rmm_cases; ++i) {
      U a = random_operand<U>(rng);
      U b = second_operand<U>(rng, a);
      U c = third_operand<U>(rng, a, b);
      if (i % 3 == 0) {
        std::tie(a, b) = tie_prone_factors<U>(rng);
        c = (i / 3) % 4 == 0 ? U{0} : tie_prone_addend<U>(rng, a, b);
      }
      std::uint8_t flags = 0;
      const U got = soft(a, b, c, rmm, flags);
      volatile H va = std::bit_cast<H>(a);
      volatile H vb = std::bit_cast<H>(b);
      volatile H vc = std::bit_cast<H>(c);
      std::uint8_t ref_fl = 0;
      // The binary128 product of two binary64 values is exact (106 bits); only the sum rounds.
      const U want = rmm_reference<U>(
          [&] { return std::fma(va, vb, vc); },
          [&] { return static_cast<f128>(va) * static_cast<f128>(vb) + static_cast<f128>(vc); }, ref_fl, ties);
      if (inf_times_zero(a, b)) ref_fl |= nv;
      bad.check(operands(a, b, c), rmm, got, flags, want, ref_fl);
    }
  }
  std::printf("[   info   ] %s: %ld ties\n", what.c_str(), ties);
  EXPECT_GE(ties, 1000) << what << ": too few ties to test rmm";
}

TEST(SoftFloat, F32MulAddRmm) { mul_add_rmm<std::uint32_t>("f32_mul_add rmm", f32_mul_add, 48); }
TEST(SoftFloat, F64MulAddRmm) { mul_add_rmm<std::uint64_t>("f64_mul_add rmm", f64_mul_add, 49); }

// A square root is never a tie: a midpoint m has one more significant bit than the format, with
// its last bit set, so m^2 has about twice as many significant bits as any representable operand
// could. (And square roots are never subnormal.) So rmm must agree with rne exactly.
template <class U>
void sqrt_rmm(const std::string& what, U (*soft)(U, RoundingMode, std::uint8_t&), std::uint64_t salt) {
  Rng rng(base_seed ^ salt);
  Mismatches bad(what);
  for (int i = 0; i < rmm_cases; ++i) {
    const U a = sqrt_operand<U>(rng);
    std::uint8_t flags = 0;
    const U got = soft(a, rmm, flags);
    std::uint8_t ref_fl = 0;
    const U want = soft(a, rne, ref_fl); // itself checked against the host above
    bad.check(operands(a), rmm, got, flags, want, ref_fl);
  }
}

TEST(SoftFloat, SqrtRmmEqualsRne) {
  sqrt_rmm<std::uint32_t>("f32_sqrt rmm", f32_sqrt, 50);
  sqrt_rmm<std::uint64_t>("f64_sqrt rmm", f64_sqrt, 51);
}

template <class U, class I>
void from_int_rmm(const std::string& what, U (*soft)(I, RoundingMode, std::uint8_t&), std::uint64_t salt,
                  long min_ties) {
  using H = Host<U>;
  Rng rng(base_seed ^ salt);
  long ties = 0;
  {
    Mismatches bad(what);
    for (int i = 0; i < rmm_cases; ++i) {
      const I v = random_int<I>(rng);
      std::uint8_t flags = 0;
      const U got = soft(v, rmm, flags);
      volatile I vv = v;
      std::uint8_t ref_fl = 0;
      const U want = rmm_reference<U>([&] { return static_cast<H>(vv); }, [&] { return static_cast<f128>(vv); },
                                      ref_fl, ties);
      bad.check(operands(v), rmm, got, flags, want, ref_fl);
    }
  }
  std::printf("[   info   ] %s: %ld ties\n", what.c_str(), ties);
  EXPECT_GE(ties, min_ties) << what << ": too few ties to test rmm";
}

TEST(SoftFloat, IntToFloatRmm) {
  from_int_rmm<std::uint32_t, std::int32_t>("i32_to_f32 rmm", i32_to_f32, 52, 1000);
  from_int_rmm<std::uint32_t, std::uint32_t>("u32_to_f32 rmm", u32_to_f32, 53, 1000);
  from_int_rmm<std::uint32_t, std::int64_t>("i64_to_f32 rmm", i64_to_f32, 54, 1000);
  from_int_rmm<std::uint32_t, std::uint64_t>("u64_to_f32 rmm", u64_to_f32, 55, 1000);
  from_int_rmm<std::uint64_t, std::int32_t>("i32_to_f64 rmm", i32_to_f64, 56, 0); // always exact
  from_int_rmm<std::uint64_t, std::uint32_t>("u32_to_f64 rmm", u32_to_f64, 57, 0);
  from_int_rmm<std::uint64_t, std::int64_t>("i64_to_f64 rmm", i64_to_f64, 58, 1000);
  from_int_rmm<std::uint64_t, std::uint64_t>("u64_to_f64 rmm", u64_to_f64, 59, 1000);
}

TEST(SoftFloat, F64ToF32Rmm) {
  Rng rng(base_seed ^ 60);
  long ties = 0;
  {
    Mismatches bad("f64_to_f32 rmm");
    for (int i = 0; i < rmm_cases; ++i) {
      const auto a = narrowing_operand(rng);
      std::uint8_t flags = 0;
      const std::uint32_t got = f64_to_f32(a, rmm, flags);
      volatile double va = std::bit_cast<double>(a);
      std::uint8_t ref_fl = 0;
      const std::uint32_t want = rmm_reference<std::uint32_t>(
          [&] { return static_cast<float>(va); }, [&] { return static_cast<f128>(va); }, ref_fl, ties);
      bad.check(operands(a), rmm, got, flags, want, ref_fl);
    }
  }
  std::printf("[   info   ] f64_to_f32 rmm: %ld ties\n", ties);
  EXPECT_GE(ties, 1000);
}

} // namespace
