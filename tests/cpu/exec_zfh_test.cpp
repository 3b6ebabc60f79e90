// Tests for include/retrace/cpu/exec_zfh.hpp (Zfhmin) and the binary16 conversions of
// include/retrace/isa/softfloat.hpp: every instruction executed by Hart::step() as an encoded
// word (the assembly in the comment). NaN-boxing of half values in the 64-bit f registers,
// rounding in every mode (through the rm field and through frm), fflags, mstatus.FS.
//
// Conventions as in hart_test.cpp: operands in fa1 / a1, results in fa0 / a0, the instruction
// at 0x8000'0000, data at 0x8000'1000, mtvec 0x8000'8000.
#include "retrace/cpu/hart.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace {

using retrace::Hart;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using Step = Hart::StepResult;

constexpr u64 kBase = 0x8000'0000;
constexpr u64 kData = kBase + 0x1000;
constexpr u64 kTrap = kBase + 0x8000;
constexpr u64 kIllegal = 2;
constexpr unsigned NX = 1, UF = 2, OF = 4, NV = 16;
enum : unsigned { a0 = 10, a1 = 11, fa0 = 10, fa1 = 11 };

constexpr u64 h(u16 v) { return 0xffff'ffff'ffff'0000ull | v; }  // NaN-boxed half
constexpr u64 s(u32 v) { return 0xffff'ffff'0000'0000ull | v; }  // NaN-boxed single
constexpr u32 with_rm(u32 insn, unsigned rm) { return (insn & ~0x7000u) | (rm << 12); }

// binary16 constants
constexpr u16 h_one = 0x3c00, h_m_one = 0xbc00, h_inf = 0x7c00, h_max = 0x7bff, h_qnan = 0x7e00, h_snan = 0x7c01,
              h_min_sub = 0x0001, h_min_norm = 0x0400, h_m_zero = 0x8000;

constexpr u32 kFcvtHS = 0x44058553; // fcvt.h.s fa0,fa1,rne
constexpr u32 kFcvtHD = 0x44158553; // fcvt.h.d fa0,fa1,rne

using Want = std::array<u16, 5>;        // for rne, rtz, rdn, rup, rmm
using Flags = std::array<unsigned, 5>;
constexpr Flags all(unsigned f) { return {f, f, f, f, f}; }
constexpr const char* kModeName[] = {"rne", "rtz", "rdn", "rup", "rmm"};

class ZfhminTest : public ::testing::Test {
protected:
  retrace::Bus bus{kBase, 1u << 20};
  retrace::FixedTime time;
  Hart hart{0, bus, time};
  retrace::HartState& st = hart.state();

  ZfhminTest() {
    st.mtvec = kTrap;
    fp_on();
  }
  void fp_on() { st.mstatus = (st.mstatus & ~(3ull << 13)) | (1ull << 13); } // FS = Initial
  [[nodiscard]] unsigned fs() const { return static_cast<unsigned>((st.mstatus >> 13) & 3); }
  [[nodiscard]] unsigned fflags() const { return st.fcsr & 31; }

  Step run(u32 insn) {
    bus.write_ram(kBase, &insn, sizeof insn);
    st.pc = kBase;
    return hart.step();
  }
  void exec(u32 insn) {
    EXPECT_EQ(run(insn), Step::retired) << std::hex << "insn 0x" << insn;
    EXPECT_EQ(st.pc, kBase + 4);
  }
  // fa0 = op(fa1), fflags cleared first
  u64 ff(u32 insn, u64 x) {
    st.f[fa1] = x;
    st.f[fa0] = 0x5555;
    st.fcsr &= ~31u;
    exec(insn);
    return st.f[fa0];
  }
  ::testing::AssertionResult illegal(u32 insn) {
    if (run(insn) != Step::trapped) return ::testing::AssertionFailure() << "did not trap";
    if (st.mcause != kIllegal || st.mtval != insn) return ::testing::AssertionFailure() << "mcause " << st.mcause;
    return ::testing::AssertionSuccess();
  }
  // A narrowing conversion in every rounding mode, by the rm field and by frm.
  void check_rm(u32 insn, u64 x, const Want& want, const Flags& flags) {
    for (unsigned dyn = 0; dyn < 2; ++dyn)
      for (unsigned m = 0; m < 5; ++m) {
        SCOPED_TRACE(std::string(kModeName[m]) + (dyn ? " via frm" : " via rm field"));
        st.fcsr = dyn ? (m << 5) : 0;
        st.f[fa1] = x;
        st.f[fa0] = 0x5555;
        const u32 w = with_rm(insn, dyn ? 7 : m);
        ASSERT_EQ(run(w), Step::retired) << std::hex << "insn 0x" << w;
        EXPECT_EQ(st.f[fa0], h(want[m])) << std::hex << "insn 0x" << w;
        EXPECT_EQ(fflags(), flags[m]) << std::hex << "insn 0x" << w;
      }
  }
};

TEST_F(ZfhminTest, FlhNanBoxesAndFshStoresTheLowBits) {
  const u16 v = 0xc000; // -2.0
  bus.write_ram(kData, &v, 2);
  st.x[a1] = kData;
  st.f[fa0] = 0;
  exec(0x00059507); // flh fa0,0(a1)
  EXPECT_EQ(st.f[fa0], h(0xc000));
  const u16 w = 0x7c01; // a signaling NaN is loaded as it is
  bus.write_ram(kData + 0x10, &w, 2);
  st.x[a1] = kData + 0x12;
  exec(0xffe59507); // flh fa0,-2(a1)
  EXPECT_EQ(st.f[fa0], h(0x7c01));
  EXPECT_EQ(fs(), 3u); // dirty
  st.x[a1] = kData + 0x20;
  st.f[fa1] = 0x1234'5678'9abc'def0ull; // not boxed: fsh stores the low 16 bits anyway
  exec(0x00b59027); // fsh fa1,0(a1)
  st.f[fa1] = h(0x3c00);
  exec(0x00b59327); // fsh fa1,6(a1)
  u64 got = 0;
  ASSERT_TRUE(bus.load(kData + 0x20, 8, got));
  EXPECT_EQ(got, 0x3c00'0000'0000'def0ull);
  EXPECT_EQ(fflags(), 0u);
}

TEST_F(ZfhminTest, MovesAreRawAndFmvXhSignExtends) {
  st.f[fa1] = h(0x8001);
  exec(0xe4058553); // fmv.x.h a0,fa1
  EXPECT_EQ(st.x[a0], 0xffff'ffff'ffff'8001ull);
  st.f[fa1] = 0x7fff; // not boxed: still the raw low 16 bits
  exec(0xe4058553); // fmv.x.h a0,fa1
  EXPECT_EQ(st.x[a0], 0x7fffu);
  st.x[a1] = 0x1234'5678'9abc'def0ull;
  exec(0xf4058553); // fmv.h.x fa0,a1
  EXPECT_EQ(st.f[fa0], h(0xdef0));
  EXPECT_EQ(fflags(), 0u);
}

TEST_F(ZfhminTest, WideningConversionsAreExact) {
  EXPECT_EQ(ff(0x40258553, h(h_one)), s(0x3f80'0000));      // fcvt.s.h fa0,fa1
  EXPECT_EQ(ff(0x40258553, h(h_m_zero)), s(0x8000'0000));   // fcvt.s.h fa0,fa1
  EXPECT_EQ(ff(0x40258553, h(h_min_sub)), s(0x3380'0000));  // fcvt.s.h fa0,fa1: 2^-24, a subnormal half
  EXPECT_EQ(ff(0x40258553, h(h_max)), s(0x477f'e000));      // fcvt.s.h fa0,fa1: 65504
  EXPECT_EQ(ff(0x40258553, h(h_inf)), s(0x7f80'0000));      // fcvt.s.h fa0,fa1
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(ff(0x42258553, h(h_one)), 0x3ff0'0000'0000'0000ull);  // fcvt.d.h fa0,fa1
  EXPECT_EQ(ff(0x42258553, h(h_min_sub)), 0x3e70'0000'0000'0000ull); // fcvt.d.h fa0,fa1
  EXPECT_EQ(ff(0x42258553, h(h_max)), 0x40ef'fc00'0000'0000ull);  // fcvt.d.h fa0,fa1
  EXPECT_EQ(ff(0x42258553, h(0xfc00)), 0xfff0'0000'0000'0000ull); // fcvt.d.h fa0,fa1: -inf
  EXPECT_EQ(fflags(), 0u);
}

TEST_F(ZfhminTest, NansAndNanBoxing) {
  EXPECT_EQ(ff(0x40258553, h(h_snan)), s(0x7fc0'0000));     // fcvt.s.h fa0,fa1: signaling
  EXPECT_EQ(fflags(), NV);
  EXPECT_EQ(ff(0x40258553, h(0xfe01)), s(0x7fc0'0000));     // fcvt.s.h fa0,fa1: quiet, payload dropped
  EXPECT_EQ(fflags(), 0u);
  // A half that is not properly boxed (here one boxed as a single) is the canonical NaN.
  EXPECT_EQ(ff(0x40258553, s(h_one)), s(0x7fc0'0000));      // fcvt.s.h fa0,fa1
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(ff(0x42258553, 0x3c00), 0x7ff8'0000'0000'0000ull); // fcvt.d.h fa0,fa1
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(ff(kFcvtHS, s(0x7f80'0001)), h(h_qnan));        // fcvt.h.s fa0,fa1: signaling
  EXPECT_EQ(fflags(), NV);
  EXPECT_EQ(ff(kFcvtHS, 0x3f80'0000), h(h_qnan));           // fcvt.h.s fa0,fa1: an unboxed single
  EXPECT_EQ(fflags(), 0u);
  EXPECT_EQ(ff(kFcvtHD, 0x7ff0'0000'0000'0001ull), h(h_qnan)); // fcvt.h.d fa0,fa1: signaling
  EXPECT_EQ(fflags(), NV);
  EXPECT_EQ(ff(kFcvtHD, 0xfff8'0000'0000'0000ull), h(h_qnan)); // fcvt.h.d fa0,fa1
  EXPECT_EQ(fflags(), 0u);
}

TEST_F(ZfhminTest, FcvtHsRoundsInEveryMode) {
  check_rm(kFcvtHS, s(0x3f80'0000), {h_one, h_one, h_one, h_one, h_one}, all(0)); // 1.0: exact
  // 1 + 2^-11: halfway between 1 and 1 + 2^-10; 1 + 3 * 2^-11: halfway above an odd one
  check_rm(kFcvtHS, s(0x3f80'1000), {0x3c00, 0x3c00, 0x3c00, 0x3c01, 0x3c01}, all(NX));
  check_rm(kFcvtHS, s(0x3f80'3000), {0x3c02, 0x3c01, 0x3c01, 0x3c02, 0x3c02}, all(NX));
  check_rm(kFcvtHS, s(0xbf80'1000), {0xbc00, 0xbc00, 0xbc01, 0xbc00, 0xbc01}, all(NX));
  // 65520: halfway between the largest half (65504, odd) and 2^16, which overflows
  check_rm(kFcvtHS, s(0x477f'f000), {h_inf, h_max, h_max, h_inf, h_inf}, {OF | NX, NX, NX, OF | NX, OF | NX});
  // 1e10: far out of range (overflow in every mode; the directed ones stop at the largest)
  check_rm(kFcvtHS, s(0x5015'02f9), {h_inf, h_max, h_max, h_inf, h_inf}, all(OF | NX));
  check_rm(kFcvtHS, s(0xd015'02f9), {0xfc00, 0xfbff, 0xfc00, 0xfbff, 0xfc00}, all(OF | NX));
  check_rm(kFcvtHS, s(0x7f80'0000), {h_inf, h_inf, h_inf, h_inf, h_inf}, all(0)); // inf is exact
  // 2^-25: halfway between 0 and the smallest subnormal (tiny and inexact: underflow)
  check_rm(kFcvtHS, s(0x3300'0000), {0, 0, 0, h_min_sub, h_min_sub}, all(UF | NX));
  check_rm(kFcvtHS, s(0x3380'0000), {h_min_sub, h_min_sub, h_min_sub, h_min_sub, h_min_sub}, all(0));
  // 3 * 2^-25: 1.5 subnormal units
  check_rm(kFcvtHS, s(0x33c0'0000), {0x0002, 0x0001, 0x0001, 0x0002, 0x0002}, all(UF | NX));
  // 2^-14 (1 - 2^-12): rounds up to the smallest normal in rne (not tiny after rounding, so no
  // underflow), down to the largest subnormal in rtz (tiny: underflow)
  check_rm(kFcvtHS, s(0x387f'f000), {h_min_norm, 0x03ff, 0x03ff, h_min_norm, h_min_norm},
           {NX, UF | NX, UF | NX, NX, NX});
}

TEST_F(ZfhminTest, FcvtHdRoundsOnceFromDouble) {
  // 1 + 2^-11 + 2^-40: just above halfway. Rounding to single first would lose 2^-40 and then
  // tie to even (0x3c00); rounding once gives 0x3c01 in rne.
  check_rm(kFcvtHD, 0x3ff0'0200'0000'1000ull, {0x3c01, 0x3c00, 0x3c00, 0x3c01, 0x3c01}, all(NX));
  check_rm(kFcvtHD, 0x3ff0'0000'0000'0000ull, {h_one, h_one, h_one, h_one, h_one}, all(0));
  check_rm(kFcvtHD, 0xbff0'0000'0000'0000ull, {h_m_one, h_m_one, h_m_one, h_m_one, h_m_one}, all(0));
  check_rm(kFcvtHD, 0x7e37'e43c'8800'759cull, {h_inf, h_max, h_max, h_inf, h_inf}, all(OF | NX)); // 1e300
  check_rm(kFcvtHD, 0x0000'0000'0000'0001ull, {0, 0, 0, h_min_sub, 0}, all(UF | NX)); // the least double
}

TEST_F(ZfhminTest, IllegalWithFsOffOrAReservedRoundingMode) {
  const u32 insns[] = {
      0x00059507, // flh fa0,0(a1)
      0x00b59027, // fsh fa1,0(a1)
      0xe4058553, // fmv.x.h a0,fa1
      0xf4058553, // fmv.h.x fa0,a1
      0x40258553, // fcvt.s.h fa0,fa1
      0x4405f553, // fcvt.h.s fa0,fa1
      0x42258553, // fcvt.d.h fa0,fa1
      0x4415f553, // fcvt.h.d fa0,fa1
  };
  st.mstatus &= ~(3ull << 13); // FS = Off
  st.x[a1] = kData;
  for (u32 insn : insns) {
    SCOPED_TRACE(::testing::Message() << std::hex << "insn 0x" << insn);
    st.f[fa0] = 0x1234;
    st.x[a0] = 0x5678;
    EXPECT_TRUE(illegal(insn));
    EXPECT_EQ(st.f[fa0], 0x1234u);
    EXPECT_EQ(st.x[a0], 0x5678u);
  }
  EXPECT_EQ(fs(), 0u);
  fp_on();
  for (u32 insn : {0x40258553u, 0x4405f553u, 0x42258553u, 0x4415f553u}) // the conversions
    for (unsigned rm : {5u, 6u}) EXPECT_TRUE(illegal(with_rm(insn, rm))) << std::hex << insn;
  st.fcsr = 5u << 5; // rm = dyn with a reserved frm
  EXPECT_TRUE(illegal(0x4405f553)); // fcvt.h.s fa0,fa1
  // The moves have no rounding mode: a reserved frm does not matter.
  st.x[a1] = 0x3c00;
  exec(0xf4058553); // fmv.h.x fa0,a1
  EXPECT_EQ(st.f[fa0], h(h_one));
}

TEST_F(ZfhminTest, WritesMakeFsDirty) {
  for (u32 insn : {0xf4058553u /* fmv.h.x fa0,a1 */, 0x44058553u /* fcvt.h.s fa0,fa1,rne */,
                   0x42258553u /* fcvt.d.h fa0,fa1 */}) {
    fp_on();
    st.f[fa1] = h(h_one);
    exec(insn);
    EXPECT_EQ(fs(), 3u) << std::hex << insn;
  }
  fp_on();
  exec(0xe4058553); // fmv.x.h a0,fa1: writes no f register
  EXPECT_EQ(fs(), 1u);
}

} // namespace
