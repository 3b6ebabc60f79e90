#pragma once
// A minimal virtio-mmio driver for device tests: one split queue of 32 entries in RAM, requests
// built from descriptors, completions read from the used ring, as a guest driver would.
#include "retrace/devices/virtio_mmio.hpp"
#include "retrace/mem/bus.hpp"

#include <cstdint>
#include <vector>

namespace retrace::test {

class VirtioDriver {
public:
  static constexpr std::uint64_t desc = 0x8000'0000, avail = 0x8000'1000, used = 0x8000'2000;
  static constexpr unsigned size = 32;

  VirtioDriver(Bus& bus, Device& dev) : m_bus(bus), m_dev(dev) {
    reg(0x070, 1 | 2);       // ACKNOWLEDGE | DRIVER
    reg(0x024, 1);
    reg(0x020, 1);           // VERSION_1 (bit 32)
    reg(0x070, 1 | 2 | 8);   // FEATURES_OK
    reg(0x030, 0);
    reg(0x038, size);
    reg(0x080, static_cast<std::uint32_t>(desc));
    reg(0x084, 0);
    reg(0x090, static_cast<std::uint32_t>(avail));
    reg(0x094, 0);
    reg(0x0a0, static_cast<std::uint32_t>(used));
    reg(0x0a4, 0);
    reg(0x044, 1);
    reg(0x070, 1 | 2 | 8 | 4); // DRIVER_OK
  }
  void reg(std::uint64_t off, std::uint32_t v) { m_dev.store(off, 4, v); }
  std::uint32_t read_reg(std::uint64_t off) {
    std::uint64_t v = 0;
    m_dev.load(off, 4, v);
    return static_cast<std::uint32_t>(v);
  }

  struct Buf {
    std::uint64_t addr;
    std::uint32_t len;
    bool writable;
  };
  /// Puts a chain in descriptors starting at `first` and makes it available (without notify).
  void offer(std::uint16_t first, const std::vector<Buf>& bufs) {
    for (std::size_t i = 0; i < bufs.size(); ++i) {
      const std::uint64_t d = desc + 16 * (first + i);
      const bool last = i + 1 == bufs.size();
      m_bus.store(d, 8, bufs[i].addr);
      m_bus.store(d + 8, 4, bufs[i].len);
      m_bus.store(d + 12, 2, (last ? 0 : 1) | (bufs[i].writable ? 2 : 0));
      m_bus.store(d + 14, 2, static_cast<std::uint16_t>(first + i + 1));
    }
    std::uint64_t idx = 0;
    m_bus.load(avail + 2, 2, idx);
    m_bus.store(avail + 4 + 2 * (idx % size), 2, first);
    m_bus.store(avail + 2, 2, static_cast<std::uint16_t>(idx + 1));
  }
  void notify() { reg(0x050, 0); }
  /// Heads in the used ring so far, in completion order.
  std::vector<std::uint16_t> used_heads() {
    std::uint64_t idx = 0;
    m_bus.load(used + 2, 2, idx);
    std::vector<std::uint16_t> out;
    for (std::uint64_t k = 0; k < idx; ++k) {
      std::uint64_t h = 0;
      m_bus.load(used + 4 + 8 * (k % size), 4, h);
      out.push_back(static_cast<std::uint16_t>(h));
    }
    return out;
  }

private:
  Bus& m_bus;
  Device& m_dev;
};

} // namespace retrace::test
