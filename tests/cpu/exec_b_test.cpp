// Tests for include/retrace/cpu/exec_b.hpp (Zba, Zbb, Zbc, Zbs) and exec_zicond.hpp (Zicond):
// every instruction executed by Hart::step() as an encoded word (the assembly in the comment),
// on edge cases worked out by hand, then on random operands against a bit-by-bit model written
// independently of the implementation.
//
// Conventions as in hart_test.cpp: operands in a1 (x11) and a2 (x12), result in a0 (x10), the
// instruction at 0x8000'0000, mtvec 0x8000'8000.
#include "retrace/cpu/hart.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>

namespace {

using retrace::Hart;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using Step = Hart::StepResult;

constexpr u64 kBase = 0x8000'0000;
constexpr u64 kTrap = kBase + 0x8000;
constexpr u64 kMin64 = 0x8000'0000'0000'0000ull;
constexpr u64 kMax64 = 0x7fff'ffff'ffff'ffffull;
constexpr u64 kAll = ~u64{0};
enum : unsigned { zero = 0, a0 = 10, a1 = 11, a2 = 12 };

class BitmanipTest : public ::testing::Test {
protected:
  retrace::Bus bus{kBase, 1u << 20};
  retrace::FixedTime time;
  Hart hart{0, bus, time};
  retrace::HartState& s = hart.state();

  BitmanipTest() { s.mtvec = kTrap; }

  Step run(u32 insn) {
    bus.write_ram(kBase, &insn, sizeof insn);
    s.pc = kBase;
    return hart.step();
  }
  // a0 = op(a1, a2)
  u64 rr(u32 insn, u64 x, u64 y) {
    s.x[a1] = x;
    s.x[a2] = y;
    s.x[a0] = 0x5555;
    EXPECT_EQ(run(insn), Step::retired) << std::hex << "insn 0x" << insn;
    EXPECT_EQ(s.pc, kBase + 4);
    return s.x[a0];
  }
  // a0 = op(a1), with garbage in a2
  u64 r1(u32 insn, u64 x) { return rr(insn, x, 0xdead'beef'dead'beefull); }
};

// =============================================================================================
// Zba
// =============================================================================================

TEST_F(BitmanipTest, AddUwZeroExtendsTheLowWordOfRs1) {
  EXPECT_EQ(rr(0x08c5853b, 0xffff'ffff'8000'0001ull, 0x10), 0x8000'0011ull); // add.uw a0,a1,a2
  EXPECT_EQ(rr(0x08c5853b, 0x1'0000'0000ull, kAll), kAll);                  // add.uw a0,a1,a2: upper half ignored
  EXPECT_EQ(r1(0x0805853b, 0xdead'beef'1234'5678ull), 0x1234'5678ull);       // zext.w a0,a1 (add.uw a0,a1,zero)
}

TEST_F(BitmanipTest, ShiftAndAdd) {
  EXPECT_EQ(rr(0x20c5a533, 3, 100), 106u);                       // sh1add a0,a1,a2
  EXPECT_EQ(rr(0x20c5c533, 3, 100), 112u);                       // sh2add a0,a1,a2
  EXPECT_EQ(rr(0x20c5e533, 3, 100), 124u);                       // sh3add a0,a1,a2
  EXPECT_EQ(rr(0x20c5a533, kMin64 | 1, 1), 3u);                  // sh1add a0,a1,a2: the top bit shifts out
  EXPECT_EQ(rr(0x20c5e533, kAll, 0), 0xffff'ffff'ffff'fff8ull);  // sh3add a0,a1,a2
  EXPECT_EQ(rr(0x20c5a53b, kAll, 0), 0x1'ffff'fffeull);          // sh1add.uw a0,a1,a2
  EXPECT_EQ(rr(0x20c5c53b, kAll, 0), 0x3'ffff'fffcull);          // sh2add.uw a0,a1,a2
  EXPECT_EQ(rr(0x20c5e53b, kAll, 8), 0x8'0000'0000ull);          // sh3add.uw a0,a1,a2
  EXPECT_EQ(rr(0x20c5e53b, 0xffff'ffff'0000'0001ull, 1), 9u);    // sh3add.uw a0,a1,a2: upper half ignored
}

TEST_F(BitmanipTest, SlliUw) {
  EXPECT_EQ(r1(0x0805951b, 0xabcd'ef01'8000'0000ull), 0x8000'0000ull);     // slli.uw a0,a1,0x0
  EXPECT_EQ(r1(0x0855951b, 0xabcd'ef01'8000'0000ull), 0x10'0000'0000ull);  // slli.uw a0,a1,0x5
  EXPECT_EQ(r1(0x0bf5951b, 0xffff'ffff'0000'0001ull), kMin64);             // slli.uw a0,a1,0x3f
  EXPECT_EQ(r1(0x0bf5951b, 0xffff'ffff'0000'0002ull), 0u);                 // slli.uw a0,a1,0x3f
}

// =============================================================================================
// Zbb
// =============================================================================================

TEST_F(BitmanipTest, LogicWithNegate) {
  const u64 x = 0xff00'ff00'ff00'ff00ull, y = 0x0f0f'0f0f'0f0f'0f0full;
  EXPECT_EQ(rr(0x40c5f533, x, y), 0xf000'f000'f000'f000ull); // andn a0,a1,a2
  EXPECT_EQ(rr(0x40c5e533, x, y), 0xfff0'fff0'fff0'fff0ull); // orn a0,a1,a2
  EXPECT_EQ(rr(0x40c5c533, x, y), 0x0ff0'0ff0'0ff0'0ff0ull); // xnor a0,a1,a2
  EXPECT_EQ(rr(0x40c5e533, 0, 0), kAll);                     // orn a0,a1,a2
  EXPECT_EQ(rr(0x40c5c533, 5, 5), kAll);                     // xnor a0,a1,a2
}

TEST_F(BitmanipTest, CountLeadingZeros) {
  EXPECT_EQ(r1(0x60059513, 0), 64u);                          // clz a0,a1: of zero
  EXPECT_EQ(r1(0x60059513, 1), 63u);                          // clz a0,a1
  EXPECT_EQ(r1(0x60059513, kMin64), 0u);                      // clz a0,a1
  EXPECT_EQ(r1(0x60059513, 0x1'0000ull), 47u);                // clz a0,a1
  EXPECT_EQ(r1(0x6005951b, 0xffff'ffff'0000'0000ull), 32u);   // clzw a0,a1: upper garbage, zero low word
  EXPECT_EQ(r1(0x6005951b, 0xffff'0000'0000'8000ull), 16u);   // clzw a0,a1
  EXPECT_EQ(r1(0x6005951b, 0x8000'0000ull), 0u);              // clzw a0,a1
  EXPECT_EQ(r1(0x6005951b, 1), 31u);                          // clzw a0,a1
}

TEST_F(BitmanipTest, CountTrailingZeros) {
  EXPECT_EQ(r1(0x60159513, 0), 64u);                          // ctz a0,a1: of zero
  EXPECT_EQ(r1(0x60159513, kMin64), 63u);                     // ctz a0,a1
  EXPECT_EQ(r1(0x60159513, 0x100), 8u);                       // ctz a0,a1
  EXPECT_EQ(r1(0x6015951b, 0xffff'ffff'0000'0000ull), 32u);   // ctzw a0,a1: upper garbage, zero low word
  EXPECT_EQ(r1(0x6015951b, 0x1'0000'0000ull), 32u);           // ctzw a0,a1
  EXPECT_EQ(r1(0x6015951b, 0x8000'0000ull), 31u);             // ctzw a0,a1
  EXPECT_EQ(r1(0x6015951b, 0xffff'ffff'ffff'fff0ull), 4u);    // ctzw a0,a1
}

TEST_F(BitmanipTest, PopulationCount) {
  EXPECT_EQ(r1(0x60259513, kAll), 64u);                       // cpop a0,a1: all ones
  EXPECT_EQ(r1(0x60259513, 0), 0u);                           // cpop a0,a1
  EXPECT_EQ(r1(0x60259513, kMin64 | 1), 2u);                  // cpop a0,a1
  EXPECT_EQ(r1(0x6025951b, kAll), 32u);                       // cpopw a0,a1: all ones
  EXPECT_EQ(r1(0x6025951b, 0xffff'ffff'0000'0000ull), 0u);    // cpopw a0,a1: upper half ignored
  EXPECT_EQ(r1(0x6025951b, 0xf'0000'00ffull), 8u);            // cpopw a0,a1
}

TEST_F(BitmanipTest, MinMaxSignedness) {
  EXPECT_EQ(rr(0x0ac5e533, kAll, 1), 1u);                     // max a0,a1,a2: -1 < 1
  EXPECT_EQ(rr(0x0ac5f533, kAll, 1), kAll);                   // maxu a0,a1,a2
  EXPECT_EQ(rr(0x0ac5c533, kAll, 1), kAll);                   // min a0,a1,a2
  EXPECT_EQ(rr(0x0ac5d533, kAll, 1), 1u);                     // minu a0,a1,a2
  EXPECT_EQ(rr(0x0ac5e533, kMin64, kMax64), kMax64);          // max a0,a1,a2
  EXPECT_EQ(rr(0x0ac5c533, kMax64, kMin64), kMin64);          // min a0,a1,a2
  EXPECT_EQ(rr(0x0ac5f533, kMax64, kMin64), kMin64);          // maxu a0,a1,a2
  EXPECT_EQ(rr(0x0ac5d533, kMin64, kMax64), kMax64);          // minu a0,a1,a2
  EXPECT_EQ(rr(0x0ac5e533, 7, 7), 7u);                        // max a0,a1,a2: equal
}

TEST_F(BitmanipTest, SignAndZeroExtension) {
  EXPECT_EQ(r1(0x60459513, 0x80), 0xffff'ffff'ffff'ff80ull);            // sext.b a0,a1
  EXPECT_EQ(r1(0x60459513, 0x1234'5678'9abc'de7full), 0x7fu);           // sext.b a0,a1
  EXPECT_EQ(r1(0x60559513, 0x8000), 0xffff'ffff'ffff'8000ull);          // sext.h a0,a1
  EXPECT_EQ(r1(0x60559513, 0xffff'ffff'ffff'7fffull), 0x7fffu);         // sext.h a0,a1
  EXPECT_EQ(r1(0x0805c53b, 0xffff'ffff'ffff'8001ull), 0x8001u);         // zext.h a0,a1
}

TEST_F(BitmanipTest, Rotations) {
  EXPECT_EQ(rr(0x60c59533, kMin64 | 1, 1), 3u);                         // rol a0,a1,a2
  EXPECT_EQ(rr(0x60c59533, kMin64 | 1, 65), 3u);                        // rol a0,a1,a2: amount mod 64
  EXPECT_EQ(rr(0x60c59533, 0x1234, 0), 0x1234u);                        // rol a0,a1,a2
  EXPECT_EQ(rr(0x60c5d533, 3, 1), kMin64 | 1);                          // ror a0,a1,a2
  EXPECT_EQ(rr(0x60c5d533, 3, 64), 3u);                                 // ror a0,a1,a2: amount mod 64
  EXPECT_EQ(rr(0x60c5953b, 0xdead'beef'8000'0001ull, 1), 3u);           // rolw a0,a1,a2
  EXPECT_EQ(rr(0x60c5953b, 0x0f00'0000, 4), 0xffff'ffff'f000'0000ull);  // rolw a0,a1,a2: sign-extends
  EXPECT_EQ(rr(0x60c5953b, 0x8000'0001, 33), 3u);                       // rolw a0,a1,a2: amount mod 32
  EXPECT_EQ(rr(0x60c5d53b, 0xf, 36), 0xffff'ffff'f000'0000ull);         // rorw a0,a1,a2
  EXPECT_EQ(r1(0x6005d513, 0x0123'4567'89ab'cdefull), 0x0123'4567'89ab'cdefull); // rori a0,a1,0x0: by 0
  EXPECT_EQ(r1(0x6015d513, 1), kMin64);                                 // rori a0,a1,0x1
  EXPECT_EQ(r1(0x63f5d513, 1), 2u);                                     // rori a0,a1,0x3f
  EXPECT_EQ(r1(0x6005d51b, 0xffff'ffff'7fff'ffffull), 0x7fff'ffffu);    // roriw a0,a1,0x0: sign-extends the low word
  EXPECT_EQ(r1(0x6005d51b, 0x8000'0000ull), 0xffff'ffff'8000'0000ull);  // roriw a0,a1,0x0
  EXPECT_EQ(r1(0x6015d51b, 1), 0xffff'ffff'8000'0000ull);               // roriw a0,a1,0x1
  EXPECT_EQ(r1(0x61f5d51b, 0x1234'5678'0000'0001ull), 2u);              // roriw a0,a1,0x1f
}

TEST_F(BitmanipTest, OrCombineAndByteReverse) {
  EXPECT_EQ(r1(0x2875d513, 0x0001'0200'00ff'8000ull), 0x00ff'ff00'00ff'ff00ull); // orc.b a0,a1
  EXPECT_EQ(r1(0x2875d513, 0), 0u);                                              // orc.b a0,a1
  EXPECT_EQ(r1(0x2875d513, 0x0101'0101'0101'0101ull), kAll);                     // orc.b a0,a1
  EXPECT_EQ(r1(0x6b85d513, 0x0123'4567'89ab'cdefull), 0xefcd'ab89'6745'2301ull); // rev8 a0,a1
}

// =============================================================================================
// Zbc
// =============================================================================================

TEST_F(BitmanipTest, CarryLessMultiply) {
  EXPECT_EQ(rr(0x0ac59533, 3, 3), 5u);                        // clmul a0,a1,a2: (x+1)^2 = x^2+1
  EXPECT_EQ(rr(0x0ac59533, kMin64, 2), 0u);                   // clmul a0,a1,a2: x^64 is in the high half
  EXPECT_EQ(rr(0x0ac5b533, kMin64, 2), 1u);                   // clmulh a0,a1,a2
  EXPECT_EQ(rr(0x0ac5b533, kMin64, kMin64), 1ull << 62);      // clmulh a0,a1,a2: x^126
  EXPECT_EQ(rr(0x0ac5a533, kMin64, kMin64), kMin64);          // clmulr a0,a1,a2: bits 126..63
  EXPECT_EQ(rr(0x0ac5a533, kMin64, 1), 1u);                   // clmulr a0,a1,a2
  EXPECT_EQ(rr(0x0ac5a533, 1, 1), 0u);                        // clmulr a0,a1,a2
  EXPECT_EQ(rr(0x0ac5b533, kAll, kAll), 0x5555'5555'5555'5555ull); // clmulh a0,a1,a2
  EXPECT_EQ(rr(0x0ac59533, kAll, kAll), 0x5555'5555'5555'5555ull); // clmul a0,a1,a2
  EXPECT_EQ(rr(0x0ac5a533, kAll, kAll), 0xaaaa'aaaa'aaaa'aaaaull); // clmulr a0,a1,a2
}

// =============================================================================================
// Zbs
// =============================================================================================

TEST_F(BitmanipTest, SingleBit) {
  EXPECT_EQ(rr(0x48c59533, kAll, 63), kMax64);                      // bclr a0,a1,a2
  EXPECT_EQ(rr(0x48c59533, kAll, 64 + 5), 0xffff'ffff'ffff'ffdfull); // bclr a0,a1,a2: index mod 64
  EXPECT_EQ(r1(0x48059513, kAll), 0xffff'ffff'ffff'fffeull);        // bclri a0,a1,0x0
  EXPECT_EQ(r1(0x4bf59513, kAll), kMax64);                          // bclri a0,a1,0x3f
  EXPECT_EQ(rr(0x48c5d533, kMin64, 63), 1u);                        // bext a0,a1,a2: bit 63
  EXPECT_EQ(rr(0x48c5d533, kMin64, 127), 1u);                       // bext a0,a1,a2: index mod 64
  EXPECT_EQ(rr(0x48c5d533, kMin64, 0), 0u);                         // bext a0,a1,a2
  EXPECT_EQ(r1(0x4805d513, 1), 1u);                                 // bexti a0,a1,0x0
  EXPECT_EQ(r1(0x4bf5d513, kMin64), 1u);                            // bexti a0,a1,0x3f: bit 63
  EXPECT_EQ(r1(0x4bf5d513, kMax64), 0u);                            // bexti a0,a1,0x3f
  EXPECT_EQ(rr(0x68c59533, 0, 63), kMin64);                         // binv a0,a1,a2
  EXPECT_EQ(rr(0x68c59533, kMin64, 63), 0u);                        // binv a0,a1,a2
  EXPECT_EQ(r1(0x68059513, 1), 0u);                                 // binvi a0,a1,0x0
  EXPECT_EQ(r1(0x6bf59513, kAll), kMax64);                          // binvi a0,a1,0x3f
  EXPECT_EQ(rr(0x28c59533, 0, 64), 1u);                             // bset a0,a1,a2: index mod 64
  EXPECT_EQ(r1(0x28059513, 0), 1u);                                 // bseti a0,a1,0x0
  EXPECT_EQ(r1(0x2bf59513, 0), kMin64);                             // bseti a0,a1,0x3f
  EXPECT_EQ(r1(0x2bf59513, kMin64), kMin64);                        // bseti a0,a1,0x3f: already set
}

// =============================================================================================
// Zicond
// =============================================================================================

TEST_F(BitmanipTest, ConditionalZero) {
  EXPECT_EQ(rr(0x0ec5d533, 0x1234, 0), 0u);            // czero.eqz a0,a1,a2
  EXPECT_EQ(rr(0x0ec5d533, 0x1234, kMin64), 0x1234u);  // czero.eqz a0,a1,a2: any nonzero bit counts
  EXPECT_EQ(rr(0x0ec5f533, 0x1234, 0), 0x1234u);       // czero.nez a0,a1,a2
  EXPECT_EQ(rr(0x0ec5f533, 0x1234, kMin64), 0u);       // czero.nez a0,a1,a2
  s.x[a1] = 7;
  ASSERT_EQ(run(0x0eb5d5b3), Step::retired);           // czero.eqz a1,a1,a1: rd = rs1 = rs2
  EXPECT_EQ(s.x[a1], 7u);
}

TEST_F(BitmanipTest, DestinationRegisterCases) {
  s.x[a1] = 5;
  s.x[a2] = 6;
  ASSERT_EQ(run(0x08c5803b), Step::retired);           // add.uw zero,a1,a2
  EXPECT_EQ(s.x[zero], 0u);
  s.x[a1] = 5;
  ASSERT_EQ(run(0x20b5a5b3), Step::retired);           // sh1add a1,a1,a1: 5*2 + 5
  EXPECT_EQ(s.x[a1], 15u);
}

// =============================================================================================
// Random operands against a model built bit by bit
// =============================================================================================

struct Model {
  static u64 bit(u64 x, unsigned i) { return (x >> i) & 1; }
  static u64 clz(u64 x, unsigned width) {
    u64 n = 0;
    for (unsigned i = width; i-- > 0 && !bit(x, i);) ++n;
    return n;
  }
  static u64 ctz(u64 x, unsigned width) {
    u64 n = 0;
    for (unsigned i = 0; i < width && !bit(x, i); ++i) ++n;
    return n;
  }
  static u64 cpop(u64 x, unsigned width) {
    u64 n = 0;
    for (unsigned i = 0; i < width; ++i) n += bit(x, i);
    return n;
  }
  static u64 sext(u64 x, unsigned width) {
    u64 r = 0;
    for (unsigned i = 0; i < 64; ++i) r |= bit(x, i < width ? i : width - 1) << i;
    return r;
  }
  static u64 rotr(u64 x, unsigned n, unsigned width) {
    u64 r = 0;
    for (unsigned i = 0; i < width; ++i) r |= bit(x, (i + n) % width) << i;
    return width == 32 ? sext(r, 32) : r;
  }
  // The 128-bit carry-less product, as two halves.
  static void clmul(u64 a, u64 b, u64& lo, u64& hi) {
    lo = hi = 0;
    for (unsigned i = 0; i < 64; ++i)
      for (unsigned j = 0; j < 64; ++j)
        if (bit(a, i) && bit(b, j)) {
          const unsigned k = i + j;
          if (k < 64) lo ^= u64{1} << k;
          else hi ^= u64{1} << (k - 64);
        }
  }
};

TEST_F(BitmanipTest, RandomOperandsAgreeWithABitByBitModel) {
  std::mt19937_64 rng(2024);
  const auto operand = [&] {
    switch (rng() % 6) {
    case 0: return u64{0};
    case 1: return kAll;
    case 2: return u64{1} << (rng() % 64);
    case 3: return static_cast<u64>(rng() & 0xffff'ffffull);
    case 4: return ~(u64{1} << (rng() % 64));
    default: return static_cast<u64>(rng());
    }
  };
  for (int k = 0; k < 300; ++k) {
    const u64 x = operand(), y = operand();
    const unsigned sh = static_cast<unsigned>(y & 63);
    SCOPED_TRACE(::testing::Message() << std::hex << "a1 0x" << x << " a2 0x" << y);
    const u64 xw = x & 0xffff'ffffull;
    EXPECT_EQ(rr(0x08c5853b, x, y), y + xw);                 // add.uw a0,a1,a2
    EXPECT_EQ(rr(0x20c5c533, x, y), y + 4 * x);              // sh2add a0,a1,a2
    EXPECT_EQ(rr(0x20c5e53b, x, y), y + 8 * xw);             // sh3add.uw a0,a1,a2
    EXPECT_EQ(rr(0x40c5f533, x, y), x & ~y);                 // andn a0,a1,a2
    EXPECT_EQ(r1(0x60059513, x), Model::clz(x, 64));         // clz a0,a1
    EXPECT_EQ(r1(0x6005951b, x), Model::clz(x, 32));         // clzw a0,a1
    EXPECT_EQ(r1(0x60159513, x), Model::ctz(x, 64));         // ctz a0,a1
    EXPECT_EQ(r1(0x6015951b, x), Model::ctz(x, 32));         // ctzw a0,a1
    EXPECT_EQ(r1(0x60259513, x), Model::cpop(x, 64));        // cpop a0,a1
    EXPECT_EQ(r1(0x6025951b, x), Model::cpop(x, 32));        // cpopw a0,a1
    EXPECT_EQ(r1(0x60459513, x), Model::sext(x, 8));         // sext.b a0,a1
    EXPECT_EQ(r1(0x60559513, x), Model::sext(x, 16));        // sext.h a0,a1
    EXPECT_EQ(rr(0x60c5d533, x, y), Model::rotr(x, sh, 64));                       // ror a0,a1,a2
    EXPECT_EQ(rr(0x60c59533, x, y), Model::rotr(x, (64 - sh) % 64, 64));           // rol a0,a1,a2
    EXPECT_EQ(rr(0x60c5d53b, x, y), Model::rotr(x, sh % 32, 32));                  // rorw a0,a1,a2
    EXPECT_EQ(rr(0x60c5953b, x, y), Model::rotr(x, (32 - sh % 32) % 32, 32));      // rolw a0,a1,a2
    u64 orc = 0, rev = 0;
    for (unsigned b = 0; b < 8; ++b) {
      if ((x >> (8 * b)) & 0xff) orc |= u64{0xff} << (8 * b);
      rev |= ((x >> (8 * b)) & 0xff) << (8 * (7 - b));
    }
    EXPECT_EQ(r1(0x2875d513, x), orc);                       // orc.b a0,a1
    EXPECT_EQ(r1(0x6b85d513, x), rev);                       // rev8 a0,a1
    u64 lo = 0, hi = 0;
    Model::clmul(x, y, lo, hi);
    EXPECT_EQ(rr(0x0ac59533, x, y), lo);                     // clmul a0,a1,a2
    EXPECT_EQ(rr(0x0ac5b533, x, y), hi);                     // clmulh a0,a1,a2
    EXPECT_EQ(rr(0x0ac5a533, x, y), (hi << 1) | (lo >> 63)); // clmulr a0,a1,a2
    EXPECT_EQ(rr(0x48c5d533, x, y), Model::bit(x, sh));      // bext a0,a1,a2
    EXPECT_EQ(rr(0x68c59533, x, y), x ^ (u64{1} << sh));     // binv a0,a1,a2
    EXPECT_EQ(rr(0x0ec5d533, x, y), y ? x : 0);              // czero.eqz a0,a1,a2
  }
}

} // namespace
