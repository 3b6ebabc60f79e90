#pragma once
/// \file
/// Zicond semantics: conditional zeroing, the building block of branchless selects
/// (czero.eqz rd, rs1, rs2: rd = rs2 == 0 ? 0 : rs1; czero.nez: rd = rs2 != 0 ? 0 : rs1). A
/// template like exec_i.hpp, so the block engine runs it inline.
#include "retrace/cpu/exec_i.hpp"

namespace retrace::exec {

template <class H, class I> [[gnu::always_inline]] inline void exec_czero_eqz(H& h, I i) {
  h.xw(i.rd(), h.xr(i.rs2()) == 0 ? 0 : h.xr(i.rs1()));
}
template <class H, class I> [[gnu::always_inline]] inline void exec_czero_nez(H& h, I i) {
  h.xw(i.rd(), h.xr(i.rs2()) != 0 ? 0 : h.xr(i.rs1()));
}

} // namespace retrace::exec
