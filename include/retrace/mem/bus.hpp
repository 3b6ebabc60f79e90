#pragma once
/// \file
/// The physical address space: one RAM region plus memory-mapped devices and ROMs. Harts go
/// through the Bus after translation and PMP; a miss is an access fault, never host memory.
///
/// Example:
/// \code
///   retrace::Bus bus(0x8000'0000, 128 << 20);
///   bus.attach(0x1000'0000, 0x100, uart);      // uart: a retrace::Device
///   std::uint64_t v;
///   bool ok = bus.load(0x8000'0000, 4, v);
/// \endcode

#include "retrace/devices/device.hpp"
#include "retrace/mem/ram.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace retrace {

/// Physical memory map of a machine.
class Bus {
public:
  /// A watched physical range: stores to it call the watcher (HTIF tohost, code pages).
  struct Watch {
    std::uint64_t base = 0, size = 0;
    Device* device = nullptr; ///< receives store(offset, size, value) after the RAM write
  };

  Bus(std::uint64_t ram_base, std::uint64_t ram_size) : m_ram_base(ram_base), m_ram(ram_size) {}

  [[nodiscard]] std::uint64_t ram_base() const noexcept { return m_ram_base; }
  [[nodiscard]] std::uint64_t ram_size() const noexcept { return m_ram.size(); }
  [[nodiscard]] Ram& ram() noexcept { return m_ram; }
  [[nodiscard]] const Ram& ram() const noexcept { return m_ram; }

  /// Maps `device` at [base, base+size). The bus does not own it.
  void attach(std::uint64_t base, std::uint64_t size, Device& device) {
    m_regions.push_back({base, size, &device});
  }
  /// Calls `device.store` after every RAM store overlapping [base, base+size).
  void watch(std::uint64_t base, std::uint64_t size, Device& device) {
    m_watch = {base, size, &device};
    ++m_watch_version;
  }
  /// Stops watching (the watcher is going away).
  void unwatch() {
    m_watch = {};
    ++m_watch_version;
  }

  /// A hart's LR reservation: the reserved physical address and whether it is held.
  struct Reservation {
    const std::uint64_t* address = nullptr;
    bool* valid = nullptr;
  };
  /// The reservations of a multi-hart machine. Any store to RAM that overlaps a reserved
  /// doubleword breaks it, whoever stores (another hart, an AMO, a device writing RAM), so an SC
  /// after another hart's store fails as the A extension requires. Empty for one hart: its own
  /// stores are checked by the hart.
  void track_reservations(std::vector<Reservation> r) { m_reservations = std::move(r); }
  /// Whether some hart holds a valid reservation (so a store may have to break it).
  [[nodiscard]] bool any_reservation_valid() const noexcept {
    for (const auto& r : m_reservations)
      if (*r.valid) return true;
    return false;
  }
  /// Whether [addr, addr+n) overlaps the watched range (a store there must reach the watcher).
  [[nodiscard]] bool watched(std::uint64_t addr, std::uint64_t n) const noexcept {
    return m_watch.device && addr < m_watch.base + m_watch.size && addr + n > m_watch.base;
  }
  /// Changes whenever watch() or unwatch() is called.
  [[nodiscard]] std::uint64_t watch_version() const noexcept { return m_watch_version; }

  /// True if [addr, addr+n) lies inside RAM.
  [[nodiscard]] bool in_ram(std::uint64_t addr, std::uint64_t n) const noexcept {
    return addr - m_ram_base < m_ram.size() && n <= m_ram.size() - (addr - m_ram_base);
  }

  /// Physical load of 1, 2, 4 or 8 bytes (little-endian). False: access fault.
  bool load(std::uint64_t addr, unsigned size, std::uint64_t& value) {
    if (in_ram(addr, size)) {
      value = 0;
      m_ram.read(addr - m_ram_base, &value, size);
      return true;
    }
    if (auto* r = find(addr, size)) return r->device->load(addr - r->base, size, value);
    return false;
  }
  /// Physical store. False: access fault.
  bool store(std::uint64_t addr, unsigned size, std::uint64_t value) {
    if (in_ram(addr, size)) {
      m_ram.write(addr - m_ram_base, &value, size); // notes decoded code itself
      after_store_written(addr, size, value);
      return true;
    }
    if (auto* r = find(addr, size)) return r->device->store(addr - r->base, size, value);
    return false;
  }
  /// What follows every store to RAM, also one a hart made through its own page pointer: the
  /// watcher sees it, reservations it overlaps are broken, and decoded code it overlaps is
  /// dropped. True if the store reached the watcher or changed decoded code: a hart running a
  /// block must then stop after this instruction, as it does after a device access.
  [[gnu::always_inline]] bool after_ram_store(std::uint64_t addr, unsigned size, std::uint64_t value) {
    const bool code = m_ram.note_write(addr - m_ram_base, size);
    return after_store_written(addr, size, value) || code;
  }
  /// A debugger's read: RAM, or a device whose reads have no side effects. False otherwise.
  bool debug_load(std::uint64_t addr, unsigned size, std::uint64_t& value) {
    if (in_ram(addr, size)) return load(addr, size, value);
    if (auto* r = find(addr, size); r && r->device->debug_readable()) return r->device->load(addr - r->base, size, value);
    return false;
  }
  /// Copies an image into RAM (loading ELF segments, raw binaries, the DTB). False if it
  /// does not fit inside RAM.
  bool write_ram(std::uint64_t addr, const void* data, std::uint64_t n) {
    if (!in_ram(addr, n)) return false;
    m_ram.write(addr - m_ram_base, data, n);
    if (!m_reservations.empty()) break_reservations(addr, n);
    return true;
  }
  /// Whether a device (or RAM) answers at addr; used to tell access faults apart in reports.
  [[nodiscard]] std::string describe(std::uint64_t addr) const {
    if (in_ram(addr, 1)) return "ram";
    for (const auto& r : m_regions)
      if (addr - r.base < r.size) return std::string(r.device->name());
    return "unmapped";
  }

private:
  // after_ram_store without the code check (Ram::write makes that one): reservations and the
  // watcher. True if the watcher saw the store.
  [[gnu::always_inline]] bool after_store_written(std::uint64_t addr, unsigned size, std::uint64_t value) {
    if (!m_reservations.empty()) break_reservations(addr, size);
    if (watched(addr, size)) {
      m_watch.device->store(addr - m_watch.base, size, value);
      return true;
    }
    return false;
  }
  void break_reservations(std::uint64_t addr, std::uint64_t n) noexcept {
    for (const auto& r : m_reservations) {
      const std::uint64_t base = *r.address & ~std::uint64_t{7};
      if (*r.valid && addr < base + 8 && addr + n > base) *r.valid = false;
    }
  }
  struct Region {
    std::uint64_t base, size;
    Device* device;
  };
  Region* find(std::uint64_t addr, unsigned size) {
    for (auto& r : m_regions)
      if (addr - r.base < r.size && size <= r.size - (addr - r.base)) return &r;
    return nullptr;
  }

  std::uint64_t m_ram_base;
  Ram m_ram;
  std::vector<Region> m_regions;
  Watch m_watch;
  std::uint64_t m_watch_version = 0;
  std::vector<Reservation> m_reservations;
};

} // namespace retrace
