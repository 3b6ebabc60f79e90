/* priv_enter_lower(mode, fn, arg, ctx): saves the callee-saved registers in *ctx, then mrets
 * into fn(arg) in `mode` with ra = a stub that ecalls back to M. The M handler restores them
 * and resumes at priv_lower_resume, which returns fn's a0 to the caller. */
  .text
  .globl priv_enter_lower
  .globl priv_lower_resume
  .globl priv_lower_return_stub
priv_enter_lower:
  sd ra, 0(a3)
  sd sp, 8(a3)
  sd s0, 16(a3)
  sd s1, 24(a3)
  sd s2, 32(a3)
  sd s3, 40(a3)
  sd s4, 48(a3)
  sd s5, 56(a3)
  sd s6, 64(a3)
  sd s7, 72(a3)
  sd s8, 80(a3)
  sd s9, 88(a3)
  sd s10, 96(a3)
  sd s11, 104(a3)
  li t0, (3 << 11)
  csrc mstatus, t0
  slli t1, a0, 11
  csrs mstatus, t1
  csrw mepc, a1
  mv a0, a2
  la ra, priv_lower_return_stub
  mret
priv_lower_return_stub:
  li a7, 0x52545243
  .globl priv_lower_return_ecall
priv_lower_return_ecall:
  ecall
1:j 1b
priv_lower_resume:
  ret
