#pragma once
/// \file
/// Running a Scenario under a seed: the machine, the scripted inputs scheduled as events (with
/// the seed's jitter), the expect-style console, invariant checks, the instruction budget and
/// a wall-clock watchdog as the last resort. Deterministic: the same scenario and seed give the
/// same outcome, bit for bit.
///
/// Example:
/// \code
///   retrace::ScenarioRun run(scenario, /*seed=*/17);
///   auto o = run.run_until_output("login: ");
///   o = run.run();
///   if (!o.passed()) std::cerr << o.describe() << '\n';
/// \endcode

#include "retrace/machine/machine.hpp"
#include "retrace/testing/scenario.hpp"
#include "retrace/testing/seed.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace retrace {

/// How a guest test run ended and what it did.
struct RunOutcome {
  StopReason reason = StopReason::limit;
  bool budget_exhausted = false; ///< the scenario's instruction budget ran out
  bool watchdog = false;         ///< the wall-clock watchdog stopped it (not deterministic!)
  std::optional<std::string> invariant_violated; ///< description of the first one that failed
  std::uint64_t invariant_icount = 0;            ///< where the check saw it fail
  std::uint32_t exit_status = 0;                 ///< when reason == exited
  std::uint64_t icount = 0;
  std::uint64_t seed = 0;
  std::string uart;                              ///< everything UART 0 transmitted
  std::vector<TrapRecord> traps;                 ///< first Machine::trap_log_limit traps
  std::uint64_t trap_count = 0;
  std::string log_path;                          ///< the replay log, once runs are recorded

  [[nodiscard]] bool exited() const noexcept { return reason == StopReason::exited; }
  /// Exited with status 0 and broke no invariant.
  [[nodiscard]] bool passed() const noexcept { return exited() && exit_status == 0 && !invariant_violated; }
  /// One line for a person: "exited with status 3 at icount 51234 (seed 17)".
  [[nodiscard]] std::string describe() const;
};

/// gtest and gmock print an outcome as its one-line description.
inline void PrintTo(const RunOutcome& o, std::ostream* os) { *os << "a run that " << o.describe(); }

/// Limits outside the scenario (from the runner's flags).
struct RunLimits {
  double watchdog_seconds = 600; ///< wall-clock last resort; 0 disables
  std::string log_path;          ///< record the run to this log ("": do not record)
  std::string label;             ///< what the log's header says recorded it
};

/// One run of a scenario under a seed, advanced step by step by the test body.
class ScenarioRun {
public:
  ScenarioRun(const Scenario& scenario, std::uint64_t seed, RunLimits limits = {});
  ~ScenarioRun();
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  /// Runs until the guest exits, idles forever, loops on a trap, breaks an invariant, or the
  /// budget is spent.
  RunOutcome run();
  /// Runs at most `n` more instructions (stopping early for the same reasons as run()).
  RunOutcome run_for(std::uint64_t n);
  /// Runs until the UART output contains `text` (or any reason run() stops for).
  RunOutcome run_until_output(std::string_view text);

  /// The outcome so far.
  [[nodiscard]] RunOutcome outcome() const;
  [[nodiscard]] Machine& machine() noexcept { return *m_machine; }
  [[nodiscard]] const Machine& machine() const noexcept { return *m_machine; }
  [[nodiscard]] std::uint64_t seed() const noexcept { return m_seed; }

private:
  RunOutcome advance(std::uint64_t stop);
  void on_output(char c);

  Scenario m_scenario; // a copy: a temporary Scenario may be passed in
  std::uint64_t m_seed;
  RunLimits m_limits;
  std::unique_ptr<Machine> m_machine;
  std::unique_ptr<class Recorder> m_recorder;
  Rng m_jitter;               // the seed's "input-jitter" stream
  std::size_t m_console_step = 0;
  std::string m_until;        // run_until_output's text, while it runs
  bool m_until_seen = false;
  StopReason m_last_reason = StopReason::limit;
  bool m_budget_exhausted = false, m_watchdog = false;
  std::optional<std::string> m_violation;
  std::uint64_t m_violation_icount = 0;
  std::uint32_t m_exit_status = 0;
};

} // namespace retrace
