/* The first fixture: proves the runtime, printf and the finisher on any virt machine. */
#include "retrace_guest.h"

int main(void) {
  printf("hello from the guest\n");
  return 0;
}
