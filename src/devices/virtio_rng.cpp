// virtio-rng: a counter-mode stream (xxh3 of the block number, keyed), served at notify.
#include "retrace/devices/virtio_rng.hpp"

#include <xxhash.h>

namespace retrace {

std::uint8_t VirtioRng::byte(std::uint64_t n) const noexcept {
  const std::uint64_t block = n / 8;
  return static_cast<std::uint8_t>(XXH3_64bits_withSeed(&block, sizeof block, m_key) >> (8 * (n % 8)));
}

void VirtioRng::notified() {
  while (auto head = next_avail()) {
    std::uint32_t written = 0;
    for (const auto& d : chain(*head)) {
      if (!d.writable() || !m_bus.in_ram(d.addr, d.len)) continue;
      for (std::uint32_t i = 0; i < d.len; ++i) {
        const std::uint8_t b = byte(m_bytes++);
        m_bus.write_ram(d.addr + i, &b, 1);
      }
      written += d.len;
    }
    complete(*head, written);
  }
}

} // namespace retrace
