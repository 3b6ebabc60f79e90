/* An idle guest: a 100 Hz timer tick (every 10 ms of virtual time) and WFI in between,
 * forever. For measuring what idle time costs a recording. */
#include "retrace_guest.h"

#define PERIOD 100000 /* mtime ticks: 10 ms */
static volatile uint64_t ticks;

static void on_trap(struct rt_trap_frame *f) {
  (void)f;
  ++ticks;
  rt_set_mtimecmp(0, rt_mtime() / PERIOD * PERIOD + PERIOD);
}

int main(void) {
  rt_set_trap_handler(on_trap);
  rt_set_mtimecmp(0, PERIOD);
  __asm__ volatile("csrs mie, %0" ::"r"(1u << 7));
  __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));
  printf("idling\n");
  for (;;) __asm__ volatile("wfi");
}
