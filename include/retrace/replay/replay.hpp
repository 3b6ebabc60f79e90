#pragma once
/// \file
/// Recording a run to a log, and replaying a log: the machine is rebuilt from the header alone
/// (no test code), the recorded inputs are fed back at their icounts, and every digest is
/// checked, so a replay that differs is caught in the window where it first differs.
///
/// Example:
/// \code
///   retrace::Machine m(spec);
///   retrace::Recorder rec(m, "run.rlog", {.label = "demo"});
///   auto r = rec.run(budget);
///   rec.finish(r);
///
///   auto log = retrace::LogReader::read("run.rlog");
///   retrace::Replayer replay(log);
///   auto result = replay.run();          // result.diverged, result.matches_recording()
/// \endcode

#include "retrace/machine/machine.hpp"
#include "retrace/replay/log.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace retrace {

/// Instructions between digests by default (2^25, about 30 per virtual second at 1 ns per
/// instruction): an idle guest adds a few hundred bytes per second of virtual time.
inline constexpr std::uint64_t default_digest_interval = 1ull << 25;

/// What goes into a recording's header besides the machine spec.
struct RecordOptions {
  std::string label = "retrace run";
  std::uint64_t seed = 0;
  std::uint64_t digest_interval = default_digest_interval;
};

/// Records a machine's run: every input as it enters, a digest every interval, and the end.
class Recorder {
public:
  Recorder(Machine& m, const std::string& path, RecordOptions options = {});
  ~Recorder();
  /// Runs the machine to `stop` (as Machine::run) while recording.
  RunResult run(std::uint64_t stop);
  /// Writes the end record (the recorder then stops recording).
  void finish(const RunResult& r);
  [[nodiscard]] const std::string& path() const noexcept { return m_writer.path(); }

private:
  Machine& m_machine;
  LogWriter m_writer;
  std::uint64_t m_interval;
  std::uint64_t m_next_digest;
  bool m_finished = false;
};

/// How a replay went.
struct ReplayResult {
  RunResult result;                      ///< where the replay stopped
  std::uint64_t inputs = 0;              ///< inputs fed
  std::uint64_t digests_checked = 0;     ///< digests that matched
  bool diverged = false;                 ///< a digest did not match
  std::uint64_t diverged_after = 0;      ///< the last icount known to match...
  std::uint64_t diverged_by = 0;         ///< ...and the first known to differ
  bool reached_end = false;              ///< replayed to the recorded end record
  bool end_matches = false;              ///< and stopped there for the same reason and status
  [[nodiscard]] bool matches_recording() const noexcept { return !diverged && reached_end && end_matches; }
};

/// The scheduling decisions a log recorded, in order (empty for one hart).
[[nodiscard]] std::vector<ScheduleDecision> recorded_schedule(const LogReader& log);
/// Builds the machine a log describes, as a replay starts: refuses images whose content hash
/// differs from the recorded one, schedules the log's inputs at their icounts, and makes a
/// multi-hart machine follow `schedule` (recorded_schedule(log), which must outlive the
/// machine's runs). Replayer and lockstep build their machines with it.
[[nodiscard]] std::unique_ptr<Machine> machine_for_log(const LogReader& log,
                                                       const std::vector<ScheduleDecision>* schedule);

/// Replays a log.
class Replayer {
public:
  /// Rebuilds the machine from the header; refuses images whose content hash differs.
  explicit Replayer(const LogReader& log);
  /// Replays to `stop` or the recorded end, whichever is first, checking digests on the way.
  ReplayResult run(std::uint64_t stop = ~std::uint64_t{0});
  [[nodiscard]] Machine& machine() noexcept { return *m_machine; }
  /// The icount of the recorded end (or of the last valid record of a damaged log).
  [[nodiscard]] std::uint64_t end_icount() const noexcept { return m_end_icount; }

private:
  const LogReader& m_log;
  std::unique_ptr<Machine> m_machine;
  std::uint64_t m_end_icount = 0;
  std::size_t m_next_record = 0;
  ReplayResult m_progress;
  std::vector<ScheduleDecision> m_schedule; // recorded decisions, followed by a multi-hart machine
};

} // namespace retrace
