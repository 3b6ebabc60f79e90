/* retrace guest runtime: UART, finisher, CLINT, traps and picolibc's stdio hooks. */
#include "retrace_guest.h"

#include <stdlib.h>

#define REG8(a)  (*(volatile uint8_t *)(a))
#define REG32(a) (*(volatile uint32_t *)(a))
#define REG64(a) (*(volatile uint64_t *)(a))

enum { UART_RBR = 0, UART_THR = 0, UART_FCR = 2, UART_LCR = 3, UART_LSR = 5 };
enum { LSR_DR = 0x01, LSR_THRE = 0x20 };

extern uint64_t rt_dtb_address;
static rt_trap_handler rt_handlers[RT_MAX_HARTS];

void rt_putc(char c) {
  while (!(REG8(RT_UART_BASE + UART_LSR) & LSR_THRE)) {
  }
  REG8(RT_UART_BASE + UART_THR) = (uint8_t)c;
}

void rt_puts(const char *s) {
  while (*s) rt_putc(*s++);
}

int rt_getc(void) {
  if (!(REG8(RT_UART_BASE + UART_LSR) & LSR_DR)) return -1;
  return REG8(RT_UART_BASE + UART_RBR);
}

int rt_getc_blocking(void) {
  int c;
  while ((c = rt_getc()) < 0) {
  }
  return c;
}

_Noreturn void rt_exit(int status) {
  uint32_t code = (uint32_t)status & 0xffffu;
  if (status != 0 && code == 0) code = 1; /* keep a failure a failure */
  REG32(RT_FINISHER_BASE) = status == 0 ? 0x5555u : ((code << 16) | 0x3333u);
  for (;;) __asm__ volatile("wfi");
}

void _exit(int status) { rt_exit(status); }

uint64_t rt_mtime(void) { return REG64(RT_CLINT_MTIME); }
void rt_set_mtimecmp(unsigned hart, uint64_t when) { REG64(RT_CLINT_MTIMECMP(hart)) = when; }

unsigned rt_hartid(void) {
  uint64_t id;
  __asm__ volatile("csrr %0, mhartid" : "=r"(id));
  return (unsigned)id;
}

uint64_t rt_dtb(void) { return rt_dtb_address; }

void rt_set_trap_handler(rt_trap_handler handler) { rt_handlers[rt_hartid()] = handler; }

__attribute__((weak)) void rt_secondary_main(unsigned hartid) {
  (void)hartid;
  for (;;) __asm__ volatile("wfi");
}

static void rt_put_hex(uint64_t v) {
  rt_puts("0x");
  for (int i = 60; i >= 0; i -= 4) rt_putc("0123456789abcdef"[(v >> i) & 0xf]);
}

/* Called by rt_trap_entry (crt0.S). Without a handler, a trap is a failure the report can name. */
void rt_trap_dispatch(struct rt_trap_frame *frame) {
  rt_trap_handler h = rt_handlers[rt_hartid()];
  if (h) {
    h(frame);
    return;
  }
  rt_puts("unhandled trap: mcause=");
  rt_put_hex(frame->mcause);
  rt_puts(" mepc=");
  rt_put_hex(frame->mepc);
  rt_puts(" mtval=");
  rt_put_hex(frame->mtval);
  rt_puts("\n");
  rt_exit(RT_EXIT_UNHANDLED_TRAP);
}

/* picolibc stdio on the UART. */
static int rt_stdio_put(char c, FILE *f) {
  (void)f;
  rt_putc(c);
  return (unsigned char)c;
}
static int rt_stdio_get(FILE *f) {
  (void)f;
  return rt_getc_blocking();
}
static FILE rt_stdio = FDEV_SETUP_STREAM(rt_stdio_put, rt_stdio_get, NULL, _FDEV_SETUP_RW);
FILE *const stdin = &rt_stdio;
FILE *const stdout = &rt_stdio;
FILE *const stderr = &rt_stdio;
