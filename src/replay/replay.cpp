// Recorder and Replayer.
#include "retrace/replay/replay.hpp"

#include "retrace/replay/digest.hpp"
#include "retrace/version.hpp"

#include <fmt/format.h>

namespace retrace {

Recorder::Recorder(Machine& m, const std::string& path, RecordOptions options)
    : m_machine(m),
      m_writer(path, LogHeader{log_format_version, version_string, m.spec(), hash_images(m.spec()), options.seed,
                               options.digest_interval, options.label}),
      m_interval(options.digest_interval ? options.digest_interval : default_digest_interval),
      m_next_digest((m.icount() / m_interval + 1) * m_interval) {
  m_machine.on_input([this](std::uint64_t icount, const InputEvent& e) { m_writer.input(icount, e); });
  // Only drawn turns are recorded (a chaos run); without chaos the replay's scheduler makes
  // the same decisions from the same state, and the log stays as small as a 1-hart one.
  if (m.spec().has_chaos()) m_machine.on_schedule([this](const ScheduleDecision& d) { m_writer.schedule(d); });
}

Recorder::~Recorder() {
  m_machine.on_input(nullptr);
  m_machine.on_schedule(nullptr);
}

RunResult Recorder::run(std::uint64_t stop) {
  for (;;) {
    const std::uint64_t slice = std::min(stop, m_next_digest);
    const RunResult r = m_machine.run(slice);
    if (r.reason == StopReason::limit && r.icount == m_next_digest) {
      m_writer.digest(r.icount, state_digest(m_machine));
      m_next_digest += m_interval;
    }
    if (r.reason != StopReason::limit || r.icount >= stop) return r;
  }
}

void Recorder::finish(const RunResult& r) {
  if (m_finished) return;
  m_finished = true;
  m_writer.end(r.icount, r.reason, r.status);
  m_machine.on_input(nullptr);
  m_machine.on_schedule(nullptr);
}

std::vector<ScheduleDecision> recorded_schedule(const LogReader& log) {
  std::vector<ScheduleDecision> out;
  for (const auto& r : log.records())
    if (r.kind == LogRecord::schedule) out.push_back(r.decision);
  return out;
}

std::unique_ptr<Machine> machine_for_log(const LogReader& log, const std::vector<ScheduleDecision>* schedule) {
  const auto& h = log.header();
  const auto now = hash_images(h.spec);
  for (std::size_t i = 0; i < now.size() && i < h.images.size(); ++i) {
    const auto& was = h.images[i];
    if (now[i].xxh3 != was.xxh3 || now[i].size != was.size)
      throw Error(Errc::bad_image,
                  fmt::format("the {} image is not the one recorded ({} bytes, xxh3 {:016x}; recorded {} bytes, xxh3 "
                              "{:016x}): it changed since the run",
                              was.role, now[i].size, now[i].xxh3, was.size, was.xxh3),
                  {was.path, {}, {}});
  }
  auto m = std::make_unique<Machine>(h.spec);
  for (const auto& r : log.records())
    if (r.kind == LogRecord::input) m->schedule(r.icount, r.event);
  // A chaos replay follows the recorded turns, not the draws (which may change); without chaos
  // the scheduler runs as it did when recording (log_format_version changes with it).
  if (h.spec.has_chaos()) m->follow_schedule(schedule);
  return m;
}

Replayer::Replayer(const LogReader& log) : m_log(log), m_schedule(recorded_schedule(log)) {
  m_machine = machine_for_log(log, &m_schedule);
  for (const auto& r : log.records()) m_progress.inputs += r.kind == LogRecord::input;
  m_end_icount = log.records().empty() ? 0 : log.records().back().icount;
}

ReplayResult Replayer::run(std::uint64_t stop) {
  const auto& records = m_log.records();
  const std::uint64_t end = std::min(stop, m_end_icount);
  std::uint64_t last_good = m_progress.diverged ? m_progress.diverged_after : m_machine->icount();
  while (!m_progress.diverged) {
    // the next digest to check, if it lies before where this replay stops
    while (m_next_record < records.size() &&
           (records[m_next_record].kind != LogRecord::digest || records[m_next_record].icount < m_machine->icount()))
      ++m_next_record;
    const bool have_digest = m_next_record < records.size() && records[m_next_record].icount <= end;
    const std::uint64_t target = have_digest ? records[m_next_record].icount : end;
    m_progress.result = m_machine->run(target);
    if (const auto at = m_machine->schedule_divergence()) { // the recorded schedule no longer fits
      m_progress.diverged = true;
      m_progress.diverged_after = last_good;
      m_progress.diverged_by = *at;
      break;
    }
    if (m_progress.result.reason != StopReason::limit || m_machine->icount() < target) break; // ended early
    if (have_digest) {
      if (state_digest(*m_machine) != records[m_next_record].digest_value) {
        m_progress.diverged = true;
        m_progress.diverged_after = last_good;
        m_progress.diverged_by = target;
        break;
      }
      ++m_progress.digests_checked;
      last_good = target;
      ++m_next_record;
    }
    if (m_machine->icount() >= end) break;
  }
  if (const auto* e = m_log.end()) {
    m_progress.reached_end = m_machine->icount() == e->icount;
    const bool same_reason = m_progress.result.reason == e->reason ||
                             // a run stopped by its budget or a request replays as a stop at that icount
                             (e->reason != StopReason::exited && m_progress.result.reason == StopReason::limit);
    m_progress.end_matches = m_progress.reached_end && same_reason &&
                             (e->reason != StopReason::exited || m_progress.result.status == e->status);
  }
  return m_progress;
}

} // namespace retrace
