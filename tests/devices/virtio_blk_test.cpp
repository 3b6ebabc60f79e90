// Tests for include/retrace/devices/virtio_mmio.hpp: registers as a virtio-mmio v2 driver sees
// them, and images that must be refused before a run starts.
#include "retrace/devices/virtio_mmio.hpp"
#include "retrace/error.hpp"
#include "retrace/mem/bus.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class VirtioBlkTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("retrace-virtio-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string image(const std::string& name, std::size_t size) {
    const auto p = (dir / name).string();
    std::ofstream(p, std::ios::binary) << std::string(size, '\0');
    return p;
  }
  // The error message a constructor throws, or "" if it did not throw.
  std::string refusal(const std::string& path) {
    try {
      retrace::VirtioBlk d(bus, path, {});
    } catch (const retrace::Error& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir;
  retrace::Bus bus{0x8000'0000, 1 << 20};
};

TEST_F(VirtioBlkTest, IdentifiesAsModernBlockDeviceWithItsCapacity) {
  retrace::VirtioBlk d(bus, image("disk.img", 3 * 512 + 1024 * 512), {});
  std::uint64_t v = 0;
  ASSERT_TRUE(d.load(0x000, 4, v));
  EXPECT_EQ(v, 0x74726976u); // "virt"
  ASSERT_TRUE(d.load(0x004, 4, v));
  EXPECT_EQ(v, 2u); // modern transport
  ASSERT_TRUE(d.load(0x008, 4, v));
  EXPECT_EQ(v, 2u); // block device
  EXPECT_EQ(d.capacity_sectors(), 1027u);
  ASSERT_TRUE(d.load(0x100, 4, v));
  EXPECT_EQ(v, 1027u); // config: capacity, low word
  ASSERT_TRUE(d.load(0x104, 4, v));
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

} // namespace
