// Finding where an ELF's code runs: a window of guest bytes around the pc must appear exactly
// once in the file's executable segments. Position-independent code (U-Boot is built -fpie)
// is byte-identical after relocation; only data holds relocated pointers.
#include "retrace/machine/symbol_file.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>

namespace retrace {

SymbolFile SymbolFile::load(const std::string& path) {
  SymbolFile f;
  f.m_elf = std::make_shared<const ElfFile>(ElfFile::load(path));
  f.m_lines = std::make_shared<const SourceLines>(*f.m_elf);
  return f;
}

std::optional<std::int64_t> SymbolFile::find_offset(std::uint64_t pc, const Reader& read) const {
  // Windows from small to large: a larger one settles ambiguity (repeated code sequences).
  for (const std::size_t size : {32u, 128u, 512u}) {
    std::array<std::uint8_t, 512> window{};
    std::uint64_t start = pc >= size / 4 ? pc - size / 4 : 0; // a little before the pc, the rest after
    if (!read(start, window.data(), size)) {
      start = pc;
      if (!read(start, window.data(), size)) continue;
    }
    std::optional<std::int64_t> found;
    bool ambiguous = false;
    for (const auto& seg : m_elf->segments()) {
      if (!(seg.flags & 1)) continue; // PF_X
      const auto& d = seg.data;
      for (auto it = d.begin(); (it = std::search(it, d.end(), window.begin(), window.begin() + size)) != d.end(); ++it) {
        const std::uint64_t link = seg.vaddr + static_cast<std::uint64_t>(it - d.begin());
        const auto off = static_cast<std::int64_t>(start - link);
        if (off == 0) return 0; // where it was linked: no question
        if (found && *found != off) ambiguous = true;
        found = off;
      }
    }
    if (found && !ambiguous) return found;
    if (!found) return std::nullopt; // a larger window will not appear either
  }
  return std::nullopt;
}

SymbolFile::Where SymbolFile::locate(std::uint64_t pc, std::int64_t offset) const {
  Where w;
  const std::uint64_t link = pc - static_cast<std::uint64_t>(offset);
  if (auto s = m_elf->symbolize(link))
    w.symbol = s->second ? fmt::format("{}+{:#x}", s->first->name, s->second) : s->first->name;
  if (auto loc = m_lines->find(link)) w.source = loc->describe();
  return w;
}

} // namespace retrace
