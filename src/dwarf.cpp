// DWARF line lookups with libdw, over the ELF bytes retrace already holds.
#include "retrace/machine/dwarf.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fmt/format.h>
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

namespace {

// .debug_aranges may leave compilation units out (U-Boot's does for the code that ends up in
// its serial driver); then the CUs' own address ranges decide, as GNU addr2line does.
bool find_cu_by_ranges(Dwarf* dwarf, std::uint64_t addr, Dwarf_Die& out) {
  Dwarf_Off offset = 0, next = 0;
  std::size_t header_size = 0;
  while (dwarf_nextcu(dwarf, offset, &next, &header_size, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die die;
    if (dwarf_offdie(dwarf, offset + header_size, &die) && dwarf_haspc(&die, addr) == 1) {
      out = die;
      return true;
    }
    offset = next;
  }
  return false;
}

// The functions containing `addr`, outermost first: the subprogram, then each inlined
// subroutine inside it (lexical blocks are walked through). dwarf_getscopes misses the
// subprograms of GCC's .isra/.constprop clones, so the tree is walked here.
void scopes_at(Dwarf_Die* parent, std::uint64_t addr, std::vector<Dwarf_Die>& chain, int depth = 0) {
  Dwarf_Die child;
  if (depth > 64 || dwarf_child(parent, &child) != 0) return;
  do {
    const int tag = dwarf_tag(&child);
    if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) &&
        dwarf_haspc(&child, addr) == 1) {
      if (tag != DW_TAG_lexical_block) chain.push_back(child);
      scopes_at(&child, addr, chain, depth + 1);
      return;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

// Each inlined subroutine's DW_AT_call_file/line is its call site in the function around it.
void add_inlining(Dwarf_Die& cu, std::uint64_t addr, SourceLocation& loc) {
  std::vector<Dwarf_Die> chain;
  scopes_at(&cu, addr, chain);
  if (chain.empty()) return;
  auto name_of = [](Dwarf_Die* d) {
    const char* nm = dwarf_diename(d);
    return std::string(nm ? nm : "");
  };
  Dwarf_Files* files = nullptr;
  std::size_t nfiles = 0;
  const bool have_files = dwarf_getsrcfiles(&cu, &files, &nfiles) == 0;
  loc.function = name_of(&chain.back());
  for (std::size_t k = chain.size() - 1; k > 0; --k) {
    if (dwarf_tag(&chain[k]) != DW_TAG_inlined_subroutine) break;
    InlinedAt at;
    Dwarf_Attribute attr;
    Dwarf_Word v = 0;
    if (dwarf_formudata(dwarf_attr(&chain[k], DW_AT_call_line, &attr), &v) == 0) at.line = static_cast<int>(v);
    if (have_files && dwarf_formudata(dwarf_attr(&chain[k], DW_AT_call_file, &attr), &v) == 0 && v < nfiles)
      if (const char* f = dwarf_filesrc(files, v, nullptr, nullptr)) at.file = f;
    at.function = name_of(&chain[k - 1]);
    loc.inlined.push_back(std::move(at));
  }
}

} // namespace

SourceLines::SourceLines(const ElfFile& elf) : m_impl(std::make_unique<Impl>()) {
  elf_version(EV_CURRENT);
  m_impl->bytes = elf.bytes();
  m_impl->elf = elf_memory(reinterpret_cast<char*>(m_impl->bytes.data()), m_impl->bytes.size());
  if (m_impl->elf) m_impl->dwarf = dwarf_begin_elf(m_impl->elf, DWARF_C_READ, nullptr);
}

SourceLines::~SourceLines() = default;

bool SourceLines::has_dwarf() const noexcept { return m_impl->dwarf != nullptr; }

std::optional<SourceLocation> SourceLines::find(std::uint64_t addr) const {
  if (!m_impl->dwarf) return std::nullopt;
  Dwarf_Die cu;
  if (!dwarf_addrdie(m_impl->dwarf, addr, &cu) && !find_cu_by_ranges(m_impl->dwarf, addr, cu)) return std::nullopt;
  Dwarf_Line* line = dwarf_getsrc_die(&cu, addr);
  if (!line) return std::nullopt;
  SourceLocation loc;
  const char* file = dwarf_linesrc(line, nullptr, nullptr);
  if (file) loc.file = file;
  if (dwarf_lineno(line, &loc.line) != 0) return std::nullopt;
  add_inlining(cu, addr, loc);
  return loc;
}

std::string SourceLocation::describe() const {
  std::string s = fmt::format("{}:{}", file, line);
  if (inlined.empty()) return s;
  s += fmt::format(" ({}", function.empty() ? "inlined code" : function);
  for (const auto& at : inlined)
    s += fmt::format(", inlined at {}:{}{}", at.file, at.line, at.function.empty() ? "" : " in " + at.function);
  return s + ")";
}

} // namespace retrace
