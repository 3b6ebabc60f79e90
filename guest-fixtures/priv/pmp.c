/* PMP: NAPOT, TOR and NA4 regions, R/W/X denials from S and U with the access-fault causes
 * (fetch 1, load 5, store 7), priority order, partial matches, no match from S, and locked
 * entries that bind M mode and ignore later writes. */
#include "priv.h"

static uint8_t region[4096] __attribute__((aligned(4096)));

#define PMP_R 1u
#define PMP_W 2u
#define PMP_X 4u
#define PMP_TOR (1u << 3)
#define PMP_NA4 (2u << 3)
#define PMP_NAPOT (3u << 3)
#define PMP_L 0x80u

static void set_cfg(int entry, uint64_t cfg) {
  uint64_t v = csr_read(pmpcfg0);
  v &= ~(0xffull << (8 * entry));
  v |= cfg << (8 * entry);
  csr_write(pmpcfg0, v);
}
static uint64_t napot(uint64_t base, uint64_t size) { return (base >> 2) | ((size >> 3) - 1); }

static uint64_t s_load(uint64_t addr) { return *(volatile uint64_t *)addr; }
static uint64_t s_load32(uint64_t addr) { return *(volatile uint32_t *)addr; }
static uint64_t s_store(uint64_t addr) {
  *(volatile uint64_t *)addr = 7;
  return 0;
}
static uint64_t s_call(uint64_t addr) { return ((uint64_t(*)(void))addr)(); }

int main(void) {
  priv_init();
  pmp_allow_all(); /* entry 15: everything, lowest priority */
  const uint64_t r = (uint64_t)region;
  *(volatile uint16_t *)region = 0x8082; /* ret */
  __asm__ volatile("fence.i");

  /* NAPOT, read-only */
  csr_write(pmpaddr0, napot(r, 4096));
  set_cfg(0, PMP_NAPOT | PMP_R);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load, r + 64));
  EXPECT_TRAP(7, r + 64, run_in_mode(MODE_S, s_store, r + 64));
  EXPECT_TRAP(1, r, run_in_mode(MODE_S, s_call, r));
  EXPECT_TRAP(7, r + 8, run_in_mode(MODE_U, s_store, r + 8));
  /* M mode is not bound by an unlocked entry */
  EXPECT_NO_TRAP(*(volatile uint64_t *)(r + 64) = 1);
  /* execute-only */
  set_cfg(0, PMP_NAPOT | PMP_X);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_call, r));
  EXPECT_TRAP(5, r + 128, run_in_mode(MODE_S, s_load, r + 128));
  /* nothing allowed */
  set_cfg(0, PMP_NAPOT);
  EXPECT_TRAP(5, r, run_in_mode(MODE_U, s_load, r));
  /* TOR: [pmpaddr0, pmpaddr1) with entry 0 off */
  set_cfg(0, 0);
  csr_write(pmpaddr0, r >> 2);
  csr_write(pmpaddr1, (r + 2048) >> 2);
  set_cfg(1, PMP_TOR);
  EXPECT_TRAP(5, r + 2040, run_in_mode(MODE_S, s_load, r + 2040));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load, r + 2048));
  /* NA4 at r+12; an 8-byte access at r+8 matches it only in part: denied */
  set_cfg(1, 0);
  csr_write(pmpaddr0, (r + 12) >> 2);
  set_cfg(0, PMP_NA4 | PMP_R | PMP_W);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load32, r + 12));
  EXPECT_TRAP(5, r + 8, run_in_mode(MODE_S, s_load, r + 8));
  /* priority: the lowest-numbered matching entry decides */
  csr_write(pmpaddr0, napot(r, 4096));
  set_cfg(0, PMP_NAPOT | PMP_R | PMP_W);
  csr_write(pmpaddr1, napot(r, 4096));
  set_cfg(1, PMP_NAPOT);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_store, r + 256));
  set_cfg(1, 0);
  /* no matching entry: S and U are denied, M is allowed */
  csr_write(pmpcfg2, 0); /* drop entry 15 */
  set_cfg(0, 0);
  EXPECT_NO_TRAP(*(volatile uint64_t *)(r + 64) = 2);
  pmp_allow_all();
  /* a locked entry binds M mode and ignores further writes */
  csr_write(pmpaddr0, napot(r, 4096));
  set_cfg(0, PMP_NAPOT | PMP_R | PMP_L);
  EXPECT_TRAP(7, r + 64, *(volatile uint64_t *)(r + 64) = 3);
  EXPECT_NO_TRAP((void)*(volatile uint64_t *)(r + 64));
  set_cfg(0, PMP_NAPOT | PMP_R | PMP_W);
  CHECK_EQ(csr_read(pmpcfg0) & 0xff, PMP_NAPOT | PMP_R | PMP_L);
  csr_write(pmpaddr0, 0);
  CHECK_EQ(csr_read(pmpaddr0), napot(r, 4096));
  return report();
}
