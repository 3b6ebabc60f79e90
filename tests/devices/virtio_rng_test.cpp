// Tests for include/retrace/devices/virtio_rng.hpp: identity, buffers filled from the keyed
// stream, and the same bytes for the same key.
#include "retrace/devices/virtio_rng.hpp"

#include "virtio_driver.hpp"

#include <gtest/gtest.h>
#include <vector>

namespace {

using retrace::test::VirtioDriver;

std::vector<std::uint8_t> draw(std::uint64_t key, unsigned requests, std::uint32_t len) {
  retrace::Bus bus(0x8000'0000, 1 << 20);
  retrace::VirtioRng rng(bus, key, {});
  VirtioDriver drv(bus, rng);
  std::vector<std::uint8_t> out;
  for (unsigned r = 0; r < requests; ++r) {
    const std::uint64_t buf = 0x8000'4000 + 0x100 * r;
    drv.offer(static_cast<std::uint16_t>(r % 8), {{buf, len, true}});
    drv.notify();
    for (std::uint32_t i = 0; i < len; ++i) {
      std::uint64_t b = 0;
      bus.load(buf + i, 1, b);
      out.push_back(static_cast<std::uint8_t>(b));
    }
  }
  EXPECT_EQ(rng.state().bytes, std::uint64_t{requests} * len);
  return out;
}

TEST(VirtioRng, IdentifiesAsAnEntropyDevice) {
  retrace::Bus bus(0x8000'0000, 1 << 20);
  retrace::VirtioRng rng(bus, 1, {});
  std::uint64_t v = 0;
  rng.load(0x008, 4, v);
  EXPECT_EQ(v, 4u);
}

TEST(VirtioRng, FillsBuffersFromTheKeyedStream) {
  const auto a = draw(42, 4, 16);
  ASSERT_EQ(a.size(), 64u);
  EXPECT_EQ(a, draw(42, 4, 16));    // same key, same bytes
  EXPECT_EQ(a, draw(42, 2, 32));    // a stream: how the guest slices it does not matter
  EXPECT_NE(a, draw(43, 4, 16));    // another key, other bytes
  unsigned distinct[256] = {};
  for (auto b : draw(7, 16, 256)) ++distinct[b];
  unsigned seen = 0;
  for (auto n : distinct) seen += n > 0;
  EXPECT_GT(seen, 250u); // 4096 bytes cover nearly every value
}

} // namespace
