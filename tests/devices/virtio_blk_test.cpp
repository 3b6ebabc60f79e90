// Tests for include/retrace/devices/virtio_blk.hpp: registers as a virtio-mmio v2 driver sees
// them, images that must be refused, and requests: data, overlay, timed completion with seeded
// jitter, scripted and seeded I/O errors.
#include "retrace/devices/virtio_blk.hpp"
#include "retrace/error.hpp"
#include "retrace/mem/bus.hpp"

#include "virtio_driver.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;
using retrace::test::VirtioDriver;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::uint64_t header = 0x8000'3000, data = 0x8000'4000, status = 0x8000'8000;

class VirtioBlkTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("retrace-virtio-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  // An image whose sector k is filled with the byte k.
  std::string image(const std::string& name, std::size_t size) {
    const auto p = (dir / name).string();
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i / 512);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::unique_ptr<retrace::VirtioBlk> make(retrace::DriveSpec d, std::uint64_t seed = 0) {
    return std::make_unique<retrace::VirtioBlk>(bus, std::move(d), [this](bool l) { irq = l; }, clock, seed,
                                                &attention);
  }
  // The error message a constructor throws, or "" if it did not throw.
  std::string refusal(const std::string& path) {
    try {
      (void)make(retrace::DriveSpec(path));
    } catch (const retrace::Error& e) {
      return e.what();
    }
    return "";
  }
  // Request `n` (descriptors 3n..3n+2): read (type 0) or write (type 1) one sector.
  void request(VirtioDriver& drv, unsigned n, std::uint32_t type, std::uint64_t sector) {
    bus.store(header + 16 * n, 4, type);
    bus.store(header + 16 * n + 8, 8, sector);
    bus.store(status + n, 1, 0xff);
    drv.offer(static_cast<std::uint16_t>(3 * n), {{header + 16 * n, 16, false}, {data + 512 * n, 512, type == 0},
                                                  {status + n, 1, true}});
  }
  std::uint8_t status_of(unsigned n) {
    std::uint64_t v = 0;
    bus.load(status + n, 1, v);
    return static_cast<std::uint8_t>(v);
  }
  std::uint8_t data_of(unsigned n) {
    std::uint64_t v = 0;
    bus.load(data + 512 * n, 1, v);
    return static_cast<std::uint8_t>(v);
  }
  fs::path dir;
  retrace::Bus bus{0x8000'0000, 1 << 20};
  std::uint64_t icount = 0;
  retrace::VirtualClock clock{icount, 1};
  bool attention = false, irq = false;
};

TEST_F(VirtioBlkTest, IdentifiesAsModernBlockDeviceWithItsCapacity) {
  auto d = make(retrace::DriveSpec(image("disk.img", 3 * 512 + 1024 * 512)));
  std::uint64_t v = 0;
  ASSERT_TRUE(d->load(0x000, 4, v));
  EXPECT_EQ(v, 0x74726976u); // "virt"
  ASSERT_TRUE(d->load(0x004, 4, v));
  EXPECT_EQ(v, 2u); // modern transport
  ASSERT_TRUE(d->load(0x008, 4, v));
  EXPECT_EQ(v, 2u); // block device
  EXPECT_EQ(d->capacity_sectors(), 1027u);
  ASSERT_TRUE(d->load(0x100, 4, v));
  EXPECT_EQ(v, 1027u); // config: capacity, low word
  ASSERT_TRUE(d->load(0x104, 4, v));
  EXPECT_EQ(v, 0u);
}

TEST_F(VirtioBlkTest, RefusesAMissingImageNamingIt) {
  const auto p = (dir / "nope.img").string();
  const auto msg = refusal(p);
  EXPECT_THAT(msg, HasSubstr("cannot open disk image"));
  EXPECT_THAT(msg, HasSubstr(p));
}

TEST_F(VirtioBlkTest, RefusesADirectory) {
  const auto msg = refusal(dir.string());
  EXPECT_THAT(msg, HasSubstr("not a regular file"));
  EXPECT_THAT(msg, HasSubstr(dir.string()));
}

TEST_F(VirtioBlkTest, RefusesASizeThatIsNotWholeSectors) {
  const auto p = image("odd.img", 1000);
  const auto msg = refusal(p);
  EXPECT_THAT(msg, HasSubstr("not a multiple of 512"));
  EXPECT_THAT(msg, HasSubstr(p));
  EXPECT_THAT(msg, HasSubstr("1000"));
}

TEST_F(VirtioBlkTest, WithoutLatencyARequestCompletesAtTheNotify) {
  auto d = make(retrace::DriveSpec(image("disk.img", 16 * 512)));
  VirtioDriver drv(bus, *d);
  request(drv, 0, 0, 7);
  drv.notify();
  EXPECT_THAT(drv.used_heads(), ElementsAre(0));
  EXPECT_EQ(status_of(0), 0); // VIRTIO_BLK_S_OK
  EXPECT_EQ(data_of(0), 7);
  EXPECT_TRUE(irq);
  EXPECT_EQ(d->next_completion(), retrace::VirtioBlk::never);
}

TEST_F(VirtioBlkTest, WritesGoToTheOverlayAndReadBack) {
  const auto path = image("disk.img", 16 * 512);
  auto d = make(retrace::DriveSpec(path));
  VirtioDriver drv(bus, *d);
  bus.store(data + 512, 1, 0xab);
  request(drv, 1, 1, 3); // write sector 3 from request 1's buffer
  drv.notify();
  request(drv, 2, 0, 3); // read it back
  drv.notify();
  EXPECT_EQ(data_of(2), 0xab);
  EXPECT_EQ(d->state().overlay.count(3), 1u);
  std::ifstream in(path, std::ios::binary);
  in.seekg(3 * 512);
  EXPECT_EQ(in.get(), 3); // the file is unchanged
}

TEST_F(VirtioBlkTest, LatencyCompletesAtTheExactIcount) {
  retrace::DriveSpec spec(image("disk.img", 16 * 512));
  spec.latency_ns = 1000; // 1 ns per instruction: 1000 instructions
  auto d = make(spec);
  VirtioDriver drv(bus, *d);
  icount = 500;
  request(drv, 0, 0, 5);
  drv.notify();
  EXPECT_TRUE(attention); // the run loop must re-plan
  EXPECT_EQ(d->next_completion(), 1500u);
  EXPECT_TRUE(drv.used_heads().empty());
  EXPECT_EQ(status_of(0), 0xff); // nothing written before completion
  icount = 1499;
  d->complete_due();
  EXPECT_TRUE(drv.used_heads().empty());
  icount = 1500;
  d->complete_due();
  EXPECT_THAT(drv.used_heads(), ElementsAre(0));
  EXPECT_EQ(data_of(0), 5);
  EXPECT_EQ(status_of(0), 0);
}


TEST_F(VirtioBlkTest, JitterIsDrawnFromTheSeedAndCanReorderCompletions) {
  retrace::DriveSpec spec(image("disk.img", 16 * 512));
  spec.latency_ns = 100;
  spec.jitter_ns = 10'000;
  std::set<std::vector<std::uint16_t>> orders;
  std::vector<std::uint64_t> first_times;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    for (int again = 0; again < 2; ++again) {
      bus.ram().clear();
      icount = 0;
      auto d = make(spec, seed);
      VirtioDriver drv(bus, *d);
      for (unsigned n = 0; n < 3; ++n) request(drv, n, 0, n);
      drv.notify();
      std::vector<std::uint64_t> times;
      while (d->next_completion() != retrace::VirtioBlk::never) {
        icount = d->next_completion();
        ASSERT_GE(icount, 100u);
        ASSERT_LE(icount, 10'100u);
        times.push_back(icount);
        d->complete_due();
      }
      const auto heads = drv.used_heads();
      ASSERT_EQ(heads.size(), 3u);
      for (unsigned n = 0; n < 3; ++n) EXPECT_EQ(data_of(n), n);
      if (again == 0) {
        orders.insert(heads);
        first_times.push_back(times.front());
      } else {
        EXPECT_EQ(times.front(), first_times.back()) << "seed " << seed << " must give the same timing twice";
      }
    }
  }
  EXPECT_GT(orders.size(), 1u);  // some seeds complete out of submission order
  EXPECT_GT(std::set<std::uint64_t>(first_times.begin(), first_times.end()).size(), 10u);
}

TEST_F(VirtioBlkTest, AScriptedFaultFailsTheRequestsAfterItsIcount) {
  retrace::DriveSpec spec(image("disk.img", 16 * 512));
  spec.faults.push_back({1000, 2});
  auto d = make(spec);
  VirtioDriver drv(bus, *d);
  icount = 999;
  request(drv, 0, 0, 1);
  drv.notify();
  EXPECT_EQ(status_of(0), 0); // before the fault's icount
  icount = 1000;
  request(drv, 1, 0, 2);
  drv.notify();
  request(drv, 2, 1, 2); // a failed write leaves the disk alone
  drv.notify();
  request(drv, 3, 0, 3);
  drv.notify();
  EXPECT_EQ(status_of(1), 1); // VIRTIO_BLK_S_IOERR
  EXPECT_EQ(data_of(1), 0);   // no data moved
  EXPECT_EQ(status_of(2), 1);
  EXPECT_EQ(d->state().overlay.count(2), 0u);
  EXPECT_EQ(status_of(3), 0); // count 2: the third request after it succeeds
  EXPECT_EQ(data_of(3), 3);
  EXPECT_EQ(d->state().errors, 2u);
  EXPECT_THAT(drv.used_heads(), ElementsAre(0, 3, 6, 9)); // failed requests still complete
}

TEST_F(VirtioBlkTest, SeededErrorsFollowTheRateAndTheSeed) {
  retrace::DriveSpec spec(image("disk.img", 16 * 512));
  spec.error_ppm = 250'000; // one in four
  auto failures = [&](std::uint64_t seed) {
    bus.ram().clear();
    auto d = make(spec, seed);
    VirtioDriver drv(bus, *d);
    std::string pattern;
    for (unsigned k = 0; k < 400; ++k) {
      request(drv, k % 8, 0, 1);
      drv.notify();
      pattern += status_of(k % 8) == 1 ? 'x' : '.';
    }
    return pattern;
  };
  const auto a = failures(1), b = failures(2);
  EXPECT_EQ(a, failures(1)); // the same seed fails the same requests
  EXPECT_NE(a, b);
  const auto n = std::count(a.begin(), a.end(), 'x');
  EXPECT_GT(n, 60);  // 100 expected; 60..140 is more than 4 standard deviations
  EXPECT_LT(n, 140);
}

TEST_F(VirtioBlkTest, ADeviceResetDropsRequestsInFlightButKeepsTheOverlay) {
  retrace::DriveSpec spec(image("disk.img", 16 * 512));
  spec.latency_ns = 100;
  auto d = make(spec);
  VirtioDriver drv(bus, *d);
  request(drv, 0, 1, 4);
  drv.notify();
  icount = 100;
  d->complete_due();
  request(drv, 1, 0, 4);
  drv.notify();
  EXPECT_NE(d->next_completion(), retrace::VirtioBlk::never);
  drv.reg(0x070, 0);
  EXPECT_EQ(d->next_completion(), retrace::VirtioBlk::never);
  EXPECT_EQ(d->state().overlay.count(4), 1u);
}

TEST_F(VirtioBlkTest, AMalformedChainFailsTheRequestNotTheEmulator) {
  auto d = make(retrace::DriveSpec(image("disk.img", 16 * 512)));
  VirtioDriver drv(bus, *d);
  // descriptors pointing outside RAM, a huge length, a chain that loops
  drv.offer(0, {{0xdead'0000'0000, 16, false}, {0xffff'ffff'ffff'f000, 0xffffffff, true}, {status, 1, true}});
  drv.notify();
  bus.store(VirtioDriver::desc + 14, 2, 0); // desc 0 -> desc 0 forever
  bus.store(VirtioDriver::desc + 12, 2, 1);
  drv.offer(0, {{header, 16, false}});
  bus.store(VirtioDriver::desc + 12, 2, 1);
  bus.store(VirtioDriver::desc + 14, 2, 0);
  drv.notify();
  EXPECT_EQ(drv.used_heads().size(), 2u);
}

} // namespace
