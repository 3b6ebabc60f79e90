#pragma once
/// \file
/// Source lines for guest addresses, from the ELF's DWARF line tables (elfutils libdw).
///
/// Example:
/// \code
///   retrace::SourceLines lines(elf);                 // elf: retrace::ElfFile
///   if (auto loc = lines.find(0x80000124)) std::cout << loc->file << ':' << loc->line;
/// \endcode

#include "retrace/machine/elf.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace retrace {

/// Where inlined code was inlined: the call site, in the function it was inlined into.
struct InlinedAt {
  std::string file;
  int line = 0;
  std::string function; ///< the caller
};

/// A source position.
struct SourceLocation {
  std::string file;
  int line = 0;
  std::string function;            ///< the (innermost, possibly inlined) function, if DWARF names it
  std::vector<InlinedAt> inlined;  ///< innermost first: the call sites the code was inlined at
  /// "io.h:49", or "io.h:49 (writeb, inlined at ns16550.c:72 in serial_out_shift, ...)".
  [[nodiscard]] std::string describe() const;
};

/// Address-to-line lookups over one ELF file. An ELF without DWARF answers nothing.
class SourceLines {
public:
  explicit SourceLines(const ElfFile& elf);
  ~SourceLines();
  SourceLines(const SourceLines&) = delete;
  SourceLines& operator=(const SourceLines&) = delete;
  /// True if the file has DWARF debugging information at all (a stripped file has none).
  [[nodiscard]] bool has_dwarf() const noexcept;
  /// The source line of the instruction at `addr`, if the DWARF has one.
  [[nodiscard]] std::optional<SourceLocation> find(std::uint64_t addr) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace retrace
