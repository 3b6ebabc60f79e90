#pragma once
/// \file
/// A replay that can be at any icount, forwards or backwards. Moving forward takes a snapshot
/// at every multiple of the spacing; moving back restores the nearest snapshot at or before the
/// target and replays forward from it, so stepping back costs at most `spacing` instructions.
/// When there are more than max_snapshots, every other snapshot far from the current position is
/// dropped, so memory stays bounded on long runs while stepping near the current position stays
/// fast.
///
/// Example:
/// \code
///   retrace::gdb::Timeline t(log);
///   t.seek(1'000'000);
///   t.seek(t.icount() - 1);          // one instruction back
/// \endcode

#include "retrace/machine/machine.hpp"
#include "retrace/replay/log.hpp"
#include "retrace/replay/replay.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

namespace retrace::gdb {

class Timeline {
public:
  static constexpr std::uint64_t default_spacing = 1ull << 18;
  static constexpr std::size_t max_snapshots = 2048;

  explicit Timeline(const LogReader& log, std::uint64_t spacing = default_spacing);

  [[nodiscard]] Machine& machine() noexcept { return m_replay->machine(); }
  [[nodiscard]] std::uint64_t icount() { return machine().icount(); }
  /// Where the recording ends (the last icount that can be reached).
  [[nodiscard]] std::uint64_t end() const noexcept { return m_end; }

  /// Moves to exactly `target` (clamped to the recording); returns where it is.
  std::uint64_t seek(std::uint64_t target);
  /// Runs forward one step at a time until `stop_after(hart)` returns true after a step, `limit`
  /// is reached, or the recording ends. Returns true if stop_after stopped it.
  bool run_until(const std::function<bool(const Hart&)>& stop_after, std::uint64_t limit);
  /// Replays [from, to) one step at a time from the nearest snapshot, calling `visit(icount)`
  /// with the machine in the state at each icount in that range (used to search backwards).
  void scan(std::uint64_t from, std::uint64_t to, const std::function<void(std::uint64_t)>& visit);

  [[nodiscard]] std::size_t snapshot_count() const noexcept { return m_snaps.size(); }
  [[nodiscard]] std::uint64_t spacing() const noexcept { return m_spacing; }
  /// The icounts of the snapshots held.
  [[nodiscard]] std::vector<std::uint64_t> snapshot_icounts() const;

private:
  void forward_to(std::uint64_t target); // plain forward move, snapshotting on the way
  void keep_snapshot();
  void thin();

  std::unique_ptr<Replayer> m_replay;
  std::uint64_t m_spacing, m_end;
  std::map<std::uint64_t, MachineSnapshot> m_snaps;
};

} // namespace retrace::gdb
