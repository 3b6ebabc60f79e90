/* LR/SC across harts: hart 0 takes a reservation on `word`, then waits while hart 1 stores to
 * `word` (or, built with -DOTHER_WORD, to a different doubleword); hart 0's SC must then fail
 * (succeed). Prints "sc failed" or "sc succeeded" and exits 0 either way; tests check which. */
#include "retrace_guest.h"

volatile uint64_t word __attribute__((aligned(64)));
volatile uint64_t other __attribute__((aligned(64)));
volatile uint32_t stored;

void rt_secondary_main(unsigned hartid) {
  if (hartid == 1) {
#ifdef OTHER_WORD
    other = 7;
#else
    word = 7;
#endif
    __atomic_store_n(&stored, 1, __ATOMIC_SEQ_CST);
  }
  for (;;) __asm__ volatile("wfi");
}

int main(void) {
  uint64_t v, fail;
  __asm__ volatile("lr.d %0, (%1)" : "=r"(v) : "r"(&word) : "memory");
  while (!stored) { /* plain loads: they do not break the reservation */
  }
  __asm__ volatile("sc.d %0, %2, (%1)" : "=r"(fail) : "r"(&word), "r"(v + 1) : "memory");
  printf(fail ? "sc failed\n" : "sc succeeded\n");
  return 0;
}
