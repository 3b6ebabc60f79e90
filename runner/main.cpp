// `retrace`: one CLI for everything a machine or a log can do. Errors from bad input are
// retrace::Error and end in a one-line message and exit status 2.
#include "retrace/error.hpp"
#include "retrace/isa/disasm.hpp"
#include "retrace/machine/elf.hpp"
#include "retrace/machine/machine.hpp"
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

struct RunOptions {
  retrace::MachineSpec spec;
  std::uint64_t max_insns = 0; // 0: no limit
  bool trace = false;
  std::vector<std::string> inputs; // "ICOUNT:TEXT"
  std::vector<std::string> loads;  // "FILE@ADDR"
};

// Exit statuses of `retrace run` that are not the guest's own.
constexpr int exit_limit = 124; // --max-insns reached (as timeout(1))
constexpr int exit_idle = 125;  // every hart waits for an interrupt that cannot come
constexpr int exit_trap_loop = 126; // the same trap at the same pc, over and over

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char c = s[++i];
      out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == '0' ? '\0' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

int cmd_run(RunOptions& o) {
  for (const auto& l : o.loads) {
    const auto at = l.rfind('@');
    std::uint64_t addr = 0;
    try {
      if (at == std::string::npos || at == 0) throw std::invalid_argument(l);
      std::size_t used = 0;
      addr = std::stoull(l.substr(at + 1), &used, 0);
      if (used != l.size() - at - 1) throw std::invalid_argument(l);
    } catch (const std::exception&) {
      throw retrace::Error(retrace::Errc::bad_argument, "--load takes FILE@ADDRESS, not '" + l + "'");
    }
    o.spec.loads.push_back({l.substr(0, at), addr});
  }
  retrace::Machine m(o.spec);
  std::FILE* out = stdout;
  m.uart().on_output([out](char c) {
    std::fputc(c, out);
    if (c == '\n') std::fflush(out);
  });
  for (const auto& in : o.inputs) {
    const auto colon = in.find(':');
    std::uint64_t at = 0;
    try {
      if (colon == std::string::npos) throw std::invalid_argument(in);
      at = std::stoull(in.substr(0, colon), nullptr, 0);
    } catch (const std::exception&) {
      throw retrace::Error(retrace::Errc::bad_argument, "--input takes ICOUNT:TEXT, not '" + in + "'");
    }
    m.schedule(at, {retrace::InputEvent::uart_rx, unescape(in.substr(colon + 1))});
  }
  if (o.trace) {
    m.on_step([&m](const retrace::Hart& h) {
      std::string line = fmt::format("{:>10} {} {:016x}: ", m.icount(), h.hartid(), h.last_pc());
      if (h.last_length() == 0) {
        line += "(fetch fault)";
      } else {
        auto text = retrace::isa::disassemble(h.last_raw(), h.last_pc());
        if (const auto tab = text.find('\t'); tab != std::string::npos) text[tab] = ' ';
        line += h.last_length() == 2 ? fmt::format("{:04x}     {:<32}", h.last_raw(), text)
                                     : fmt::format("{:08x} {:<32}", h.last_raw(), text);
      }
      const auto& w = h.last_write();
      if (w.kind == retrace::Hart::LastWrite::x)
        line += fmt::format(" {}={:#x}", retrace::isa::xreg_name(w.reg), w.value);
      else if (w.kind == retrace::Hart::LastWrite::f)
        line += fmt::format(" {}={:#x}", retrace::isa::freg_name(w.reg), w.value);
      if (h.last_step_trapped()) line += fmt::format(" trap mcause={:#x}", h.last_trap_cause());
      fmt::print(stderr, "{}\n", line);
    });
  }
  const std::uint64_t stop = o.max_insns ? o.max_insns : ~std::uint64_t{0};
  const auto r = m.run(stop);
  std::fflush(out);
  switch (r.reason) {
  case retrace::StopReason::exited: {
    // A process status has 8 bits; keep a failure a failure.
    const int status = static_cast<int>(r.status & 0xff);
    return r.status != 0 && status == 0 ? 1 : status;
  }
  case retrace::StopReason::limit:
    fmt::print(stderr, "retrace: stopped at icount {} (--max-insns), pc {:#x}\n", r.icount, m.hart(0).state().pc);
    return exit_limit;
  case retrace::StopReason::idle:
    fmt::print(stderr, "retrace: at icount {} every hart waits for an interrupt that nothing can raise\n", r.icount);
    return exit_idle;
  case retrace::StopReason::trap_loop: {
    const auto& t = m.traps().back();
    fmt::print(stderr, "retrace: at icount {} hart {} keeps taking the same trap (mcause {:#x}) at pc {:#x}\n", r.icount,
               t.hart, t.cause, t.pc);
    return exit_trap_loop;
  }
  case retrace::StopReason::requested: return 0;
  }
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

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a guest: UART to stdout, exit status = the guest's");
  run_cmd->add_option("--kernel,-k", run.spec.kernel, "Kernel image (ELF, or raw binary), as QEMU's -kernel");
  run_cmd->add_option("--bios,-b", run.spec.bios, "Firmware image, or 'none' (default), as QEMU's -bios")
      ->capture_default_str();
  run_cmd->add_option("--max-insns", run.max_insns, "Stop after this many instructions (exit status 124)");
  run_cmd->add_option("--ram", run.spec.ram_size, "RAM size in bytes (default 128 MiB)")->capture_default_str();
  run_cmd->add_option("--harts,--smp", run.spec.harts, "Number of harts")->capture_default_str();
  run_cmd->add_flag("--trace", run.trace, "Print every instruction to stderr: icount, hart, pc, disassembly, register written");
  run_cmd->add_option("--input", run.inputs, "UART input ICOUNT:TEXT (C escapes in TEXT), repeatable");
  run_cmd->add_option("--load", run.loads, "Raw image FILE@ADDRESS copied into RAM, repeatable (QEMU's -device loader)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*elf) return cmd_elf(elf_path);
    if (*run_cmd) return cmd_run(run);
  } catch (const retrace::Error& e) {
    fmt::print(stderr, "retrace: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "retrace: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
