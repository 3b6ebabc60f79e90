#pragma once
/// \file
/// Decoding, generated from the instruction table in encoding.hpp: a 32-bit word to its Op,
/// and a 16-bit compressed word to the 32-bit instruction it expands into.
///
/// Example:
/// \code
///   auto d = retrace::isa::decode(0x00a50533);   // add a0,a0,a0
///   assert(d.op == retrace::isa::Op::add && d.length == 4);
///   auto c = retrace::isa::decode(0x4505);       // c.li a0,1 -> addi a0,zero,1
///   assert(c.op == retrace::isa::Op::addi && c.length == 2);
/// \endcode

#include "retrace/isa/encoding.hpp"
#include "retrace/isa/insn.hpp"

#include <array>
#include <cstdint>

namespace retrace::isa {

/// A decoded instruction: its Op, its (expanded) 32-bit form and its length in bytes.
struct Decoded {
  Op op = Op::illegal;
  Insn insn;
  std::uint8_t length = 4;
};

namespace detail {

// Rows grouped by major opcode (bits 6:2), so a decode scans only the few candidates.
struct OpcodeBuckets {
  std::array<std::uint16_t, 33> start{};
  std::array<std::uint16_t, op_count> rows{};
};

constexpr OpcodeBuckets make_buckets() {
  OpcodeBuckets b{};
  std::size_t n = 0;
  for (unsigned major = 0; major < 32; ++major) {
    b.start[major] = static_cast<std::uint16_t>(n);
    for (std::size_t i = 0; i < op_count; ++i)
      if (((insn_table[i].match >> 2) & 31) == major) b.rows[n++] = static_cast<std::uint16_t>(i);
  }
  b.start[32] = static_cast<std::uint16_t>(n);
  return b;
}
inline constexpr OpcodeBuckets buckets = make_buckets();

constexpr unsigned bits(std::uint32_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr std::int64_t sext(std::uint32_t v, unsigned width) {
  return static_cast<std::int64_t>(static_cast<std::int32_t>(v << (32 - width)) >> (32 - width));
}

} // namespace detail

/// The Op of a 32-bit instruction word (Op::illegal if no row matches).
[[nodiscard]] constexpr Op decode_op(std::uint32_t w) {
  if ((w & 3) != 3) return Op::illegal;
  const unsigned major = (w >> 2) & 31;
  for (unsigned k = detail::buckets.start[major]; k < detail::buckets.start[major + 1]; ++k) {
    const auto& row = insn_table[detail::buckets.rows[k]];
    if ((w & row.mask) == row.match) return row.op;
  }
  return Op::illegal;
}

/// Which compressed group a 16-bit word belongs to (COp::illegal if none).
[[nodiscard]] constexpr COp decode_cop(std::uint16_t c) {
  for (const auto& row : rvc_table)
    if ((c & row.mask) == row.match) return row.op;
  return COp::illegal;
}

/// The 32-bit instruction a compressed word stands for, or 0 if it is illegal or reserved.
[[nodiscard]] constexpr std::uint32_t expand_compressed(std::uint16_t c) {
  using detail::bits;
  using detail::sext;
  const std::uint32_t w = c;
  const unsigned rd = bits(w, 11, 7), rs2 = bits(w, 6, 2);
  const unsigned rdp = bits(w, 4, 2) + 8, rs1p = bits(w, 9, 7) + 8;
  const std::int64_t imm6 = sext((bits(w, 12, 12) << 5) | bits(w, 6, 2), 6);
  const unsigned uimm_d = (bits(w, 12, 10) << 3) | (bits(w, 6, 5) << 6);                  // c.ld/c.fld/c.sd
  const unsigned uimm_w = (bits(w, 12, 10) << 3) | (bits(w, 6, 6) << 2) | (bits(w, 5, 5) << 6); // c.lw/c.sw
  switch (decode_cop(c)) {
  case COp::c_addi4spn: {
    const unsigned nz = (bits(w, 12, 11) << 4) | (bits(w, 10, 7) << 6) | (bits(w, 6, 6) << 2) | (bits(w, 5, 5) << 3);
    return nz == 0 ? 0 : enc_i(nz, 2, 0, rdp, 0x13);
  }
  case COp::c_fld: return enc_i(uimm_d, rs1p, 3, rdp, 0x07);
  case COp::c_lw: return enc_i(uimm_w, rs1p, 2, rdp, 0x03);
  case COp::c_ld: return enc_i(uimm_d, rs1p, 3, rdp, 0x03);
  case COp::c_fsd: return enc_s(uimm_d, rdp, rs1p, 3, 0x27);
  case COp::c_sw: return enc_s(uimm_w, rdp, rs1p, 2, 0x23);
  case COp::c_sd: return enc_s(uimm_d, rdp, rs1p, 3, 0x23);
  case COp::c_addi: return enc_i(imm6, rd, 0, rd, 0x13);
  case COp::c_addiw: return rd == 0 ? 0 : enc_i(imm6, rd, 0, rd, 0x1b);
  case COp::c_li: return enc_i(imm6, 0, 0, rd, 0x13);
  case COp::c_lui_addi16sp: {
    if (rd == 2) {
      const std::int64_t nz = sext((bits(w, 12, 12) << 9) | (bits(w, 6, 6) << 4) | (bits(w, 5, 5) << 6) |
                                       (bits(w, 4, 3) << 7) | (bits(w, 2, 2) << 5),
                                   10);
      return nz == 0 ? 0 : enc_i(nz, 2, 0, 2, 0x13);
    }
    const std::int64_t nz = sext((bits(w, 12, 12) << 17) | (bits(w, 6, 2) << 12), 18);
    return nz == 0 ? 0 : enc_u(nz, rd, 0x37);
  }
  case COp::c_srli: return enc_r(0x00 | (bits(w, 12, 12)), bits(w, 6, 2), rs1p, 5, rs1p, 0x13);
  case COp::c_srai: return enc_r(0x20 | (bits(w, 12, 12)), bits(w, 6, 2), rs1p, 5, rs1p, 0x13);
  case COp::c_andi: return enc_i(imm6, rs1p, 7, rs1p, 0x13);
  case COp::c_sub: return enc_r(0x20, rdp, rs1p, 0, rs1p, 0x33);
  case COp::c_xor: return enc_r(0x00, rdp, rs1p, 4, rs1p, 0x33);
  case COp::c_or: return enc_r(0x00, rdp, rs1p, 6, rs1p, 0x33);
  case COp::c_and: return enc_r(0x00, rdp, rs1p, 7, rs1p, 0x33);
  case COp::c_subw: return enc_r(0x20, rdp, rs1p, 0, rs1p, 0x3b);
  case COp::c_addw: return enc_r(0x00, rdp, rs1p, 0, rs1p, 0x3b);
  case COp::c_j: {
    const std::int64_t off = sext((bits(w, 12, 12) << 11) | (bits(w, 11, 11) << 4) | (bits(w, 10, 9) << 8) |
                                      (bits(w, 8, 8) << 10) | (bits(w, 7, 7) << 6) | (bits(w, 6, 6) << 7) |
                                      (bits(w, 5, 3) << 1) | (bits(w, 2, 2) << 5),
                                  12);
    return enc_j(off, 0, 0x6f);
  }
  case COp::c_beqz:
  case COp::c_bnez: {
    const std::int64_t off = sext((bits(w, 12, 12) << 8) | (bits(w, 11, 10) << 3) | (bits(w, 6, 5) << 6) |
                                      (bits(w, 4, 3) << 1) | (bits(w, 2, 2) << 5),
                                  9);
    return enc_b(off, 0, rs1p, decode_cop(c) == COp::c_beqz ? 0 : 1, 0x63);
  }
  case COp::c_slli: return enc_r(bits(w, 12, 12), bits(w, 6, 2), rd, 1, rd, 0x13);
  case COp::c_fldsp: return enc_i((bits(w, 12, 12) << 5) | (bits(w, 6, 5) << 3) | (bits(w, 4, 2) << 6), 2, 3, rd, 0x07);
  case COp::c_lwsp:
    return rd == 0 ? 0 : enc_i((bits(w, 12, 12) << 5) | (bits(w, 6, 4) << 2) | (bits(w, 3, 2) << 6), 2, 2, rd, 0x03);
  case COp::c_ldsp:
    return rd == 0 ? 0 : enc_i((bits(w, 12, 12) << 5) | (bits(w, 6, 5) << 3) | (bits(w, 4, 2) << 6), 2, 3, rd, 0x03);
  case COp::c_jr_mv:
    if (rs2 == 0) return rd == 0 ? 0 : enc_i(0, rd, 0, 0, 0x67);
    return enc_r(0, rs2, 0, 0, rd, 0x33);
  case COp::c_ebreak_jalr_add:
    if (rs2 == 0) return rd == 0 ? 0x00100073u : enc_i(0, rd, 0, 1, 0x67);
    return enc_r(0, rs2, rd, 0, rd, 0x33);
  case COp::c_fsdsp: return enc_s((bits(w, 12, 10) << 3) | (bits(w, 9, 7) << 6), rs2, 2, 3, 0x27);
  case COp::c_swsp: return enc_s((bits(w, 12, 9) << 2) | (bits(w, 8, 7) << 6), rs2, 2, 2, 0x23);
  case COp::c_sdsp: return enc_s((bits(w, 12, 10) << 3) | (bits(w, 9, 7) << 6), rs2, 2, 3, 0x23);
  case COp::illegal: return 0;
  }
  return 0;
}

/// Decodes the instruction whose low bits are in `w` (a 16-bit compressed one uses only w[15:0]).
[[nodiscard]] constexpr Decoded decode(std::uint32_t w) {
  if ((w & 3) != 3) {
    const std::uint32_t x = expand_compressed(static_cast<std::uint16_t>(w));
    return {x ? decode_op(x) : Op::illegal, Insn{x ? x : (w & 0xffff)}, 2};
  }
  return {decode_op(w), Insn{w}, 4};
}

} // namespace retrace::isa
