/* An S-mode payload for OpenSBI's fw_jump (loaded raw at 0x8020_0000, as -kernel): the boot hart
 * starts every other hart through SBI HSM (hart_start), each started hart says so on the SBI
 * console, the boot hart waits until all have, then shuts the machine down through SBI SRST.
 * Position-independent: only PC-relative addressing, so it runs wherever it is loaded.
 *
 * Output: "boot hart B", one "hart N started" per other hart, "started K harts", exit 0. */
  .section .text
  .globl _start
_start:
  mv s0, a0                   /* the boot hart (OpenSBI's lottery winner) */
  la a0, msg_boot
  call puts
  addi a0, s0, '0'
  call putc
  li a0, '\n'
  call putc
  li s1, 0                    /* hart to start */
  li s3, 0                    /* harts started */
1:
  beq s1, s0, 2f
  li a7, 0x48534D             /* HSM */
  li a6, 0                    /* hart_start(hartid, start_addr, opaque) */
  mv a0, s1
  la a1, secondary
  mv a2, s1
  ecall
  bnez a0, 2f                 /* no such hart (or not startable): next */
  addi s3, s3, 1
2:
  addi s1, s1, 1
  li t0, 8
  blt s1, t0, 1b
  la t1, started
3:
  lw t0, 0(t1)
  blt t0, s3, 3b
  la a0, msg_all
  call puts
  addi a0, s3, '0'
  call putc
  la a0, msg_harts
  call puts
  li a7, 0x53525354           /* SRST: system_reset(shutdown, no reason) */
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
  neg s4, a0                  /* only if the reset failed: say why (SBI error, negated) */
  la a0, msg_srst
  call puts
  addi a0, s4, '0'
  call putc
  li a0, '\n'
  call putc
4:
  wfi
  j 4b

/* A started hart: a0 = hartid, a1 = opaque (its id too), S-mode, satp 0. */
secondary:
  mv s0, a0
  la t1, lock
  li t2, 1
5:
  amoswap.w.aq t0, t2, (t1)   /* the console is shared: one line at a time */
  bnez t0, 5b
  la a0, msg_hart
  call puts
  addi a0, s0, '0'
  call putc
  la a0, msg_started
  call puts
  la t1, lock
  amoswap.w.rl zero, zero, (t1)
  la t1, started
  li t2, 1
  amoadd.w zero, t2, (t1)
6:
  wfi
  j 6b

/* SBI legacy console_putchar(a0); clobbers a0, a6, a7 */
putc:
  li a7, 1
  li a6, 0
  ecall
  ret

/* puts(a0): no stack, so t3/t4 hold the return address and the string */
puts:
  mv t3, ra
  mv t4, a0
7:
  lbu a0, 0(t4)
  beqz a0, 8f
  call putc
  addi t4, t4, 1
  j 7b
8:
  mv ra, t3
  ret

  .section .rodata
msg_boot: .asciz "boot hart "
msg_hart: .asciz "hart "
msg_started: .asciz " started\n"
msg_all: .asciz "started "
msg_harts: .asciz " harts\n"
msg_srst: .asciz "system reset failed: SBI error -"

  .section .data
  .align 3
lock: .word 0
started: .word 0
