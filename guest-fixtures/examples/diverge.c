/* Built twice, with STEP=1 and STEP=2: the two builds have the same layout and run the same
 * instructions until the marked line, where one immediate differs. `retrace bisect A --diff B`
 * must land exactly there. */
#include "retrace_guest.h"

#ifndef STEP
#define STEP 1
#endif

static volatile uint64_t acc;

__attribute__((noinline)) static uint64_t mix(uint64_t x) {
  for (int i = 0; i < 1000; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

int main(void) {
  acc = mix(1);
  acc = acc + STEP; /* DIVERGE HERE: the builds differ only in this immediate */
  acc = mix(acc);
  printf("acc %llx\n", (unsigned long long)acc);
  return 0;
}
