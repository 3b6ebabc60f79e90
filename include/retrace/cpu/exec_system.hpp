#pragma once
/// \file
/// Zicsr and privileged-instruction semantics.
#include "retrace/cpu/exec_i.hpp"

namespace retrace::exec {

// csrrw with rd = x0 does not read; csrrs/csrrc with rs1 = x0 (or uimm = 0) do not write.
inline void csr_insn(Hart& h, Insn i, int kind, u64 operand, bool operand_is_zero_reg) {
  const bool do_write = kind == 0 || !operand_is_zero_reg;
  const bool do_read = kind != 0 || i.rd() != 0;
  u64 old = 0;
  // The new value depends on the old one for set/clear; csr_op reads before it writes.
  u64 value = operand;
  if (kind != 0) {
    if (!h.csr_op(i.csr(), false, 0, true, old)) return;
    value = kind == 1 ? (old | operand) : (old & ~operand);
    if (do_write && !h.csr_op(i.csr(), true, value, false, old)) return;
    h.xw(i.rd(), old);
    return;
  }
  if (!h.csr_op(i.csr(), do_write, value, do_read, old)) return;
  if (do_read) h.xw(i.rd(), old);
}
inline void exec_csrrw(Hart& h, Insn i) { csr_insn(h, i, 0, h.xr(i.rs1()), i.rs1() == 0); }
inline void exec_csrrs(Hart& h, Insn i) { csr_insn(h, i, 1, h.xr(i.rs1()), i.rs1() == 0); }
inline void exec_csrrc(Hart& h, Insn i) { csr_insn(h, i, 2, h.xr(i.rs1()), i.rs1() == 0); }
inline void exec_csrrwi(Hart& h, Insn i) { csr_insn(h, i, 0, i.rs1(), i.rs1() == 0); }
inline void exec_csrrsi(Hart& h, Insn i) { csr_insn(h, i, 1, i.rs1(), i.rs1() == 0); }
inline void exec_csrrci(Hart& h, Insn i) { csr_insn(h, i, 2, i.rs1(), i.rs1() == 0); }

inline void exec_mret(Hart& h, Insn) { h.exec_mret(); }
inline void exec_sret(Hart& h, Insn) { h.exec_sret(); }
inline void exec_wfi(Hart& h, Insn) { h.exec_wfi(); }
inline void exec_sfence_vma(Hart& h, Insn) { h.exec_sfence_vma(); }

// Svinval
inline void exec_sinval_vma(Hart& h, Insn) { h.exec_sinval_vma(); }
inline void exec_sfence_w_inval(Hart& h, Insn) { h.exec_sfence_w_inval(); }
inline void exec_sfence_inval_ir(Hart& h, Insn) { h.exec_sfence_inval_ir(); }

// Zicbom, Zicboz: the operation is the immediate (0 inval, 1 clean, 2 flush, 4 zero).
inline void exec_cbo_inval(Hart& h, Insn i) { h.exec_cbo(0, h.xr(i.rs1())); }
inline void exec_cbo_clean(Hart& h, Insn i) { h.exec_cbo(1, h.xr(i.rs1())); }
inline void exec_cbo_flush(Hart& h, Insn i) { h.exec_cbo(2, h.xr(i.rs1())); }
inline void exec_cbo_zero(Hart& h, Insn i) { h.exec_cbo(4, h.xr(i.rs1())); }

} // namespace retrace::exec
