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
  if (auto name = csr::name(n)) return *name;
  return fmt::format("{:#x}", n);
}

std::string fence_set(unsigned bits) {
  std::string s;
  if (bits & 8) s += 'i';
  if (bits & 4) s += 'o';
  if (bits & 2) s += 'r';
  if (bits & 1) s += 'w';
  return s.empty() ? "unknown" : s; // objdump's word for an empty set
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

  // Compressed HINTs (rd = zero, shift by 0) keep their c.* spelling, as objdump writes them;
  // c.mv and c.add with rd = zero expand to the same word, so look at the compressed form.
  if (d.length == 2) {
    const auto c = static_cast<std::uint16_t>(raw);
    const unsigned crd = (c >> 7) & 31, crs2 = (c >> 2) & 31;
    const unsigned shamt = ((c >> 7) & 0x20) | ((c >> 2) & 31);
    switch (decode_cop(c)) {
    case COp::c_li:
      if (crd == 0) return insn("c.li", fmt::format("zero,{}", i.imm_i()));
      break;
    case COp::c_lui_addi16sp:
      if (crd == 0) return insn("c.lui", fmt::format("zero,{:#x}", (i.bits >> 12) & 0xfffff));
      break;
    case COp::c_slli:
      if (crd == 0) return insn("c.slli", fmt::format("zero,{:#x}", shamt));
      if (shamt == 0) return insn("c.slli64", std::string(X(crd)));
      break;
    case COp::c_srli:
      if (shamt == 0) return insn("c.srli64", std::string(X(rd)));
      break;
    case COp::c_srai:
      if (shamt == 0) return insn("c.srai64", std::string(X(rd)));
      break;
    case COp::c_jr_mv:
      if (crs2 != 0) return insn(crd == 0 ? "c.mv" : "mv", fmt::format("{},{}", X(crd), X(crs2)));
      break;
    case COp::c_ebreak_jalr_add:
      if (crs2 != 0 && crd == 0) return insn("c.add", fmt::format("zero,{}", X(crs2)));
      if (crs2 != 0) return insn("add", fmt::format("{},{},{}", X(crd), X(crd), X(crs2)));
      break;
    case COp::c_addi:
      if (crd == 0 && i.imm_i() != 0) return insn("c.nop", fmt::format("{}", i.imm_i()));
      if (crd != 0 && i.imm_i() == 0) return insn("addi", fmt::format("{},{},0", X(crd), X(crd)));
      break;
    default: break;
    }
  }

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
  case Op::ori: // Zicbop: ori zero with a low immediate field of 0, 1 or 3 is a prefetch hint
    if (rd == 0) {
      const std::int64_t kind = i.imm_i() & 31;
      const char* hint = kind == 0 ? "prefetch.i" : kind == 1 ? "prefetch.r" : kind == 3 ? "prefetch.w" : nullptr;
      if (hint) return insn(hint, fmt::format("{}({})", i.imm_i() - kind, X(rs1)));
    }
    break;
  case Op::add_uw:
    if (rs2 == 0) return insn("zext.w", fmt::format("{},{}", X(rd), X(rs1)));
    break;
  case Op::sltiu:
    if (i.imm_i() == 1) return insn("seqz", fmt::format("{},{}", X(rd), X(rs1)));
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
    if (i.bits == 0x0100000f) return "pause"; // Zihintpause: fence w,0
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
    if (i.csr() == csr::frm) return insn("fsrmi", fmt::format("{},{}", X(rd), rs1));
    if (i.csr() == csr::fflags) return insn("fsflagsi", fmt::format("{},{}", X(rd), rs1));
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

  // Exact conversions: objdump writes them without a rounding mode (and only knows rm = 0).
  const bool exact_cvt = d.op == Op::fcvt_d_s || d.op == Op::fcvt_d_w || d.op == Op::fcvt_d_wu ||
                         d.op == Op::fcvt_s_h || d.op == Op::fcvt_d_h;
  const unsigned rm = exact_cvt && i.rm() == 0 ? 7 : i.rm();
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
  case Format::f_rr: ops = with_rm(fmt::format("{},{}", F(rd), F(rs1)), rm); break;
  case Format::f_cmp: ops = fmt::format("{},{},{}", X(rd), F(rs1), F(rs2)); break;
  case Format::f_to_x: ops = with_rm(fmt::format("{},{}", X(rd), F(rs1)), i.rm()); break;
  case Format::x_to_f: ops = with_rm(fmt::format("{},{}", F(rd), X(rs1)), rm); break;
  case Format::f_mv_x: ops = fmt::format("{},{}", X(rd), F(rs1)); break;
  case Format::x_mv_f: ops = fmt::format("{},{}", F(rd), X(rs1)); break;
  case Format::r1: ops = fmt::format("{},{}", X(rd), X(rs1)); break;
  case Format::cbo: ops = fmt::format("({})", X(rs1)); break;
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

std::optional<std::string> name(unsigned number) {
  switch (number) {
#define RETRACE_X(id, nm, num) \
  case num: return std::string(nm);
    RETRACE_CSRS(RETRACE_X)
#undef RETRACE_X
  default: break;
  }
  // Numbered families.
  if (number >= 0x3a0 && number <= 0x3af) return fmt::format("pmpcfg{}", number - 0x3a0);
  if (number >= 0x3b0 && number <= 0x3ef) return fmt::format("pmpaddr{}", number - 0x3b0);
  if (number >= 0xc03 && number <= 0xc1f) return fmt::format("hpmcounter{}", number - 0xc00);
  if (number >= 0xc83 && number <= 0xc9f) return fmt::format("hpmcounter{}h", number - 0xc80);
  if (number >= 0xb03 && number <= 0xb1f) return fmt::format("mhpmcounter{}", number - 0xb00);
  if (number >= 0xb83 && number <= 0xb9f) return fmt::format("mhpmcounter{}h", number - 0xb80);
  if (number >= 0x323 && number <= 0x33f) return fmt::format("mhpmevent{}", number - 0x320);
  if (number >= 0x723 && number <= 0x73f) return fmt::format("mhpmevent{}h", number - 0x720);
  return std::nullopt;
}

} // namespace retrace::csr
