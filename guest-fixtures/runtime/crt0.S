/* retrace guest start-up and trap entry, for M-mode on the virt map.
 * Every hart enters at _start (QEMU's boot ROM and retrace's pass a0 = hartid, a1 = DTB).
 * Each hart gets its own stack and TLS block; hart 0 clears .bss, runs constructors and main;
 * the others wait until that is done and then run rt_secondary_main(hartid). */
#define RT_MAX_HARTS 8
#define RT_STACK_SHIFT 14
#define FRAME_SIZE (36 * 8)

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  mv s1, a1                      /* keep the DTB address for main's caller */
  csrr s0, mhartid
  li t0, RT_MAX_HARTS
  bgeu s0, t0, rt_park

  /* sp = top of this hart's stack; TLS block just below it */
  la sp, __stacks_end
  slli t0, s0, RT_STACK_SHIFT
  sub sp, sp, t0
  lui t1, %hi(__tls_block_size)
  addi t1, t1, %lo(__tls_block_size)
  sub sp, sp, t1
  andi sp, sp, -16
  mv tp, sp
  /* copy .tdata, zero .tbss */
  la a2, __tls_base
  lui a3, %hi(__tdata_size)
  addi a3, a3, %lo(__tdata_size)
  lui a4, %hi(__tbss_size)
  addi a4, a4, %lo(__tbss_size)
  mv a5, tp
1:beqz a3, 2f
  lbu t0, 0(a2)
  sb t0, 0(a5)
  addi a2, a2, 1
  addi a5, a5, 1
  addi a3, a3, -1
  j 1b
2:beqz a4, 3f
  sb zero, 0(a5)
  addi a5, a5, 1
  addi a4, a4, -1
  j 2b
3:
  la t0, rt_trap_entry
  csrw mtvec, t0
  /* FPU on (mstatus.FS = Initial), rounding to nearest */
  li t0, (1 << 13)
  csrs mstatus, t0
  csrwi fcsr, 0

  bnez s0, rt_secondary
  la a0, __bss_start
  la a1, __bss_end
4:bgeu a0, a1, 5f
  sd zero, 0(a0)
  addi a0, a0, 8
  j 4b
5:la t0, rt_dtb_address
  sd s1, 0(t0)
  fence rw, rw
  la t0, rt_boot_done
  li t1, 1
  sw t1, 0(t0)
  call __libc_init_array
  li a0, 0
  li a1, 0
  call main
  call exit
  j rt_park

rt_secondary:
  la t0, rt_boot_done
6:lw t1, 0(t0)
  beqz t1, 6b
  fence rw, rw
  mv a0, s0
  call rt_secondary_main
rt_park:
  wfi
  j rt_park

/* Trap entry: saves x1..x31, mepc, mcause, mtval and mstatus in an rt_trap_frame on the
 * current stack, calls rt_trap_dispatch(frame), then restores (mepc and registers may have
 * been changed by the handler) and returns with mret. */
  .text
  .align 2
  .globl rt_trap_entry
rt_trap_entry:
  addi sp, sp, -FRAME_SIZE
  sd x1, 1*8(sp)
  sd x3, 3*8(sp)
  sd x4, 4*8(sp)
  sd x5, 5*8(sp)
  sd x6, 6*8(sp)
  sd x7, 7*8(sp)
  sd x8, 8*8(sp)
  sd x9, 9*8(sp)
  sd x10, 10*8(sp)
  sd x11, 11*8(sp)
  sd x12, 12*8(sp)
  sd x13, 13*8(sp)
  sd x14, 14*8(sp)
  sd x15, 15*8(sp)
  sd x16, 16*8(sp)
  sd x17, 17*8(sp)
  sd x18, 18*8(sp)
  sd x19, 19*8(sp)
  sd x20, 20*8(sp)
  sd x21, 21*8(sp)
  sd x22, 22*8(sp)
  sd x23, 23*8(sp)
  sd x24, 24*8(sp)
  sd x25, 25*8(sp)
  sd x26, 26*8(sp)
  sd x27, 27*8(sp)
  sd x28, 28*8(sp)
  sd x29, 29*8(sp)
  sd x30, 30*8(sp)
  sd x31, 31*8(sp)
  addi t0, sp, FRAME_SIZE
  sd t0, 2*8(sp)
  csrr t0, mepc
  sd t0, 32*8(sp)
  csrr t0, mcause
  sd t0, 33*8(sp)
  csrr t0, mtval
  sd t0, 34*8(sp)
  csrr t0, mstatus
  sd t0, 35*8(sp)
  mv a0, sp
  call rt_trap_dispatch
  ld t0, 32*8(sp)
  csrw mepc, t0
  ld x1, 1*8(sp)
  ld x3, 3*8(sp)
  ld x4, 4*8(sp)
  ld x5, 5*8(sp)
  ld x6, 6*8(sp)
  ld x7, 7*8(sp)
  ld x8, 8*8(sp)
  ld x9, 9*8(sp)
  ld x10, 10*8(sp)
  ld x11, 11*8(sp)
  ld x12, 12*8(sp)
  ld x13, 13*8(sp)
  ld x14, 14*8(sp)
  ld x15, 15*8(sp)
  ld x16, 16*8(sp)
  ld x17, 17*8(sp)
  ld x18, 18*8(sp)
  ld x19, 19*8(sp)
  ld x20, 20*8(sp)
  ld x21, 21*8(sp)
  ld x22, 22*8(sp)
  ld x23, 23*8(sp)
  ld x24, 24*8(sp)
  ld x25, 25*8(sp)
  ld x26, 26*8(sp)
  ld x27, 27*8(sp)
  ld x28, 28*8(sp)
  ld x29, 29*8(sp)
  ld x30, 30*8(sp)
  ld x31, 31*8(sp)
  ld x2, 2*8(sp)
  mret

  .bss
  .align 3
  .globl rt_dtb_address
rt_dtb_address: .dword 0
  .section .data
  .align 2
  .globl rt_boot_done
rt_boot_done: .word 0
