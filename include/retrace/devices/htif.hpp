#pragma once
/// \file
/// HTIF (Spike's host-target interface), enabled when the guest ELF defines `tohost` (and
/// `fromhost`): the bus watches stores to tohost. Device 0 command 0 with bit 0 set exits with
/// status payload >> 1; device 0 with an even payload is a syscall (only write(2) to stdout
/// and stderr is served); device 1 command 1 writes one console byte.

#include "retrace/devices/device.hpp"
#include "retrace/devices/sifive_test.hpp"
#include "retrace/mem/bus.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace retrace {

/// tohost/fromhost in guest RAM.
class Htif final : public Device {
public:
  Htif(Bus& bus, std::uint64_t tohost, std::uint64_t fromhost) : m_bus(bus), m_tohost(tohost), m_fromhost(fromhost) {}

  [[nodiscard]] std::string_view name() const override { return "htif"; }
  [[nodiscard]] std::uint64_t tohost() const { return m_tohost; }
  /// Console bytes are passed here.
  std::function<void(char)> console;

  bool load(std::uint64_t, unsigned, std::uint64_t& v) override {
    v = 0;
    return true;
  }
  // Called after a store into [tohost, tohost+8) has reached RAM.
  bool store(std::uint64_t, unsigned, std::uint64_t) override {
    std::uint64_t v = 0;
    m_bus.load(m_tohost, 8, v);
    if (v == 0) return true;
    const std::uint64_t device = v >> 56, cmd = (v >> 48) & 0xff, payload = v & ((1ull << 48) - 1);
    if (device == 0 && cmd == 0) {
      if (payload & 1) {
        request = FinishRequest{FinishRequest::exit, static_cast<std::uint32_t>(payload >> 1)};
        if (attention) *attention = true;
        return true;
      }
      syscall(payload);
      ack(1);
    } else if (device == 1 && cmd == 1) {
      if (console) console(static_cast<char>(payload & 0xff));
      ack((1ull << 56) | (1ull << 48));
    } else {
      ack(0);
    }
    return true;
  }
  std::optional<FinishRequest> request;
  bool* attention = nullptr; ///< set when a request is made

private:
  void ack(std::uint64_t response) {
    m_bus.store(m_tohost, 8, 0); // not watched recursively: the value is 0
    if (m_fromhost) m_bus.store(m_fromhost, 8, response);
  }
  void syscall(std::uint64_t magic) {
    std::uint64_t args[4] = {};
    for (int k = 0; k < 4; ++k)
      if (!m_bus.load(magic + 8 * static_cast<std::uint64_t>(k), 8, args[k])) return;
    constexpr std::uint64_t sys_write = 64;
    std::int64_t ret = -38; // ENOSYS
    if (args[0] == sys_write && (args[1] == 1 || args[1] == 2) && m_bus.in_ram(args[2], args[3])) {
      std::string s(args[3], '\0');
      m_bus.ram().read(args[2] - m_bus.ram_base(), s.data(), s.size());
      if (console)
        for (char c : s) console(c);
      ret = static_cast<std::int64_t>(args[3]);
    }
    m_bus.store(magic, 8, static_cast<std::uint64_t>(ret));
  }

  Bus& m_bus;
  std::uint64_t m_tohost, m_fromhost;
};

} // namespace retrace
