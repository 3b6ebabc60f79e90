#pragma once
/// \file
/// A virt-compatible machine: harts, RAM, boot ROM, CLINT, UART, finisher (and HTIF), built
/// from a MachineSpec and run for an exact number of instructions.
///
/// The machine's icount is its only clock. Inputs enter as events at an exact icount; a run
/// stops exactly at the icount it is asked to, also in the middle of anything.
///
/// Example:
/// \code
///   retrace::MachineSpec spec;
///   spec.kernel = "build/default/guest-fixtures/hello.elf";
///   retrace::Machine m(spec);
///   auto r = m.run(10'000'000);              // until exit, or 10M instructions
///   if (r.reason == retrace::StopReason::exited) std::cout << m.uart().output();
/// \endcode

#include "retrace/cpu/hart.hpp"
#include "retrace/devices/clint.hpp"
#include "retrace/devices/goldfish_rtc.hpp"
#include "retrace/devices/htif.hpp"
#include "retrace/devices/plic.hpp"
#include "retrace/devices/rom.hpp"
#include "retrace/devices/sifive_test.hpp"
#include "retrace/devices/uart16550.hpp"
#include "retrace/devices/virtio_blk.hpp"
#include "retrace/devices/virtio_rng.hpp"
#include "retrace/machine/elf.hpp"
#include "retrace/machine/machine_spec.hpp"
#include "retrace/mem/bus.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace retrace {

/// Why Machine::run returned.
enum class StopReason : std::uint8_t {
  exited,   ///< the guest finished (finisher or HTIF); see RunResult::status
  limit,    ///< the requested icount was reached
  idle,     ///< every hart waits for an interrupt that no device or event can raise
  trap_loop, ///< a hart took the same trap at the same pc many times in a row (no progress)
  requested, ///< request_stop() was called (from a callback during the run)
};

/// Name of a StopReason ("exited", "limit", "idle", "trap_loop").
[[nodiscard]] constexpr const char* to_string(StopReason r) noexcept {
  switch (r) {
  case StopReason::exited: return "exited";
  case StopReason::limit: return "limit";
  case StopReason::idle: return "idle";
  case StopReason::trap_loop: return "trap_loop";
  case StopReason::requested: return "requested";
  }
  return "unknown";
}

/// A trap a hart took (exception or interrupt).
struct TrapRecord {
  std::uint64_t icount = 0; ///< the icount after the step that took it
  unsigned hart = 0;
  std::uint64_t cause = 0; ///< mcause/scause value, bit 63 set for interrupts
  std::uint64_t pc = 0;    ///< where it was taken (the faulting instruction, or the interrupted one)
  std::uint64_t tval = 0;
  Priv to = Priv::m;       ///< the mode that handled it
};

struct RunResult {
  StopReason reason = StopReason::limit;
  std::uint64_t icount = 0;
  std::uint32_t status = 0; ///< the guest's exit status when reason == exited
};

/// A timed input: delivered when the machine's icount reaches `icount`.
struct InputEvent {
  enum Kind : std::uint8_t { uart_rx = 1 } kind = uart_rx;
  std::string data;
  template <class A>
  void serialize(A& ar) { ar(kind, data); }
  friend bool operator==(const InputEvent&, const InputEvent&) = default;
};

/// One scheduling decision of a multi-hart machine: at `icount`, hart `hart` runs for up to
/// `quantum` instructions (fewer if it waits for an interrupt or the run stops first). The log
/// records every decision, so a replay follows them instead of running the scheduler.
struct ScheduleDecision {
  std::uint64_t icount = 0;
  std::uint64_t quantum = 0;
  std::uint32_t hart = 0;
  template <class A>
  void serialize(A& ar) { ar(icount, quantum, hart); }
  friend bool operator==(const ScheduleDecision&, const ScheduleDecision&) = default;
};

/// Everything a machine's future depends on, at one icount. RAM pages are shared with the
/// machine (copy-on-write), so taking one costs O(pages in use) pointer copies, not a RAM copy.
struct MachineSnapshot {
  std::uint64_t icount = 0;
  std::vector<HartState> harts;
  Clint::State clint;
  Uart16550::State uart;
  Plic::State plic;
  GoldfishRtc::State rtc;
  std::vector<VirtioBlk::State> drives;
  std::optional<VirtioRng::State> rng;
  std::multimap<std::uint64_t, InputEvent> pending_inputs;
  std::optional<std::uint32_t> exit;
  std::size_t current_hart = 0;
  std::uint64_t quantum_left = 0;
  std::uint64_t slices = 0; ///< scheduling decisions taken so far
  VirtualClock::State clock; ///< how many harts share virtual time, since when
  std::uint64_t trap_count = 0;
  std::vector<TrapRecord> traps;
  std::optional<std::uint64_t> pc_watch_hit;
  Ram::Snapshot ram;
};

/// Addresses of the virt map (design.md).
namespace virt {
inline constexpr std::uint64_t rom_base = 0x1000, rom_size = 0xf000;
inline constexpr std::uint64_t test_base = 0x10'0000;
inline constexpr std::uint64_t rtc_base = 0x10'1000;
inline constexpr std::uint64_t clint_base = 0x200'0000;
inline constexpr std::uint64_t plic_base = 0xc00'0000, plic_size = 0x60'0000;
inline constexpr std::uint64_t uart_base = 0x1000'0000;
inline constexpr std::uint64_t virtio_base = 0x1000'1000, virtio_stride = 0x1000, virtio_count = 8;
inline constexpr std::uint64_t dram_base = 0x8000'0000;
} // namespace virt

/// The machine.
class Machine {
public:
  /// Builds the machine and loads its images. Throws retrace::Error for a bad spec or image.
  explicit Machine(MachineSpec spec);
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  /// Back to power-on: RAM cleared, images reloaded, harts at the reset vector, icount 0.
  void reset();

  /// Runs until the guest exits, every hart idles forever, or icount reaches `stop_icount`.
  RunResult run(std::uint64_t stop_icount);

  /// The whole state now (see MachineSnapshot); restore() returns to it exactly.
  [[nodiscard]] MachineSnapshot snapshot();
  /// Back to a snapshot taken from this machine (or one built from the same spec).
  void restore(const MachineSnapshot& s);

  /// Queues an input at an exact icount (>= the current one).
  void schedule(std::uint64_t icount, InputEvent event);

  /// Called with every input as it enters the machine (the recorder logs them here).
  void on_input(std::function<void(std::uint64_t icount, const InputEvent&)> f) { m_on_input = std::move(f); }
  /// Inputs scheduled but not delivered yet, in delivery order.
  [[nodiscard]] const std::multimap<std::uint64_t, InputEvent>& pending_inputs() const noexcept { return m_events; }

  /// Called with every scheduling decision of a multi-hart machine (the recorder logs them).
  void on_schedule(std::function<void(const ScheduleDecision&)> f) { m_on_schedule = std::move(f); }
  /// Replay: take scheduling decisions from `recorded` (decision k for the k-th slice) instead of
  /// the scheduler; null to schedule again. The vector must outlive the machine's runs.
  void follow_schedule(const std::vector<ScheduleDecision>* recorded) noexcept { m_follow = recorded; }
  /// The icount at which a followed schedule first did not fit the run (a decision at another
  /// icount, or none left), if it happened: the run then diverged from its recording.
  [[nodiscard]] std::optional<std::uint64_t> schedule_divergence() const noexcept { return m_schedule_divergence; }

  /// Which engine runs the harts. All give the same result to the instruction (lockstep runs
  /// check it, see docs/performance.md): `reference` steps one instruction at a time and is
  /// what on_step callbacks always use; `blocks` runs pre-decoded blocks with threaded
  /// dispatch; `jit` translates those blocks to x86-64 code (the block engine on other hosts,
  /// and while a pc is watched).
  enum class Engine : std::uint8_t { blocks, reference, jit };
  void set_engine(Engine e) noexcept { m_engine = e; }
  /// "blocks", "reference" or "jit".
  [[nodiscard]] static const char* engine_name(Engine e) noexcept {
    return e == Engine::blocks ? "blocks" : e == Engine::reference ? "reference" : "jit";
  }
  [[nodiscard]] Engine engine() const noexcept { return m_engine; }
  /// Every hart's translated blocks go to `f` in perf's map format (Hart::set_perf_map): with
  /// `f` = /tmp/perf-PID.map, `perf report` names the guest blocks the host time went to.
  void set_perf_map(std::FILE* f) noexcept {
    for (auto& h : m_harts) h->set_perf_map(f);
  }

  /// Called after every step that executed an instruction or took a trap (for --trace).
  void on_step(std::function<void(const Hart&)> f) { m_on_step = std::move(f); }

  /// Watches for the first instruction executed at `pc` (any hart); pc_watch_hit() then holds
  /// the icount of that step. Part of snapshots, so "pc reached X" is a monotone predicate.
  void watch_pc(std::optional<std::uint64_t> pc) noexcept {
    m_pc_watch = pc;
    m_pc_watch_hit.reset();
  }
  [[nodiscard]] std::optional<std::uint64_t> pc_watch_hit() const noexcept { return m_pc_watch_hit; }

  /// Ends the current run() after the instruction being executed (for callbacks such as
  /// on_step or the UART's output hook); run() returns StopReason::requested.
  void request_stop() noexcept {
    m_stop_requested = true;
    m_attention = true;
  }

  /// Every trap taken so far (the first `trap_log_limit`), and how many in all.
  [[nodiscard]] const std::vector<TrapRecord>& traps() const noexcept { return m_traps; }
  [[nodiscard]] std::uint64_t trap_count() const noexcept { return m_trap_count; }
  static constexpr std::size_t trap_log_limit = 10'000;
  /// Consecutive identical traps (same hart, pc and cause, no instruction retired between)
  /// that end a run with StopReason::trap_loop; 0 disables the check.
  void set_trap_loop_threshold(std::uint64_t n) noexcept { m_trap_loop_threshold = n; }

  /// Reads guest physical memory (RAM only). False if [addr, addr+n) is not RAM.
  bool read_memory(std::uint64_t addr, void* dst, std::size_t n) const {
    if (!m_bus.in_ram(addr, n)) return false;
    m_bus.ram().read(addr - m_bus.ram_base(), dst, n);
    return true;
  }
  /// Reads a T at a guest physical address; throws retrace::Error outside RAM.
  template <class T>
  [[nodiscard]] T read(std::uint64_t addr) const {
    T v{};
    if (!read_memory(addr, &v, sizeof v)) throw_outside_ram(addr, sizeof v);
    return v;
  }
  /// Address of a symbol of the kernel's (else the bios's) ELF; throws if there is none.
  [[nodiscard]] std::uint64_t symbol_address(std::string_view name) const;

  [[nodiscard]] std::uint64_t icount() const noexcept { return m_icount; }
  /// Virtual time (VirtualClock): with k harts able to run, time advances ns_per_insn / k per
  /// instruction, so each hart runs at the spec's speed (docs/scheduling.md).
  [[nodiscard]] const VirtualClock& clock() const noexcept { return m_clock; }
  /// The scheduler's position: the hart whose turn it is, what is left of its turn, and how
  /// many turns have been given. Part of snapshots and of multi-hart digests.
  [[nodiscard]] std::size_t current_hart() const noexcept { return m_current; }
  [[nodiscard]] std::uint64_t quantum_left() const noexcept { return m_quantum_left; }
  [[nodiscard]] std::uint64_t slices() const noexcept { return m_slices; }
  [[nodiscard]] const MachineSpec& spec() const noexcept { return m_spec; }
  /// The device tree blob the harts boot with (a1 at reset): the generated one or spec().dtb,
  /// with `/chosen` completed (bootargs, initrd), as written into RAM.
  [[nodiscard]] const std::vector<std::uint8_t>& boot_dtb() const noexcept { return m_boot_dtb; }
  [[nodiscard]] std::size_t hart_count() const noexcept { return m_harts.size(); }
  [[nodiscard]] Hart& hart(std::size_t i) { return *m_harts.at(i); }
  [[nodiscard]] const Hart& hart(std::size_t i) const { return *m_harts.at(i); }
  [[nodiscard]] Bus& bus() noexcept { return m_bus; }
  [[nodiscard]] Uart16550& uart() noexcept { return m_uart; }
  [[nodiscard]] const Uart16550& uart() const noexcept { return m_uart; }
  [[nodiscard]] Clint& clint() noexcept { return m_clint; }
  [[nodiscard]] Plic& plic() noexcept { return m_plic; }
  [[nodiscard]] GoldfishRtc& rtc() noexcept { return m_rtc; }
  /// The virtio-blk devices, in slot order (MachineSpec::drives).
  [[nodiscard]] std::size_t drive_count() const noexcept { return m_drives.size(); }
  [[nodiscard]] VirtioBlk& drive(std::size_t i) { return *m_drives.at(i); }
  /// The virtio-rng device (MachineSpec::rng), or null.
  [[nodiscard]] VirtioRng* rng() noexcept { return m_rng.get(); }
  /// The ELF the symbols come from (the kernel, else the bios), if it was an ELF.
  [[nodiscard]] const ElfFile* symbols() const noexcept { return m_symbols.get(); }
  /// The exit status once the guest has finished.
  [[nodiscard]] std::optional<std::uint32_t> exit_status() const noexcept { return m_exit; }

private:
  [[noreturn]] void throw_outside_ram(std::uint64_t addr, std::size_t n) const;
  void record_trap(const Hart& h);
  void load_images();
  void deliver_events();
  void handle_finish_requests();
  [[nodiscard]] std::uint64_t next_event_icount() const;
  [[nodiscard]] std::uint64_t next_device_deadline() const;
  void begin_slice(unsigned ready); // `ready`: harts that can run now
  [[nodiscard]] ScheduleDecision decide() const;
  [[nodiscard]] bool runnable(std::size_t hart) const;

  MachineSpec m_spec;
  std::uint64_t m_icount = 0;
  VirtualClock m_clock; // reads m_icount; the devices below read it
  Bus m_bus;
  Clint m_clint;
  Uart16550 m_uart;
  Plic m_plic;
  GoldfishRtc m_rtc;
  std::vector<std::unique_ptr<VirtioBlk>> m_drives;
  std::unique_ptr<VirtioRng> m_rng;
  SifiveTest m_test;
  std::unique_ptr<Rom> m_rom;
  std::vector<std::uint8_t> m_boot_dtb;
  std::unique_ptr<Htif> m_htif;
  std::vector<std::unique_ptr<Hart>> m_harts;
  std::shared_ptr<const ElfFile> m_symbols;
  std::multimap<std::uint64_t, InputEvent> m_events; // ordered: same icount keeps insertion order
  std::optional<std::uint32_t> m_exit;
  std::function<void(const Hart&)> m_on_step;
  std::function<void(std::uint64_t, const InputEvent&)> m_on_input;
  std::function<void(const ScheduleDecision&)> m_on_schedule;
  const std::vector<ScheduleDecision>* m_follow = nullptr;
  std::optional<std::uint64_t> m_schedule_divergence;
  std::uint64_t m_slices = 0;
  std::vector<std::unique_ptr<Device>> m_owned; // placeholder devices of reserved ranges
  Engine m_engine = Engine::jit;
  bool m_attention = false;        // a device needs the run loop to look at it
  std::size_t m_current = 0;       // hart whose quantum is running
  std::uint64_t m_quantum_left = 0;
  std::uint64_t m_start_pc = 0;
  std::vector<TrapRecord> m_traps;
  std::uint64_t m_trap_count = 0;
  std::uint64_t m_trap_loop_threshold = 10'000;
  std::uint64_t m_same_trap_run = 0;
  std::uint64_t m_last_trap_pc = 0, m_last_trap_cause = 0;
  unsigned m_last_trap_hart = 0;
  bool m_trap_loop = false;
  bool m_running = false;
  bool m_stop_requested = false;
  std::optional<std::uint64_t> m_pc_watch, m_pc_watch_hit;
};

} // namespace retrace
