// objdump-syntax disassembly, driven by the instruction table's formats plus objdump's aliases.
#include "retrace/isa/disasm.hpp"

#include "retrace/cpu/csr.hpp"
#include "retrace/isa/decode.hpp"

#include <array>
#include <fmt/format.h>

namespace retrace::isa {
namespace {

constexpr std::array<std::string_view, 32> xnames = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
    "a6",   "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
constexpr std::array<std::string_view, 32> fnames = {
    "ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",  "fs0",  "fs1",  "fa0",
    "fa1", "fa2", "fa3",  "fa4",  "fa5", "fa6", "fa7",  "fs2",  "fs3",  "fs4",  "fs5",
    "fs6", "fs7", "fs8",  "fs9",  "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};
constexpr std::array<std::string_view, 8> rm_names = {"rne", "rtz", "rdn", "rup", "rmm", "", "", "dyn"};

std::string csr_name(unsigned n) {
  if (auto name = csr::name(n)) return std::string(*name);
  return fmt::format("{:#x}", n);
}

std::string fence_set(unsigned bits) {
  std::string s;
  if (bits & 8) s += 'i';
  if (bits & 4) s += 'o';
  if (bits & 2) s += 'r';
  if (bits & 1) s += 'w';
  return s.empty() ? "0" : s;
}

std::string with_rm(std::string ops, unsigned rm) {
  if (rm != 7) ops += fmt::format(",{}", rm_names[rm]);
  return ops;
}

std::string insn(std::string_view mn, const std::string& ops) {
  return ops.empty() ? std::string(mn) : fmt::format("{}\t{}", mn, ops);
}

} // namespace

std::string_view xreg_name(unsigned r) { return xnames[r & 31]; }
std::string_view freg_name(unsigned r) { return fnames[r & 31]; }

std::string disassemble(std::uint32_t raw, std::uint64_t pc) {
  const Decoded d = decode(raw);
  if (d.length == 2 && (raw & 0xffff) == 0) return "unimp";
  if (d.op == Op::illegal)
    return d.length == 2 ? fmt::format(".insn\t2, {:#06x}", raw & 0xffff) : fmt::format(".insn\t4, {:#010x}", raw);
  const Insn i = d.insn;
  const InsnInfo& row = info(d.op);
  const std::string_view mn = row.name;
  const auto X = [](unsigned r) { return xnames[r]; };
  const auto F = [](unsigned r) { return fnames[r]; };
  const unsigned rd = i.rd(), rs1 = i.rs1(), rs2 = i.rs2();

  // objdump's aliases first.
  switch (d.op) {
  case Op::addi:
    if (rd == 0 && rs1 == 0 && i.imm_i() == 0) return "nop";
    if (rs1 == 0) return insn("li", fmt::format("{},{}", X(rd), i.imm_i()));
    if (i.imm_i() == 0) return insn("mv", fmt::format("{},{}", X(rd), X(rs1)));
    break;
  case Op::addiw:
    if (i.imm_i() == 0) return insn("sext.w", fmt::format("{},{}", X(rd), X(rs1)));
    break;
  case Op::xori:
    if (i.imm_i() == -1) return insn("not", fmt::format("{},{}", X(rd), X(rs1)));
    break;
  case Op::sltiu:
    if (i.imm_i() == 1) return insn("seqz", fmt::format("{},{}", X(rd), X(rs1)));
    break;
  case Op::add: // c.mv is "mv"; a 32-bit add with rs1 = zero stays "add"
    if (rs1 == 0 && d.length == 2) return insn("mv", fmt::format("{},{}", X(rd), X(rs2)));
    break;
  case Op::sub:
    if (rs1 == 0) return insn("neg", fmt::format("{},{}", X(rd), X(rs2)));
    break;
  case Op::subw:
    if (rs1 == 0) return insn("negw", fmt::format("{},{}", X(rd), X(rs2)));
    break;
  case Op::sltu:
    if (rs1 == 0) return insn("snez", fmt::format("{},{}", X(rd), X(rs2)));
    break;
  case Op::slt:
    if (rs2 == 0) return insn("sltz", fmt::format("{},{}", X(rd), X(rs1)));
    if (rs1 == 0) return insn("sgtz", fmt::format("{},{}", X(rd), X(rs2)));
    break;
  case Op::jal:
    if (rd == 0) return insn("j", fmt::format("{:x}", pc + static_cast<std::uint64_t>(i.imm_j())));
    if (rd == 1) return insn("jal", fmt::format("{:x}", pc + static_cast<std::uint64_t>(i.imm_j())));
    break;
  case Op::jalr:
    if (rd == 0 && rs1 == 1 && i.imm_i() == 0) return "ret";
    if (rd == 0 && i.imm_i() == 0) return insn("jr", std::string(X(rs1)));
    if (rd == 0) return insn("jr", fmt::format("{}({})", i.imm_i(), X(rs1)));
    if (rd == 1 && i.imm_i() == 0) return insn("jalr", std::string(X(rs1)));
    break;
  case Op::beq:
  case Op::bne:
  case Op::blt:
  case Op::bge: {
    const std::uint64_t target = pc + static_cast<std::uint64_t>(i.imm_b());
    const bool eq = d.op == Op::beq || d.op == Op::bne;
    if (rs2 == 0) {
      const char* a = d.op == Op::beq ? "beqz" : d.op == Op::bne ? "bnez" : d.op == Op::blt ? "bltz" : "bgez";
      return insn(a, fmt::format("{},{:x}", X(rs1), target));
    }
    if (rs1 == 0 && !eq) return insn(d.op == Op::blt ? "bgtz" : "blez", fmt::format("{},{:x}", X(rs2), target));
    break;
  }
  case Op::fence:
    if (i.pred() == 15 && i.succ() == 15) return "fence";
    if ((i.bits >> 28) == 8 && i.pred() == 3 && i.succ() == 3) return "fence.tso";
    break;
  case Op::csrrs:
    if (rs1 == 0) {
      switch (i.csr()) {
      case csr::fcsr: return insn("frcsr", std::string(X(rd)));
      case csr::frm: return insn("frrm", std::string(X(rd)));
      case csr::fflags: return insn("frflags", std::string(X(rd)));
      case csr::cycle: return insn("rdcycle", std::string(X(rd)));
      case csr::time: return insn("rdtime", std::string(X(rd)));
      case csr::instret: return insn("rdinstret", std::string(X(rd)));
      default: return insn("csrr", fmt::format("{},{}", X(rd), csr_name(i.csr())));
      }
    }
    if (rd == 0) return insn("csrs", fmt::format("{},{}", csr_name(i.csr()), X(rs1)));
    break;
  case Op::csrrw:
    if (rd == 0) {
      switch (i.csr()) {
      case csr::fcsr: return insn("fscsr", std::string(X(rs1)));
      case csr::frm: return insn("fsrm", std::string(X(rs1)));
      case csr::fflags: return insn("fsflags", std::string(X(rs1)));
      default: return insn("csrw", fmt::format("{},{}", csr_name(i.csr()), X(rs1)));
      }
    }
    if (i.csr() == csr::fcsr) return insn("fscsr", fmt::format("{},{}", X(rd), X(rs1)));
    if (i.csr() == csr::frm) return insn("fsrm", fmt::format("{},{}", X(rd), X(rs1)));
    if (i.csr() == csr::fflags) return insn("fsflags", fmt::format("{},{}", X(rd), X(rs1)));
    break;
  case Op::csrrc:
    if (rd == 0) return insn("csrc", fmt::format("{},{}", csr_name(i.csr()), X(rs1)));
    break;
  case Op::csrrwi:
    if (rd == 0) {
      if (i.csr() == csr::frm) return insn("fsrmi", fmt::format("{}", rs1));
      if (i.csr() == csr::fflags) return insn("fsflagsi", fmt::format("{}", rs1));
      return insn("csrwi", fmt::format("{},{}", csr_name(i.csr()), rs1));
    }
    break;
  case Op::csrrsi:
    if (rd == 0) return insn("csrsi", fmt::format("{},{}", csr_name(i.csr()), rs1));
    break;
  case Op::csrrci:
    if (rd == 0) return insn("csrci", fmt::format("{},{}", csr_name(i.csr()), rs1));
    break;
  case Op::fsgnj_s:
  case Op::fsgnj_d:
    if (rs1 == rs2) return insn(d.op == Op::fsgnj_s ? "fmv.s" : "fmv.d", fmt::format("{},{}", F(rd), F(rs1)));
    break;
  case Op::fsgnjn_s:
  case Op::fsgnjn_d:
    if (rs1 == rs2) return insn(d.op == Op::fsgnjn_s ? "fneg.s" : "fneg.d", fmt::format("{},{}", F(rd), F(rs1)));
    break;
  case Op::fsgnjx_s:
  case Op::fsgnjx_d:
    if (rs1 == rs2) return insn(d.op == Op::fsgnjx_s ? "fabs.s" : "fabs.d", fmt::format("{},{}", F(rd), F(rs1)));
    break;
  case Op::sfence_vma:
    if (rs1 == 0 && rs2 == 0) return "sfence.vma";
    if (rs2 == 0) return insn("sfence.vma", std::string(X(rs1)));
    break;
  default: break;
  }

  std::string ops;
  switch (row.format) {
  case Format::r: ops = fmt::format("{},{},{}", X(rd), X(rs1), X(rs2)); break;
  case Format::i: ops = fmt::format("{},{},{}", X(rd), X(rs1), i.imm_i()); break;
  case Format::shift64: ops = fmt::format("{},{},{:#x}", X(rd), X(rs1), i.shamt6()); break;
  case Format::shift32: ops = fmt::format("{},{},{:#x}", X(rd), X(rs1), i.shamt5()); break;
  case Format::load: ops = fmt::format("{},{}({})", X(rd), i.imm_i(), X(rs1)); break;
  case Format::store: ops = fmt::format("{},{}({})", X(rs2), i.imm_s(), X(rs1)); break;
  case Format::branch:
    ops = fmt::format("{},{},{:x}", X(rs1), X(rs2), pc + static_cast<std::uint64_t>(i.imm_b()));
    break;
  case Format::u: ops = fmt::format("{},{:#x}", X(rd), (i.bits >> 12) & 0xfffff); break;
  case Format::jal: ops = fmt::format("{},{:x}", X(rd), pc + static_cast<std::uint64_t>(i.imm_j())); break;
  case Format::jalr: ops = fmt::format("{},{}({})", X(rd), i.imm_i(), X(rs1)); break;
  case Format::csr: ops = fmt::format("{},{},{}", X(rd), csr_name(i.csr()), X(rs1)); break;
  case Format::csri: ops = fmt::format("{},{},{}", X(rd), csr_name(i.csr()), rs1); break;
  case Format::fence: ops = fmt::format("{},{}", fence_set(i.pred()), fence_set(i.succ())); break;
  case Format::none: break;
  case Format::sfence: ops = fmt::format("{},{}", X(rs1), X(rs2)); break;
  case Format::lr: ops = fmt::format("{},({})", X(rd), X(rs1)); break;
  case Format::amo: ops = fmt::format("{},{},({})", X(rd), X(rs2), X(rs1)); break;
  case Format::fload: ops = fmt::format("{},{}({})", F(rd), i.imm_i(), X(rs1)); break;
  case Format::fstore: ops = fmt::format("{},{}({})", F(rs2), i.imm_s(), X(rs1)); break;
  case Format::f_r4: ops = with_rm(fmt::format("{},{},{},{}", F(rd), F(rs1), F(rs2), F(i.rs3())), i.rm()); break;
  case Format::f_rrr: ops = with_rm(fmt::format("{},{},{}", F(rd), F(rs1), F(rs2)), i.rm()); break;
  case Format::f_rr_nrm: ops = fmt::format("{},{},{}", F(rd), F(rs1), F(rs2)); break;
  case Format::f_rr: ops = with_rm(fmt::format("{},{}", F(rd), F(rs1)), i.rm()); break;
  case Format::f_cmp: ops = fmt::format("{},{},{}", X(rd), F(rs1), F(rs2)); break;
  case Format::f_to_x: ops = with_rm(fmt::format("{},{}", X(rd), F(rs1)), i.rm()); break;
  case Format::x_to_f: ops = with_rm(fmt::format("{},{}", F(rd), X(rs1)), i.rm()); break;
  case Format::f_mv_x: ops = fmt::format("{},{}", X(rd), F(rs1)); break;
  case Format::x_mv_f: ops = fmt::format("{},{}", F(rd), X(rs1)); break;
  }
  std::string name(mn);
  if (row.format == Format::amo || row.format == Format::lr) {
    if (i.aq() && i.rl()) name += ".aqrl";
    else if (i.aq()) name += ".aq";
    else if (i.rl()) name += ".rl";
  }
  return insn(name, ops);
}

} // namespace retrace::isa

namespace retrace::csr {

std::optional<std::string_view> name(unsigned number) {
  switch (number) {
#define RETRACE_X(id, nm, num) \
  case num: return std::string_view(nm);
    RETRACE_CSRS(RETRACE_X)
#undef RETRACE_X
  default: break;
  }
  // Numbered families: pmpcfgN, pmpaddrN, hpmcounterN, mhpmcounterN, mhpmeventN.
  static constexpr std::array<std::string_view, 16> pmpcfg = {
      "pmpcfg0", "pmpcfg1", "pmpcfg2", "pmpcfg3", "pmpcfg4", "pmpcfg5", "pmpcfg6", "pmpcfg7",
      "pmpcfg8", "pmpcfg9", "pmpcfg10", "pmpcfg11", "pmpcfg12", "pmpcfg13", "pmpcfg14", "pmpcfg15"};
  if (number >= 0x3a0 && number <= 0x3af) return pmpcfg[number - 0x3a0];
  return std::nullopt;
}

} // namespace retrace::csr
