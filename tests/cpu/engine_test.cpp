// Tests for the fast engines behind Machine::Engine (src/cpu/block_engine.cpp, the block engine,
// and src/cpu/jit_x64.cpp, the translator): small programs aimed at what those engines cache
// (decoded blocks, translated code, host pages for loads and stores) and at where their caches
// must let go. Each program runs on every engine; the results must be the ones worked out by
// hand, and the states must equal the reference interpreter's at every chunk boundary.
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

// Registers by ABI name.
enum : unsigned { zero = 0, ra = 1, t0 = 5, t1 = 6, t2 = 7, s0 = 8, s1 = 9, a0 = 10, a1 = 11, a2 = 12, a3 = 13, s2 = 18, s3 = 19 };

std::uint32_t addi(unsigned rd, unsigned rs, std::int64_t imm) { return enc_i(imm, rs, 0, rd, 0x13); }
std::uint32_t add(unsigned rd, unsigned a, unsigned b) { return enc_r(0, b, a, 0, rd, 0x33); }
std::uint32_t lui(unsigned rd, std::int64_t imm) { return enc_u(imm, rd, 0x37); }
std::uint32_t auipc(unsigned rd) { return enc_u(0, rd, 0x17); }
std::uint32_t lw(unsigned rd, unsigned base, std::int64_t off) { return enc_i(off, base, 2, rd, 0x03); }
std::uint32_t ld(unsigned rd, unsigned base, std::int64_t off) { return enc_i(off, base, 3, rd, 0x03); }
std::uint32_t lhu(unsigned rd, unsigned base, std::int64_t off) { return enc_i(off, base, 5, rd, 0x03); }
std::uint32_t sw(unsigned src, unsigned base, std::int64_t off) { return enc_s(off, src, base, 2, 0x23); }
std::uint32_t sd(unsigned src, unsigned base, std::int64_t off) { return enc_s(off, src, base, 3, 0x23); }
std::uint32_t bne(unsigned a, unsigned b, std::int64_t off) { return enc_b(off, b, a, 1, 0x63); }
std::uint32_t jalr(unsigned rd, unsigned base) { return enc_i(0, base, 0, rd, 0x67); }
constexpr std::uint32_t spin = 0x0000006f; // jal zero, 0
constexpr std::uint64_t reset_insns = 6;     // the reset vector's, before the kernel's first

// A loop that rewrites the instruction right after its own store, in the block the store is in:
// each pass adds one more than the last. Before it, each pass also stores to a data word in the
// same page (a page holding both is common in firmware). A store that reached decoded code
// without dropping it would run the old instruction again.
TEST(Engines, SeeCodeTheirOwnBlockJustRewrote) {
  const std::vector<std::uint32_t> prog = {
      auipc(s0),           // 0
      addi(a0, zero, 0),   // 4
      addi(s1, zero, 100), // 8
      lw(t1, s0, 32),      // 12: the instruction at 32
      lui(t2, 0x100000),   // 16: +1 in an I-type immediate
      add(t1, t1, t2),     // 20: loop
      sd(s1, s0, 0x700),   // 24: data, same page
      sw(t1, s0, 32),      // 28
      addi(a0, a0, 1),     // 32: rewritten to addi a0, a0, k for k = 2..101
      addi(s1, s1, -1),    // 36
      bne(s1, zero, -20),  // 40
      spin,                // 44
  };
  const auto kernel = image("smc-same-block", prog);
  for (auto engine : all_engines) {
    auto m = machine(kernel, engine);
    m->run(reset_insns + 5 + 100 * 6 + 1);
    EXPECT_EQ(m->hart(0).state().x[a0], 5150u) << Machine::engine_name(engine); // 2 + 3 + ... + 101
    EXPECT_EQ(m->hart(0).state().x[s1], 0u) << Machine::engine_name(engine);
  }
  expect_lockstep(kernel, reset_insns + 620);
}

// A page that is first only data (read while never written, so it reads as zero; then written,
// so it is allocated), then holds code that is called, then is rewritten and called again, 50
// times. Caches of host pages for loads and stores must follow each change.
TEST(Engines, FollowADataPageThatBecomesCodeAndIsRewritten) {
  const std::uint32_t addi5 = addi(a0, a0, 5); // 0x00550513
  const std::vector<std::uint32_t> prog = {
      auipc(s0),                   // 0
      lui(t0, 0x2000),             // 4
      add(s2, s0, t0),             // 8: s2 = a page nothing has written
      lw(a1, s2, 0),               // 12: reads zero
      lui(t1, 0x00550000),         // 16
      addi(t1, t1, 0x513),         // 20: t1 = addi a0, a0, 5
      sw(t1, s2, 0),               // 24
      lw(a2, s2, 0),               // 28: reads what was just written
      lui(t2, 0x8000),             // 32
      addi(t2, t2, 0x067),         // 36: t2 = jalr zero, 0(ra)
      sw(t2, s2, 4),               // 40
      jalr(ra, s2),                // 44: a0 += 5
      addi(s3, zero, 50),          // 48
      lui(t2, 0x100000),           // 52
      add(t1, t1, t2),             // 56: loop: the next immediate
      sd(s3, s2, 0x800),           // 60: data in the same page
      sw(t1, s2, 0),               // 64: rewrite the called code
      jalr(ra, s2),                // 68: a0 += 6 .. 55
      addi(s3, s3, -1),            // 72
      bne(s3, zero, -20),          // 76
      spin,                        // 80
  };
  ASSERT_EQ(addi5, 0x00550513u);
  const auto kernel = image("data-becomes-code", prog);
  const std::uint64_t steps = reset_insns + 12 + 2 + 2 + 50 * 8 + 1;
  for (auto engine : all_engines) {
    auto m = machine(kernel, engine);
    m->run(steps);
    const auto& x = m->hart(0).state().x;
    EXPECT_EQ(x[a1], 0u) << Machine::engine_name(engine);
    EXPECT_EQ(x[a2], 0x00550513u) << Machine::engine_name(engine);
    EXPECT_EQ(x[a0], 5u + 1525u) << Machine::engine_name(engine); // 5, then 6 + ... + 55
    EXPECT_EQ(x[s3], 0u) << Machine::engine_name(engine);
  }
  expect_lockstep(kernel, steps);
}

// Accesses that straddle a page boundary go the slow way and still see both pages.
TEST(Engines, LoadAndStoreAcrossAPageBoundary) {
  const std::vector<std::uint32_t> prog = {
      auipc(s0),            // 0
      lui(t0, 0x3000),      // 4
      add(s2, s0, t0),      // 8: s2 = base + 0x3000
      addi(s2, s2, -4),     // 12: 4 bytes before a page boundary
      lui(t1, 0x12345000),  // 16
      addi(t1, t1, 0x678),  // 20
      add(t1, t1, t1),      // 24: t1 = 0x2468acf0
      sd(t1, s2, 0),        // 28: half in each page
      ld(a1, s2, 0),        // 32
      lw(a2, s2, 2),        // 36: two bytes of each
      lhu(a3, s2, 3),       // 40: one byte of each
      spin,                 // 44
  };
  const auto kernel = image("straddle", prog);
  for (auto engine : all_engines) {
    auto m = machine(kernel, engine);
    m->run(reset_insns + 11);
    const auto& x = m->hart(0).state().x;
    EXPECT_EQ(x[a1], 0x2468acf0u) << Machine::engine_name(engine);
    EXPECT_EQ(x[a2], 0x2468u) << Machine::engine_name(engine);
    EXPECT_EQ(x[a3], 0x24u) << Machine::engine_name(engine);
  }
  expect_lockstep(kernel, reset_insns + 40);
}

// A snapshot restored in the middle of a run drops what the engines cached about RAM: the
// restored run goes on exactly as the first one did.
TEST(Engines, RestoreASnapshotAndRunTheSameInstructionsAgain) {
  const std::vector<std::uint32_t> prog = {
      auipc(s0),          // 0
      lui(t0, 0x2000),    // 4
      add(s2, s0, t0),    // 8
      addi(s1, zero, 0),  // 12
      addi(s1, s1, 1),    // 16: loop: count, store and reload through the data page
      sd(s1, s2, 0),      // 20
      ld(a0, s2, 0),      // 24
      add(a1, a1, a0),    // 28
      enc_j(-16, zero, 0x6f), // 32: jal zero, loop
  };
  const auto kernel = image("snapshot", prog);
  for (auto engine : fast_engines) {
    auto m = machine(kernel, engine);
    auto ref = machine(kernel, Machine::Engine::reference);
    m->run(1000);
    const auto snap = m->snapshot();
    m->run(5000);
    ref->run(5000);
    const auto first = state_digest(*m);
    EXPECT_EQ(first, state_digest(*ref)) << Machine::engine_name(engine);
    m->restore(snap);
    m->run(5000);
    EXPECT_EQ(state_digest(*m), first) << Machine::engine_name(engine);
    EXPECT_EQ(m->hart(0).state().x[a1], ref->hart(0).state().x[a1]) << Machine::engine_name(engine);
  }
}

// An instruction outside the hart's extension set is illegal on every engine, also when the set
// shrinks after its block was decoded and translated: a loop of clz, first with Zbb and then
// (after 20 passes) without it.
TEST(Engines, HonourTheExtensionSetAndItsChanges) {
  constexpr std::uint32_t clz_a0_a1 = 0x60059513; // clz a0,a1
  const std::vector<std::uint32_t> prog = {
      auipc(t0),                        // 0
      addi(t0, t0, 40),                 // 4
      enc_i(0x305, t0, 1, 0, 0x73),     // 8: csrw mtvec, t0 (the handler at 40)
      addi(a1, zero, 1),                // 12
      addi(s1, zero, 100),              // 16
      addi(a2, zero, 0),                // 20 (the reset vector left an address in a2)
      clz_a0_a1,                        // 24: loop
      add(a2, a2, a0),                  // 28: a2 += 63
      addi(s1, s1, -1),                 // 32
      bne(s1, zero, -12),               // 36
      enc_i(0x342, zero, 2, a3, 0x73),  // 40: csrr a3, mcause
      enc_i(0x343, zero, 2, s2, 0x73),  // 44: csrr s2, mtval
      spin,                             // 48
  };
  const auto kernel = image("extensions", prog);
  for (auto engine : all_engines) {
    SCOPED_TRACE(Machine::engine_name(engine));
    auto m = machine(kernel, engine);
    m->run(reset_insns + 6 + 100 * 4 + 3);
    EXPECT_EQ(m->hart(0).state().x[a2], 6300u);
    EXPECT_EQ(m->hart(0).state().x[a3], 0u); // no trap

    auto gc = machine(kernel, engine);
    gc->hart(0).set_extensions(isa::ExtSet::rv64gc());
    gc->run(reset_insns + 6 + 1 + 3);
    EXPECT_EQ(gc->hart(0).state().x[a3], 2u); // illegal instruction
    EXPECT_EQ(gc->hart(0).state().x[s2], clz_a0_a1);
    EXPECT_EQ(gc->hart(0).state().x[s1], 100u);

    auto later = machine(kernel, engine);
    later->run(reset_insns + 6 + 20 * 4);
    EXPECT_EQ(later->hart(0).state().x[s1], 80u);
    later->hart(0).set_extensions(isa::ExtSet::all().without(isa::Ext::zbb));
    later->run(reset_insns + 6 + 20 * 4 + 1 + 3);
    EXPECT_EQ(later->hart(0).state().x[a3], 2u);
    EXPECT_EQ(later->hart(0).state().x[s2], clz_a0_a1);
    EXPECT_EQ(later->hart(0).state().x[a2], 20u * 63);
  }
  // And in lockstep, restricted from the start.
  for (auto engine : fast_engines) {
    LockstepOptions o;
    o.engine = engine;
    o.stop = reset_insns + 20;
    o.max_chunk = 3;
    const auto r = lockstep(
        [&] {
          auto m = machine(kernel, engine);
          m->hart(0).set_extensions(isa::ExtSet::rv64gc());
          return m;
        },
        o);
    EXPECT_FALSE(r.difference) << r.difference->describe();
  }
}

// The bit-manipulation instructions run on the block context and (some) inline in the
// translator: a loop over all of them in lockstep with the reference.
TEST(Engines, RunTheBitManipulationInstructionsAsTheReferenceDoes) {
  std::vector<std::uint32_t> prog = {
      lui(a1, 0x12345000),   // a1, a2: operands that change every pass
      addi(a1, a1, 0x678),
      addi(a2, zero, -3),
      addi(s1, zero, 200),
  };
  const std::size_t loop = prog.size();
  const std::uint32_t ops[] = {
      0x08c5853b, 0x20c5a533, 0x20c5c533, 0x20c5e533, 0x20c5a53b, 0x20c5c53b, 0x20c5e53b, 0x0855951b, // Zba
      0x40c5f533, 0x40c5e533, 0x40c5c533, 0x60059513, 0x6005951b, 0x60159513, 0x6015951b, 0x60259513,
      0x6025951b, 0x0ac5e533, 0x0ac5f533, 0x0ac5c533, 0x0ac5d533, 0x60459513, 0x60559513, 0x0805c53b,
      0x60c59533, 0x60c5953b, 0x60c5d533, 0x6015d513, 0x63f5d513, 0x6015d51b, 0x60c5d53b, 0x2875d513,
      0x6b85d513, // Zbb
      0x0ac59533, 0x0ac5b533, 0x0ac5a533, // Zbc
      0x48c59533, 0x4bf59513, 0x48c5d533, 0x4bf5d513, 0x68c59533, 0x6bf59513, 0x28c59533, 0x2bf59513, // Zbs
      0x0ec5d533, 0x0ec5f533, // Zicond
  };
  for (std::uint32_t op : ops) {
    prog.push_back(op);                          // a0 = op(a1, a2)
    prog.push_back(add(a3, a3, a0));             // a3 += a0
    prog.push_back(enc_r(0, a0, a1, 4, a1, 0x33)); // xor a1, a1, a0
  }
  prog.push_back(addi(a2, a2, 7));
  prog.push_back(addi(s1, s1, -1));
  prog.push_back(bne(s1, zero, -4 * static_cast<std::int64_t>(prog.size() - loop))); // to the loop's start
  prog.push_back(spin);
  const auto kernel = image("bitmanip", prog);
  const std::uint64_t steps = reset_insns + 4 + 200 * (3 * std::size(ops) + 3);
  std::uint64_t want = 0;
  for (auto engine : all_engines) {
    auto m = machine(kernel, engine);
    m->run(steps);
    EXPECT_EQ(m->hart(0).state().x[s1], 0u) << Machine::engine_name(engine);
    if (engine == Machine::Engine::reference) want = m->hart(0).state().x[a3];
    else EXPECT_EQ(m->hart(0).state().x[a3], want) << Machine::engine_name(engine);
  }
  expect_lockstep(kernel, steps);
}

} // namespace
