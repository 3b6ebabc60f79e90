#pragma once
/// \file
/// virtio-mmio (modern, version 2) transport with a virtio-blk device over a raw disk image.
/// The image file is only read; writes go to a copy-on-write overlay of 512-byte sectors held in
/// the device's state, so snapshots and digests include them and the file never changes.
/// Requests complete when the driver notifies the queue (no latency yet), deterministically.

#include "retrace/devices/device.hpp"
#include "retrace/mem/bus.hpp"

#include <array>
#include <cereal/types/array.hpp>
#include <cereal/types/map.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace retrace {

/// A virtio-mmio slot holding a virtio-blk device.
class VirtioBlk final : public Device {
public:
  static constexpr std::uint32_t device_id = 2;
  static constexpr unsigned queue_max = 128;
  static constexpr std::uint64_t sector = 512;

  /// `image` is read with pread; `irq` is raised through `set_irq` (the PLIC).
  VirtioBlk(Bus& bus, std::string image_path, std::function<void(bool)> set_irq);
  ~VirtioBlk() override;
  VirtioBlk(const VirtioBlk&) = delete;
  VirtioBlk& operator=(const VirtioBlk&) = delete;

  [[nodiscard]] std::string_view name() const override { return "virtio-blk"; }
  bool load(std::uint64_t off, unsigned size, std::uint64_t& v) override;
  bool store(std::uint64_t off, unsigned size, std::uint64_t v) override;
  [[nodiscard]] std::uint64_t capacity_sectors() const noexcept { return m_sectors; }

  struct State {
    std::uint32_t status = 0, device_features_sel = 0, driver_features_sel = 0, queue_sel = 0;
    std::uint64_t driver_features = 0;
    std::uint32_t queue_num = 0, queue_ready = 0, interrupt_status = 0;
    std::uint64_t desc = 0, avail = 0, used = 0;
    std::uint16_t last_avail = 0;
    std::uint64_t requests = 0; ///< requests served (for tests and reports)
    std::map<std::uint64_t, std::array<std::uint8_t, 512>> overlay; ///< sectors written by the guest
    template <class A>
    void serialize(A& ar) {
      ar(status, device_features_sel, driver_features_sel, queue_sel, driver_features, queue_num, queue_ready,
         interrupt_status, desc, avail, used, last_avail, requests, overlay);
    }
  };
  [[nodiscard]] const State& state() const { return m_state; }
  void set_state(const State& s);

private:
  void process_queue();
  bool read_sector(std::uint64_t s, std::uint8_t* out) const;
  void update_irq();

  Bus& m_bus;
  std::string m_path;
  int m_fd = -1;
  std::uint64_t m_sectors = 0;
  std::function<void(bool)> m_set_irq;
  State m_state;
};

} // namespace retrace
