// Tests for the privileged side of RVA22S64 in include/retrace/cpu/hart.hpp, executed by
// Hart::step() on a bare hart: Sstc (stimecmp, menvcfg.STCE), menvcfg/senvcfg, Zicbom/Zicboz,
// Svinval, Svpbmt, Sv48/Sv57, counter writes (minstret, mcycle), Sscounterenw and the Sdtrig
// triggers. The fast engines' side (exact-icount timer interrupts, triggers, cbo.zero over
// code) is in engine_test.cpp.
//
// Instructions are encoded words with the assembly in a trailing comment (as objdump
// -M no-aliases prints them). The instruction under test sits at 0x8000'0000; data at
// 0x8000'1000; mtvec is 0x8000'8000; page tables live from 0x8001'0000. Loads and stores
// "from S-mode" run in M-mode with MPRV and MPP = S where only translation matters.
#include "retrace/cpu/hart.hpp"
#include "retrace/isa/extensions.hpp"

#include <cereal/archives/binary.hpp>
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>

namespace {

using retrace::Hart;
using retrace::HartState;
using retrace::Priv;
using retrace::isa::Ext;
using retrace::isa::ExtSet;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using Step = Hart::StepResult;

constexpr u64 kBase = 0x8000'0000;
constexpr u64 kData = kBase + 0x1000;
constexpr u64 kTrap = kBase + 0x8000;
constexpr u64 kTables = kBase + 0x1'0000; // page tables, 4 KiB each

// mcause values
constexpr u64 kIllegal = 2, kBreakpoint = 3, kStoreAccess = 7, kLoadPageFault = 13, kStorePageFault = 15;
constexpr u64 kInterrupt = 1ull << 63;

enum : unsigned { a0 = 10, a1 = 11, a2 = 12 };

// mstatus, menvcfg, PTE bits
constexpr u64 kMprv = 1ull << 17, kMppS = 1ull << 11, kMxr = 1ull << 19, kSum = 1ull << 18, kTvm = 1ull << 20;
constexpr u64 kFiom = 1, kCbie = 3ull << 4, kCbcfe = 1ull << 6, kCbze = 1ull << 7, kPbmte = 1ull << 62,
              kStce = 1ull << 63;
constexpr u64 V = 1, R = 2, W = 4, X = 8, U = 16, A = 64, D = 128;
constexpr u64 kStip = 1ull << 5;

constexpr u64 pte(u64 pa, u64 flags) { return ((pa >> 12) << 10) | flags; }

// The words used below.
constexpr u32 csrr_a0_stimecmp = 0x14d02573;  // csrrs a0,stimecmp,zero
constexpr u32 csrw_stimecmp_a1 = 0x14d59073;  // csrrw zero,stimecmp,a1
constexpr u32 csrr_a0_menvcfg = 0x30a02573;   // csrrs a0,menvcfg,zero
constexpr u32 csrw_menvcfg_a1 = 0x30a59073;   // csrrw zero,menvcfg,a1
constexpr u32 csrr_a0_senvcfg = 0x10a02573;   // csrrs a0,senvcfg,zero
constexpr u32 csrw_senvcfg_a1 = 0x10a59073;   // csrrw zero,senvcfg,a1
constexpr u32 csrr_a0_mseccfg = 0x74702573;   // csrrs a0,0x747,zero
constexpr u32 csrw_mseccfg_a1 = 0x74759073;   // csrrw zero,0x747,a1
constexpr u32 csrr_a0_mip = 0x34402573;       // csrrs a0,mip,zero
constexpr u32 csrw_mip_a1 = 0x34459073;       // csrrw zero,mip,a1
constexpr u32 cbo_zero_a1 = 0x0045a00f;       // cbo.zero (a1)
constexpr u32 cbo_clean_a1 = 0x0015a00f;      // cbo.clean (a1)
constexpr u32 cbo_flush_a1 = 0x0025a00f;      // cbo.flush (a1)
constexpr u32 cbo_inval_a1 = 0x0005a00f;      // cbo.inval (a1)
constexpr u32 sinval_vma = 0x16000073;        // sinval.vma zero,zero
constexpr u32 sinval_vma_a1_a2 = 0x16c58073;  // sinval.vma a1,a2
constexpr u32 sfence_w_inval = 0x18000073;    // sfence.w.inval
constexpr u32 sfence_inval_ir = 0x18100073;   // sfence.inval.ir
constexpr u32 csrw_satp_a1 = 0x18059073;      // csrrw zero,satp,a1
constexpr u32 csrw_minstret_a1 = 0xb0259073;  // csrrw zero,minstret,a1
constexpr u32 csrr_a0_minstret = 0xb0202573;  // csrrs a0,minstret,zero
constexpr u32 csrw_mcycle_a1 = 0xb0059073;    // csrrw zero,mcycle,a1
constexpr u32 csrr_a0_mcycle = 0xb0002573;    // csrrs a0,mcycle,zero
constexpr u32 csrw_mcountinhibit_a1 = 0x32059073; // csrrw zero,mcountinhibit,a1
constexpr u32 csrr_a0_instret = 0xc0202573;   // csrrs a0,instret,zero
constexpr u32 csrr_a0_time = 0xc0102573;      // csrrs a0,time,zero
constexpr u32 csrw_scounteren_a1 = 0x10659073; // csrrw zero,scounteren,a1
constexpr u32 csrr_a0_scounteren = 0x10602573; // csrrs a0,scounteren,zero
constexpr u32 csrw_tselect_a1 = 0x7a059073;   // csrrw zero,tselect,a1
constexpr u32 csrr_a0_tselect = 0x7a002573;   // csrrs a0,tselect,zero
constexpr u32 csrw_tdata1_a1 = 0x7a159073;    // csrrw zero,tdata1,a1
constexpr u32 csrr_a0_tdata1 = 0x7a102573;    // csrrs a0,tdata1,zero
constexpr u32 csrw_tdata2_a1 = 0x7a259073;    // csrrw zero,tdata2,a1
constexpr u32 csrr_a0_tdata2 = 0x7a202573;    // csrrs a0,tdata2,zero
constexpr u32 csrr_a0_tdata3 = 0x7a302573;    // csrrs a0,tdata3,zero
constexpr u32 csrr_a0_tinfo = 0x7a402573;     // csrrs a0,tinfo,zero
constexpr u32 csrw_tcontrol_a1 = 0x7a559073;  // csrrw zero,tcontrol,a1
constexpr u32 ld_a0_a1 = 0x0005b503;          // ld a0,0(a1)
constexpr u32 lw_a0_a1 = 0x0005a503;          // lw a0,0(a1)
constexpr u32 sd_a2_a1 = 0x00c5b023;          // sd a2,0(a1)
constexpr u32 lr_d_a0_a1 = 0x1005b52f;        // lr.d a0,(a1)
constexpr u32 amoadd_d = 0x00c5b52f;          // amoadd.d a0,a2,(a1)
constexpr u32 nop = 0x00000013;               // addi zero,zero,0
constexpr u32 mret = 0x30200073;              // mret

// mcontrol6 (Sdtrig) tdata1 values
constexpr u64 kType6 = 6ull << 60, kDisabled = 15ull << 60;
constexpr u64 tLoad = 1, tStore = 2, tExec = 4, tU = 8, tS = 16, tM = 64, tSelect = 1ull << 21, tHit0 = 1ull << 22;
constexpr u64 match(unsigned m) { return u64{m} << 7; }

class PrivTest : public ::testing::Test {
protected:
  retrace::Bus bus{kBase, 2u << 20};
  retrace::FixedTime time;
  Hart hart{0, bus, time};
  HartState& s = hart.state();

  PrivTest() { s.mtvec = kTrap; }

  Step run(u32 insn, u64 pc = kBase) {
    bus.write_ram(pc, &insn, sizeof insn);
    s.pc = pc;
    return hart.step();
  }
  void exec(u32 insn, u64 pc = kBase) { EXPECT_EQ(run(insn, pc), Step::retired) << "insn 0x" << std::hex << insn; }
  // Runs insn in `priv` (PMP open for S and U), then back to M.
  Step run_as(Priv priv, u32 insn) {
    open_pmp();
    s.priv = priv;
    const Step r = run(insn);
    return r;
  }
  ::testing::AssertionResult trapped(Step r, u64 cause, u64 tval, u64 epc = kBase) {
    if (r != Step::trapped) return ::testing::AssertionFailure() << "did not trap";
    if (s.mcause != cause) return ::testing::AssertionFailure() << "mcause " << s.mcause << ", want " << cause;
    if (s.mtval != tval)
      return ::testing::AssertionFailure() << std::hex << "mtval 0x" << s.mtval << ", want 0x" << tval;
    if (s.mepc != epc) return ::testing::AssertionFailure() << std::hex << "mepc 0x" << s.mepc << ", want 0x" << epc;
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult illegal_as(Priv priv, u32 insn) { return trapped(run_as(priv, insn), kIllegal, insn); }
  void open_pmp() {
    s.pmpaddr[0] = (1ull << 54) - 1;
    s.pmpcfg[0] = 0x1f; // NAPOT, RWX
  }
  u64 mem(u64 addr) {
    u64 v = 0;
    EXPECT_TRUE(bus.load(addr, 8, v));
    return v;
  }
  void set_mem(u64 addr, u64 v) { EXPECT_TRUE(bus.store(addr, 8, v)); }
  u64 csr(u32 csrr_word) {
    s.x[a0] = 0xbad;
    exec(csrr_word);
    return s.x[a0];
  }
  void set_csr(u32 csrw_word, u64 v) {
    s.x[a1] = v;
    exec(csrw_word);
  }
  // Loads and stores below use S-mode translation: M-mode with MPRV, MPP = S.
  void mprv_s() { s.mstatus = (s.mstatus & ~(3ull << 11)) | kMppS | kMprv; }
  // A fresh page table at kTables + 4 KiB * k.
  u64 table(unsigned k) {
    const u64 t = kTables + 0x1000ull * k;
    for (u64 off = 0; off < 0x1000; off += 8) set_mem(t + off, 0);
    return t;
  }
  void set_pte(u64 table_pa, u64 va, unsigned level, u64 value) {
    set_mem(table_pa + ((va >> (12 + 9 * level)) & 511) * 8, value);
  }
};

// =============================================================================================
// Sstc
// =============================================================================================

TEST_F(PrivTest, StimecmpNeedsStceAndTmBelowM) {
  EXPECT_EQ(csr(csrr_a0_stimecmp), ~u64{0}); // reset: never
  set_csr(csrw_stimecmp_a1, 1234);           // M-mode: always, STCE or not
  EXPECT_EQ(s.stimecmp, 1234u);
  EXPECT_TRUE(illegal_as(Priv::s, csrr_a0_stimecmp)); // STCE = 0
  s.priv = Priv::m;
  s.menvcfg = kStce;
  EXPECT_TRUE(illegal_as(Priv::s, csrr_a0_stimecmp)); // STCE = 1, mcounteren.TM = 0
  s.mcounteren = 2;                                    // TM
  s.priv = Priv::s;
  s.x[a0] = 0;
  exec(csrr_a0_stimecmp);
  EXPECT_EQ(s.x[a0], 1234u);
  s.x[a1] = 99;
  exec(csrw_stimecmp_a1);
  EXPECT_EQ(s.stimecmp, 99u);
  s.scounteren = 2;
  EXPECT_TRUE(illegal_as(Priv::u, csrr_a0_stimecmp)); // an S-level CSR
}

TEST_F(PrivTest, StipIsTimeAtLeastStimecmpWithStce) {
  bool attention = false;
  hart.set_attention(&attention);
  time.value = 1000;
  set_csr(csrw_stimecmp_a1, 1500);
  EXPECT_TRUE(attention) << "a stimecmp write moves a deadline";
  EXPECT_EQ(s.mip & kStip, 0u);
  EXPECT_EQ(hart.stimer_compare(), ~u64{0}) << "STCE = 0: stimecmp drives nothing";
  // STCE = 0: STIP is software's, through mip
  set_csr(csrw_mip_a1, kStip);
  EXPECT_EQ(s.mip & kStip, kStip);
  set_csr(csrw_mip_a1, 0);
  EXPECT_EQ(s.mip & kStip, 0u);
  // STCE = 1: STIP = time >= stimecmp, and mip cannot write it
  attention = false;
  set_csr(csrw_menvcfg_a1, kStce);
  EXPECT_TRUE(attention);
  EXPECT_EQ(hart.stimer_compare(), 1500u);
  EXPECT_EQ(s.mip & kStip, 0u);
  set_csr(csrw_mip_a1, kStip);
  EXPECT_EQ(s.mip & kStip, 0u) << "mip.STIP is read-only with STCE";
  time.value = 1499;
  hart.update_stimer(time.value);
  EXPECT_EQ(s.mip & kStip, 0u);
  time.value = 1500;
  hart.update_stimer(time.value);
  EXPECT_EQ(csr(csrr_a0_mip) & kStip, kStip);
  set_csr(csrw_stimecmp_a1, 1501); // into the future again: STIP falls at once
  EXPECT_EQ(s.mip & kStip, 0u);
  set_csr(csrw_stimecmp_a1, 0); // into the past: rises at once
  EXPECT_EQ(s.mip & kStip, kStip);
  set_csr(csrw_mip_a1, 0);
  EXPECT_EQ(s.mip & kStip, kStip);
}

TEST_F(PrivTest, SupervisorTimerInterruptIsTakenInS) {
  time.value = 10;
  s.menvcfg = kStce;
  s.mcounteren = 2;
  s.mideleg = kStip;
  s.mie = kStip;
  s.stvec = kBase + 0x4000;
  s.stimecmp = 20;
  s.mstatus |= 1u << 1; // SIE
  hart.update_stimer(time.value);
  EXPECT_EQ(run_as(Priv::s, nop), Step::retired);
  EXPECT_EQ(s.pc, kBase + 4);
  time.value = 20;
  hart.update_stimer(time.value);
  bus.write_ram(kBase + 0x4000, &nop, 4);
  EXPECT_EQ(hart.step(), Step::retired); // the interrupt, then the handler's first instruction
  EXPECT_EQ(s.scause, kInterrupt | 5);
  EXPECT_EQ(s.sepc, kBase + 4);
  EXPECT_EQ(s.pc, kBase + 0x4004);
}

TEST_F(PrivTest, WithoutSstcStimecmpIsIllegalAndStceReadsZero) {
  hart.set_extensions(ExtSet::rv64gc());
  s.mtvec = kTrap;
  EXPECT_TRUE(trapped(run(csrr_a0_stimecmp), kIllegal, csrr_a0_stimecmp));
  set_csr(csrw_menvcfg_a1, ~u64{0});
  EXPECT_EQ(csr(csrr_a0_menvcfg), kFiom) << "rv64gc: no CBO enables, PBMTE or STCE";
}

TEST_F(PrivTest, TimeReadsTheTimeSourceBehindMcounterenAndScounteren) {
  time.value = 777;
  EXPECT_EQ(csr(csrr_a0_time), 777u);
  EXPECT_TRUE(illegal_as(Priv::s, csrr_a0_time));
  s.mcounteren = 2;
  s.priv = Priv::s;
  exec(csrr_a0_time);
  EXPECT_EQ(s.x[a0], 777u);
  EXPECT_TRUE(illegal_as(Priv::u, csrr_a0_time));
  s.scounteren = 2;
  s.priv = Priv::u;
  exec(csrr_a0_time);
  EXPECT_EQ(s.x[a0], 777u);
}

// =============================================================================================
// menvcfg, senvcfg, mseccfg
// =============================================================================================

TEST_F(PrivTest, EnvcfgFields) {
  set_csr(csrw_menvcfg_a1, ~u64{0});
  EXPECT_EQ(csr(csrr_a0_menvcfg), kFiom | kCbie | kCbcfe | kCbze | kPbmte | kStce);
  set_csr(csrw_senvcfg_a1, ~u64{0});
  EXPECT_EQ(csr(csrr_a0_senvcfg), kFiom | kCbie | kCbcfe | kCbze) << "no PBMTE or STCE in senvcfg";
  set_csr(csrw_menvcfg_a1, 2ull << 4); // CBIE = 10 is reserved
  EXPECT_EQ(csr(csrr_a0_menvcfg), 0u);
  set_csr(csrw_senvcfg_a1, 1ull << 4);
  EXPECT_EQ(csr(csrr_a0_senvcfg), 1ull << 4);
  // senvcfg from S; menvcfg is M-only
  EXPECT_TRUE(illegal_as(Priv::s, csrr_a0_menvcfg));
  s.priv = Priv::s;
  exec(csrr_a0_senvcfg);
  EXPECT_TRUE(illegal_as(Priv::u, csrr_a0_senvcfg));
  s.priv = Priv::m;
  EXPECT_EQ(csr(csrr_a0_mseccfg), 0u);
  set_csr(csrw_mseccfg_a1, ~u64{0});
  EXPECT_EQ(csr(csrr_a0_mseccfg), 0u);
}

// =============================================================================================
// Zicbom, Zicboz
// =============================================================================================

TEST_F(PrivTest, CboZeroZeroesTheAlignedBlock) {
  for (u64 off = 0; off < 0x100; off += 8) set_mem(kData + off, 0x1111'1111'1111'1111ull * (off / 8 + 1));
  s.x[a1] = kData + 0x40 + 0x2b; // inside the second block
  exec(cbo_zero_a1);
  EXPECT_EQ(s.pc, kBase + 4);
  EXPECT_NE(mem(kData + 0x38), 0u);
  for (u64 off = 0x40; off < 0x80; off += 8) EXPECT_EQ(mem(kData + off), 0u) << off;
  EXPECT_NE(mem(kData + 0x80), 0u);
}

TEST_F(PrivTest, CboZeroBreaksTheReservation) {
  s.reservation = kData + 0x10;
  s.reservation_valid = true;
  s.x[a1] = kData + 0x3f;
  exec(cbo_zero_a1);
  EXPECT_FALSE(s.reservation_valid);
  s.reservation = kData + 0x40;
  s.reservation_valid = true;
  exec(cbo_zero_a1);
  EXPECT_TRUE(s.reservation_valid) << "another block";
}

TEST_F(PrivTest, CboEnablesPerMode) {
  s.x[a1] = kData;
  // M-mode: always
  for (u32 w : {cbo_zero_a1, cbo_clean_a1, cbo_flush_a1, cbo_inval_a1}) exec(w);
  // S-mode: menvcfg's field; U-mode: menvcfg's and senvcfg's
  for (u32 w : {cbo_zero_a1, cbo_clean_a1, cbo_flush_a1, cbo_inval_a1}) {
    s.priv = Priv::m;
    EXPECT_TRUE(illegal_as(Priv::s, w)) << std::hex << w;
  }
  struct Case {
    u32 insn;
    u64 field;
  } cases[] = {{cbo_zero_a1, kCbze}, {cbo_clean_a1, kCbcfe}, {cbo_flush_a1, kCbcfe}, {cbo_inval_a1, 1ull << 4},
               {cbo_inval_a1, kCbie}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.insn);
    s.menvcfg = c.field;
    s.senvcfg = 0;
    EXPECT_EQ(run_as(Priv::s, c.insn), Step::retired);
    EXPECT_TRUE(illegal_as(Priv::u, c.insn));
    s.senvcfg = c.field;
    EXPECT_EQ(run_as(Priv::u, c.insn), Step::retired);
    s.menvcfg = 0;
    EXPECT_TRUE(illegal_as(Priv::u, c.insn)) << "menvcfg gates U too";
  }
  // the other instructions' fields do not enable one
  s.menvcfg = s.senvcfg = kCbie | kCbcfe;
  EXPECT_TRUE(illegal_as(Priv::s, cbo_zero_a1));
  s.menvcfg = s.senvcfg = kCbze;
  EXPECT_TRUE(illegal_as(Priv::s, cbo_clean_a1));
  EXPECT_TRUE(illegal_as(Priv::s, cbo_inval_a1));
}

TEST_F(PrivTest, CboTranslatesAndFaultsAsAStoreWithRs1InTval) {
  // Sv39: root[2] -> leaf table; pages: 0 read-only, 1 read-write (A, D clear), 2 execute-only,
  // 3 not mapped. Data through MPRV.
  const u64 root = table(0), mid = table(1), leaf = table(2);
  const u64 va = 0x8000'0000; // vpn2 = 2
  set_pte(root, va, 2, pte(mid, V));
  set_pte(mid, va, 1, pte(leaf, V));
  set_pte(leaf, va + 0x0000, 0, pte(kData, V | R | A));
  set_pte(leaf, va + 0x1000, 0, pte(kData + 0x1000, V | R | W));
  set_pte(leaf, va + 0x2000, 0, pte(kData + 0x2000, V | X | A));
  s.satp = (8ull << 60) | (root >> 12);
  s.menvcfg = kCbze | kCbcfe | kCbie;
  open_pmp();
  mprv_s();
  set_mem(kData + 0x1040, 0x55);
  // cbo.zero needs write permission: a store page fault on the read-only page, tval = rs1
  s.x[a1] = va + 0x10;
  EXPECT_TRUE(trapped(run(cbo_zero_a1), kStorePageFault, va + 0x10));
  // clean, flush, inval need what a load needs: fine on the read-only page
  mprv_s();
  for (u32 w : {cbo_clean_a1, cbo_flush_a1, cbo_inval_a1}) exec(w);
  // the writable page: cbo.clean sets A only, cbo.zero sets A and D and zeroes
  s.x[a1] = va + 0x1041;
  exec(cbo_clean_a1);
  EXPECT_EQ(mem(leaf + 8) & (A | D), A);
  exec(cbo_zero_a1);
  EXPECT_EQ(mem(leaf + 8) & (A | D), A | D);
  EXPECT_EQ(mem(kData + 0x1040), 0u);
  // execute-only: no access, so a store page fault for every CBO; with MXR readable
  s.x[a1] = va + 0x2008;
  for (u32 w : {cbo_clean_a1, cbo_flush_a1, cbo_inval_a1, cbo_zero_a1}) {
    mprv_s();
    EXPECT_TRUE(trapped(run(w), kStorePageFault, va + 0x2008)) << std::hex << w;
  }
  mprv_s();
  s.mstatus |= kMxr;
  exec(cbo_clean_a1);
  s.mstatus &= ~kMxr;
  // not mapped
  s.x[a1] = va + 0x3000;
  mprv_s();
  EXPECT_TRUE(trapped(run(cbo_flush_a1), kStorePageFault, va + 0x3000));
}

TEST_F(PrivTest, CboChecksPmpOverTheWholeBlock) {
  // PMP: entry 0 lets S read and write [kData, kData + 0x20) only, entry 1 the rest of RAM
  // with read only from kData + 0x1000 on.
  s.pmpaddr[0] = (kData + 0x20) >> 2;
  s.pmpcfg[0] = 0x08 | 3; // TOR, RW: [0, kData + 0x20)
  s.pmpaddr[1] = (kData + 0x1000) >> 2;
  s.pmpcfg[1] = 0x08;     // TOR, no access: [kData + 0x20, kData + 0x1000)
  s.pmpaddr[2] = (1ull << 54) - 1;
  s.pmpcfg[2] = 0x08 | 1; // TOR, R: the rest
  s.menvcfg = kCbze | kCbcfe;
  mprv_s(); // bare satp: S-mode accesses physical, PMP checked
  s.x[a1] = kData + 8;
  EXPECT_TRUE(trapped(run(cbo_zero_a1), kStoreAccess, kData + 8)) << "the block is only half writable";
  mprv_s();
  EXPECT_TRUE(trapped(run(cbo_clean_a1), kStoreAccess, kData + 8)) << "nor readable";
  mprv_s();
  s.x[a1] = kData + 0x1010;
  exec(cbo_clean_a1); // readable: management is allowed
  EXPECT_TRUE(trapped(run(cbo_zero_a1), kStoreAccess, kData + 0x1010)) << "not writable";
}

TEST_F(PrivTest, CboOutsideAnyDeviceIsAnAccessFault) {
  s.x[a1] = 0x3000'0010; // nothing is mapped there
  EXPECT_TRUE(trapped(run(cbo_zero_a1), kStoreAccess, 0x3000'0010));
  EXPECT_TRUE(trapped(run(cbo_flush_a1), kStoreAccess, 0x3000'0010));
}

// =============================================================================================
// Svinval
// =============================================================================================

TEST_F(PrivTest, SvinvalPermissions) {
  exec(sinval_vma);
  exec(sinval_vma_a1_a2);
  exec(sfence_w_inval);
  exec(sfence_inval_ir);
  for (u32 w : {sinval_vma, sfence_w_inval, sfence_inval_ir}) EXPECT_EQ(run_as(Priv::s, w), Step::retired);
  s.mstatus |= kTvm;
  EXPECT_TRUE(illegal_as(Priv::s, sinval_vma)) << "as sfence.vma";
  s.priv = Priv::s;
  exec(sfence_w_inval); // TVM does not cover the fences
  exec(sfence_inval_ir);
  s.mstatus &= ~kTvm;
  for (u32 w : {sinval_vma, sfence_w_inval, sfence_inval_ir}) {
    s.priv = Priv::m;
    EXPECT_TRUE(illegal_as(Priv::u, w)) << std::hex << w;
  }
}

TEST_F(PrivTest, ACachedTranslationFollowsItsPteAndSinvalVmaKeepsIt) {
  // In S-mode (code on an identity gigapage): a load fills the TLB, the PTE is rewritten, and
  // the next load sees the new frame already, fence or not: a TLB entry never outlives the PTE it
  // came from (so when TLB entries are dropped, by a snapshot for one, cannot change a run).
  const u64 root = table(0), mid = table(1), leaf = table(2);
  const u64 va = 0x4000'0000;
  set_pte(root, kBase, 2, pte(kBase, V | R | W | X | A | D));
  set_pte(root, va, 2, pte(mid, V));
  set_pte(mid, va, 1, pte(leaf, V));
  set_pte(leaf, va, 0, pte(kData, V | R | A));
  set_mem(kData, 1);
  set_mem(kData + 0x1000, 2);
  s.satp = (8ull << 60) | (root >> 12);
  open_pmp();
  s.priv = Priv::s;
  s.x[a1] = va;
  exec(ld_a0_a1);
  EXPECT_EQ(s.x[a0], 1u);
  set_pte(leaf, va, 0, pte(kData + 0x1000, V | R | A));
  exec(ld_a0_a1);
  EXPECT_EQ(s.x[a0], 2u) << "the old translation was used";
  exec(sinval_vma);
  exec(ld_a0_a1);
  EXPECT_EQ(s.x[a0], 2u);
  // The same when the hart itself rewrites the PTE (through its own store TLB, the second time).
  for (u64 frame : {kData, kData + 0x1000, kData}) {
    s.x[a1] = leaf + ((va >> 12) & 511) * 8;
    s.x[a2] = pte(frame, V | R | A);
    exec(sd_a2_a1);
    s.x[a1] = va;
    exec(ld_a0_a1);
    EXPECT_EQ(s.x[a0], frame == kData ? 1u : 2u);
  }
}

// =============================================================================================
// Svpbmt
// =============================================================================================

TEST_F(PrivTest, PbmtBitsNeedPbmteAndReservedBitsFault) {
  const u64 root = table(0), mid = table(1), leaf = table(2);
  const u64 va = 0x4000'0000;
  set_pte(root, va, 2, pte(mid, V));
  set_pte(mid, va, 1, pte(leaf, V));
  s.satp = (8ull << 60) | (root >> 12);
  open_pmp();
  set_mem(kData, 0x77);
  const auto load = [&](u64 leaf_pte) {
    set_pte(leaf, va, 0, leaf_pte);
    exec(sinval_vma);
    mprv_s();
    s.x[a1] = va;
    s.x[a0] = 0;
    return run(ld_a0_a1);
  };
  const u64 ok = pte(kData, V | R | A);
  EXPECT_EQ(load(ok), Step::retired);
  EXPECT_EQ(s.x[a0], 0x77u);
  // PBMT = NC (1), IO (2) without PBMTE: page fault
  EXPECT_TRUE(trapped(load(ok | (1ull << 61)), kLoadPageFault, va));
  EXPECT_TRUE(trapped(load(ok | (2ull << 61)), kLoadPageFault, va));
  s.menvcfg = kPbmte;
  EXPECT_EQ(load(ok | (1ull << 61)), Step::retired);
  EXPECT_EQ(s.x[a0], 0x77u) << "memory attributes change nothing here";
  EXPECT_EQ(load(ok | (2ull << 61)), Step::retired);
  // 3 is reserved; bits 60..54 are reserved; N (63) without Svnapot
  EXPECT_TRUE(trapped(load(ok | (3ull << 61)), kLoadPageFault, va));
  EXPECT_TRUE(trapped(load(ok | (1ull << 54)), kLoadPageFault, va));
  EXPECT_TRUE(trapped(load(ok | (1ull << 60)), kLoadPageFault, va));
  EXPECT_TRUE(trapped(load(ok | (1ull << 63)), kLoadPageFault, va));
  // PBMT in a non-leaf PTE is reserved
  set_pte(mid, va, 1, pte(leaf, V) | (1ull << 61));
  EXPECT_TRUE(trapped(load(ok), kLoadPageFault, va));
  // without Svpbmt, PBMTE cannot be set
  hart.set_extensions(ExtSet().without(Ext::svpbmt));
  s.mtvec = kTrap;
  set_csr(csrw_menvcfg_a1, kPbmte);
  EXPECT_EQ(s.menvcfg, 0u);
}

// =============================================================================================
// Sv48, Sv57
// =============================================================================================

TEST_F(PrivTest, SatpAcceptsTheModesTheExtensionsAllow) {
  const u64 sv39 = 8ull << 60, sv48 = 9ull << 60, sv57 = 10ull << 60, ppn = 0x80010;
  EXPECT_EQ(hart.max_satp_mode(), 10u);
  for (u64 mode : {sv48, sv57, sv39, u64{0}}) {
    set_csr(csrw_satp_a1, mode | ppn);
    EXPECT_EQ(s.satp, mode | ppn);
  }
  set_csr(csrw_satp_a1, sv39 | ppn);
  for (u64 bad : {1ull << 60, 7ull << 60, 11ull << 60, 15ull << 60}) {
    set_csr(csrw_satp_a1, bad | 5);
    EXPECT_EQ(s.satp, sv39 | ppn) << "WARL: unchanged";
  }
  hart.set_extensions(ExtSet().without(Ext::sv57));
  EXPECT_EQ(hart.max_satp_mode(), 9u);
  set_csr(csrw_satp_a1, sv57 | ppn);
  EXPECT_EQ(s.satp, sv39 | ppn);
  set_csr(csrw_satp_a1, sv48 | ppn);
  EXPECT_EQ(s.satp, sv48 | ppn);
  hart.set_extensions(ExtSet::rv64gc()); // --cpu rv64gc: Sv39 only
  EXPECT_EQ(hart.max_satp_mode(), 8u);
  set_csr(csrw_satp_a1, sv48 | ppn);
  EXPECT_EQ(s.satp, sv48 | ppn) << "unchanged";
  set_csr(csrw_satp_a1, sv39 | 7);
  set_csr(csrw_satp_a1, sv48 | ppn);
  EXPECT_EQ(s.satp, sv39 | 7);
}

TEST_F(PrivTest, Sv48WalksFourLevelsWithSuperpagesAndCanonicalChecks) {
  const u64 root = table(0), l2 = table(1), l1 = table(2), l0 = table(3), l2b = table(4), l1b = table(5);
  const u64 page_va = 0x0000'7f12'3456'7000ull; // four levels to a 4 KiB page
  set_pte(root, page_va, 3, pte(l2, V));
  set_pte(l2, page_va, 2, pte(l1, V));
  set_pte(l1, page_va, 1, pte(l0, V));
  set_pte(l0, page_va, 0, pte(kData, V | R | W | A | D));
  // vpn3 = 1: a 512 GiB page at PA 0 (VA 0x80'0000'0000 + pa)
  set_pte(root, 0x80'0000'0000ull, 3, pte(0, V | R | W | A | D));
  // vpn3 = 2: a 512 GiB page whose PPN is not 512 GiB aligned
  set_pte(root, 0x100'0000'0000ull, 3, pte(0x4000'0000, V | R | A));
  // vpn3 = 3, vpn2 = 2: a 1 GiB page; vpn2 = 3, vpn1 = 0: a 2 MiB page, both at RAM's base
  set_pte(root, 0x180'0000'0000ull, 3, pte(l2b, V));
  set_mem(l2b + 2 * 8, pte(kBase, V | R | A));
  set_mem(l2b + 3 * 8, pte(l1b, V));
  set_mem(l1b, pte(kBase, V | R | A));
  set_mem(kData + 0x18, 0x4848);
  s.satp = (9ull << 60) | (root >> 12);
  open_pmp();
  const auto load = [&](u64 va) {
    mprv_s();
    s.x[a1] = va;
    s.x[a0] = 0;
    return run(ld_a0_a1);
  };
  EXPECT_EQ(load(page_va + 0x18), Step::retired);
  EXPECT_EQ(s.x[a0], 0x4848u);
  EXPECT_EQ(load(0x80'0000'0000ull + kData + 0x18), Step::retired);
  EXPECT_EQ(s.x[a0], 0x4848u) << "512 GiB superpage";
  EXPECT_EQ(load(0x180'0000'0000ull + 0x8000'0000ull + 0x1018), Step::retired);
  EXPECT_EQ(s.x[a0], 0x4848u) << "1 GiB superpage";
  EXPECT_EQ(load(0x180'0000'0000ull + 0xc000'0000ull + 0x1018), Step::retired);
  EXPECT_EQ(s.x[a0], 0x4848u) << "2 MiB superpage";
  EXPECT_TRUE(trapped(load(0x100'0000'0000ull), kLoadPageFault, 0x100'0000'0000ull)) << "misaligned superpage";
  // canonical: bits 63..48 equal bit 47
  EXPECT_TRUE(trapped(load(0x0000'8000'0000'0000ull), kLoadPageFault, 0x0000'8000'0000'0000ull));
  EXPECT_TRUE(trapped(load(0x0001'0000'0000'1000ull), kLoadPageFault, 0x0001'0000'0000'1000ull));
  EXPECT_TRUE(trapped(load(0xffff'0000'0000'0000ull), kLoadPageFault, 0xffff'0000'0000'0000ull));
  // 0xffff'8000'0000'0000 is canonical (vpn3 = 256, unmapped): still a page fault, from the walk
  EXPECT_TRUE(trapped(load(0xffff'8000'0000'0000ull), kLoadPageFault, 0xffff'8000'0000'0000ull));
  // A Sv39-canonical address that is not a Sv48 one resolves differently: 0x80'0000'0000 has
  // bit 39 set, so it is the 512 GiB page above, not a fault as it would be under Sv39.
  s.satp = (8ull << 60) | (root >> 12);
  EXPECT_TRUE(trapped(load(0x80'0000'0000ull + kData), kLoadPageFault, 0x80'0000'0000ull + kData));
}

TEST_F(PrivTest, Sv57WalksFiveLevelsWithSuperpagesAndCanonicalChecks) {
  const u64 root = table(0), l3 = table(1), l2 = table(2), l1 = table(3), l0 = table(4);
  const u64 page_va = 0x00ab'cdef'1234'5000ull; // bit 56 clear: five levels to a 4 KiB page
  set_pte(root, page_va, 4, pte(l3, V));
  set_pte(l3, page_va, 3, pte(l2, V));
  set_pte(l2, page_va, 2, pte(l1, V));
  set_pte(l1, page_va, 1, pte(l0, V));
  set_pte(l0, page_va, 0, pte(kData, V | R | W | A | D));
  // vpn4 = 1: a 256 TiB page at PA 0
  set_pte(root, 0x0001'0000'0000'0000ull, 4, pte(0, V | R | A));
  // vpn4 = 2: misaligned
  set_pte(root, 0x0002'0000'0000'0000ull, 4, pte(0x8000'0000, V | R | A));
  set_mem(kData + 0x20, 0x5757);
  s.satp = (10ull << 60) | (root >> 12);
  open_pmp();
  const auto load = [&](u64 va) {
    mprv_s();
    s.x[a1] = va;
    s.x[a0] = 0;
    return run(ld_a0_a1);
  };
  EXPECT_EQ(load(page_va + 0x20), Step::retired);
  EXPECT_EQ(s.x[a0], 0x5757u);
  EXPECT_EQ(load(0x0001'0000'0000'0000ull + kData + 0x20), Step::retired);
  EXPECT_EQ(s.x[a0], 0x5757u) << "256 TiB superpage";
  EXPECT_TRUE(trapped(load(0x0002'0000'0000'0000ull), kLoadPageFault, 0x0002'0000'0000'0000ull));
  // canonical: bits 63..57 equal bit 56
  EXPECT_TRUE(trapped(load(0x0100'0000'0000'0000ull), kLoadPageFault, 0x0100'0000'0000'0000ull));
  EXPECT_TRUE(trapped(load(0x8000'0000'0000'0000ull), kLoadPageFault, 0x8000'0000'0000'0000ull));
  // stores fault as stores
  mprv_s();
  s.x[a1] = 0x0100'0000'0000'0000ull;
  EXPECT_TRUE(trapped(run(sd_a2_a1), kStorePageFault, 0x0100'0000'0000'0000ull));
  // the A/D update reaches level-0 PTEs of a five-level walk
  set_pte(l0, page_va, 0, pte(kData, V | R | W));
  exec(sinval_vma);
  mprv_s();
  s.x[a1] = page_va;
  s.x[a2] = 9;
  exec(sd_a2_a1);
  EXPECT_EQ(mem(l0 + ((page_va >> 12) & 511) * 8) & (A | D), A | D);
  EXPECT_EQ(mem(kData), 9u);
}

// =============================================================================================
// Counters: writes replace the writing instruction's increment; Sscounterenw
// =============================================================================================

TEST_F(PrivTest, MinstretWriteIsWhatTheNextInstructionReads) {
  s.x[a1] = 1000;
  exec(csrw_minstret_a1);
  EXPECT_EQ(s.minstret, 1000u) << "the write replaces this instruction's increment";
  EXPECT_EQ(csr(csrr_a0_minstret), 1000u);
  EXPECT_EQ(csr(csrr_a0_minstret), 1001u);
  EXPECT_EQ(csr(csrr_a0_instret), 1002u);
  EXPECT_EQ(s.minstret, 1003u);
}

TEST_F(PrivTest, McycleWriteIsWhatTheNextInstructionReads) {
  EXPECT_EQ(csr(csrr_a0_mcycle), 0u) << "a read sees the count before itself";
  s.x[a1] = 500;
  exec(csrw_mcycle_a1);
  EXPECT_EQ(s.mcycle, 500u);
  EXPECT_EQ(csr(csrr_a0_mcycle), 500u);
  EXPECT_EQ(csr(csrr_a0_mcycle), 501u);
  // a trapped instruction takes a cycle but does not retire
  const u64 cycles = s.mcycle, retired = s.minstret;
  EXPECT_EQ(run(0), Step::trapped);
  EXPECT_EQ(s.mcycle, cycles + 1);
  EXPECT_EQ(s.minstret, retired);
}

TEST_F(PrivTest, McountinhibitStopsTheCounters) {
  s.x[a1] = 5;
  exec(csrw_mcountinhibit_a1); // inhibits its own increments too
  const u64 cycles = s.mcycle, retired = s.minstret;
  exec(nop);
  exec(nop);
  EXPECT_EQ(s.mcycle, cycles);
  EXPECT_EQ(s.minstret, retired);
  s.x[a1] = 4;
  exec(csrw_mcountinhibit_a1);
  exec(nop);
  EXPECT_EQ(s.mcycle, cycles + 2);
  EXPECT_EQ(s.minstret, retired);
}

TEST_F(PrivTest, ScounterenBitsOfTheCountersAreWritable) {
  s.priv = Priv::s;
  open_pmp();
  s.x[a1] = 7;
  exec(csrw_scounteren_a1);
  s.x[a0] = 0;
  exec(csrr_a0_scounteren);
  EXPECT_EQ(s.x[a0] & 7, 7u);
}

// =============================================================================================
// Sdtrig
// =============================================================================================

TEST_F(PrivTest, TriggersEnumerateAsFirmwareProbesThem) {
  EXPECT_EQ(csr(csrr_a0_tselect), 0u);
  for (u64 k = 0; k < 4; ++k) {
    set_csr(csrw_tselect_a1, k);
    const u64 got = csr(csrr_a0_tselect);
    if (k < Hart::trigger_count) {
      EXPECT_EQ(got, k);
      EXPECT_EQ(csr(csrr_a0_tinfo), (1ull << 24) | (1u << 15) | (1u << 6)) << "version 1, types 6 and 15";
      EXPECT_EQ(csr(csrr_a0_tdata1), kDisabled) << "reset: disabled";
    } else {
      EXPECT_EQ(got, Hart::trigger_count - 1) << "an index past the last does not read back: probing stops";
    }
  }
  // tdata1: unsupported types leave the trigger disabled; mcontrol6 keeps what is implemented
  set_csr(csrw_tselect_a1, 1);
  set_csr(csrw_tdata1_a1, (2ull << 60) | 0x44); // mcontrol (type 2)
  EXPECT_EQ(csr(csrr_a0_tdata1), kDisabled);
  set_csr(csrw_tdata1_a1, 0);
  EXPECT_EQ(csr(csrr_a0_tdata1), kDisabled);
  set_csr(csrw_tdata1_a1, kType6 | (1ull << 59) | (1ull << 12) | (1ull << 11) | (3ull << 16) | match(5) | tExec | tS);
  EXPECT_EQ(csr(csrr_a0_tdata1), kType6 | tExec | tS) << "no dmode, action 0, no chain, size any, match 0";
  set_csr(csrw_tdata1_a1, kType6 | match(3) | tSelect | tLoad | tStore | tU | tM);
  EXPECT_EQ(csr(csrr_a0_tdata1), kType6 | match(3) | tSelect | tLoad | tStore | tU | tM);
  EXPECT_TRUE(hart.triggers_armed());
  set_csr(csrw_tdata2_a1, 0x1234);
  EXPECT_EQ(csr(csrr_a0_tdata2), 0x1234u);
  EXPECT_EQ(csr(csrr_a0_tdata3), 0u);
  set_csr(csrw_tselect_a1, 0);
  EXPECT_EQ(csr(csrr_a0_tdata2), 0u) << "per trigger";
  set_csr(csrw_tselect_a1, 1);
  set_csr(csrw_tdata1_a1, 0);
  EXPECT_FALSE(hart.triggers_armed());
  // M-mode only
  EXPECT_TRUE(illegal_as(Priv::s, csrr_a0_tselect));
}

TEST_F(PrivTest, ExecuteTriggerFiresBeforeTheInstructionInS) {
  s.tdata1[0] = kType6 | tExec | tS;
  s.tdata2[0] = kBase + 8;
  hart.set_state(s); // the summary of armed triggers follows the state
  open_pmp();
  s.priv = Priv::s;
  for (u64 pc = kBase; pc < kBase + 16; pc += 4) bus.write_ram(pc, &nop, 4);
  s.pc = kBase;
  EXPECT_EQ(hart.step(), Step::retired);
  EXPECT_EQ(hart.step(), Step::retired);
  const u64 retired = s.minstret;
  EXPECT_TRUE(trapped(hart.step(), kBreakpoint, kBase + 8, kBase + 8));
  EXPECT_EQ(s.minstret, retired) << "it did not execute";
  EXPECT_EQ(s.tdata1[0] & tHit0, tHit0);
  EXPECT_EQ(s.priv, Priv::m);
  // not in U (u = 0), nor in M
  s.priv = Priv::u;
  s.pc = kBase + 8;
  EXPECT_EQ(hart.step(), Step::retired);
  s.priv = Priv::m;
  s.pc = kBase + 8;
  EXPECT_EQ(hart.step(), Step::retired);
}

TEST_F(PrivTest, ExecuteTriggerOnTheInstructionBits) {
  s.tdata1[1] = kType6 | tExec | tSelect | tU;
  s.tdata2[1] = 0x00150513; // addi a0,a0,1
  hart.set_state(s);
  open_pmp();
  s.priv = Priv::u;
  s.x[a0] = 0;
  EXPECT_EQ(run(nop), Step::retired);
  s.priv = Priv::u;
  EXPECT_TRUE(trapped(run(0x00150513), kBreakpoint, kBase)); // addi a0,a0,1
  EXPECT_EQ(s.x[a0], 0u);
}

TEST_F(PrivTest, LoadAndStoreTriggersInU) {
  open_pmp();
  set_mem(kData + 0x10, 42);
  // a load address trigger, match >= kData + 0x10 (a load of 8 bytes at kData + 8 ends on it)
  s.tdata1[0] = kType6 | tLoad | tU | match(2);
  s.tdata2[0] = kData + 0x17;
  hart.set_state(s);
  s.priv = Priv::u;
  s.x[a1] = kData;
  EXPECT_EQ(run(ld_a0_a1), Step::retired);
  s.priv = Priv::u;
  s.x[a1] = kData + 0x10;
  s.x[a0] = 5;
  EXPECT_TRUE(trapped(run(ld_a0_a1), kBreakpoint, kData + 0x10));
  EXPECT_EQ(s.x[a0], 5u);
  s.priv = Priv::u;
  s.x[a1] = kData + 0x10;
  EXPECT_EQ(run(sd_a2_a1), Step::retired) << "a load trigger does not watch stores";
  // a store address trigger, match equal, any byte of the access: sd at kData + 0x20 covers 0x24
  s.tdata1[0] = kType6 | tStore | tU | match(0);
  s.tdata2[0] = kData + 0x24;
  hart.set_state(s);
  s.priv = Priv::u;
  s.x[a1] = kData + 0x20;
  s.x[a2] = 0x99;
  EXPECT_TRUE(trapped(run(sd_a2_a1), kBreakpoint, kData + 0x20));
  EXPECT_EQ(mem(kData + 0x20), 0u) << "the store did not happen";
  s.priv = Priv::u;
  s.x[a1] = kData + 0x28;
  EXPECT_EQ(run(sd_a2_a1), Step::retired);
  // match <: below kData
  s.tdata1[0] = kType6 | tStore | tU | match(3);
  s.tdata2[0] = kData;
  hart.set_state(s);
  s.priv = Priv::u;
  s.x[a1] = kData - 8;
  EXPECT_TRUE(trapped(run(sd_a2_a1), kBreakpoint, kData - 8));
  // AMOs match store triggers; LR load triggers
  s.tdata1[0] = kType6 | tStore | tU | match(0);
  s.tdata2[0] = kData + 0x30;
  hart.set_state(s);
  s.priv = Priv::u;
  s.x[a1] = kData + 0x30;
  EXPECT_TRUE(trapped(run(amoadd_d), kBreakpoint, kData + 0x30));
  s.priv = Priv::u;
  EXPECT_EQ(run(lr_d_a0_a1), Step::retired);
  // cbo.zero matches store triggers on its block
  s.menvcfg = s.senvcfg = kCbze;
  s.tdata2[0] = kData + 0x7f;
  s.priv = Priv::u;
  s.x[a1] = kData + 0x41;
  EXPECT_TRUE(trapped(run(cbo_zero_a1), kBreakpoint, kData + 0x40));
}

TEST_F(PrivTest, DataTriggersOnTheValueStoredOrLoaded) {
  open_pmp();
  s.tdata1[0] = kType6 | tStore | tSelect | tS; // store of the value 0x1234
  s.tdata2[0] = 0x1234;
  s.tdata1[1] = kType6 | tLoad | tSelect | tS | match(2); // a load of a value >= 1000
  s.tdata2[1] = 1000;
  hart.set_state(s);
  const auto as_s = [&](u32 w) {
    s.priv = Priv::s;
    return run(w);
  };
  s.x[a1] = kData;
  s.x[a2] = 0x1235;
  EXPECT_EQ(as_s(sd_a2_a1), Step::retired);
  s.x[a2] = 0x1234;
  EXPECT_TRUE(trapped(as_s(sd_a2_a1), kBreakpoint, kData));
  EXPECT_EQ(mem(kData), 0x1235u);
  s.x[a0] = 7;
  EXPECT_TRUE(trapped(as_s(ld_a0_a1), kBreakpoint, kData)) << "0x1235 >= 1000";
  EXPECT_EQ(s.x[a0], 7u) << "the load does not complete";
  set_mem(kData, 999);
  EXPECT_EQ(as_s(lw_a0_a1), Step::retired);
  EXPECT_EQ(s.x[a0], 999u);
}

TEST_F(PrivTest, MachineModeTriggersNeedTcontrolMte) {
  s.tdata1[0] = kType6 | tExec | tM;
  s.tdata2[0] = kBase;
  hart.set_state(s);
  EXPECT_EQ(run(nop), Step::retired) << "MTE = 0";
  s.x[a1] = 8; // MTE
  exec(csrw_tcontrol_a1, kBase + 0x100);
  EXPECT_TRUE(trapped(run(nop), kBreakpoint, kBase));
  EXPECT_EQ(s.tcontrol, 0x80u) << "a trap into M: MPTE = MTE, MTE = 0";
  EXPECT_EQ(run(nop), Step::retired) << "so the handler does not trigger again";
  s.mepc = kBase + 0x200;
  s.mstatus |= 3ull << 11; // MPP = M
  exec(mret, kBase + 0x100);
  EXPECT_EQ(s.tcontrol & 8, 8u) << "mret: MTE = MPTE";
}

TEST_F(PrivTest, NewStateRoundTripsThroughCereal) {
  s.stimecmp = 0x1234;
  s.tselect = 1;
  s.tcontrol = 0x88;
  s.tdata1[1] = kType6 | tLoad | tU;
  s.tdata2[0] = 0xabcd;
  std::stringstream ss;
  {
    cereal::BinaryOutputArchive out(ss);
    out(s);
  }
  HartState back;
  cereal::BinaryInputArchive in(ss);
  in(back);
  EXPECT_TRUE(back == s);
}

} // namespace
