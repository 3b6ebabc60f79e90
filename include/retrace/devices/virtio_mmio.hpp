#pragma once
/// \file
/// The virtio-mmio transport (modern, version 2): registers, feature negotiation and one split
/// virtqueue, shared by every virtio device. A device class adds its id, its configuration
/// space and what it does with a request. Guest memory is reached only through the bus with
/// bounds checks: a malformed ring or descriptor fails a request, never the emulator.
///
/// Example (a device that answers every request with nothing):
/// \code
///   class Null final : public retrace::VirtioMmio {
///   public:
///     Null(retrace::Bus& bus, std::function<void(bool)> irq) : VirtioMmio(bus, 42, std::move(irq)) {}
///     std::string_view name() const override { return "virtio-null"; }
///   protected:
///     void notified() override { while (auto head = next_avail()) complete(*head, 0); }
///   };
/// \endcode

#include "retrace/devices/device.hpp"
#include "retrace/mem/bus.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace retrace {

/// The transport half of a virtio-mmio device.
class VirtioMmio : public Device {
public:
  static constexpr unsigned queue_max = 128;

  /// The transport's registers and queue position (part of every virtio device's snapshot).
  struct Transport {
    std::uint32_t status = 0, device_features_sel = 0, driver_features_sel = 0, queue_sel = 0;
    std::uint64_t driver_features = 0;
    std::uint32_t queue_num = 0, queue_ready = 0, interrupt_status = 0;
    std::uint64_t desc = 0, avail = 0, used = 0;
    std::uint16_t last_avail = 0;
    template <class A>
    void serialize(A& ar) {
      ar(status, device_features_sel, driver_features_sel, queue_sel, driver_features, queue_num, queue_ready,
         interrupt_status, desc, avail, used, last_avail);
    }
    friend bool operator==(const Transport&, const Transport&) = default;
  };

  bool load(std::uint64_t off, unsigned size, std::uint64_t& v) final;
  bool store(std::uint64_t off, unsigned size, std::uint64_t v) final;

protected:
  /// `set_irq` drives the device's interrupt line (a PLIC source).
  VirtioMmio(Bus& bus, std::uint32_t device_id, std::function<void(bool)> set_irq)
      : m_bus(bus), m_device_id(device_id), m_set_irq(std::move(set_irq)) {}

  /// A descriptor of a request's chain.
  struct Desc {
    std::uint64_t addr = 0;
    std::uint32_t len = 0;
    std::uint16_t flags = 0;
    [[nodiscard]] bool writable() const noexcept { return flags & 2; }
  };

  /// Reads 32 bits of configuration space (`off` from 0x100).
  [[nodiscard]] virtual std::uint32_t config_load(std::uint64_t /*off*/) const { return 0; }
  /// The driver notified queue 0.
  virtual void notified() = 0;
  /// The driver reset the device (status 0); the transport is already reset.
  virtual void device_reset() {}

  /// The next request the driver made available, as its head descriptor index.
  [[nodiscard]] std::optional<std::uint16_t> next_avail();
  /// The descriptor chain that starts at `head` (bounded by the queue size; a bad descriptor
  /// ends it).
  [[nodiscard]] std::vector<Desc> chain(std::uint16_t head) const;
  /// Puts `head` in the used ring with `written` bytes and, unless the driver suppressed
  /// interrupts (VRING_AVAIL_F_NO_INTERRUPT), sets ISR bit 0 and raises the line.
  void complete(std::uint16_t head, std::uint32_t written);
  /// Drives the interrupt line from interrupt_status, as QEMU's virtio_mmio_update_irq: high
  /// makes the PLIC source pending again even if it was high (an ACK that leaves a bit set).
  void update_irq();

  Bus& m_bus;
  Transport m_t;

private:
  [[nodiscard]] std::optional<std::uint64_t> read_guest(std::uint64_t addr, unsigned size) const;
  std::uint32_t m_device_id;
  std::function<void(bool)> m_set_irq;
};

} // namespace retrace
