/* Harts incrementing one shared counter. Three builds:
 *   smp-race      a plain load/add/store: an update is lost when another hart stores between a
 *                 hart's load and its store (the planted race);
 *   smp-amo       the same increments under an amoswap spinlock;
 *   smp-lrsc      the same increments as an LR/SC loop.
 * Each hart counts its own increments in done[hart] just before it increments the counter, so
 * "counter + (harts between their done++ and their store) == sum(done)" holds at every
 * instruction unless an update was lost (the invariant tests/examples declares; the labels
 * race_begin/race_end bracket the window). Hart 0 waits for all, then checks the total. */
#include "retrace_guest.h"

#define HARTS 2
#define ROUNDS 300
#define WORK 150 /* private work between increments: the race window is a few instructions of it */

volatile uint32_t counter;
volatile uint32_t done[8];
volatile uint32_t finished;
volatile uint32_t lock;

static void work(unsigned n) {
  for (volatile unsigned i = 0; i < n; ++i) {
  }
}

static void increment(unsigned hart) {
  done[hart] = done[hart] + 1;
#if defined(SMP_AMO)
  uint32_t one = 1, was;
  do __asm__ volatile("amoswap.w.aq %0, %1, (%2)" : "=r"(was) : "r"(one), "r"(&lock) : "memory");
  while (was);
  counter = counter + 1;
  __asm__ volatile("amoswap.w.rl zero, zero, (%0)" ::"r"(&lock) : "memory");
#elif defined(SMP_LRSC)
  uint32_t tmp, fail;
  __asm__ volatile("1: lr.w %0, (%2)\n"
                   "   addiw %0, %0, 1\n"
                   "   sc.w %1, %0, (%2)\n"
                   "   bnez %1, 1b"
                   : "=&r"(tmp), "=&r"(fail)
                   : "r"(&counter)
                   : "memory");
#else
  /* the race: nothing stops another hart between the load and the store */
  uint32_t tmp;
  __asm__ volatile(/* race_end: the store that loses another hart's update (DWARF: this line) */
                   ".globl race_begin\n"
                   "race_begin: lw %0, 0(%1)\n"
                   "   addiw %0, %0, 1\n"
                   ".globl race_end\n"
                   "race_end: sw %0, 0(%1)\n"
                   : "=&r"(tmp)
                   : "r"(&counter)
                   : "memory");
#endif
}

static void run(unsigned hart) {
  for (unsigned r = 0; r < ROUNDS; ++r) {
    work(WORK + (hart * 7 + r) % 13);
    increment(hart);
  }
  __atomic_fetch_add(&finished, 1, __ATOMIC_SEQ_CST);
}

void rt_secondary_main(unsigned hartid) {
  if (hartid < HARTS) run(hartid);
  for (;;) __asm__ volatile("wfi");
}

int main(void) {
  run(0);
  while (__atomic_load_n(&finished, __ATOMIC_SEQ_CST) != HARTS) {
  }
  if (counter != HARTS * ROUNDS) {
    printf("FAIL: counter %u, expected %u\n", (unsigned)counter, HARTS * ROUNDS);
    return 1;
  }
  printf("PASS: counter %u\n", (unsigned)counter);
  return 0;
}
