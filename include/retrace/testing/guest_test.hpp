#pragma once
/// \file
/// The gtest fixture base for guest tests. A subclass declares its machine and inputs in
/// declare(); a test body runs it and asserts on the outcome.
///
/// Example:
/// \code
///   class Echo : public retrace::GuestTest {
///    protected:
///     void declare(retrace::Scenario& s) override {
///       s.kernel("uart-echo").budget(5'000'000).when_output("> ", "hello\r");
///     }
///   };
///   RETRACE_TEST_F(Echo, EchoesWhatItReceives) {   // runs under every seed of the sweep
///     auto outcome = run();
///     EXPECT_THAT(outcome, retrace::Passed());
///     EXPECT_THAT(outcome, retrace::UartOutput(testing::HasSubstr("HELLO")));
///   }
/// \endcode
/// TEST_F works too and runs the first seed only; RETRACE_TEST_F runs the test once per seed of
/// --retrace_seed/--retrace_seeds, in parallel, and reports each failing seed with the command
/// that reruns it.

#include "retrace/testing/matchers.hpp"
#include "retrace/testing/probe.hpp"
#include "retrace/testing/run.hpp"
#include "retrace/testing/scenario.hpp"

#include <gtest/gtest.h>
#include <memory>

namespace retrace {

/// Base fixture for guest tests.
class GuestTest : public ::testing::Test {
public:
  /// Runs SetUp, the body and TearDown for one seed (the runner calls this; not for tests).
  void retrace_run_seed(std::uint64_t seed, const std::string& test_name);
  /// The outcome of the last run()/run_for()/run_until_output() of this test (for reports).
  [[nodiscard]] const std::optional<RunOutcome>& last_outcome() const noexcept { return m_last; }
  /// For a failed run with a log: bisects it (the broken invariant, else the guest's FAIL
  /// line, else its exit, else its trap loop), writes LOG.report.txt and LOG.report.json
  /// next to the log, and returns the report text ("" when there is nothing to bisect).
  std::string explain_failure(const RunOutcome& outcome);

protected:
  /// Declares the machine, inputs and invariants. Called once per test and seed.
  virtual void declare(Scenario& s) = 0;
  /// The test body of RETRACE_TEST_F (TEST_F bodies are gtest's TestBody).
  virtual void retrace_body() {}

  void SetUp() override;

  /// Runs to the end: exit, hang, trap loop, broken invariant or budget.
  RunOutcome run() { return remember(scenario_run().run()); }
  /// Runs at most n more instructions.
  RunOutcome run_for(std::uint64_t n) { return remember(scenario_run().run_for(n)); }
  /// Runs until the UART output contains text.
  RunOutcome run_until_output(std::string_view text) { return remember(scenario_run().run_until_output(text)); }

  /// The seed this test runs under.
  [[nodiscard]] std::uint64_t seed() const noexcept { return m_seed; }
  [[nodiscard]] Machine& machine() { return scenario_run().machine(); }
  [[nodiscard]] const Scenario& scenario() const noexcept { return m_scenario; }
  /// A T at a guest physical address.
  template <class T>
  [[nodiscard]] T read(std::uint64_t addr) {
    return machine().read<T>(addr);
  }
  /// A T at a symbol of the guest's ELF.
  template <class T>
  [[nodiscard]] T read_symbol(std::string_view name) {
    return machine().read<T>(machine().symbol_address(name));
  }

private:
  // The run is built on first use, so a fixture object that never runs (gtest's own instance
  // of a RETRACE_TEST_F test) builds no machine and writes no log.
  ScenarioRun& scenario_run();
  RunOutcome remember(RunOutcome o) {
    m_last = o;
    return o;
  }
  Scenario m_scenario;
  std::unique_ptr<ScenarioRun> m_run;
  std::uint64_t m_seed = 0;
  bool m_seed_set = false;
  std::string m_test_name;
  RunLimits m_limits;
  std::optional<RunOutcome> m_last;
};

} // namespace retrace

#include "retrace/testing/runner.hpp"
