/* Periodic timer interrupts: the CLINT timer fires every 1000 mtime ticks (100 us of virtual
 * time, 100000 instructions at 1 ns each); the handler counts ticks and re-arms; main sleeps in
 * WFI and exits 0 after 10 ticks. */
#include "retrace_guest.h"

#define PERIOD 1000
static volatile unsigned ticks;
static volatile uint64_t tick_time[10];

static void on_trap(struct rt_trap_frame *f) {
  if (f->mcause != ((1ull << 63) | 7)) {
    printf("unexpected trap mcause=0x%llx\n", (unsigned long long)f->mcause);
    rt_exit(2);
  }
  if (ticks < 10) tick_time[ticks] = rt_mtime();
  ++ticks;
  rt_set_mtimecmp(0, rt_mtime() / PERIOD * PERIOD + PERIOD);
}

int main(void) {
  rt_set_trap_handler(on_trap);
  rt_set_mtimecmp(0, PERIOD);
  __asm__ volatile("csrs mie, %0" ::"r"(1u << 7));
  __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));
  while (ticks < 10) __asm__ volatile("wfi");
  __asm__ volatile("csrc mstatus, %0" ::"r"(1u << 3));
  for (unsigned i = 0; i < 10; ++i) printf("tick %u\n", i + 1);
  /* every tick came at or after its deadline */
  for (unsigned i = 0; i < 10; ++i)
    if (tick_time[i] < (uint64_t)(i + 1) * PERIOD) return 1;
  return 0;
}
