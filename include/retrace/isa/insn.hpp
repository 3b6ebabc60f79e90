#pragma once
/// \file
/// A 32-bit instruction word with accessors for its fields (compressed instructions are
/// expanded to this form first, see decode.hpp).

#include <cstdint>

namespace retrace::isa {

/// An instruction word; accessors decode fields on demand and sign-extend immediates.
struct Insn {
  std::uint32_t bits = 0;

  [[nodiscard]] constexpr unsigned rd() const { return (bits >> 7) & 31; }
  [[nodiscard]] constexpr unsigned rs1() const { return (bits >> 15) & 31; }
  [[nodiscard]] constexpr unsigned rs2() const { return (bits >> 20) & 31; }
  [[nodiscard]] constexpr unsigned rs3() const { return bits >> 27; }
  [[nodiscard]] constexpr unsigned funct3() const { return (bits >> 12) & 7; }
  [[nodiscard]] constexpr unsigned rm() const { return (bits >> 12) & 7; }
  [[nodiscard]] constexpr unsigned csr() const { return bits >> 20; }
  [[nodiscard]] constexpr unsigned shamt6() const { return (bits >> 20) & 63; }
  [[nodiscard]] constexpr unsigned shamt5() const { return (bits >> 20) & 31; }
  [[nodiscard]] constexpr bool aq() const { return (bits >> 26) & 1; }
  [[nodiscard]] constexpr bool rl() const { return (bits >> 25) & 1; }
  [[nodiscard]] constexpr unsigned pred() const { return (bits >> 24) & 15; }
  [[nodiscard]] constexpr unsigned succ() const { return (bits >> 20) & 15; }

  [[nodiscard]] constexpr std::int64_t imm_i() const { return sext(bits >> 20, 12); }
  [[nodiscard]] constexpr std::int64_t imm_s() const { return sext(((bits >> 25) << 5) | ((bits >> 7) & 31), 12); }
  [[nodiscard]] constexpr std::int64_t imm_b() const {
    return sext(((bits >> 31) << 12) | (((bits >> 7) & 1) << 11) | (((bits >> 25) & 63) << 5) | (((bits >> 8) & 15) << 1),
                13);
  }
  [[nodiscard]] constexpr std::int64_t imm_u() const { return sext(bits & 0xfffff000u, 32); }
  [[nodiscard]] constexpr std::int64_t imm_j() const {
    return sext(((bits >> 31) << 20) | (((bits >> 12) & 255) << 12) | (((bits >> 20) & 1) << 11) |
                    (((bits >> 21) & 1023) << 1),
                21);
  }

private:
  // Sign-extends the low `width` bits of v (fields are assembled unsigned, then extended once).
  static constexpr std::int64_t sext(std::uint32_t v, unsigned width) {
    const std::uint64_t m = std::uint64_t{1} << (width - 1);
    const std::uint64_t x = v & ((std::uint64_t{1} << width) - 1);
    return static_cast<std::int64_t>((x ^ m) - m);
  }
};

// Encoders, the inverse of the accessors: for the RVC expansion, the boot ROM and tests.
[[nodiscard]] constexpr std::uint32_t enc_r(unsigned f7, unsigned rs2, unsigned rs1, unsigned f3, unsigned rd,
                                            unsigned opc) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}
[[nodiscard]] constexpr std::uint32_t enc_i(std::int64_t imm, unsigned rs1, unsigned f3, unsigned rd, unsigned opc) {
  return (static_cast<std::uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}
[[nodiscard]] constexpr std::uint32_t enc_s(std::int64_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned opc) {
  const auto u = static_cast<std::uint32_t>(imm & 0xfff);
  return ((u >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 31) << 7) | opc;
}
[[nodiscard]] constexpr std::uint32_t enc_b(std::int64_t imm, unsigned rs2, unsigned rs1, unsigned f3, unsigned opc) {
  const auto u = static_cast<std::uint32_t>(imm & 0x1fff);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 63) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
         (((u >> 1) & 15) << 8) | (((u >> 11) & 1) << 7) | opc;
}
[[nodiscard]] constexpr std::uint32_t enc_u(std::int64_t imm, unsigned rd, unsigned opc) {
  return (static_cast<std::uint32_t>(imm) & 0xfffff000u) | (rd << 7) | opc;
}
[[nodiscard]] constexpr std::uint32_t enc_j(std::int64_t imm, unsigned rd, unsigned opc) {
  const auto u = static_cast<std::uint32_t>(imm & 0x1fffff);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 1023) << 21) | (((u >> 11) & 1) << 20) |
         (((u >> 12) & 255) << 12) | (rd << 7) | opc;
}

} // namespace retrace::isa
