// IEEE 754 binary32/binary64 arithmetic with RISC-V F/D semantics, in integer arithmetic only.
//
// Every finite nonzero operand is unpacked into an exact integer significand and a power of two
// (value = sig * 2^exp). Each operation then builds its exact result, or the exact result's
// leading bits plus a "sticky" bit saying that something nonzero was cut off below them, and a
// single function (round_pack) rounds that to the destination format. Keeping the sticky bit
// separate from the significand (instead of OR-ing it into the lowest bit) means round_pack
// never has to know how many guard bits the caller kept: the value it rounds is always
// sig * 2^exp plus, if sticky, some amount strictly between 0 and 2^exp.
#include "retrace/isa/softfloat.hpp"

#include <type_traits>
#include <utility>

namespace retrace::fp {
namespace {

__extension__ typedef unsigned __int128 u128;

/// Parameters of a binary interchange format whose bit pattern is held in `Bits`.
template <class Bits, int ExpBits, int FracBits>
struct Format {
  using U = Bits;
  static constexpr int exp_bits = ExpBits;
  static constexpr int frac_bits = FracBits; ///< stored significand bits (precision - 1)
  static constexpr int bias = (1 << (ExpBits - 1)) - 1;
  static constexpr int emin = 1 - bias; ///< exponent of the smallest normal number
  static constexpr int emax = bias;     ///< exponent of the largest finite number
  static constexpr U sign_mask = U{1} << (ExpBits + FracBits);
  static constexpr U exp_mask = ((U{1} << ExpBits) - 1) << FracBits;
  static constexpr U frac_mask = (U{1} << FracBits) - 1;
  static constexpr U quiet_bit = U{1} << (FracBits - 1);
  static constexpr U inf = exp_mask;
  static constexpr U max_finite = exp_mask - 1; ///< all-ones significand, largest exponent
  static constexpr U canonical_nan = exp_mask | quiet_bit;
};

using F16 = Format<std::uint16_t, 5, 10>;
using F32 = Format<std::uint32_t, 8, 23>;
using F64 = Format<std::uint64_t, 11, 52>;
static_assert(F16::canonical_nan == f16_canonical_nan);
static_assert(F32::canonical_nan == f32_canonical_nan);
static_assert(F64::canonical_nan == f64_canonical_nan);

// ----- classification of raw bit patterns -------------------------------------------------------

template <class F>
constexpr bool sign_of(typename F::U a) {
  return (a & F::sign_mask) != 0;
}
template <class F>
constexpr bool is_nan(typename F::U a) {
  return (a & ~F::sign_mask) > F::exp_mask;
}
template <class F>
constexpr bool is_snan(typename F::U a) {
  return is_nan<F>(a) && (a & F::quiet_bit) == 0;
}
template <class F>
constexpr bool is_inf(typename F::U a) {
  return (a & ~F::sign_mask) == F::exp_mask;
}
template <class F>
constexpr bool is_zero(typename F::U a) {
  return (a & ~F::sign_mask) == 0;
}

/// A finite nonzero value: (-1)^sign * sig * 2^exp, with sig < 2^(frac_bits + 1).
struct Unpacked {
  bool sign;
  int exp;
  std::uint64_t sig;
};

template <class F>
Unpacked unpack(typename F::U a) {
  const int biased = static_cast<int>((a & F::exp_mask) >> F::frac_bits);
  const std::uint64_t frac = a & F::frac_mask;
  if (biased == 0) return {sign_of<F>(a), F::emin - F::frac_bits, frac};
  return {sign_of<F>(a), biased - F::bias - F::frac_bits, frac | (std::uint64_t{1} << F::frac_bits)};
}

/// Like unpack, but with the significand shifted so that its top bit is bit frac_bits (only
/// subnormals change).
template <class F>
Unpacked unpack_normalized(typename F::U a) {
  Unpacked u = unpack<F>(a);
  while ((u.sig >> F::frac_bits) == 0) {
    u.sig <<= 1;
    --u.exp;
  }
  return u;
}

constexpr int msb64(std::uint64_t x) { return 63 - __builtin_clzll(x); } // x != 0
constexpr int msb128(u128 x) {                                            // x != 0
  const auto hi = static_cast<std::uint64_t>(x >> 64);
  return hi != 0 ? 64 + msb64(hi) : msb64(static_cast<std::uint64_t>(x));
}

// ----- rounding ---------------------------------------------------------------------------------

struct Quotient {
  u128 q;        ///< the rounded integer
  bool inexact;
};

/// Rounds (sig + s) / 2^shift to an integer, where s is 0 if !sticky and strictly between 0 and
/// 1 otherwise; the sign only matters for rdn/rup. A negative shift multiplies (the caller
/// guarantees the product fits).
Quotient round_shift(u128 sig, bool sticky, int shift, bool negative, RoundingMode rm) {
  enum { exact, below_half, half, above_half } rest;
  u128 q;
  if (shift <= 0) {
    q = sig << -shift;
    rest = sticky ? below_half : exact;
  } else if (shift > 128) { // sig < 2^128 <= half
    q = 0;
    rest = (sig != 0 || sticky) ? below_half : exact;
  } else {
    const u128 half_point = u128{1} << (shift - 1);
    const u128 rem = shift == 128 ? sig : sig & ((u128{1} << shift) - 1);
    q = shift == 128 ? 0 : sig >> shift;
    if (rem == 0 && !sticky) rest = exact;
    else if (rem < half_point) rest = below_half;
    else if (rem == half_point) rest = sticky ? above_half : half;
    else rest = above_half;
  }
  if (rest == exact) return {q, false};
  bool up;
  switch (rm) {
  case RoundingMode::rtz: up = false; break;
  case RoundingMode::rdn: up = negative; break;
  case RoundingMode::rup: up = !negative; break;
  case RoundingMode::rmm: up = rest != below_half; break;
  case RoundingMode::rne:
  default: up = rest == above_half || (rest == half && (q & 1) != 0); break;
  }
  return {q + (up ? 1 : 0), true};
}

template <class F>
typename F::U overflow(bool negative, RoundingMode rm, std::uint8_t& flags) {
  flags |= flag_of | flag_nx;
  const bool to_max = rm == RoundingMode::rtz || (rm == RoundingMode::rdn && !negative) ||
                      (rm == RoundingMode::rup && negative);
  return static_cast<typename F::U>((negative ? F::sign_mask : 0) | (to_max ? F::max_finite : F::inf));
}

/// Rounds (-1)^negative * (sig + s) * 2^exp to format F, s as in round_shift. sig != 0.
/// Raises nx/uf/of as appropriate (tininess after rounding).
template <class F>
typename F::U round_pack(bool negative, int exp, u128 sig, bool sticky, RoundingMode rm,
                         std::uint8_t& flags) {
  using U = typename F::U;
  constexpr int m = F::frac_bits;
  const U sign = negative ? F::sign_mask : 0;
  const int top = msb128(sig);
  int e = top + exp; // the value lies in [2^e, 2^(e+1))
  if (e > F::emax) return overflow<F>(negative, rm, flags);
  if (e >= F::emin) {
    Quotient r = round_shift(sig, sticky, top - m, negative, rm);
    if ((r.q >> (m + 1)) != 0) { // rounded up to the next power of two
      r.q >>= 1;
      if (++e > F::emax) return overflow<F>(negative, rm, flags);
    }
    if (r.inexact) flags |= flag_nx;
    return static_cast<U>(sign | (static_cast<U>(e + F::bias) << m) | (static_cast<U>(r.q) & F::frac_mask));
  }
  // Below the normal range: the result's last place is fixed at 2^(emin - m).
  const Quotient r = round_shift(sig, sticky, F::emin - m - exp, negative, rm);
  if (r.inexact) {
    flags |= flag_nx;
    // Tiny unless rounding to full precision with an unbounded exponent reaches 2^emin, which
    // is only possible from the binade just below it.
    bool tiny = true;
    if (e == F::emin - 1) tiny = (round_shift(sig, sticky, top - m, negative, rm).q >> (m + 1)) == 0;
    if (tiny) flags |= flag_uf;
  }
  // r.q <= 2^m; if it reached 2^m, that bit lands in the exponent field: the smallest normal.
  return static_cast<U>(sign | static_cast<U>(r.q));
}

/// The result of an exact cancellation (x + -x): +0, or -0 when rounding down.
template <class F>
typename F::U exact_zero(RoundingMode rm) {
  return rm == RoundingMode::rdn ? F::sign_mask : 0;
}

// ----- arithmetic -------------------------------------------------------------------------------

template <class F>
typename F::U add(typename F::U a, typename F::U b, RoundingMode rm, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    if (is_snan<F>(a) || is_snan<F>(b)) flags |= flag_nv;
    return F::canonical_nan;
  }
  if (is_inf<F>(a) || is_inf<F>(b)) {
    if (is_inf<F>(a) && is_inf<F>(b) && sign_of<F>(a) != sign_of<F>(b)) {
      flags |= flag_nv;
      return F::canonical_nan;
    }
    return is_inf<F>(a) ? a : b;
  }
  if (is_zero<F>(a) && is_zero<F>(b)) return sign_of<F>(a) == sign_of<F>(b) ? a : exact_zero<F>(rm);
  if (is_zero<F>(a)) return b;
  if (is_zero<F>(b)) return a;

  Unpacked x = unpack<F>(a);
  Unpacked y = unpack<F>(b);
  if (x.exp < y.exp) std::swap(x, y);
  // Put x 64 places up (sig < 2^54, so < 2^118) and y in the same scale. If y is too small for
  // that, its bits below the scale only matter as a sticky bit. If x.exp > y.exp then x is
  // normal, so x > y on this scale.
  const int d = x.exp - y.exp;
  const u128 big = u128{x.sig} << 64;
  u128 small;
  bool lost = false;
  if (d <= 64) {
    small = u128{y.sig} << (64 - d);
  } else if (d - 64 >= 64) {
    small = 0;
    lost = true;
  } else {
    const int s = d - 64;
    small = y.sig >> s;
    lost = (y.sig & ((std::uint64_t{1} << s) - 1)) != 0;
  }
  const int exp = x.exp - 64;
  if (x.sign == y.sign) return round_pack<F>(x.sign, exp, big + small, lost, rm, flags);
  if (big == small && !lost) return exact_zero<F>(rm);
  if (big > small) {
    // big - (small + s) = (big - small - 1) + (1 - s) when something was lost.
    return round_pack<F>(x.sign, exp, big - small - (lost ? 1 : 0), lost, rm, flags);
  }
  return round_pack<F>(y.sign, exp, small - big, false, rm, flags); // only when d == 0
}

template <class F>
typename F::U mul(typename F::U a, typename F::U b, RoundingMode rm, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    if (is_snan<F>(a) || is_snan<F>(b)) flags |= flag_nv;
    return F::canonical_nan;
  }
  const typename F::U sign = (a ^ b) & F::sign_mask;
  if (is_inf<F>(a) || is_inf<F>(b)) {
    if (is_zero<F>(a) || is_zero<F>(b)) {
      flags |= flag_nv;
      return F::canonical_nan;
    }
    return sign | F::inf;
  }
  if (is_zero<F>(a) || is_zero<F>(b)) return sign;
  const Unpacked x = unpack<F>(a);
  const Unpacked y = unpack<F>(b);
  return round_pack<F>(sign != 0, x.exp + y.exp, u128{x.sig} * y.sig, false, rm, flags);
}

template <class F>
typename F::U divide(typename F::U a, typename F::U b, RoundingMode rm, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    if (is_snan<F>(a) || is_snan<F>(b)) flags |= flag_nv;
    return F::canonical_nan;
  }
  const typename F::U sign = (a ^ b) & F::sign_mask;
  if (is_inf<F>(a)) {
    if (is_inf<F>(b)) {
      flags |= flag_nv;
      return F::canonical_nan;
    }
    return sign | F::inf;
  }
  if (is_inf<F>(b)) return sign;
  if (is_zero<F>(b)) {
    if (is_zero<F>(a)) {
      flags |= flag_nv;
      return F::canonical_nan;
    }
    flags |= flag_dz;
    return sign | F::inf;
  }
  if (is_zero<F>(a)) return sign;
  // Both significands in [2^m, 2^(m+1)): the quotient of (x << 64) / y is in (2^63, 2^65),
  // which is plenty of bits; the remainder decides the sticky bit.
  const Unpacked x = unpack_normalized<F>(a);
  const Unpacked y = unpack_normalized<F>(b);
  const u128 num = u128{x.sig} << 64;
  const u128 q = num / y.sig;
  const bool rem = q * y.sig != num;
  return round_pack<F>(sign != 0, x.exp - y.exp - 64, q, rem, rm, flags);
}

/// floor(sqrt(n)) by the bit-by-bit method; `rem` gets n - result^2.
u128 isqrt(u128 n, u128& rem) {
  u128 result = 0;
  u128 bit = u128{1} << 126;
  while (bit > n) bit >>= 2;
  while (bit != 0) {
    if (n >= result + bit) {
      n -= result + bit;
      result = (result >> 1) + bit;
    } else {
      result >>= 1;
    }
    bit >>= 2;
  }
  rem = n;
  return result;
}

template <class F>
typename F::U square_root(typename F::U a, RoundingMode rm, std::uint8_t& flags) {
  if (is_nan<F>(a)) {
    if (is_snan<F>(a)) flags |= flag_nv;
    return F::canonical_nan;
  }
  if (is_zero<F>(a)) return a; // sqrt(+-0) = +-0
  if (sign_of<F>(a)) {
    flags |= flag_nv;
    return F::canonical_nan;
  }
  if (is_inf<F>(a)) return a;
  Unpacked x = unpack_normalized<F>(a);
  u128 sig = x.sig;
  if ((x.exp & 1) != 0) { // make the exponent even
    sig <<= 1;
    --x.exp;
  }
  // sig < 2^(m+2); scaled by 2^64 its root has more than m + 32 bits.
  u128 rem;
  const u128 root = isqrt(sig << 64, rem);
  return round_pack<F>(false, (x.exp - 64) / 2, root, rem != 0, rm, flags);
}

template <class F>
typename F::U mul_add(typename F::U a, typename F::U b, typename F::U c, RoundingMode rm,
                      std::uint8_t& flags) {
  using U = typename F::U;
  if (is_snan<F>(a) || is_snan<F>(b) || is_snan<F>(c)) flags |= flag_nv;
  // RISC-V: inf * 0 is invalid even when c is a quiet NaN.
  if ((is_inf<F>(a) && is_zero<F>(b)) || (is_zero<F>(a) && is_inf<F>(b))) {
    flags |= flag_nv;
    return F::canonical_nan;
  }
  if (is_nan<F>(a) || is_nan<F>(b) || is_nan<F>(c)) return F::canonical_nan;
  const bool prod_neg = sign_of<F>(a) != sign_of<F>(b);
  const U prod_sign = prod_neg ? F::sign_mask : 0;
  if (is_inf<F>(a) || is_inf<F>(b)) {
    if (is_inf<F>(c) && sign_of<F>(c) != prod_neg) {
      flags |= flag_nv;
      return F::canonical_nan;
    }
    return prod_sign | F::inf;
  }
  if (is_inf<F>(c)) return c;
  if (is_zero<F>(a) || is_zero<F>(b)) {
    if (!is_zero<F>(c)) return c;
    return sign_of<F>(c) == prod_neg ? c : exact_zero<F>(rm);
  }
  const Unpacked x = unpack<F>(a);
  const Unpacked y = unpack<F>(b);
  u128 p = u128{x.sig} * y.sig; // exact, < 2^106
  int pexp = x.exp + y.exp;
  if (is_zero<F>(c)) return round_pack<F>(prod_neg, pexp, p, false, rm, flags);

  // Align both addends with their top bit at bit 125; the one with the larger exponent (or, on
  // a tie, the larger value) is `hi`. `lo` is shifted down by the exponent difference and any
  // bits shifted out become a sticky bit. That only happens when lo's top bit is at least 21
  // places below hi's (the product has at most 106 bits), so even after cancellation the
  // difference keeps its top bit at 124 or higher and the lost bits are far below the rounding
  // point. Closer than that, everything is exact and cancellation can go all the way.
  const Unpacked z = unpack<F>(c);
  const int pshift = 125 - msb128(p);
  p <<= pshift;
  pexp -= pshift;
  const int cshift = 125 - msb64(z.sig);
  u128 q = u128{z.sig} << cshift;
  int qexp = z.exp - cshift;
  bool hi_neg = prod_neg;
  bool lo_neg = z.sign;
  if (qexp > pexp || (qexp == pexp && q > p)) {
    std::swap(p, q);
    std::swap(pexp, qexp);
    std::swap(hi_neg, lo_neg);
  }
  const u128 hi = p;
  const int d = pexp - qexp;
  u128 lo;
  bool lost;
  if (d >= 128) {
    lo = 0;
    lost = true;
  } else {
    lo = d == 0 ? q : q >> d;
    lost = d != 0 && (q & ((u128{1} << d) - 1)) != 0;
  }
  if (hi_neg == lo_neg) return round_pack<F>(hi_neg, pexp, hi + lo, lost, rm, flags);
  if (hi == lo && !lost) return exact_zero<F>(rm);
  return round_pack<F>(hi_neg, pexp, hi - lo - (lost ? 1 : 0), lost, rm, flags);
}

// ----- min/max, comparisons, classification -----------------------------------------------------

/// Maps a non-NaN bit pattern to an unsigned key in numeric order (with -0 just below +0).
template <class F>
typename F::U order_key(typename F::U a) {
  return sign_of<F>(a) ? static_cast<typename F::U>(~a) : static_cast<typename F::U>(a | F::sign_mask);
}

template <class F>
typename F::U min_max(typename F::U a, typename F::U b, bool want_max, std::uint8_t& flags) {
  if (is_snan<F>(a) || is_snan<F>(b)) flags |= flag_nv;
  const bool a_nan = is_nan<F>(a);
  const bool b_nan = is_nan<F>(b);
  if (a_nan && b_nan) return F::canonical_nan;
  if (a_nan) return b;
  if (b_nan) return a;
  const bool a_less = order_key<F>(a) < order_key<F>(b);
  return (a_less != want_max) ? a : b;
}

template <class F>
bool eq(typename F::U a, typename F::U b, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    if (is_snan<F>(a) || is_snan<F>(b)) flags |= flag_nv;
    return false;
  }
  return a == b || (is_zero<F>(a) && is_zero<F>(b));
}

template <class F>
bool lt(typename F::U a, typename F::U b, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    flags |= flag_nv;
    return false;
  }
  if (is_zero<F>(a) && is_zero<F>(b)) return false;
  return order_key<F>(a) < order_key<F>(b);
}

template <class F>
bool le(typename F::U a, typename F::U b, std::uint8_t& flags) {
  if (is_nan<F>(a) || is_nan<F>(b)) {
    flags |= flag_nv;
    return false;
  }
  if (is_zero<F>(a) && is_zero<F>(b)) return true;
  return order_key<F>(a) <= order_key<F>(b);
}

template <class F>
std::uint32_t classify(typename F::U a) {
  const bool neg = sign_of<F>(a);
  const typename F::U exp = a & F::exp_mask;
  const typename F::U frac = a & F::frac_mask;
  int bit;
  if (exp == F::exp_mask) {
    if (frac == 0) bit = neg ? 0 : 7;
    else bit = (frac & F::quiet_bit) != 0 ? 9 : 8;
  } else if (exp == 0) {
    if (frac == 0) bit = neg ? 3 : 4;
    else bit = neg ? 2 : 5;
  } else {
    bit = neg ? 1 : 6;
  }
  return std::uint32_t{1} << bit;
}

// ----- conversions ------------------------------------------------------------------------------

template <class F, class I>
I to_int(typename F::U a, RoundingMode rm, std::uint8_t& flags) {
  using Lim = std::make_unsigned_t<I>;
  constexpr bool is_signed = std::is_signed_v<I>;
  constexpr int bits = static_cast<int>(sizeof(I) * 8);
  constexpr I max_value = static_cast<I>(is_signed ? (Lim{1} << (bits - 1)) - 1 : ~Lim{0});
  constexpr I min_value = static_cast<I>(is_signed ? Lim{1} << (bits - 1) : Lim{0});
  // Largest magnitudes that are in range, for each sign.
  constexpr std::uint64_t pos_limit = static_cast<Lim>(max_value);
  constexpr std::uint64_t neg_limit = is_signed ? std::uint64_t{1} << (bits - 1) : 0;

  if (is_nan<F>(a)) {
    flags |= flag_nv;
    return max_value;
  }
  const bool neg = sign_of<F>(a);
  if (is_inf<F>(a)) {
    flags |= flag_nv;
    return neg ? min_value : max_value;
  }
  if (is_zero<F>(a)) return 0;
  const Unpacked x = unpack<F>(a);
  std::uint64_t mag;
  bool inexact = false;
  bool in_range;
  if (x.exp >= 0) {
    in_range = msb64(x.sig) + x.exp < 64;
    mag = in_range ? x.sig << x.exp : 0;
  } else {
    // x.sig < 2^53, so the rounded quotient is far below 2^64.
    const Quotient r = round_shift(x.sig, false, -x.exp, neg, rm);
    mag = static_cast<std::uint64_t>(r.q);
    inexact = r.inexact;
    in_range = true;
  }
  if (in_range) in_range = mag <= (neg ? neg_limit : pos_limit);
  if (!in_range) {
    flags |= flag_nv;
    return neg ? min_value : max_value;
  }
  if (inexact) flags |= flag_nx;
  return static_cast<I>(neg ? Lim{0} - static_cast<Lim>(mag) : static_cast<Lim>(mag));
}

template <class F>
typename F::U from_int(bool neg, std::uint64_t mag, RoundingMode rm, std::uint8_t& flags) {
  if (mag == 0) return 0;
  return round_pack<F>(neg, 0, mag, false, rm, flags);
}

template <class F>
typename F::U from_signed(std::int64_t v, RoundingMode rm, std::uint8_t& flags) {
  const bool neg = v < 0;
  const std::uint64_t mag = neg ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  return from_int<F>(neg, mag, rm, flags);
}

/// Converts between formats (rounding if To is narrower).
template <class To, class From>
typename To::U convert(typename From::U a, RoundingMode rm, std::uint8_t& flags) {
  using U = typename To::U;
  if (is_nan<From>(a)) {
    if (is_snan<From>(a)) flags |= flag_nv;
    return To::canonical_nan;
  }
  const U sign = sign_of<From>(a) ? To::sign_mask : U{0};
  if (is_inf<From>(a)) return static_cast<U>(sign | To::inf);
  if (is_zero<From>(a)) return sign;
  const Unpacked x = unpack<From>(a);
  return round_pack<To>(x.sign, x.exp, x.sig, false, rm, flags);
}

} // namespace

// ----- binary32 ---------------------------------------------------------------------------------

std::uint32_t f32_add(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags) {
  return add<F32>(a, b, rm, flags);
}
std::uint32_t f32_sub(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags) {
  return add<F32>(a, b ^ F32::sign_mask, rm, flags);
}
std::uint32_t f32_mul(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags) {
  return mul<F32>(a, b, rm, flags);
}
std::uint32_t f32_div(std::uint32_t a, std::uint32_t b, RoundingMode rm, std::uint8_t& flags) {
  return divide<F32>(a, b, rm, flags);
}
std::uint32_t f32_sqrt(std::uint32_t a, RoundingMode rm, std::uint8_t& flags) {
  return square_root<F32>(a, rm, flags);
}
std::uint32_t f32_mul_add(std::uint32_t a, std::uint32_t b, std::uint32_t c, RoundingMode rm,
                          std::uint8_t& flags) {
  return mul_add<F32>(a, b, c, rm, flags);
}
std::uint32_t f32_min(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) {
  return min_max<F32>(a, b, false, flags);
}
std::uint32_t f32_max(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) {
  return min_max<F32>(a, b, true, flags);
}
bool f32_eq(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) { return eq<F32>(a, b, flags); }
bool f32_lt(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) { return lt<F32>(a, b, flags); }
bool f32_le(std::uint32_t a, std::uint32_t b, std::uint8_t& flags) { return le<F32>(a, b, flags); }
std::uint32_t f32_classify(std::uint32_t a) { return classify<F32>(a); }

std::int32_t f32_to_i32(std::uint32_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F32, std::int32_t>(a, rm, flags);
}
std::uint32_t f32_to_u32(std::uint32_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F32, std::uint32_t>(a, rm, flags);
}
std::int64_t f32_to_i64(std::uint32_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F32, std::int64_t>(a, rm, flags);
}
std::uint64_t f32_to_u64(std::uint32_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F32, std::uint64_t>(a, rm, flags);
}
std::uint32_t i32_to_f32(std::int32_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_signed<F32>(v, rm, flags);
}
std::uint32_t u32_to_f32(std::uint32_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_int<F32>(false, v, rm, flags);
}
std::uint32_t i64_to_f32(std::int64_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_signed<F32>(v, rm, flags);
}
std::uint32_t u64_to_f32(std::uint64_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_int<F32>(false, v, rm, flags);
}

// ----- binary64 ---------------------------------------------------------------------------------

std::uint64_t f64_add(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags) {
  return add<F64>(a, b, rm, flags);
}
std::uint64_t f64_sub(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags) {
  return add<F64>(a, b ^ F64::sign_mask, rm, flags);
}
std::uint64_t f64_mul(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags) {
  return mul<F64>(a, b, rm, flags);
}
std::uint64_t f64_div(std::uint64_t a, std::uint64_t b, RoundingMode rm, std::uint8_t& flags) {
  return divide<F64>(a, b, rm, flags);
}
std::uint64_t f64_sqrt(std::uint64_t a, RoundingMode rm, std::uint8_t& flags) {
  return square_root<F64>(a, rm, flags);
}
std::uint64_t f64_mul_add(std::uint64_t a, std::uint64_t b, std::uint64_t c, RoundingMode rm,
                          std::uint8_t& flags) {
  return mul_add<F64>(a, b, c, rm, flags);
}
std::uint64_t f64_min(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) {
  return min_max<F64>(a, b, false, flags);
}
std::uint64_t f64_max(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) {
  return min_max<F64>(a, b, true, flags);
}
bool f64_eq(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) { return eq<F64>(a, b, flags); }
bool f64_lt(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) { return lt<F64>(a, b, flags); }
bool f64_le(std::uint64_t a, std::uint64_t b, std::uint8_t& flags) { return le<F64>(a, b, flags); }
std::uint32_t f64_classify(std::uint64_t a) { return classify<F64>(a); }

std::int32_t f64_to_i32(std::uint64_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F64, std::int32_t>(a, rm, flags);
}
std::uint32_t f64_to_u32(std::uint64_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F64, std::uint32_t>(a, rm, flags);
}
std::int64_t f64_to_i64(std::uint64_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F64, std::int64_t>(a, rm, flags);
}
std::uint64_t f64_to_u64(std::uint64_t a, RoundingMode rm, std::uint8_t& flags) {
  return to_int<F64, std::uint64_t>(a, rm, flags);
}
std::uint64_t i32_to_f64(std::int32_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_signed<F64>(v, rm, flags); // exact: never rounds, never raises
}
std::uint64_t u32_to_f64(std::uint32_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_int<F64>(false, v, rm, flags);
}
std::uint64_t i64_to_f64(std::int64_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_signed<F64>(v, rm, flags);
}
std::uint64_t u64_to_f64(std::uint64_t v, RoundingMode rm, std::uint8_t& flags) {
  return from_int<F64>(false, v, rm, flags);
}

// ----- between the formats ----------------------------------------------------------------------

std::uint64_t f32_to_f64(std::uint32_t a, std::uint8_t& flags) {
  return convert<F64, F32>(a, RoundingMode::rne, flags); // exact, so the mode is irrelevant
}
std::uint32_t f64_to_f32(std::uint64_t a, RoundingMode rm, std::uint8_t& flags) {
  return convert<F32, F64>(a, rm, flags);
}

// ----- binary16 (Zfhmin: conversions only) -------------------------------------------------------

std::uint32_t f16_to_f32(std::uint16_t a, std::uint8_t& flags) {
  return convert<F32, F16>(a, RoundingMode::rne, flags); // exact
}
std::uint64_t f16_to_f64(std::uint16_t a, std::uint8_t& flags) {
  return convert<F64, F16>(a, RoundingMode::rne, flags); // exact
}
std::uint16_t f32_to_f16(std::uint32_t a, RoundingMode rm, std::uint8_t& flags) {
  return convert<F16, F32>(a, rm, flags);
}
std::uint16_t f64_to_f16(std::uint64_t a, RoundingMode rm, std::uint8_t& flags) {
  return convert<F16, F64>(a, rm, flags);
}

} // namespace retrace::fp
