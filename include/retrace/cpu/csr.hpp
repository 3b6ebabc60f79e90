#pragma once
/// \file
/// CSR numbers and names: one list, used by the hart, the disassembler and gdb's target.xml.

#include <cstdint>
#include <optional>
#include <string>

namespace retrace::csr {

// X(identifier, "name", number)
#define RETRACE_CSRS(X)                                                                     \
  X(fflags, "fflags", 0x001) X(frm, "frm", 0x002) X(fcsr, "fcsr", 0x003)                    \
  X(cycle, "cycle", 0xc00) X(time, "time", 0xc01) X(instret, "instret", 0xc02)              \
  X(sstatus, "sstatus", 0x100) X(sie, "sie", 0x104) X(stvec, "stvec", 0x105)                \
  X(scounteren, "scounteren", 0x106) X(senvcfg, "senvcfg", 0x10a)                           \
  X(sscratch, "sscratch", 0x140) X(sepc, "sepc", 0x141) X(scause, "scause", 0x142)          \
  X(stval, "stval", 0x143) X(sip, "sip", 0x144) X(stimecmp, "stimecmp", 0x14d)              \
  X(satp, "satp", 0x180)                                                                    \
  X(mvendorid, "mvendorid", 0xf11) X(marchid, "marchid", 0xf12) X(mimpid, "mimpid", 0xf13)  \
  X(mhartid, "mhartid", 0xf14) X(mconfigptr, "mconfigptr", 0xf15)                           \
  X(mstatus, "mstatus", 0x300) X(misa, "misa", 0x301) X(medeleg, "medeleg", 0x302)          \
  X(mideleg, "mideleg", 0x303) X(mie, "mie", 0x304) X(mtvec, "mtvec", 0x305)                \
  X(mcounteren, "mcounteren", 0x306) X(menvcfg, "menvcfg", 0x30a)                           \
  X(mcountinhibit, "mcountinhibit", 0x320) X(mscratch, "mscratch", 0x340)                   \
  X(mepc, "mepc", 0x341) X(mcause, "mcause", 0x342) X(mtval, "mtval", 0x343)                \
  X(mip, "mip", 0x344) X(mtinst, "mtinst", 0x34a) X(mtval2, "mtval2", 0x34b)                \
  X(pmpcfg0, "pmpcfg0", 0x3a0) X(pmpcfg2, "pmpcfg2", 0x3a2)                                 \
  X(pmpaddr0, "pmpaddr0", 0x3b0) X(mcycle, "mcycle", 0xb00) X(minstret, "minstret", 0xb02) \
  X(tselect, "tselect", 0x7a0) X(tdata1, "tdata1", 0x7a1) X(tdata2, "tdata2", 0x7a2)        \
  X(tdata3, "tdata3", 0x7a3) X(tinfo, "tinfo", 0x7a4) X(tcontrol, "tcontrol", 0x7a5)

enum : std::uint16_t {
#define RETRACE_X(id, name, num) id = num,
  RETRACE_CSRS(RETRACE_X)
#undef RETRACE_X
};

/// Name of a CSR number as objdump prints it, if it has one we know (pmpaddrN, pmpcfgN,
/// hpmcounterN and mhpm* are named by number range).
[[nodiscard]] std::optional<std::string> name(unsigned number);

} // namespace retrace::csr

namespace retrace {

/// Privilege levels, as encoded in mstatus.MPP.
enum class Priv : std::uint8_t { u = 0, s = 1, m = 3 };

/// Exception causes (mcause with the interrupt bit clear).
enum class Exception : std::uint8_t {
  insn_misaligned = 0,
  insn_access = 1,
  illegal_insn = 2,
  breakpoint = 3,
  load_misaligned = 4,
  load_access = 5,
  store_misaligned = 6,
  store_access = 7,
  ecall_u = 8,
  ecall_s = 9,
  ecall_m = 11,
  insn_page_fault = 12,
  load_page_fault = 13,
  store_page_fault = 15,
};

/// Interrupt numbers (mip/mie bits; mcause with the interrupt bit set).
enum class Interrupt : std::uint8_t { ssi = 1, msi = 3, sti = 5, mti = 7, sei = 9, mei = 11 };

namespace mstatus_bits {
inline constexpr std::uint64_t sie = 1ull << 1, mie = 1ull << 3, spie = 1ull << 5, ube = 1ull << 6,
                               mpie = 1ull << 7, spp = 1ull << 8, mpp = 3ull << 11, fs = 3ull << 13,
                               xs = 3ull << 15, mprv = 1ull << 17, sum = 1ull << 18, mxr = 1ull << 19,
                               tvm = 1ull << 20, tw = 1ull << 21, tsr = 1ull << 22, uxl = 3ull << 32,
                               sxl = 3ull << 34, sd = 1ull << 63;
} // namespace mstatus_bits

/// menvcfg/senvcfg fields (senvcfg has FIOM and the CBO enables only).
namespace envcfg_bits {
inline constexpr std::uint64_t fiom = 1ull << 0, cbie = 3ull << 4, cbie_flush = 1ull << 4, cbcfe = 1ull << 6,
                               cbze = 1ull << 7, pbmte = 1ull << 62, stce = 1ull << 63;
} // namespace envcfg_bits

} // namespace retrace
