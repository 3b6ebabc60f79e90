/* retrace guest runtime: the few things a test guest needs on the QEMU-virt map.
 * Works the same on QEMU (`-M virt -bios none -kernel X.elf`) and on retrace's machine.
 *
 *   #include "retrace_guest.h"
 *   int main(void) { printf("hello from the guest\n"); return 0; }   // exit status 0
 *
 * main's return value (or exit(n) / rt_exit(n)) ends the run through the sifive_test
 * finisher: 0 is a pass (0x5555), n != 0 a fail ((n << 16) | 0x3333). */
#ifndef RETRACE_GUEST_H
#define RETRACE_GUEST_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The virt map (design.md). */
#define RT_FINISHER_BASE 0x00100000UL
#define RT_CLINT_BASE    0x02000000UL
#define RT_CLINT_MSIP(h)     (RT_CLINT_BASE + 4UL * (h))
#define RT_CLINT_MTIMECMP(h) (RT_CLINT_BASE + 0x4000UL + 8UL * (h))
#define RT_CLINT_MTIME       (RT_CLINT_BASE + 0xbff8UL)
#define RT_UART_BASE     0x10000000UL
#define RT_RAM_BASE      0x80000000UL
#define RT_MTIME_HZ      10000000UL /* 10 MHz timebase */
#define RT_MAX_HARTS     8          /* must match virt.ld and crt0.S */

/* Exit status used when a trap reaches no handler. */
#define RT_EXIT_UNHANDLED_TRAP 126

/* Registers at the time of a trap; a handler may change them (and mepc) before returning. */
struct rt_trap_frame {
  uint64_t x[32]; /* x[0] unused; x[2] is the interrupted sp */
  uint64_t mepc;
  uint64_t mcause;
  uint64_t mtval;
  uint64_t mstatus;
};
typedef void (*rt_trap_handler)(struct rt_trap_frame *frame);

/* UART (ns16550a). */
void rt_putc(char c);
void rt_puts(const char *s);           /* no newline added */
int rt_getc(void);                     /* next received byte, or -1 if none waiting */
int rt_getc_blocking(void);            /* waits (WFI-free busy poll) for a byte */

/* Ending the run: never returns. */
_Noreturn void rt_exit(int status);

/* Time: the CLINT's mtime (10 MHz). */
uint64_t rt_mtime(void);
void rt_set_mtimecmp(unsigned hart, uint64_t when);

/* Harts and traps. */
unsigned rt_hartid(void);
void rt_set_trap_handler(rt_trap_handler handler); /* for the calling hart; NULL: default */
uint64_t rt_dtb(void);                             /* a1 at reset: the device tree's address */

/* Run on harts other than 0 after hart 0 finished start-up; default: park in WFI. */
void rt_secondary_main(unsigned hartid);

static inline uint64_t rt_read_mcycle(void) {
  uint64_t v;
  __asm__ volatile("csrr %0, mcycle" : "=r"(v));
  return v;
}
static inline uint64_t rt_read_minstret(void) {
  uint64_t v;
  __asm__ volatile("csrr %0, minstret" : "=r"(v));
  return v;
}

#ifdef __cplusplus
}
#endif
#endif
