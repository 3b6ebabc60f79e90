#pragma once
/// \file
/// The instruction set as one table: name, match, mask, operand format and extension (RV64GC,
/// Zba, Zbb, Zbc, Zbs, Zicond, Zfhmin). The decoder, the disassembler, the semantic dispatch
/// and the test tables are all generated from RETRACE_RV_INSNS; a compile-time check proves no
/// two entries overlap. Hints inside other encodings have no rows of their own: Zihintpause's
/// `pause` is a FENCE and Zicbop's prefetch.i/r/w are ORIs with rd = zero (they execute as such,
/// and only the disassembler names them).
///
/// Compressed instructions are a second table (RETRACE_RVC_INSNS) whose entries expand into
/// the 32-bit instruction they stand for, as the C extension defines them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace retrace::isa {

/// Operand layout of an instruction, for disassembly and encoding in tests.
enum class Format : std::uint8_t {
  r,        ///< rd, rs1, rs2 (integer)
  i,        ///< rd, rs1, imm
  shift64,  ///< rd, rs1, shamt[5:0]
  shift32,  ///< rd, rs1, shamt[4:0]
  load,     ///< rd, imm(rs1)
  store,    ///< rs2, imm(rs1)
  branch,   ///< rs1, rs2, target
  u,        ///< rd, imm[31:12]
  jal,      ///< rd, target
  jalr,     ///< rd, imm(rs1)
  csr,      ///< rd, csr, rs1
  csri,     ///< rd, csr, uimm
  fence,    ///< pred, succ
  none,     ///< no operands (ecall, mret, ...)
  sfence,   ///< rs1, rs2
  lr,       ///< rd, (rs1)
  amo,      ///< rd, rs2, (rs1)
  fload,    ///< fd, imm(rs1)
  fstore,   ///< fs2, imm(rs1)
  f_r4,     ///< fd, fs1, fs2, fs3, rm
  f_rrr,    ///< fd, fs1, fs2, rm
  f_rr_nrm, ///< fd, fs1, fs2 (no rounding mode: sign injection, min/max)
  f_rr,     ///< fd, fs1, rm (sqrt, f->f convert)
  f_cmp,    ///< rd, fs1, fs2
  f_to_x,   ///< rd, fs1, rm (convert to integer)
  x_to_f,   ///< fd, rs1, rm (convert from integer)
  f_mv_x,   ///< rd, fs1 (fmv.x.w, fclass)
  x_mv_f,   ///< fd, rs1 (fmv.w.x)
  r1,       ///< rd, rs1 (integer unary: clz, sext.b, rev8, ...)
  cbo,      ///< (rs1) (cache-block operations)
};

/// The extension an instruction belongs to (misa letter or Z* name). Every member also needs a
/// row in isa/extensions.hpp's name table (a static_assert there checks the instruction table).
/// `c` marks the compressed table; zihintpause and zicbop have no rows of their own (their
/// instructions are FENCE and ORI hints) but are named so that ISA strings can list them.
enum class Ext : std::uint8_t {
  i, m, a, f, d, zicsr, zifencei, priv,
  c, zba, zbb, zbc, zbs, zicond, zfhmin, zihintpause, zicbop,
  // privileged-architecture extensions: CMOs, Svinval (rows below); Sstc, Svpbmt and the satp
  // modes Sv48/Sv57 have no instructions, only CSR or page-table behaviour (Hart)
  zicbom, zicboz, svinval, sstc, svpbmt, sv48, sv57,
};

// X(identifier, "mnemonic", match, mask, Format, Ext)
#define RETRACE_RV_INSNS(X)                                                                 \
  /* RV64I */                                                                               \
  X(lui, "lui", 0x00000037, 0x0000007f, u, i)                                               \
  X(auipc, "auipc", 0x00000017, 0x0000007f, u, i)                                           \
  X(jal, "jal", 0x0000006f, 0x0000007f, jal, i)                                             \
  X(jalr, "jalr", 0x00000067, 0x0000707f, jalr, i)                                          \
  X(beq, "beq", 0x00000063, 0x0000707f, branch, i)                                          \
  X(bne, "bne", 0x00001063, 0x0000707f, branch, i)                                          \
  X(blt, "blt", 0x00004063, 0x0000707f, branch, i)                                          \
  X(bge, "bge", 0x00005063, 0x0000707f, branch, i)                                          \
  X(bltu, "bltu", 0x00006063, 0x0000707f, branch, i)                                        \
  X(bgeu, "bgeu", 0x00007063, 0x0000707f, branch, i)                                        \
  X(lb, "lb", 0x00000003, 0x0000707f, load, i)                                              \
  X(lh, "lh", 0x00001003, 0x0000707f, load, i)                                              \
  X(lw, "lw", 0x00002003, 0x0000707f, load, i)                                              \
  X(ld, "ld", 0x00003003, 0x0000707f, load, i)                                              \
  X(lbu, "lbu", 0x00004003, 0x0000707f, load, i)                                            \
  X(lhu, "lhu", 0x00005003, 0x0000707f, load, i)                                            \
  X(lwu, "lwu", 0x00006003, 0x0000707f, load, i)                                            \
  X(sb, "sb", 0x00000023, 0x0000707f, store, i)                                             \
  X(sh, "sh", 0x00001023, 0x0000707f, store, i)                                             \
  X(sw, "sw", 0x00002023, 0x0000707f, store, i)                                             \
  X(sd, "sd", 0x00003023, 0x0000707f, store, i)                                             \
  X(addi, "addi", 0x00000013, 0x0000707f, i, i)                                             \
  X(slti, "slti", 0x00002013, 0x0000707f, i, i)                                             \
  X(sltiu, "sltiu", 0x00003013, 0x0000707f, i, i)                                           \
  X(xori, "xori", 0x00004013, 0x0000707f, i, i)                                             \
  X(ori, "ori", 0x00006013, 0x0000707f, i, i)                                               \
  X(andi, "andi", 0x00007013, 0x0000707f, i, i)                                             \
  X(slli, "slli", 0x00001013, 0xfc00707f, shift64, i)                                       \
  X(srli, "srli", 0x00005013, 0xfc00707f, shift64, i)                                       \
  X(srai, "srai", 0x40005013, 0xfc00707f, shift64, i)                                       \
  X(add, "add", 0x00000033, 0xfe00707f, r, i)                                               \
  X(sub, "sub", 0x40000033, 0xfe00707f, r, i)                                               \
  X(sll, "sll", 0x00001033, 0xfe00707f, r, i)                                               \
  X(slt, "slt", 0x00002033, 0xfe00707f, r, i)                                               \
  X(sltu, "sltu", 0x00003033, 0xfe00707f, r, i)                                             \
  X(xor_, "xor", 0x00004033, 0xfe00707f, r, i)                                              \
  X(srl, "srl", 0x00005033, 0xfe00707f, r, i)                                               \
  X(sra, "sra", 0x40005033, 0xfe00707f, r, i)                                               \
  X(or_, "or", 0x00006033, 0xfe00707f, r, i)                                                \
  X(and_, "and", 0x00007033, 0xfe00707f, r, i)                                              \
  X(addiw, "addiw", 0x0000001b, 0x0000707f, i, i)                                           \
  X(slliw, "slliw", 0x0000101b, 0xfe00707f, shift32, i)                                     \
  X(srliw, "srliw", 0x0000501b, 0xfe00707f, shift32, i)                                     \
  X(sraiw, "sraiw", 0x4000501b, 0xfe00707f, shift32, i)                                     \
  X(addw, "addw", 0x0000003b, 0xfe00707f, r, i)                                             \
  X(subw, "subw", 0x4000003b, 0xfe00707f, r, i)                                             \
  X(sllw, "sllw", 0x0000103b, 0xfe00707f, r, i)                                             \
  X(srlw, "srlw", 0x0000503b, 0xfe00707f, r, i)                                             \
  X(sraw, "sraw", 0x4000503b, 0xfe00707f, r, i)                                             \
  X(fence, "fence", 0x0000000f, 0x0000707f, fence, i)                                       \
  X(ecall, "ecall", 0x00000073, 0xffffffff, none, i)                                        \
  X(ebreak, "ebreak", 0x00100073, 0xffffffff, none, i)                                      \
  /* Zifencei */                                                                            \
  X(fence_i, "fence.i", 0x0000100f, 0x0000707f, none, zifencei)                             \
  /* Zicbom, Zicboz: MISC-MEM, funct3 = 2, rd = 0, the operation in imm */                 \
  X(cbo_inval, "cbo.inval", 0x0000200f, 0xfff07fff, cbo, zicbom)                            \
  X(cbo_clean, "cbo.clean", 0x0010200f, 0xfff07fff, cbo, zicbom)                            \
  X(cbo_flush, "cbo.flush", 0x0020200f, 0xfff07fff, cbo, zicbom)                            \
  X(cbo_zero, "cbo.zero", 0x0040200f, 0xfff07fff, cbo, zicboz)                              \
  /* Zicsr */                                                                               \
  X(csrrw, "csrrw", 0x00001073, 0x0000707f, csr, zicsr)                                     \
  X(csrrs, "csrrs", 0x00002073, 0x0000707f, csr, zicsr)                                     \
  X(csrrc, "csrrc", 0x00003073, 0x0000707f, csr, zicsr)                                     \
  X(csrrwi, "csrrwi", 0x00005073, 0x0000707f, csri, zicsr)                                  \
  X(csrrsi, "csrrsi", 0x00006073, 0x0000707f, csri, zicsr)                                  \
  X(csrrci, "csrrci", 0x00007073, 0x0000707f, csri, zicsr)                                  \
  /* privileged */                                                                          \
  X(sret, "sret", 0x10200073, 0xffffffff, none, priv)                                       \
  X(mret, "mret", 0x30200073, 0xffffffff, none, priv)                                       \
  X(wfi, "wfi", 0x10500073, 0xffffffff, none, priv)                                         \
  X(sfence_vma, "sfence.vma", 0x12000073, 0xfe007fff, sfence, priv)                         \
  /* Svinval */                                                                             \
  X(sinval_vma, "sinval.vma", 0x16000073, 0xfe007fff, sfence, svinval)                      \
  X(sfence_w_inval, "sfence.w.inval", 0x18000073, 0xffffffff, none, svinval)                \
  X(sfence_inval_ir, "sfence.inval.ir", 0x18100073, 0xffffffff, none, svinval)              \
  /* M */                                                                                   \
  X(mul, "mul", 0x02000033, 0xfe00707f, r, m)                                               \
  X(mulh, "mulh", 0x02001033, 0xfe00707f, r, m)                                             \
  X(mulhsu, "mulhsu", 0x02002033, 0xfe00707f, r, m)                                         \
  X(mulhu, "mulhu", 0x02003033, 0xfe00707f, r, m)                                           \
  X(div, "div", 0x02004033, 0xfe00707f, r, m)                                               \
  X(divu, "divu", 0x02005033, 0xfe00707f, r, m)                                             \
  X(rem, "rem", 0x02006033, 0xfe00707f, r, m)                                               \
  X(remu, "remu", 0x02007033, 0xfe00707f, r, m)                                             \
  X(mulw, "mulw", 0x0200003b, 0xfe00707f, r, m)                                             \
  X(divw, "divw", 0x0200403b, 0xfe00707f, r, m)                                             \
  X(divuw, "divuw", 0x0200503b, 0xfe00707f, r, m)                                           \
  X(remw, "remw", 0x0200603b, 0xfe00707f, r, m)                                             \
  X(remuw, "remuw", 0x0200703b, 0xfe00707f, r, m)                                           \
  /* A */                                                                                   \
  X(lr_w, "lr.w", 0x1000202f, 0xf9f0707f, lr, a)                                            \
  X(sc_w, "sc.w", 0x1800202f, 0xf800707f, amo, a)                                           \
  X(amoswap_w, "amoswap.w", 0x0800202f, 0xf800707f, amo, a)                                 \
  X(amoadd_w, "amoadd.w", 0x0000202f, 0xf800707f, amo, a)                                   \
  X(amoxor_w, "amoxor.w", 0x2000202f, 0xf800707f, amo, a)                                   \
  X(amoand_w, "amoand.w", 0x6000202f, 0xf800707f, amo, a)                                   \
  X(amoor_w, "amoor.w", 0x4000202f, 0xf800707f, amo, a)                                     \
  X(amomin_w, "amomin.w", 0x8000202f, 0xf800707f, amo, a)                                   \
  X(amomax_w, "amomax.w", 0xa000202f, 0xf800707f, amo, a)                                   \
  X(amominu_w, "amominu.w", 0xc000202f, 0xf800707f, amo, a)                                 \
  X(amomaxu_w, "amomaxu.w", 0xe000202f, 0xf800707f, amo, a)                                 \
  X(lr_d, "lr.d", 0x1000302f, 0xf9f0707f, lr, a)                                            \
  X(sc_d, "sc.d", 0x1800302f, 0xf800707f, amo, a)                                           \
  X(amoswap_d, "amoswap.d", 0x0800302f, 0xf800707f, amo, a)                                 \
  X(amoadd_d, "amoadd.d", 0x0000302f, 0xf800707f, amo, a)                                   \
  X(amoxor_d, "amoxor.d", 0x2000302f, 0xf800707f, amo, a)                                   \
  X(amoand_d, "amoand.d", 0x6000302f, 0xf800707f, amo, a)                                   \
  X(amoor_d, "amoor.d", 0x4000302f, 0xf800707f, amo, a)                                     \
  X(amomin_d, "amomin.d", 0x8000302f, 0xf800707f, amo, a)                                   \
  X(amomax_d, "amomax.d", 0xa000302f, 0xf800707f, amo, a)                                   \
  X(amominu_d, "amominu.d", 0xc000302f, 0xf800707f, amo, a)                                 \
  X(amomaxu_d, "amomaxu.d", 0xe000302f, 0xf800707f, amo, a)                                 \
  /* F */                                                                                   \
  X(flw, "flw", 0x00002007, 0x0000707f, fload, f)                                           \
  X(fsw, "fsw", 0x00002027, 0x0000707f, fstore, f)                                          \
  X(fmadd_s, "fmadd.s", 0x00000043, 0x0600007f, f_r4, f)                                    \
  X(fmsub_s, "fmsub.s", 0x00000047, 0x0600007f, f_r4, f)                                    \
  X(fnmsub_s, "fnmsub.s", 0x0000004b, 0x0600007f, f_r4, f)                                  \
  X(fnmadd_s, "fnmadd.s", 0x0000004f, 0x0600007f, f_r4, f)                                  \
  X(fadd_s, "fadd.s", 0x00000053, 0xfe00007f, f_rrr, f)                                     \
  X(fsub_s, "fsub.s", 0x08000053, 0xfe00007f, f_rrr, f)                                     \
  X(fmul_s, "fmul.s", 0x10000053, 0xfe00007f, f_rrr, f)                                     \
  X(fdiv_s, "fdiv.s", 0x18000053, 0xfe00007f, f_rrr, f)                                     \
  X(fsqrt_s, "fsqrt.s", 0x58000053, 0xfff0007f, f_rr, f)                                    \
  X(fsgnj_s, "fsgnj.s", 0x20000053, 0xfe00707f, f_rr_nrm, f)                                \
  X(fsgnjn_s, "fsgnjn.s", 0x20001053, 0xfe00707f, f_rr_nrm, f)                              \
  X(fsgnjx_s, "fsgnjx.s", 0x20002053, 0xfe00707f, f_rr_nrm, f)                              \
  X(fmin_s, "fmin.s", 0x28000053, 0xfe00707f, f_rr_nrm, f)                                  \
  X(fmax_s, "fmax.s", 0x28001053, 0xfe00707f, f_rr_nrm, f)                                  \
  X(fcvt_w_s, "fcvt.w.s", 0xc0000053, 0xfff0007f, f_to_x, f)                                \
  X(fcvt_wu_s, "fcvt.wu.s", 0xc0100053, 0xfff0007f, f_to_x, f)                              \
  X(fcvt_l_s, "fcvt.l.s", 0xc0200053, 0xfff0007f, f_to_x, f)                                \
  X(fcvt_lu_s, "fcvt.lu.s", 0xc0300053, 0xfff0007f, f_to_x, f)                              \
  X(fmv_x_w, "fmv.x.w", 0xe0000053, 0xfff0707f, f_mv_x, f)                                  \
  X(fclass_s, "fclass.s", 0xe0001053, 0xfff0707f, f_mv_x, f)                                \
  X(feq_s, "feq.s", 0xa0002053, 0xfe00707f, f_cmp, f)                                       \
  X(flt_s, "flt.s", 0xa0001053, 0xfe00707f, f_cmp, f)                                       \
  X(fle_s, "fle.s", 0xa0000053, 0xfe00707f, f_cmp, f)                                       \
  X(fcvt_s_w, "fcvt.s.w", 0xd0000053, 0xfff0007f, x_to_f, f)                                \
  X(fcvt_s_wu, "fcvt.s.wu", 0xd0100053, 0xfff0007f, x_to_f, f)                              \
  X(fcvt_s_l, "fcvt.s.l", 0xd0200053, 0xfff0007f, x_to_f, f)                                \
  X(fcvt_s_lu, "fcvt.s.lu", 0xd0300053, 0xfff0007f, x_to_f, f)                              \
  X(fmv_w_x, "fmv.w.x", 0xf0000053, 0xfff0707f, x_mv_f, f)                                  \
  /* D */                                                                                   \
  X(fld, "fld", 0x00003007, 0x0000707f, fload, d)                                           \
  X(fsd, "fsd", 0x00003027, 0x0000707f, fstore, d)                                          \
  X(fmadd_d, "fmadd.d", 0x02000043, 0x0600007f, f_r4, d)                                    \
  X(fmsub_d, "fmsub.d", 0x02000047, 0x0600007f, f_r4, d)                                    \
  X(fnmsub_d, "fnmsub.d", 0x0200004b, 0x0600007f, f_r4, d)                                  \
  X(fnmadd_d, "fnmadd.d", 0x0200004f, 0x0600007f, f_r4, d)                                  \
  X(fadd_d, "fadd.d", 0x02000053, 0xfe00007f, f_rrr, d)                                     \
  X(fsub_d, "fsub.d", 0x0a000053, 0xfe00007f, f_rrr, d)                                     \
  X(fmul_d, "fmul.d", 0x12000053, 0xfe00007f, f_rrr, d)                                     \
  X(fdiv_d, "fdiv.d", 0x1a000053, 0xfe00007f, f_rrr, d)                                     \
  X(fsqrt_d, "fsqrt.d", 0x5a000053, 0xfff0007f, f_rr, d)                                    \
  X(fsgnj_d, "fsgnj.d", 0x22000053, 0xfe00707f, f_rr_nrm, d)                                \
  X(fsgnjn_d, "fsgnjn.d", 0x22001053, 0xfe00707f, f_rr_nrm, d)                              \
  X(fsgnjx_d, "fsgnjx.d", 0x22002053, 0xfe00707f, f_rr_nrm, d)                              \
  X(fmin_d, "fmin.d", 0x2a000053, 0xfe00707f, f_rr_nrm, d)                                  \
  X(fmax_d, "fmax.d", 0x2a001053, 0xfe00707f, f_rr_nrm, d)                                  \
  X(fcvt_s_d, "fcvt.s.d", 0x40100053, 0xfff0007f, f_rr, d)                                  \
  X(fcvt_d_s, "fcvt.d.s", 0x42000053, 0xfff0007f, f_rr, d)                                  \
  X(feq_d, "feq.d", 0xa2002053, 0xfe00707f, f_cmp, d)                                       \
  X(flt_d, "flt.d", 0xa2001053, 0xfe00707f, f_cmp, d)                                       \
  X(fle_d, "fle.d", 0xa2000053, 0xfe00707f, f_cmp, d)                                       \
  X(fclass_d, "fclass.d", 0xe2001053, 0xfff0707f, f_mv_x, d)                                \
  X(fcvt_w_d, "fcvt.w.d", 0xc2000053, 0xfff0007f, f_to_x, d)                                \
  X(fcvt_wu_d, "fcvt.wu.d", 0xc2100053, 0xfff0007f, f_to_x, d)                              \
  X(fcvt_l_d, "fcvt.l.d", 0xc2200053, 0xfff0007f, f_to_x, d)                                \
  X(fcvt_lu_d, "fcvt.lu.d", 0xc2300053, 0xfff0007f, f_to_x, d)                              \
  X(fcvt_d_w, "fcvt.d.w", 0xd2000053, 0xfff0007f, x_to_f, d)                                \
  X(fcvt_d_wu, "fcvt.d.wu", 0xd2100053, 0xfff0007f, x_to_f, d)                              \
  X(fcvt_d_l, "fcvt.d.l", 0xd2200053, 0xfff0007f, x_to_f, d)                                \
  X(fcvt_d_lu, "fcvt.d.lu", 0xd2300053, 0xfff0007f, x_to_f, d)                              \
  X(fmv_x_d, "fmv.x.d", 0xe2000053, 0xfff0707f, f_mv_x, d)                                  \
  X(fmv_d_x, "fmv.d.x", 0xf2000053, 0xfff0707f, x_mv_f, d)                                  \
  /* Zba */                                                                                 \
  X(add_uw, "add.uw", 0x0800003b, 0xfe00707f, r, zba)                                       \
  X(sh1add, "sh1add", 0x20002033, 0xfe00707f, r, zba)                                       \
  X(sh2add, "sh2add", 0x20004033, 0xfe00707f, r, zba)                                       \
  X(sh3add, "sh3add", 0x20006033, 0xfe00707f, r, zba)                                       \
  X(sh1add_uw, "sh1add.uw", 0x2000203b, 0xfe00707f, r, zba)                                 \
  X(sh2add_uw, "sh2add.uw", 0x2000403b, 0xfe00707f, r, zba)                                 \
  X(sh3add_uw, "sh3add.uw", 0x2000603b, 0xfe00707f, r, zba)                                 \
  X(slli_uw, "slli.uw", 0x0800101b, 0xfc00707f, shift64, zba)                               \
  /* Zbb */                                                                                 \
  X(andn, "andn", 0x40007033, 0xfe00707f, r, zbb)                                           \
  X(orn, "orn", 0x40006033, 0xfe00707f, r, zbb)                                             \
  X(xnor, "xnor", 0x40004033, 0xfe00707f, r, zbb)                                           \
  X(clz, "clz", 0x60001013, 0xfff0707f, r1, zbb)                                            \
  X(clzw, "clzw", 0x6000101b, 0xfff0707f, r1, zbb)                                          \
  X(ctz, "ctz", 0x60101013, 0xfff0707f, r1, zbb)                                            \
  X(ctzw, "ctzw", 0x6010101b, 0xfff0707f, r1, zbb)                                          \
  X(cpop, "cpop", 0x60201013, 0xfff0707f, r1, zbb)                                          \
  X(cpopw, "cpopw", 0x6020101b, 0xfff0707f, r1, zbb)                                        \
  X(max, "max", 0x0a006033, 0xfe00707f, r, zbb)                                             \
  X(maxu, "maxu", 0x0a007033, 0xfe00707f, r, zbb)                                           \
  X(min, "min", 0x0a004033, 0xfe00707f, r, zbb)                                             \
  X(minu, "minu", 0x0a005033, 0xfe00707f, r, zbb)                                           \
  X(sext_b, "sext.b", 0x60401013, 0xfff0707f, r1, zbb)                                      \
  X(sext_h, "sext.h", 0x60501013, 0xfff0707f, r1, zbb)                                      \
  X(zext_h, "zext.h", 0x0800403b, 0xfff0707f, r1, zbb)                                      \
  X(rol, "rol", 0x60001033, 0xfe00707f, r, zbb)                                             \
  X(rolw, "rolw", 0x6000103b, 0xfe00707f, r, zbb)                                           \
  X(ror, "ror", 0x60005033, 0xfe00707f, r, zbb)                                             \
  X(rori, "rori", 0x60005013, 0xfc00707f, shift64, zbb)                                     \
  X(roriw, "roriw", 0x6000501b, 0xfe00707f, shift32, zbb)                                   \
  X(rorw, "rorw", 0x6000503b, 0xfe00707f, r, zbb)                                           \
  X(orc_b, "orc.b", 0x28705013, 0xfff0707f, r1, zbb)                                        \
  X(rev8, "rev8", 0x6b805013, 0xfff0707f, r1, zbb)                                          \
  /* Zbc */                                                                                 \
  X(clmul, "clmul", 0x0a001033, 0xfe00707f, r, zbc)                                         \
  X(clmulh, "clmulh", 0x0a003033, 0xfe00707f, r, zbc)                                       \
  X(clmulr, "clmulr", 0x0a002033, 0xfe00707f, r, zbc)                                       \
  /* Zbs */                                                                                 \
  X(bclr, "bclr", 0x48001033, 0xfe00707f, r, zbs)                                           \
  X(bclri, "bclri", 0x48001013, 0xfc00707f, shift64, zbs)                                   \
  X(bext, "bext", 0x48005033, 0xfe00707f, r, zbs)                                           \
  X(bexti, "bexti", 0x48005013, 0xfc00707f, shift64, zbs)                                   \
  X(binv, "binv", 0x68001033, 0xfe00707f, r, zbs)                                           \
  X(binvi, "binvi", 0x68001013, 0xfc00707f, shift64, zbs)                                   \
  X(bset, "bset", 0x28001033, 0xfe00707f, r, zbs)                                           \
  X(bseti, "bseti", 0x28001013, 0xfc00707f, shift64, zbs)                                   \
  /* Zicond */                                                                              \
  X(czero_eqz, "czero.eqz", 0x0e005033, 0xfe00707f, r, zicond)                              \
  X(czero_nez, "czero.nez", 0x0e007033, 0xfe00707f, r, zicond)                              \
  /* Zfhmin */                                                                              \
  X(flh, "flh", 0x00001007, 0x0000707f, fload, zfhmin)                                      \
  X(fsh, "fsh", 0x00001027, 0x0000707f, fstore, zfhmin)                                     \
  X(fmv_x_h, "fmv.x.h", 0xe4000053, 0xfff0707f, f_mv_x, zfhmin)                             \
  X(fmv_h_x, "fmv.h.x", 0xf4000053, 0xfff0707f, x_mv_f, zfhmin)                             \
  X(fcvt_s_h, "fcvt.s.h", 0x40200053, 0xfff0007f, f_rr, zfhmin)                             \
  X(fcvt_h_s, "fcvt.h.s", 0x44000053, 0xfff0007f, f_rr, zfhmin)                             \
  X(fcvt_d_h, "fcvt.d.h", 0x42200053, 0xfff0007f, f_rr, zfhmin)                             \
  X(fcvt_h_d, "fcvt.h.d", 0x44100053, 0xfff0007f, f_rr, zfhmin)

/// Every instruction of the table, plus `illegal` (no match).
enum class Op : std::uint16_t {
#define RETRACE_X(id, name, match, mask, fmt, ext) id,
  RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
  illegal,
};

/// One row of the table.
struct InsnInfo {
  Op op;
  std::string_view name;
  std::uint32_t match;
  std::uint32_t mask;
  Format format;
  Ext ext;
};

/// The table, indexed by Op.
inline constexpr std::array insn_table = {
#define RETRACE_X(id, nm, match, mask, fmt, ext) InsnInfo{Op::id, nm, match, mask, Format::fmt, Ext::ext},
    RETRACE_RV_INSNS(RETRACE_X)
#undef RETRACE_X
};
inline constexpr std::size_t op_count = insn_table.size();

/// Table row of `op` (not for Op::illegal).
[[nodiscard]] constexpr const InsnInfo& info(Op op) { return insn_table[static_cast<std::size_t>(op)]; }

/// True when some word matches both rows.
[[nodiscard]] constexpr bool overlaps(std::uint32_t match_a, std::uint32_t mask_a, std::uint32_t match_b,
                                      std::uint32_t mask_b) {
  return ((match_a ^ match_b) & mask_a & mask_b) == 0;
}

namespace detail {
constexpr bool table_is_sound() {
  for (std::size_t i = 0; i < insn_table.size(); ++i) {
    const auto& a = insn_table[i];
    if (static_cast<std::size_t>(a.op) != i) return false;     // indexed by Op
    if ((a.match & ~a.mask) != 0) return false;                  // match inside its mask
    if ((a.match & 3) != 3) return false;                        // a 32-bit encoding
    for (std::size_t j = i + 1; j < insn_table.size(); ++j)
      if (overlaps(a.match, a.mask, insn_table[j].match, insn_table[j].mask)) return false;
  }
  return true;
}
} // namespace detail
static_assert(detail::table_is_sound(), "instruction table: overlapping or malformed entries");

// Compressed instructions: X(identifier, "mnemonic", match, mask). Each expands into the
// 32-bit instruction it stands for (isa/decode.hpp); the expansion also checks the reserved
// encodings (rd = 0, nzimm = 0, ...) that the match/mask cannot express.
#define RETRACE_RVC_INSNS(X)                                                                \
  X(c_addi4spn, "c.addi4spn", 0x0000, 0xe003)                                               \
  X(c_fld, "c.fld", 0x2000, 0xe003)                                                         \
  X(c_lw, "c.lw", 0x4000, 0xe003)                                                           \
  X(c_ld, "c.ld", 0x6000, 0xe003)                                                           \
  X(c_fsd, "c.fsd", 0xa000, 0xe003)                                                         \
  X(c_sw, "c.sw", 0xc000, 0xe003)                                                           \
  X(c_sd, "c.sd", 0xe000, 0xe003)                                                           \
  X(c_addi, "c.addi", 0x0001, 0xe003)                                                       \
  X(c_addiw, "c.addiw", 0x2001, 0xe003)                                                     \
  X(c_li, "c.li", 0x4001, 0xe003)                                                           \
  X(c_lui_addi16sp, "c.lui", 0x6001, 0xe003)                                                \
  X(c_srli, "c.srli", 0x8001, 0xec03)                                                       \
  X(c_srai, "c.srai", 0x8401, 0xec03)                                                       \
  X(c_andi, "c.andi", 0x8801, 0xec03)                                                       \
  X(c_sub, "c.sub", 0x8c01, 0xfc63)                                                         \
  X(c_xor, "c.xor", 0x8c21, 0xfc63)                                                         \
  X(c_or, "c.or", 0x8c41, 0xfc63)                                                           \
  X(c_and, "c.and", 0x8c61, 0xfc63)                                                         \
  X(c_subw, "c.subw", 0x9c01, 0xfc63)                                                       \
  X(c_addw, "c.addw", 0x9c21, 0xfc63)                                                       \
  X(c_j, "c.j", 0xa001, 0xe003)                                                             \
  X(c_beqz, "c.beqz", 0xc001, 0xe003)                                                       \
  X(c_bnez, "c.bnez", 0xe001, 0xe003)                                                       \
  X(c_slli, "c.slli", 0x0002, 0xe003)                                                       \
  X(c_fldsp, "c.fldsp", 0x2002, 0xe003)                                                     \
  X(c_lwsp, "c.lwsp", 0x4002, 0xe003)                                                       \
  X(c_ldsp, "c.ldsp", 0x6002, 0xe003)                                                       \
  X(c_jr_mv, "c.mv", 0x8002, 0xf003)                                                        \
  X(c_ebreak_jalr_add, "c.add", 0x9002, 0xf003)                                             \
  X(c_fsdsp, "c.fsdsp", 0xa002, 0xe003)                                                     \
  X(c_swsp, "c.swsp", 0xc002, 0xe003)                                                       \
  X(c_sdsp, "c.sdsp", 0xe002, 0xe003)

/// Every RV64C instruction group, plus `illegal`.
enum class COp : std::uint8_t {
#define RETRACE_X(id, name, match, mask) id,
  RETRACE_RVC_INSNS(RETRACE_X)
#undef RETRACE_X
  illegal,
};

struct CInsnInfo {
  COp op;
  std::string_view name;
  std::uint16_t match;
  std::uint16_t mask;
};

inline constexpr std::array rvc_table = {
#define RETRACE_X(id, nm, match, mask) CInsnInfo{COp::id, nm, match, mask},
    RETRACE_RVC_INSNS(RETRACE_X)
#undef RETRACE_X
};

namespace detail {
constexpr bool rvc_table_is_sound() {
  for (std::size_t i = 0; i < rvc_table.size(); ++i) {
    const auto& a = rvc_table[i];
    if (static_cast<std::size_t>(a.op) != i || (a.match & ~a.mask) != 0 || (a.match & 3) == 3) return false;
    for (std::size_t j = i + 1; j < rvc_table.size(); ++j)
      if (overlaps(a.match, a.mask, rvc_table[j].match, rvc_table[j].mask)) return false;
  }
  return true;
}
} // namespace detail
static_assert(detail::rvc_table_is_sound(), "RVC table: overlapping or malformed entries");

} // namespace retrace::isa
