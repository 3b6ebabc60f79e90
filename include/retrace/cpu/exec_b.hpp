#pragma once
/// \file
/// Bit-manipulation semantics: Zba (address generation), Zbb (basic bit manipulation), Zbc
/// (carry-less multiplication) and Zbs (single-bit operations), RV64 forms. Like exec_i.hpp,
/// templates over the hart and the instruction, so the block engine runs them inline on its
/// pre-decoded operands. Word forms (the *w and *.uw ones) read the low 32 bits of rs1 and
/// sign-extend (w) or zero-extend (uw) as the spec says.
#include "retrace/cpu/exec_i.hpp"

#include <bit>
#include <cstdint>

namespace retrace::exec {

namespace bitmanip {
using u32 = std::uint32_t;
constexpr u64 zext32(u64 v) { return v & 0xffff'ffffull; }
constexpr u64 one_bit(u64 index) { return u64{1} << (index & 63); }
// Carry-less products: the low half, the high half, and bits 126..63 ("reversed").
constexpr u64 clmul(u64 a, u64 b) {
  u64 r = 0;
  for (unsigned i = 0; i < 64; ++i) r ^= (a << i) & (u64{0} - ((b >> i) & 1));
  return r;
}
constexpr u64 clmulh(u64 a, u64 b) {
  u64 r = 0;
  for (unsigned i = 1; i < 64; ++i) r ^= (a >> (64 - i)) & (u64{0} - ((b >> i) & 1));
  return r;
}
constexpr u64 clmulr(u64 a, u64 b) {
  u64 r = 0;
  for (unsigned i = 0; i < 64; ++i) r ^= (a >> (63 - i)) & (u64{0} - ((b >> i) & 1));
  return r;
}
// Each byte becomes 0xff if it is nonzero, else 0x00.
constexpr u64 orc_b(u64 x) {
  // The high bit of each byte of t is set iff the byte of x is nonzero.
  const u64 low7 = 0x7f7f'7f7f'7f7f'7f7full;
  const u64 t = ((x & low7) + low7) | x;
  const u64 high = t & ~low7;
  return (high >> 7) * 0xff;
}
} // namespace bitmanip

// --- Zba ----------------------------------------------------------------------------------------
template <class H, class I> [[gnu::always_inline]] inline void exec_add_uw(H& h, I i) { h.xw(i.rd(), h.xr(i.rs2()) + bitmanip::zext32(h.xr(i.rs1()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sh1add(H& h, I i) { h.xw(i.rd(), h.xr(i.rs2()) + (h.xr(i.rs1()) << 1)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sh2add(H& h, I i) { h.xw(i.rd(), h.xr(i.rs2()) + (h.xr(i.rs1()) << 2)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sh3add(H& h, I i) { h.xw(i.rd(), h.xr(i.rs2()) + (h.xr(i.rs1()) << 3)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sh1add_uw(H& h, I i) { h.xw(i.rd(), h.xr(i.rs2()) + (bitmanip::zext32(h.xr(i.rs1())) << 1)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sh2add_uw(H& h, I i) { h.xw(i.rd(), h.xr(i.rs2()) + (bitmanip::zext32(h.xr(i.rs1())) << 2)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sh3add_uw(H& h, I i) { h.xw(i.rd(), h.xr(i.rs2()) + (bitmanip::zext32(h.xr(i.rs1())) << 3)); }
template <class H, class I> [[gnu::always_inline]] inline void exec_slli_uw(H& h, I i) { h.xw(i.rd(), bitmanip::zext32(h.xr(i.rs1())) << i.shamt6()); }

// --- Zbb ----------------------------------------------------------------------------------------
template <class H, class I> [[gnu::always_inline]] inline void exec_andn(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) & ~h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_orn(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) | ~h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_xnor(H& h, I i) { h.xw(i.rd(), ~(h.xr(i.rs1()) ^ h.xr(i.rs2()))); }
// Counts: clz 0 = 64, clzw/ctzw of a zero low word = 32 (the upper half of rs1 is ignored).
template <class H, class I> [[gnu::always_inline]] inline void exec_clz(H& h, I i) { h.xw(i.rd(), static_cast<u64>(std::countl_zero(h.xr(i.rs1())))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_clzw(H& h, I i) { h.xw(i.rd(), static_cast<u64>(std::countl_zero(static_cast<bitmanip::u32>(h.xr(i.rs1()))))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_ctz(H& h, I i) { h.xw(i.rd(), static_cast<u64>(std::countr_zero(h.xr(i.rs1())))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_ctzw(H& h, I i) { h.xw(i.rd(), static_cast<u64>(std::countr_zero(static_cast<bitmanip::u32>(h.xr(i.rs1()))))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_cpop(H& h, I i) { h.xw(i.rd(), static_cast<u64>(std::popcount(h.xr(i.rs1())))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_cpopw(H& h, I i) { h.xw(i.rd(), static_cast<u64>(std::popcount(static_cast<bitmanip::u32>(h.xr(i.rs1()))))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_max(H& h, I i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), static_cast<i64>(a) < static_cast<i64>(b) ? b : a);
}
template <class H, class I> [[gnu::always_inline]] inline void exec_maxu(H& h, I i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), a < b ? b : a);
}
template <class H, class I> [[gnu::always_inline]] inline void exec_min(H& h, I i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), static_cast<i64>(a) < static_cast<i64>(b) ? a : b);
}
template <class H, class I> [[gnu::always_inline]] inline void exec_minu(H& h, I i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), a < b ? a : b);
}
template <class H, class I> [[gnu::always_inline]] inline void exec_sext_b(H& h, I i) { h.xw(i.rd(), static_cast<u64>(static_cast<i64>(static_cast<std::int8_t>(h.xr(i.rs1()))))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_sext_h(H& h, I i) { h.xw(i.rd(), static_cast<u64>(static_cast<i64>(static_cast<std::int16_t>(h.xr(i.rs1()))))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_zext_h(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) & 0xffff); }
// Rotations use the low 6 (5 for the word forms) bits of the amount.
template <class H, class I> [[gnu::always_inline]] inline void exec_rol(H& h, I i) { h.xw(i.rd(), std::rotl(h.xr(i.rs1()), static_cast<int>(h.xr(i.rs2()) & 63))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_ror(H& h, I i) { h.xw(i.rd(), std::rotr(h.xr(i.rs1()), static_cast<int>(h.xr(i.rs2()) & 63))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_rori(H& h, I i) { h.xw(i.rd(), std::rotr(h.xr(i.rs1()), static_cast<int>(i.shamt6()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_rolw(H& h, I i) {
  h.xw(i.rd(), sext32(std::rotl(static_cast<bitmanip::u32>(h.xr(i.rs1())), static_cast<int>(h.xr(i.rs2()) & 31))));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_rorw(H& h, I i) {
  h.xw(i.rd(), sext32(std::rotr(static_cast<bitmanip::u32>(h.xr(i.rs1())), static_cast<int>(h.xr(i.rs2()) & 31))));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_roriw(H& h, I i) {
  h.xw(i.rd(), sext32(std::rotr(static_cast<bitmanip::u32>(h.xr(i.rs1())), static_cast<int>(i.shamt5()))));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_orc_b(H& h, I i) { h.xw(i.rd(), bitmanip::orc_b(h.xr(i.rs1()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_rev8(H& h, I i) { h.xw(i.rd(), __builtin_bswap64(h.xr(i.rs1()))); }

// --- Zbc ----------------------------------------------------------------------------------------
template <class H, class I> [[gnu::always_inline]] inline void exec_clmul(H& h, I i) { h.xw(i.rd(), bitmanip::clmul(h.xr(i.rs1()), h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_clmulh(H& h, I i) { h.xw(i.rd(), bitmanip::clmulh(h.xr(i.rs1()), h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_clmulr(H& h, I i) { h.xw(i.rd(), bitmanip::clmulr(h.xr(i.rs1()), h.xr(i.rs2()))); }

// --- Zbs: the bit index is the low 6 bits of rs2 or the shift amount -----------------------------
template <class H, class I> [[gnu::always_inline]] inline void exec_bclr(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) & ~bitmanip::one_bit(h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bclri(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) & ~bitmanip::one_bit(i.shamt6())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bext(H& h, I i) { h.xw(i.rd(), (h.xr(i.rs1()) >> (h.xr(i.rs2()) & 63)) & 1); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bexti(H& h, I i) { h.xw(i.rd(), (h.xr(i.rs1()) >> i.shamt6()) & 1); }
template <class H, class I> [[gnu::always_inline]] inline void exec_binv(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) ^ bitmanip::one_bit(h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_binvi(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) ^ bitmanip::one_bit(i.shamt6())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bset(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) | bitmanip::one_bit(h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_bseti(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) | bitmanip::one_bit(i.shamt6())); }

} // namespace retrace::exec
