/* A guest that fails: prints FAIL and exits with status 3 (for the CLI and report tests). */
#include "retrace_guest.h"

int main(void) {
  printf("FAIL: expected 42, got 41\n");
  return 3;
}
