// The privileged extensions on the fast engines (block engine, translator) against the
// reference interpreter, through the Machine: the Sstc timer interrupt at the exact icount where
// time reaches stimecmp, debug triggers (which send every instruction through step() while
// armed) and cbo.zero over code that was already decoded. Each program's results are worked out
// by hand, and the states must equal the reference's at every chunk boundary (lockstep).
#include "retrace/isa/insn.hpp"
#include "retrace/machine/machine.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/lockstep.hpp"

#include "engine_harness.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace retrace;
using namespace retrace::isa;
using namespace retrace::test;

enum : unsigned {
  zero = 0, ra = 1, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, a0 = 10, a1 = 11, a3 = 13,
  s2 = 18, s3 = 19, s4 = 20, s5 = 21, t3 = 28, t4 = 29, t5 = 30, t6 = 31
};

constexpr std::uint32_t addi(unsigned rd, unsigned rs, std::int64_t imm) { return enc_i(imm, rs, 0, rd, 0x13); }
constexpr std::uint32_t ori(unsigned rd, unsigned rs, std::int64_t imm) { return enc_i(imm, rs, 6, rd, 0x13); }
constexpr std::uint32_t slli(unsigned rd, unsigned rs, unsigned sh) { return enc_i(sh, rs, 1, rd, 0x13); }
constexpr std::uint32_t add(unsigned rd, unsigned a, unsigned b) { return enc_r(0, b, a, 0, rd, 0x33); }
constexpr std::uint32_t lui(unsigned rd, std::int64_t imm) { return enc_u(imm, rd, 0x37); }
constexpr std::uint32_t auipc(unsigned rd) { return enc_u(0, rd, 0x17); }
constexpr std::uint32_t sd(unsigned src, unsigned base, std::int64_t off) { return enc_s(off, src, base, 3, 0x23); }
constexpr std::uint32_t ld(unsigned rd, unsigned base, std::int64_t off) { return enc_i(off, base, 3, rd, 0x03); }
constexpr std::uint32_t bne(unsigned a, unsigned b, std::int64_t off) { return enc_b(off, b, a, 1, 0x63); }
constexpr std::uint32_t jal(unsigned rd, std::int64_t off) { return enc_j(off, rd, 0x6f); }
constexpr std::uint32_t csrw(unsigned csr, unsigned rs) { return enc_i(csr, rs, 1, 0, 0x73); }
constexpr std::uint32_t csrr(unsigned rd, unsigned csr) { return enc_i(csr, 0, 2, rd, 0x73); }
constexpr std::uint32_t cbo_zero(unsigned rs) { return 0x0040200f | (rs << 15); }
constexpr std::uint32_t mret = 0x30200073;
constexpr std::uint32_t nop = 0x00000013;
constexpr std::uint32_t ret = 0x00008067; // jalr zero,0(ra)
constexpr std::uint32_t spin = 0x0000006f; // jal zero,0
constexpr std::uint32_t csrsi_mstatus_mie = 0x30046073; // csrrsi zero,mstatus,8
constexpr unsigned time_csr = 0xc01, menvcfg = 0x30a, mtvec = 0x305, mie = 0x304, stimecmp = 0x14d,
                   mepc = 0x341, mcause = 0x342, mtval = 0x343, tselect = 0x7a0, tdata1 = 0x7a1,
                   tdata2 = 0x7a2, tcontrol = 0x7a5, mstatus = 0x300, satp = 0x180, pmpcfg0 = 0x3a0,
                   pmpaddr0 = 0x3b0;
constexpr std::uint64_t reset_insns = 6; // the reset vector's, before the kernel's first

// A periodic supervisor timer in M-mode (STI not delegated, so M takes it): stimecmp = 50, and
// the handler adds 7 each time. mtime is icount / 100, so the k-th interrupt is taken by the
// step at icount 100 * (50 + 7k) (the trap record, made after that step, says one more), on
// every engine, also when a block would run across the deadline; rdtime in the handler reads
// the mtime of that icount.
TEST(PrivEngines, SstcInterruptAtTheExactIcount) {
  std::vector<std::uint32_t> prog = {
      addi(t0, zero, -1),      // 0
      slli(t0, t0, 63),        // 4: STCE
      csrw(menvcfg, t0),       // 8
      auipc(t1),               // 12
      addi(t1, t1, 64 - 12),   // 16: the handler at 64
      csrw(mtvec, t1),         // 20
      addi(t2, zero, 0x20),    // 24: STIE
      csrw(mie, t2),           // 28
      addi(a0, zero, 50),      // 32
      csrw(stimecmp, a0),      // 36
      csrsi_mstatus_mie,       // 40
      addi(s3, s3, 1),         // 44: loop
      jal(zero, -4),           // 48
      nop, nop, nop,           // 52..60
      csrr(t6, time_csr),      // 64: handler (executed by the step that takes the interrupt)
      csrr(t4, stimecmp),      // 68
      addi(t4, t4, 7),         // 72
      csrw(stimecmp, t4),      // 76
      addi(s2, s2, 1),         // 80
      mret,                    // 84
  };
  const auto kernel = image("sstc", prog);
  const std::uint64_t stop = 12'000;
  std::vector<TrapRecord> reference;
  for (auto engine : all_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    auto m = machine(kernel, engine);
    m->run(stop);
    const auto& traps = m->traps();
    ASSERT_EQ(traps.size(), 10u); // deadlines 5000, 5700, ..., 11300
    for (std::size_t k = 0; k < traps.size(); ++k) {
      EXPECT_EQ(traps[k].cause, (1ull << 63) | 5) << k;
      EXPECT_EQ(traps[k].icount, 100 * (50 + 7 * k) + 1) << k;
    }
    EXPECT_EQ(m->hart(0).state().x[s2], 10u);
    EXPECT_EQ(m->hart(0).state().x[t6], 50u + 7 * 9) << "rdtime in the last handler: mtime at its deadline";
    if (engine == Machine::Engine::reference) {
      reference = traps;
    } else {
      for (std::size_t k = 0; k < traps.size(); ++k) EXPECT_EQ(traps[k].pc, reference[k].pc) << k;
    }
  }
  expect_lockstep(kernel, 8'000);
}

// Two M-mode triggers (tcontrol.MTE set): one on executing a loop's first instruction, one on
// storing to a data word. Each breakpoint's handler skips the instruction, so 50 passes make 100
// traps and change nothing; then both are disarmed and 50 more passes run (at full speed on the
// fast engines) and do their work.
TEST(PrivEngines, TriggersFireOnEveryEngineAndDisarmingThemRestoresTheLoop) {
  std::vector<std::uint32_t> prog = {
      auipc(t1),                // 0
      addi(t1, t1, 160),        // 4: the handler at 160
      csrw(mtvec, t1),          // 8
      addi(t0, zero, 8),        // 12
      csrw(tcontrol, t0),       // 16: MTE
      auipc(s0),                // 20: s0 = base + 20
      addi(t2, s0, 76 - 20),    // 24: the watched instruction, at 76
      csrw(tdata2, t2),         // 28: trigger 0 (tselect is 0)
      addi(t3, zero, 3),        // 32
      slli(t3, t3, 61),         // 36: type 6
      ori(t3, t3, 0x44),        // 40: M, execute
      csrw(tdata1, t3),         // 44
      lui(t6, 0x1000),          // 48
      add(s5, s0, t6),          // 52: s5 = base + 0x1014, the watched word
      addi(t2, zero, 1),        // 56
      csrw(tselect, t2),        // 60
      csrw(tdata2, s5),         // 64
      addi(t3, t3, 0x42 - 0x44), // 68: M, store
      csrw(tdata1, t3),         // 72
      addi(s3, s3, 1),          // 76: loop 1 (watched)
      sd(s3, s5, 0),            // 80 (watched)
      addi(s1, s1, 1),          // 84
      addi(t2, zero, 50),       // 88
      bne(s1, t2, -16),         // 92
      csrw(tdata1, zero),       // 96: disarm trigger 1
      csrw(tselect, zero),      // 100
      csrw(tdata1, zero),       // 104: and trigger 0
      addi(s3, s3, 1),          // 108: loop 2
      sd(s3, s5, 0),            // 112
      addi(s1, s1, -1),         // 116
      bne(s1, zero, -12),       // 120
      spin,                     // 124
      nop, nop, nop, nop, nop, nop, nop, nop, // 128..156
      addi(s4, s4, 1),          // 160: handler
      csrr(t5, mepc),           // 164
      addi(t5, t5, 4),          // 168
      csrw(mepc, t5),           // 172
      mret,                     // 176
  };
  const auto kernel = image("triggers", prog);
  const std::uint64_t stop = reset_insns + 19 + 50 * 5 + 100 * 5 + 3 + 50 * 4 + 10;
  for (auto engine : all_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    auto m = machine(kernel, engine);
    m->run(stop);
    const auto& x = m->hart(0).state().x;
    EXPECT_EQ(x[s4], 100u) << "two breakpoints per pass";
    EXPECT_EQ(x[s3], 50u) << "only the second loop increments";
    EXPECT_EQ(x[s1], 0u);
    EXPECT_EQ(m->read<std::uint64_t>(m->hart(0).state().x[s5]), 50u);
    EXPECT_EQ(m->trap_count(), 100u);
    ASSERT_FALSE(m->traps().empty());
    EXPECT_EQ(m->traps()[0].cause, 3u);
    EXPECT_EQ(m->traps()[1].tval, m->hart(0).state().x[s5]) << "a store breakpoint's tval is the address";
    EXPECT_FALSE(m->hart(0).triggers_armed());
  }
  expect_lockstep(kernel, stop);
}

// A function is called (so it is decoded, and translated), then cbo.zero clears its block and
// it is called again: every engine executes the zeroed word, an illegal instruction.
TEST(PrivEngines, CboZeroOverDecodedCodeDropsIt) {
  std::vector<std::uint32_t> prog(72, nop);
  const std::vector<std::uint32_t> head = {
      auipc(s0),            // 0
      addi(t1, s0, 64),     // 4: the handler at 64
      csrw(mtvec, t1),      // 8
      addi(s1, zero, 10),   // 12
      jal(ra, 256 - 16),    // 16: loop: call F
      addi(s1, s1, -1),     // 20
      bne(s1, zero, -8),    // 24
      addi(t2, s0, 256 + 8), // 28: inside F's block
      cbo_zero(t2),         // 32
      jal(ra, 256 - 36),    // 36: F again
      spin,                 // 40
  };
  std::copy(head.begin(), head.end(), prog.begin());
  const std::vector<std::uint32_t> handler = {csrr(a3, mcause), csrr(s2, mepc), csrr(s3, mtval), spin};
  std::copy(handler.begin(), handler.end(), prog.begin() + 16);
  prog[64] = addi(a0, a0, 1); // 256: F
  prog[65] = ret;
  const auto kernel = image("cbo-zero-code", prog);
  const std::uint64_t stop = reset_insns + 4 + 10 * 5 + 4 + 1 + 3 + 5;
  for (auto engine : all_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    auto m = machine(kernel, engine);
    m->run(stop);
    const auto& x = m->hart(0).state().x;
    EXPECT_EQ(x[a0], 10u);
    EXPECT_EQ(x[a3], 2u) << "illegal instruction";
    EXPECT_EQ(x[s2], virt::dram_base + 256);
    EXPECT_EQ(x[s3], 0u);
  }
  expect_lockstep(kernel, stop);
}

// A TLB entry never outlives the page-table entry it was made from: S-mode code loads through a
// translation, rewrites its PTE (no sfence.vma) and loads again, 100 times. Each second load sees
// the new frame on every engine, so when the TLB happens to be dropped cannot matter; here a
// snapshot every few instructions (which moves RAM's page generation, and with it every TLB)
// must not change the run. It did: the stale translation lived until the generation moved, and
// a 2-hart Linux replay took a page fault only when snapshots were taken.
TEST(PrivEngines, ATranslationRewrittenWithoutAFenceIsNotUsedSnapshotsOrNot) {
  constexpr std::uint64_t root = 0x1'0000, mid = 0x1'1000, leaf = 0x1'2000, f1 = 0x2'0000, f2 = 0x2'1000;
  constexpr std::uint64_t dram = virt::dram_base;
  auto pte = [](std::uint64_t pa, std::uint64_t flags) { return ((pa >> 12) << 10) | flags; };
  constexpr std::uint64_t V = 1, RWX = 14, RW = 6, AD = 192;
  std::vector<std::uint32_t> prog(0x2'2000 / 4, 0);
  auto put64 = [&](std::uint64_t off, std::uint64_t v) {
    prog[off / 4] = static_cast<std::uint32_t>(v);
    prog[off / 4 + 1] = static_cast<std::uint32_t>(v >> 32);
  };
  put64(root + 8 * 1, pte(dram + mid, V));          // VA 0x4000'0000 -> mid -> leaf
  put64(root + 8 * 2, pte(dram, V | RWX | AD));      // identity gigapage: code and tables
  put64(mid, pte(dram + leaf, V));
  put64(leaf, pte(dram + f1, V | RW | AD));          // VA 0x4000'0000 -> f1
  put64(f1, 1);
  put64(f2, 2);
  const std::vector<std::uint32_t> m_mode = {
      addi(t0, zero, -1), csrw(pmpaddr0, t0), addi(t0, zero, 0x1f), csrw(pmpcfg0, t0), // PMP: all, RWX
      addi(t0, zero, 8), slli(t0, t0, 60), lui(t1, 0x80000), addi(t1, t1, 0x10), add(t0, t0, t1),
      csrw(satp, t0),                                                                     // Sv39, root
      addi(t0, zero, 1), slli(t0, t0, 31), addi(t0, t0, 0x100), csrw(mepc, t0),
      addi(t0, zero, 1), slli(t0, t0, 11), csrw(mstatus, t0), mret,                     // to S at 0x100
  };
  std::copy(m_mode.begin(), m_mode.end(), prog.begin());
  const std::uint32_t s_mode[] = {
      addi(s0, zero, 1), slli(s0, s0, 30),                                              // the VA
      addi(s1, zero, 1), slli(s1, s1, 31), lui(t0, leaf), add(s1, s1, t0),               // its leaf PTE
      lui(s2, 0x2000'8000), addi(s2, s2, 0xc7),                                         // pte(f1)
      lui(s3, 0x2000'8000), addi(s3, s3, 0x4c7),                                        // pte(f2)
      addi(a3, zero, 0), addi(t2, zero, 0), addi(t4, zero, 100),
      ld(t1, s0, 0), add(a3, a3, t1),  // loop: f1's 1
      sd(s3, s1, 0), ld(t1, s0, 0), add(a3, a3, t1), // f2's 2
      sd(s2, s1, 0), addi(t2, t2, 1), bne(t2, t4, -28),
      spin,
  };
  std::copy(std::begin(s_mode), std::end(s_mode), prog.begin() + 0x100 / 4);
  const auto kernel = image("tlb-rewrite", prog);
  const std::uint64_t stop = reset_insns + m_mode.size() + 13 + 100 * 8 + 10;
  for (auto engine : all_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    auto straight = machine(kernel, engine);
    straight->run(stop);
    EXPECT_EQ(straight->hart(0).state().priv, Priv::s);
    EXPECT_EQ(straight->hart(0).state().x[t2], 100u);
    EXPECT_EQ(straight->hart(0).state().x[a3], 300u) << "a load used the translation its PTE no longer gives";
    for (std::uint64_t every : {1u, 5u, 64u}) {
      SCOPED_TRACE(every);
      auto m = machine(kernel, engine);
      std::vector<MachineSnapshot> kept;
      for (std::uint64_t at = every; at < stop; at += every) {
        m->run(at);
        kept.push_back(m->snapshot());
      }
      m->run(stop);
      EXPECT_EQ(m->hart(0).state().x[a3], 300u);
      EXPECT_EQ(state_digest(*m), state_digest(*straight));
    }
  }
  expect_lockstep(kernel, stop);
}

} // namespace
