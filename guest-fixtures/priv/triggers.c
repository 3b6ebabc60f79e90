/* Sdtrig from M mode, firing in S and U: firmware-style probing (write tselect, read it back),
 * mcontrol6 (type 6) triggers on execute, load and store that raise a breakpoint exception
 * (cause 3) at the instruction, only in the modes their m/s/u bits name, and a trigger written
 * with 0 that is off. (tval may be 0 or the address, and hit bits are optional: QEMU 7.2 gives
 * 0 and leaves hit clear; retrace gives the address and sets hit0. A trigger is turned off
 * with type 6 and no mode bits: QEMU 7.2 ignores a tdata1 write of 0, which the spec says
 * disables it.) */
#include "priv.h"

#define CSR_TSELECT 0x7a0
#define CSR_TDATA1 0x7a1
#define CSR_TDATA2 0x7a2
#define CSR_TINFO 0x7a4
#define MC6 (6ull << 60)
#define T_LOAD 1u
#define T_STORE 2u
#define T_EXEC 4u
#define T_U 8u
#define T_S 16u

static volatile uint64_t var[4];
__attribute__((noipa, aligned(4))) static uint64_t target(uint64_t a) { return a * 3; }
static uint64_t s_call(uint64_t a) { return target(a); }
static uint64_t s_load(uint64_t k) { return var[k]; }
static uint64_t s_store(uint64_t k) {
  var[k] = 7;
  return 0;
}

static void arm(unsigned k, uint64_t tdata1, uint64_t tdata2) {
  csr_write(0x7a0, k);
  csr_write(0x7a1, 0);
  csr_write(0x7a2, tdata2);
  csr_write(0x7a1, tdata1);
}

#define EXPECT_BREAK(addr, stmt)                                                                   \
  do {                                                                                             \
    last_trap.count = 0;                                                                           \
    stmt;                                                                                          \
    CHECK_EQ(last_trap.count, 1);                                                                  \
    CHECK_EQ(last_trap.cause, 3);                                                                  \
    CHECK(last_trap.tval == 0 || last_trap.tval == (uint64_t)(addr));                              \
  } while (0)

int main(void) {
  priv_init();
  pmp_allow_all();
  /* Probing, as OpenSBI does: count the indices that read back. */
  unsigned n = 0;
  for (unsigned k = 0; k < 64; ++k) {
    csr_write(0x7a0, k);
    if (csr_read(0x7a0) != k) break;
    ++n;
  }
  CHECK(n >= 2);
  csr_write(0x7a0, 0);
  CHECK((csr_read(0x7a4) & (1u << 6)) != 0); /* mcontrol6 supported */

  /* execute, in S */
  arm(0, MC6 | T_EXEC | T_S, (uint64_t)&target);
  CHECK_EQ(csr_read(0x7a1) & 0xff, T_EXEC | T_S);
  EXPECT_BREAK(&target, run_in_mode(MODE_S, s_call, 1));
  CHECK_EQ(last_trap.epc, (uint64_t)&target);
  EXPECT_NO_TRAP(run_in_mode(MODE_U, s_call, 1)); /* not in U */
  EXPECT_NO_TRAP((void)target(2));                /* nor in M */
  csr_write(0x7a1, MC6); /* no mode, no access kind: off (QEMU 7.2 ignores a write of 0) */
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_call, 1));

  /* load, in S: only the watched word */
  arm(1, MC6 | T_LOAD | T_S, (uint64_t)&var[1]);
  EXPECT_BREAK(&var[1], run_in_mode(MODE_S, s_load, 1));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load, 2));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_store, 1)); /* a load trigger does not watch stores */
  CHECK_EQ(var[1], 7);

  /* store, in U: the store does not happen */
  var[1] = 0;
  arm(1, MC6 | T_STORE | T_U, (uint64_t)&var[1]);
  EXPECT_BREAK(&var[1], run_in_mode(MODE_U, s_store, 1));
  CHECK_EQ(var[1], 0);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_store, 1)); /* not in S */
  CHECK_EQ(var[1], 7);
  EXPECT_NO_TRAP(run_in_mode(MODE_U, s_store, 3));
  csr_write(0x7a1, MC6);
  csr_write(0x7a0, 0);
  csr_write(0x7a1, MC6);
  return report();
}
