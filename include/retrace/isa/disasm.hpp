#pragma once
/// \file
/// Disassembly in GNU objdump's syntax (ABI register names, its aliases such as li, mv, ret,
/// j, beqz, csrr, fmv.d, and branch targets as absolute hex addresses), generated from the
/// instruction table's formats.
///
/// Example:
/// \code
///   retrace::isa::disassemble(0x00a50533, 0x80000000);   // "add\ta0,a0,a0"
///   retrace::isa::disassemble(0x8082, 0x80000000);       // "ret"
/// \endcode

#include <cstdint>
#include <string>
#include <string_view>

namespace retrace::isa {

/// Disassembles the instruction whose first bytes are `raw` (a compressed instruction uses only
/// the low 16 bits) at address `pc`. Mnemonic and operands are separated by a tab, as objdump
/// prints them; an undecodable word gives ".insn" with its hex value.
[[nodiscard]] std::string disassemble(std::uint32_t raw, std::uint64_t pc);

/// ABI name of integer register r ("zero", "ra", "sp", ... "t6").
[[nodiscard]] std::string_view xreg_name(unsigned r);
/// ABI name of floating-point register r ("ft0" ... "ft11").
[[nodiscard]] std::string_view freg_name(unsigned r);

} // namespace retrace::isa
