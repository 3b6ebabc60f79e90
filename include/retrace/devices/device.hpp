#pragma once
/// \file
/// The one small interface every memory-mapped device implements. A device is attached
/// explicitly to a Bus at a base address; offsets passed to it are relative to that base.
/// There are no static registries: a Machine owns its devices.

#include <cstdint>
#include <string_view>

namespace retrace {

/// A memory-mapped device.
class Device {
public:
  virtual ~Device() = default;
  /// Short name for traces and errors ("uart0", "clint").
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// Reads `size` (1, 2, 4 or 8) bytes at `offset`. Returns false for an access fault.
  virtual bool load(std::uint64_t offset, unsigned size, std::uint64_t& value) = 0;
  /// Writes `size` bytes at `offset`. Returns false for an access fault.
  virtual bool store(std::uint64_t offset, unsigned size, std::uint64_t value) = 0;
  /// True if load() has no side effects, so a debugger may read it (ROM: yes; a UART: no).
  [[nodiscard]] virtual bool debug_readable() const { return false; }
};

} // namespace retrace
