// Tests for include/retrace/devices/virtio_rng.hpp: identity, buffers filled from the keyed
// stream, the same bytes for the same key, and the transport's interrupt line as QEMU drives it.
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

// The line as QEMU's virtio_notify / virtio_mmio_update_irq drive it: high on each completion
// (unless the driver suppressed interrupts), and on an ACK that leaves a bit set; restoring a
// state drives nothing.
TEST(VirtioRng, InterruptLineAsQemuDrivesIt) {
  retrace::Bus bus(0x8000'0000, 1 << 20);
  std::vector<bool> drives;
  retrace::VirtioRng rng(bus, 1, [&](bool l) { drives.push_back(l); });
  VirtioDriver drv(bus, rng);
  drives.clear();
  drv.offer(0, {{0x8000'4000, 8, true}});
  drv.notify();
  EXPECT_EQ(drives, std::vector<bool>{true});
  EXPECT_EQ(drv.read_reg(0x060), 1u); // InterruptStatus: used buffer
  drv.offer(1, {{0x8000'4100, 8, true}});
  drv.notify(); // ISR already set: driven high again, so the PLIC pends again
  EXPECT_EQ(drives, (std::vector<bool>{true, true}));
  drives.clear();
  drv.reg(0x064, 2); // ACK of a bit that is not set: bit 0 stays, the line is driven high
  EXPECT_EQ(drives, std::vector<bool>{true});
  drv.reg(0x064, 1);
  EXPECT_EQ(drives, (std::vector<bool>{true, false}));
  EXPECT_EQ(drv.read_reg(0x060), 0u);
  drives.clear();
  // VRING_AVAIL_F_NO_INTERRUPT: the buffer is used, but no ISR bit and no interrupt.
  bus.store(VirtioDriver::avail, 2, 1);
  drv.offer(2, {{0x8000'4200, 8, true}});
  drv.notify();
  EXPECT_EQ(rng.state().bytes, 24u);
  EXPECT_TRUE(drives.empty());
  EXPECT_EQ(drv.read_reg(0x060), 0u);
  bus.store(VirtioDriver::avail, 2, 0);
  drv.offer(3, {{0x8000'4300, 8, true}});
  drv.notify();
  EXPECT_EQ(drives, std::vector<bool>{true});
  drives.clear();
  rng.set_state(rng.state());
  EXPECT_TRUE(drives.empty());
}

} // namespace
