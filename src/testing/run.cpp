// Running a scenario under a seed. Everything that enters the machine is scheduled as an
// event at an exact icount; the wall-clock watchdog is the only host-time input, and it can
// only stop a run (and says so), never change what the guest sees.
#include "retrace/testing/run.hpp"

#include "retrace/error.hpp"
#include "retrace/replay/replay.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <sys/stat.h>

namespace retrace {

std::string guest_path(const std::string& name) {
  struct stat st {};
  if (stat(name.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return name;
  const char* env = std::getenv("RETRACE_GUEST_PATH");
  std::string dirs = env ? env : "";
  std::size_t start = 0;
  while (start <= dirs.size() && !dirs.empty()) {
    const auto end = dirs.find(':', start);
    const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (const char* ext : {".elf", ""}) {
      const std::string candidate = dir + "/" + name + ext;
      if (!dir.empty() && stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return candidate;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  throw Error(Errc::bad_argument, fmt::format("no guest called '{}': not a file, and not in RETRACE_GUEST_PATH ({})",
                                              name, env ? env : "unset"));
}

std::string RunOutcome::describe() const {
  std::string s;
  if (invariant_violated) {
    s = fmt::format("broke the invariant '{}' (a check saw it at icount {})", *invariant_violated, invariant_icount);
    s += fmt::format(" (seed {})", seed);
    if (!log_path.empty()) s += fmt::format("; log {}", log_path);
    return s;
  }
  switch (reason) {
  case StopReason::exited: s = fmt::format("exited with status {}", exit_status); break;
  case StopReason::limit:
    s = budget_exhausted ? "ran out of its instruction budget" : watchdog ? "was stopped by the wall-clock watchdog"
                                                                           : "stopped at the requested icount";
    break;
  case StopReason::idle: s = "hung: every hart waits for an interrupt that nothing can raise"; break;
  case StopReason::trap_loop: s = "looped on a trap without progress"; break;
  case StopReason::requested: s = "stopped where the test asked"; break;
  }
  s += fmt::format(" at icount {} (seed {})", icount, seed);
  if (!log_path.empty()) s += fmt::format("; log {}", log_path);
  if (reason == StopReason::trap_loop && !traps.empty()) {
    const auto& t = traps.back();
    s += fmt::format("; last trap: mcause {:#x} at pc {:#x}", t.cause, t.pc);
  }
  // The guest's last words are usually what a person wants to see first.
  std::string_view out = uart;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.remove_suffix(1);
  if (!out.empty()) {
    const auto nl = out.find_last_of('\n');
    std::string_view last = nl == std::string_view::npos ? out : out.substr(nl + 1);
    if (last.size() > 200) last = last.substr(last.size() - 200);
    s += fmt::format("; its output ends \"{}\"", last);
  }
  return s;
}

ScenarioRun::ScenarioRun(const Scenario& scenario, std::uint64_t seed, RunLimits limits)
    : m_scenario(scenario), m_seed(seed), m_limits(limits), m_jitter(Rng::derive(seed, "input-jitter")) {
  // Absolute image paths, so the log replays from anywhere.
  MachineSpec spec = scenario.machine_spec();
  if (!spec.kernel.empty()) spec.kernel = std::filesystem::absolute(guest_path(spec.kernel)).string();
  if (spec.bios != "none") spec.bios = std::filesystem::absolute(guest_path(spec.bios)).string();
  for (auto& l : spec.loads) l.path = std::filesystem::absolute(l.path).string();
  for (auto& d : spec.drives) d.path = std::filesystem::absolute(d.path).string();
  spec.seed = seed; // device randomness (disk jitter and errors, rng bytes) follows the run's seed
  spec = resolve_host_inputs(std::move(spec));
  m_machine = std::make_unique<Machine>(spec);
  if (!limits.log_path.empty()) {
    std::filesystem::create_directories(std::filesystem::path(limits.log_path).parent_path());
    m_recorder = std::make_unique<Recorder>(*m_machine, limits.log_path,
                                            RecordOptions{limits.label.empty() ? "guest test" : limits.label, seed});
  }
  m_machine->set_trap_loop_threshold(scenario.trap_loop_threshold());
  m_machine->uart().on_output([this](char c) { on_output(c); });

  // Scripted inputs, each delayed by the seed's jitter, in a fixed order so the draws are too.
  const auto jitter = [&] { return m_jitter.below(scenario.jitter() + 1); };
  for (const auto& in : scenario.inputs()) m_machine->schedule(in.icount + jitter(), {InputEvent::uart_rx, in.bytes});
  for (const auto& in : scenario.inputs_at_ns())
    m_machine->schedule(in.icount / spec.ns_per_insn + jitter(), {InputEvent::uart_rx, in.bytes});
  for (const auto& p : scenario.periodic())
    for (std::uint64_t k = 0; k < p.count; ++k)
      m_machine->schedule(p.start + k * p.period + jitter(), {InputEvent::uart_rx, p.bytes});
}

ScenarioRun::~ScenarioRun() {
  if (m_recorder) {
    try {
      const RunOutcome o = outcome();
      m_recorder->finish({o.reason, o.icount, o.exit_status});
    } catch (...) { // the log keeps its chunks; only the end record is missing
    }
  }
}

void ScenarioRun::on_output(char) {
  const std::string& out = m_machine->uart().output();
  const auto ends_with = [&](const std::string& p) {
    return !p.empty() && out.size() >= p.size() && out.compare(out.size() - p.size(), p.size(), p) == 0;
  };
  const auto& script = m_scenario.console();
  if (m_console_step < script.size() && ends_with(script[m_console_step].pattern)) {
    const auto& step = script[m_console_step++];
    const std::uint64_t at = m_machine->icount() + 1 + step.delay + m_jitter.below(m_scenario.jitter() + 1);
    m_machine->schedule(at, {InputEvent::uart_rx, step.reply});
  }
  if (!m_until.empty() && !m_until_seen && ends_with(m_until)) {
    m_until_seen = true;
    m_machine->request_stop();
  }
}

RunOutcome ScenarioRun::advance(std::uint64_t stop) {
  using clock = std::chrono::steady_clock; // host-time-ok: the watchdog only ever stops a run
  const auto started = clock::now();       // host-time-ok
  const std::uint64_t budget_end = m_scenario.budget();
  const std::uint64_t end = std::min(stop, budget_end);
  const bool checking = !m_scenario.invariants().empty();
  while (true) {
    const std::uint64_t slice_end =
        std::min(end, m_machine->icount() + (checking ? m_scenario.check_every() : std::uint64_t{1'000'000}));
    const auto r = m_recorder ? m_recorder->run(slice_end) : m_machine->run(slice_end);
    m_last_reason = r.reason;
    if (r.reason == StopReason::exited) m_exit_status = r.status;
    if (checking) {
      for (const auto& inv : m_scenario.invariants()) {
        if (!inv.holds(*m_machine)) {
          m_violation = inv.description;
          m_violation_icount = m_machine->icount();
          break;
        }
      }
      if (m_violation) break;
    }
    if (r.reason != StopReason::limit) break;
    if (m_machine->icount() >= end) {
      m_budget_exhausted = m_machine->icount() >= budget_end;
      break;
    }
    if (m_limits.watchdog_seconds > 0 &&
        std::chrono::duration<double>(clock::now() - started).count() > m_limits.watchdog_seconds) { // host-time-ok
      m_watchdog = true;
      break;
    }
  }
  return outcome();
}

RunOutcome ScenarioRun::run() { return advance(~std::uint64_t{0}); }

RunOutcome ScenarioRun::run_for(std::uint64_t n) { return advance(m_machine->icount() + n); }

RunOutcome ScenarioRun::run_until_output(std::string_view text) {
  m_until = std::string(text);
  m_until_seen = m_machine->uart().output().find(m_until) != std::string::npos;
  auto o = m_until_seen ? outcome() : advance(~std::uint64_t{0});
  m_until.clear();
  return o;
}

RunOutcome ScenarioRun::outcome() const {
  RunOutcome o;
  o.reason = m_last_reason;
  o.budget_exhausted = m_budget_exhausted;
  o.watchdog = m_watchdog;
  o.invariant_violated = m_violation;
  o.invariant_icount = m_violation_icount;
  o.exit_status = m_exit_status;
  o.icount = m_machine->icount();
  o.seed = m_seed;
  o.uart = m_machine->uart().output();
  o.traps = m_machine->traps();
  o.trap_count = m_machine->trap_count();
  if (m_recorder) o.log_path = m_recorder->path();
  return o;
}

} // namespace retrace
