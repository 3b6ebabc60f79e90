/* UART interrupts through the PLIC, counted on hart 0, the way a small teaching kernel's driver
 * takes them: the handler claims, counts and completes, and never reads IIR. The count is what
 * QEMU 7.2's virt delivers, which retrace must match (tests/peer/qemu_irq_test.cpp,
 * docs/devices.md "Interrupts as QEMU's virt delivers them"):
 *
 *   default          IER.ETBEI enabled with THR empty, then a long quiet loop: 1 interrupt
 *                    (a PLIC that samples the still-high line at complete storms forever).
 *   -DTHR_WRITES=N   then N bytes written to THR, each waited for: 1 + N interrupts.
 *   -DRX_BYTES=N     IER.ERBFI with the FIFO off, N scripted input bytes, one RBR read per
 *                    interrupt: N interrupts.
 *   -DLATE_ENABLE    ETBEI enabled while the PLIC source is still disabled, then the source
 *                    enabled: nothing (QEMU's PLIC re-evaluates its hart lines at a raise, claim,
 *                    complete, priority or threshold write, not at an enable write), until a
 *                    threshold write: then 1.
 *
 * Prints "uart irqs: COUNT" and exits 0; more than STORM interrupts stop the count (the source
 * is disabled) so a storm ends too. */
#include "retrace_guest.h"

#define PLIC_BASE 0x0c000000ul
#define UART_IRQ 10
#define STORM 1000
#define QUIET_LOOPS 1000000

#define REG8(a) (*(volatile uint8_t *)(a))
#define REG32(a) (*(volatile uint32_t *)(a))
#define PLIC_ENABLE0 (PLIC_BASE + 0x2000)      /* context 0: hart 0, M-mode */
#define PLIC_CLAIM0 (PLIC_BASE + 0x200004)
enum { RBR = 0, THR = 0, IER = 1, LSR = 5 };

static volatile uint32_t uart_irqs, other_irqs;
#ifdef RX_BYTES
static volatile char rx[RX_BYTES + 1];
static volatile uint32_t rx_count;
#endif

static void on_trap(struct rt_trap_frame *f) {
  if (f->mcause != ((1ull << 63) | 11)) {
    printf("unexpected trap mcause=0x%llx mepc=0x%llx\n", (unsigned long long)f->mcause,
           (unsigned long long)f->mepc);
    rt_exit(2);
  }
  const uint32_t src = REG32(PLIC_CLAIM0);
  if (src == UART_IRQ) {
    if (++uart_irqs >= STORM) REG32(PLIC_ENABLE0) = 0; /* a storm: stop counting */
#ifdef RX_BYTES
    if ((REG8(RT_UART_BASE + LSR) & 1) && rx_count < RX_BYTES) rx[rx_count++] = (char)REG8(RT_UART_BASE + RBR);
#endif
  } else {
    ++other_irqs;
  }
  if (src) REG32(PLIC_CLAIM0) = src;
}

#ifdef THR_WRITES
/* Waits (bounded) until `n` UART interrupts were taken. */
static void wait_for(uint32_t n) {
  for (uint32_t i = 0; i < 10000000u && uart_irqs < n; ++i) __asm__ volatile("" ::: "memory");
}
#endif

int main(void) {
  rt_set_trap_handler(on_trap);
  REG32(PLIC_BASE + 4 * UART_IRQ) = 1; /* priority */
  REG32(PLIC_BASE + 0x200000) = 0;     /* threshold */
#ifdef LATE_ENABLE
  REG8(RT_UART_BASE + IER) = 0x02; /* THR empty: pending at the PLIC, not enabled there */
  __asm__ volatile("csrs mie, %0" ::"r"(1u << 11));
  __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));
  REG32(PLIC_ENABLE0) = 1u << UART_IRQ;
  for (volatile uint32_t i = 0; i < QUIET_LOOPS; ++i) {
  }
  const uint32_t after_enable = uart_irqs;
  REG32(PLIC_BASE + 0x200000) = 0; /* a threshold write re-evaluates the lines */
  for (volatile uint32_t i = 0; i < QUIET_LOOPS; ++i) {
  }
  __asm__ volatile("csrc mstatus, %0" ::"r"(1u << 3));
  REG8(RT_UART_BASE + IER) = 0;
  printf("after enable: %u\n", (unsigned)after_enable);
  printf("uart irqs: %u\n", (unsigned)uart_irqs);
  return 0;
#endif
  REG32(PLIC_ENABLE0) = 1u << UART_IRQ;
  __asm__ volatile("csrs mie, %0" ::"r"(1u << 11));
  __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));
#ifdef RX_BYTES
  REG8(RT_UART_BASE + IER) = 0x01; /* received data; the FIFO stays off */
  const uint64_t deadline = rt_mtime() + RT_MTIME_HZ / 2;
  while (rx_count < RX_BYTES && rt_mtime() < deadline) {
  }
#else
  REG8(RT_UART_BASE + IER) = 0x02; /* THR empty: it is */
  for (volatile uint32_t i = 0; i < QUIET_LOOPS; ++i) {
  }
#ifdef THR_WRITES
  for (uint32_t k = 1; k <= THR_WRITES; ++k) {
    REG8(RT_UART_BASE + THR) = '.';
    wait_for(1 + k);
  }
  for (volatile uint32_t i = 0; i < QUIET_LOOPS; ++i) {
  }
#endif
#endif
  __asm__ volatile("csrc mstatus, %0" ::"r"(1u << 3));
  REG8(RT_UART_BASE + IER) = 0;
  printf("\nuart irqs: %u\n", (unsigned)uart_irqs);
  if (other_irqs) printf("other irqs: %u\n", (unsigned)other_irqs);
#ifdef RX_BYTES
  rx[rx_count] = 0;
  printf("rx: %s\n", (const char *)rx);
#endif
  return 0;
}
