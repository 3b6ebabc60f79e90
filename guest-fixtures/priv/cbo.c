/* Zicbom and Zicboz: cbo.zero zeroes the 64-byte block holding its address; clean, flush and
 * inval change no data; below M each needs its menvcfg field (CBZE, CBCFE, CBIE), and in U the
 * senvcfg one too; under Sv39 cbo.zero needs a writable page and sets A and D, the management
 * instructions need only a readable one and set A alone, and every fault is a store page fault.
 * (Faulting addresses are block-aligned here: QEMU 7.2 reports the aligned address in tval.) */
#include "priv.h"

#define CSR_MENVCFG 0x30a
#define CSR_SENVCFG 0x10a
#define CBIE_FLUSH (1ull << 4)
#define CBIE_INVAL (3ull << 4)
#define CBCFE (1ull << 6)
#define CBZE (1ull << 7)

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PPN(pa) (((uint64_t)(pa) >> 12) << 10)

static uint8_t buf[256] __attribute__((aligned(64)));
static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t mid[512] __attribute__((aligned(4096)));
static uint64_t leaf[512] __attribute__((aligned(4096)));
static uint8_t frames[3][4096] __attribute__((aligned(4096)));
#define WINDOW 0x40000000ull

static uint64_t cbo_zero(uint64_t a) {
  __asm__ volatile("cbo.zero (%0)" ::"r"(a) : "memory");
  return 0;
}
static uint64_t cbo_clean(uint64_t a) {
  __asm__ volatile("cbo.clean (%0)" ::"r"(a) : "memory");
  return 0;
}
static uint64_t cbo_flush(uint64_t a) {
  __asm__ volatile("cbo.flush (%0)" ::"r"(a) : "memory");
  return 0;
}
static uint64_t cbo_inval(uint64_t a) {
  __asm__ volatile("cbo.inval (%0)" ::"r"(a) : "memory");
  return 0;
}

static void fill(void) {
  for (int i = 0; i < 256; ++i) buf[i] = 0xa5;
}

int main(void) {
  priv_init();
  pmp_allow_all();
  const uint64_t b = (uint64_t)buf;

  /* M mode: always enabled */
  fill();
  EXPECT_NO_TRAP(cbo_zero(b + 64 + 13));
  CHECK_EQ(buf[63], 0xa5);
  for (int i = 64; i < 128; ++i)
    if (buf[i] != 0) {
      CHECK_EQ(buf[i], 0);
      break;
    }
  CHECK_EQ(buf[128], 0xa5);
  EXPECT_NO_TRAP(cbo_clean(b));
  EXPECT_NO_TRAP(cbo_flush(b));
  EXPECT_NO_TRAP(cbo_inval(b));
  CHECK_EQ(buf[0], 0xa5);

  /* S and U: illegal until enabled, each by its own field */
  csr_write(0x30a, 0);
  csr_write(0x10a, 0);
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, cbo_zero, b));
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, cbo_clean, b));
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, cbo_flush, b));
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, cbo_inval, b));
  csr_write(0x30a, CBZE);
  CHECK_EQ(csr_read(0x30a) & CBZE, CBZE);
  fill();
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_zero, b + 128));
  CHECK_EQ(buf[128], 0);
  CHECK_EQ(buf[191], 0);
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, cbo_clean, b));
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_U, cbo_zero, b));
  csr_write(0x10a, CBZE);
  EXPECT_NO_TRAP(run_in_mode(MODE_U, cbo_zero, b));
  CHECK_EQ(buf[0], 0);
  csr_write(0x30a, CBCFE | CBIE_FLUSH);
  csr_write(0x10a, 0);
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_S, cbo_zero, b));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_clean, b));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_flush, b));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_inval, b)); /* CBIE = 01: a flush */
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_U, cbo_clean, b));
  EXPECT_TRAP(2, ~0ull, run_in_mode(MODE_U, cbo_inval, b));
  csr_write(0x10a, CBCFE | CBIE_INVAL);
  EXPECT_NO_TRAP(run_in_mode(MODE_U, cbo_clean, b));
  EXPECT_NO_TRAP(run_in_mode(MODE_U, cbo_inval, b));
  CHECK_EQ(csr_read(0x10a), CBCFE | CBIE_INVAL);

  /* Sv39: RAM on an S gigapage; the window's page 0 read-only, 1 execute-only, 2 writable
   * with A and D clear */
  csr_write(0x30a, CBZE | CBCFE | CBIE_INVAL);
  root[2] = PPN(0x80000000ull) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
  root[1] = PPN(mid) | PTE_V;
  mid[0] = PPN(leaf) | PTE_V;
  leaf[0] = PPN(frames[0]) | PTE_V | PTE_R | PTE_A;
  leaf[1] = PPN(frames[1]) | PTE_V | PTE_X | PTE_A;
  leaf[2] = PPN(frames[2]) | PTE_V | PTE_R | PTE_W;
  csr_write(satp, (8ull << 60) | ((uint64_t)root >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
  const uint64_t ro = WINDOW, xo = WINDOW + 0x1000, rw = WINDOW + 0x2000;
  EXPECT_TRAP(15, ro + 64, run_in_mode(MODE_S, cbo_zero, ro + 64));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_clean, ro));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_inval, ro + 64));
  EXPECT_TRAP(15, xo, run_in_mode(MODE_S, cbo_flush, xo));
  EXPECT_TRAP(15, xo + 128, run_in_mode(MODE_S, cbo_zero, xo + 128));
  /* management sets A only, zero sets A and D */
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_clean, rw));
  CHECK_EQ(leaf[2] & (PTE_A | PTE_D), PTE_A);
  __asm__ volatile("sfence.vma" ::: "memory");
  frames[2][200] = 7;
  EXPECT_NO_TRAP(run_in_mode(MODE_S, cbo_zero, rw + 192));
  CHECK_EQ(leaf[2] & (PTE_A | PTE_D), PTE_A | PTE_D);
  CHECK_EQ(frames[2][200], 0);
  csr_write(satp, 0);
  csr_write(0x30a, 0);
  return report();
}
