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

namespace retrace {

/// A source position.
struct SourceLocation {
  std::string file;
  int line = 0;
};

/// Address-to-line lookups over one ELF file. An ELF without DWARF answers nothing.
class SourceLines {
public:
  explicit SourceLines(const ElfFile& elf);
  ~SourceLines();
  SourceLines(const SourceLines&) = delete;
  SourceLines& operator=(const SourceLines&) = delete;
  /// The source line of the instruction at `addr`, if the DWARF has one.
  [[nodiscard]] std::optional<SourceLocation> find(std::uint64_t addr) const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

} // namespace retrace
