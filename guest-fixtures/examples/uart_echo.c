/* UART echo: prints a prompt, echoes each line in upper case, and exits 0 on "quit".
 * Used by the scripted-input examples (tests/examples). Built with -DECHO_IRQ it receives
 * through UART interrupts routed by the PLIC and sleeps in WFI between bytes. */
#include "retrace_guest.h"

#ifdef ECHO_IRQ
#define PLIC_BASE 0x0c000000ul
static volatile uint8_t rx[256];
static volatile uint32_t rx_head, rx_tail;

static void on_trap(struct rt_trap_frame *f) {
  if (f->mcause != ((1ull << 63) | 11)) {
    printf("unexpected trap mcause=0x%llx\n", (unsigned long long)f->mcause);
    rt_exit(2);
  }
  const uint32_t irq = *(volatile uint32_t *)(PLIC_BASE + 0x200004);
  int c;
  while ((c = rt_getc()) >= 0) rx[rx_head++ & 255] = (uint8_t)c;
  *(volatile uint32_t *)(PLIC_BASE + 0x200004) = irq;
}

static int next_char(void) {
  for (;;) {
    __asm__ volatile("csrc mstatus, %0" ::"r"(1u << 3));
    if (rx_tail != rx_head) {
      const int c = rx[rx_tail++ & 255];
      __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));
      return c;
    }
    __asm__ volatile("wfi"); /* wakes on the pending interrupt even with MIE clear */
    __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));
  }
}

static void init_irq(void) {
  rt_set_trap_handler(on_trap);
  *(volatile uint32_t *)(PLIC_BASE + 4 * 10) = 1;
  *(volatile uint32_t *)(PLIC_BASE + 0x2000) = 1u << 10;
  *(volatile uint32_t *)(PLIC_BASE + 0x200000) = 0;
  /* the FIFO stays off: enabling it would flush bytes that already arrived */
  *(volatile uint8_t *)(RT_UART_BASE + 1) = 0x01;
  __asm__ volatile("csrs mie, %0" ::"r"(1u << 11));
}
#else
static int next_char(void) { return rt_getc_blocking(); }
static void init_irq(void) {}
#endif

int main(void) {
  init_irq();
  char line[80];
  unsigned n = 0;
  printf("echo ready\n> ");
  for (;;) {
    const int c = next_char();
    if (c == '\r' || c == '\n') {
      line[n] = 0;
      printf("\n");
      if (n == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't') {
        printf("bye\n");
        return 0;
      }
      for (unsigned i = 0; i < n; ++i) rt_putc(line[i] >= 'a' && line[i] <= 'z' ? (char)(line[i] - 32) : line[i]);
      printf("\n> ");
      n = 0;
    } else if (n + 1 < sizeof line) {
      line[n++] = (char)c;
      rt_putc((char)c);
    }
  }
}
