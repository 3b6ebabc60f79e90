#pragma once
/// \file
/// Stateless seeded draws for the emulator's devices and scheduler: the n-th choice is a pure
/// function of a key and n, so a snapshot needs to keep only the counter, and adding a draw
/// somewhere never shifts the numbers drawn elsewhere.

#include <cstdint>

namespace retrace::detail {

/// 64 random-looking bits for (`a`, `b`) under `key` (xxh3-64 of the pair, keyed).
[[nodiscard]] std::uint64_t keyed_draw(std::uint64_t key, std::uint64_t a, std::uint64_t b) noexcept;

} // namespace retrace::detail
