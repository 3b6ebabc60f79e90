// Per-instruction tests for include/retrace/cpu/hart.hpp: every RV64GC instruction (each row
// of RETRACE_RV_INSNS and each RVC form) executed by Hart::step() on a bare hart with 1 MiB of
// RAM, checking registers, memory, pc, fflags and traps.
//
// Instructions are written as their encoded words with the assembly in a trailing comment.
// Conventions: integer operations read a1 (x11) and a2 (x12) and write a0 (x10); FP operations
// read fa1, fa2, fa3 (f11..f13) and write fa0 (f10). The instruction under test sits at
// 0x8000'0000 unless a test says otherwise; data lives at 0x8000'1000; mtvec is 0x8000'8000.
//
// Expected floating-point bits follow the RISC-V F/D chapter and IEEE 754-2008 (tininess after
// rounding); the cases are built so that each rounding mode gives a result worked out by hand
// (ties to even vs. ties away, directed modes on both signs).
#include "retrace/cpu/hart.hpp"
#include "retrace/isa/softfloat.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <utility>
#include <string>

namespace {

using retrace::Hart;
using retrace::HartState;
using retrace::Priv;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using Step = Hart::StepResult;

constexpr u64 kBase = 0x8000'0000; // RAM base: where the instruction under test sits
constexpr u64 kData = kBase + 0x1000;
constexpr u64 kTrap = kBase + 0x8000; // mtvec

// mcause values
constexpr u64 kIllegal = 2, kBreakpoint = 3, kLoadMisaligned = 4, kStoreMisaligned = 6, kEcallU = 8,
              kEcallS = 9, kEcallM = 11;
// fflags bits
constexpr unsigned NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

// Integer registers by ABI name (only the ones used).
enum : unsigned { zero = 0, ra = 1, sp = 2, s0 = 8, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a3 = 13 };
// FP registers by ABI name.
enum : unsigned { fa0 = 10, fa1 = 11, fa2 = 12, fa3 = 13 };

constexpr u64 kMin64 = 0x8000'0000'0000'0000ull;
constexpr u64 kMax64 = 0x7fff'ffff'ffff'ffffull;
constexpr u64 kAll = ~u64{0};
constexpr u64 neg(u64 v) { return u64{0} - v; } // two's complement negation, for readability

// NaN-boxes a single-precision value.
constexpr u64 b(u32 v) { return 0xffff'ffff'0000'0000ull | v; }

// binary32 constants
constexpr u32 s_one = 0x3f80'0000, s_two = 0x4000'0000, s_three = 0x4040'0000, s_half = 0x3f00'0000,
              s_m_one = 0xbf80'0000, s_1p5 = 0x3fc0'0000, s_inf = 0x7f80'0000, s_m_inf = 0xff80'0000,
              s_qnan = 0x7fc0'0000, s_snan = 0x7f80'0001, s_max = 0x7f7f'ffff, s_m_zero = 0x8000'0000,
              s_2p5 = 0x4020'0000, s_m_2p5 = 0xc020'0000;
// binary64 constants
constexpr u64 d_one = 0x3ff0'0000'0000'0000, d_two = 0x4000'0000'0000'0000, d_three = 0x4008'0000'0000'0000,
              d_half = 0x3fe0'0000'0000'0000, d_m_one = 0xbff0'0000'0000'0000, d_1p5 = 0x3ff8'0000'0000'0000,
              d_inf = 0x7ff0'0000'0000'0000, d_m_inf = 0xfff0'0000'0000'0000, d_qnan = 0x7ff8'0000'0000'0000,
              d_snan = 0x7ff0'0000'0000'0001, d_max = 0x7fef'ffff'ffff'ffff, d_m_zero = kMin64,
              d_2p5 = 0x4004'0000'0000'0000, d_m_2p5 = 0xc004'0000'0000'0000;

// Replaces the rm field (bits 14:12) of an FP instruction.
constexpr u32 with_rm(u32 insn, unsigned rm) { return (insn & ~0x7000u) | (rm << 12); }

using Want = std::array<u64, 5>;        // expected result for rne, rtz, rdn, rup, rmm
using Flags = std::array<unsigned, 5>;  // expected fflags for rne, rtz, rdn, rup, rmm
constexpr Flags all(unsigned f) { return {f, f, f, f, f}; }
constexpr Want boxed(std::array<u32, 5> v) { return {b(v[0]), b(v[1]), b(v[2]), b(v[3]), b(v[4])}; }
constexpr const char* kModeName[] = {"rne", "rtz", "rdn", "rup", "rmm"};

class HartTest : public ::testing::Test {
protected:
  retrace::Bus bus{kBase, 1u << 20};
  retrace::FixedTime time;
  Hart hart{0, bus, time};
  HartState& s = hart.state();

  HartTest() { s.mtvec = kTrap; }

  // Places a 32-bit instruction at pc and executes one step.
  Step run(u32 insn, u64 pc = kBase) {
    bus.write_ram(pc, &insn, sizeof insn);
    s.pc = pc;
    return hart.step();
  }
  // Places a 16-bit instruction at pc and executes one step.
  Step run16(u16 insn, u64 pc = kBase) {
    bus.write_ram(pc, &insn, sizeof insn);
    s.pc = pc;
    return hart.step();
  }
  // Runs an instruction that must retire.
  void exec(u32 insn, u64 pc = kBase) { EXPECT_EQ(run(insn, pc), Step::retired) << "insn 0x" << std::hex << insn; }
  void exec16(u16 insn, u64 pc = kBase) {
    EXPECT_EQ(run16(insn, pc), Step::retired) << "insn 0x" << std::hex << insn;
    EXPECT_EQ(s.pc, pc + 2) << "insn 0x" << std::hex << insn;
  }

  // a0 = op(a1, a2)
  u64 rr(u32 insn, u64 x, u64 y) {
    s.x[a1] = x;
    s.x[a2] = y;
    exec(insn);
    EXPECT_EQ(s.pc, kBase + 4);
    return s.x[a0];
  }
  // a0 = op(a1)
  u64 ri(u32 insn, u64 x) { return rr(insn, x, 0xdead'beef'dead'beefull); }

  // Branch from pc with a1 = x, a2 = y; returns the next pc.
  u64 br(u32 insn, u64 x, u64 y, u64 pc = kBase) {
    s.x[a1] = x;
    s.x[a2] = y;
    exec(insn, pc);
    return s.pc;
  }

  u64 mem(u64 addr, unsigned size = 8) {
    u64 v = 0;
    EXPECT_TRUE(bus.load(addr, size, v));
    return v;
  }
  void set_mem(u64 addr, u64 v, unsigned size = 8) { EXPECT_TRUE(bus.store(addr, size, v)); }

  // Turns the FPU on (mstatus.FS = Initial).
  void fp_on() { s.mstatus = (s.mstatus & ~(3ull << 13)) | (1ull << 13); }
  [[nodiscard]] unsigned fflags() const { return s.fcsr & 31; }
  [[nodiscard]] unsigned fs() const { return static_cast<unsigned>((s.mstatus >> 13) & 3); }

  // fa0 = op(fa1, fa2, fa3), with fflags cleared first.
  u64 fop(u32 insn, u64 x, u64 y = 0, u64 z = 0) {
    s.f[fa1] = x;
    s.f[fa2] = y;
    s.f[fa3] = z;
    s.fcsr &= ~31u;
    exec(insn);
    return s.f[fa0];
  }
  // a0 = op(fa1, fa2) (compare, classify, convert to integer, move), with fflags cleared first.
  u64 fx(u32 insn, u64 x, u64 y = 0) {
    s.f[fa1] = x;
    s.f[fa2] = y;
    s.fcsr &= ~31u;
    exec(insn);
    return s.x[a0];
  }
  // fa0 = op(a1) (convert from integer, move), with fflags cleared first.
  u64 xf(u32 insn, u64 x) {
    s.x[a1] = x;
    s.fcsr &= ~31u;
    exec(insn);
    return s.f[fa0];
  }

  // Runs insn in every rounding mode, first through its rm field and then with rm = dyn and
  // the mode in frm. Operand `x` goes to a1 and fa1, `y` to fa2, `z` to fa3; the result is
  // read from a0 for conversions to integer and from fa0 otherwise.
  void check_rm(u32 insn, u64 x, u64 y, u64 z, const Want& want, const Flags& flags) {
    fp_on();
    const bool to_int = (insn & 0x7f) == 0x53 && (insn >> 27) == 0x18;
    for (unsigned dyn = 0; dyn < 2; ++dyn) {
      for (unsigned m = 0; m < 5; ++m) {
        SCOPED_TRACE(std::string(kModeName[m]) + (dyn ? " via frm" : " via rm field"));
        const u32 w = with_rm(insn, dyn ? 7 : m);
        s.fcsr = dyn ? (m << 5) : 0;
        s.x[a1] = x;
        s.f[fa1] = x;
        s.f[fa2] = y;
        s.f[fa3] = z;
        s.x[a0] = 0x5555;
        s.f[fa0] = 0x5555;
        ASSERT_EQ(run(w), Step::retired) << "insn 0x" << std::hex << w;
        EXPECT_EQ(to_int ? s.x[a0] : s.f[fa0], want[m]) << std::hex << "insn 0x" << w;
        EXPECT_EQ(fflags(), flags[m]) << std::hex << "insn 0x" << w;
        EXPECT_EQ(s.fcsr >> 5, dyn ? m : 0u);
      }
    }
  }

  // Checks that the last step trapped to M-mode with cause and tval, from epc.
  ::testing::AssertionResult trapped(Step r, u64 cause, u64 tval, u64 epc = kBase) {
    if (r != Step::trapped) return ::testing::AssertionFailure() << "did not trap";
    if (s.mcause != cause) return ::testing::AssertionFailure() << "mcause " << s.mcause << ", want " << cause;
    if (s.mtval != tval)
      return ::testing::AssertionFailure() << std::hex << "mtval 0x" << s.mtval << ", want 0x" << tval;
    if (s.mepc != epc) return ::testing::AssertionFailure() << std::hex << "mepc 0x" << s.mepc << ", want 0x" << epc;
    if (s.pc != kTrap) return ::testing::AssertionFailure() << std::hex << "pc 0x" << s.pc << ", want mtvec";
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult illegal(u32 insn) { return trapped(run(insn), kIllegal, insn); }
  ::testing::AssertionResult illegal16(u16 insn) { return trapped(run16(insn), kIllegal, insn); }

  // A PMP entry covering everything, so that S- and U-mode can fetch and access memory.
  void open_pmp() {
    s.pmpaddr[0] = (1ull << 54) - 1;
    s.pmpcfg[0] = 0x1f; // NAPOT, RWX
  }
};

// =============================================================================================
// RV64I
// =============================================================================================

TEST_F(HartTest, LuiSignExtends) {
  exec(0x80000537);  // lui a0, 0x80000
  EXPECT_EQ(s.x[a0], 0xffff'ffff'8000'0000ull);
  EXPECT_EQ(s.pc, kBase + 4);
  exec(0x7ffff537);  // lui a0, 0x7ffff
  EXPECT_EQ(s.x[a0], 0x7fff'f000ull);
  exec(0xfffff537);  // lui a0, 0xfffff
  EXPECT_EQ(s.x[a0], 0xffff'ffff'ffff'f000ull);
  s.x[zero] = 0;
  exec(0x12345037);  // lui zero, 0x12345
  EXPECT_EQ(s.x[zero], 0u);
}

TEST_F(HartTest, AuipcAddsSignExtendedImmediateToPc) {
  exec(0x00001517);  // auipc a0, 1
  EXPECT_EQ(s.x[a0], kBase + 0x1000);
  exec(0x80000517, kBase + 0x10);  // auipc a0, 0x80000
  EXPECT_EQ(s.x[a0], kBase + 0x10 - 0x8000'0000ull);
  exec(0xfffff517, kBase + 0x2000);  // auipc a0, 0xfffff
  EXPECT_EQ(s.x[a0], kBase + 0x1000);
  EXPECT_EQ(s.pc, kBase + 0x2004);
}

TEST_F(HartTest, JalLinksAndJumps) {
  exec(0x010000ef);  // jal ra, 16
  EXPECT_EQ(s.x[ra], kBase + 4);
  EXPECT_EQ(s.pc, kBase + 16);
  exec(0xf01ff06f, kBase + 0x100);  // jal zero, -256: backwards, no link
  EXPECT_EQ(s.pc, kBase);
  EXPECT_EQ(s.x[zero], 0u);
  exec(0x7ff7f56f, kBase);  // jal a0, 0x7fffe: largest forward offset: every immediate bit set
  EXPECT_EQ(s.pc, kBase + 0x7fffe);
  EXPECT_EQ(s.x[a0], kBase + 4);
  exec(0x8008056f, kBase + 0x80000);  // jal a0, -0x80000: most negative offset
  EXPECT_EQ(s.pc, kBase);
}

TEST_F(HartTest, JalrClearsBitZeroAndLinks) {
  s.x[a1] = kBase + 0x20;
  exec(0x005580e7);  // jalr ra, 5(a1)
  EXPECT_EQ(s.pc, kBase + 0x24); // 0x25 with bit 0 cleared
  EXPECT_EQ(s.x[ra], kBase + 4);
  s.x[a1] = kBase + 0x100;
  exec(0xff0585e7, kBase + 0x40);  // jalr a1, -16(a1): rd == rs1: the target uses the old value
  EXPECT_EQ(s.pc, kBase + 0xf0);
  EXPECT_EQ(s.x[a1], kBase + 0x44);
  s.x[a1] = kBase + 0x8;
  exec(0x7ff58067);  // jalr zero, 2047(a1)
  EXPECT_EQ(s.pc, kBase + 0x8 + 2046);
}

TEST_F(HartTest, Branches) {
  // beq
  EXPECT_EQ(br(0x00c58463, 5, 5), kBase + 8);  // beq a1, a2, 8
  EXPECT_EQ(br(0x00c58463, 5, 6), kBase + 4);  // beq a1, a2, 8
  EXPECT_EQ(br(0xfec58ce3, 5, 5, kBase + 0x100), kBase + 0xf8);  // beq a1, a2, -8
  // bne
  EXPECT_EQ(br(0x00c59663, 5, 6), kBase + 12);  // bne a1, a2, 12
  EXPECT_EQ(br(0x00c59663, 7, 7), kBase + 4);  // bne a1, a2, 12
  EXPECT_EQ(br(0x80c59063, 1, 2, kBase + 0x2000), kBase + 0x1000);  // bne a1, a2, -4096
  // blt: signed
  EXPECT_EQ(br(0x00c5c863, kAll, 1), kBase + 16);  // blt a1, a2, 16
  EXPECT_EQ(br(0x00c5c863, 1, kAll), kBase + 4);  // blt a1, a2, 16
  EXPECT_EQ(br(0x00c5c863, 3, 3), kBase + 4);  // blt a1, a2, 16
  EXPECT_EQ(br(0x00c5c863, kMin64, kMax64), kBase + 16);  // blt a1, a2, 16
  EXPECT_EQ(br(0xfec5c8e3, neg(5), neg(4), kBase + 0x40), kBase + 0x30);  // blt a1, a2, -16
  // bge: signed
  EXPECT_EQ(br(0x7ec5dfe3, 1, kAll), kBase + 4094);  // bge a1, a2, 4094
  EXPECT_EQ(br(0x7ec5dfe3, 3, 3), kBase + 4094);  // bge a1, a2, 4094
  EXPECT_EQ(br(0x7ec5dfe3, kAll, 1), kBase + 4);  // bge a1, a2, 4094
  EXPECT_EQ(br(0x80c5d063, kMax64, kMin64, kBase + 0x1000), kBase);  // bge a1, a2, -4096
  // bltu: unsigned
  EXPECT_EQ(br(0x02c5e063, 1, kAll), kBase + 32);  // bltu a1, a2, 32
  EXPECT_EQ(br(0x02c5e063, kAll, 1), kBase + 4);  // bltu a1, a2, 32
  EXPECT_EQ(br(0x02c5e063, 3, 3), kBase + 4);  // bltu a1, a2, 32
  EXPECT_EQ(br(0xfec5e0e3, 0, 1, kBase + 0x40), kBase + 0x20);  // bltu a1, a2, -32
  // bgeu: unsigned
  EXPECT_EQ(br(0x04c5f063, kAll, 1), kBase + 64);  // bgeu a1, a2, 64
  EXPECT_EQ(br(0x04c5f063, 3, 3), kBase + 64);  // bgeu a1, a2, 64
  EXPECT_EQ(br(0x04c5f063, 1, kAll), kBase + 4);  // bgeu a1, a2, 64
  EXPECT_EQ(br(0xfcc5f0e3, kMin64, kMax64, kBase + 0x80), kBase + 0x40);  // bgeu a1, a2, -64
}

TEST_F(HartTest, LoadsSignAndZeroExtend) {
  set_mem(kData, 0x8899'aabb'ccdd'eeffull);
  set_mem(kData + 8, 0x0102'0304'0506'0708ull);
  s.x[a1] = kData;
  exec(0x00058503);  // lb a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'ffff'ffffull);
  exec(0x0005c503);  // lbu a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0xffu);
  exec(0x00059503);  // lh a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'ffff'eeffull);
  exec(0x0005d503);  // lhu a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0xeeffu);
  exec(0x0005a503);  // lw a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'ccdd'eeffull);
  exec(0x0005e503);  // lwu a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0xccdd'eeffull);
  exec(0x0005b503);  // ld a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0x8899'aabb'ccdd'eeffull);
  // positive values are the same either way
  exec(0x00858503);  // lb a0, 8(a1)
  EXPECT_EQ(s.x[a0], 0x08u);
  exec(0x00f5c503);  // lbu a0, 15(a1)
  EXPECT_EQ(s.x[a0], 0x01u);
  exec(0x00859503);  // lh a0, 8(a1)
  EXPECT_EQ(s.x[a0], 0x0708u);
  exec(0x00e5d503);  // lhu a0, 14(a1)
  EXPECT_EQ(s.x[a0], 0x0102u);
  exec(0x00c5a503);  // lw a0, 12(a1)
  EXPECT_EQ(s.x[a0], 0x0102'0304u);
  exec(0x0085e503);  // lwu a0, 8(a1)
  EXPECT_EQ(s.x[a0], 0x0506'0708u);
  exec(0x0085b503);  // ld a0, 8(a1)
  EXPECT_EQ(s.x[a0], 0x0102'0304'0506'0708ull);
  // negative offsets
  s.x[a2] = kData + 16;
  exec(0xff063503);  // ld a0, -16(a2)
  EXPECT_EQ(s.x[a0], 0x8899'aabb'ccdd'eeffull);
  exec(0x80064503);  // lbu a0, -2048(a2)
  EXPECT_EQ(s.x[a0], mem(kData + 16 - 2048, 1));
  // a load into x0 has no effect on x0
  exec(0x0005b003);  // ld zero, 0(a1)
  EXPECT_EQ(s.x[zero], 0u);
  EXPECT_EQ(s.pc, kBase + 4);
}

TEST_F(HartTest, MisalignedLoadsSucceed) {
  set_mem(kData, 0x8899'aabb'ccdd'eeffull);
  set_mem(kData + 8, 0x0102'0304'0506'0708ull);
  s.x[a1] = kData;
  exec(0x0015b503);  // ld a0, 1(a1)
  EXPECT_EQ(s.x[a0], 0x0888'99aa'bbcc'ddeeull);
  exec(0x0035a503);  // lw a0, 3(a1)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'99aa'bbccull);
  exec(0x0035e503);  // lwu a0, 3(a1)
  EXPECT_EQ(s.x[a0], 0x99aa'bbccull);
  exec(0x00559503);  // lh a0, 5(a1)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'ffff'99aaull);
  exec(0x0075d503);  // lhu a0, 7(a1)
  EXPECT_EQ(s.x[a0], 0x0888u);
  // across a page boundary
  set_mem(kData + 0xff8, 0x1122'3344'5566'7788ull);
  set_mem(kData + 0x1000, 0x99aa'bbcc'ddee'ff00ull);
  s.x[a1] = kData + 0xffc;
  exec(0x0005b503);  // ld a0, 0(a1)
  EXPECT_EQ(s.x[a0], 0xddee'ff00'1122'3344ull);
}

TEST_F(HartTest, Stores) {
  set_mem(kData, 0x1111'1111'1111'1111ull);
  set_mem(kData + 8, 0x2222'2222'2222'2222ull);
  s.x[a1] = kData;
  s.x[a2] = 0x8899'aabb'ccdd'eeffull;
  exec(0x00c58023);  // sb a2, 0(a1)
  EXPECT_EQ(mem(kData), 0x1111'1111'1111'11ffull);
  exec(0x00c59123);  // sh a2, 2(a1)
  EXPECT_EQ(mem(kData), 0x1111'1111'eeff'11ffull);
  exec(0x00c5a223);  // sw a2, 4(a1)
  EXPECT_EQ(mem(kData), 0xccdd'eeff'eeff'11ffull);
  exec(0x00c5b423);  // sd a2, 8(a1)
  EXPECT_EQ(mem(kData + 8), 0x8899'aabb'ccdd'eeffull);
  EXPECT_EQ(s.pc, kBase + 4);
  // negative offset
  s.x[a1] = kData + 0x800;
  exec(0x80c5b023);  // sd a2, -2048(a1)
  EXPECT_EQ(mem(kData), 0x8899'aabb'ccdd'eeffull);
  set_mem(kData + 0xff8, kAll);
  exec(0x7e058fa3);  // sb zero, 2047(a1)
  EXPECT_EQ(mem(kData + 0xff8), 0x00ff'ffff'ffff'ffffull);
}

TEST_F(HartTest, MisalignedStoresSucceed) {
  set_mem(kData, 0);
  set_mem(kData + 8, 0);
  s.x[a1] = kData;
  s.x[a2] = 0x0102'0304'0506'0708ull;
  exec(0x00c5b1a3);  // sd a2, 3(a1)
  EXPECT_EQ(mem(kData), 0x0405'0607'0800'0000ull);
  EXPECT_EQ(mem(kData + 8), 0x0000'0000'0001'0203ull);
  exec(0x00c5a4a3);  // sw a2, 9(a1)
  EXPECT_EQ(mem(kData + 8), 0x0000'0005'0607'0803ull);
  exec(0x00c597a3);  // sh a2, 15(a1)
  EXPECT_EQ(mem(kData + 8), 0x0800'0005'0607'0803ull);
  EXPECT_EQ(mem(kData + 16, 1), 0x07u);
  // across a page boundary
  s.x[a1] = kData + 0xffe;
  exec(0x00c5a023);  // sw a2, 0(a1)
  EXPECT_EQ(mem(kData + 0xffe, 4), 0x0506'0708u);
}

TEST_F(HartTest, ImmediateArithmetic) {
  EXPECT_EQ(ri(0xfff58513, 0), kAll);  // addi a0, a1, -1
  EXPECT_EQ(ri(0x7ff58513, 1), 2048u);  // addi a0, a1, 2047
  EXPECT_EQ(ri(0x80058513, kMin64), kMax64 - 2047);  // addi a0, a1, -2048: wraps
  EXPECT_EQ(ri(0xfff5a513, neg(2)), 1u);  // slti a0, a1, -1
  EXPECT_EQ(ri(0xfff5a513, kAll), 0u);  // slti a0, a1, -1
  EXPECT_EQ(ri(0x0005a513, kMin64), 1u);  // slti a0, a1, 0
  EXPECT_EQ(ri(0x0055a513, 5), 0u);  // slti a0, a1, 5
  EXPECT_EQ(ri(0xfff5b513, kAll - 1), 1u);  // sltiu a0, a1, -1: the immediate is sign-extended, then compared unsigned
  EXPECT_EQ(ri(0xfff5b513, kAll), 0u);  // sltiu a0, a1, -1
  EXPECT_EQ(ri(0x0015b513, 0), 1u);  // sltiu a0, a1, 1: seqz
  EXPECT_EQ(ri(0x0015b513, kMin64), 0u);  // sltiu a0, a1, 1
  EXPECT_EQ(ri(0xfff5c513, 0x0f0f), ~u64{0x0f0f});  // xori a0, a1, -1: not
  EXPECT_EQ(ri(0x7ff5c513, 0xfff), 0x800u);  // xori a0, a1, 0x7ff
  EXPECT_EQ(ri(0x8005e513, 0x1), 0xffff'ffff'ffff'f801ull);  // ori a0, a1, -2048
  EXPECT_EQ(ri(0x0f05e513, 0x00f), 0x0ffu);  // ori a0, a1, 0x0f0
  EXPECT_EQ(ri(0xff05f513, kAll), 0xffff'ffff'ffff'fff0ull);  // andi a0, a1, -16
  EXPECT_EQ(ri(0x7ff5f513, kAll), 0x7ffu);  // andi a0, a1, 0x7ff
}

TEST_F(HartTest, ImmediateShifts) {
  EXPECT_EQ(ri(0x03f59513, 1), kMin64);  // slli a0, a1, 63
  EXPECT_EQ(ri(0x02059513, 0x1'ffff'ffffull), 0xffff'ffff'0000'0000ull);  // slli a0, a1, 32
  EXPECT_EQ(ri(0x00059513, 0x1234), 0x1234u);  // slli a0, a1, 0
  EXPECT_EQ(ri(0x03f5d513, kMin64), 1u);  // srli a0, a1, 63
  EXPECT_EQ(ri(0x0015d513, kAll), kMax64);  // srli a0, a1, 1
  EXPECT_EQ(ri(0x0205d513, 0x8000'0000'0000'0000ull), 0x8000'0000u);  // srli a0, a1, 32
  EXPECT_EQ(ri(0x43f5d513, kMin64), kAll);  // srai a0, a1, 63
  EXPECT_EQ(ri(0x43f5d513, kMax64), 0u);  // srai a0, a1, 63
  EXPECT_EQ(ri(0x4045d513, 0xf000'0000'0000'0000ull), 0xff00'0000'0000'0000ull);  // srai a0, a1, 4
  EXPECT_EQ(ri(0x4215d513, 0x8000'0000'0000'0000ull), 0xffff'ffff'c000'0000ull);  // srai a0, a1, 33
}

TEST_F(HartTest, RegisterArithmetic) {
  EXPECT_EQ(rr(0x00c58533, 5, 7), 12u);  // add a0, a1, a2
  EXPECT_EQ(rr(0x00c58533, kMax64, 1), kMin64);  // add a0, a1, a2
  EXPECT_EQ(rr(0x40c58533, 5, 7), neg(2));  // sub a0, a1, a2
  EXPECT_EQ(rr(0x40c58533, kMin64, 1), kMax64);  // sub a0, a1, a2
  EXPECT_EQ(rr(0x00c5c533, 0xff00, 0x0ff0), 0xf0f0u);  // xor a0, a1, a2
  EXPECT_EQ(rr(0x00c5e533, 0xff00, 0x0ff0), 0xfff0u);  // or a0, a1, a2
  EXPECT_EQ(rr(0x00c5f533, 0xff00, 0x0ff0), 0x0f00u);  // and a0, a1, a2
  // slt / sltu edges
  EXPECT_EQ(rr(0x00c5a533, kAll, 0), 1u);  // slt a0, a1, a2
  EXPECT_EQ(rr(0x00c5a533, 0, kAll), 0u);  // slt a0, a1, a2
  EXPECT_EQ(rr(0x00c5a533, kMin64, kMax64), 1u);  // slt a0, a1, a2
  EXPECT_EQ(rr(0x00c5a533, kMax64, kMin64), 0u);  // slt a0, a1, a2
  EXPECT_EQ(rr(0x00c5a533, 7, 7), 0u);  // slt a0, a1, a2
  EXPECT_EQ(rr(0x00c5b533, kAll, 0), 0u);  // sltu a0, a1, a2
  EXPECT_EQ(rr(0x00c5b533, 0, kAll), 1u);  // sltu a0, a1, a2
  EXPECT_EQ(rr(0x00c5b533, kMax64, kMin64), 1u);  // sltu a0, a1, a2
  EXPECT_EQ(rr(0x00c5b533, 7, 7), 0u);  // sltu a0, a1, a2
  EXPECT_EQ(rr(0x00c03533, 0, 1), 1u);  // sltu a0, zero, a2: snez
  // writes to x0 are discarded
  s.x[a0] = 77;
  EXPECT_EQ(rr(0x00c58033, 1, 2), 77u);  // add zero, a1, a2
  EXPECT_EQ(s.x[zero], 0u);
}

TEST_F(HartTest, RegisterShiftsUseLowSixBits) {
  EXPECT_EQ(rr(0x00c59533, 1, 63), kMin64);  // sll a0, a1, a2
  EXPECT_EQ(rr(0x00c59533, 1, 64), 1u);  // sll a0, a1, a2: 64 mod 64 = 0
  EXPECT_EQ(rr(0x00c59533, 1, 65), 2u);  // sll a0, a1, a2: 65 mod 64 = 1
  EXPECT_EQ(rr(0x00c59533, 3, kAll), kMin64);  // sll a0, a1, a2: -1 mod 64 = 63
  EXPECT_EQ(rr(0x00c5d533, kMin64, 63), 1u);  // srl a0, a1, a2
  EXPECT_EQ(rr(0x00c5d533, kMin64, 64 + 62), 2u);  // srl a0, a1, a2
  EXPECT_EQ(rr(0x00c5d533, kAll, 0x100), kAll);  // srl a0, a1, a2
  EXPECT_EQ(rr(0x40c5d533, kMin64, 63), kAll);  // sra a0, a1, a2
  EXPECT_EQ(rr(0x40c5d533, kMin64, 64), kMin64);  // sra a0, a1, a2
  EXPECT_EQ(rr(0x40c5d533, kMin64, 65), 0xc000'0000'0000'0000ull);  // sra a0, a1, a2
  EXPECT_EQ(rr(0x40c5d533, kMax64, 63), 0u);  // sra a0, a1, a2
}

TEST_F(HartTest, WordOpsSignExtendTheirResults) {
  EXPECT_EQ(rr(0x00c5853b, 0x7fff'ffff, 1), 0xffff'ffff'8000'0000ull);  // addw a0, a1, a2
  EXPECT_EQ(rr(0x00c5853b, 0x1'0000'0001ull, 0xffff'ffffull), 0u);  // addw a0, a1, a2
  EXPECT_EQ(rr(0x00c5853b, 0xabcd'0000'0000'0002ull, 0x1234'0000'0000'0003ull), 5u);  // addw a0, a1, a2
  EXPECT_EQ(rr(0x40c5853b, 0, 1), kAll);  // subw a0, a1, a2
  EXPECT_EQ(rr(0x40c5853b, 0x8000'0000, 1), 0x7fff'ffffu);  // subw a0, a1, a2
  EXPECT_EQ(rr(0x40c5853b, 0x7fff'ffff, kAll), 0xffff'ffff'8000'0000ull);  // subw a0, a1, a2
  EXPECT_EQ(rr(0x00c5953b, 1, 31), 0xffff'ffff'8000'0000ull);  // sllw a0, a1, a2
  EXPECT_EQ(rr(0x00c5953b, 1, 32), 1u);  // sllw a0, a1, a2: 32 mod 32 = 0
  EXPECT_EQ(rr(0x00c5953b, 1, 33), 2u);  // sllw a0, a1, a2
  EXPECT_EQ(rr(0x00c5953b, 0xffff'ffff'0000'0001ull, 1), 2u);  // sllw a0, a1, a2
  EXPECT_EQ(rr(0x00c5d53b, 0xffff'ffff'8000'0000ull, 31), 1u);  // srlw a0, a1, a2
  EXPECT_EQ(rr(0x00c5d53b, 0x8000'0000, 0), 0xffff'ffff'8000'0000ull);  // srlw a0, a1, a2: shift by 0 still sign-extends
  EXPECT_EQ(rr(0x00c5d53b, 0xffff'ffff'8000'0000ull, 1), 0x4000'0000u);  // srlw a0, a1, a2
  EXPECT_EQ(rr(0x00c5d53b, 0x8000'0000, 32 + 4), 0x0800'0000u);  // srlw a0, a1, a2
  EXPECT_EQ(rr(0x40c5d53b, 0x8000'0000, 31), kAll);  // sraw a0, a1, a2
  EXPECT_EQ(rr(0x40c5d53b, 0x8000'0000, 4), 0xffff'ffff'f800'0000ull);  // sraw a0, a1, a2
  EXPECT_EQ(rr(0x40c5d53b, 0xffff'ffff'7fff'ffffull, 63), 0u);  // sraw a0, a1, a2: 63 mod 32 = 31
  EXPECT_EQ(ri(0x0015851b, 0x7fff'ffff), 0xffff'ffff'8000'0000ull);  // addiw a0, a1, 1
  EXPECT_EQ(ri(0x0005851b, 0xffff'ffffull), kAll);  // addiw a0, a1, 0: sext.w
  EXPECT_EQ(ri(0xfff5851b, 0x1'0000'0000ull), kAll);  // addiw a0, a1, -1
  EXPECT_EQ(ri(0x8005851b, 0x8000'0000), 0x7fff'f800u);  // addiw a0, a1, -2048
  EXPECT_EQ(ri(0x01f5951b, 1), 0xffff'ffff'8000'0000ull);  // slliw a0, a1, 31
  EXPECT_EQ(ri(0x0045951b, 0x0fff'ffff'0800'0001ull), 0xffff'ffff'8000'0010ull);  // slliw a0, a1, 4
  EXPECT_EQ(ri(0x01f5d51b, 0x8000'0000), 1u);  // srliw a0, a1, 31
  EXPECT_EQ(ri(0x0005d51b, 0x8000'0000), 0xffff'ffff'8000'0000ull);  // srliw a0, a1, 0
  EXPECT_EQ(ri(0x0045d51b, 0xffff'ffff'0000'0000ull), 0u);  // srliw a0, a1, 4
  EXPECT_EQ(ri(0x41f5d51b, 0x8000'0000), kAll);  // sraiw a0, a1, 31
  EXPECT_EQ(ri(0x41f5d51b, 0xffff'ffff'7fff'ffffull), 0u);  // sraiw a0, a1, 31
  EXPECT_EQ(ri(0x4085d51b, 0x8000'0000), 0xffff'ffff'ff80'0000ull);  // sraiw a0, a1, 8
  EXPECT_EQ(ri(0x4005d51b, 0x1'8000'0000ull), 0xffff'ffff'8000'0000ull);  // sraiw a0, a1, 0
}

TEST_F(HartTest, FencesRetire) {
  exec(0x0330000f);  // fence rw, rw
  EXPECT_EQ(s.pc, kBase + 4);
  exec(0x0ff0000f);  // fence
  EXPECT_EQ(s.pc, kBase + 4);
  exec(0x0000100f);  // fence.i
  EXPECT_EQ(s.pc, kBase + 4);
  // fence.i makes a store to the instruction stream visible to the next fetch
  exec(0x0000100f, kBase + 0x100);  // fence.i
  const u32 li = 0x02a00513;  // addi a0, zero, 42
  bus.write_ram(kBase + 0x104, &li, 4);
  EXPECT_EQ(hart.step(), Step::retired);
  EXPECT_EQ(s.x[a0], 42u);
}

TEST_F(HartTest, EcallAndEbreak) {
  EXPECT_TRUE(trapped(run(0x00000073), kEcallM, 0));  // ecall
  EXPECT_TRUE(trapped(run(0x00100073, kBase + 0x40), kBreakpoint, kBase + 0x40, kBase + 0x40));  // ebreak
  // from S and U
  open_pmp();
  s.priv = Priv::s;
  EXPECT_TRUE(trapped(run(0x00000073), kEcallS, 0));  // ecall
  EXPECT_EQ(s.priv, Priv::m);
  EXPECT_EQ((s.mstatus >> 11) & 3, 1u); // MPP = S
  s.priv = Priv::u;
  EXPECT_TRUE(trapped(run(0x00000073), kEcallU, 0));  // ecall
  EXPECT_EQ((s.mstatus >> 11) & 3, 0u); // MPP = U
}

// =============================================================================================
// Zicsr and privileged instructions
// =============================================================================================

TEST_F(HartTest, CsrReadWriteSetClear) {
  s.mscratch = 0xf0;
  s.x[a1] = 0x0f;
  exec(0x34059573);  // csrrw a0, mscratch, a1
  EXPECT_EQ(s.x[a0], 0xf0u);
  EXPECT_EQ(s.mscratch, 0x0fu);
  s.x[a1] = 0x30;
  exec(0x3405a573);  // csrrs a0, mscratch, a1
  EXPECT_EQ(s.x[a0], 0x0fu);
  EXPECT_EQ(s.mscratch, 0x3fu);
  s.x[a1] = 0x0f;
  exec(0x3405b573);  // csrrc a0, mscratch, a1
  EXPECT_EQ(s.x[a0], 0x3fu);
  EXPECT_EQ(s.mscratch, 0x30u);
  exec(0x340fd573);  // csrrwi a0, mscratch, 31
  EXPECT_EQ(s.x[a0], 0x30u);
  EXPECT_EQ(s.mscratch, 31u);
  exec(0x3408f573);  // csrrci a0, mscratch, 0x11
  EXPECT_EQ(s.x[a0], 31u);
  EXPECT_EQ(s.mscratch, 0x0eu);
  exec(0x34086573);  // csrrsi a0, mscratch, 0x10
  EXPECT_EQ(s.x[a0], 0x0eu);
  EXPECT_EQ(s.mscratch, 0x1eu);
  exec(0x34002573);  // csrrs a0, mscratch, zero: csrr
  EXPECT_EQ(s.x[a0], 0x1eu);
  EXPECT_EQ(s.mscratch, 0x1eu);
  s.x[a1] = kAll;
  exec(0x34059073);  // csrrw zero, mscratch, a1: csrw
  EXPECT_EQ(s.mscratch, kAll);
  EXPECT_EQ(s.pc, kBase + 4);
}

TEST_F(HartTest, CsrPermissions) {
  exec(0xf1402573);  // csrrs a0, mhartid, zero
  EXPECT_EQ(s.x[a0], 0u);
  exec(0xf1406573);  // csrrsi a0, mhartid, 0: no write: legal on a read-only CSR
  exec(0xf1403573);  // csrrc a0, mhartid, zero
  s.x[a1] = 0;
  EXPECT_TRUE(illegal(0xf1459073));  // csrrw zero, mhartid, a1
  EXPECT_TRUE(illegal(0xf140e573));  // csrrsi a0, mhartid, 1
  EXPECT_TRUE(illegal(0xf145b573));  // csrrc a0, mhartid, a1: rs1 != x0 is a write even when the value is 0
  EXPECT_TRUE(illegal(0x7c002573));  // csrrs a0, 0x7c0, zero: no such CSR
  // M-mode CSRs from S-mode
  open_pmp();
  s.priv = Priv::s;
  EXPECT_TRUE(illegal(0x34002573));  // csrrs a0, mscratch, zero
  s.priv = Priv::s;
  exec(0x14002573);  // csrrs a0, sscratch, zero
}

TEST_F(HartTest, Mret) {
  s.mepc = kBase + 0x40;
  s.mstatus |= (1ull << 11) | (1ull << 7); // MPP = S, MPIE
  exec(0x30200073);  // mret
  EXPECT_EQ(s.pc, kBase + 0x40);
  EXPECT_EQ(s.priv, Priv::s);
  EXPECT_NE(s.mstatus & (1ull << 3), 0u);    // MIE = MPIE
  EXPECT_NE(s.mstatus & (1ull << 7), 0u);    // MPIE = 1
  EXPECT_EQ((s.mstatus >> 11) & 3, 0u);      // MPP = U
  // mret below M is illegal
  open_pmp();
  EXPECT_TRUE(illegal(0x30200073));  // mret
}

TEST_F(HartTest, Sret) {
  s.sepc = kBase + 0x80;
  s.mstatus |= (1ull << 8) | (1ull << 5); // SPP = S, SPIE
  exec(0x10200073);  // sret
  EXPECT_EQ(s.pc, kBase + 0x80);
  EXPECT_EQ(s.priv, Priv::s);
  EXPECT_NE(s.mstatus & (1ull << 1), 0u); // SIE = SPIE
  EXPECT_EQ(s.mstatus & (1ull << 8), 0u); // SPP = U
  open_pmp();
  s.sepc = kBase + 0x100;
  exec(0x10200073);  // sret: from S to U
  EXPECT_EQ(s.priv, Priv::u);
  EXPECT_EQ(s.pc, kBase + 0x100);
  EXPECT_TRUE(illegal(0x10200073));  // sret: from U
  s.priv = Priv::s;
  s.mstatus |= 1ull << 22; // TSR
  EXPECT_TRUE(illegal(0x10200073));  // sret
}

TEST_F(HartTest, WfiWaitsAndIsIllegalInUMode) {
  exec(0x10500073);  // wfi
  EXPECT_EQ(s.pc, kBase + 4);
  EXPECT_EQ(hart.step(), Step::waiting);
  EXPECT_EQ(s.pc, kBase + 4);
  open_pmp();
  s.waiting = false;
  s.priv = Priv::u;
  EXPECT_TRUE(illegal(0x10500073));  // wfi
}

TEST_F(HartTest, SfenceVma) {
  exec(0x12000073);  // sfence.vma
  EXPECT_EQ(s.pc, kBase + 4);
  exec(0x12c58073);  // sfence.vma a1, a2
  open_pmp();
  s.priv = Priv::s;
  exec(0x12000073);  // sfence.vma
  s.mstatus |= 1ull << 20; // TVM
  EXPECT_TRUE(illegal(0x12000073));  // sfence.vma
  s.priv = Priv::u;
  EXPECT_TRUE(illegal(0x12000073));  // sfence.vma
}

// =============================================================================================
// M
// =============================================================================================

TEST_F(HartTest, Multiply) {
  EXPECT_EQ(rr(0x02c58533, neg(3), 5), neg(15));  // mul a0, a1, a2
  EXPECT_EQ(rr(0x02c58533, 0x1'0000'0001ull, 0x1'0000'0001ull), 0x2'0000'0001ull);  // mul a0, a1, a2
  EXPECT_EQ(rr(0x02c58533, kMin64, kAll), kMin64);  // mul a0, a1, a2
  // mulh: signed x signed
  EXPECT_EQ(rr(0x02c59533, kAll, kAll), 0u);  // mulh a0, a1, a2
  EXPECT_EQ(rr(0x02c59533, neg(2), 3), kAll);  // mulh a0, a1, a2
  EXPECT_EQ(rr(0x02c59533, kMin64, kMin64), 0x4000'0000'0000'0000ull);  // mulh a0, a1, a2
  EXPECT_EQ(rr(0x02c59533, kMin64, kMax64), 0xc000'0000'0000'0000ull);  // mulh a0, a1, a2
  EXPECT_EQ(rr(0x02c59533, kMax64, kMax64), 0x3fff'ffff'ffff'ffffull);  // mulh a0, a1, a2
  // mulhsu: signed x unsigned
  EXPECT_EQ(rr(0x02c5a533, kAll, kAll), kAll);  // mulhsu a0, a1, a2: -1 * (2^64-1) = -2^64 + 1
  EXPECT_EQ(rr(0x02c5a533, 2, kMin64), 1u);  // mulhsu a0, a1, a2: 2 * 2^63
  EXPECT_EQ(rr(0x02c5a533, neg(2), kMin64), kAll);  // mulhsu a0, a1, a2
  EXPECT_EQ(rr(0x02c5a533, kMin64, kAll), 0x8000'0000'0000'0000ull);  // mulhsu a0, a1, a2
  EXPECT_EQ(rr(0x02c5a533, neg(1), 1), kAll);  // mulhsu a0, a1, a2
  // mulhu: unsigned x unsigned
  EXPECT_EQ(rr(0x02c5b533, kAll, kAll), 0xffff'ffff'ffff'fffeull);  // mulhu a0, a1, a2
  EXPECT_EQ(rr(0x02c5b533, kMin64, 2), 1u);  // mulhu a0, a1, a2
  EXPECT_EQ(rr(0x02c5b533, neg(2), 3), 2u);  // mulhu a0, a1, a2
  // mulw: low 32 bits, sign-extended
  EXPECT_EQ(rr(0x02c5853b, 0x10000, 0x10000), 0u);  // mulw a0, a1, a2
  EXPECT_EQ(rr(0x02c5853b, 0x8000, 0x10000), 0xffff'ffff'8000'0000ull);  // mulw a0, a1, a2
  EXPECT_EQ(rr(0x02c5853b, 0xffff'ffff'0000'0003ull, neg(5)), neg(15));  // mulw a0, a1, a2
  EXPECT_EQ(rr(0x02c5853b, 0x7fff'ffff, 2), neg(2));  // mulw a0, a1, a2
}

TEST_F(HartTest, Divide) {
  EXPECT_EQ(rr(0x02c5c533, 7, neg(2)), neg(3));  // div a0, a1, a2: rounds towards zero
  EXPECT_EQ(rr(0x02c5c533, neg(7), 2), neg(3));  // div a0, a1, a2
  EXPECT_EQ(rr(0x02c5c533, 42, 0), kAll);  // div a0, a1, a2: by zero: -1
  EXPECT_EQ(rr(0x02c5c533, kMin64, kAll), kMin64);  // div a0, a1, a2: overflow: the dividend
  EXPECT_EQ(rr(0x02c5d533, kAll, 2), kMax64);  // divu a0, a1, a2
  EXPECT_EQ(rr(0x02c5d533, 42, 0), kAll);  // divu a0, a1, a2: by zero: 2^64-1
  EXPECT_EQ(rr(0x02c5d533, kMin64, kAll), 0u);  // divu a0, a1, a2
  EXPECT_EQ(rr(0x02c5e533, 7, neg(2)), 1u);  // rem a0, a1, a2: sign of the dividend
  EXPECT_EQ(rr(0x02c5e533, neg(7), 2), neg(1));  // rem a0, a1, a2
  EXPECT_EQ(rr(0x02c5e533, neg(42), 0), neg(42));  // rem a0, a1, a2: by zero: the dividend
  EXPECT_EQ(rr(0x02c5e533, kMin64, kAll), 0u);  // rem a0, a1, a2: overflow: 0
  EXPECT_EQ(rr(0x02c5f533, kAll, 10), 5u);  // remu a0, a1, a2
  EXPECT_EQ(rr(0x02c5f533, kAll, 0), kAll);  // remu a0, a1, a2: by zero: the dividend
  // W forms: 32-bit operands, sign-extended results
  EXPECT_EQ(rr(0x02c5c53b, 0x1234'5678'ffff'fff9ull, 2), neg(3));  // divw a0, a1, a2: -7 / 2
  EXPECT_EQ(rr(0x02c5c53b, 0x8000'0000, 0xffff'ffff), 0xffff'ffff'8000'0000ull);  // divw a0, a1, a2
  EXPECT_EQ(rr(0x02c5c53b, 5, 0xffff'ffff'0000'0000ull), kAll);  // divw a0, a1, a2: by zero
  EXPECT_EQ(rr(0x02c5c53b, 0x7fff'ffff, 1), 0x7fff'ffffu);  // divw a0, a1, a2
  EXPECT_EQ(rr(0x02c5d53b, 0x8000'0000, 1), 0xffff'ffff'8000'0000ull);  // divuw a0, a1, a2: sign-extended
  EXPECT_EQ(rr(0x02c5d53b, 0xffff'ffff, 2), 0x7fff'ffffu);  // divuw a0, a1, a2
  EXPECT_EQ(rr(0x02c5d53b, 7, 0), kAll);  // divuw a0, a1, a2: by zero
  EXPECT_EQ(rr(0x02c5d53b, 0x1'0000'0007ull, 0x1'0000'0002ull), 3u);  // divuw a0, a1, a2
  EXPECT_EQ(rr(0x02c5e53b, neg(7), 2), neg(1));  // remw a0, a1, a2
  EXPECT_EQ(rr(0x02c5e53b, 0x8000'0000, 0xffff'ffff), 0u);  // remw a0, a1, a2: overflow
  EXPECT_EQ(rr(0x02c5e53b, 0x8000'0000, 0), 0xffff'ffff'8000'0000ull);  // remw a0, a1, a2: by zero: sext(dividend)
  EXPECT_EQ(rr(0x02c5e53b, 0x1'0000'0007ull, 0), 7u);  // remw a0, a1, a2
  EXPECT_EQ(rr(0x02c5f53b, 0x8000'0001, 0x8000'0000), 1u);  // remuw a0, a1, a2
  EXPECT_EQ(rr(0x02c5f53b, 0x8000'0000, 0), 0xffff'ffff'8000'0000ull);  // remuw a0, a1, a2: by zero: sext(dividend)
  EXPECT_EQ(rr(0x02c5f53b, 0xffff'fffe, 0xffff'ffff), 0xffff'ffff'ffff'fffeull);  // remuw a0, a1, a2
}

// =============================================================================================
// A
// =============================================================================================

TEST_F(HartTest, LrScSucceedWithAReservation) {
  set_mem(kData, 0xcafe'babe'8000'0001ull);
  s.x[a1] = kData;
  exec(0x1005a52f);  // lr.w a0, (a1)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'8000'0001ull); // sign-extended
  s.x[a2] = 0x1234'5678'9abc'def0ull;
  exec(0x18c5a52f);  // sc.w a0, a2, (a1)
  EXPECT_EQ(s.x[a0], 0u);
  EXPECT_EQ(mem(kData), 0xcafe'babe'9abc'def0ull);
  // the SC consumed the reservation: a second SC fails and does not store
  s.x[a2] = 1;
  exec(0x18c5a52f);  // sc.w a0, a2, (a1)
  EXPECT_EQ(s.x[a0], 1u);
  EXPECT_EQ(mem(kData), 0xcafe'babe'9abc'def0ull);

  exec(0x1405b52f);  // lr.d.aq a0, (a1)
  EXPECT_EQ(s.x[a0], 0xcafe'babe'9abc'def0ull);
  s.x[a2] = 0x0102'0304'0506'0708ull;
  exec(0x1ac5b6af);  // sc.d.rl a3, a2, (a1)
  EXPECT_EQ(s.x[a3], 0u);
  EXPECT_EQ(mem(kData), 0x0102'0304'0506'0708ull);
  exec(0x18c5b6af);  // sc.d a3, a2, (a1)
  EXPECT_EQ(s.x[a3], 1u);
}

TEST_F(HartTest, ScFailsWithoutReservation) {
  set_mem(kData, 0x1111'1111'1111'1111ull);
  s.x[a1] = kData;
  s.x[a2] = 0x2222'2222'2222'2222ull;
  exec(0x18c5b52f);  // sc.d a0, a2, (a1)
  EXPECT_EQ(s.x[a0], 1u);
  exec(0x18c5a52f);  // sc.w a0, a2, (a1)
  EXPECT_EQ(s.x[a0], 1u);
  EXPECT_EQ(mem(kData), 0x1111'1111'1111'1111ull);
}

TEST_F(HartTest, ScFailsAfterAnInterveningStore) {
  set_mem(kData, 0x1111'1111'1111'1111ull);
  s.x[a1] = kData;
  exec(0x1005b52f);  // lr.d a0, (a1)
  s.x[a2] = 0x3333;
  exec(0x00c5a223);  // sw a2, 4(a1)
  s.x[a2] = 0x2222;
  exec(0x18c5b52f);  // sc.d a0, a2, (a1)
  EXPECT_EQ(s.x[a0], 1u);
  EXPECT_EQ(mem(kData), 0x0000'3333'1111'1111ull);
  // likewise for the word forms
  exec(0x1005a52f);  // lr.w a0, (a1)
  s.x[a2] = 0x44;
  exec(0x00c58023);  // sb a2, 0(a1)
  exec(0x18c5a52f);  // sc.w a0, a2, (a1)
  EXPECT_EQ(s.x[a0], 1u);
  EXPECT_EQ(mem(kData), 0x0000'3333'1111'1144ull);
}

struct AmoCase {
  u32 insn;
  u64 mem_before, rs2, rd, mem_after;
};

TEST_F(HartTest, AmoWord) {
  // The upper word of memory (0xcafebabe) must never change; rs2's upper bits are ignored.
  const u64 hi = 0xcafe'babe'0000'0000ull, junk = 0xdead'beef'0000'0000ull;
  const AmoCase cases[] = {
      {0x08c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x0000'0003},  // amoswap.w a0, a2, (a1)
      {0x00c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x8000'0004},  // amoadd.w a0, a2, (a1)
      {0x00c5a52f, 0xffff'ffff, junk | 2, kAll, 0x0000'0001},  // amoadd.w a0, a2, (a1): wraps in 32 bits
      {0x20c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x8000'0002},  // amoxor.w a0, a2, (a1)
      {0x60c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x0000'0001},  // amoand.w a0, a2, (a1)
      {0x40c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x8000'0003},  // amoor.w a0, a2, (a1)
      {0x80c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x8000'0001},  // amomin.w a0, a2, (a1)
      {0x80c5a52f, 0x0000'0005, junk | 0xffff'ffff, 5, 0xffff'ffff},  // amomin.w a0, a2, (a1)
      {0xa0c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x0000'0003},  // amomax.w a0, a2, (a1)
      {0xa0c5a52f, 0x0000'0005, junk | 0xffff'ffff, 5, 0x0000'0005},  // amomax.w a0, a2, (a1)
      {0xc0c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x0000'0003},  // amominu.w a0, a2, (a1)
      {0xc0c5a52f, 0x0000'0005, junk | 0xffff'ffff, 5, 0x0000'0005},  // amominu.w a0, a2, (a1)
      {0xe0c5a52f, 0x8000'0001, junk | 3, 0xffff'ffff'8000'0001ull, 0x8000'0001},  // amomaxu.w a0, a2, (a1)
      {0xe6c5a52f, 0x0000'0005, junk | 0xffff'ffff, 5, 0xffff'ffff},  // amomaxu.w.aqrl a0, a2, (a1)
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "insn 0x" << std::hex << c.insn << " mem 0x" << c.mem_before);
    set_mem(kData, hi | c.mem_before);
    s.x[a1] = kData;
    s.x[a2] = c.rs2;
    exec(c.insn);
    EXPECT_EQ(s.x[a0], c.rd);
    EXPECT_EQ(mem(kData), hi | c.mem_after);
    EXPECT_EQ(s.x[a2], c.rs2);
    EXPECT_EQ(s.pc, kBase + 4);
  }
}

TEST_F(HartTest, AmoDouble) {
  const u64 m1 = 0x8000'0000'0000'0001ull;
  const AmoCase cases[] = {
      {0x08c5b52f, m1, 3, m1, 3},  // amoswap.d a0, a2, (a1)
      {0x00c5b52f, m1, 3, m1, 0x8000'0000'0000'0004ull},  // amoadd.d a0, a2, (a1)
      {0x00c5b52f, kAll, 2, kAll, 1},  // amoadd.d a0, a2, (a1)
      {0x20c5b52f, m1, 3, m1, 0x8000'0000'0000'0002ull},  // amoxor.d a0, a2, (a1)
      {0x60c5b52f, m1, 3, m1, 1},  // amoand.d a0, a2, (a1)
      {0x40c5b52f, m1, 3, m1, 0x8000'0000'0000'0003ull},  // amoor.d a0, a2, (a1)
      {0x80c5b52f, m1, 3, m1, m1},  // amomin.d a0, a2, (a1)
      {0x80c5b52f, 5, kAll, 5, kAll},  // amomin.d a0, a2, (a1)
      {0xa0c5b52f, m1, 3, m1, 3},  // amomax.d a0, a2, (a1)
      {0xa0c5b52f, 5, kAll, 5, 5},  // amomax.d a0, a2, (a1)
      {0xc0c5b52f, m1, 3, m1, 3},  // amominu.d a0, a2, (a1)
      {0xc0c5b52f, 5, kAll, 5, 5},  // amominu.d a0, a2, (a1)
      {0xe0c5b52f, m1, 3, m1, m1},  // amomaxu.d a0, a2, (a1)
      {0xe4c5b52f, 5, kAll, 5, kAll},  // amomaxu.d.aq a0, a2, (a1)
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << "insn 0x" << std::hex << c.insn << " mem 0x" << c.mem_before);
    set_mem(kData, c.mem_before);
    set_mem(kData + 8, 0x5a5a'5a5a'5a5a'5a5aull);
    s.x[a1] = kData;
    s.x[a2] = c.rs2;
    exec(c.insn);
    EXPECT_EQ(s.x[a0], c.rd);
    EXPECT_EQ(mem(kData), c.mem_after);
    EXPECT_EQ(mem(kData + 8), 0x5a5a'5a5a'5a5a'5a5aull);
  }
}

TEST_F(HartTest, AmoWithRdEqualToRs2) {
  set_mem(kData, 10);
  s.x[a1] = kData;
  s.x[a2] = 32;
  exec(0x00c5b62f);  // amoadd.d a2, a2, (a1)
  EXPECT_EQ(s.x[a2], 10u);
  EXPECT_EQ(mem(kData), 42u);
  exec(0x0805a02f);  // amoswap.w zero, zero, (a1)
  EXPECT_EQ(mem(kData), 0u);
  EXPECT_EQ(s.x[zero], 0u);
}

TEST_F(HartTest, MisalignedAtomicsTrap) {
  // LR raises a load-address-misaligned exception; SC and the AMOs a store/AMO one.
  const std::pair<u32, u64> word[] = {
      {0x1005a52f, kLoadMisaligned},      {0x18c5a52f, kStoreMisaligned},  // lr.w a0, (a1); sc.w a0, a2, (a1)
      {0x08c5a52f, kStoreMisaligned}, {0x00c5a52f, kStoreMisaligned},  // amoswap.w a0, a2, (a1); amoadd.w a0, a2, (a1)
      {0x20c5a52f, kStoreMisaligned},  {0x60c5a52f, kStoreMisaligned},  // amoxor.w a0, a2, (a1); amoand.w a0, a2, (a1)
      {0x40c5a52f, kStoreMisaligned},   {0x80c5a52f, kStoreMisaligned},  // amoor.w a0, a2, (a1); amomin.w a0, a2, (a1)
      {0xa0c5a52f, kStoreMisaligned},  {0xc0c5a52f, kStoreMisaligned},  // amomax.w a0, a2, (a1); amominu.w a0, a2, (a1)
      {0xe0c5a52f, kStoreMisaligned},  // amomaxu.w a0, a2, (a1)
  };
  const std::pair<u32, u64> dword[] = {
      {0x1005b52f, kLoadMisaligned},      {0x18c5b52f, kStoreMisaligned},  // lr.d a0, (a1); sc.d a0, a2, (a1)
      {0x08c5b52f, kStoreMisaligned}, {0x00c5b52f, kStoreMisaligned},  // amoswap.d a0, a2, (a1); amoadd.d a0, a2, (a1)
      {0x20c5b52f, kStoreMisaligned},  {0x60c5b52f, kStoreMisaligned},  // amoxor.d a0, a2, (a1); amoand.d a0, a2, (a1)
      {0x40c5b52f, kStoreMisaligned},   {0x80c5b52f, kStoreMisaligned},  // amoor.d a0, a2, (a1); amomin.d a0, a2, (a1)
      {0xa0c5b52f, kStoreMisaligned},  {0xc0c5b52f, kStoreMisaligned},  // amomax.d a0, a2, (a1); amominu.d a0, a2, (a1)
      {0xe0c5b52f, kStoreMisaligned},  // amomaxu.d a0, a2, (a1)
  };
  set_mem(kData, 0x0123'4567'89ab'cdefull);
  set_mem(kData + 8, 0x0123'4567'89ab'cdefull);
  s.x[a2] = 0xffff;
  for (u64 off : {1, 2, 3}) {
    for (const auto& [insn, cause] : word) {
      SCOPED_TRACE(::testing::Message() << "insn 0x" << std::hex << insn << " offset " << off);
      s.x[a1] = kData + off;
      s.x[a0] = 0x77;
      EXPECT_TRUE(trapped(run(insn), cause, kData + off));
      EXPECT_EQ(s.x[a0], 0x77u);
    }
  }
  for (u64 off : {1, 4, 7}) {
    for (const auto& [insn, cause] : dword) {
      SCOPED_TRACE(::testing::Message() << "insn 0x" << std::hex << insn << " offset " << off);
      s.x[a1] = kData + off;
      s.x[a0] = 0x77;
      EXPECT_TRUE(trapped(run(insn), cause, kData + off));
      EXPECT_EQ(s.x[a0], 0x77u);
    }
  }
  EXPECT_EQ(mem(kData), 0x0123'4567'89ab'cdefull);
  EXPECT_EQ(mem(kData + 8), 0x0123'4567'89ab'cdefull);
}

// =============================================================================================
// F and D: arithmetic in every rounding mode
// =============================================================================================

// Single-precision values used below.
constexpr u32 s_2m24 = 0x3380'0000;       // 2^-24: half an ulp of 1.0
constexpr u32 s_2m25 = 0x3300'0000;       // 2^-25: half an ulp below 1.0
constexpr u32 s_1p1ulp = 0x3f80'0001;     // 1 + 2^-23
constexpr u32 s_1p3ulp = 0x3f80'0003;     // 1 + 3*2^-23
constexpr u32 s_min_sub = 0x0000'0001;    // 2^-149
constexpr u32 s_min_norm = 0x0080'0000;   // 2^-126
// Double-precision values used below.
constexpr u64 d_2m53 = 0x3ca0'0000'0000'0000; // 2^-53
constexpr u64 d_2m54 = 0x3c90'0000'0000'0000; // 2^-54
constexpr u64 d_1p1ulp = 0x3ff0'0000'0000'0001;
constexpr u64 d_1p3ulp = 0x3ff0'0000'0000'0003;

TEST_F(HartTest, FaddSubSingleRounding) {
  const u32 kAdd = 0x00c5f553, kSub = 0x08c5f553;  // fadd.s fa0, fa1, fa2; fsub.s fa0, fa1, fa2
  // 1 + 2^-24 is a tie between 1 (even) and 1 + 2^-23
  check_rm(kAdd, b(s_one), b(s_2m24), 0, boxed({s_one, s_one, s_one, 0x3f80'0001, 0x3f80'0001}), all(NX));
  check_rm(kAdd, b(s_m_one), b(0xb380'0000), 0, boxed({s_m_one, s_m_one, 0xbf80'0001, s_m_one, 0xbf80'0001}),
           all(NX));
  // (1 + 2^-23) + 2^-24 is a tie between an odd and an even significand
  check_rm(kAdd, b(s_1p1ulp), b(s_2m24), 0, boxed({0x3f80'0002, 0x3f80'0001, 0x3f80'0001, 0x3f80'0002, 0x3f80'0002}),
           all(NX));
  check_rm(kAdd, b(s_one), b(s_two), 0, boxed({s_three, s_three, s_three, s_three, s_three}), all(0));
  // overflow: to infinity or to the largest finite number depending on the mode and sign
  check_rm(kAdd, b(s_max), b(s_max), 0, boxed({s_inf, s_max, s_max, s_inf, s_inf}), all(OF | NX));
  check_rm(kAdd, b(s_max | 0x8000'0000), b(s_max | 0x8000'0000), 0,
           boxed({s_m_inf, 0xff7f'ffff, s_m_inf, 0xff7f'ffff, s_m_inf}), all(OF | NX));
  // exact cancellation gives +0, except -0 when rounding down
  check_rm(kAdd, b(s_one), b(s_m_one), 0, boxed({0, 0, s_m_zero, 0, 0}), all(0));
  check_rm(kAdd, b(s_m_zero), b(s_m_zero), 0, boxed({s_m_zero, s_m_zero, s_m_zero, s_m_zero, s_m_zero}), all(0));
  check_rm(kAdd, b(s_inf), b(s_m_inf), 0, boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan}), all(NV));
  // 1 - 2^-25 is a tie between 1 - 2^-24 (odd) and 1 (even)
  check_rm(kSub, b(s_one), b(s_2m25), 0, boxed({s_one, 0x3f7f'ffff, 0x3f7f'ffff, s_one, s_one}), all(NX));
  check_rm(kSub, b(s_one), b(s_one), 0, boxed({0, 0, s_m_zero, 0, 0}), all(0));
  check_rm(kSub, b(s_inf), b(s_inf), 0, boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan}), all(NV));
  check_rm(kSub, b(s_max | 0x8000'0000), b(s_max), 0, boxed({s_m_inf, 0xff7f'ffff, s_m_inf, 0xff7f'ffff, s_m_inf}),
           all(OF | NX));
}

TEST_F(HartTest, FmulDivSqrtSingleRounding) {
  const u32 kMul = 0x10c5f553, kDiv = 0x18c5f553, kSqrt = 0x5805f553;  // fmul.s fa0, fa1, fa2; fdiv.s fa0, fa1, fa2; fsqrt.s fa0, fa1
  // (1 + 2^-23) * 1.5 = 1.5 + 2^-23 + 2^-24: tie, odd below
  check_rm(kMul, b(s_1p1ulp), b(s_1p5), 0, boxed({0x3fc0'0002, 0x3fc0'0001, 0x3fc0'0001, 0x3fc0'0002, 0x3fc0'0002}),
           all(NX));
  // (1 + 3*2^-23) * 1.5 = 1.5 + 4*2^-23 + 2^-24: tie, even below
  check_rm(kMul, b(s_1p3ulp), b(s_1p5), 0, boxed({0x3fc0'0004, 0x3fc0'0004, 0x3fc0'0004, 0x3fc0'0005, 0x3fc0'0005}),
           all(NX));
  check_rm(kMul, b(0xbf80'0003), b(s_1p5), 0, boxed({0xbfc0'0004, 0xbfc0'0004, 0xbfc0'0005, 0xbfc0'0004, 0xbfc0'0005}),
           all(NX));
  // underflow: 2^-150 is a tie between 0 and the smallest subnormal
  check_rm(kMul, b(s_min_sub), b(s_half), 0, boxed({0, 0, 0, s_min_sub, s_min_sub}), all(UF | NX));
  check_rm(kMul, b(0x8000'0001), b(s_half), 0, boxed({s_m_zero, s_m_zero, 0x8000'0001, s_m_zero, 0x8000'0001}),
           all(UF | NX));
  // 2^-126 * (1 - 2^-24) = 2^-126 - 2^-150: tiny even after rounding (exact at full precision)
  check_rm(kMul, b(s_min_norm), b(0x3f7f'ffff), 0,
           boxed({s_min_norm, 0x007f'ffff, 0x007f'ffff, s_min_norm, s_min_norm}), all(UF | NX));
  check_rm(kMul, b(s_max), b(s_two), 0, boxed({s_inf, s_max, s_max, s_inf, s_inf}), all(OF | NX));
  check_rm(kMul, b(s_inf), b(0), 0, boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan}), all(NV));
  check_rm(kMul, b(s_m_zero), b(s_three), 0, boxed({s_m_zero, s_m_zero, s_m_zero, s_m_zero, s_m_zero}), all(0));
  // 1/3 and -1/3
  check_rm(kDiv, b(s_one), b(s_three), 0, boxed({0x3eaa'aaab, 0x3eaa'aaaa, 0x3eaa'aaaa, 0x3eaa'aaab, 0x3eaa'aaab}),
           all(NX));
  check_rm(kDiv, b(s_m_one), b(s_three), 0,
           boxed({0xbeaa'aaab, 0xbeaa'aaaa, 0xbeaa'aaab, 0xbeaa'aaaa, 0xbeaa'aaab}), all(NX));
  check_rm(kDiv, b(s_three), b(s_two), 0, boxed({s_1p5, s_1p5, s_1p5, s_1p5, s_1p5}), all(0));
  check_rm(kDiv, b(s_one), b(0), 0, boxed({s_inf, s_inf, s_inf, s_inf, s_inf}), all(DZ));
  check_rm(kDiv, b(s_one), b(s_m_zero), 0, boxed({s_m_inf, s_m_inf, s_m_inf, s_m_inf, s_m_inf}), all(DZ));
  check_rm(kDiv, b(0), b(0), 0, boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan}), all(NV));
  check_rm(kDiv, b(s_inf), b(s_m_inf), 0, boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan}), all(NV));
  check_rm(kDiv, b(s_max), b(s_half), 0, boxed({s_inf, s_max, s_max, s_inf, s_inf}), all(OF | NX));
  // sqrt(2) = 1.41421356..., between 0x3fb504f3 (nearer) and 0x3fb504f4
  check_rm(kSqrt, b(s_two), 0, 0, boxed({0x3fb5'04f3, 0x3fb5'04f3, 0x3fb5'04f3, 0x3fb5'04f4, 0x3fb5'04f3}), all(NX));
  check_rm(kSqrt, b(0x4080'0000), 0, 0, boxed({s_two, s_two, s_two, s_two, s_two}), all(0));
  check_rm(kSqrt, b(s_m_one), 0, 0, boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan}), all(NV));
  check_rm(kSqrt, b(s_m_zero), 0, 0, boxed({s_m_zero, s_m_zero, s_m_zero, s_m_zero, s_m_zero}), all(0));
  check_rm(kSqrt, b(s_inf), 0, 0, boxed({s_inf, s_inf, s_inf, s_inf, s_inf}), all(0));
  check_rm(kSqrt, b(s_m_inf), 0, 0, boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan}), all(NV));
}

TEST_F(HartTest, FusedMultiplyAddSingle) {
  const u32 madd = 0x68c5f543, msub = 0x68c5f547,  // fmadd.s fa0, fa1, fa2, fa3; fmsub.s fa0, fa1, fa2, fa3
            nmsub = 0x68c5f54b, nmadd = 0x68c5f54f;  // fnmsub.s fa0, fa1, fa2, fa3; fnmadd.s fa0, fa1, fa2, fa3
  // (1 + 2^-23)^2 - 1 = 2^-22 + 2^-46, rounded once: a tie between 2^-22 (even) and its successor
  const std::array<u32, 5> pos = {0x3480'0000, 0x3480'0000, 0x3480'0000, 0x3480'0001, 0x3480'0001};
  const std::array<u32, 5> negv = {0xb480'0000, 0xb480'0000, 0xb480'0001, 0xb480'0000, 0xb480'0001};
  check_rm(madd, b(s_1p1ulp), b(s_1p1ulp), b(s_m_one), boxed(pos), all(NX));
  check_rm(msub, b(s_1p1ulp), b(s_1p1ulp), b(s_one), boxed(pos), all(NX));
  check_rm(nmsub, b(s_1p1ulp), b(s_1p1ulp), b(s_one), boxed(negv), all(NX));
  check_rm(nmadd, b(s_1p1ulp), b(s_1p1ulp), b(s_m_one), boxed(negv), all(NX));
  // signs: 2*3+1, 2*3-1, -(2*3)+1, -(2*3)-1
  const auto z = all(0);
  check_rm(madd, b(s_two), b(s_three), b(s_one), boxed({0x40e0'0000, 0x40e0'0000, 0x40e0'0000, 0x40e0'0000, 0x40e0'0000}), z);
  check_rm(msub, b(s_two), b(s_three), b(s_one), boxed({0x40a0'0000, 0x40a0'0000, 0x40a0'0000, 0x40a0'0000, 0x40a0'0000}), z);
  check_rm(nmsub, b(s_two), b(s_three), b(s_one), boxed({0xc0a0'0000, 0xc0a0'0000, 0xc0a0'0000, 0xc0a0'0000, 0xc0a0'0000}), z);
  check_rm(nmadd, b(s_two), b(s_three), b(s_one), boxed({0xc0e0'0000, 0xc0e0'0000, 0xc0e0'0000, 0xc0e0'0000, 0xc0e0'0000}), z);
  // signs of exact zeros
  const auto pz = boxed({0, 0, s_m_zero, 0, 0});                                 // +0, or -0 in rdn
  const auto mz = boxed({s_m_zero, s_m_zero, s_m_zero, s_m_zero, s_m_zero});     // always -0
  const auto zz = boxed({0, 0, 0, 0, 0});                                        // always +0
  check_rm(madd, b(s_one), b(0), b(s_m_zero), pz, z);        // +0 + -0
  check_rm(madd, b(s_one), b(s_m_zero), b(s_m_zero), mz, z); // -0 + -0
  check_rm(madd, b(s_one), b(s_one), b(s_m_one), pz, z);     // 1 - 1
  check_rm(msub, b(s_one), b(0), b(0), pz, z);               // +0 - +0
  check_rm(msub, b(s_one), b(s_m_zero), b(0), mz, z);        // -0 - +0
  check_rm(nmsub, b(s_one), b(0), b(0), pz, z);              // -(+0) + +0
  check_rm(nmsub, b(s_one), b(s_m_zero), b(0), zz, z);       // -(-0) + +0
  check_rm(nmadd, b(s_one), b(0), b(0), mz, z);              // -(+0) - +0
  check_rm(nmadd, b(s_one), b(0), b(s_m_zero), pz, z);       // -(+0) - -0
  check_rm(nmadd, b(s_one), b(s_one), b(s_m_one), pz, z);    // -1 + 1
  // invalid: inf * 0, even with a quiet NaN addend; inf - inf
  const auto nan = boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan});
  check_rm(madd, b(s_inf), b(0), b(s_qnan), nan, all(NV));
  check_rm(madd, b(s_inf), b(s_one), b(s_m_inf), nan, all(NV));
  check_rm(nmadd, b(s_inf), b(s_one), b(s_m_inf), nan, all(NV)); // -inf - -inf
  check_rm(madd, b(s_qnan), b(s_one), b(s_one), nan, all(0));
  check_rm(msub, b(s_one), b(s_one), b(s_snan), nan, all(NV));
  check_rm(madd, b(s_max), b(s_two), b(s_m_one), boxed({s_inf, s_max, s_max, s_inf, s_inf}), all(OF | NX));
}

TEST_F(HartTest, FaddSubDoubleRounding) {
  const u32 kAdd = 0x02c5f553, kSub = 0x0ac5f553;  // fadd.d fa0, fa1, fa2; fsub.d fa0, fa1, fa2
  const u64 m_max = d_max | kMin64, m_max_inf = d_m_inf;
  check_rm(kAdd, d_one, d_2m53, 0, {d_one, d_one, d_one, d_1p1ulp, d_1p1ulp}, all(NX));
  check_rm(kAdd, d_m_one, d_2m53 | kMin64, 0, {d_m_one, d_m_one, d_m_one + 1, d_m_one, d_m_one + 1}, all(NX));
  check_rm(kAdd, d_1p1ulp, d_2m53, 0, {d_one + 2, d_one + 1, d_one + 1, d_one + 2, d_one + 2}, all(NX));
  check_rm(kAdd, d_one, d_two, 0, {d_three, d_three, d_three, d_three, d_three}, all(0));
  check_rm(kAdd, d_max, d_max, 0, {d_inf, d_max, d_max, d_inf, d_inf}, all(OF | NX));
  check_rm(kAdd, m_max, m_max, 0, {m_max_inf, m_max, m_max_inf, m_max, m_max_inf}, all(OF | NX));
  check_rm(kAdd, d_one, d_m_one, 0, {0, 0, d_m_zero, 0, 0}, all(0));
  check_rm(kAdd, d_inf, d_m_inf, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
  check_rm(kAdd, d_snan, d_one, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
  check_rm(kAdd, 0x7ff8'0000'0000'1234ull, d_one, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(0));
  // 1 - 2^-54 is a tie between 1 - 2^-53 (odd) and 1 (even)
  check_rm(kSub, d_one, d_2m54, 0, {d_one, d_one - 1, d_one - 1, d_one, d_one}, all(NX));
  check_rm(kSub, d_two, d_two, 0, {0, 0, d_m_zero, 0, 0}, all(0));
  check_rm(kSub, d_m_inf, d_m_inf, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
}

TEST_F(HartTest, FmulDivSqrtDoubleRounding) {
  const u32 kMul = 0x12c5f553, kDiv = 0x1ac5f553, kSqrt = 0x5a05f553;  // fmul.d fa0, fa1, fa2; fdiv.d fa0, fa1, fa2; fsqrt.d fa0, fa1
  check_rm(kMul, d_1p1ulp, d_1p5, 0, {d_1p5 + 2, d_1p5 + 1, d_1p5 + 1, d_1p5 + 2, d_1p5 + 2}, all(NX));
  check_rm(kMul, d_1p3ulp, d_1p5, 0, {d_1p5 + 4, d_1p5 + 4, d_1p5 + 4, d_1p5 + 5, d_1p5 + 5}, all(NX));
  const u64 m1p5 = d_1p5 | kMin64;
  check_rm(kMul, d_1p3ulp | kMin64, d_1p5, 0, {m1p5 + 4, m1p5 + 4, m1p5 + 5, m1p5 + 4, m1p5 + 5}, all(NX));
  check_rm(kMul, 1, d_half, 0, {0, 0, 0, 1, 1}, all(UF | NX));
  check_rm(kMul, kMin64 | 1, d_half, 0, {kMin64, kMin64, kMin64 | 1, kMin64, kMin64 | 1}, all(UF | NX));
  check_rm(kMul, d_max, d_two, 0, {d_inf, d_max, d_max, d_inf, d_inf}, all(OF | NX));
  check_rm(kMul, 0, d_m_inf, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
  const u64 third = 0x3fd5'5555'5555'5555;
  check_rm(kDiv, d_one, d_three, 0, {third, third, third, third + 1, third}, all(NX));
  check_rm(kDiv, d_m_one, d_three, 0, {third | kMin64, third | kMin64, (third + 1) | kMin64, third | kMin64, third | kMin64},
           all(NX));
  check_rm(kDiv, d_three, d_two, 0, {d_1p5, d_1p5, d_1p5, d_1p5, d_1p5}, all(0));
  check_rm(kDiv, d_m_one, 0, 0, {d_m_inf, d_m_inf, d_m_inf, d_m_inf, d_m_inf}, all(DZ));
  check_rm(kDiv, 0, d_m_zero, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
  check_rm(kDiv, d_inf, d_inf, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
  const u64 r2 = 0x3ff6'a09e'667f'3bcd; // sqrt(2) rounded to nearest (rounded up)
  check_rm(kSqrt, d_two, 0, 0, {r2, r2 - 1, r2 - 1, r2, r2}, all(NX));
  check_rm(kSqrt, 0x4010'0000'0000'0000, 0, 0, {d_two, d_two, d_two, d_two, d_two}, all(0));
  check_rm(kSqrt, d_m_one, 0, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
  check_rm(kSqrt, d_m_zero, 0, 0, {d_m_zero, d_m_zero, d_m_zero, d_m_zero, d_m_zero}, all(0));
  check_rm(kSqrt, d_snan, 0, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
}

TEST_F(HartTest, FusedMultiplyAddDouble) {
  const u32 madd = 0x6ac5f543, msub = 0x6ac5f547,  // fmadd.d fa0, fa1, fa2, fa3; fmsub.d fa0, fa1, fa2, fa3
            nmsub = 0x6ac5f54b, nmadd = 0x6ac5f54f;  // fnmsub.d fa0, fa1, fa2, fa3; fnmadd.d fa0, fa1, fa2, fa3
  // (1 + 2^-52)^2 - 1 = 2^-51 + 2^-104: a tie between 2^-51 (even) and its successor
  const u64 p = 0x3cc0'0000'0000'0000, n = p | kMin64;
  check_rm(madd, d_1p1ulp, d_1p1ulp, d_m_one, {p, p, p, p + 1, p + 1}, all(NX));
  check_rm(msub, d_1p1ulp, d_1p1ulp, d_one, {p, p, p, p + 1, p + 1}, all(NX));
  check_rm(nmsub, d_1p1ulp, d_1p1ulp, d_one, {n, n, n + 1, n, n + 1}, all(NX));
  check_rm(nmadd, d_1p1ulp, d_1p1ulp, d_m_one, {n, n, n + 1, n, n + 1}, all(NX));
  const u64 seven = 0x401c'0000'0000'0000, five = 0x4014'0000'0000'0000;
  check_rm(madd, d_two, d_three, d_one, {seven, seven, seven, seven, seven}, all(0));
  check_rm(msub, d_two, d_three, d_one, {five, five, five, five, five}, all(0));
  check_rm(nmsub, d_two, d_three, d_one, {five | kMin64, five | kMin64, five | kMin64, five | kMin64, five | kMin64},
           all(0));
  check_rm(nmadd, d_two, d_three, d_one,
           {seven | kMin64, seven | kMin64, seven | kMin64, seven | kMin64, seven | kMin64}, all(0));
  const Want pz = {0, 0, d_m_zero, 0, 0}, mz = {d_m_zero, d_m_zero, d_m_zero, d_m_zero, d_m_zero};
  check_rm(madd, d_one, 0, d_m_zero, pz, all(0));
  check_rm(madd, d_m_one, 0, d_m_zero, mz, all(0));
  check_rm(nmadd, d_one, 0, 0, mz, all(0));
  check_rm(nmsub, d_one, 0, 0, pz, all(0));
  check_rm(msub, d_one, d_one, d_one, pz, all(0));
  const Want nan = {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan};
  check_rm(madd, 0, d_inf, d_qnan, nan, all(NV));
  check_rm(msub, d_inf, d_one, d_inf, nan, all(NV));
  check_rm(nmsub, d_one, d_one, d_snan, nan, all(NV));
}

// =============================================================================================
// F and D: conversions
// =============================================================================================

TEST_F(HartTest, FcvtToIntegerRounding) {
  const u32 w_s = 0xc005f553, wu_s = 0xc015f553, l_s = 0xc025f553,  // fcvt.w.s a0, fa1; fcvt.wu.s a0, fa1; fcvt.l.s a0, fa1
            lu_s = 0xc035f553;  // fcvt.lu.s a0, fa1
  const u32 w_d = 0xc205f553, wu_d = 0xc215f553, l_d = 0xc225f553,  // fcvt.w.d a0, fa1; fcvt.wu.d a0, fa1; fcvt.l.d a0, fa1
            lu_d = 0xc235f553;  // fcvt.lu.d a0, fa1
  const Want up = {2, 2, 2, 3, 3};                               // 2.5
  const Want down = {neg(2), neg(2), neg(3), neg(2), neg(3)};    // -2.5
  for (u32 insn : {w_s, wu_s, l_s, lu_s}) check_rm(insn, b(s_2p5), 0, 0, up, all(NX));
  for (u32 insn : {w_d, wu_d, l_d, lu_d}) check_rm(insn, d_2p5, 0, 0, up, all(NX));
  for (u32 insn : {w_s, l_s}) check_rm(insn, b(s_m_2p5), 0, 0, down, all(NX));
  for (u32 insn : {w_d, l_d}) check_rm(insn, d_m_2p5, 0, 0, down, all(NX));
  check_rm(w_s, b(0x4060'0000), 0, 0, {4, 3, 3, 4, 4}, all(NX)); // 3.5: tie to even is 4
  check_rm(l_d, 0x400c'0000'0000'0000, 0, 0, {4, 3, 3, 4, 4}, all(NX));
  check_rm(w_d, 0x401c'0000'0000'0000, 0, 0, {7, 7, 7, 7, 7}, all(0)); // exact
  // -0.5 to unsigned: rounds to 0 (inexact) or to -1 (invalid, 0)
  const Flags half_flags = {NX, NX, NV, NX, NV};
  check_rm(wu_s, b(0xbf00'0000), 0, 0, {0, 0, 0, 0, 0}, half_flags);
  check_rm(lu_s, b(0xbf00'0000), 0, 0, {0, 0, 0, 0, 0}, half_flags);
  check_rm(wu_d, 0xbfe0'0000'0000'0000, 0, 0, {0, 0, 0, 0, 0}, half_flags);
  check_rm(lu_d, 0xbfe0'0000'0000'0000, 0, 0, {0, 0, 0, 0, 0}, half_flags);
  check_rm(wu_d, d_m_2p5, 0, 0, {0, 0, 0, 0, 0}, all(NV));
  // 2147483647.5 rounds to 2^31 (out of range) or to 2^31 - 1
  check_rm(w_d, 0x41df'ffff'ffe0'0000, 0, 0, {0x7fff'ffff, 0x7fff'ffff, 0x7fff'ffff, 0x7fff'ffff, 0x7fff'ffff},
           {NV, NX, NX, NV, NV});
  // -2147483648.5 rounds to -2^31 or to -2^31 - 1 (out of range)
  const u64 i32min = 0xffff'ffff'8000'0000ull;
  check_rm(w_d, 0xc1e0'0000'0010'0000, 0, 0, {i32min, i32min, i32min, i32min, i32min}, {NX, NX, NV, NX, NV});
}

struct CvtCase {
  u32 insn;
  u64 in, want;
  unsigned flags;
};

TEST_F(HartTest, FcvtToIntegerSaturates) {
  fp_on();
  const u64 i32max = 0x7fff'ffff, i32min = 0xffff'ffff'8000'0000ull;
  const u32 w_s = 0xc0059553, wu_s = 0xc0159553, l_s = 0xc0259553,  // fcvt.w.s a0, fa1, rtz; fcvt.wu.s a0, fa1, rtz; fcvt.l.s a0, fa1, rtz
            lu_s = 0xc0359553;  // fcvt.lu.s a0, fa1, rtz
  const u32 w_d = 0xc2059553, wu_d = 0xc2159553, l_d = 0xc2259553,  // fcvt.w.d a0, fa1, rtz; fcvt.wu.d a0, fa1, rtz; fcvt.l.d a0, fa1, rtz
            lu_d = 0xc2359553;  // fcvt.lu.d a0, fa1, rtz
  const CvtCase cases[] = {
      // fcvt.w.s
      {w_s, b(s_qnan), i32max, NV}, {w_s, b(s_snan), i32max, NV}, {w_s, b(s_inf), i32max, NV},
      {w_s, b(s_m_inf), i32min, NV}, {w_s, b(0x4f00'0000), i32max, NV},          // 2^31
      {w_s, b(0xcf00'0000), i32min, 0},                                           // -2^31
      {w_s, b(0xcf00'0001), i32min, NV},                                          // -2^31 - 256
      {w_s, b(0x4eff'ffff), 0x7fff'ff80, 0}, {w_s, b(s_m_zero), 0, 0},
      {w_s, 0x0000'0000'3f80'0000ull, i32max, NV},                                // not NaN-boxed
      // fcvt.wu.s: results are sign-extended too
      {wu_s, b(s_qnan), kAll, NV}, {wu_s, b(s_inf), kAll, NV}, {wu_s, b(s_m_inf), 0, NV},
      {wu_s, b(0x4f80'0000), kAll, NV},                                           // 2^32
      {wu_s, b(0x4f7f'ffff), 0xffff'ffff'ffff'ff00ull, 0},                        // 2^32 - 256
      {wu_s, b(0x4f00'0000), 0xffff'ffff'8000'0000ull, 0},                        // 2^31
      {wu_s, b(0x4f32'd05e), 0xffff'ffff'b2d0'5e00ull, 0},                        // 3e9
      {wu_s, b(s_m_one), 0, NV},
      // fcvt.l.s
      {l_s, b(s_qnan), kMax64, NV}, {l_s, b(s_inf), kMax64, NV}, {l_s, b(s_m_inf), kMin64, NV},
      {l_s, b(0x5f00'0000), kMax64, NV},                                          // 2^63
      {l_s, b(0xdf00'0000), kMin64, 0},                                           // -2^63
      {l_s, b(0xdf00'0001), kMin64, NV},
      {l_s, b(0x5eff'ffff), 0x7fff'ff80'0000'0000ull, 0},
      {l_s, b(0x4f32'd05e), 3'000'000'000ull, 0},
      // fcvt.lu.s
      {lu_s, b(s_qnan), kAll, NV}, {lu_s, b(s_inf), kAll, NV}, {lu_s, b(s_m_inf), 0, NV},
      {lu_s, b(0x5f80'0000), kAll, NV},                                           // 2^64
      {lu_s, b(0x5f7f'ffff), 0xffff'ff00'0000'0000ull, 0},
      {lu_s, b(0x5f00'0000), kMin64, 0}, {lu_s, b(s_m_one), 0, NV},
      // fcvt.w.d
      {w_d, d_qnan, i32max, NV}, {w_d, d_snan, i32max, NV}, {w_d, d_inf, i32max, NV},
      {w_d, d_m_inf, i32min, NV}, {w_d, 0x41e0'0000'0000'0000, i32max, NV},       // 2^31
      {w_d, 0xc1e0'0000'0000'0000, i32min, 0},                                    // -2^31
      {w_d, 0x41df'ffff'ffc0'0000, i32max, 0},                                    // 2^31 - 1
      {w_d, 0xc1e6'5a0b'c000'0000, i32min, NV},                                   // -3e9
      // fcvt.wu.d
      {wu_d, d_qnan, kAll, NV}, {wu_d, d_inf, kAll, NV}, {wu_d, d_m_inf, 0, NV},
      {wu_d, 0x41f0'0000'0000'0000, kAll, NV},                                    // 2^32
      {wu_d, 0x41ef'ffff'ffe0'0000, kAll, 0},                                     // 2^32 - 1, sign-extended
      {wu_d, 0x41e6'5a0b'c000'0000, 0xffff'ffff'b2d0'5e00ull, 0},                 // 3e9
      {wu_d, d_m_one, 0, NV}, {wu_d, d_m_zero, 0, 0},
      // fcvt.l.d
      {l_d, d_qnan, kMax64, NV}, {l_d, d_inf, kMax64, NV}, {l_d, d_m_inf, kMin64, NV},
      {l_d, 0x43e0'0000'0000'0000, kMax64, NV},                                   // 2^63
      {l_d, 0xc3e0'0000'0000'0000, kMin64, 0},                                    // -2^63
      {l_d, 0xc3e0'0000'0000'0001, kMin64, NV},
      {l_d, 0x43df'ffff'ffff'ffff, 0x7fff'ffff'ffff'fc00ull, 0},
      // fcvt.lu.d
      {lu_d, d_qnan, kAll, NV}, {lu_d, d_inf, kAll, NV}, {lu_d, d_m_inf, 0, NV},
      {lu_d, 0x43f0'0000'0000'0000, kAll, NV},                                    // 2^64
      {lu_d, 0x43ef'ffff'ffff'ffff, 0xffff'ffff'ffff'f800ull, 0},
      {lu_d, 0x43e0'0000'0000'0000, kMin64, 0}, {lu_d, d_m_one, 0, NV},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << c.insn << " input 0x" << c.in);
    EXPECT_EQ(fx(c.insn, c.in), c.want);
    EXPECT_EQ(fflags(), c.flags);
  }
}

TEST_F(HartTest, FcvtFromIntegerRounding) {
  const u32 s_w = 0xd005f553, s_wu = 0xd015f553, s_l = 0xd025f553,  // fcvt.s.w fa0, a1; fcvt.s.wu fa0, a1; fcvt.s.l fa0, a1
            s_lu = 0xd035f553;  // fcvt.s.lu fa0, a1
  const u32 d_w = 0xd2058553, d_wu = 0xd2158553, d_l = 0xd225f553,  // fcvt.d.w fa0, a1; fcvt.d.wu fa0, a1; fcvt.d.l fa0, a1
            d_lu = 0xd235f553;  // fcvt.d.lu fa0, a1
  // 2^24 + 1 is a tie between 2^24 (even) and 2^24 + 2
  const auto tie = boxed({0x4b80'0000, 0x4b80'0000, 0x4b80'0000, 0x4b80'0001, 0x4b80'0001});
  const auto mtie = boxed({0xcb80'0000, 0xcb80'0000, 0xcb80'0001, 0xcb80'0000, 0xcb80'0001});
  for (u32 insn : {s_w, s_wu, s_l, s_lu}) check_rm(insn, 0x100'0001, 0, 0, tie, all(NX));
  for (u32 insn : {s_w, s_l}) check_rm(insn, neg(0x100'0001), 0, 0, mtie, all(NX));
  // the W forms read only the low 32 bits
  check_rm(s_w, 0xdead'beef'0000'0001ull, 0, 0, boxed({s_one, s_one, s_one, s_one, s_one}), all(0));
  check_rm(s_w, 0x7fff'ffff, 0, 0, boxed({0x4f00'0000, 0x4eff'ffff, 0x4eff'ffff, 0x4f00'0000, 0x4f00'0000}), all(NX));
  check_rm(s_w, 0, 0, 0, boxed({0, 0, 0, 0, 0}), all(0)); // +0 in every mode
  const auto u32max = boxed({0x4f80'0000, 0x4f7f'ffff, 0x4f7f'ffff, 0x4f80'0000, 0x4f80'0000});
  check_rm(s_wu, 0xffff'ffff, 0, 0, u32max, all(NX));
  check_rm(s_wu, 0x1234'5678'ffff'ffffull, 0, 0, u32max, all(NX));
  check_rm(s_l, kMax64, 0, 0, boxed({0x5f00'0000, 0x5eff'ffff, 0x5eff'ffff, 0x5f00'0000, 0x5f00'0000}), all(NX));
  check_rm(s_l, kMin64, 0, 0, boxed({0xdf00'0000, 0xdf00'0000, 0xdf00'0000, 0xdf00'0000, 0xdf00'0000}), all(0));
  check_rm(s_lu, kAll, 0, 0, boxed({0x5f80'0000, 0x5f7f'ffff, 0x5f7f'ffff, 0x5f80'0000, 0x5f80'0000}), all(NX));
  check_rm(s_lu, kMin64, 0, 0, boxed({0x5f00'0000, 0x5f00'0000, 0x5f00'0000, 0x5f00'0000, 0x5f00'0000}), all(0));
  // to double: W forms are exact in every mode
  const u64 m1 = d_m_one, i32m = 0xc1e0'0000'0000'0000;
  check_rm(d_w, kAll, 0, 0, {m1, m1, m1, m1, m1}, all(0));
  check_rm(d_w, 0x1234'5678'8000'0000ull, 0, 0, {i32m, i32m, i32m, i32m, i32m}, all(0));
  const u64 u32m = 0x41ef'ffff'ffe0'0000;
  check_rm(d_wu, 0xffff'ffff, 0, 0, {u32m, u32m, u32m, u32m, u32m}, all(0));
  check_rm(d_wu, 0xffff'ffff'8000'0000ull, 0, 0, {0x41e0'0000'0000'0000, 0x41e0'0000'0000'0000,
                                                  0x41e0'0000'0000'0000, 0x41e0'0000'0000'0000,
                                                  0x41e0'0000'0000'0000}, all(0));
  // 2^53 + 1 and 2^53 + 3 are ties
  const u64 p53 = 0x4340'0000'0000'0000, m53 = p53 | kMin64;
  check_rm(d_l, 0x20'0000'0000'0001, 0, 0, {p53, p53, p53, p53 + 1, p53 + 1}, all(NX));
  check_rm(d_l, neg(0x20'0000'0000'0001), 0, 0, {m53, m53, m53 + 1, m53, m53 + 1}, all(NX));
  check_rm(d_lu, 0x20'0000'0000'0003, 0, 0, {p53 + 2, p53 + 1, p53 + 1, p53 + 2, p53 + 2}, all(NX));
  check_rm(d_l, kMin64, 0, 0, {0xc3e0'0000'0000'0000, 0xc3e0'0000'0000'0000, 0xc3e0'0000'0000'0000,
                               0xc3e0'0000'0000'0000, 0xc3e0'0000'0000'0000}, all(0));
  const u64 p64 = 0x43f0'0000'0000'0000;
  check_rm(d_lu, kAll, 0, 0, {p64, p64 - 1, p64 - 1, p64, p64}, all(NX));
}

TEST_F(HartTest, FcvtBetweenFormats) {
  const u32 s_d = 0x4015f553, d_s = 0x42058553;  // fcvt.s.d fa0, fa1; fcvt.d.s fa0, fa1
  // 1 + 2^-24 is a tie in single precision
  check_rm(s_d, 0x3ff0'0000'1000'0000, 0, 0, boxed({s_one, s_one, s_one, 0x3f80'0001, 0x3f80'0001}), all(NX));
  check_rm(s_d, 0xbff0'0000'1000'0000, 0, 0, boxed({s_m_one, s_m_one, 0xbf80'0001, s_m_one, 0xbf80'0001}),
           all(NX));
  check_rm(s_d, 0x3ff0'0000'1000'0001, 0, 0, boxed({0x3f80'0001, s_one, s_one, 0x3f80'0001, 0x3f80'0001}),
           all(NX)); // just above the tie
  // (1 - 2^-25) * 2^-126: rounds to 2^-126 (not tiny after rounding) or to the largest subnormal
  check_rm(s_d, 0x380f'ffff'f000'0000, 0, 0, boxed({s_min_norm, 0x007f'ffff, 0x007f'ffff, s_min_norm, s_min_norm}),
           {NX, UF | NX, UF | NX, NX, NX});
  check_rm(s_d, 0x3690'0000'0000'0000, 0, 0, boxed({0, 0, 0, s_min_sub, s_min_sub}), all(UF | NX)); // 2^-150
  check_rm(s_d, d_max, 0, 0, boxed({s_inf, s_max, s_max, s_inf, s_inf}), all(OF | NX));
  check_rm(s_d, d_max | kMin64, 0, 0, boxed({s_m_inf, 0xff7f'ffff, s_m_inf, 0xff7f'ffff, s_m_inf}), all(OF | NX));
  const auto nan = boxed({s_qnan, s_qnan, s_qnan, s_qnan, s_qnan});
  check_rm(s_d, d_snan, 0, 0, nan, all(NV));
  check_rm(s_d, 0x7ff8'0000'0000'0123, 0, 0, nan, all(0)); // payload dropped: canonical NaN
  check_rm(s_d, d_m_inf, 0, 0, boxed({s_m_inf, s_m_inf, s_m_inf, s_m_inf, s_m_inf}), all(0));
  check_rm(s_d, d_m_zero, 0, 0, boxed({s_m_zero, s_m_zero, s_m_zero, s_m_zero, s_m_zero}), all(0));
  // fcvt.d.s is exact
  const u64 x = 0x3ff0'0000'2000'0000;
  check_rm(d_s, b(s_1p1ulp), 0, 0, {x, x, x, x, x}, all(0));
  const u64 sub = 0x36a0'0000'0000'0000; // 2^-149
  check_rm(d_s, b(s_min_sub), 0, 0, {sub, sub, sub, sub, sub}, all(0));
  check_rm(d_s, b(s_snan), 0, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(NV));
  check_rm(d_s, b(0xffc0'1234), 0, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(0));
  check_rm(d_s, 0x0000'0000'3f80'0000, 0, 0, {d_qnan, d_qnan, d_qnan, d_qnan, d_qnan}, all(0)); // not boxed
  check_rm(d_s, b(s_m_inf), 0, 0, {d_m_inf, d_m_inf, d_m_inf, d_m_inf, d_m_inf}, all(0));
  check_rm(d_s, b(s_max), 0, 0, {0x47ef'ffff'e000'0000, 0x47ef'ffff'e000'0000, 0x47ef'ffff'e000'0000,
                                0x47ef'ffff'e000'0000, 0x47ef'ffff'e000'0000}, all(0));
}

// =============================================================================================
// F and D: NaN boxing, loads/stores, moves, sign injection, min/max, compares, classify
// =============================================================================================

TEST_F(HartTest, NanBoxing) {
  fp_on();
  // an f32 operand whose upper 32 bits are not all ones reads as the canonical NaN
  EXPECT_EQ(fop(0x00c5f553, 0x0000'0000'3f80'0000ull, b(s_one)), b(s_qnan));  // fadd.s fa0, fa1, fa2
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(fop(0x00c5f553, b(s_one), 0xffff'fffe'3f80'0000ull), b(s_qnan));  // fadd.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x10c5f553, b(s_two), b(s_three)), b(0x40c0'0000));  // fmul.s fa0, fa1, fa2: properly boxed: 6
  EXPECT_EQ(fop(0x5805f553, 0x3f80'0000), b(s_qnan));  // fsqrt.s fa0, fa1
  EXPECT_EQ(fop(0x68c5f543, b(s_one), b(s_one), 0x4000'0000), b(s_qnan));  // fmadd.s fa0, fa1, fa2, fa3
  EXPECT_EQ(fop(0x20c58553, 0x4000'0000, b(s_m_one)), b(0xffc0'0000));  // fsgnj.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x28c58553, 0x3f80'0000, b(s_two)), b(s_two));  // fmin.s fa0, fa1, fa2
  EXPECT_EQ(fx(0xe0059553, 0x7f80'0001), 1u << 9);  // fclass.s a0, fa1: the canonical (quiet) NaN
  EXPECT_EQ(fx(0xa0c5a553, s_one, b(s_one)), 0u);  // feq.s a0, fa1, fa2
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(fx(0xc005f553, s_one), 0x7fff'ffffu);  // fcvt.w.s a0, fa1
  EXPECT_EQ(fflags(), NV);
  EXPECT_EQ(fop(0x02c5f553, d_one, d_one), d_two);  // fadd.d fa0, fa1, fa2
  // results of single-precision operations are boxed
  EXPECT_EQ(xf(0xd005f553, 1), b(s_one));  // fcvt.s.w fa0, a1
  EXPECT_EQ(fop(0x4015f553, d_one), b(s_one));  // fcvt.s.d fa0, fa1
  // flw and fmv.w.x box; fmv.x.w sign-extends the raw low 32 bits without checking the box
  set_mem(kData, 0x1234'5678'3f80'0000ull);
  s.x[a1] = kData;
  exec(0x0005a507);  // flw fa0, 0(a1)
  EXPECT_EQ(s.f[fa0], b(s_one));
  exec(0x0045a507);  // flw fa0, 4(a1)
  EXPECT_EQ(s.f[fa0], b(0x1234'5678));
  EXPECT_EQ(xf(0xf0058553, 0x1234'5678'9abc'def0ull), b(0x9abc'def0));  // fmv.w.x fa0, a1
  EXPECT_EQ(fx(0xe0058553, 0x0000'0000'8000'0000ull), 0xffff'ffff'8000'0000ull);  // fmv.x.w a0, fa1
  EXPECT_EQ(fx(0xe0058553, b(0x7fff'ffff)), 0x7fff'ffffu);  // fmv.x.w a0, fa1
  EXPECT_EQ(fx(0xe0058553, 0x1234'5678'fff0'0000ull), 0xffff'ffff'fff0'0000ull);  // fmv.x.w a0, fa1
  // fsw stores the low 32 bits as they are
  set_mem(kData, 0);
  s.x[a1] = kData;
  s.f[fa1] = 0x1234'5678'89ab'cdefull;
  exec(0x00b5a027);  // fsw fa1, 0(a1)
  EXPECT_EQ(mem(kData), 0x89ab'cdefu);
}

TEST_F(HartTest, FpLoadsAndStores) {
  fp_on();
  set_mem(kData, 0x4009'21fb'5444'2d18ull); // pi
  set_mem(kData + 8, 0x0011'2233'4455'6677ull);
  set_mem(kData + 16, 0xaa);
  s.x[a1] = kData + 8;
  exec(0xff85b507);  // fld fa0, -8(a1)
  EXPECT_EQ(s.f[fa0], 0x4009'21fb'5444'2d18ull);
  exec(0xffc5a507);  // flw fa0, -4(a1)
  EXPECT_EQ(s.f[fa0], b(0x4009'21fb));
  exec(0x0015b507);  // fld fa0, 1(a1): misaligned
  EXPECT_EQ(s.f[fa0], 0xaa00'1122'3344'5566ull);
  exec(0x0025a507);  // flw fa0, 2(a1)
  EXPECT_EQ(s.f[fa0], b(0x2233'4455));
  s.f[fa1] = 0x0102'0304'0506'0708ull;
  exec(0xfeb5bc27);  // fsd fa1, -8(a1)
  EXPECT_EQ(mem(kData), 0x0102'0304'0506'0708ull);
  exec(0x7eb5bfa7);  // fsd fa1, 2047(a1)
  EXPECT_EQ(mem(kData + 8 + 2047), 0x0102'0304'0506'0708ull);
  s.f[fa1] = b(0xdead'beef);
  exec(0x00b5a227);  // fsw fa1, 4(a1)
  EXPECT_EQ(mem(kData + 8), 0xdead'beef'4455'6677ull);
  exec(0x00b5a0a7);  // fsw fa1, 1(a1): misaligned
  EXPECT_EQ(mem(kData + 8), 0xdead'bede'adbe'ef77ull);
}

TEST_F(HartTest, FpMovesAreRaw) {
  fp_on();
  EXPECT_EQ(xf(0xf2058553, d_snan), d_snan);  // fmv.d.x fa0, a1
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(fx(0xe2058553, 0x7ff0'0000'0000'1234ull), 0x7ff0'0000'0000'1234ull);  // fmv.x.d a0, fa1
  EXPECT_EQ(fx(0xe2058553, b(s_one)), b(s_one));  // fmv.x.d a0, fa1
  EXPECT_EQ(xf(0xf0058553, s_snan), b(s_snan));  // fmv.w.x fa0, a1
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(fx(0xe0058553, b(s_snan)), s_snan);  // fmv.x.w a0, fa1
}

TEST_F(HartTest, SignInjection) {
  fp_on();
  const u32 m_two = 0xc000'0000;
  EXPECT_EQ(fop(0x20c58553, b(s_one), b(m_two)), b(s_m_one));  // fsgnj.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x20c58553, b(s_m_one), b(s_two)), b(s_one));  // fsgnj.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x20c59553, b(s_one), b(m_two)), b(s_one));  // fsgnjn.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x20c59553, b(s_one), b(s_two)), b(s_m_one));  // fsgnjn.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x20c5a553, b(s_m_one), b(m_two)), b(s_one));  // fsgnjx.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x20c5a553, b(s_m_one), b(s_two)), b(s_m_one));  // fsgnjx.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x20c5a553, b(s_one), b(m_two)), b(s_m_one));  // fsgnjx.s fa0, fa1, fa2
  // NaNs keep their payload and raise nothing
  EXPECT_EQ(fop(0x20c59553, b(s_snan), b(s_snan)), b(0xff80'0001));  // fsgnjn.s fa0, fa1, fa2
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(fop(0x20b58553, b(0x7fc0'1234)), b(0x7fc0'1234));  // fsgnj.s fa0, fa1, fa1: fmv.s
  EXPECT_EQ(fop(0x20b59553, b(s_inf)), b(s_m_inf));  // fsgnjn.s fa0, fa1, fa1: fneg.s
  EXPECT_EQ(fop(0x20b5a553, b(s_m_inf)), b(s_inf));  // fsgnjx.s fa0, fa1, fa1: fabs.s
  const u64 m_two_d = 0xc000'0000'0000'0000;
  EXPECT_EQ(fop(0x22c58553, d_one, m_two_d), d_m_one);  // fsgnj.d fa0, fa1, fa2
  EXPECT_EQ(fop(0x22c58553, d_m_one, d_two), d_one);  // fsgnj.d fa0, fa1, fa2
  EXPECT_EQ(fop(0x22c59553, d_one, m_two_d), d_one);  // fsgnjn.d fa0, fa1, fa2
  EXPECT_EQ(fop(0x22c59553, d_one, d_two), d_m_one);  // fsgnjn.d fa0, fa1, fa2
  EXPECT_EQ(fop(0x22c5a553, d_m_one, m_two_d), d_one);  // fsgnjx.d fa0, fa1, fa2
  EXPECT_EQ(fop(0x22c5a553, d_m_one, d_two), d_m_one);  // fsgnjx.d fa0, fa1, fa2
  EXPECT_EQ(fop(0x22c5a553, d_qnan, m_two_d), 0xfff8'0000'0000'0000ull);  // fsgnjx.d fa0, fa1, fa2
  EXPECT_EQ(fop(0x22c59553, d_snan, d_snan), d_snan | kMin64);  // fsgnjn.d fa0, fa1, fa2
  EXPECT_EQ(fflags(), 0u);
}

struct FpCase {
  u32 insn;
  u64 x, y, want;
  unsigned flags;
};

TEST_F(HartTest, MinMax) {
  fp_on();
  const u32 mins = 0x28c58553, maxs = 0x28c59553;  // fmin.s fa0, fa1, fa2; fmax.s fa0, fa1, fa2
  const u32 mind = 0x2ac58553, maxd = 0x2ac59553;  // fmin.d fa0, fa1, fa2; fmax.d fa0, fa1, fa2
  const FpCase cases[] = {
      {mins, b(s_m_zero), b(0), b(s_m_zero), 0}, {mins, b(0), b(s_m_zero), b(s_m_zero), 0},
      {maxs, b(s_m_zero), b(0), b(0), 0},        {maxs, b(0), b(s_m_zero), b(0), 0},
      {mins, b(s_one), b(s_two), b(s_one), 0},   {maxs, b(s_m_one), b(0xc000'0000), b(s_m_one), 0},
      {mins, b(s_qnan), b(s_one), b(s_one), 0},  {mins, b(s_one), b(s_qnan), b(s_one), 0},
      {maxs, b(s_snan), b(s_one), b(s_one), NV}, {mins, b(s_one), b(s_snan), b(s_one), NV},
      {maxs, b(s_snan), b(s_qnan), b(s_qnan), NV},
      {mins, b(0x7fc0'1234), b(0xffc0'0001), b(s_qnan), 0}, // two NaNs: the canonical NaN
      {mins, b(s_m_inf), b(s_max), b(s_m_inf), 0}, {maxs, b(s_inf), b(s_max), b(s_inf), 0},
      {mind, d_m_zero, 0, d_m_zero, 0},          {mind, 0, d_m_zero, d_m_zero, 0},
      {maxd, d_m_zero, 0, 0, 0},                 {maxd, 0, d_m_zero, 0, 0},
      {mind, d_one, d_two, d_one, 0},            {maxd, d_m_one, 0xc000'0000'0000'0000, d_m_one, 0},
      {mind, d_qnan, d_one, d_one, 0},           {maxd, d_one, d_qnan, d_one, 0},
      {mind, d_snan, d_one, d_one, NV},          {maxd, d_one, d_snan, d_one, NV},
      {mind, d_snan, d_snan, d_qnan, NV},        {maxd, 0x7ff8'0000'0000'0001ull, d_qnan, d_qnan, 0},
      {maxd, d_m_inf, d_max | kMin64, d_max | kMin64, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << c.insn << " 0x" << c.x << ", 0x" << c.y);
    EXPECT_EQ(fop(c.insn, c.x, c.y), c.want);
    EXPECT_EQ(fflags(), c.flags);
  }
}

TEST_F(HartTest, Compares) {
  fp_on();
  const u32 feqs = 0xa0c5a553, flts = 0xa0c59553, fles = 0xa0c58553;  // feq.s a0, fa1, fa2; flt.s a0, fa1, fa2; fle.s a0, fa1, fa2
  const u32 feqd = 0xa2c5a553, fltd = 0xa2c59553, fled = 0xa2c58553;  // feq.d a0, fa1, fa2; flt.d a0, fa1, fa2; fle.d a0, fa1, fa2
  const u32 s_m_two = 0xc000'0000;
  const u64 d_m_two = 0xc000'0000'0000'0000;
  const FpCase cases[] = {
      // feq is quiet: only a signaling NaN raises NV
      {feqs, b(s_one), b(s_one), 1, 0},   {feqs, b(s_m_zero), b(0), 1, 0},   {feqs, b(s_one), b(s_two), 0, 0},
      {feqs, b(s_qnan), b(s_qnan), 0, 0}, {feqs, b(s_snan), b(s_one), 0, NV}, {feqs, b(s_one), b(s_snan), 0, NV},
      // flt and fle are signaling: any NaN raises NV
      {flts, b(s_one), b(s_two), 1, 0},   {flts, b(s_two), b(s_one), 0, 0},   {flts, b(s_one), b(s_one), 0, 0},
      {flts, b(s_m_zero), b(0), 0, 0},    {flts, b(s_m_inf), b(s_inf), 1, 0}, {flts, b(s_m_two), b(s_m_one), 1, 0},
      {flts, b(s_qnan), b(s_one), 0, NV}, {flts, b(s_one), b(s_snan), 0, NV},
      {fles, b(s_one), b(s_one), 1, 0},   {fles, b(s_m_zero), b(0), 1, 0},   {fles, b(0), b(s_m_zero), 1, 0},
      {fles, b(s_two), b(s_one), 0, 0},   {fles, b(s_m_two), b(s_m_one), 1, 0},
      {fles, b(s_one), b(s_qnan), 0, NV}, {fles, b(s_snan), b(s_snan), 0, NV},
      {feqd, d_one, d_one, 1, 0},         {feqd, 0, d_m_zero, 1, 0},         {feqd, d_one, d_two, 0, 0},
      {feqd, d_qnan, d_one, 0, 0},        {feqd, d_one, d_snan, 0, NV},
      {fltd, d_one, d_two, 1, 0},         {fltd, d_two, d_one, 0, 0},         {fltd, 0, d_m_zero, 0, 0},
      {fltd, d_m_two, d_m_one, 1, 0},     {fltd, d_m_inf, d_m_two, 1, 0},     {fltd, d_qnan, d_one, 0, NV},
      {fled, d_one, d_one, 1, 0},         {fled, d_m_zero, 0, 1, 0},          {fled, d_two, d_one, 0, 0},
      {fled, d_m_two, d_m_one, 1, 0},     {fled, d_one, d_qnan, 0, NV},       {fled, d_snan, d_one, 0, NV},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << c.insn << " 0x" << c.x << ", 0x" << c.y);
    s.x[a0] = 0x55;
    EXPECT_EQ(fx(c.insn, c.x, c.y), c.want);
    EXPECT_EQ(fflags(), c.flags);
  }
}

TEST_F(HartTest, Classify) {
  fp_on();
  const u32 cs = 0xe0059553, cd = 0xe2059553;  // fclass.s a0, fa1; fclass.d a0, fa1
  const u32 singles[] = {s_m_inf, s_m_one, 0x8000'0001, s_m_zero, 0, 0x0000'0001, s_one, s_inf, s_snan, s_qnan};
  const u64 doubles[] = {d_m_inf, d_m_one, kMin64 | 1, d_m_zero, 0, 1, d_one, d_inf, d_snan, d_qnan};
  for (unsigned k = 0; k < 10; ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(fx(cs, b(singles[k])), 1u << k);
    EXPECT_EQ(fx(cd, doubles[k]), 1u << k);
    EXPECT_EQ(fflags(), 0u);
  }
  EXPECT_EQ(fx(cs, b(0x807f'ffff)), 1u << 2); // largest negative subnormal
  EXPECT_EQ(fx(cs, b(0x0080'0000)), 1u << 6); // smallest positive normal
  EXPECT_EQ(fx(cs, b(0x7fbf'ffff)), 1u << 8); // signaling NaN with a full payload
  EXPECT_EQ(fx(cs, b(0xffc0'0000)), 1u << 9); // negative quiet NaN
  EXPECT_EQ(fx(cd, 0x000f'ffff'ffff'ffffull), 1u << 5);
  EXPECT_EQ(fx(cd, 0xfff0'0000'0000'0001ull), 1u << 8);
}

// =============================================================================================
// F and D: FS, rounding-mode legality, fcsr
// =============================================================================================

TEST_F(HartTest, FpInstructionsAreIllegalWithFsOff) {
  ASSERT_EQ(fs(), 0u); // off after reset
  const u32 insns[] = {
      0x00c5f553,  // fadd.s fa0, fa1, fa2
      0x02c5f553,  // fadd.d fa0, fa1, fa2
      0x0005a507,  // flw fa0, 0(a1)
      0x0005b507,  // fld fa0, 0(a1)
      0x00b5a027,  // fsw fa1, 0(a1)
      0x00b5b027,  // fsd fa1, 0(a1)
      0x6ac5f543,  // fmadd.d fa0, fa1, fa2, fa3
      0x68c5f54b,  // fnmsub.s fa0, fa1, fa2, fa3
      0xe0058553,  // fmv.x.w a0, fa1
      0xf0058553,  // fmv.w.x fa0, a1
      0xe2058553,  // fmv.x.d a0, fa1
      0xf2058553,  // fmv.d.x fa0, a1
      0xe0059553,  // fclass.s a0, fa1
      0xa2c5a553,  // feq.d a0, fa1, fa2
      0x22c58553,  // fsgnj.d fa0, fa1, fa2
      0x28c58553,  // fmin.s fa0, fa1, fa2
      0xc005f553,  // fcvt.w.s a0, fa1
      0xd005f553,  // fcvt.s.w fa0, a1
      0x4015f553,  // fcvt.s.d fa0, fa1
      0x5a05f553,  // fsqrt.d fa0, fa1
      0x00302573,  // csrrs a0, fcsr, zero
      0x00259073,  // csrrw zero, frm, a1
      0x00102573,  // csrrs a0, fflags, zero
  };
  set_mem(kData, 0x1111'2222'3333'4444ull);
  for (u32 insn : insns) {
    SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << insn);
    s.f[fa0] = 0x1234;
    s.x[a0] = 0x5678;
    s.x[a1] = kData;
    EXPECT_TRUE(illegal(insn));
    EXPECT_EQ(s.f[fa0], 0x1234u);
    EXPECT_EQ(s.x[a0], 0x5678u);
    EXPECT_EQ(mem(kData), 0x1111'2222'3333'4444ull);
  }
  const u16 compressed[] = {
      0x2588,  // c.fld fa0, 8(a1)
      0xa588,  // c.fsd fa0, 8(a1)
      0x2522,  // c.fldsp fa0, 8(sp)
      0xa42a,  // c.fsdsp fa0, 8(sp)
  };
  for (u16 insn : compressed) EXPECT_TRUE(illegal16(insn)) << std::hex << insn;
  EXPECT_EQ(fs(), 0u);
}

TEST_F(HartTest, FpWritesMakeFsDirty) {
  fp_on();
  EXPECT_EQ(fs(), 1u);
  fop(0x00c5f553, b(s_one), b(s_one));  // fadd.s fa0, fa1, fa2
  EXPECT_EQ(fs(), 3u);
  exec(0x30002573);  // csrrs a0, mstatus, zero
  EXPECT_EQ(s.x[a0] >> 63, 1u); // SD
  EXPECT_EQ((s.x[a0] >> 13) & 3, 3u);
  fp_on();
  xf(0xf0058553, 5);  // fmv.w.x fa0, a1
  EXPECT_EQ(fs(), 3u);
  fp_on();
  s.x[a1] = kData;
  exec(0x0005b507);  // fld fa0, 0(a1)
  EXPECT_EQ(fs(), 3u);
  fp_on();
  xf(0xd2058553, 5);  // fcvt.d.w fa0, a1
  EXPECT_EQ(fs(), 3u);
  fp_on();
  exec(0x0010d073);  // csrrwi zero, fflags, 1
  EXPECT_EQ(fs(), 3u);
  s.mstatus = (s.mstatus & ~(3ull << 13)) | (2ull << 13); // Clean
  fop(0x22c58553, d_one, d_one);  // fsgnj.d fa0, fa1, fa2
  EXPECT_EQ(fs(), 3u);
}

TEST_F(HartTest, ReservedRoundingModesAreIllegal) {
  fp_on();
  const u32 insns[] = {
      0x00c5f553,  // fadd.s fa0, fa1, fa2
      0x0ac5f553,  // fsub.d fa0, fa1, fa2
      0x10c5f553,  // fmul.s fa0, fa1, fa2
      0x1ac5f553,  // fdiv.d fa0, fa1, fa2
      0x5805f553,  // fsqrt.s fa0, fa1
      0x6ac5f543,  // fmadd.d fa0, fa1, fa2, fa3
      0x68c5f547,  // fmsub.s fa0, fa1, fa2, fa3
      0x68c5f54f,  // fnmadd.s fa0, fa1, fa2, fa3
      0x6ac5f54b,  // fnmsub.d fa0, fa1, fa2, fa3
      0xc005f553,  // fcvt.w.s a0, fa1
      0xc235f553,  // fcvt.lu.d a0, fa1
      0xd025f553,  // fcvt.s.l fa0, a1
      0xd2158553,  // fcvt.d.wu fa0, a1
      0x4015f553,  // fcvt.s.d fa0, fa1
      0x42058553,  // fcvt.d.s fa0, fa1
  };
  s.f[fa1] = b(s_one);
  s.f[fa2] = b(s_one);
  s.f[fa3] = b(s_one);
  for (u32 insn : insns) {
    for (unsigned rm : {5u, 6u}) {
      const u32 w = with_rm(insn, rm);
      SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << w);
      s.fcsr = 0;
      s.f[fa0] = 0x1234;
      s.x[a0] = 0x5678;
      EXPECT_TRUE(illegal(w));
      EXPECT_EQ(s.f[fa0], 0x1234u);
      EXPECT_EQ(s.x[a0], 0x5678u);
    }
    for (unsigned frm : {5u, 6u, 7u}) { // rm = dyn with an invalid frm
      const u32 w = with_rm(insn, 7);
      SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << w << " frm " << frm);
      s.fcsr = frm << 5;
      s.f[fa0] = 0x1234;
      EXPECT_TRUE(illegal(w));
      EXPECT_EQ(s.f[fa0], 0x1234u);
      EXPECT_EQ(s.fcsr, frm << 5);
    }
  }
  // instructions without a rounding mode do not look at frm
  s.fcsr = 5u << 5;
  EXPECT_EQ(fop(0x20c58553, b(s_one), b(s_m_one)), b(s_m_one));  // fsgnj.s fa0, fa1, fa2
  EXPECT_EQ(fop(0x2ac58553, d_one, d_two), d_one);  // fmin.d fa0, fa1, fa2
  EXPECT_EQ(fx(0xa0c5a553, b(s_one), b(s_one)), 1u);  // feq.s a0, fa1, fa2
  EXPECT_EQ(fx(0xe2059553, d_one), 1u << 6);  // fclass.d a0, fa1
  EXPECT_EQ(fx(0xe2058553, d_one), d_one);  // fmv.x.d a0, fa1
  // and a valid frm with rm = dyn works
  s.fcsr = 1u << 5;
  EXPECT_EQ(fop(0x18c5f553, b(s_one), b(s_three)), b(0x3eaa'aaaa));  // fdiv.s fa0, fa1, fa2
}

TEST_F(HartTest, FcsrFrmFflagsCsrs) {
  fp_on();
  s.fcsr = 0;
  exec(0x0021d573);  // csrrwi a0, frm, 3
  EXPECT_EQ(s.x[a0], 0u);
  EXPECT_EQ(s.fcsr, 0x60u);
  exec(0x0018e573);  // csrrsi a0, fflags, 0x11
  EXPECT_EQ(s.x[a0], 0u);
  EXPECT_EQ(s.fcsr, 0x71u);
  exec(0x00302573);  // csrrs a0, fcsr, zero
  EXPECT_EQ(s.x[a0], 0x71u);
  exec(0x00202573);  // csrrs a0, frm, zero
  EXPECT_EQ(s.x[a0], 3u);
  exec(0x00102573);  // csrrs a0, fflags, zero
  EXPECT_EQ(s.x[a0], 0x11u);
  exec(0x0020f573);  // csrrci a0, frm, 1
  EXPECT_EQ(s.x[a0], 3u);
  EXPECT_EQ(s.fcsr, 0x51u);
  s.x[a1] = kAll;
  exec(0x00159573);  // csrrw a0, fflags, a1: only the 5 flag bits are written
  EXPECT_EQ(s.x[a0], 0x11u);
  EXPECT_EQ(s.fcsr, 0x5fu);
  s.x[a1] = 0xe0;
  exec(0x0035b573);  // csrrc a0, fcsr, a1
  EXPECT_EQ(s.x[a0], 0x5fu);
  EXPECT_EQ(s.fcsr, 0x1fu);
  s.x[a1] = 0xffff'ff2a;
  exec(0x00359573);  // csrrw a0, fcsr, a1: only 8 bits
  EXPECT_EQ(s.x[a0], 0x1fu);
  EXPECT_EQ(s.fcsr, 0x2au);
  s.x[a1] = 0xfe;
  exec(0x00259573);  // csrrw a0, frm, a1: only 3 bits, fflags kept
  EXPECT_EQ(s.x[a0], 1u);
  EXPECT_EQ(s.fcsr, 0xcau);
  exec(0x001ff573);  // csrrci a0, fflags, 31
  EXPECT_EQ(s.x[a0], 0x0au);
  EXPECT_EQ(s.fcsr, 0xc0u);
}

TEST_F(HartTest, FflagsAccumulate) {
  fp_on();
  s.fcsr = NX;
  s.f[fa1] = b(s_one);
  s.f[fa2] = b(0);
  exec(0x18c5f553);  // fdiv.s fa0, fa1, fa2
  EXPECT_EQ(s.f[fa0], b(s_inf));
  EXPECT_EQ(fflags(), NX | DZ);
  s.f[fa2] = b(s_two);
  exec(0x00c5f553);  // fadd.s fa0, fa1, fa2: exact: raises nothing, clears nothing
  EXPECT_EQ(s.f[fa0], b(s_three));
  EXPECT_EQ(fflags(), NX | DZ);
  s.f[fa1] = d_snan;
  exec(0xa2c5a553);  // feq.d a0, fa1, fa2
  EXPECT_EQ(fflags(), NX | DZ | NV);
  s.f[fa1] = d_max;
  s.f[fa2] = d_max;
  exec(0x12c5f553);  // fmul.d fa0, fa1, fa2
  EXPECT_EQ(fflags(), NX | DZ | NV | OF);
  s.f[fa1] = 1;
  s.f[fa2] = d_half;
  exec(0x12c5f553);  // fmul.d fa0, fa1, fa2
  EXPECT_EQ(fflags(), NX | DZ | NV | OF | UF);
}

// =============================================================================================
// C: every compressed form expands to its base instruction and behaves like it
// =============================================================================================

TEST(RvcExpansion, EveryFormExpandsToItsBaseInstruction) {
  struct Pair {
    u16 c;
    u32 base;
  };
  const Pair pairs[] = {
      {0x1fe8, 0x3fc10513},  // c.addi4spn a0, sp, 1020; addi a0, sp, 1020
      {0x0044, 0x00410493},  // c.addi4spn s1, sp, 4; addi s1, sp, 4
      {0x043c, 0x20810793},  // c.addi4spn a5, sp, 520; addi a5, sp, 520
      {0x3de8, 0x0f85b507},  // c.fld fa0, 248(a1); fld fa0, 248(a1)
      {0x2404, 0x00843487},  // c.fld fs1, 8(s0); fld fs1, 8(s0)
      {0x23dc, 0x0807b787},  // c.fld fa5, 128(a5); fld fa5, 128(a5)
      {0x5de8, 0x07c5a503},  // c.lw a0, 124(a1); lw a0, 124(a1)
      {0x403c, 0x04042783},  // c.lw a5, 64(s0); lw a5, 64(s0)
      {0x43c0, 0x0047a403},  // c.lw s0, 4(a5); lw s0, 4(a5)
      {0x7de8, 0x0f85b503},  // c.ld a0, 248(a1); ld a0, 248(a1)
      {0x61c8, 0x0805b503},  // c.ld a0, 128(a1); ld a0, 128(a1)
      {0x6704, 0x00873483},  // c.ld s1, 8(a4); ld s1, 8(a4)
      {0xbdf0, 0x0ec5bc27},  // c.fsd fa2, 248(a1); fsd fa2, 248(a1)
      {0xa2a0, 0x0486b027},  // c.fsd fs0, 64(a3); fsd fs0, 64(a3)
      {0xddf0, 0x06c5ae23},  // c.sw a2, 124(a1); sw a2, 124(a1)
      {0xc1b0, 0x04c5a023},  // c.sw a2, 64(a1); sw a2, 64(a1)
      {0xc3c0, 0x0087a223},  // c.sw s0, 4(a5); sw s0, 4(a5)
      {0xfdf0, 0x0ec5bc23},  // c.sd a2, 248(a1); sd a2, 248(a1)
      {0xe81c, 0x00f43823},  // c.sd a5, 16(s0); sd a5, 16(s0)
      {0x0001, 0x00000013},  // c.nop; addi zero, zero, 0
      {0x1501, 0xfe050513},  // c.addi a0, -32; addi a0, a0, -32
      {0x0ffd, 0x01ff8f93},  // c.addi t6, 31; addi t6, t6, 31
      {0x357d, 0xfff5051b},  // c.addiw a0, -1; addiw a0, a0, -1
      {0x20c1, 0x0100809b},  // c.addiw ra, 16; addiw ra, ra, 16
      {0x5501, 0xfe000513},  // c.li a0, -32; addi a0, zero, -32
      {0x4ffd, 0x01f00f93},  // c.li t6, 31; addi t6, zero, 31
      {0x7101, 0xe0010113},  // c.addi16sp sp, -512; addi sp, sp, -512
      {0x617d, 0x1f010113},  // c.addi16sp sp, 496; addi sp, sp, 496
      {0x6141, 0x01010113},  // c.addi16sp sp, 16; addi sp, sp, 16
      {0x6105, 0x02010113},  // c.addi16sp sp, 32; addi sp, sp, 32
      {0x6121, 0x04010113},  // c.addi16sp sp, 64; addi sp, sp, 64
      {0x6109, 0x08010113},  // c.addi16sp sp, 128; addi sp, sp, 128
      {0x6111, 0x10010113},  // c.addi16sp sp, 256; addi sp, sp, 256
      {0x7501, 0xfffe0537},  // c.lui a0, 0xfffe0; lui a0, 0xfffe0
      {0x6ffd, 0x0001ffb7},  // c.lui t6, 31; lui t6, 31
      {0x6085, 0x000010b7},  // c.lui ra, 1; lui ra, 1
      {0x917d, 0x03f55513},  // c.srli a0, 63; srli a0, a0, 63
      {0x8385, 0x0017d793},  // c.srli a5, 1; srli a5, a5, 1
      {0x9501, 0x42055513},  // c.srai a0, 32; srai a0, a0, 32
      {0x84fd, 0x41f4d493},  // c.srai s1, 31; srai s1, s1, 31
      {0x9901, 0xfe057513},  // c.andi a0, -32; andi a0, a0, -32
      {0x88fd, 0x01f4f493},  // c.andi s1, 31; andi s1, s1, 31
      {0x8d0d, 0x40b50533},  // c.sub a0, a1; sub a0, a0, a1
      {0x8c3d, 0x00f44433},  // c.xor s0, a5; xor s0, s0, a5
      {0x8d4d, 0x00b56533},  // c.or a0, a1; or a0, a0, a1
      {0x8fe1, 0x0087f7b3},  // c.and a5, s0; and a5, a5, s0
      {0x9d0d, 0x40b5053b},  // c.subw a0, a1; subw a0, a0, a1
      {0x9cb1, 0x00c484bb},  // c.addw s1, a2; addw s1, s1, a2
      {0xaffd, 0x7fe0006f},  // c.j 2046; jal zero, 2046
      {0xb001, 0x801ff06f},  // c.j -2048; jal zero, -2048
      {0xbffd, 0xfffff06f},  // c.j -2; jal zero, -2
      {0xa101, 0x4000006f},  // c.j 1024; jal zero, 1024
      {0xa081, 0x0400006f},  // c.j 64; jal zero, 64
      {0xcd7d, 0x0e050f63},  // c.beqz a0, 254; beq a0, zero, 254
      {0xd001, 0xf00400e3},  // c.beqz s0, -256; beq s0, zero, -256
      {0xc385, 0x02078063},  // c.beqz a5, 32; beq a5, zero, 32
      {0xfffd, 0xfe079fe3},  // c.bnez a5, -2; bne a5, zero, -2
      {0xe141, 0x08051063},  // c.bnez a0, 128; bne a0, zero, 128
      {0x157e, 0x03f51513},  // c.slli a0, 63; slli a0, a0, 63
      {0x0f86, 0x001f9f93},  // c.slli t6, 1; slli t6, t6, 1
      {0x357e, 0x1f813507},  // c.fldsp fa0, 504(sp); fld fa0, 504(sp)
      {0x2fa2, 0x00813f87},  // c.fldsp ft11, 8(sp); fld ft11, 8(sp)
      {0x2406, 0x04013407},  // c.fldsp fs0, 64(sp); fld fs0, 64(sp)
      {0x557e, 0x0fc12503},  // c.lwsp a0, 252(sp); lw a0, 252(sp)
      {0x4092, 0x00412083},  // c.lwsp ra, 4(sp); lw ra, 4(sp)
      {0x4f86, 0x04012f83},  // c.lwsp t6, 64(sp); lw t6, 64(sp)
      {0x757e, 0x1f813503},  // c.ldsp a0, 504(sp); ld a0, 504(sp)
      {0x6fa2, 0x00813f83},  // c.ldsp t6, 8(sp); ld t6, 8(sp)
      {0x6086, 0x04013083},  // c.ldsp ra, 64(sp); ld ra, 64(sp)
      {0x8582, 0x00058067},  // c.jr a1; jalr zero, 0(a1)
      {0x8082, 0x00008067},  // c.jr ra; jalr zero, 0(ra)
      {0x852e, 0x00b00533},  // c.mv a0, a1; add a0, zero, a1
      {0x8f86, 0x00100fb3},  // c.mv t6, ra; add t6, zero, ra
      {0x9002, 0x00100073},  // c.ebreak; ebreak
      {0x9582, 0x000580e7},  // c.jalr a1; jalr ra, 0(a1)
      {0x9f82, 0x000f80e7},  // c.jalr t6; jalr ra, 0(t6)
      {0x952e, 0x00b50533},  // c.add a0, a1; add a0, a0, a1
      {0x9f86, 0x001f8fb3},  // c.add t6, ra; add t6, t6, ra
      {0xbfaa, 0x1ea13c27},  // c.fsdsp fa0, 504(sp); fsd fa0, 504(sp)
      {0xa0fe, 0x05f13027},  // c.fsdsp ft11, 64(sp); fsd ft11, 64(sp)
      {0xdfaa, 0x0ea12e23},  // c.swsp a0, 252(sp); sw a0, 252(sp)
      {0xc0fe, 0x05f12023},  // c.swsp t6, 64(sp); sw t6, 64(sp)
      {0xffaa, 0x1ea13c23},  // c.sdsp a0, 504(sp); sd a0, 504(sp)
      {0xe47e, 0x01f13423},  // c.sdsp t6, 8(sp); sd t6, 8(sp)
      {0xe086, 0x04113023},  // c.sdsp ra, 64(sp); sd ra, 64(sp)
  };
  for (const auto& p : pairs) {
    const auto d = retrace::isa::decode(p.c);
    EXPECT_EQ(d.length, 2u) << std::hex << p.c;
    EXPECT_EQ(d.insn.bits, p.base) << std::hex << "0x" << p.c << " expands to 0x" << d.insn.bits << ", want 0x" << p.base;
    EXPECT_EQ(d.op, retrace::isa::decode(p.base).op) << std::hex << p.c;
    EXPECT_NE(d.op, retrace::isa::Op::illegal) << std::hex << p.c;
  }
}

TEST_F(HartTest, CompressedLoadsAndStores) {
  fp_on();
  const u64 sp_value = kData + 0x400;
  s.x[sp] = sp_value;
  s.x[a1] = kData;
  set_mem(kData + 124, 0x8765'4321, 4);
  exec16(0x5de8);  // c.lw a0, 124(a1)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'8765'4321ull);
  set_mem(kData + 248, 0x0123'4567'89ab'cdefull);
  exec16(0x7de8);  // c.ld a0, 248(a1)
  EXPECT_EQ(s.x[a0], 0x0123'4567'89ab'cdefull);
  exec16(0x3de8);  // c.fld fa0, 248(a1)
  EXPECT_EQ(s.f[fa0], 0x0123'4567'89ab'cdefull);
  s.x[a2] = 0x1122'3344'5566'7788ull;
  exec16(0xc1b0);  // c.sw a2, 64(a1)
  EXPECT_EQ(mem(kData + 64), 0x5566'7788u);
  exec16(0xe1d0);  // c.sd a2, 128(a1)
  EXPECT_EQ(mem(kData + 128), 0x1122'3344'5566'7788ull);
  s.f[fa2] = d_m_one;
  exec16(0xa590);  // c.fsd fa2, 8(a1)
  EXPECT_EQ(mem(kData + 8), d_m_one);
  // sp-relative
  set_mem(sp_value + 252, 0xfedc'ba98, 4);
  exec16(0x557e);  // c.lwsp a0, 252(sp)
  EXPECT_EQ(s.x[a0], 0xffff'ffff'fedc'ba98ull);
  set_mem(sp_value + 504, 0x7766'5544'3322'1100ull);
  exec16(0x757e);  // c.ldsp a0, 504(sp)
  EXPECT_EQ(s.x[a0], 0x7766'5544'3322'1100ull);
  exec16(0x357e);  // c.fldsp fa0, 504(sp)
  EXPECT_EQ(s.f[fa0], 0x7766'5544'3322'1100ull);
  exec16(0xc232);  // c.swsp a2, 4(sp)
  EXPECT_EQ(mem(sp_value + 4, 4), 0x5566'7788u);
  exec16(0xe0b2);  // c.sdsp a2, 64(sp)
  EXPECT_EQ(mem(sp_value + 64), 0x1122'3344'5566'7788ull);
  s.f[fa0] = d_two;
  exec16(0xa12a);  // c.fsdsp fa0, 128(sp)
  EXPECT_EQ(mem(sp_value + 128), d_two);
}

TEST_F(HartTest, CompressedArithmetic) {
  s.x[sp] = kData + 0x400;
  exec16(0x1fe8);  // c.addi4spn a0, sp, 1020
  EXPECT_EQ(s.x[a0], kData + 0x400 + 1020);
  exec16(0x0040);  // c.addi4spn s0, sp, 4
  EXPECT_EQ(s.x[s0], kData + 0x404);
  exec16(0x7101);  // c.addi16sp sp, -512
  EXPECT_EQ(s.x[sp], kData + 0x200);
  exec16(0x617d);  // c.addi16sp sp, 496
  EXPECT_EQ(s.x[sp], kData + 0x3f0);
  const HartState before = s;
  exec16(0x0001);  // c.nop
  EXPECT_EQ(s.x, before.x);
  s.x[a0] = 100;
  exec16(0x1501);  // c.addi a0, -32
  EXPECT_EQ(s.x[a0], 68u);
  exec16(0x057d);  // c.addi a0, 31
  EXPECT_EQ(s.x[a0], 99u);
  s.x[a0] = 0x7fff'ffff;
  exec16(0x2505);  // c.addiw a0, 1
  EXPECT_EQ(s.x[a0], 0xffff'ffff'8000'0000ull);
  s.x[a0] = 0x1'ffff'ffffull;
  exec16(0x2501);  // c.addiw a0, 0: sext.w
  EXPECT_EQ(s.x[a0], kAll);
  exec16(0x5501);  // c.li a0, -32
  EXPECT_EQ(s.x[a0], neg(32));
  exec16(0x457d);  // c.li a0, 31
  EXPECT_EQ(s.x[a0], 31u);
  exec16(0x7501);  // c.lui a0, 0xfffe0
  EXPECT_EQ(s.x[a0], 0xffff'ffff'fffe'0000ull);
  exec16(0x657d);  // c.lui a0, 31
  EXPECT_EQ(s.x[a0], 0x1'f000u);
  exec16(0x757d);  // c.lui a0, 0xfffff
  EXPECT_EQ(s.x[a0], 0xffff'ffff'ffff'f000ull);
  s.x[a0] = kMin64;
  exec16(0x917d);  // c.srli a0, 63
  EXPECT_EQ(s.x[a0], 1u);
  s.x[a0] = kAll;
  exec16(0x9101);  // c.srli a0, 32
  EXPECT_EQ(s.x[a0], 0xffff'ffffu);
  s.x[a0] = kMin64;
  exec16(0x957d);  // c.srai a0, 63
  EXPECT_EQ(s.x[a0], kAll);
  s.x[a0] = kMin64;
  exec16(0x8511);  // c.srai a0, 4
  EXPECT_EQ(s.x[a0], 0xf800'0000'0000'0000ull);
  s.x[a0] = kAll;
  exec16(0x9901);  // c.andi a0, -32
  EXPECT_EQ(s.x[a0], 0xffff'ffff'ffff'ffe0ull);
  exec16(0x897d);  // c.andi a0, 31
  EXPECT_EQ(s.x[a0], 0u);
  s.x[a0] = 1;
  exec16(0x157e);  // c.slli a0, 63
  EXPECT_EQ(s.x[a0], kMin64);
  s.x[a0] = 0xffff'ffffu;
  exec16(0x1502);  // c.slli a0, 32
  EXPECT_EQ(s.x[a0], 0xffff'ffff'0000'0000ull);
  s.x[a0] = 5;
  s.x[a1] = 7;
  exec16(0x8d0d);  // c.sub a0, a1
  EXPECT_EQ(s.x[a0], neg(2));
  s.x[a0] = 0xff00;
  s.x[a1] = 0x0ff0;
  exec16(0x8d2d);  // c.xor a0, a1
  EXPECT_EQ(s.x[a0], 0xf0f0u);
  exec16(0x8d4d);  // c.or a0, a1
  EXPECT_EQ(s.x[a0], 0xfff0u);
  exec16(0x8d6d);  // c.and a0, a1
  EXPECT_EQ(s.x[a0], 0x0ff0u);
  s.x[a0] = 0x8000'0000;
  s.x[a1] = 1;
  exec16(0x9d0d);  // c.subw a0, a1
  EXPECT_EQ(s.x[a0], 0x7fff'ffffu);
  exec16(0x9d2d);  // c.addw a0, a1
  EXPECT_EQ(s.x[a0], 0xffff'ffff'8000'0000ull);
  s.x[a1] = 0x1234;
  exec16(0x852e);  // c.mv a0, a1
  EXPECT_EQ(s.x[a0], 0x1234u);
  exec16(0x952e);  // c.add a0, a1
  EXPECT_EQ(s.x[a0], 0x2468u);
}

TEST_F(HartTest, CompressedJumpsAndBranches) {
  const u64 pc = kBase + 0x4000;
  EXPECT_EQ(run16(0xaffd, pc), Step::retired);  // c.j 2046
  EXPECT_EQ(s.pc, pc + 2046);
  EXPECT_EQ(run16(0xb001, pc), Step::retired);  // c.j -2048
  EXPECT_EQ(s.pc, pc - 2048);
  EXPECT_EQ(run16(0xbffd, pc), Step::retired);  // c.j -2
  EXPECT_EQ(s.pc, pc - 2);
  s.x[a0] = 0;
  run16(0xcd7d, pc);  // c.beqz a0, 254
  EXPECT_EQ(s.pc, pc + 254);
  run16(0xd101, pc);  // c.beqz a0, -256
  EXPECT_EQ(s.pc, pc - 256);
  run16(0xed7d, pc);  // c.bnez a0, 254
  EXPECT_EQ(s.pc, pc + 2);
  s.x[a0] = kMin64;
  run16(0xcd7d, pc);  // c.beqz a0, 254
  EXPECT_EQ(s.pc, pc + 2);
  run16(0xed7d, pc);  // c.bnez a0, 254
  EXPECT_EQ(s.pc, pc + 254);
  run16(0xf101, pc);  // c.bnez a0, -256
  EXPECT_EQ(s.pc, pc - 256);
  // c.jr / c.jalr: bit 0 of the target is cleared, the link is pc + 2
  s.x[a1] = kBase + 0x123;
  s.x[ra] = 0;
  run16(0x8582, pc);  // c.jr a1
  EXPECT_EQ(s.pc, kBase + 0x122);
  EXPECT_EQ(s.x[ra], 0u);
  s.x[a1] = kBase + 0x200;
  run16(0x9582, pc);  // c.jalr a1
  EXPECT_EQ(s.pc, kBase + 0x200);
  EXPECT_EQ(s.x[ra], pc + 2);
  s.x[ra] = kBase + 0x300;
  run16(0x9082, pc);  // c.jalr ra: the target is the old ra
  EXPECT_EQ(s.pc, kBase + 0x300);
  EXPECT_EQ(s.x[ra], pc + 2);
  // c.ebreak
  EXPECT_TRUE(trapped(run16(0x9002, pc), kBreakpoint, pc, pc));  // c.ebreak
}

TEST_F(HartTest, CompressedReservedEncodingsAreIllegal) {
  s.x[sp] = kData;
  EXPECT_TRUE(illegal16(0x0000)); // c.unimp (c.addi4spn with nzuimm = 0)
  EXPECT_TRUE(illegal16(0x0004)); // c.addi4spn s1, sp, 0
  EXPECT_TRUE(illegal16(0x8000)); // quadrant 0, funct3 = 100: reserved
  EXPECT_TRUE(illegal16(0x6101)); // c.addi16sp sp, 0
  EXPECT_TRUE(illegal16(0x6501)); // c.lui a0, 0
  EXPECT_TRUE(illegal16(0x6001)); // c.lui zero, 0
  EXPECT_TRUE(illegal16(0x2005)); // c.addiw zero, 1
  EXPECT_TRUE(illegal16(0x4002)); // c.lwsp zero, 0(sp)
  EXPECT_TRUE(illegal16(0x6002)); // c.ldsp zero, 0(sp)
  EXPECT_TRUE(illegal16(0x8002)); // c.jr zero
  EXPECT_TRUE(illegal16(0x9c41)); // reserved slot next to c.subw/c.addw
  EXPECT_TRUE(illegal16(0x9c61)); // reserved slot next to c.subw/c.addw
  // the upper halfword after an illegal 16-bit instruction is not part of mtval
  EXPECT_TRUE(trapped(run(0x1234'0000), kIllegal, 0));
}

TEST_F(HartTest, CompressedHintsRetire) {
  s.x[a0] = 0x42;
  s.x[a1] = 0x99;
  const u16 hints[] = {
      0x0005, // c.addi zero, 1
      0x0501, // c.addi a0, 0
      0x4015, // c.li zero, 5
      0x6005, // c.lui zero, 1
      0x802e, // c.mv zero, a1
      0x902e, // c.add zero, a1
      0x0006, // c.slli zero, 1
      0x8001, // c.srli s0, 0
  };
  s.x[s0] = 0x77;
  for (u16 h : hints) {
    exec16(h);
    EXPECT_EQ(s.x[zero], 0u) << std::hex << h;
    EXPECT_EQ(s.x[a0], 0x42u) << std::hex << h;
    EXPECT_EQ(s.x[s0], 0x77u) << std::hex << h;
  }
}

// =============================================================================================
// Illegal 32-bit encodings
// =============================================================================================

TEST_F(HartTest, UndecodableWordsAreIllegalWithTheBitsInMtval) {
  fp_on(); // so that the FP encodings below are illegal for being undecodable, not for FS = Off
  EXPECT_TRUE(trapped(run(0x0000'0000), kIllegal, 0)); // all zeros: c.unimp
  EXPECT_TRUE(illegal(0xffff'ffff));
  EXPECT_TRUE(illegal(0x0000'000b)); // custom-0
  EXPECT_TRUE(illegal(0x8000'0033)); // OP with funct7 = 0x40
  EXPECT_TRUE(illegal(0x0200'103b)); // OP-32 with funct7 = 1, funct3 = 1 (no such M instruction)
  EXPECT_TRUE(illegal(0x0205'151b)); // slliw a0, a0, 32: shamt[5] is reserved for the W shifts
  EXPECT_TRUE(illegal(0x8005'5513)); // srli/srai with funct6 = 100000
  EXPECT_TRUE(illegal(0x0000'2063)); // BRANCH with funct3 = 010
  EXPECT_TRUE(illegal(0x0000'7003)); // LOAD with funct3 = 111
  EXPECT_TRUE(illegal(0x0000'4023)); // STORE with funct3 = 100
  EXPECT_TRUE(illegal(0x0000'1067)); // JALR with funct3 = 001
  EXPECT_TRUE(illegal(0x0000'0573)); // ecall with rd != 0
  EXPECT_TRUE(illegal(0x1015'a52f)); // lr.w a0, (a1) with rs2 = 1
  EXPECT_TRUE(illegal(0xe005'a553)); // fmv.x.w with funct3 = 2
  EXPECT_TRUE(illegal(0x0600'0053)); // fadd with fmt = 11 (Q): not implemented
  EXPECT_TRUE(illegal(0x5815'f553)); // fsqrt.s with rs2 = 1
  EXPECT_TRUE(illegal(0x0000'4007)); // LOAD-FP with funct3 = 100 (flq)
}

TEST_F(HartTest, InstructionsAt2ByteAlignedAddressesRun) {
  s.x[a1] = 40;
  exec(0x00258513, kBase + 2);  // addi a0, a1, 2
  EXPECT_EQ(s.x[a0], 42u);
  EXPECT_EQ(s.pc, kBase + 6);
}

// exec_fd.hpp computes +, -, *, / and fused multiply-add on the host FPU when the rounding mode
// is rne, inexact is already set and operands and result are normal, and with the soft-float
// routines otherwise. Both must give the same bits and flags: random operands, most of them
// normal with exponents spread so that results also overflow, underflow and cancel, run with
// NX preset (the fast path may apply) and compared with the soft-float result.
TEST_F(HartTest, HostFpuFastPathAgreesWithSoftFloat) {
  namespace fp = retrace::fp;
  using RM = fp::RoundingMode;
  fp_on();
  std::mt19937_64 rng(20261121);
  auto d_operand = [&] {
    const u64 sign = rng() & kMin64;
    const u64 r = rng() % 16;
    u64 exp = 1023 + (rng() % 64) - 32;        // ordinary magnitudes
    if (r == 0) exp = 1 + rng() % 40;          // near the bottom: products underflow
    if (r == 1) exp = 2046 - rng() % 40;       // near the top: products overflow
    if (r == 2) exp = 0;                       // zero or subnormal
    if (r == 3) exp = 2047;                    // infinity or NaN
    return sign | (exp << 52) | (rng() & ((1ull << 52) - 1));
  };
  auto s_operand = [&] {
    const u32 sign = static_cast<u32>(rng()) & 0x8000'0000u;
    const u64 r = rng() % 16;
    u32 exp = 127 + static_cast<u32>(rng() % 32) - 16;
    if (r == 0) exp = 1 + static_cast<u32>(rng() % 20);
    if (r == 1) exp = 254 - static_cast<u32>(rng() % 20);
    if (r == 2) exp = 0;
    if (r == 3) exp = 255;
    return sign | (exp << 23) | (static_cast<u32>(rng()) & 0x7f'ffffu);
  };
  // fa0 = op(fa1, fa2[, fa3]) with rm = dyn (frm = rne)
  const u32 fadd_d = 0x02c5f553, fsub_d = 0x0ac5f553, fmul_d = 0x12c5f553, fdiv_d = 0x1ac5f553;
  const u32 fmadd_d = (13u << 27) | (1u << 25) | (12u << 20) | (11u << 15) | (7u << 12) | (10u << 7) | 0x43;
  const u32 fadd_s = 0x00c5f553, fsub_s = 0x08c5f553, fmul_s = 0x10c5f553, fdiv_s = 0x18c5f553;
  const u32 fmadd_s = (13u << 27) | (12u << 20) | (11u << 15) | (7u << 12) | (10u << 7) | 0x43;
  unsigned checked = 0;
  for (int k = 0; k < 20000; ++k) {
    for (unsigned nx = 0; nx < 2; ++nx) {
      const u64 a = d_operand(), bb = d_operand(), c = d_operand();
      const u32 x = s_operand(), y = s_operand(), z = s_operand();
      struct Case {
        u32 insn;
        u64 got_a, got_b, got_c;
        u64 want;
        std::uint8_t flags;
      };
      std::uint8_t f[10] = {};
      const Case cases[] = {
          {fadd_d, a, bb, c, fp::f64_add(a, bb, RM::rne, f[0]), 0},
          {fsub_d, a, bb, c, fp::f64_sub(a, bb, RM::rne, f[1]), 0},
          {fmul_d, a, bb, c, fp::f64_mul(a, bb, RM::rne, f[2]), 0},
          {fdiv_d, a, bb, c, fp::f64_div(a, bb, RM::rne, f[3]), 0},
          {fmadd_d, a, bb, c, fp::f64_mul_add(a, bb, c, RM::rne, f[4]), 0},
          {fadd_s, b(x), b(y), b(z), b(fp::f32_add(x, y, RM::rne, f[5])), 0},
          {fsub_s, b(x), b(y), b(z), b(fp::f32_sub(x, y, RM::rne, f[6])), 0},
          {fmul_s, b(x), b(y), b(z), b(fp::f32_mul(x, y, RM::rne, f[7])), 0},
          {fdiv_s, b(x), b(y), b(z), b(fp::f32_div(x, y, RM::rne, f[8])), 0},
          {fmadd_s, b(x), b(y), b(z), b(fp::f32_mul_add(x, y, z, RM::rne, f[9])), 0},
      };
      for (std::size_t n = 0; n < std::size(cases); ++n) {
        const auto& t = cases[n];
        s.f[fa1] = t.got_a;
        s.f[fa2] = t.got_b;
        s.f[fa3] = t.got_c;
        s.fcsr = nx; // frm = rne, fflags = NX or nothing
        exec(t.insn);
        ASSERT_EQ(s.f[fa0], t.want) << "insn 0x" << std::hex << t.insn << " on " << t.got_a << ", " << t.got_b
                                    << ", " << t.got_c << " with NX " << nx;
        ASSERT_EQ(fflags(), nx | f[n]) << "insn 0x" << std::hex << t.insn << " on " << t.got_a << ", " << t.got_b
                                       << ", " << t.got_c << " with NX " << nx;
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 400000u);
}

// =============================================================================================
// Extension sets (Hart::set_extensions, isa/extensions.hpp)
// =============================================================================================

TEST_F(HartTest, InstructionsOutsideTheExtensionSetAreIllegal) {
  using retrace::isa::ExtSet;
  fp_on();
  hart.set_extensions(ExtSet::rv64gc());
  EXPECT_EQ(hart.extensions(), ExtSet::rv64gc());
  const u32 insns[] = {
      0x20c5a533, // sh1add a0,a1,a2
      0x08c5853b, // add.uw a0,a1,a2
      0x0855951b, // slli.uw a0,a1,0x5
      0x40c5f533, // andn a0,a1,a2
      0x60059513, // clz a0,a1
      0x0ac5e533, // max a0,a1,a2
      0x6b85d513, // rev8 a0,a1
      0x0805c53b, // zext.h a0,a1
      0x6015d513, // rori a0,a1,0x1
      0x0ac59533, // clmul a0,a1,a2
      0x2bf59513, // bseti a0,a1,0x3f
      0x48c5d533, // bext a0,a1,a2
      0x0ec5d533, // czero.eqz a0,a1,a2
      0x00059507, // flh fa0,0(a1)
      0x00b59027, // fsh fa1,0(a1)
      0xe4058553, // fmv.x.h a0,fa1
      0x4405f553, // fcvt.h.s fa0,fa1
  };
  for (u32 insn : insns) {
    SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << insn);
    s.x[a1] = kData;
    s.x[a0] = 0x5678;
    s.f[fa0] = 0x1234;
    EXPECT_TRUE(illegal(insn));
    EXPECT_EQ(s.x[a0], 0x5678u);
    EXPECT_EQ(s.f[fa0], 0x1234u);
  }
  // RV64GC itself runs, and so do the hints, which are a FENCE and an ORI without their extensions.
  EXPECT_EQ(rr(0x00c58533, 1, 2), 3u); // add a0,a1,a2
  exec16(0x4505);                      // c.li a0,1
  EXPECT_EQ(s.x[a0], 1u);
  exec(0x0100000f);                    // pause
  exec(0x0215e013);                    // prefetch.r 32(a1)
  hart.set_extensions(ExtSet::all());
  EXPECT_EQ(rr(0x20c5a533, 3, 100), 106u); // sh1add a0,a1,a2
}

TEST_F(HartTest, EachExtensionGatesItsOwnInstructions) {
  using retrace::isa::Ext;
  using retrace::isa::ExtSet;
  fp_on();
  hart.set_extensions(ExtSet::all().without(Ext::zbb));
  EXPECT_EQ(rr(0x20c5a533, 3, 100), 106u); // sh1add a0,a1,a2: Zba stays
  EXPECT_TRUE(illegal(0x60059513));        // clz a0,a1
  EXPECT_EQ(rr(0x48c5d533, 2, 1), 1u);     // bext a0,a1,a2: Zbs stays
  hart.set_extensions(ExtSet::all().without(Ext::m));
  EXPECT_TRUE(illegal(0x02c58533)); // mul a0,a1,a2
  hart.set_extensions(ExtSet::all().without(Ext::a));
  s.x[a1] = kData;
  EXPECT_TRUE(illegal(0x00c5a52f)); // amoadd.w a0,a2,(a1)
  hart.set_extensions(ExtSet::all().without(Ext::d));
  EXPECT_TRUE(illegal(0x02c5f553)); // fadd.d fa0,fa1,fa2
  EXPECT_TRUE(illegal16(0x2588));   // c.fld fa0,8(a1): expands to fld, which needs D
  fop(0x00c5f553, b(s_one), b(s_one)); // fadd.s fa0,fa1,fa2: F stays
  EXPECT_EQ(s.f[fa0], b(s_two));
  hart.set_extensions(ExtSet::all().without(Ext::c));
  EXPECT_TRUE(illegal16(0x4505)); // c.li a0,1
  EXPECT_TRUE(illegal16(0x8082)); // c.jr ra
  hart.set_extensions(ExtSet::all().without(Ext::zifencei));
  EXPECT_TRUE(illegal(0x0000100f)); // fence.i
  exec(0x0ff0000f);                 // fence: I
  hart.set_extensions(ExtSet::all().without(Ext::zicsr));
  EXPECT_TRUE(illegal(0x30002573)); // csrrs a0,mstatus,zero
  hart.set_extensions(ExtSet::all().without(Ext::zicond));
  EXPECT_TRUE(illegal(0x0ec5f533)); // czero.nez a0,a1,a2
  hart.set_extensions(ExtSet::all().without(Ext::zfhmin));
  EXPECT_TRUE(illegal(0xf4058553)); // fmv.h.x fa0,a1
  hart.set_extensions(ExtSet::base());
  exec(0x00c58533); // add a0,a1,a2: I is always there
  exec(0x30200073); // mret: so are the privileged instructions
}

TEST_F(HartTest, MisaFollowsTheExtensionSet) {
  using retrace::isa::Ext;
  using retrace::isa::ExtSet;
  EXPECT_EQ(s.misa, Hart::misa_rv64gc); // everything: the bit-manipulation extensions have no letter
  EXPECT_EQ(Hart::misa_for(ExtSet::rv64gc()), Hart::misa_rv64gc);
  hart.set_extensions(ExtSet::all().without(Ext::c).without(Ext::d));
  exec(0x30102573); // csrrs a0,misa,zero
  EXPECT_EQ(s.x[a0], Hart::misa_rv64gc & ~((1ull << 2) | (1ull << 3)));
  EXPECT_EQ(Hart::misa_for(ExtSet::base()), (2ull << 62) | (1u << 8) | (1u << 18) | (1u << 20)); // I, S, U
}

TEST_F(HartTest, ResetAndSetStateKeepTheExtensionSet) {
  using retrace::isa::Ext;
  using retrace::isa::ExtSet;
  const ExtSet no_zbb = ExtSet::all().without(Ext::zbb);
  hart.set_extensions(no_zbb);
  hart.reset(kBase);
  s.mtvec = kTrap;
  EXPECT_EQ(hart.extensions(), no_zbb);
  EXPECT_TRUE(illegal(0x60059513)); // clz a0,a1
  // A restored state brings its own set (snapshots hold it).
  HartState other = s;
  other.ext = ExtSet::all();
  hart.set_state(other);
  EXPECT_EQ(ri(0x60059513, 1), 63u); // clz a0,a1
  other = s;
  other.ext = ExtSet::rv64gc();
  hart.set_state(other);
  EXPECT_TRUE(illegal(0x6b85d513)); // rev8 a0,a1
  EXPECT_EQ(s.misa, Hart::misa_rv64gc);
}

} // namespace
