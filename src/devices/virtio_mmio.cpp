// The virtio-mmio register file (virtio 1.2, 4.2.2) and split-virtqueue access (2.7).
#include "retrace/devices/virtio_mmio.hpp"

#include <algorithm>

namespace retrace {
namespace {
constexpr std::uint64_t feature_version_1 = 1ull << 32;
constexpr std::uint16_t desc_next = 1;
} // namespace

std::optional<std::uint64_t> VirtioMmio::read_guest(std::uint64_t addr, unsigned size) const {
  std::uint64_t v = 0;
  if (!m_bus.in_ram(addr, size)) return std::nullopt;
  m_bus.load(addr, size, v);
  return v;
}

void VirtioMmio::update_irq() {
  if (m_set_irq) m_set_irq(m_t.interrupt_status != 0);
}

bool VirtioMmio::load(std::uint64_t off, unsigned, std::uint64_t& v) {
  switch (off) {
  case 0x000: v = 0x74726976; break; // "virt"
  case 0x004: v = 2; break;          // version: modern
  case 0x008: v = m_device_id; break;
  case 0x00c: v = 0x554d4551; break; // "QEMU", as QEMU's devices say
  case 0x010: v = m_t.device_features_sel == 1 ? (feature_version_1 >> 32) : 0; break;
  case 0x034: v = queue_max; break;
  case 0x044: v = m_t.queue_ready; break;
  case 0x060: v = m_t.interrupt_status; break;
  case 0x070: v = m_t.status; break;
  case 0x0fc: v = 0; break; // config generation: the configuration never changes
  default: v = off >= 0x100 ? config_load(off - 0x100) : 0;
  }
  return true;
}

bool VirtioMmio::store(std::uint64_t off, unsigned, std::uint64_t value) {
  auto& t = m_t;
  const auto v = static_cast<std::uint32_t>(value);
  auto low = [v](std::uint64_t& r) { r = (r & ~0xffffffffull) | v; };
  auto high = [v](std::uint64_t& r) { r = (r & 0xffffffffull) | (std::uint64_t{v} << 32); };
  switch (off) {
  case 0x014: t.device_features_sel = v; break;
  case 0x020:
    if (t.driver_features_sel < 2) {
      const unsigned shift = 32 * t.driver_features_sel;
      t.driver_features = (t.driver_features & ~(0xffffffffull << shift)) | (std::uint64_t{v} << shift);
    }
    break;
  case 0x024: t.driver_features_sel = v; break;
  case 0x030: t.queue_sel = v; break;
  case 0x038: t.queue_num = std::min<std::uint32_t>(v, queue_max); break;
  case 0x044: t.queue_ready = v & 1; break;
  case 0x050:
    if (v == 0 && t.queue_sel == 0 && t.queue_ready && t.queue_num) notified();
    break;
  case 0x064:
    t.interrupt_status &= ~v;
    update_irq();
    break;
  case 0x070:
    if (v == 0) {
      t = Transport{};
      device_reset();
      update_irq();
    } else {
      t.status = v;
    }
    break;
  case 0x080: low(t.desc); break;
  case 0x084: high(t.desc); break;
  case 0x090: low(t.avail); break;
  case 0x094: high(t.avail); break;
  case 0x0a0: low(t.used); break;
  case 0x0a4: high(t.used); break;
  default: break;
  }
  return true;
}

std::optional<std::uint16_t> VirtioMmio::next_avail() {
  if (!m_t.queue_ready || m_t.queue_num == 0) return std::nullopt;
  const auto avail_idx = read_guest(m_t.avail + 2, 2);
  if (!avail_idx || m_t.last_avail == static_cast<std::uint16_t>(*avail_idx)) return std::nullopt;
  const auto head = read_guest(m_t.avail + 4 + 2 * (m_t.last_avail % m_t.queue_num), 2);
  if (!head) return std::nullopt;
  ++m_t.last_avail;
  return static_cast<std::uint16_t>(*head);
}

std::vector<VirtioMmio::Desc> VirtioMmio::chain(std::uint16_t head) const {
  std::vector<Desc> out;
  std::uint64_t i = head;
  for (unsigned n = 0; n < m_t.queue_num && i < m_t.queue_num; ++n) {
    const std::uint64_t d = m_t.desc + 16 * i;
    const auto addr = read_guest(d, 8), len = read_guest(d + 8, 4), flags = read_guest(d + 12, 2),
               next = read_guest(d + 14, 2);
    if (!addr || !len || !flags || !next) break;
    out.push_back({*addr, static_cast<std::uint32_t>(*len), static_cast<std::uint16_t>(*flags)});
    if (!(*flags & desc_next)) break;
    i = *next;
  }
  return out;
}

void VirtioMmio::complete(std::uint16_t head, std::uint32_t written) {
  // The used ring: idx at +2, elements (id u32, len u32) from +4.
  const auto used_idx = read_guest(m_t.used + 2, 2).value_or(0);
  auto wr = [&](std::uint64_t addr, unsigned size, std::uint64_t v) {
    if (m_bus.in_ram(addr, size)) m_bus.store(addr, size, v);
  };
  const std::uint64_t slot = m_t.used + 4 + 8 * (used_idx % std::max<std::uint32_t>(m_t.queue_num, 1));
  wr(slot, 4, head);
  wr(slot + 4, 4, written);
  wr(m_t.used + 2, 2, static_cast<std::uint16_t>(used_idx + 1));
  // As QEMU's virtio_notify without EVENT_IDX: no interrupt, and no ISR bit, while the driver
  // sets VRING_AVAIL_F_NO_INTERRUPT in the available ring's flags.
  if (read_guest(m_t.avail, 2).value_or(0) & 1) return;
  m_t.interrupt_status |= 1;
  update_irq();
}

} // namespace retrace
