#pragma once
/// \file
/// virtio-rng (virtio 1.2, 5.4): fills every buffer the driver offers with bytes from a keyed
/// deterministic stream. The key comes from MachineSpec::seed, or from host entropy resolved
/// into MachineSpec::rng_key before the run (then the log holds it), so a replay reads the same
/// bytes.
///
/// Example:
/// \code
///   spec.rng = true;       // then retrace::Machine m(spec); the guest finds it in the next slot
/// \endcode

#include "retrace/devices/virtio_mmio.hpp"

namespace retrace {

class VirtioRng final : public VirtioMmio {
public:
  static constexpr std::uint32_t device_id = 4;

  VirtioRng(Bus& bus, std::uint64_t key, std::function<void(bool)> set_irq)
      : VirtioMmio(bus, device_id, std::move(set_irq)), m_key(key) {}

  [[nodiscard]] std::string_view name() const override { return "virtio-rng"; }
  /// Byte `n` of the stream (the n-th byte the guest receives).
  [[nodiscard]] std::uint8_t byte(std::uint64_t n) const noexcept;

  struct State {
    Transport transport;
    std::uint64_t bytes = 0; ///< bytes handed out so far
    template <class A>
    void serialize(A& ar) { ar(transport, bytes); }
  };
  [[nodiscard]] State state() const { return {m_t, m_bytes}; }
  void set_state(const State& s) {
    m_t = s.transport;
    m_bytes = s.bytes; // no line is driven: the PLIC's restored state has its own pending bits
  }

protected:
  void notified() override;

private:
  std::uint64_t m_key;
  std::uint64_t m_bytes = 0;
};

} // namespace retrace
