#pragma once
/// \file
/// Machine snapshots on disk: a MachineSnapshot (machine.hpp) written with cereal's portable
/// binary archive, so it can be restored in another process or on another host.
///
/// Example:
/// \code
///   auto snap = machine.snapshot();
///   retrace::save_snapshot(snap, "at-1M.rsnap");
///   retrace::Machine other(machine.spec());
///   other.restore(retrace::load_snapshot("at-1M.rsnap"));
/// \endcode

#include "retrace/machine/machine.hpp"

#include <string>

namespace retrace {

/// Writes a snapshot to `path`. Throws retrace::Error (io).
void save_snapshot(const MachineSnapshot& s, const std::string& path);
/// Reads a snapshot written by save_snapshot. Throws retrace::Error (io, bad_log) for a
/// missing, truncated or corrupt file.
[[nodiscard]] MachineSnapshot load_snapshot(const std::string& path);

} // namespace retrace
