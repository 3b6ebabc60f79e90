#pragma once
/// \file
/// A Scenario declares everything a guest test runs: the machine, an instruction budget, the
/// scripted inputs (all delivered as events at exact instruction counts), seeded jitter on
/// their timing, and invariants over guest state. It is a pure description: run_scenario()
/// (run.hpp) turns it plus a seed into a deterministic run.
///
/// Example:
/// \code
///   retrace::Scenario s;
///   s.kernel(retrace::guest_path("uart-echo"))
///    .budget(5'000'000)
///    .send(10'000, "hello\r")                  // at icount 10000
///    .when_output("login: ", "root\n")         // expect-style: reply once the prompt appears
///    .every(200'000, ".", 5)                   // 5 dots, one every 200k instructions
///    .jitter(2'000)                            // each input up to 2000 instructions late, by seed
///    .invariant("counter <= 10", [](const retrace::Machine& m) {
///       return m.read<std::uint32_t>(m.symbol_address("counter")) <= 10; });
/// \endcode

#include "retrace/machine/machine_spec.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace retrace {

class Machine;

/// The path of the guest fixture `name` ("hello" -> ".../hello.elf"), searched in the
/// colon-separated directories of the RETRACE_GUEST_PATH environment variable. A name that is
/// already a path to a file is returned as it is. Throws retrace::Error if nothing is found.
[[nodiscard]] std::string guest_path(const std::string& name);

/// Bytes sent to the UART at an exact icount.
struct TimedInput {
  std::uint64_t icount = 0;
  std::string bytes;
};
/// Expect-style console step: once `pattern` appears in the UART output (after the previous
/// step matched), send `reply` `delay` instructions later.
struct ConsoleStep {
  std::string pattern;
  std::string reply;
  std::uint64_t delay = 0;
};
/// `count` inputs of `bytes`, the first at `start`, then every `period` instructions.
struct PeriodicInput {
  std::uint64_t start = 0, period = 0, count = 0;
  std::string bytes;
};
/// A named predicate over machine state that must hold throughout the run.
struct Invariant {
  std::string description;
  std::function<bool(const Machine&)> holds;
};

/// The declarative description of a guest test run.
class Scenario {
public:
  // --- the machine ---
  Scenario& kernel(std::string path) { m_spec.kernel = std::move(path); return *this; }
  Scenario& bios(std::string path) { m_spec.bios = std::move(path); return *this; }
  Scenario& harts(unsigned n) { m_spec.harts = n; return *this; }
  Scenario& ram(std::uint64_t bytes) { m_spec.ram_size = bytes; return *this; }
  /// An initramfs placed as QEMU's -initrd places it (MachineSpec::initrd).
  Scenario& initrd(std::string path) { m_spec.initrd = std::move(path); return *this; }
  /// The kernel command line, `/chosen/bootargs` (QEMU's -append).
  Scenario& append(std::string cmdline) { m_spec.append = std::move(cmdline); return *this; }
  /// Boot with this device tree blob instead of the generated one (QEMU's -dtb).
  Scenario& dtb(std::string path) { m_spec.dtb = std::move(path); return *this; }
  /// The ISA the harts implement, e.g. "rv64gc" (MachineSpec::cpu).
  Scenario& cpu(std::string isa) { m_spec.cpu = std::move(isa); return *this; }
  Scenario& load(std::string path, std::uint64_t address) { m_spec.loads.push_back({std::move(path), address}); return *this; }
  /// A raw disk image as a virtio-blk device (the file is only read; writes go to an overlay).
  Scenario& drive(std::string path) { m_spec.drives.emplace_back(std::move(path)); return *this; }
  /// A disk with latency, seeded jitter and injected I/O errors (see DriveSpec).
  Scenario& drive(DriveSpec d) { m_spec.drives.push_back(std::move(d)); return *this; }
  /// A virtio-rng device; its bytes come from the run's seed (or, with `from_host`, from host
  /// entropy that the log records).
  Scenario& rng(bool from_host = false) { m_spec.rng = true; m_spec.rng_from_host = from_host; return *this; }
  /// The goldfish RTC's start time, Unix ns (default 2026-01-01T00:00:00Z).
  Scenario& rtc_epoch_ns(std::uint64_t ns) { m_spec.rtc_epoch_ns = ns; m_spec.rtc_from_host = false; return *this; }
  /// The RTC starts at the host's time when the run starts (the log records it).
  Scenario& rtc_from_host() { m_spec.rtc_from_host = true; return *this; }
  Scenario& ns_per_insn(std::uint64_t ns) { m_spec.ns_per_insn = ns; return *this; }
  /// Instructions per turn of a hart (multi-hart round-robin).
  Scenario& quantum(std::uint64_t insns) { m_spec.quantum = insns; return *this; }
  /// Schedule chaos: each quantum's length drawn from [min, max] with the run's seed, and with
  /// `order` the next hart drawn too (docs/scheduling.md).
  Scenario& chaos(std::uint64_t min_quantum, std::uint64_t max_quantum, bool order = false) {
    m_spec.chaos_min_quantum = min_quantum;
    m_spec.chaos_max_quantum = max_quantum;
    m_spec.chaos_order = order;
    return *this;
  }
  Scenario& spec(MachineSpec s) { m_spec = std::move(s); return *this; }
  /// Instructions the run may use at most (always finite: a run can never hang the runner).
  Scenario& budget(std::uint64_t insns) { m_budget = insns; return *this; }

  // --- scripted inputs ---
  /// UART bytes at an exact icount.
  Scenario& send(std::uint64_t icount, std::string bytes) { m_inputs.push_back({icount, std::move(bytes)}); return *this; }
  /// UART bytes at a virtual time: ns since reset, converted to an icount at one hart's rate
  /// (ns / ns_per_insn). Inputs are timed by icount; with several harts sharing time
  /// (docs/scheduling.md), the byte arrives no later than that virtual time.
  Scenario& send_at_ns(std::uint64_t ns, std::string bytes) {
    m_timed_ns.push_back({ns, std::move(bytes)});
    return *this;
  }
  /// Expect-style: after the previous step, wait for `pattern` in the output, then reply.
  Scenario& when_output(std::string pattern, std::string reply, std::uint64_t delay = 0) {
    m_console.push_back({std::move(pattern), std::move(reply), delay});
    return *this;
  }
  /// `count` copies of `bytes`, one every `period` instructions starting at `start` (default: period).
  Scenario& every(std::uint64_t period, std::string bytes, std::uint64_t count, std::uint64_t start = 0) {
    m_periodic.push_back({start ? start : period, period, count, std::move(bytes)});
    return *this;
  }
  /// Seeded perturbation: each scripted input arrives up to `max_insns` instructions later than
  /// written, by an amount drawn from the run's seed (stream "input-jitter").
  Scenario& jitter(std::uint64_t max_insns) { m_jitter = max_insns; return *this; }

  // --- invariants ---
  Scenario& invariant(std::string description, std::function<bool(const Machine&)> holds) {
    m_invariants.push_back({std::move(description), std::move(holds)});
    return *this;
  }
  /// A declarative invariant, e.g. `invariant(u32_at("counter") <= 10)` (testing/probe.hpp).
  Scenario& invariant(Invariant inv) {
    m_invariants.push_back(std::move(inv));
    return *this;
  }
  /// How often (in instructions) invariants are checked during a run (default 10000); the
  /// bisection finds the exact instruction afterwards.
  Scenario& check_every(std::uint64_t insns) { m_check_every = insns ? insns : 1; return *this; }
  /// Identical consecutive traps that count as a trap loop (default 10000; 0: never).
  Scenario& trap_loop_threshold(std::uint64_t n) { m_trap_loop = n; return *this; }

  [[nodiscard]] const MachineSpec& machine_spec() const noexcept { return m_spec; }
  [[nodiscard]] std::uint64_t budget() const noexcept { return m_budget; }
  [[nodiscard]] const std::vector<TimedInput>& inputs() const noexcept { return m_inputs; }
  [[nodiscard]] const std::vector<TimedInput>& inputs_at_ns() const noexcept { return m_timed_ns; }
  [[nodiscard]] const std::vector<ConsoleStep>& console() const noexcept { return m_console; }
  [[nodiscard]] const std::vector<PeriodicInput>& periodic() const noexcept { return m_periodic; }
  [[nodiscard]] std::uint64_t jitter() const noexcept { return m_jitter; }
  [[nodiscard]] const std::vector<Invariant>& invariants() const noexcept { return m_invariants; }
  [[nodiscard]] std::uint64_t check_every() const noexcept { return m_check_every; }
  [[nodiscard]] std::uint64_t trap_loop_threshold() const noexcept { return m_trap_loop; }

private:
  MachineSpec m_spec;
  std::uint64_t m_budget = 1'000'000'000;
  std::vector<TimedInput> m_inputs, m_timed_ns;
  std::vector<ConsoleStep> m_console;
  std::vector<PeriodicInput> m_periodic;
  std::uint64_t m_jitter = 0;
  std::vector<Invariant> m_invariants;
  std::uint64_t m_check_every = 10'000;
  std::uint64_t m_trap_loop = 10'000;
};

} // namespace retrace
