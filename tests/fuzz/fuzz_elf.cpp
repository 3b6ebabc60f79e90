// libFuzzer target: the ELF loader (ElfFile::parse) on arbitrary bytes, then everything a
// machine asks of a parsed file: segments, symbols, the entry point.
#include "retrace/error.hpp"
#include "retrace/machine/elf.hpp"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto elf = retrace::ElfFile::parse(std::vector<std::uint8_t>(data, data + size), "fuzz.elf");
    std::uint64_t sum = elf.entry();
    for (const auto& s : elf.segments()) sum += s.paddr + s.data.size() + s.memsz;
    (void)elf.symbol("main");
    (void)elf.symbolize(sum);
    for (const auto& s : elf.symbols()) (void)elf.symbolize(s.value);
  } catch (const retrace::Error&) {
  }
  return 0;
}
