/* HTIF (Spike's host-target interface): console output through device 1 and exit through
 * tohost = (status << 1) | 1. retrace enables HTIF because this ELF defines tohost; QEMU's virt
 * has no HTIF, so this guest is not a QEMU peer. No retrace runtime: HTIF is the whole world. */
#include <stdint.h>

volatile uint64_t tohost __attribute__((section(".htif"), aligned(8)));
volatile uint64_t fromhost __attribute__((section(".htif"), aligned(8)));

static void htif_putc(char c) {
  tohost = (1ull << 56) | (1ull << 48) | (uint8_t)c;
  while (tohost != 0) {
  }
}

/* write(2) through the syscall proxy: magic[0] = 64 (SYS_write), fd, buffer, length */
static volatile uint64_t magic[8] __attribute__((aligned(64)));
static void htif_write(const char *s, uint64_t n) {
  magic[0] = 64;
  magic[1] = 1;
  magic[2] = (uint64_t)s;
  magic[3] = n;
  tohost = (uint64_t)magic;
  while (fromhost == 0) {
  }
  fromhost = 0;
}

void _start(void) __attribute__((naked, section(".text.init")));
void _start(void) {
  __asm__ volatile("la sp, stack_top\n call htif_main\n 1: j 1b");
}

static uint8_t stack[4096] __attribute__((aligned(16), used));
__asm__(".globl stack_top\n .set stack_top, stack + 4096");

void htif_main(void) {
  const char *s = "hello through htif\n";
  for (const char *p = s; *p; ++p) htif_putc(*p);
  htif_write("and through sys_write\n", 22);
  tohost = (7u << 1) | 1; /* exit status 7 */
  for (;;) {
  }
}
