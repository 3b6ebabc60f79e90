/* Sv39 from S mode: identity gigapage for the code, a 4 KiB test window with one page per
 * case, and every page-fault kind (fetch 12, load 13, store 15) with stval = the address; SUM,
 * MXR, U pages, reserved encodings, misaligned superpages, non-canonical addresses, and the
 * A and D bits the walker sets. */
#include "priv.h"

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)
#define PPN(pa) (((uint64_t)(pa) >> 12) << 10)

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t mid[512] __attribute__((aligned(4096)));
static uint64_t leaf[512] __attribute__((aligned(4096)));
static uint8_t frames[8][4096] __attribute__((aligned(4096)));

#define WINDOW 0x40000000ull /* root[1] -> mid -> leaf: page k is WINDOW + k * 4096 */
static uint64_t va(int page) { return WINDOW + (uint64_t)page * 4096; }
static void map(int page, uint64_t flags) {
  leaf[page] = PPN(frames[page]) | flags;
  __asm__ volatile("sfence.vma" ::: "memory");
}

static uint64_t s_load(uint64_t addr) { return *(volatile uint64_t *)addr; }
static uint64_t s_store(uint64_t addr) {
  *(volatile uint64_t *)addr = 0x1234;
  return 0;
}
static uint64_t s_call(uint64_t addr) { return ((uint64_t(*)(void))addr)(); }
static uint64_t s_fence(uint64_t arg) {
  __asm__ volatile("sfence.vma" ::: "memory");
  return arg;
}

int main(void) {
  priv_init();
  pmp_allow_all();
  /* root[2]: identity gigapage for RAM (0x8000_0000), S only, A and D preset */
  root[2] = PPN(0x80000000ull) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
  root[1] = PPN(mid) | PTE_V;
  mid[0] = PPN(leaf) | PTE_V;
  /* root[0]: a "gigapage" whose PPN is not 1 GiB aligned: misaligned superpage */
  root[0] = PPN(0x80200000ull) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
  csr_write(satp, (8ull << 60) | ((uint64_t)root >> 12));
  CHECK_EQ(csr_read(satp) >> 60, 8);
  __asm__ volatile("sfence.vma" ::: "memory");
  run_in_mode(MODE_S, s_fence, 0);

  const uint64_t rwad = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
  /* a readable page: load works and reads the frame */
  *(volatile uint64_t *)frames[0] = 0xfeedface;
  map(0, rwad);
  CHECK_EQ(run_in_mode(MODE_S, s_load, va(0) ), 0xfeedface);
  /* not valid: each access kind faults with its own cause */
  map(1, 0);
  EXPECT_TRAP(13, va(1) + 8, run_in_mode(MODE_S, s_load, va(1) + 8));
  EXPECT_TRAP(15, va(1) + 16, run_in_mode(MODE_S, s_store, va(1) + 16));
  EXPECT_TRAP(12, va(1), run_in_mode(MODE_S, s_call, va(1)));
  /* read-only: store faults; not executable: fetch faults */
  map(2, PTE_V | PTE_R | PTE_A);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load, va(2)));
  EXPECT_TRAP(15, va(2), run_in_mode(MODE_S, s_store, va(2)));
  EXPECT_TRAP(12, va(2), run_in_mode(MODE_S, s_call, va(2)));
  /* execute-only: fetch works (a `ret`), load faults unless MXR */
  *(volatile uint16_t *)frames[3] = 0x8082; /* c.jr ra */
  __asm__ volatile("fence.i");
  map(3, PTE_V | PTE_X | PTE_A);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_call, va(3)));
  EXPECT_TRAP(13, va(3), run_in_mode(MODE_S, s_load, va(3)));
  csr_set(mstatus, MSTATUS_MXR);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load, va(3)));
  csr_clear(mstatus, MSTATUS_MXR);
  /* U page from S: load/store fault without SUM, work with it; fetch faults even with SUM */
  *(volatile uint16_t *)frames[4] = 0x8082;
  __asm__ volatile("fence.i");
  map(4, rwad | PTE_X | PTE_U);
  EXPECT_TRAP(13, va(4), run_in_mode(MODE_S, s_load, va(4)));
  csr_set(mstatus, MSTATUS_SUM);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load, va(4)));
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_store, va(4)));
  EXPECT_TRAP(12, va(4), run_in_mode(MODE_S, s_call, va(4)));
  csr_clear(mstatus, MSTATUS_SUM);
  /* W without R is reserved: any access faults */
  map(5, PTE_V | PTE_W | PTE_A | PTE_D);
  EXPECT_TRAP(13, va(5), run_in_mode(MODE_S, s_load, va(5)));
  EXPECT_TRAP(15, va(5), run_in_mode(MODE_S, s_store, va(5)));
  /* A and D: the walker sets A on a load, A and D on a store */
  map(6, PTE_V | PTE_R | PTE_W);
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_load, va(6)));
  CHECK((leaf[6] & PTE_A) != 0);
  CHECK_EQ(leaf[6] & PTE_D, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  EXPECT_NO_TRAP(run_in_mode(MODE_S, s_store, va(6)));
  CHECK_EQ(leaf[6] & (PTE_A | PTE_D), PTE_A | PTE_D);
  CHECK_EQ(*(volatile uint64_t *)frames[6], 0x1234);
  /* a leaf at level 2 with a misaligned PPN */
  EXPECT_TRAP(13, 0x1000, run_in_mode(MODE_S, s_load, 0x1000));
  /* non-canonical: bits 63..39 differ from bit 38 */
  EXPECT_TRAP(13, 0x0000008000000000ull, run_in_mode(MODE_S, s_load, 0x0000008000000000ull));
  EXPECT_TRAP(15, 0x4000000000000000ull, run_in_mode(MODE_S, s_store, 0x4000000000000000ull));
  /* a non-leaf pointer at the last level faults */
  map(7, PTE_V);
  EXPECT_TRAP(13, va(7), run_in_mode(MODE_S, s_load, va(7)));
  /* M mode ignores satp, unless MPRV with MPP = S */
  CHECK_EQ(*(volatile uint64_t *)frames[0], 0xfeedface);
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, (uint64_t)MODE_S << 11);
  csr_set(mstatus, MSTATUS_MPRV);
  const uint64_t through_mprv = *(volatile uint64_t *)va(0);
  csr_clear(mstatus, MSTATUS_MPRV);
  CHECK_EQ(through_mprv, 0xfeedface);

  csr_write(satp, 0);
  return report();
}
