#include "retrace_guest.h"

int main(void) {
  char name[32];
  unsigned n = 0;
  printf("name? ");
  for (;;) {
    const int c = rt_getc_blocking();
    if (c == '\r' || c == '\n' || n + 1 == sizeof name) break;
    name[n++] = (char)c;
  }
  name[n] = 0;
  printf("\nhello, %s\n", name);
  return n == 0 ? 1 : 0; /* an empty name is a failure */
}
