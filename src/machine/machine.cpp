// Machine construction (QEMU virt's -bios/-kernel semantics and reset vector) and the run
// loop with its exact instruction count.
#include "retrace/machine/machine.hpp"

#include "retrace/detail/draw.hpp"
#include "retrace/error.hpp"
#include "retrace/machine/fdt.hpp"
#include "retrace/isa/insn.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <libfdt.h>
#include <fstream>
#include <iterator>
#include <xxhash.h>

namespace retrace {
namespace {

// Reserved ranges of the map answer like an absent device: reads are zero, writes ignored.
class Reserved final : public Device {
public:
  explicit Reserved(std::string_view n) : m_name(n) {}
  [[nodiscard]] std::string_view name() const override { return m_name; }
  bool load(std::uint64_t, unsigned, std::uint64_t& v) override {
    v = 0;
    return true;
  }
  bool store(std::uint64_t, unsigned, std::uint64_t) override { return true; }

private:
  std::string_view m_name;
};

// An empty virtio-mmio slot, as QEMU shows one: the magic, version 2, device id 0.
class EmptyVirtioSlot final : public Device {
public:
  [[nodiscard]] std::string_view name() const override { return "virtio-mmio (empty)"; }
  bool load(std::uint64_t off, unsigned, std::uint64_t& v) override {
    v = off == 0 ? 0x74726976 : off == 4 ? 2 : off == 0xc ? 0x554d4551 : 0;
    return true;
  }
  bool store(std::uint64_t, unsigned, std::uint64_t) override { return true; }
};

std::vector<std::uint8_t> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, fmt::format("cannot open {} image", what), {path, {}, {}});
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(Errc::io, fmt::format("cannot read {} image", what), {path, {}, {}});
  return bytes;
}

bool is_elf(const std::vector<std::uint8_t>& b) {
  return b.size() >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F';
}

struct Loaded {
  std::uint64_t entry = 0;
  std::uint64_t end = 0; // one past the highest byte loaded
  std::shared_ptr<const ElfFile> elf;
};

Loaded load_image(Bus& bus, const std::string& path, std::uint64_t raw_addr, const char* what) {
  auto bytes = read_file(path, what);
  Loaded out;
  const auto ram_desc = [&] {
    return fmt::format("RAM [{:#x}, {:#x})", bus.ram_base(), bus.ram_base() + bus.ram_size());
  };
  if (is_elf(bytes)) {
    auto elf = std::make_shared<const ElfFile>(ElfFile::parse(std::move(bytes), path));
    if (!elf->is_64bit()) throw Error(Errc::bad_image, "32-bit ELF: retrace emulates RV64", {path, 4, {}});
    for (const auto& seg : elf->segments()) {
      if (!bus.in_ram(seg.paddr, seg.memsz))
        throw Error(Errc::bad_image,
                    fmt::format("segment at {:#x} ({:#x} bytes) is outside {}", seg.paddr, seg.memsz, ram_desc()),
                    {path, {}, {}});
      bus.write_ram(seg.paddr, seg.data.data(), seg.data.size());
      out.end = std::max(out.end, seg.paddr + seg.memsz);
    }
    out.entry = elf->entry();
    out.elf = std::move(elf);
  } else {
    if (bytes.empty()) throw Error(Errc::bad_image, fmt::format("empty {} image", what), {path, 0, {}});
    if (!bus.write_ram(raw_addr, bytes.data(), bytes.size()))
      throw Error(Errc::bad_image,
                  fmt::format("{} bytes at {:#x} do not fit in {}", bytes.size(), raw_addr, ram_desc()), {path, {}, {}});
    out.entry = raw_addr;
    out.end = raw_addr + bytes.size();
  }
  return out;
}

// QEMU virt's reset vector (riscv_setup_rom_reset_vec), RV64: a0 = mhartid, a1 = DTB address,
// a2 = fw_dynamic_info, then jump to start_addr.
std::vector<std::uint8_t> reset_rom(std::uint64_t start_addr, std::uint64_t fdt_addr, std::uint64_t kernel_entry) {
  using namespace isa;
  const std::uint32_t code[] = {
      enc_u(0, 5, 0x17),            // auipc t0, 0
      enc_i(0x28, 5, 0, 12, 0x13),  // addi a2, t0, 40   (fw_dyn)
      enc_i(0xf14, 0, 2, 10, 0x73), // csrr a0, mhartid
      enc_i(32, 5, 3, 11, 0x03),    // ld a1, 32(t0)
      enc_i(24, 5, 3, 5, 0x03),     // ld t0, 24(t0)
      enc_i(0, 5, 0, 0, 0x67),      // jr t0
  };
  std::vector<std::uint8_t> rom(virt::rom_size, 0);
  auto put64 = [&](std::size_t off, std::uint64_t v) {
    for (int k = 0; k < 8; ++k) rom[off + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v >> (8 * k));
  };
  for (std::size_t k = 0; k < std::size(code); ++k)
    for (int b = 0; b < 4; ++b) rom[4 * k + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(code[k] >> (8 * b));
  put64(0x18, start_addr);
  put64(0x20, fdt_addr);
  // struct fw_dynamic_info { magic "OSBI", version 2, next_addr, next_mode (S), options, boot_hart }
  put64(0x28, 0x4942534f);
  put64(0x30, 2);
  put64(0x38, kernel_entry);
  put64(0x40, 1);
  put64(0x48, 0);
  put64(0x50, 0);
  return rom;
}

// Where QEMU's virt puts the DTB: the last 2 MiB-aligned slot below min(RAM end, 3 GiB).
std::uint64_t fdt_address(std::uint64_t ram_base, std::uint64_t ram_size, std::uint64_t fdt_size) {
  const std::uint64_t three_gib = 3ull << 30;
  const std::uint64_t end = ram_base < three_gib ? std::min(ram_base + ram_size, three_gib) : ram_base + ram_size;
  return (end - fdt_size) & ~((2ull << 20) - 1);
}

} // namespace

namespace {
// The spec's checks, made before any member is built: a spec from a damaged log may claim a
// RAM of 2^63 bytes, which must be refused, not allocated.
MachineSpec validated(MachineSpec spec) {
  if (spec.harts < 1 || spec.harts > 8)
    throw Error(Errc::bad_spec, fmt::format("harts must be 1..8, not {}", spec.harts));
  if (spec.ram_base != virt::dram_base)
    throw Error(Errc::bad_spec, fmt::format("RAM must start at {:#x} on the virt map", virt::dram_base));
  if (spec.ram_size < (1u << 20) || spec.ram_size > (16ull << 30) || spec.ram_size % Ram::page_size)
    throw Error(Errc::bad_spec,
                fmt::format("RAM size must be a multiple of 4 KiB between 1 MiB and 16 GiB, not {}", spec.ram_size));
  if (spec.ns_per_insn == 0 || spec.ns_per_insn > 1'000'000'000)
    throw Error(Errc::bad_spec, fmt::format("ns_per_insn must be 1..1000000000, not {}", spec.ns_per_insn));
  if (spec.quantum == 0) throw Error(Errc::bad_spec, "quantum must be at least 1");
  if (spec.chaos_max_quantum && (spec.chaos_min_quantum == 0 || spec.chaos_min_quantum > spec.chaos_max_quantum))
    throw Error(Errc::bad_spec, fmt::format("chaos quanta must satisfy 1 <= min ({}) <= max ({})", spec.chaos_min_quantum,
                                            spec.chaos_max_quantum));
  if (spec.kernel.empty() && spec.bios == "none")
    throw Error(Errc::bad_spec, "nothing to run: give a kernel, a bios, or both");
  if (!spec.cpu.empty()) (void)isa::ExtSet::parse(spec.cpu); // a bad ISA string is refused here, naming it
  // As QEMU: these describe how a kernel boots, so they need one.
  if (spec.kernel.empty() && !spec.initrd.empty()) throw Error(Errc::bad_spec, "an initrd needs a kernel (--kernel)");
  if (spec.kernel.empty() && !spec.append.empty())
    throw Error(Errc::bad_spec, "a kernel command line (--append) needs a kernel (--kernel)");
  return spec;
}
} // namespace

Machine::Machine(MachineSpec spec)
    : m_spec(validated(std::move(spec))), m_clock(m_icount, m_spec.ns_per_insn), m_bus(m_spec.ram_base, m_spec.ram_size),
      m_clint(m_clock), m_uart(m_clock), m_rtc(m_clock, m_spec.rtc_epoch_ns) {

  const auto extensions = cpu_extensions(m_spec);
  for (unsigned h = 0; h < m_spec.harts; ++h) {
    m_harts.push_back(std::make_unique<Hart>(h, m_bus, m_clint));
    m_harts.back()->set_extensions(extensions); // configuration: reset() keeps it
  }
  if (m_harts.size() > 1) {
    std::vector<Bus::Reservation> reservations;
    for (auto& h : m_harts) reservations.push_back({&h->state().reservation, &h->state().reservation_valid});
    m_bus.track_reservations(std::move(reservations));
  }
  m_uart.on_irq([this](bool level) { m_plic.set_level(Uart16550::irq, level); });
  m_uart.set_attention(&m_attention);
  m_rtc.connect([this](bool level) { m_plic.set_level(GoldfishRtc::irq, level); }, &m_attention);

  auto& empty_virtio = *m_owned.emplace_back(std::make_unique<EmptyVirtioSlot>());
  m_test.attention = &m_attention;
  m_clint.attention = &m_attention;
  for (auto& h : m_harts) h->set_attention(&m_attention); // stimecmp writes move the CLINT's deadlines
  m_bus.attach(virt::test_base, SifiveTest::size, m_test);
  m_bus.attach(virt::rtc_base, GoldfishRtc::size, m_rtc);
  m_bus.attach(virt::clint_base, Clint::size, m_clint);
  m_bus.attach(virt::plic_base, virt::plic_size, m_plic);
  m_bus.attach(virt::uart_base, Uart16550::size, m_uart);
  if (m_spec.drives.size() + (m_spec.rng ? 1 : 0) > virt::virtio_count)
    throw Error(Errc::bad_spec, fmt::format("at most {} virtio devices (drives and rng)", virt::virtio_count));
  for (std::uint64_t k = 0; k < virt::virtio_count; ++k) {
    const std::uint64_t base = virt::virtio_base + k * virt::virtio_stride;
    const unsigned irq = static_cast<unsigned>(1 + k);
    auto line = [this, irq](bool level) { m_plic.set_level(irq, level); };
    if (k < m_spec.drives.size()) {
      m_drives.push_back(std::make_unique<VirtioBlk>(m_bus, m_spec.drives[k], line, m_clock, m_spec.seed, &m_attention));
      m_bus.attach(base, virt::virtio_stride, *m_drives.back());
    } else if (k == m_spec.drives.size() && m_spec.rng) {
      const std::uint64_t key = m_spec.rng_from_host ? m_spec.rng_key : XXH3_64bits_withSeed("virtio-rng", 10, m_spec.seed);
      m_rng = std::make_unique<VirtioRng>(m_bus, key, line);
      m_bus.attach(base, virt::virtio_stride, *m_rng);
    } else {
      m_bus.attach(base, virt::virtio_stride, empty_virtio);
    }
  }
  load_images();
}

void Machine::load_images() {
  m_bus.ram().clear();
  std::uint64_t firmware_end = m_spec.ram_base;
  std::shared_ptr<const ElfFile> bios_elf;
  if (m_spec.bios != "none") {
    auto fw = load_image(m_bus, m_spec.bios, m_spec.ram_base, "bios");
    firmware_end = fw.end;
    bios_elf = fw.elf;
  }
  std::uint64_t kernel_entry = 0;
  m_symbols = bios_elf;
  if (!m_spec.kernel.empty()) {
    // As QEMU: a raw kernel goes to the first 2 MiB boundary at or after the firmware's end.
    const std::uint64_t align = 2ull << 20;
    const std::uint64_t kernel_start = (firmware_end + align - 1) & ~(align - 1);
    auto k = load_image(m_bus, m_spec.kernel, kernel_start, "kernel");
    kernel_entry = k.entry;
    if (k.elf) m_symbols = k.elf;
  }
  for (const auto& extra : m_spec.loads) {
    auto bytes = read_file(extra.path, "loaded");
    if (!m_bus.write_ram(extra.address, bytes.data(), bytes.size()))
      throw Error(Errc::bad_image,
                  fmt::format("{} bytes at {:#x} do not fit in RAM [{:#x}, {:#x})", bytes.size(), extra.address,
                              m_bus.ram_base(), m_bus.ram_base() + m_bus.ram_size()),
                  {extra.path, {}, {}});
  }
  // HTIF when the guest defines tohost.
  m_bus.unwatch();
  m_htif.reset();
  if (m_symbols) {
    if (auto tohost = m_symbols->symbol("tohost")) {
      m_htif = std::make_unique<Htif>(m_bus, *tohost, m_symbols->symbol("fromhost").value_or(0));
      m_htif->attention = &m_attention;
      m_htif->console = [this](char c) { m_uart.store(0, 1, static_cast<unsigned char>(c)); };
      m_bus.watch(*tohost, 8, *m_htif);
    }
  }
  // The initrd where QEMU's virt puts it: far enough above the kernel that the kernel's own
  // image and early allocations do not reach it, low enough that small RAMs keep room for it.
  BootInfo boot;
  std::vector<std::uint8_t> initrd;
  if (!m_spec.initrd.empty()) {
    initrd = read_file(m_spec.initrd, "initrd");
    if (initrd.empty()) throw Error(Errc::bad_image, "empty initrd image", {m_spec.initrd, 0, {}});
    boot.initrd_start = kernel_entry + std::min<std::uint64_t>(m_spec.ram_size / 2, 128ull << 20);
    boot.initrd_end = boot.initrd_start + initrd.size();
    if (!m_bus.in_ram(boot.initrd_start, initrd.size()))
      throw Error(Errc::bad_image,
                  fmt::format("the initrd ({} bytes at {:#x}, the kernel's load address + {} MiB) does not fit in RAM "
                              "[{:#x}, {:#x}); give more --ram",
                              initrd.size(), boot.initrd_start, (boot.initrd_start - kernel_entry) >> 20,
                              m_bus.ram_base(), m_bus.ram_base() + m_bus.ram_size()),
                  {m_spec.initrd, {}, {}});
  }
  // The DTB (generated from the spec, or the one given), where QEMU's virt puts it.
  const auto fdt = boot_fdt(m_spec, boot);
  const std::uint64_t fdt_addr = fdt_address(m_spec.ram_base, m_spec.ram_size, fdt.size());
  if (fdt_addr < m_spec.ram_base || fdt.size() > m_spec.ram_size)
    throw Error(Errc::bad_image, fmt::format("the device tree ({} bytes) does not fit in RAM", fdt.size()),
                {m_spec.dtb, {}, {}});
  if (!initrd.empty()) {
    if (boot.initrd_end > fdt_addr)
      throw Error(Errc::bad_image,
                  fmt::format("the initrd [{:#x}, {:#x}) overlaps the device tree at {:#x}; give more --ram",
                              boot.initrd_start, boot.initrd_end, fdt_addr),
                  {m_spec.initrd, {}, {}});
    m_bus.write_ram(boot.initrd_start, initrd.data(), initrd.size());
  }
  m_bus.write_ram(fdt_addr, fdt.data(), fdt.size());
  m_boot_dtb = fdt;
  // As QEMU's virt, the reset vector jumps to the start of RAM (firmware, or the kernel when
  // there is none); fw_dynamic_info tells firmware where the kernel is.
  m_start_pc = m_spec.ram_base;
  // One ROM object, attached once; a reset rewrites its contents.
  if (!m_rom) {
    m_rom = std::make_unique<Rom>(reset_rom(m_start_pc, fdt_addr, kernel_entry));
    m_bus.attach(virt::rom_base, virt::rom_size, *m_rom);
  } else {
    m_rom->set_bytes(reset_rom(m_start_pc, fdt_addr, kernel_entry));
  }
  for (auto& h : m_harts) h->reset(virt::rom_base);
  // Devices back to their reset state (the UART keeps what it has printed so far).
  std::vector<Hart*> harts;
  for (auto& h : m_harts) harts.push_back(h.get());
  m_clint.connect(harts);
  m_plic.connect(harts);
  Uart16550::State uart;
  uart.output = m_uart.output();
  m_uart.set_state(uart);
  m_rtc.set_state({});
  for (auto& d : m_drives) d->set_state({}); // a fresh power-on: no overlay
  if (m_rng) m_rng->set_state({});
}

void Machine::reset() {
  m_icount = 0;
  m_exit.reset();
  m_traps.clear();
  m_trap_count = 0;
  m_same_trap_run = 0;
  m_trap_loop = false;
  m_current = 0;
  m_quantum_left = 0;
  m_slices = 0;
  m_clock.set_state({});
  load_images();
}

MachineSnapshot Machine::snapshot() {
  MachineSnapshot s;
  s.icount = m_icount;
  for (const auto& h : m_harts) s.harts.push_back(h->state());
  s.clint = m_clint.state();
  s.uart = m_uart.state();
  s.plic = m_plic.state();
  s.rtc = m_rtc.state();
  for (const auto& d : m_drives) s.drives.push_back(d->state());
  if (m_rng) s.rng = m_rng->state();
  s.pending_inputs = m_events;
  s.exit = m_exit;
  s.current_hart = m_current;
  s.quantum_left = m_quantum_left;
  s.slices = m_slices;
  s.clock = m_clock.state();
  s.trap_count = m_trap_count;
  s.traps = m_traps;
  s.pc_watch_hit = m_pc_watch_hit;
  s.ram = m_bus.ram().snapshot();
  return s;
}

void Machine::restore(const MachineSnapshot& s) {
  if (s.harts.size() != m_harts.size())
    throw Error(Errc::bad_argument, fmt::format("snapshot of {} harts for a machine of {}", s.harts.size(), m_harts.size()));
  m_icount = s.icount;
  for (std::size_t i = 0; i < m_harts.size(); ++i) m_harts[i]->set_state(s.harts[i]);
  m_bus.ram().restore(s.ram);
  m_clint.set_state(s.clint);
  m_plic.set_state(s.plic);
  m_rtc.set_state(s.rtc);
  for (std::size_t i = 0; i < m_drives.size() && i < s.drives.size(); ++i) m_drives[i]->set_state(s.drives[i]);
  if (m_rng && s.rng) m_rng->set_state(*s.rng);
  m_uart.set_state(s.uart);
  m_events = s.pending_inputs;
  m_exit = s.exit;
  m_current = s.current_hart;
  m_quantum_left = s.quantum_left;
  m_slices = s.slices;
  m_clock.set_state(s.clock);
  // The trap log keeps what happened before the snapshot.
  m_trap_count = s.trap_count;
  m_traps = s.traps;
  m_pc_watch_hit = s.pc_watch_hit;
  m_same_trap_run = 0;
  m_trap_loop = false;
  m_stop_requested = false;
  m_attention = false;
  m_test.request.reset();
  if (m_htif) m_htif->request.reset();
}

void Machine::schedule(std::uint64_t icount, InputEvent event) {
  if (icount < m_icount)
    throw Error(Errc::bad_argument, fmt::format("input scheduled in the past (now {})", m_icount), {{}, {}, icount});
  m_events.emplace(icount, std::move(event));
  if (m_running) m_attention = true; // scheduled from inside a step: re-plan the slice
}

void Machine::throw_outside_ram(std::uint64_t addr, std::size_t n) const {
  throw Error(Errc::bad_argument, fmt::format("{} bytes at {:#x} are not in RAM", n, addr), {{}, {}, m_icount});
}

std::uint64_t Machine::symbol_address(std::string_view name) const {
  if (m_symbols)
    if (auto a = m_symbols->symbol(name)) return *a;
  throw Error(Errc::bad_argument, fmt::format("no symbol '{}' in the guest's ELF", name));
}

void Machine::record_trap(const Hart& h) {
  const auto& s = h.state();
  const bool to_s = s.priv == Priv::s;
  const std::uint64_t cause = h.last_trap_cause();
  const std::uint64_t epc = to_s ? s.sepc : s.mepc;
  const std::uint64_t tval = to_s ? s.stval : s.mtval;
  ++m_trap_count;
  if (m_traps.size() < trap_log_limit) m_traps.push_back({m_icount, h.hartid(), cause, epc, tval, s.priv});
  // No progress: the same exception at the same pc, again and again.
  const bool same = !m_traps.empty() && m_trap_count > 1 && !(cause >> 63);
  if (same && m_last_trap_pc == epc && m_last_trap_cause == cause && m_last_trap_hart == h.hartid()) {
    if (m_trap_loop_threshold && ++m_same_trap_run >= m_trap_loop_threshold) {
      m_trap_loop = true;
      m_attention = true;
    }
  } else {
    m_same_trap_run = 1;
  }
  m_last_trap_pc = epc;
  m_last_trap_cause = cause;
  m_last_trap_hart = h.hartid();
}

void Machine::deliver_events() {
  while (!m_events.empty() && m_events.begin()->first <= m_icount) {
    auto& e = m_events.begin()->second;
    if (m_on_input) m_on_input(m_icount, e);
    if (e.kind == InputEvent::uart_rx) m_uart.receive(e.data);
    m_events.erase(m_events.begin());
  }
}

std::uint64_t Machine::next_event_icount() const {
  return m_events.empty() ? Clint::never : m_events.begin()->first;
}

std::uint64_t Machine::next_device_deadline() const {
  std::uint64_t t = std::min({m_clint.next_deadline(), m_rtc.next_deadline(), m_uart.next_deadline()});
  for (const auto& d : m_drives) t = std::min(t, d->next_completion());
  return t;
}

RunResult Machine::run(std::uint64_t stop) {
  m_running = true;
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{m_running};
  const bool multi = m_harts.size() > 1;
  for (;;) {
    if (m_exit) return {StopReason::exited, m_icount, *m_exit};
    if (m_trap_loop) return {StopReason::trap_loop, m_icount, 0};
    if (m_stop_requested) {
      m_stop_requested = false;
      return {StopReason::requested, m_icount, 0};
    }
    deliver_events();
    for (auto& d : m_drives) d->complete_due();
    m_rtc.update();
    m_uart.update();
    m_clint.update();
    if (m_icount >= stop) return {StopReason::limit, m_icount, 0};

    if (multi && m_quantum_left == 0) {
      // While every hart waits, time skips ahead and no turn is given: a run stopped in the
      // middle of an idle stretch (a replay to an icount, a bisection probe) and resumed makes
      // the same schedule decisions as one that ran through it. The skip runs at one hart's
      // rate, so idle icounts are virtual ns × ns_per_insn whatever the number of harts.
      unsigned ready = 0;
      for (std::size_t k = 0; k < m_harts.size(); ++k) ready += runnable(k) ? 1 : 0;
      if (ready == 0) {
        m_clock.share(1);
        const std::uint64_t wake = std::min(next_event_icount(), next_device_deadline());
        if (wake == Clint::never) return {StopReason::idle, m_icount, 0};
        m_icount = std::min(stop, wake);
        continue;
      }
      begin_slice(ready);
    }
    // Deadlines are read after the turn is planned: the share of time it sets decides the icount
    // at which each device's time comes.
    const std::uint64_t wake = std::min(next_event_icount(), next_device_deadline());
    const std::uint64_t until = std::min(stop, wake);

    // The current hart runs until `until`, the end of its quantum, WFI, or a device asks for
    // attention (a finisher write, a CLINT write that moves a deadline).
    Hart& h = *m_harts[m_current];
    const std::uint64_t budget = multi ? std::min(until - m_icount, m_quantum_left) : until - m_icount;
    bool waiting = false;
    std::uint64_t n = 0;
    if (m_engine != Engine::reference && !m_on_step) {
      if (m_engine == Engine::jit && m_current != 0) h.share_translations(*m_harts[0]); // one kernel, translated once
      std::uint64_t watch = m_pc_watch && !m_pc_watch_hit ? *m_pc_watch : ~std::uint64_t{0};
      while (n < budget) {
        const Hart::RunResult r = m_engine == Engine::jit && watch == ~std::uint64_t{0}
                                      ? h.run_jit(budget - n, m_icount, m_attention)
                                      : h.run(budget - n, m_icount, m_attention, watch);
        n += r.executed;
        if (r.waiting) waiting = true;
        // What the reference loop below does per step, for the last instruction run: the ones
        // before it neither trapped nor were the watched pc.
        if (r.executed > (r.trapped ? 1u : 0u)) m_same_trap_run = 0;
        if (r.trapped) record_trap(h);
        if (r.stepped && watch != ~std::uint64_t{0} && h.last_pc() == watch && h.last_length() != 0) {
          m_pc_watch_hit = m_icount;
          watch = ~std::uint64_t{0};
        }
        if (waiting || m_attention) break;
      }
    } else {
      while (n < budget) {
        if (h.step() == Hart::StepResult::waiting) {
          waiting = true;
          break;
        }
        ++n;
        ++m_icount;
        if (h.last_step_trapped()) record_trap(h);
        else m_same_trap_run = 0;
        if (m_pc_watch && !m_pc_watch_hit && h.last_pc() == *m_pc_watch && h.last_length() != 0) m_pc_watch_hit = m_icount;
        if (m_on_step) m_on_step(h);
        if (m_attention) break;
      }
    }
    if (multi) m_quantum_left -= n;
    if (m_attention) {
      m_attention = false;
      handle_finish_requests();
    }
    if (waiting) m_quantum_left = 0; // the slice ends; the next decision picks who runs
    if (waiting && !multi) { // (with several harts, the next turn's planning skips idle time)
      bool all_waiting = true;
      for (auto& other : m_harts) all_waiting &= other->state().waiting && !other->interrupt_pending();
      if (all_waiting) {
        // Every hart is in WFI: virtual time skips ahead to what can wake one, if anything can.
        if (wake == Clint::never) return {StopReason::idle, m_icount, 0};
        m_icount = until;
      }
    }
  }
}

bool Machine::runnable(std::size_t hart) const {
  const Hart& h = *m_harts[hart];
  return !h.state().waiting || h.interrupt_pending();
}

namespace {
// One draw per (turn, purpose) under the run's seed.
std::uint64_t schedule_draw(std::uint64_t seed, std::uint64_t slice, std::uint64_t purpose) {
  return detail::keyed_draw(seed ^ 0x7363686564756c65ull, slice, purpose); // "schedule"
}
} // namespace

ScheduleDecision Machine::decide() const {
  ScheduleDecision d;
  d.icount = m_icount;
  const std::size_t n = m_harts.size();
  const std::size_t first = m_slices == 0 ? 0 : (m_current + 1) % n;
  d.hart = static_cast<std::uint32_t>(first);
  if (m_spec.chaos_order) {
    std::vector<std::uint32_t> ready;
    for (std::size_t k = 0; k < n; ++k)
      if (runnable(k)) ready.push_back(static_cast<std::uint32_t>(k));
    if (!ready.empty()) d.hart = ready[schedule_draw(m_spec.seed, m_slices, 1) % ready.size()];
  } else {
    for (std::size_t k = 0; k < n; ++k) // round-robin over the harts that can run
      if (runnable((first + k) % n)) {
        d.hart = static_cast<std::uint32_t>((first + k) % n);
        break;
      }
  }
  d.quantum = m_spec.quantum;
  if (m_spec.chaos_max_quantum)
    d.quantum = m_spec.chaos_min_quantum +
                schedule_draw(m_spec.seed, m_slices, 2) % (m_spec.chaos_max_quantum - m_spec.chaos_min_quantum + 1);
  return d;
}

void Machine::begin_slice(unsigned ready) {
  ScheduleDecision d;
  const bool recorded = m_follow && m_slices < m_follow->size() && (*m_follow)[m_slices].icount == m_icount &&
                        (*m_follow)[m_slices].hart < m_harts.size() && (*m_follow)[m_slices].quantum > 0;
  if (recorded) {
    d = (*m_follow)[m_slices];
  } else {
    if (m_follow && !m_schedule_divergence) m_schedule_divergence = m_icount;
    d = decide();
  }
  ++m_slices;
  m_current = d.hart;
  m_quantum_left = d.quantum;
  m_clock.share(ready); // the harts that can run share virtual time for this turn
  if (m_on_schedule) m_on_schedule(d);
}

void Machine::handle_finish_requests() {
  std::optional<FinishRequest> req = m_test.request;
  if (!req && m_htif) req = m_htif->request;
  m_test.request.reset();
  if (m_htif) m_htif->request.reset();
  if (!req) return;
  if (req->kind == FinishRequest::exit) {
    m_exit = req->status;
  } else { // a guest-requested reset: power-on state, but virtual time goes on
    const std::uint64_t now = m_icount;
    load_images();
    m_icount = now;
  }
}

} // namespace retrace
