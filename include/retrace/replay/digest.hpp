#pragma once
/// \file
/// A state digest: one 64-bit xxHash over everything a run's future depends on (the icount,
/// every hart's architectural state, every device's state, and every non-zero page of RAM).
/// Logs carry digests every so many instructions, so a replay that diverges is caught in the
/// window where it happens, not at the end.

#include <cstdint>

namespace retrace {

class Machine;

/// Digest of the machine's whole state now. Deterministic across processes and hosts.
[[nodiscard]] std::uint64_t state_digest(const Machine& m);

} // namespace retrace
