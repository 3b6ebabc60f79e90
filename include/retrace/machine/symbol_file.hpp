#pragma once
/// \file
/// Symbols and source lines from an ELF whose code may run somewhere other than where it was
/// linked. U-Boot copies itself to the top of RAM during boot, and its uboot.elf names nothing
/// there; a raw firmware image (u-boot.bin) carries no symbols at all. A SymbolFile finds where
/// its code is running by matching the bytes around a pc against its executable segments, so
/// reports name functions (and, with DWARF, lines) in relocated code too.
///
/// Example:
/// \code
///   auto syms = retrace::SymbolFile::load("/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf");
///   auto read = [&](std::uint64_t a, void* p, std::size_t n) { return hart.debug_read(a, p, n); };
///   if (auto off = syms.find_offset(pc, read))
///     if (auto w = syms.locate(pc, *off)) std::cout << w->symbol << ' ' << w->source;
/// \endcode

#include "retrace/machine/dwarf.hpp"
#include "retrace/machine/elf.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace retrace {

class SymbolFile {
public:
  /// Reads `path`. Throws retrace::Error (io, bad_elf) naming it.
  static SymbolFile load(const std::string& path);

  /// Reads guest memory as the code sees it (virtual addresses); false where it cannot.
  using Reader = std::function<bool(std::uint64_t addr, void* dst, std::size_t n)>;

  /// The offset (running address - link address) at which this file's code is at `pc`: 0 if
  /// it runs where it was linked, else the one offset at which the bytes around `pc` appear in
  /// an executable segment. Nothing if they appear nowhere, or in several places.
  [[nodiscard]] std::optional<std::int64_t> find_offset(std::uint64_t pc, const Reader& read) const;

  /// What the file says about the instruction at `pc`, running at `offset`.
  struct Where {
    std::string symbol; ///< "puts+0x1c", or empty
    std::string source; ///< "common/console.c:123", or empty (no DWARF line for it)
  };
  [[nodiscard]] Where locate(std::uint64_t pc, std::int64_t offset) const;

  [[nodiscard]] const ElfFile& elf() const noexcept { return *m_elf; }
  [[nodiscard]] const std::string& path() const noexcept { return m_elf->path(); }
  /// True if the file has DWARF, so lines can be named (Debian's uboot.elf has none).
  [[nodiscard]] bool has_lines() const noexcept { return m_lines->has_dwarf(); }

private:
  std::shared_ptr<const ElfFile> m_elf;
  std::shared_ptr<const SourceLines> m_lines;
};

} // namespace retrace
