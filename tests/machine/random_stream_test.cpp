// Randomized instruction streams: seeded streams of mostly-valid RV64GC instructions (every
// table row, random operands, compressed words, and raw garbage) run for over a million
// instructions without crashing or hanging the emulator, and the same seed gives the same
// final state twice.
#include "retrace/isa/encoding.hpp"
#include "retrace/machine/machine.hpp"

#include "random_stream.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <random>

namespace {

struct Outcome {
  retrace::RunResult result;
  retrace::HartState state;
  std::size_t pages;
};

Outcome run_stream(std::uint64_t seed, std::uint64_t insns) {
  retrace::MachineSpec spec;
  spec.kernel = retrace::test::make_random_stream(seed, 16384);
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
