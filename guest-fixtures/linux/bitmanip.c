// A Linux user program built for rv64gc_zba_zbb_zbs: each line is one Zba/Zbb/Zbs
// instruction (inline assembly, so the instruction is certainly there) over a few operands,
// plus compiled code the compiler chose those extensions for. The test recomputes every
// line on the host and compares.
#include <stdint.h>
#include <stdio.h>

#define OP2(name, insn)                                                                  \
  static uint64_t name(uint64_t a, uint64_t b) {                                         \
    uint64_t r;                                                                          \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));                     \
    return r;                                                                            \
  }
#define OP1(name, insn)                                                                  \
  static uint64_t name(uint64_t a, uint64_t b) {                                         \
    (void)b;                                                                             \
    uint64_t r;                                                                          \
    __asm__ volatile(insn " %0, %1" : "=r"(r) : "r"(a));                                 \
    return r;                                                                            \
  }
#define OPI(name, insn, imm)                                                             \
  static uint64_t name(uint64_t a, uint64_t b) {                                         \
    (void)b;                                                                             \
    uint64_t r;                                                                          \
    __asm__ volatile(insn " %0, %1, " #imm : "=r"(r) : "r"(a));                          \
    return r;                                                                            \
  }

OP2(sh1add, "sh1add") OP2(sh2add, "sh2add") OP2(sh3add, "sh3add") OP2(add_uw, "add.uw")
OP2(sh1add_uw, "sh1add.uw") OP2(sh3add_uw, "sh3add.uw") OPI(slli_uw, "slli.uw", 5)
OP2(andn, "andn") OP2(orn, "orn") OP2(xnor, "xnor") OP1(clz, "clz") OP1(clzw, "clzw")
OP1(ctz, "ctz") OP1(ctzw, "ctzw") OP1(cpop, "cpop") OP1(cpopw, "cpopw") OP2(max, "max")
OP2(maxu, "maxu") OP2(min, "min") OP2(minu, "minu") OP1(sext_b, "sext.b") OP1(sext_h, "sext.h")
OP1(zext_h, "zext.h") OP2(rol, "rol") OP2(rolw, "rolw") OP2(ror, "ror") OP2(rorw, "rorw")
OPI(rori, "rori", 13) OPI(roriw, "roriw", 7) OP1(orc_b, "orc.b") OP1(rev8, "rev8")
OP2(bclr, "bclr") OP2(bext, "bext") OP2(binv, "binv") OP2(bset, "bset") OPI(bclri, "bclri", 63)
OPI(bexti, "bexti", 33) OPI(binvi, "binvi", 7) OPI(bseti, "bseti", 40)

struct op {
  const char* name;
  uint64_t (*fn)(uint64_t, uint64_t);
};
static const struct op ops[] = {
    {"sh1add", sh1add}, {"sh2add", sh2add}, {"sh3add", sh3add}, {"add.uw", add_uw},
    {"sh1add.uw", sh1add_uw}, {"sh3add.uw", sh3add_uw}, {"slli.uw", slli_uw}, {"andn", andn},
    {"orn", orn}, {"xnor", xnor}, {"clz", clz}, {"clzw", clzw}, {"ctz", ctz}, {"ctzw", ctzw},
    {"cpop", cpop}, {"cpopw", cpopw}, {"max", max}, {"maxu", maxu}, {"min", min}, {"minu", minu},
    {"sext.b", sext_b}, {"sext.h", sext_h}, {"zext.h", zext_h}, {"rol", rol}, {"rolw", rolw},
    {"ror", ror}, {"rorw", rorw}, {"rori", rori}, {"roriw", roriw}, {"orc.b", orc_b},
    {"rev8", rev8}, {"bclr", bclr}, {"bext", bext}, {"binv", binv}, {"bset", bset},
    {"bclri", bclri}, {"bexti", bexti}, {"binvi", binvi}, {"bseti", bseti},
};
static const uint64_t operands[][2] = {
    {0, 0}, {1, 63}, {0xffffffffffffffffull, 1}, {0x8000000000000000ull, 0x7fffffffffffffffull},
    {0x0123456789abcdefull, 0xfedcba9876543210ull}, {0x00000000ffff8000ull, 36}, {0xff00ff0000ff00ffull, 0x80000000ull},
};

// Compiled code: gcc picks sh*add, cpop, rev8, min/max and bit ops for these with Zb*.
__attribute__((noinline)) static uint64_t compiled(const uint64_t* v, unsigned n) {
  uint64_t acc = 0;
  for (unsigned i = 0; i < n; ++i) {
    const uint64_t x = v[i];
    acc += (uint64_t)__builtin_popcountll(x) + (uint64_t)__builtin_clzll(x | 1) + __builtin_bswap64(x);
    acc ^= (x > acc ? x : acc) | (1ull << (x & 63));
    acc = (acc << 7) | (acc >> 57);
  }
  return acc;
}

int main(void) {
  for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; ++k)
    for (unsigned i = 0; i < sizeof operands / sizeof operands[0]; ++i)
      printf("bitmanip %s %llx %llx = %llx\n", ops[k].name, (unsigned long long)operands[i][0],
             (unsigned long long)operands[i][1], (unsigned long long)ops[k].fn(operands[i][0], operands[i][1]));
  uint64_t v[32];
  for (unsigned i = 0; i < 32; ++i) v[i] = 0x9e3779b97f4a7c15ull * (i + 1);
  printf("bitmanip compiled = %llx\n", (unsigned long long)compiled(v, 32));
  printf("bitmanip done\n");
  return 0;
}
