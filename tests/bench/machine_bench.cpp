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


// --- record, replay, snapshots, bisection (issue 5) ---------------------------------------------

#include "retrace/bisect/bisect.hpp"
#include "retrace/replay/replay.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace {

std::string bench_log() {
  static const std::string path = [] {
    const std::string p = "/tmp/retrace-bench-cpu.rlog";
    retrace::MachineSpec spec;
    spec.kernel = retrace::test::guest_fixture("bench-cpu").elf;
    retrace::Machine m(spec);
    retrace::Recorder rec(m, p);
    rec.finish(rec.run(~0ull));
    return p;
  }();
  return path;
}

void BM_RunRecorded(benchmark::State& state) {
  retrace::MachineSpec spec;
  spec.kernel = retrace::test::guest_fixture("bench-cpu").elf;
  std::uint64_t insns = 0;
  for (auto _ : state) {
    retrace::Machine m(spec);
    retrace::Recorder rec(m, "/tmp/retrace-bench-recorded.rlog");
    const auto r = rec.run(~0ull);
    rec.finish(r);
    insns += r.icount;
  }
  state.counters["insns/s"] = benchmark::Counter(static_cast<double>(insns), benchmark::Counter::kIsRate);
}

void BM_Replay(benchmark::State& state) {
  const auto log = retrace::LogReader::read(bench_log());
  for (auto _ : state) {
    retrace::Replayer replay(log);
    const auto r = replay.run();
    if (!r.matches_recording()) state.SkipWithError("replay diverged");
  }
}

void BM_Bisect(benchmark::State& state) {
  // The predicate turns true at the very end (the guest's last line), so the search covers the
  // whole run: the worst case for its cost relative to one replay.
  const auto log = retrace::LogReader::read(bench_log());
  const auto p = retrace::uart_contains("bench done");
  for (auto _ : state) {
    const auto r = retrace::bisect(log, p);
    if (!r.found) state.SkipWithError("not found");
  }
}

// Snapshot cost and copy-on-write cost per page: N pages in use, snapshot, then write each.
void BM_SnapshotAndDirtyPages(benchmark::State& state) {
  retrace::MachineSpec spec;
  spec.kernel = retrace::test::guest_fixture("hello").elf;
  retrace::Machine m(spec);
  const auto pages = static_cast<std::uint64_t>(state.range(0));
  const std::uint8_t one = 1;
  for (std::uint64_t i = 0; i < pages; ++i) m.bus().write_ram(0x8100'0000 + i * 4096, &one, 1);
  for (auto _ : state) {
    auto snap = m.snapshot();
    for (std::uint64_t i = 0; i < pages; ++i) m.bus().write_ram(0x8100'0000 + i * 4096, &one, 1); // copies each page
    benchmark::DoNotOptimize(snap);
  }
  state.counters["per_page"] =
      benchmark::Counter(static_cast<double>(pages), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// Taking a snapshot with N pages in use and none written since: the cost does not grow with N.
void BM_SnapshotOnly(benchmark::State& state) {
  retrace::MachineSpec spec;
  spec.kernel = retrace::test::guest_fixture("hello").elf;
  retrace::Machine m(spec);
  const auto pages = static_cast<std::uint64_t>(state.range(0));
  const std::uint8_t one = 1;
  for (std::uint64_t i = 0; i < pages; ++i) m.bus().write_ram(0x8100'0000 + i * 4096, &one, 1);
  for (auto _ : state) benchmark::DoNotOptimize(m.snapshot());
}

void BM_ReplayAll(benchmark::State& state) {
  const auto jobs = static_cast<int>(state.range(0));
  const auto log = retrace::LogReader::read(bench_log());
  for (auto _ : state) {
    tbb::task_arena arena(jobs);
    arena.execute([&] {
      tbb::parallel_for(0, 4, [&](int) {
        retrace::Replayer replay(log);
        (void)replay.run();
      });
    });
  }
}

BENCHMARK(BM_RunRecorded)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Replay)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Bisect)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SnapshotAndDirtyPages)->Arg(256)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SnapshotOnly)->Arg(256)->Arg(4096)->Arg(16384)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ReplayAll)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

// --- reverse debugging (issue 6) ------------------------------------------------------------------
// reverse-stepi latency at random points of a 2.2-billion-instruction run, through the gdb
// server's own `bs` handler, and the memory the snapshots take. Run it on its own:
//   build/default/tests/retrace_bench --benchmark_filter=ReverseStepi

#include "retrace/gdb/server.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>

namespace {

std::size_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * 4096;
}

void BM_ReverseStepi(benchmark::State& state) {
  const std::string path = "/tmp/retrace-bench-long.rlog";
  {
    std::ifstream exists(path);
    if (!exists) {
      retrace::MachineSpec spec;
      spec.kernel = RETRACE_BENCH_LONG;
      retrace::Machine m(spec);
      retrace::Recorder rec(m, path);
      rec.finish(rec.run(~0ull));
    }
  }
  const auto log = retrace::LogReader::read(path);
  const std::size_t rss_before = rss_bytes();
  retrace::gdb::Server server(log);
  auto& t = server.timeline();
  t.seek(t.end()); // one pass forward: snapshots along the whole run
  const std::size_t rss_after = rss_bytes();
  // random points, visited from the end backwards (so reaching each costs at most one gap)
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> points(static_cast<std::size_t>(state.range(0)));
  for (auto& p : points) p = 1 + rng() % (t.end() - 1);
  std::sort(points.rbegin(), points.rend());
  std::vector<double> ms;
  for (auto _ : state) {
    ms.clear();
    for (auto p : points) {
      t.seek(p);
      const auto start = std::chrono::steady_clock::now(); // host-time-ok: a benchmark
      const auto reply = server.handle("bs");
      const auto stop = std::chrono::steady_clock::now(); // host-time-ok
      benchmark::DoNotOptimize(reply);
      ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }
  }
  std::sort(ms.begin(), ms.end());
  state.counters["instructions"] = static_cast<double>(t.end());
  state.counters["median_ms"] = ms[ms.size() / 2];
  state.counters["p99_ms"] = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  state.counters["max_ms"] = ms.back();
  state.counters["snapshots"] = static_cast<double>(t.snapshot_count());
  state.counters["snapshot_MiB"] = static_cast<double>(rss_after - rss_before) / (1 << 20);
}
BENCHMARK(BM_ReverseStepi)->Arg(200)->Iterations(1)->Unit(benchmark::kSecond);

} // namespace

BENCHMARK_MAIN();
