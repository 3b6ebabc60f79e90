// virtio-mmio (version 2) + virtio-blk. Guest memory is reached through the bus with bounds
// checks: a malformed ring or descriptor is a device error (the request fails), never a crash.
#include "retrace/devices/virtio_mmio.hpp"

#include "retrace/error.hpp"

#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace retrace {
namespace {
constexpr std::uint64_t feature_version_1 = 1ull << 32;
constexpr std::uint16_t desc_next = 1, desc_write = 2;
constexpr std::uint32_t blk_in = 0, blk_out = 1, blk_flush = 4, blk_get_id = 8;
constexpr std::uint8_t blk_ok = 0, blk_ioerr = 1, blk_unsupp = 2;
} // namespace

VirtioBlk::VirtioBlk(Bus& bus, std::string image_path, std::function<void(bool)> set_irq)
    : m_bus(bus), m_path(std::move(image_path)), m_set_irq(std::move(set_irq)) {
  m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) throw Error(Errc::io, "cannot open disk image", {m_path, {}, {}});
  struct stat st {};
  if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(m_fd);
    throw Error(Errc::bad_image, "disk image is not a regular file", {m_path, {}, {}});
  }
  if (st.st_size % static_cast<off_t>(sector) != 0) {
    ::close(m_fd);
    throw Error(Errc::bad_image, "disk image size is not a multiple of 512 bytes", {m_path, static_cast<std::uint64_t>(st.st_size), {}});
  }
  m_sectors = static_cast<std::uint64_t>(st.st_size) / sector;
}

VirtioBlk::~VirtioBlk() {
  if (m_fd >= 0) ::close(m_fd);
}

void VirtioBlk::set_state(const State& s) {
  m_state = s;
  update_irq();
}

void VirtioBlk::update_irq() {
  if (m_set_irq) m_set_irq(m_state.interrupt_status != 0);
}

bool VirtioBlk::read_sector(std::uint64_t s, std::uint8_t* out) const {
  if (s >= m_sectors) return false;
  if (auto it = m_state.overlay.find(s); it != m_state.overlay.end()) {
    std::memcpy(out, it->second.data(), sector);
    return true;
  }
  return ::pread(m_fd, out, sector, static_cast<off_t>(s * sector)) == static_cast<ssize_t>(sector);
}

bool VirtioBlk::load(std::uint64_t off, unsigned, std::uint64_t& v) {
  const auto& s = m_state;
  switch (off) {
  case 0x000: v = 0x74726976; break; // "virt"
  case 0x004: v = 2; break;          // version: modern
  case 0x008: v = device_id; break;
  case 0x00c: v = 0x554d4551; break; // "QEMU"
  case 0x010: v = s.device_features_sel == 1 ? (feature_version_1 >> 32) : 0; break;
  case 0x034: v = queue_max; break;
  case 0x044: v = s.queue_ready; break;
  case 0x060: v = s.interrupt_status; break;
  case 0x070: v = s.status; break;
  case 0x0fc: v = 0; break; // config generation
  default:
    if (off >= 0x100 && off < 0x108) v = (m_sectors >> (8 * (off - 0x100))) & 0xffffffff; // capacity
    else if (off >= 0x100 && off < 0x100 + 0x40) v = 0;
    else v = 0;
  }
  return true;
}

bool VirtioBlk::store(std::uint64_t off, unsigned, std::uint64_t value) {
  auto& s = m_state;
  const auto v = static_cast<std::uint32_t>(value);
  switch (off) {
  case 0x014: s.device_features_sel = v; break;
  case 0x020:
    if (s.driver_features_sel < 2) {
      const unsigned shift = 32 * s.driver_features_sel;
      s.driver_features = (s.driver_features & ~(0xffffffffull << shift)) | (std::uint64_t{v} << shift);
    }
    break;
  case 0x024: s.driver_features_sel = v; break;
  case 0x030: s.queue_sel = v; break;
  case 0x038: s.queue_num = std::min<std::uint32_t>(v, queue_max); break;
  case 0x044: s.queue_ready = v & 1; break;
  case 0x050:
    if (v == 0 && s.queue_sel == 0) process_queue();
    break;
  case 0x064:
    s.interrupt_status &= ~v;
    update_irq();
    break;
  case 0x070:
    if (v == 0) { // reset
      const auto overlay = std::move(s.overlay);
      const auto requests = s.requests;
      s = State{};
      s.overlay = overlay; // the disk keeps what was written to it
      s.requests = requests;
      update_irq();
    } else {
      s.status = v;
    }
    break;
  case 0x080: s.desc = (s.desc & ~0xffffffffull) | v; break;
  case 0x084: s.desc = (s.desc & 0xffffffffull) | (std::uint64_t{v} << 32); break;
  case 0x090: s.avail = (s.avail & ~0xffffffffull) | v; break;
  case 0x094: s.avail = (s.avail & 0xffffffffull) | (std::uint64_t{v} << 32); break;
  case 0x0a0: s.used = (s.used & ~0xffffffffull) | v; break;
  case 0x0a4: s.used = (s.used & 0xffffffffull) | (std::uint64_t{v} << 32); break;
  default: break;
  }
  return true;
}

void VirtioBlk::process_queue() {
  auto& s = m_state;
  if (!s.queue_ready || s.queue_num == 0) return;
  auto rd = [&](std::uint64_t addr, unsigned size) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    if (!m_bus.in_ram(addr, size)) return std::nullopt;
    m_bus.load(addr, size, v);
    return v;
  };
  auto wr = [&](std::uint64_t addr, unsigned size, std::uint64_t v) {
    if (m_bus.in_ram(addr, size)) m_bus.store(addr, size, v);
  };
  const auto avail_idx = rd(s.avail + 2, 2);
  if (!avail_idx) return;
  unsigned guard = 0;
  while (s.last_avail != static_cast<std::uint16_t>(*avail_idx) && guard++ < s.queue_num) {
    const auto head = rd(s.avail + 4 + 2 * (s.last_avail % s.queue_num), 2);
    if (!head) return;
    // Walk the chain: header (readable), data, status byte (writable, last).
    struct Desc {
      std::uint64_t addr;
      std::uint32_t len;
      std::uint16_t flags;
    };
    std::vector<Desc> chain;
    std::uint64_t i = *head;
    for (unsigned n = 0; n < s.queue_num; ++n) {
      if (i >= s.queue_num) break;
      const std::uint64_t d = s.desc + 16 * i;
      const auto addr = rd(d, 8), len = rd(d + 8, 4), flags = rd(d + 12, 2), next = rd(d + 14, 2);
      if (!addr || !len || !flags || !next) break;
      chain.push_back({*addr, static_cast<std::uint32_t>(*len), static_cast<std::uint16_t>(*flags)});
      if (!(*flags & desc_next)) break;
      i = *next;
    }
    std::uint8_t status = blk_ioerr;
    std::uint32_t written = 0;
    if (chain.size() >= 2 && chain.front().len >= 16 && chain.back().len >= 1 && (chain.back().flags & desc_write)) {
      const auto type = rd(chain.front().addr, 4).value_or(~0u), sector_no = rd(chain.front().addr + 8, 8).value_or(0);
      std::uint64_t sec = sector_no;
      status = blk_ok;
      for (std::size_t k = 1; k + 1 < chain.size() && status == blk_ok; ++k) {
        const auto& dsc = chain[k];
        if (dsc.len % sector != 0 || !m_bus.in_ram(dsc.addr, dsc.len)) {
          status = blk_ioerr;
          break;
        }
        for (std::uint64_t off = 0; off < dsc.len && status == blk_ok; off += sector, ++sec) {
          std::array<std::uint8_t, 512> buf{};
          if (type == blk_in) {
            if (!read_sector(sec, buf.data())) status = blk_ioerr;
            else m_bus.write_ram(dsc.addr + off, buf.data(), sector), written += sector;
          } else if (type == blk_out) {
            if (sec >= m_sectors) status = blk_ioerr;
            else {
              m_bus.ram().read(dsc.addr + off - m_bus.ram_base(), buf.data(), sector);
              s.overlay[sec] = buf;
            }
          } else if (type == blk_get_id) {
            static const char id[20] = "retrace-virtio-blk";
            m_bus.write_ram(dsc.addr, id, std::min<std::uint64_t>(dsc.len, sizeof id));
            written += std::min<std::uint32_t>(dsc.len, sizeof id);
            break;
          } else if (type != blk_flush) {
            status = blk_unsupp;
          }
        }
      }
      wr(chain.back().addr, 1, status);
      written += 1;
    }
    // the used ring: idx at +2, elements (id u32, len u32) from +4
    const auto used_idx = rd(s.used + 2, 2).value_or(0);
    wr(s.used + 4 + 8 * (used_idx % s.queue_num), 4, *head);
    wr(s.used + 8 + 8 * (used_idx % s.queue_num), 4, written);
    wr(s.used + 2, 2, static_cast<std::uint16_t>(used_idx + 1));
    ++s.last_avail;
    ++s.requests;
  }
  s.interrupt_status |= 1;
  update_irq();
}

} // namespace retrace
