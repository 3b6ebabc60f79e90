#include <retrace/machine/elf.hpp>
#include <retrace/version.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return 1;
  const auto elf = retrace::ElfFile::load(argv[1]);
  std::printf("retrace %s: entry %#llx\n", retrace::version_string,
              static_cast<unsigned long long>(elf.entry()));
  return elf.entry() == 0x80000000u ? 0 : 1;
}
