#pragma once
/// \file
/// The sifive_test finisher at 0x10_0000, as on QEMU's virt: a 32-bit write of 0x5555 ends
/// the run with status 0, (code << 16) | 0x3333 with status `code`, 0x7777 resets the machine.

#include "retrace/devices/device.hpp"

#include <cstdint>
#include <optional>

namespace retrace {

/// What the guest asked the finisher (or HTIF) for.
struct FinishRequest {
  enum Kind : std::uint8_t { exit, reset } kind = exit;
  std::uint32_t status = 0; ///< exit status (0 = pass)
};

/// The virt board's test finisher.
class SifiveTest final : public Device {
public:
  static constexpr std::uint64_t default_base = 0x10'0000;
  static constexpr std::uint64_t size = 0x1000;

  [[nodiscard]] std::string_view name() const override { return "sifive_test"; }
  bool load(std::uint64_t, unsigned, std::uint64_t& v) override {
    v = 0;
    return true;
  }
  bool store(std::uint64_t off, unsigned sz, std::uint64_t v) override {
    // 16- and 32-bit writes at offset 0 (OpenSBI writes a 16-bit FINISHER_PASS); QEMU ignores
    // other offsets, and so do we
    if (off != 0 || sz < 2) return true;
    const auto low = static_cast<std::uint32_t>(v & 0xffff);
    const auto code = static_cast<std::uint32_t>((v >> 16) & 0xffff);
    if (low == 0x5555) request = FinishRequest{FinishRequest::exit, 0};
    else if (low == 0x3333) request = FinishRequest{FinishRequest::exit, code};
    else if (low == 0x7777) request = FinishRequest{FinishRequest::reset, 0};
    if (request && attention) *attention = true;
    return true;
  }
  /// Set by a finishing write; the machine consumes it.
  std::optional<FinishRequest> request;
  /// Set when a request is made, so the run loop stops at this instruction.
  bool* attention = nullptr;
};

} // namespace retrace
