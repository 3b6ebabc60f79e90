#pragma once
/// \file
/// virtio-blk over a raw disk image. The image file is only read; writes go to a copy-on-write
/// overlay of 512-byte sectors held in the device's state, so snapshots and digests include
/// them and the file never changes.
///
/// A request completes `latency_ns` (+ seeded jitter up to `jitter_ns`) of virtual time after
/// the driver's notify, so requests can finish out of order; with neither set it completes at
/// the notify. Scripted faults and a seeded error rate fail requests with VIRTIO_BLK_S_IOERR.
/// Everything is a function of the icount and MachineSpec::seed: replays see the same timing.
///
/// Example:
/// \code
///   retrace::DriveSpec d("disk.img");
///   d.latency_ns = 50'000;                 // 50 us per request
///   d.faults.push_back({2'000'000, 1});    // the first request done after icount 2M fails
///   spec.drives.push_back(d);              // then retrace::Machine m(spec);
/// \endcode

#include "retrace/devices/virtio_mmio.hpp"
#include "retrace/machine/machine_spec.hpp"
#include "retrace/machine/virtual_clock.hpp"

#include <array>
#include <cereal/types/array.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/vector.hpp>
#include <map>
#include <string>

namespace retrace {

/// A virtio-mmio slot holding a virtio-blk device.
class VirtioBlk final : public VirtioMmio {
public:
  static constexpr std::uint32_t device_id = 2;
  static constexpr std::uint64_t sector = 512;
  static constexpr std::uint64_t never = ~std::uint64_t{0};

  /// `clock` is the machine's virtual time (latencies are virtual ns); `seed` keys jitter and
  /// seeded errors; `attention` is set when a completion is scheduled. Throws retrace::Error
  /// naming the image if it cannot be used.
  VirtioBlk(Bus& bus, DriveSpec drive, std::function<void(bool)> set_irq, const VirtualClock& clock,
            std::uint64_t seed, bool* attention);
  ~VirtioBlk() override;
  VirtioBlk(const VirtioBlk&) = delete;
  VirtioBlk& operator=(const VirtioBlk&) = delete;

  [[nodiscard]] std::string_view name() const override { return "virtio-blk"; }
  [[nodiscard]] std::uint64_t capacity_sectors() const noexcept { return m_sectors; }

  /// The icount of the next pending completion, or `never`.
  [[nodiscard]] std::uint64_t next_completion() const noexcept;
  /// Completes every request due at or before the current time, in order of completion time
  /// (then submission).
  void complete_due();

  /// A request between notify and completion.
  struct InFlight {
    std::uint64_t complete_at = 0, seq = 0; ///< complete_at: virtual ns
    std::uint16_t head = 0;
    template <class A>
    void serialize(A& ar) { ar(complete_at, seq, head); }
  };
  struct State {
    Transport transport;
    std::uint64_t submitted = 0; ///< requests taken from the queue
    std::uint64_t requests = 0;  ///< requests completed
    std::uint64_t errors = 0;    ///< of which failed with VIRTIO_BLK_S_IOERR by a fault
    std::vector<InFlight> in_flight; ///< sorted by (complete_at, seq)
    std::vector<std::uint32_t> fault_hits; ///< per scripted fault: requests it has failed
    std::map<std::uint64_t, std::array<std::uint8_t, 512>> overlay; ///< sectors written by the guest
    template <class A>
    void serialize(A& ar) { ar(transport, submitted, requests, errors, in_flight, fault_hits, overlay); }
  };
  [[nodiscard]] State state() const;
  void set_state(const State& s);

protected:
  [[nodiscard]] std::uint32_t config_load(std::uint64_t off) const override;
  void notified() override;
  void device_reset() override;

private:
  void serve(std::uint16_t head, std::uint64_t seq);
  [[nodiscard]] bool fails(std::uint64_t seq);
  bool read_sector(std::uint64_t s, std::uint8_t* out) const;

  DriveSpec m_drive;
  int m_fd = -1;
  std::uint64_t m_sectors = 0;
  const VirtualClock& m_clock;
  std::uint64_t m_key;
  bool* m_attention;
  State m_s; // all but the transport, which the base class holds (m_t)
};

} // namespace retrace
