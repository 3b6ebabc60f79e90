#pragma once
/// \file
/// A read-only memory region (the boot ROM at 0x1000 with the reset vector).

#include "retrace/devices/device.hpp"

#include <cstdint>
#include <cstring>
#include <vector>

namespace retrace {

/// Read-only bytes; stores are access faults.
class Rom final : public Device {
public:
  explicit Rom(std::vector<std::uint8_t> bytes) : m_bytes(std::move(bytes)) {}
  [[nodiscard]] std::string_view name() const override { return "rom"; }
  bool load(std::uint64_t off, unsigned sz, std::uint64_t& v) override {
    v = 0;
    if (off + sz <= m_bytes.size()) std::memcpy(&v, m_bytes.data() + off, sz);
    return true;
  }
  bool store(std::uint64_t, unsigned, std::uint64_t) override { return false; }
  [[nodiscard]] bool debug_readable() const override { return true; }
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const { return m_bytes; }
  /// New contents (the reset vector is rewritten on every reset; the device stays attached).
  void set_bytes(std::vector<std::uint8_t> bytes) { m_bytes = std::move(bytes); }

private:
  std::vector<std::uint8_t> m_bytes;
};

} // namespace retrace
