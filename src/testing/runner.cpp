// The guest-test runner: flags, seed sweeps on TBB, per-seed failure capture and reporting.
#include "retrace/testing/runner.hpp"

#include "retrace/detail/parallel.hpp"

#include "retrace/testing/guest_test.hpp"

#include "retrace/bisect/bisect.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <mutex>
#include <unistd.h>

namespace retrace {
namespace {

// Written once by test_main before RUN_ALL_TESTS, read-only while tests run.
RunnerConfig& config_storage() {
  static RunnerConfig config;
  return config;
}

bool parse_u64(const std::string& s, std::uint64_t& out) {
  if (s.empty()) return false;
  std::size_t used = 0;
  try {
    out = std::stoull(s, &used, 0);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

} // namespace

const RunnerConfig& runner_config() { return config_storage(); }

std::string parse_runner_flags(int& argc, char** argv, RunnerConfig& config) {
  if (argc > 0) config.program = argv[0];
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      const std::string f = std::string("--") + flag + "=";
      if (a.rfind(f, 0) == 0) return a.substr(f.size());
      return std::nullopt;
    };
    if (auto v = value("retrace_seed")) {
      std::uint64_t s = 0;
      if (!parse_u64(*v, s)) return "--retrace_seed takes a number, not '" + *v + "'";
      config.seeds = {s};
    } else if (auto range = value("retrace_seeds")) {
      std::uint64_t lo = 1, hi = 0;
      const auto dots = range->find("..");
      if (dots == std::string::npos) {
        if (!parse_u64(*range, hi) || hi == 0) return "--retrace_seeds takes N or A..B, not '" + *range + "'";
      } else if (!parse_u64(range->substr(0, dots), lo) || !parse_u64(range->substr(dots + 2), hi) || hi < lo) {
        return "--retrace_seeds takes N or A..B, not '" + *range + "'";
      }
      if (hi - lo >= 10'000'000) return "--retrace_seeds: at most 10 million seeds at a time";
      config.seeds.clear();
      for (std::uint64_t s = lo; s <= hi; ++s) config.seeds.push_back(s);
    } else if (auto jobs = value("retrace_jobs")) {
      std::uint64_t j = 0;
      if (!parse_u64(*jobs, j) || j > 4096) return "--retrace_jobs takes a number of jobs, not '" + *jobs + "'";
      config.jobs = static_cast<unsigned>(j);
    } else if (auto secs = value("retrace_watchdog")) {
      try {
        config.watchdog_seconds = std::stod(*secs);
      } catch (const std::exception&) {
        return "--retrace_watchdog takes seconds, not '" + *secs + "'";
      }
    } else if (auto dir = value("retrace_log_dir")) {
      config.log_dir = *dir;
    } else if (a.rfind("--retrace_", 0) == 0) {
      return "unknown flag " + a +
             " (retrace's are --retrace_seed, --retrace_seeds, --retrace_jobs, --retrace_watchdog, --retrace_log_dir)";
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  argv[argc] = nullptr;
  return {};
}

int test_main(int argc, char** argv) {
  auto& config = config_storage();
  if (const auto err = parse_runner_flags(argc, argv, config); !err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 2;
  }
  config.progress = isatty(2) != 0;
  ::testing::InitGoogleMock(&argc, argv);
  return RUN_ALL_TESTS();
}

// --- GuestTest --------------------------------------------------------------------------------

void GuestTest::SetUp() {
  const auto& config = runner_config();
  if (!m_seed_set) {
    m_seed = config.seeds.front();
    m_test_name = detail::current_test_name();
  }
  declare(m_scenario);
  m_limits.watchdog_seconds = config.watchdog_seconds;
  m_limits.label = m_test_name;
  if (!config.log_dir.empty()) m_limits.log_path = fmt::format("{}/{}/seed-{}.rlog", config.log_dir, m_test_name, m_seed);
}

ScenarioRun& GuestTest::scenario_run() {
  if (!m_run) m_run = std::make_unique<ScenarioRun>(m_scenario, m_seed, m_limits);
  return *m_run;
}

void GuestTest::retrace_run_seed(std::uint64_t seed, const std::string& test_name) {
  m_seed = seed;
  m_seed_set = true;
  m_test_name = test_name;
  SetUp();
  retrace_body();
  TearDown();
}

std::string GuestTest::explain_failure(const RunOutcome& o) {
  if (o.log_path.empty() || o.passed()) return {};
  m_run.reset(); // finishes the recording: the log gets its end record
  std::optional<Predicate> p;
  if (o.invariant_violated) {
    for (const auto& inv : m_scenario.invariants())
      if (inv.description == *o.invariant_violated)
        p = custom("invariant broken: " + inv.description, [holds = inv.holds](const Machine& m) { return !holds(m); });
  }
  if (!p) {
    const auto at = o.uart.find("FAIL");
    if (at != std::string::npos) {
      const auto eol = o.uart.find('\n', at);
      p = uart_contains(o.uart.substr(at, std::min<std::size_t>(eol == std::string::npos ? std::string::npos : eol - at, 40)));
    } else if (o.reason == StopReason::exited) {
      p = exited();
    } else if (o.reason == StopReason::trap_loop && !o.traps.empty()) {
      p = trap_taken(o.traps.back().cause);
    }
  }
  if (!p) return {};
  try {
    const auto log = LogReader::read(o.log_path);
    const auto r = bisect(log, *p);
    const std::string text = format_report(r, o.log_path);
    std::ofstream(o.log_path + ".report.txt") << text;
    std::ofstream(o.log_path + ".report.json") << report_json(r, o.log_path).dump(2) << '\n';
    std::ofstream(o.log_path + ".report.html") << report_html(r, o.log_path);
    return text;
  } catch (const std::exception& e) {
    return std::string("(bisection failed: ") + e.what() + ")";
  }
}

// --- seed sweeps ------------------------------------------------------------------------------

namespace detail {

std::string current_test_name() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (!info) return "unknown";
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (auto& c : name)
    if (c == '/') c = '_'; // parameterized names
  return name;
}

SeedResult run_one_seed(GuestTest& test, std::uint64_t seed, const std::string& test_name) {
  SeedResult r;
  r.seed = seed;
  ::testing::TestPartResultArray parts;
  {
    ::testing::ScopedFakeTestPartResultReporter capture(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &parts);
    try {
      test.retrace_run_seed(seed, test_name);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "uncaught exception: " << e.what();
    }
  }
  for (int i = 0; i < parts.size(); ++i) {
    const auto& p = parts.GetTestPartResult(i);
    if (p.failed()) r.failures.push_back({p.file_name() ? p.file_name() : "", p.line_number(), p.message()});
  }
  if (test.last_outcome()) r.outcome = std::make_shared<const RunOutcome>(*test.last_outcome());
  return r;
}

void for_each_seed(std::size_t count, const std::function<bool(std::size_t)>& f) {
  const auto& config = runner_config();
  const bool show = config.progress && count > 1;
  std::atomic<std::size_t> done{0}, failed{0};
  std::mutex print;
  using clock = std::chrono::steady_clock; // host-time-ok: progress display only
  const auto start = clock::now();         // host-time-ok
  auto last_print = start;
  auto run = [&](std::size_t i) {
    if (f(i)) ++failed;
    ++done;
    if (!show) return;
    std::lock_guard lock(print);
    const auto now = clock::now(); // host-time-ok
    if (now - last_print < std::chrono::milliseconds(100) && done != count) return;
    last_print = now;
    const double secs = std::chrono::duration<double>(now - start).count();
    std::fprintf(stderr, "\r[retrace] %zu/%zu runs, %zu failed, %.1f runs/s ", done.load(), count, failed.load(),
                 secs > 0 ? static_cast<double>(done.load()) / secs : 0.0);
    std::fflush(stderr);
  };
  detail::parallel_for(config.jobs, count, run);
  if (show) std::fprintf(stderr, "\r%60s\r", "");
}

void report_seeds(const std::vector<SeedResult>& results, const std::function<std::string(std::size_t)>& explain) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string full = info ? std::string(info->test_suite_name()) + "." + info->name() : "?";
  const char* test_file = info && info->file() ? info->file() : "unknown";
  const int test_line = info ? info->line() : 0;
  const auto& config = runner_config();
  std::vector<std::uint64_t> failed;
  for (const auto& r : results) {
    if (r.failures.empty()) continue;
    failed.push_back(r.seed);
    if (failed.size() > 5) continue; // the first few seeds in full; the summary lists the rest
    for (std::size_t k = 0; k < r.failures.size(); ++k) {
      const auto& f = r.failures[k];
      ADD_FAILURE_AT(f.file.empty() ? test_file : f.file.c_str(), f.file.empty() ? test_line : f.line)
          << "[seed " << r.seed << "] " << f.message
          << (k == 0 && r.outcome ? "\n[seed " + std::to_string(r.seed) + "] the run " + r.outcome->describe() : "");
    }
  }
  std::string seeds_text;
  for (std::size_t i = 0; i < failed.size(); ++i) seeds_text += (i ? "," : "") + std::to_string(failed[i]);
  ::testing::Test::RecordProperty("retrace_seeds", std::to_string(results.size()));
  if (results.size() == 1) ::testing::Test::RecordProperty("retrace_seed", std::to_string(results.front().seed));
  if (!failed.empty()) {
    ::testing::Test::RecordProperty("retrace_failed_seeds", seeds_text);
    std::string replay, report;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      if (r.seed != failed.front() || !r.outcome || r.outcome->log_path.empty()) continue;
      replay = "\nreplay it: retrace replay " + r.outcome->log_path;
      report = explain(i);
      if (!report.empty())
        report = "\n\n[seed " + std::to_string(r.seed) + "] " + report + "  (also in " + r.outcome->log_path + ".report.txt)";
    }
    ADD_FAILURE_AT(test_file, test_line) << failed.size() << " of " << results.size() << " seeds failed: " << seeds_text
                  << "\nrerun one: " << config.program << " --gtest_filter=" << full << " --retrace_seed=" << failed.front()
                  << replay << report;
  }
}

} // namespace detail
} // namespace retrace
