// Benchmarks (Google Benchmark, not a timed test): guest instructions per second on the
// CPU-bound workload guest-fixtures/bench/cpu.c, and on hello (mostly start-up and MMIO).
//   build/default/tests/retrace_bench --benchmark_repetitions=3
#include "retrace/machine/machine.hpp"

#include "guests.hpp"

#include <benchmark/benchmark.h>

namespace {

void run_guest(benchmark::State& state, const char* name) {
  const auto& g = retrace::test::guest_fixture(name);
  retrace::MachineSpec spec;
  spec.kernel = g.elf;
  std::uint64_t insns = 0;
  for (auto _ : state) {
    retrace::Machine m(spec);
    const auto r = m.run(~0ull);
    if (r.reason != retrace::StopReason::exited || r.status != 0) state.SkipWithError("guest did not exit 0");
    insns += r.icount;
  }
  state.counters["insns/s"] = benchmark::Counter(static_cast<double>(insns), benchmark::Counter::kIsRate);
  state.counters["insns"] = benchmark::Counter(static_cast<double>(insns) / static_cast<double>(state.iterations()));
}

void BM_CpuWorkload(benchmark::State& s) { run_guest(s, "bench-cpu"); }
void BM_Hello(benchmark::State& s) { run_guest(s, "hello"); }
BENCHMARK(BM_CpuWorkload)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Hello)->Unit(benchmark::kMicrosecond);

} // namespace

BENCHMARK_MAIN();
