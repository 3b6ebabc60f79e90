#include "priv.h"

struct trap_record last_trap;
int failures;

/* Saved M-mode context of run_in_mode (callee-saved registers, sp, ra). */
struct lower_ctx {
  uint64_t ra, sp, s[12];
};
static struct lower_ctx ctx;
extern void priv_lower_resume(void);
extern void priv_lower_return_stub(void);

static void m_handler(struct rt_trap_frame *f) {
  const uint64_t cause = f->mcause;
  if ((cause == 8 || cause == 9) && f->x[17] == LOWER_RETURN_MAGIC) {
    /* Back to M: resume in priv_lower_resume with run_in_mode's registers; a0 = fn's result. */
    f->x[1] = ctx.ra;
    f->x[2] = ctx.sp;
    f->x[8] = ctx.s[0];
    f->x[9] = ctx.s[1];
    for (int k = 2; k < 12; ++k) f->x[16 + k] = ctx.s[k];
    f->mepc = (uint64_t)&priv_lower_resume;
    csr_set(mstatus, MSTATUS_MPP); /* mret stays in M */
    csr_clear(mstatus, MSTATUS_MPRV);
    return;
  }
  last_trap.count++;
  last_trap.cause = cause;
  last_trap.tval = f->mtval;
  last_trap.epc = f->mepc;
  if (cause >> 63) { /* interrupts are not expected here */
    printf("FAIL: unexpected interrupt mcause=0x%llx\n", (unsigned long long)cause);
    rt_exit(3);
  }
  if (cause == 1 || cause == 12) { /* fetch fault: return to the caller */
    f->mepc = f->x[1];
    return;
  }
  /* Skip the faulting instruction: test code is identity-mapped, so mepc is readable here. */
  const uint16_t lo = *(volatile uint16_t *)f->mepc;
  f->mepc += (lo & 3) == 3 ? 4 : 2;
}

void priv_init(void) { rt_set_trap_handler(m_handler); }

void pmp_allow_all(void) {
  /* entry 15: NAPOT over the whole address space, RWX */
  csr_write(pmpaddr15, ~0ull >> 10);
  uint64_t cfg = csr_read(pmpcfg2);
  cfg &= ~(0xffull << 56);
  cfg |= (uint64_t)(0x18 | 0x7) << 56;
  csr_write(pmpcfg2, cfg);
}

uint64_t priv_enter_lower(int mode, uint64_t (*fn)(uint64_t), uint64_t arg, struct lower_ctx *c);

uint64_t run_in_mode(int mode, uint64_t (*fn)(uint64_t), uint64_t arg) {
  return priv_enter_lower(mode, fn, arg, &ctx);
}
