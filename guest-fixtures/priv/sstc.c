/* Sstc: stimecmp from S mode needs menvcfg.STCE and mcounteren.TM; with STCE, mip.STIP is
 * (time >= stimecmp) and software cannot write it; a supervisor timer interrupt, delegated to S,
 * arrives once time reaches stimecmp; without STCE, STIP is M-mode software's again. */
#include "priv.h"

#define CSR_MENVCFG 0x30a
#define CSR_STIMECMP 0x14d
#define MENVCFG_STCE (1ull << 63)
#define MIP_STIP (1ull << 5)
#define SIP_STIE (1ull << 5)

static volatile uint64_t s_hits, s_cause, s_time, s_target;

__attribute__((interrupt("supervisor"), used, aligned(4))) static void s_trap(void) {
  s_hits++;
  s_cause = csr_read(scause);
  s_time = csr_read(time);
  csr_write(0x14d, ~0ull); /* stimecmp: no further interrupt */
}

static uint64_t s_read_stimecmp(uint64_t arg) { return csr_read(0x14d) + arg; }

static uint64_t s_wait_for_timer(uint64_t ticks) {
  s_target = csr_read(time) + ticks;
  csr_write(0x14d, s_target);
  csr_set(sie, SIP_STIE);
  csr_set(sstatus, MSTATUS_SIE);
  for (int i = 0; i < 1000000 && s_hits == 0; ++i) __asm__ volatile("wfi");
  csr_clear(sstatus, MSTATUS_SIE);
  return s_hits;
}

int main(void) {
  priv_init();
  pmp_allow_all();
  /* STCE = 0: stimecmp is illegal below M (M itself may access it) */
  csr_write(0x14d, ~0ull);
  CHECK_EQ(csr_read(0x14d), ~0ull);
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, s_read_stimecmp, 0));
  /* STCE = 1, mcounteren.TM = 0: still illegal */
  csr_set(0x30a, MENVCFG_STCE);
  CHECK((csr_read(0x30a) & MENVCFG_STCE) != 0);
  csr_write(mcounteren, 0);
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, s_read_stimecmp, 0));
  csr_write(mcounteren, 2); /* TM */
  uint64_t got = 0;
  EXPECT_NO_TRAP(got = run_in_mode(MODE_S, s_read_stimecmp, 1));
  CHECK_EQ(got, 0); /* ~0 + 1 */

  /* STIP follows stimecmp and ignores mip writes */
  CHECK_EQ(csr_read(mip) & MIP_STIP, 0);
  csr_set(mip, MIP_STIP);
  CHECK_EQ(csr_read(mip) & MIP_STIP, 0);
  csr_write(0x14d, 0); /* in the past */
  CHECK(csr_read(mip) & MIP_STIP);
  csr_clear(mip, MIP_STIP);
  CHECK(csr_read(mip) & MIP_STIP);
  csr_write(0x14d, csr_read(time) + 1000000); /* in the future */
  CHECK_EQ(csr_read(mip) & MIP_STIP, 0);

  /* the interrupt, delegated to S, 2000 ticks (200 us) from now */
  csr_write(stvec, (uint64_t)&s_trap);
  csr_set(mideleg, MIP_STIP);
  CHECK_EQ(run_in_mode(MODE_S, s_wait_for_timer, 2000), 1);
  CHECK_EQ(s_hits, 1);
  CHECK_EQ(s_cause, (1ull << 63) | 5);
  CHECK(s_time >= s_target);
  CHECK_EQ(csr_read(mip) & MIP_STIP, 0);
  csr_clear(sie, SIP_STIE);

  /* STCE = 0 again: M-mode software owns STIP */
  csr_clear(0x30a, MENVCFG_STCE);
  csr_set(mip, MIP_STIP);
  CHECK(csr_read(mip) & MIP_STIP);
  csr_clear(mip, MIP_STIP);
  CHECK_EQ(csr_read(mip) & MIP_STIP, 0);
  csr_clear(mideleg, MIP_STIP);
  return report();
}
