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
#include "retrace/devices/htif.hpp"
#include "retrace/devices/rom.hpp"
#include "retrace/devices/sifive_test.hpp"
#include "retrace/devices/uart16550.hpp"
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
};

struct RunResult {
  StopReason reason = StopReason::limit;
  std::uint64_t icount = 0;
  std::uint32_t status = 0; ///< the guest's exit status when reason == exited
};

/// A timed input: delivered when the machine's icount reaches `icount`.
struct InputEvent {
  enum Kind : std::uint8_t { uart_rx } kind = uart_rx;
  std::string data;
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

  /// Queues an input at an exact icount (>= the current one).
  void schedule(std::uint64_t icount, InputEvent event);

  /// Called after every step that executed an instruction or took a trap (for --trace).
  void on_step(std::function<void(const Hart&)> f) { m_on_step = std::move(f); }

  [[nodiscard]] std::uint64_t icount() const noexcept { return m_icount; }
  [[nodiscard]] const MachineSpec& spec() const noexcept { return m_spec; }
  [[nodiscard]] std::size_t hart_count() const noexcept { return m_harts.size(); }
  [[nodiscard]] Hart& hart(std::size_t i) { return *m_harts.at(i); }
  [[nodiscard]] Bus& bus() noexcept { return m_bus; }
  [[nodiscard]] Uart16550& uart() noexcept { return m_uart; }
  [[nodiscard]] Clint& clint() noexcept { return m_clint; }
  /// The ELF the symbols come from (the kernel, else the bios), if it was an ELF.
  [[nodiscard]] const ElfFile* symbols() const noexcept { return m_symbols.get(); }
  /// The exit status once the guest has finished.
  [[nodiscard]] std::optional<std::uint32_t> exit_status() const noexcept { return m_exit; }

private:
  void load_images();
  void deliver_events();
  void handle_finish_requests();
  [[nodiscard]] std::uint64_t next_event_icount() const;

  MachineSpec m_spec;
  std::uint64_t m_icount = 0;
  Bus m_bus;
  Clint m_clint;
  Uart16550 m_uart;
  SifiveTest m_test;
  std::unique_ptr<Rom> m_rom;
  std::unique_ptr<Htif> m_htif;
  std::vector<std::unique_ptr<Hart>> m_harts;
  std::shared_ptr<const ElfFile> m_symbols;
  std::multimap<std::uint64_t, InputEvent> m_events; // ordered: same icount keeps insertion order
  std::optional<std::uint32_t> m_exit;
  std::function<void(const Hart&)> m_on_step;
  std::vector<std::unique_ptr<Device>> m_owned; // placeholder devices of reserved ranges
  bool m_attention = false;        // a device needs the run loop to look at it
  std::size_t m_current = 0;       // hart whose quantum is running
  std::uint64_t m_quantum_left = 0;
  std::uint64_t m_start_pc = 0;
};

} // namespace retrace
