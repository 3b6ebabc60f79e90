// virtio-blk (virtio 1.2, 5.2) on the virtio-mmio transport: requests taken at notify, served
// when their completion time comes, with scripted and seeded faults.
#include "retrace/devices/virtio_blk.hpp"

#include "retrace/detail/draw.hpp"
#include "retrace/error.hpp"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

namespace retrace {
namespace {
constexpr std::uint32_t blk_in = 0, blk_out = 1, blk_flush = 4, blk_get_id = 8;
constexpr std::uint8_t blk_ok = 0, blk_ioerr = 1, blk_unsupp = 2;
// Draw purposes: one independent draw per (drive key, request, purpose).
constexpr std::uint64_t draw_jitter = 1, draw_error = 2;
} // namespace

VirtioBlk::VirtioBlk(Bus& bus, DriveSpec drive, std::function<void(bool)> set_irq, const VirtualClock& clock,
                     std::uint64_t seed, bool* attention)
    : VirtioMmio(bus, device_id, std::move(set_irq)), m_drive(std::move(drive)), m_clock(clock),
      m_attention(attention) {
  const auto& path = m_drive.path;
  if (m_drive.error_ppm > 1'000'000)
    throw Error(Errc::bad_spec, "a drive's error rate is at most 1000000 ppm", {path, {}, {}});
  m_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_fd < 0) throw Error(Errc::io, "cannot open disk image", {path, {}, {}});
  struct stat st {};
  if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(m_fd);
    throw Error(Errc::bad_image, "disk image is not a regular file", {path, {}, {}});
  }
  if (st.st_size % static_cast<off_t>(sector) != 0) {
    ::close(m_fd);
    throw Error(Errc::bad_image, "disk image size is not a multiple of 512 bytes",
                {path, static_cast<std::uint64_t>(st.st_size), {}});
  }
  m_sectors = static_cast<std::uint64_t>(st.st_size) / sector;
  m_key = XXH3_64bits_withSeed(path.data(), path.size(), seed);
  m_s.fault_hits.assign(m_drive.faults.size(), 0);
}

VirtioBlk::~VirtioBlk() {
  if (m_fd >= 0) ::close(m_fd);
}

VirtioBlk::State VirtioBlk::state() const {
  State s = m_s;
  s.transport = m_t; // the transport's registers live in the base class
  return s;
}

void VirtioBlk::set_state(const State& s) {
  m_s = s;
  m_s.fault_hits.resize(m_drive.faults.size(), 0);
  m_t = s.transport; // no line is driven: the PLIC's restored state has its own pending bits
}

std::uint32_t VirtioBlk::config_load(std::uint64_t off) const {
  if (off < 8) return static_cast<std::uint32_t>(m_sectors >> (8 * off)); // capacity, u64
  return 0;
}

void VirtioBlk::device_reset() {
  m_s.in_flight.clear(); // the driver abandoned them; the disk keeps what was written to it
}

void VirtioBlk::notified() {
  while (auto head = next_avail()) {
    const std::uint64_t seq = m_s.submitted++;
    std::uint64_t ns = m_drive.latency_ns;
    if (m_drive.jitter_ns) ns += detail::keyed_draw(m_key, seq, draw_jitter) % (m_drive.jitter_ns + 1);
    if (ns == 0) {
      serve(*head, seq);
      continue;
    }
    const std::uint64_t now = m_clock.ns();
    const InFlight f{ns >= VirtualClock::never - now ? VirtualClock::never : now + ns, seq, *head};
    const auto at = std::upper_bound(m_s.in_flight.begin(), m_s.in_flight.end(), f, [](const InFlight& a, const InFlight& b) {
      return a.complete_at != b.complete_at ? a.complete_at < b.complete_at : a.seq < b.seq;
    });
    m_s.in_flight.insert(at, f);
    if (m_attention) *m_attention = true; // the run loop re-plans with the new deadline
  }
}

std::uint64_t VirtioBlk::next_completion() const noexcept {
  return m_s.in_flight.empty() ? never : m_clock.icount_at(m_s.in_flight.front().complete_at);
}

void VirtioBlk::complete_due() {
  while (!m_s.in_flight.empty() && m_s.in_flight.front().complete_at <= m_clock.ns()) {
    const InFlight f = m_s.in_flight.front();
    m_s.in_flight.erase(m_s.in_flight.begin());
    serve(f.head, f.seq);
  }
}

bool VirtioBlk::fails(std::uint64_t seq) {
  for (std::size_t i = 0; i < m_drive.faults.size(); ++i) {
    const auto& f = m_drive.faults[i];
    if (m_clock.icount() >= f.at_icount && m_s.fault_hits[i] < f.count) {
      ++m_s.fault_hits[i];
      return true;
    }
  }
  return m_drive.error_ppm && detail::keyed_draw(m_key, seq, draw_error) % 1'000'000 < m_drive.error_ppm;
}

bool VirtioBlk::read_sector(std::uint64_t s, std::uint8_t* out) const {
  if (s >= m_sectors) return false;
  if (auto it = m_s.overlay.find(s); it != m_s.overlay.end()) {
    std::memcpy(out, it->second.data(), sector);
    return true;
  }
  return ::pread(m_fd, out, sector, static_cast<off_t>(s * sector)) == static_cast<ssize_t>(sector);
}

void VirtioBlk::serve(std::uint16_t head, std::uint64_t seq) {
  // The chain: a 16-byte header (type, reserved, sector), data buffers, a writable status byte.
  const auto c = chain(head);
  std::uint8_t status = blk_ioerr;
  std::uint32_t written = 0;
  if (c.size() >= 2 && c.front().len >= 16 && m_bus.in_ram(c.front().addr, 16) && c.back().len >= 1 &&
      c.back().writable() && m_bus.in_ram(c.back().addr, 1)) {
    std::uint64_t type = 0, sec = 0;
    m_bus.load(c.front().addr, 4, type);
    m_bus.load(c.front().addr + 8, 8, sec);
    status = fails(seq) ? blk_ioerr : blk_ok;
    if (status != blk_ok) ++m_s.errors;
    for (std::size_t k = 1; k + 1 < c.size() && status == blk_ok; ++k) {
      const auto& d = c[k];
      if (type == blk_get_id) {
        static constexpr char id[20] = "retrace-virtio-blk";
        const auto n = std::min<std::uint32_t>(d.len, sizeof id);
        if (!m_bus.write_ram(d.addr, id, n)) status = blk_ioerr;
        else written += n;
        break;
      }
      if (type == blk_flush) break;
      if (type != blk_in && type != blk_out) {
        status = blk_unsupp;
        break;
      }
      if (d.len % sector != 0 || !m_bus.in_ram(d.addr, d.len)) {
        status = blk_ioerr;
        break;
      }
      for (std::uint64_t off = 0; off < d.len && status == blk_ok; off += sector, ++sec) {
        std::array<std::uint8_t, 512> buf{};
        if (type == blk_in) {
          if (!read_sector(sec, buf.data())) status = blk_ioerr;
          else m_bus.write_ram(d.addr + off, buf.data(), sector), written += sector;
        } else if (sec >= m_sectors) {
          status = blk_ioerr;
        } else {
          m_bus.ram().read(d.addr + off - m_bus.ram_base(), buf.data(), sector);
          m_s.overlay[sec] = buf;
        }
      }
    }
    if (c.size() == 2 && type != blk_in && type != blk_out && type != blk_flush && type != blk_get_id)
      status = blk_unsupp;
    m_bus.store(c.back().addr, 1, status);
    written += 1;
  }
  ++m_s.requests;
  complete(head, written);
}

} // namespace retrace
