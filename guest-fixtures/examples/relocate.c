/* Code that runs somewhere other than where it was linked, as U-Boot does when it copies itself
 * to the top of RAM: main copies the program 4 MiB higher and calls say() in the copy. A
 * report on the copy's instructions needs `retrace bisect --symbols relocate.elf`, which finds
 * the offset by matching bytes and then names lines as usual (tests/bisect, docs/bisect.md). */
#include "retrace_guest.h"

#include <string.h>

#define OFFSET (4ul << 20)

extern char _start[], __bss_start[];

void __attribute__((noinline, used)) say(void);
void __attribute__((noinline, used)) say(void) {
  static const char msg[] = "hello from the relocated copy\n";
  for (const char *p = msg; *p; ++p) {
    while (!(*(volatile uint8_t *)0x10000005 & 0x20)) {
    }
    *(volatile uint8_t *)0x10000000 = (uint8_t)*p; /* the UART store a report names */
  }
}

int main(void) {
  memcpy(_start + OFFSET, _start, (size_t)(__bss_start - _start));
  __asm__ volatile("fence.i" ::: "memory");
  void (*copy)(void) = (void (*)(void))((char *)say + OFFSET);
  copy();
  return 0;
}
