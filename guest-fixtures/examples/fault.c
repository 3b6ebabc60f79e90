/* A guest that faults with no handler: FAULT_ILLEGAL executes an illegal instruction,
 * FAULT_LOAD loads from an address where nothing is mapped. The runtime's default handler
 * prints the trap and exits with status 126. */
#include "retrace_guest.h"

int main(void) {
  printf("about to fault\n");
#if defined(FAULT_ILLEGAL)
  __asm__ volatile(".word 0xffffffff");
#elif defined(FAULT_LOAD)
  (void)*(volatile uint64_t *)0x0fff0000ull;
#endif
  printf("not reached\n");
  return 0;
}
