/* Shared helpers for the privileged-architecture guests: CSR access, running code in S or U
 * mode, recording traps in M mode, and CHECK/REPORT. Each guest prints PASS and exits 0 when
 * every check holds, so it runs the same on QEMU's virt and on retrace. */
#ifndef PRIV_H
#define PRIV_H

#include "retrace_guest.h"

#define csr_read(csr) ({ uint64_t v__; __asm__ volatile("csrr %0, " #csr : "=r"(v__)); v__; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"r"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" ::"r"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" ::"r"((uint64_t)(val)) : "memory")

#define MSTATUS_SIE (1ull << 1)
#define MSTATUS_MIE (1ull << 3)
#define MSTATUS_MPP (3ull << 11)
#define MSTATUS_FS (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM (1ull << 18)
#define MSTATUS_MXR (1ull << 19)
#define MSTATUS_TVM (1ull << 20)
#define MSTATUS_TW (1ull << 21)
#define MSTATUS_TSR (1ull << 22)

enum { MODE_U = 0, MODE_S = 1 };
#define LOWER_RETURN_MAGIC 0x52545243 /* in a7 with ecall: "return to M" */

/* Runs fn(arg) in S or U mode (same stack, no translation changes); returns fn's a0 once fn
 * returns (its return address is a stub that ecalls back to M). */
uint64_t run_in_mode(int mode, uint64_t (*fn)(uint64_t), uint64_t arg);

/* The M-mode trap handler installed by priv_init(): it records the trap, then resumes after
 * the faulting instruction (after a fetch fault: at the caller, as if the function returned). */
struct trap_record {
  volatile uint64_t count, cause, tval, epc;
};
extern struct trap_record last_trap;
extern int failures;
void priv_init(void);
/* Allow S and U all memory through PMP entry 15 (the lowest priority). */
void pmp_allow_all(void);

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                       \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)
#define CHECK_EQ(a, b)                                                                             \
  do {                                                                                             \
    uint64_t a__ = (uint64_t)(a), b__ = (uint64_t)(b);                                             \
    if (a__ != b__) {                                                                              \
      printf("FAIL %s:%d: %s == %s (0x%llx != 0x%llx)\n", __FILE__, __LINE__, #a, #b,              \
             (unsigned long long)a__, (unsigned long long)b__);                                   \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)
/* Runs stmt expecting exactly one trap of `cause` (and tval, if not ~0). */
#define EXPECT_TRAP(cause_, tval_, stmt)                                                           \
  do {                                                                                             \
    last_trap.count = 0;                                                                           \
    stmt;                                                                                          \
    CHECK_EQ(last_trap.count, 1);                                                                  \
    CHECK_EQ(last_trap.cause, (cause_));                                                           \
    if ((uint64_t)(tval_) != ~0ull) CHECK_EQ(last_trap.tval, (tval_));                             \
  } while (0)
#define EXPECT_NO_TRAP(stmt)                                                                       \
  do {                                                                                             \
    last_trap.count = 0;                                                                           \
    stmt;                                                                                          \
    CHECK_EQ(last_trap.count, 0);                                                                  \
  } while (0)

static inline int report(void) {
  if (failures == 0) printf("PASS\n");
  else printf("%d checks failed\n", failures);
  return failures == 0 ? 0 : 1;
}

#endif
