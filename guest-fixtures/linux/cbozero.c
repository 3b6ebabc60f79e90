// A Linux user program that zeroes a cache block with cbo.zero (Zicboz). Whether user mode may
// run it is the kernel's choice (senvcfg.CBZE); Linux 6.1 never sets it, so there the
// instruction is illegal and the program dies of SIGILL, on retrace as on hardware.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned char block[256] __attribute__((aligned(64)));

int main(void) {
  memset(block, 0xab, sizeof block);
  unsigned char* p = block + 64 + 13; // inside the second 64-byte block
  // cbo.zero 0(a0): MISC-MEM, funct3 2, rs1 = a0, imm 4 (binutils 2.40 knows the mnemonic)
  __asm__ volatile("mv a0, %0\n\tcbo.zero (a0)" ::"r"(p) : "a0", "memory");
  int zero = 0, kept = 0;
  for (int k = 0; k < 256; ++k) (k >= 64 && k < 128 ? (zero += block[k] == 0) : (kept += block[k] == 0xab));
  printf("cbozero: %d of 64 bytes zeroed, %d of 192 kept\n", zero, kept);
  return zero == 64 && kept == 192 ? 0 : 1;
}
