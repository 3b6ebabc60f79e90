/* Results of the bit-manipulation and Zfhmin instructions, printed for comparison with another
 * implementation (tests/peer/qemu_isa_test.cpp runs this on QEMU with Zfhmin enabled and on
 * retrace, and compares the output line by line). Nothing here decides what is right: each line
 * is a result (or a hash of many), so the first differing line names the instruction and the
 * case. Built with -march=rv64gc_zba_zbb_zbc_zbs_zfhmin (no Zicond: QEMU 7.2 lacks it). */
#include "retrace_guest.h"

#include <stdint.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;

static u64 hash;
static void mix(u64 v) { hash = (hash ^ v) * 0x100000001b3ull; }
static void begin(void) { hash = 0xcbf29ce484222325ull; }

static u64 rng_state = 0x9e3779b97f4a7c15ull;
static u64 next(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* ---- bit manipulation ---------------------------------------------------------------------- */
static const u64 interesting[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
    0xffffffff00000000ull, 0x8000000000000000ull, 0x7fffffffffffffffull, 0xffffffffffffffffull,
    0x0123456789abcdefull, 0xfedcba9876543210ull, 31, 32, 63, 64, 65, 0xffffffffffffffc1ull,
};
#define N (sizeof interesting / sizeof interesting[0])
#define RANDOM 512

#define DUMP2(insn)                                                                                 \
  do {                                                                                              \
    begin();                                                                                        \
    for (unsigned i = 0; i < N + RANDOM; ++i)                                                       \
      for (unsigned j = 0; j < (i < N ? N : 1); ++j) {                                              \
        const u64 a = i < N ? interesting[i] : next(), b = i < N ? interesting[j] : next();         \
        u64 r;                                                                                      \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));                            \
        mix(r);                                                                                     \
      }                                                                                             \
    printf("%-10s %016llx\n", insn, (unsigned long long)hash);                                      \
  } while (0)
#define DUMP1(insn, text)                                                                           \
  do {                                                                                              \
    begin();                                                                                        \
    for (unsigned i = 0; i < N + RANDOM; ++i) {                                                     \
      const u64 a = i < N ? interesting[i] : next();                                                \
      u64 r;                                                                                        \
      __asm__ volatile(insn : "=r"(r) : "r"(a));                                                    \
      mix(r);                                                                                       \
    }                                                                                               \
    printf("%-10s %016llx\n", text, (unsigned long long)hash);                                      \
  } while (0)

static void bitmanip(void) {
  DUMP2("add.uw"); DUMP2("sh1add"); DUMP2("sh2add"); DUMP2("sh3add");
  DUMP2("sh1add.uw"); DUMP2("sh2add.uw"); DUMP2("sh3add.uw");
  DUMP2("andn"); DUMP2("orn"); DUMP2("xnor");
  DUMP2("max"); DUMP2("maxu"); DUMP2("min"); DUMP2("minu");
  DUMP2("rol"); DUMP2("rolw"); DUMP2("ror"); DUMP2("rorw");
  DUMP2("clmul"); DUMP2("clmulh"); DUMP2("clmulr");
  DUMP2("bclr"); DUMP2("bext"); DUMP2("binv"); DUMP2("bset");
  DUMP1("clz %0, %1", "clz"); DUMP1("clzw %0, %1", "clzw");
  DUMP1("ctz %0, %1", "ctz");
  /* ctzw in two lines: operands whose low word is zero but not their high one apart, where
   * QEMU 7.2 counts on past bit 31 (ctzw of 0x8000000000000000 gives 63 there, not 32) */
  for (int hi = 0; hi < 2; ++hi) {
    begin();
    for (unsigned i = 0; i < N + RANDOM; ++i) {
      u64 a = i < N ? interesting[i] : next();
      if (i >= N && hi) a <<= 32;
      if (hi != ((a & 0xffffffffu) == 0 && a != 0)) continue;
      u64 r;
      __asm__ volatile("ctzw %0, %1" : "=r"(r) : "r"(a));
      mix(r);
    }
    printf("%-10s %016llx\n", hi ? "ctzw hi" : "ctzw", (unsigned long long)hash);
  }
  DUMP1("cpop %0, %1", "cpop"); DUMP1("cpopw %0, %1", "cpopw");
  DUMP1("sext.b %0, %1", "sext.b"); DUMP1("sext.h %0, %1", "sext.h"); DUMP1("zext.h %0, %1", "zext.h");
  DUMP1("orc.b %0, %1", "orc.b"); DUMP1("rev8 %0, %1", "rev8");
  DUMP1("slli.uw %0, %1, 0", "slli.uw 0"); DUMP1("slli.uw %0, %1, 13", "slli.uw 13");
  DUMP1("slli.uw %0, %1, 63", "slli.uw 63");
  DUMP1("rori %0, %1, 0", "rori 0"); DUMP1("rori %0, %1, 1", "rori 1"); DUMP1("rori %0, %1, 63", "rori 63");
  DUMP1("roriw %0, %1, 0", "roriw 0"); DUMP1("roriw %0, %1, 1", "roriw 1"); DUMP1("roriw %0, %1, 31", "roriw 31");
  DUMP1("bclri %0, %1, 0", "bclri 0"); DUMP1("bclri %0, %1, 63", "bclri 63");
  DUMP1("bexti %0, %1, 0", "bexti 0"); DUMP1("bexti %0, %1, 63", "bexti 63");
  DUMP1("binvi %0, %1, 0", "binvi 0"); DUMP1("binvi %0, %1, 63", "binvi 63");
  DUMP1("bseti %0, %1, 0", "bseti 0"); DUMP1("bseti %0, %1, 63", "bseti 63");
}

/* ---- Zfhmin -------------------------------------------------------------------------------- */
/* Each conversion: raw 64-bit register in, raw 64-bit register out (so NaN-boxing shows), the
 * rounding mode from frm (rm = dyn), fflags cleared before and read after. */
#define CVT(name, insn)                                                                             \
  static u64 name(u64 in, unsigned rm, unsigned *flags) {                                           \
    u64 out, fl;                                                                                    \
    __asm__ volatile("fsflags zero\n\tfsrm %3\n\tfmv.d.x ft0, %2\n\t" insn " ft1, ft0\n\t"         \
                     "fmv.x.d %0, ft1\n\tfrflags %1"                                                \
                     : "=r"(out), "=r"(fl) : "r"(in), "r"((u64)rm) : "ft0", "ft1");                 \
    *flags = (unsigned)fl;                                                                          \
    return out;                                                                                     \
  }
CVT(cvt_s_h, "fcvt.s.h")
CVT(cvt_d_h, "fcvt.d.h")
CVT(cvt_h_s, "fcvt.h.s")
CVT(cvt_h_d, "fcvt.h.d")

static u64 box16(u16 v) { return 0xffffffffffff0000ull | v; }
static u64 box32(u32 v) { return 0xffffffff00000000ull | v; }

static const u32 singles[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f801000, 0x3f803000, 0xbf801000, 0x3f800fff, 0x3f801001,
    0x477fe000, 0x477ff000, 0x477fefff, 0x47800000, 0x501502f9, 0xd01502f9, 0x7f7fffff, 0x7f800000, 0xff800000,
    0x7fc00000, 0xffc00001, 0x7f800001, 0xff800123, 0x38800000, 0x387ff000, 0x387fe000, 0x387fffff, 0x33800000,
    0x33000000, 0x33000001, 0x32ffffff, 0x33c00000, 0x00000001, 0x807fffff, 0x34400000, 0xb3400000,
};
static const u64 doubles[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x3ff0020000000000ull, 0x3ff0020000001000ull, 0x3ff001ffffffffffull, 0x40effe0000000000ull,
    0x40effc0000000000ull, 0x40effdffffffffffull, 0x7e37e43c8800759cull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0x7ff0000000000001ull, 0xfff4000000000000ull,
    0x3f10000000000000ull, 0x3f0ffe0000000000ull, 0x3e70000000000000ull, 0x3e60000000000000ull,
    0x3e60000000000001ull, 0x0000000000000001ull, 0x800fffffffffffffull, 0x3e78000000000000ull,
};

static void zfhmin(void) {
  unsigned fl;
  /* flh NaN-boxes; fmv.x.h sign-extends; fmv.h.x boxes; fsh stores the low 16 bits */
  static volatile u16 mem[4] = {0x3c00, 0x8001, 0x7c01, 0xffff};
  for (unsigned k = 0; k < 4; ++k) {
    u64 raw, x;
    __asm__ volatile("flh ft0, 0(%2)\n\tfmv.x.d %0, ft0\n\tfmv.x.h %1, ft0" : "=r"(raw), "=r"(x) : "r"(&mem[k]) : "ft0");
    printf("flh %04x: f=%016llx fmv.x.h=%016llx\n", mem[k], (unsigned long long)raw, (unsigned long long)x);
  }
  {
    u64 raw, x;
    __asm__ volatile("fmv.d.x ft0, %2\n\tfmv.x.h %1, ft0\n\tfmv.h.x ft1, %2\n\tfmv.x.d %0, ft1"
                     : "=r"(raw), "=r"(x) : "r"(0x123456789abcfedcull) : "ft0", "ft1");
    printf("fmv.x.h unboxed=%016llx fmv.h.x=%016llx\n", (unsigned long long)x, (unsigned long long)raw);
    __asm__ volatile("fmv.d.x ft0, %1\n\tfsh ft0, 0(%0)" : : "r"(&mem[0]), "r"(0x1111222233334444ull) : "ft0", "memory");
    printf("fsh: %04x\n", mem[0]);
  }
  /* widening, every half value, boxed; and a few not properly boxed */
  for (unsigned blk = 0; blk < 16; ++blk) {
    u64 hs, hd;
    begin();
    for (unsigned v = blk * 4096; v < (blk + 1) * 4096; ++v) {
      mix(cvt_s_h(box16((u16)v), 0, &fl));
      mix(fl);
    }
    hs = hash;
    begin();
    for (unsigned v = blk * 4096; v < (blk + 1) * 4096; ++v) {
      mix(cvt_d_h(box16((u16)v), 0, &fl));
      mix(fl);
    }
    hd = hash;
    printf("fcvt.s.h/fcvt.d.h %04x..: %016llx %016llx\n", blk * 4096, (unsigned long long)hs, (unsigned long long)hd);
  }
  printf("fcvt.s.h unboxed: %016llx", (unsigned long long)cvt_s_h(box32(0x3c00), 0, &fl));
  printf(" %x\n", fl);
  printf("fcvt.d.h unboxed: %016llx", (unsigned long long)cvt_d_h(0x3c00, 0, &fl));
  printf(" %x\n", fl);
  /* narrowing: edge cases one by one, then random values, in every rounding mode */
  for (unsigned rm = 0; rm < 5; ++rm) {
    for (unsigned k = 0; k < sizeof singles / sizeof singles[0]; ++k) {
      const u64 r = cvt_h_s(box32(singles[k]), rm, &fl);
      printf("fcvt.h.s rm%u %08lx: %016llx %02x\n", rm, (unsigned long)singles[k], (unsigned long long)r, fl);
    }
    for (unsigned k = 0; k < sizeof doubles / sizeof doubles[0]; ++k) {
      const u64 r = cvt_h_d(doubles[k], rm, &fl);
      printf("fcvt.h.d rm%u %016llx: %016llx %02x\n", rm, (unsigned long long)doubles[k], (unsigned long long)r, fl);
    }
    u64 hs, hd;
    begin();
    rng_state = 0x1234567 + rm;
    for (unsigned k = 0; k < 4000; ++k) {
      u64 v = next();
      /* mostly near the half range: exponents 100..150 */
      u32 sgl = (u32)v;
      if (k % 4) sgl = (sgl & 0x807fffffu) | ((100u + (u32)(v >> 40) % 51) << 23);
      mix(cvt_h_s(box32(sgl), rm, &fl));
      mix(fl);
    }
    hs = hash;
    begin();
    for (unsigned k = 0; k < 4000; ++k) {
      u64 v = next();
      if (k % 4) v = (v & 0x800fffffffffffffull) | ((u64)(1000u + (unsigned)(v >> 20) % 50) << 52);
      mix(cvt_h_d(v, rm, &fl));
      mix(fl);
    }
    hd = hash;
    printf("fcvt.h.s/fcvt.h.d rm%u random: %016llx %016llx\n", rm, (unsigned long long)hs, (unsigned long long)hd);
  }
  {
    u64 r, flg;
    /* a static rounding mode in the instruction, with frm set to something else */
    __asm__ volatile("fsflags zero\n\tfsrmi 0\n\tfmv.d.x ft0, %2\n\tfcvt.h.s ft1, ft0, rup\n\tfmv.x.d %0, ft1\n\tfrflags %1"
                     : "=r"(r), "=r"(flg) : "r"(box32(0x3f801000)) : "ft0", "ft1");
    printf("fcvt.h.s rup static: %016llx %02llx\n", (unsigned long long)r, (unsigned long long)flg);
    __asm__ volatile("fsrmi 0");
  }
}

int main(void) {
  bitmanip();
  zfhmin();
  printf("isa dump done\n");
  return 0;
}
