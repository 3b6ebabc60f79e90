// DWARF line lookups with libdw, over the ELF bytes retrace already holds.
#include "retrace/machine/dwarf.hpp"

#include <elfutils/libdw.h>
#include <libelf.h>
#include <vector>

namespace retrace {

struct SourceLines::Impl {
  std::vector<std::uint8_t> bytes; // libdw reads from this buffer
  Elf* elf = nullptr;
  Dwarf* dwarf = nullptr;
  ~Impl() {
    if (dwarf) dwarf_end(dwarf);
    if (elf) elf_end(elf);
  }
};

SourceLines::SourceLines(const ElfFile& elf) : m_impl(std::make_unique<Impl>()) {
  elf_version(EV_CURRENT);
  m_impl->bytes = elf.bytes();
  m_impl->elf = elf_memory(reinterpret_cast<char*>(m_impl->bytes.data()), m_impl->bytes.size());
  if (m_impl->elf) m_impl->dwarf = dwarf_begin_elf(m_impl->elf, DWARF_C_READ, nullptr);
}

SourceLines::~SourceLines() = default;

std::optional<SourceLocation> SourceLines::find(std::uint64_t addr) const {
  if (!m_impl->dwarf) return std::nullopt;
  Dwarf_Die cu;
  if (!dwarf_addrdie(m_impl->dwarf, addr, &cu)) return std::nullopt;
  Dwarf_Line* line = dwarf_getsrc_die(&cu, addr);
  if (!line) return std::nullopt;
  SourceLocation loc;
  const char* file = dwarf_linesrc(line, nullptr, nullptr);
  if (file) loc.file = file;
  if (dwarf_lineno(line, &loc.line) != 0) return std::nullopt;
  return loc;
}

} // namespace retrace
