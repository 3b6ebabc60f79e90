#pragma once
/// \file
/// The guest-test runner: retrace::test_main (a gtest main) and RETRACE_TEST_F, which runs a
/// test body once per seed, in parallel (TBB), and reports every failing seed with the exact
/// command that reruns it.
///
/// Flags (besides all of gtest's):
///   --retrace_seed=S         run under seed S only
///   --retrace_seeds=N        run under seeds 1..N;  --retrace_seeds=A..B  under seeds A..B
///   --retrace_jobs=J         parallel runs (default: all cores)
///   --retrace_watchdog=SEC   wall-clock limit per run, the last resort (default 600; 0: off)
///   --retrace_log_dir=DIR    where every run's replay log goes (default retrace-logs; "": none)
///
/// Example (a test program's main):
/// \code
///   int main(int argc, char** argv) { return retrace::test_main(argc, argv); }
/// \endcode

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace retrace {

class GuestTest;
struct RunOutcome;

/// The runner's settings, fixed by test_main before any test runs and read-only afterwards.
struct RunnerConfig {
  std::vector<std::uint64_t> seeds{1}; ///< default: seed 1
  unsigned jobs = 0;                   ///< 0: all cores
  double watchdog_seconds = 600;
  std::string log_dir = "retrace-logs"; ///< where each run's log goes ("": no logs)
  std::string program;                 ///< argv[0], for rerun commands
  bool progress = false;               ///< show progress (stderr is a terminal)
};

/// The current runner settings.
[[nodiscard]] const RunnerConfig& runner_config();

/// Parses and removes the --retrace_* flags from argv; returns an error message, or empty.
std::string parse_runner_flags(int& argc, char** argv, RunnerConfig& config);

/// gtest main with retrace's flags. Returns RUN_ALL_TESTS()'s result (2 for a bad flag).
int test_main(int argc, char** argv);

namespace detail {
struct SeedFailure {
  std::string file;
  int line = 0;
  std::string message;
};
struct SeedResult {
  std::uint64_t seed = 0;
  std::vector<SeedFailure> failures;
  std::shared_ptr<const RunOutcome> outcome;
};
SeedResult run_one_seed(GuestTest& test, std::uint64_t seed, const std::string& test_name);
/// The current gtest test's full name ("Suite.Name"), on the thread that runs it.
std::string current_test_name();
/// Calls f(i) for i in [0, count) on the configured jobs; f returns whether that run failed.
void for_each_seed(std::size_t count, const std::function<bool(std::size_t)>& f);
/// Reports failures; `explain(i)` bisects result i's failure (called for the first failing seed).
void report_seeds(const std::vector<SeedResult>& results, const std::function<std::string(std::size_t)>& explain);
} // namespace detail

/// Runs `Body` (a RETRACE_TEST_F body class) under every configured seed. Fixture objects are
/// created and destroyed on the calling thread; only SetUp/body/TearDown run in parallel.
template <class Body>
void run_seeds() {
  const auto& seeds = runner_config().seeds;
  std::vector<std::unique_ptr<Body>> tests;
  tests.reserve(seeds.size());
  for (std::size_t i = 0; i < seeds.size(); ++i) tests.push_back(std::make_unique<Body>());
  std::vector<detail::SeedResult> results(seeds.size());
  const std::string name = detail::current_test_name();
  detail::for_each_seed(seeds.size(), [&](std::size_t i) {
    results[i] = detail::run_one_seed(*tests[i], seeds[i], name);
    return !results[i].failures.empty();
  });
  detail::report_seeds(results, [&](std::size_t i) {
    return results[i].outcome ? tests[i]->explain_failure(*results[i].outcome) : std::string();
  });
  tests.clear();
}

} // namespace retrace

/// Like TEST_F, for fixtures derived from retrace::GuestTest: the body runs once per seed.
#define RETRACE_TEST_F(Fixture, Name)                                                                   \
  class Fixture##_##Name##_RetraceBody : public Fixture {                                               \
  protected:                                                                                            \
    void retrace_body() override;                                                                       \
                                                                                                        \
  private:                                                                                              \
    void TestBody() override {}                                                                         \
  };                                                                                                    \
  TEST_F(Fixture, Name) { ::retrace::run_seeds<Fixture##_##Name##_RetraceBody>(); }                     \
  void Fixture##_##Name##_RetraceBody::retrace_body()
