// Randomized instruction streams: seeded streams of mostly-valid RV64GC instructions (every
// table row, random operands, compressed words, and raw garbage) run for over a million
// instructions without crashing or hanging the emulator, and the same seed gives the same
// final state twice.
#include "retrace/isa/encoding.hpp"
#include "retrace/machine/machine.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <random>

namespace {

// A stream that restarts itself on every trap: mtvec points at the stream's start, which first
// re-arms FS (so F/D instructions mostly execute) and then continues with random words.
std::string make_stream(std::uint64_t seed, std::size_t words) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint32_t> w;
  using namespace retrace::isa;
  w.push_back(enc_u(0, 5, 0x17));              // auipc t0, 0
  w.push_back(enc_i(0x305, 5, 1, 0, 0x73));    // csrw mtvec, t0
  w.push_back(enc_u(0x6000, 6, 0x37));         // lui t1, 6 (FS = dirty)
  w.push_back(enc_i(0x300, 6, 2, 0, 0x73));    // csrs mstatus, t1
  // MTIP always pending (mtimecmp = 0) and enabled in mie, so a random WFI wakes at once.
  w.push_back(enc_u(0x2004000, 7, 0x37));      // lui t2, 0x2004
  w.push_back(enc_s(0, 0, 7, 3, 0x23));        // sd zero, 0(t2)
  w.push_back(enc_i(0x80, 0, 0, 6, 0x13));     // li t1, 0x80
  w.push_back(enc_i(0x304, 6, 2, 0, 0x73));    // csrs mie, t1
  while (w.size() < words) {
    const auto kind = rng() % 16;
    if (kind < 12) { // a table row with random operand bits
      const auto& row = insn_table[rng() % insn_table.size()];
      std::uint32_t v = (static_cast<std::uint32_t>(rng()) & ~row.mask) | row.match;
      // keep most jumps and branches short so the stream is not left at once
      if (row.format == Format::jal || row.format == Format::branch || row.format == Format::jalr)
        v &= 0x00ffffffu | row.mask;
      w.push_back(v);
    } else if (kind < 15) { // two compressed instructions (low bits != 11)
      auto half = [&] {
        auto h = static_cast<std::uint32_t>(rng() & 0xffff);
        return (h & 3) == 3 ? (h & ~1u) : h;
      };
      w.push_back(half() | (half() << 16));
    } else { // garbage
      w.push_back(static_cast<std::uint32_t>(rng()));
    }
  }
  const std::string path = ::testing::TempDir() + "/stream-" + std::to_string(seed) + ".bin";
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(w.data()), static_cast<std::streamsize>(w.size() * 4));
  return path;
}

struct Outcome {
  retrace::RunResult result;
  retrace::HartState state;
  std::size_t pages;
};

Outcome run_stream(std::uint64_t seed, std::uint64_t insns) {
  retrace::MachineSpec spec;
  spec.kernel = make_stream(seed, 16384);
  spec.ram_size = 16 << 20;
  retrace::Machine m(spec);
  const auto r = m.run(insns);
  return {r, m.hart(0).state(), m.bus().ram().pages_in_use()};
}

TEST(RandomStream, MillionsOfRandomInstructionsNeverCrashOrHang) {
  // Each run ends at its limit, at a random finisher write, or when a random CSR write leaves
  // the hart in WFI with nothing to wake it; keep going until well over a million instructions.
  std::uint64_t total = 0, seeds = 0;
  for (std::uint64_t seed = 1; seed <= 64 && total < 1'500'000; ++seed, ++seeds) {
    const auto o = run_stream(seed, 250'000);
    total += o.result.icount;
    EXPECT_LE(o.result.icount, 250'000u);
  }
  EXPECT_GE(total, 1'000'000u) << "after " << seeds << " seeds";
  RecordProperty("instructions", std::to_string(total));
}

TEST(RandomStream, SameSeedSameFinalState) {
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    const auto a = run_stream(seed, 400'000);
    const auto b = run_stream(seed, 400'000);
    EXPECT_EQ(a.result.icount, b.result.icount);
    EXPECT_EQ(a.result.reason, b.result.reason);
    EXPECT_TRUE(a.state == b.state) << "seed " << seed;
    EXPECT_EQ(a.pages, b.pages);
  }
}

TEST(RandomStream, DifferentSeedsDiffer) {
  const auto a = run_stream(21, 100'000), b = run_stream(22, 100'000);
  EXPECT_FALSE(a.state == b.state);
}

} // namespace
