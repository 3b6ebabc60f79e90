// `retrace`: one CLI for everything a machine or a log can do. Errors from bad input are
// retrace::Error and end in a one-line message and exit status 2.
#include "retrace/error.hpp"
#include "retrace/machine/elf.hpp"
#include "retrace/version.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <exception>

namespace {

int cmd_elf(const std::string& path) {
  const auto elf = retrace::ElfFile::load(path);
  fmt::print("{}: RISC-V ELF{} entry {:#x} flags {:#x}\n", elf.path(), elf.is_64bit() ? 64 : 32,
             elf.entry(), elf.flags());
  for (const auto& s : elf.segments())
    fmt::print("  LOAD paddr {:#010x} vaddr {:#010x} filesz {:#x} memsz {:#x} {}{}{}\n", s.paddr,
               s.vaddr, s.data.size(), s.memsz, (s.flags & 4) ? 'r' : '-', (s.flags & 2) ? 'w' : '-',
               (s.flags & 1) ? 'x' : '-');
  fmt::print("  {} symbols\n", elf.symbols().size());
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"retrace: deterministic record, replay and bisection for RISC-V guests"};
  app.set_version_flag("--version", std::string("retrace ") + retrace::version_string);
  app.require_subcommand(1);

  std::string elf_path;
  auto* elf = app.add_subcommand("elf", "Validate a guest ELF and show what would be loaded");
  elf->add_option("file", elf_path, "ELF file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*elf) return cmd_elf(elf_path);
  } catch (const retrace::Error& e) {
    fmt::print(stderr, "retrace: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "retrace: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
