/* Sv48 (LEVELS=4) and Sv57 (LEVELS=5) from S mode: satp takes the mode; a walk through every
 * level to a 4 KiB page; the largest superpage of the mode (512 GiB for Sv48, 256 TiB for Sv57)
 * aliasing RAM; a misaligned superpage; the canonical-address rule of the mode (bits 63..VA-1
 * equal bit VA-1), including an address that is canonical only in the larger mode. */
#include "priv.h"

#ifndef LEVELS
#define LEVELS 4
#endif
#define MODE (LEVELS == 4 ? 9ull : 10ull)
#define VA_BITS (12 + 9 * LEVELS)

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PPN(pa) (((uint64_t)(pa) >> 12) << 10)
#define RWXAD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

/* tables[0] is the root; one table per level below it on the way to RAM's gigapage, and another
 * chain for the 4 KiB test page */
static uint64_t tables[2 * LEVELS][512] __attribute__((aligned(4096)));
static uint8_t frame[4096] __attribute__((aligned(4096)));

static unsigned vpn(uint64_t va, int level) { return (unsigned)(va >> (12 + 9 * level)) & 511; }

static uint64_t s_load(uint64_t addr) { return *(volatile uint64_t *)addr; }
static uint64_t s_store(uint64_t addr) {
  *(volatile uint64_t *)addr = 0x5a5a;
  return 0;
}

int main(void) {
  priv_init();
  pmp_allow_all();
  const uint64_t ram = 0x80000000ull;
  /* RAM (code, data, stack) identity-mapped by a gigapage at level 2: the root's entry 0 leads
   * down through tables 1.. to the level-2 table. */
  uint64_t *t = tables[0];
  for (int level = LEVELS - 1; level > 2; --level) {
    uint64_t *next = tables[LEVELS - level];
    t[vpn(ram, level)] = PPN(next) | PTE_V;
    t = next;
  }
  t[vpn(ram, 2)] = PPN(ram) | RWXAD;
  /* The largest superpage: root entry 1 maps VA [2^(VA_BITS-9), 2^(VA_BITS-8)) to PA 0... */
  const uint64_t big = 1ull << (VA_BITS - 9);
  tables[0][1] = PPN(0) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
  /* ...and root entry 2 a misaligned one. */
  tables[0][2] = PPN(ram) | PTE_V | PTE_R | PTE_A;
  /* A 4 KiB page at the top of the lower half, through every level (tables LEVELS..2*LEVELS-2). */
  const uint64_t page_va = (1ull << (VA_BITS - 1)) - 4096;
  t = tables[0];
  for (int level = LEVELS - 1; level > 0; --level) {
    uint64_t *next = tables[2 * LEVELS - 1 - level];
    t[vpn(page_va, level)] = PPN(next) | PTE_V;
    t = next;
  }
  t[vpn(page_va, 0)] = PPN(frame) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;

  csr_write(satp, (MODE << 60) | ((uint64_t)tables[0] >> 12));
  CHECK_EQ(csr_read(satp) >> 60, MODE);
  __asm__ volatile("sfence.vma" ::: "memory");

  /* through every level */
  *(volatile uint64_t *)frame = 0x1234;
  CHECK_EQ(run_in_mode(MODE_S, s_load, page_va), 0x1234);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_store, page_va + 8));
  CHECK_EQ(*(volatile uint64_t *)(frame + 8), 0x5a5a);
  /* the superpage alias of RAM */
  static volatile uint64_t word = 0xfeed;
  CHECK_EQ(run_in_mode(MODE_S, s_load, big + (uint64_t)&word), 0xfeed);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_store, big + (uint64_t)&word));
  CHECK_EQ(word, 0x5a5a);
  /* misaligned superpage */
  EXPECT_TRAP(13, 2 * big, run_in_mode(MODE_S, s_load, 2 * big));
  /* non-canonical: bit VA_BITS-1 set with the bits above clear, and the reverse */
  const uint64_t hole = 1ull << (VA_BITS - 1);
  EXPECT_TRAP(13, hole, run_in_mode(MODE_S, s_load, hole));
  EXPECT_TRAP(15, hole + 64, run_in_mode(MODE_S, s_store, hole + 64));
  EXPECT_TRAP(13, ~0ull << VA_BITS, run_in_mode(MODE_S, s_load, ~0ull << VA_BITS));
  EXPECT_TRAP(12, hole, run_in_mode(MODE_S, (uint64_t(*)(uint64_t))hole, 0));
#if LEVELS == 5
  /* 0x0000_8000_0000_0000 is canonical in Sv57 (not in Sv48): map it with a 512 GiB page */
  uint64_t *l3 = tables[1]; /* the level-3 table under root entry 0 */
  l3[vpn(0x0000800000000000ull, 3)] = PPN(0) | PTE_V | PTE_R | PTE_A;
  __asm__ volatile("sfence.vma" ::: "memory");
  CHECK_EQ(run_in_mode(MODE_S, s_load, 0x0000800000000000ull + (uint64_t)&word), 0x5a5a);
#else
  /* Sv48: the Sv57 upper half is not canonical */
  EXPECT_TRAP(13, 0xff00000000000000ull, run_in_mode(MODE_S, s_load, 0xff00000000000000ull));
#endif
  /* back to Sv39 (which every Sv48/Sv57 hart also has): the same root now reads as 3 levels */
  csr_write(satp, (8ull << 60) | ((uint64_t)tables[0] >> 12));
  CHECK_EQ(csr_read(satp) >> 60, 8);
  csr_write(satp, 0);
  return report();
}
