/* The planted intermittent bug: UART receive interrupts (through the PLIC) push bytes into a
 * ring buffer; the main loop pops them and checks the sequence. The main loop decrements the
 * shared `count` non-atomically: it reads count, validates the byte (a few dozen instructions),
 * then writes count - 1. A byte whose interrupt lands in that window is counted by the handler
 * and then forgotten by the main loop's stale write, so the last byte is never consumed and the
 * guest reports it lost. It only happens for some input timings: with the default seed the run
 * passes; sweeping seeds (which jitter the input timing) finds failures.
 * Built with -DRINGBUF_FIXED the decrement is atomic and every timing passes. */
#include "retrace_guest.h"

#define EXPECTED 64                   /* bytes the test sends: 'A', 'B', ... cycling */
#define DEADLINE_MTIME 1000           /* 100 us of virtual time (icount 100000): after the last byte */
#define PLIC_BASE 0x0c000000ul
#define UART_IRQ 10

static volatile uint8_t ring[256];
static volatile uint32_t head, tail, count, dropped;

#define REG8(a) (*(volatile uint8_t *)(a))
#define REG32(a) (*(volatile uint32_t *)(a))

static void on_trap(struct rt_trap_frame *f) {
  if (f->mcause != ((1ull << 63) | 11)) {
    printf("unexpected trap mcause=0x%llx mepc=0x%llx\n", (unsigned long long)f->mcause,
           (unsigned long long)f->mepc);
    rt_exit(2);
  }
  const uint32_t irq = REG32(PLIC_BASE + 0x200004); /* claim (context 0: hart 0, M) */
  while (REG8(RT_UART_BASE + 5) & 1) {
    const uint8_t c = REG8(RT_UART_BASE);
    if (count < sizeof ring) {
      /* count first, then head: so (head - tail) - count, "bytes in the ring nobody counts", is
       * never above 0 except after the main loop's stale write has lost an increment */
      ring[head] = c;
      count = count + 1;
      head = (head + 1) & 255;
    } else {
      dropped++;
    }
  }
  REG32(PLIC_BASE + 0x200004) = irq; /* complete */
}

static uint32_t validate(uint32_t crc, uint8_t c) {
  crc ^= c;
  for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  return crc;
}

int main(void) {
  rt_set_trap_handler(on_trap);
  REG32(PLIC_BASE + 4 * UART_IRQ) = 1;      /* priority */
  REG32(PLIC_BASE + 0x2000) = 1u << UART_IRQ; /* enable for context 0 */
  REG32(PLIC_BASE + 0x200000) = 0;          /* threshold */
  /* the FIFO stays off: enabling it would flush bytes that already arrived */
  REG8(RT_UART_BASE + 1) = 0x01;            /* interrupt on received data */
  __asm__ volatile("csrs mie, %0" ::"r"(1u << 11));
  __asm__ volatile("csrs mstatus, %0" ::"r"(1u << 3));
  printf("ringbuf ready\n");

  uint32_t received = 0, crc = ~0u;
  while (received < EXPECTED) {
    if (count != 0) {
      const uint8_t c = ring[tail];
      tail = (tail + 1) & 255;
#ifdef RINGBUF_FIXED
      crc = validate(crc, c);
      __atomic_fetch_sub(&count, 1, __ATOMIC_SEQ_CST);
#else
      const uint32_t n = count; /* BUG: read ... */
      crc = validate(crc, c);
      count = n - 1;            /* ... modify-write: an increment in between is lost */
#endif
      const uint8_t want = (uint8_t)('A' + received % 26);
      if (c != want) {
        printf("FAIL: byte %u is '%c', expected '%c'\n", (unsigned)received, c, want);
        return 1;
      }
      ++received;
    } else if (rt_mtime() > DEADLINE_MTIME) {
      printf("FAIL: lost data: received %u of %u bytes (%u still in the ring)\n", (unsigned)received, EXPECTED,
             (unsigned)((head - tail) & 255));
      return 1;
    }
  }
  printf("received %u bytes, crc %08lx, dropped %u\n", (unsigned)received, (unsigned long)~crc, (unsigned)dropped);
  return dropped == 0 ? 0 : 1;
}
