#pragma once
/// \file
/// RV64M semantics: division by zero and signed overflow give the results the spec defines
/// (no trap).
#include "retrace/cpu/exec_i.hpp"
#include "retrace/detail/int128.hpp"

namespace retrace::exec {

using detail::i128;
using detail::u128;

template <class H, class I> [[gnu::always_inline]] inline void exec_mul(H& h, I i) { h.xw(i.rd(), h.xr(i.rs1()) * h.xr(i.rs2())); }
template <class H, class I> [[gnu::always_inline]] inline void exec_mulh(H& h, I i) {
  const i128 p = static_cast<i128>(static_cast<i64>(h.xr(i.rs1()))) * static_cast<i64>(h.xr(i.rs2()));
  h.xw(i.rd(), static_cast<u64>(static_cast<u128>(p) >> 64));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_mulhsu(H& h, I i) {
  const i128 p = static_cast<i128>(static_cast<i64>(h.xr(i.rs1()))) * static_cast<i128>(h.xr(i.rs2()));
  h.xw(i.rd(), static_cast<u64>(static_cast<u128>(p) >> 64));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_mulhu(H& h, I i) {
  h.xw(i.rd(), static_cast<u64>((static_cast<u128>(h.xr(i.rs1())) * h.xr(i.rs2())) >> 64));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_div(H& h, I i) {
  const auto a = static_cast<i64>(h.xr(i.rs1())), b = static_cast<i64>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), ~u64{0});
  else if (a == INT64_MIN && b == -1) h.xw(i.rd(), static_cast<u64>(a));
  else h.xw(i.rd(), static_cast<u64>(a / b));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_divu(H& h, I i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), b == 0 ? ~u64{0} : a / b);
}
template <class H, class I> [[gnu::always_inline]] inline void exec_rem(H& h, I i) {
  const auto a = static_cast<i64>(h.xr(i.rs1())), b = static_cast<i64>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), static_cast<u64>(a));
  else if (a == INT64_MIN && b == -1) h.xw(i.rd(), 0);
  else h.xw(i.rd(), static_cast<u64>(a % b));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_remu(H& h, I i) {
  const u64 a = h.xr(i.rs1()), b = h.xr(i.rs2());
  h.xw(i.rd(), b == 0 ? a : a % b);
}
template <class H, class I> [[gnu::always_inline]] inline void exec_mulw(H& h, I i) { h.xw(i.rd(), sext32(h.xr(i.rs1()) * h.xr(i.rs2()))); }
template <class H, class I> [[gnu::always_inline]] inline void exec_divw(H& h, I i) {
  const auto a = static_cast<std::int32_t>(h.xr(i.rs1())), b = static_cast<std::int32_t>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), ~u64{0});
  else if (a == INT32_MIN && b == -1) h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a))));
  else h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a / b))));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_divuw(H& h, I i) {
  const auto a = static_cast<std::uint32_t>(h.xr(i.rs1())), b = static_cast<std::uint32_t>(h.xr(i.rs2()));
  h.xw(i.rd(), b == 0 ? ~u64{0} : sext32(a / b));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_remw(H& h, I i) {
  const auto a = static_cast<std::int32_t>(h.xr(i.rs1())), b = static_cast<std::int32_t>(h.xr(i.rs2()));
  if (b == 0) h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a))));
  else if (a == INT32_MIN && b == -1) h.xw(i.rd(), 0);
  else h.xw(i.rd(), sext32(static_cast<u64>(static_cast<i64>(a % b))));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_remuw(H& h, I i) {
  const auto a = static_cast<std::uint32_t>(h.xr(i.rs1())), b = static_cast<std::uint32_t>(h.xr(i.rs2()));
  h.xw(i.rd(), sext32(b == 0 ? a : a % b));
}

} // namespace retrace::exec
