// ELF reading with elfutils' libelf. Every bound is checked here so that nothing downstream
// has to trust the file: a malformed ELF is a retrace::Error, never a crash.
#include "retrace/machine/elf.hpp"

#include "retrace/error.hpp"

#include <algorithm>
#include <fstream>
#include <gelf.h>
#include <iterator>
#include <libelf.h>
#include <memory>

namespace retrace {
namespace {

constexpr std::uint16_t em_riscv = 243;

struct ElfCloser {
  void operator()(Elf* e) const noexcept { elf_end(e); }
};

[[noreturn]] void fail(const std::string& name, const std::string& msg,
                       std::optional<std::uint64_t> offset = std::nullopt) {
  throw Error(Errc::bad_elf, msg, ErrorContext{name, offset, std::nullopt});
}

std::string libelf_message() {
  const char* m = elf_errmsg(-1);
  return m ? m : "unknown libelf error";
}

} // namespace

ElfFile ElfFile::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot open ELF file", ErrorContext{path, {}, {}});
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(Errc::io, "cannot read ELF file", ErrorContext{path, {}, {}});
  return parse(std::move(bytes), path);
}

ElfFile ElfFile::parse(std::vector<std::uint8_t> bytes, const std::string& name) {
  ElfFile f;
  f.m_path = name;
  f.m_bytes = std::move(bytes);
  const std::uint64_t file_size = f.m_bytes.size();

  if (elf_version(EV_CURRENT) == EV_NONE) fail(name, "libelf initialisation failed");
  if (file_size < 4 || f.m_bytes[0] != 0x7f || f.m_bytes[1] != 'E' || f.m_bytes[2] != 'L' ||
      f.m_bytes[3] != 'F')
    fail(name, "not an ELF file (bad magic)", 0);

  // libelf never writes through this pointer in ELF_C_READ_MEMORY mode.
  std::unique_ptr<Elf, ElfCloser> elf(
      elf_memory(reinterpret_cast<char*>(f.m_bytes.data()), f.m_bytes.size()));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) fail(name, "not an ELF file: " + libelf_message(), 0);

  GElf_Ehdr eh;
  if (!gelf_getehdr(elf.get(), &eh)) fail(name, "truncated ELF header: " + libelf_message(), 0);
  const int cls = gelf_getclass(elf.get());
  if (cls != ELFCLASS64 && cls != ELFCLASS32) fail(name, "unknown ELF class", 4);
  f.m_64bit = cls == ELFCLASS64;
  if (eh.e_ident[EI_DATA] != ELFDATA2LSB) fail(name, "not a little-endian ELF", 5);
  f.m_machine = eh.e_machine;
  if (eh.e_machine != em_riscv)
    fail(name, "not a RISC-V ELF (e_machine " + std::to_string(eh.e_machine) + ")", 18);
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
    fail(name, "not an executable ELF (e_type " + std::to_string(eh.e_type) + ")", 16);
  f.m_entry = eh.e_entry;
  f.m_flags = eh.e_flags;

  std::size_t phnum = 0;
  if (elf_getphdrnum(elf.get(), &phnum) != 0) fail(name, "bad program header table: " + libelf_message(), eh.e_phoff);
  for (std::size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    const std::uint64_t ph_off = eh.e_phoff + i * eh.e_phentsize;
    if (!gelf_getphdr(elf.get(), static_cast<int>(i), &ph))
      fail(name, "bad program header " + std::to_string(i) + ": " + libelf_message(), ph_off);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_filesz > ph.p_memsz)
      fail(name, "segment " + std::to_string(i) + " has p_filesz > p_memsz", ph_off);
    if (ph.p_offset > file_size || ph.p_filesz > file_size - ph.p_offset)
      fail(name, "segment " + std::to_string(i) + " extends past the end of the file", ph_off);
    if (ph.p_paddr + ph.p_memsz < ph.p_paddr)
      fail(name, "segment " + std::to_string(i) + " wraps around the address space", ph_off);
    ElfSegment seg;
    seg.vaddr = ph.p_vaddr;
    seg.paddr = ph.p_paddr;
    seg.memsz = ph.p_memsz;
    seg.flags = ph.p_flags;
    seg.data.assign(f.m_bytes.begin() + static_cast<std::ptrdiff_t>(ph.p_offset),
                    f.m_bytes.begin() + static_cast<std::ptrdiff_t>(ph.p_offset + ph.p_filesz));
    f.m_segments.push_back(std::move(seg));
  }
  if (f.m_segments.empty()) fail(name, "no loadable segment", eh.e_phoff);

  // Symbols: optional (a stripped ELF is fine), but a present table must be sane.
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf.get(), scn)) != nullptr) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) fail(name, "bad section header: " + libelf_message(), eh.e_shoff);
    // .symtab, and .dynsym too: a stripped PIE (Debian's uboot.elf) keeps only the latter.
    if (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) continue;
    const bool dynamic = sh.sh_type == SHT_DYNSYM;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || sh.sh_entsize == 0) fail(name, "bad symbol table: " + libelf_message(), sh.sh_offset);
    const std::size_t count = data->d_size / gelf_fsize(elf.get(), ELF_T_SYM, 1, EV_CURRENT);
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) break;
      const int type = GELF_ST_TYPE(sym.st_info);
      if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
      if (sym.st_shndx == SHN_UNDEF || sym.st_name == 0) continue;
      if (dynamic && sym.st_size == 0) continue; // exported markers, not code a report should name
      const char* nm = elf_strptr(elf.get(), sh.sh_link, sym.st_name);
      if (!nm || !*nm) continue;
      f.m_symbols.push_back({nm, sym.st_value, sym.st_size, type == STT_FUNC});
    }
  }
  std::sort(f.m_symbols.begin(), f.m_symbols.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
    return a.value != b.value ? a.value < b.value : a.name < b.name;
  });
  // A symbol in both tables once.
  f.m_symbols.erase(std::unique(f.m_symbols.begin(), f.m_symbols.end(),
                                [](const ElfSymbol& a, const ElfSymbol& b) { return a.value == b.value && a.name == b.name; }),
                    f.m_symbols.end());
  return f;
}

std::optional<std::uint64_t> ElfFile::symbol(std::string_view name) const {
  for (const auto& s : m_symbols)
    if (s.name == name) return s.value;
  return std::nullopt;
}

std::optional<std::pair<const ElfSymbol*, std::uint64_t>> ElfFile::symbolize(std::uint64_t addr) const {
  // The last sized symbol starting at or below addr that covers it; labels (size 0, e.g. in
  // assembly) count when nothing sized does.
  const ElfSymbol* best = nullptr;
  auto it = std::upper_bound(m_symbols.begin(), m_symbols.end(), addr,
                             [](std::uint64_t a, const ElfSymbol& s) { return a < s.value; });
  while (it != m_symbols.begin()) {
    --it;
    if (addr - it->value > (1u << 20)) break; // far enough: no symbol covers it
    if (it->size != 0 && addr < it->value + it->size) return std::pair{&*it, addr - it->value};
    // a label names what follows it closely (assembly routines), not whatever lies far beyond
    if (it->size == 0 && !best && addr - it->value < (64u << 10)) best = &*it;
  }
  if (best) return std::pair{best, addr - best->value};
  return std::nullopt;
}

} // namespace retrace
