// Moving a replay to any icount with automatic snapshots.
#include "retrace/gdb/timeline.hpp"

namespace retrace::gdb {

Timeline::Timeline(const LogReader& log, std::uint64_t spacing)
    : m_replay(std::make_unique<Replayer>(log)), m_spacing(spacing ? spacing : default_spacing), m_end(m_replay->end_icount()) {
  keep_snapshot();
}

void Timeline::keep_snapshot() {
  auto& m = machine();
  if (!m_snaps.count(m.icount())) m_snaps.emplace(m.icount(), m.snapshot());
  if (m_snaps.size() > max_snapshots) thin();
}

void Timeline::thin() {
  // Drop every other snapshot that is more than 64 spacings away from where we are; keep the
  // first one (icount 0) always.
  const std::uint64_t now = machine().icount(), near = 64 * m_spacing;
  bool drop = false;
  for (auto it = std::next(m_snaps.begin()); it != m_snaps.end();) {
    const std::uint64_t distance = it->first > now ? it->first - now : now - it->first;
    if (distance > near && (drop = !drop)) it = m_snaps.erase(it);
    else ++it;
  }
}

void Timeline::forward_to(std::uint64_t target) {
  auto& m = machine();
  while (m.icount() < target) {
    const std::uint64_t next_mark = (m.icount() / m_spacing + 1) * m_spacing;
    const auto r = m.run(std::min(target, next_mark));
    if (m.icount() == next_mark) keep_snapshot();
    if (r.reason != StopReason::limit && r.reason != StopReason::requested) break; // the run ended
  }
}

std::uint64_t Timeline::seek(std::uint64_t target) {
  target = std::min(target, m_end);
  auto& m = machine();
  if (target < m.icount()) {
    auto it = m_snaps.upper_bound(target);
    --it; // there is always the one at icount 0
    m.restore(it->second);
  }
  forward_to(target);
  return m.icount();
}

bool Timeline::run_until(const std::function<bool(const Hart&)>& stop_after, std::uint64_t limit) {
  auto& m = machine();
  limit = std::min(limit, m_end);
  bool stopped = false;
  m.on_step([&](const Hart& h) {
    if (!stopped && stop_after(h)) {
      stopped = true;
      m.request_stop();
    }
  });
  while (!stopped && m.icount() < limit) {
    const std::uint64_t next_mark = (m.icount() / m_spacing + 1) * m_spacing;
    const auto r = m.run(std::min(limit, next_mark));
    if (m.icount() == next_mark && !stopped) keep_snapshot();
    if (r.reason != StopReason::limit && r.reason != StopReason::requested) break;
  }
  m.on_step(nullptr);
  return stopped;
}

void Timeline::scan(std::uint64_t from, std::uint64_t to, const std::function<void(std::uint64_t)>& visit) {
  auto& m = machine();
  seek(from);
  if (m.icount() < to) visit(m.icount());
  m.on_step([&](const Hart&) {
    if (m.icount() < to) visit(m.icount());
  });
  forward_to(std::min(to, m_end));
  m.on_step(nullptr);
}

std::vector<std::uint64_t> Timeline::snapshot_icounts() const {
  std::vector<std::uint64_t> v;
  for (const auto& [k, s] : m_snaps) v.push_back(k);
  return v;
}

} // namespace retrace::gdb
