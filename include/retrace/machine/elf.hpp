#pragma once
/// \file
/// Reading guest ELF files: what to load where, the entry point and the symbols.
///
/// Everything is validated on load (class, machine, segment bounds), so the rest of retrace
/// can trust an ElfFile; a malformed file is a retrace::Error naming the file and offset.
///
/// Example:
/// \code
///   auto elf = retrace::ElfFile::load("build/default/guest-fixtures/hello/hello.elf");
///   for (const auto& seg : elf.segments()) bus.write(seg.paddr, seg.data);
///   hart.set_pc(elf.entry());
///   if (auto tohost = elf.symbol("tohost")) { /* enable HTIF */ }
/// \endcode

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace retrace {

/// One PT_LOAD segment: `data` goes to `paddr`, then zeros up to `memsz`.
struct ElfSegment {
  std::uint64_t vaddr = 0;
  std::uint64_t paddr = 0;
  std::uint64_t memsz = 0;
  std::uint32_t flags = 0; ///< PF_R / PF_W / PF_X
  std::vector<std::uint8_t> data;
};

/// A named symbol (functions and objects), for HTIF, reports and gdb.
struct ElfSymbol {
  std::string name;
  std::uint64_t value = 0;
  std::uint64_t size = 0;
  bool is_function = false;
};

/// A validated guest ELF file.
class ElfFile {
public:
  /// Reads and validates `path`. Throws retrace::Error (io, bad_elf).
  static ElfFile load(const std::string& path);
  /// Parses an in-memory image; `name` is used in error messages.
  static ElfFile parse(std::vector<std::uint8_t> bytes, const std::string& name);

  [[nodiscard]] const std::string& path() const noexcept { return m_path; }
  [[nodiscard]] bool is_64bit() const noexcept { return m_64bit; }
  [[nodiscard]] std::uint16_t machine() const noexcept { return m_machine; } ///< e_machine
  [[nodiscard]] std::uint64_t entry() const noexcept { return m_entry; }
  [[nodiscard]] std::uint32_t flags() const noexcept { return m_flags; } ///< e_flags (float ABI, RVC)
  [[nodiscard]] const std::vector<ElfSegment>& segments() const noexcept { return m_segments; }
  /// Symbols sorted by address (then name).
  [[nodiscard]] const std::vector<ElfSymbol>& symbols() const noexcept { return m_symbols; }
  /// Address of the symbol called `name`, if present.
  [[nodiscard]] std::optional<std::uint64_t> symbol(std::string_view name) const;
  /// The function or object containing `addr`, and the offset into it ("main+0x12").
  [[nodiscard]] std::optional<std::pair<const ElfSymbol*, std::uint64_t>>
  symbolize(std::uint64_t addr) const;
  /// The raw file contents (for content hashes and DWARF).
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return m_bytes; }

private:
  std::string m_path;
  std::vector<std::uint8_t> m_bytes;
  bool m_64bit = false;
  std::uint16_t m_machine = 0;
  std::uint64_t m_entry = 0;
  std::uint32_t m_flags = 0;
  std::vector<ElfSegment> m_segments;
  std::vector<ElfSymbol> m_symbols;
};

} // namespace retrace
