// Snapshots on disk: a magic, a format version, then one portable-binary archive. Every count
// read is bounded before anything is allocated.
#include "retrace/replay/snapshot.hpp"

#include "retrace/error.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/vector.hpp>
#include <cstring>
#include <fmt/format.h>
#include <fstream>

namespace retrace {
namespace {
constexpr char magic[8] = {'R', 'T', 'R', 'C', 'S', 'N', 'A', 'P'};
constexpr std::uint32_t snapshot_version = 5; // 2: virtio transport split out, disk timing, rng; 3: harts' extension sets;
                                              // 4: PLIC/UART/RTC state as QEMU's interrupts need;
                                              // 5: the virtual clock's share of time
} // namespace

void save_snapshot(const MachineSnapshot& s, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(Errc::io, "cannot create snapshot file", {path, {}, {}});
  out.write(magic, sizeof magic);
  {
    cereal::PortableBinaryOutputArchive ar(out);
    ar(snapshot_version, s.icount, s.harts, s.clint, s.uart, s.plic, s.rtc, s.drives, s.rng, s.pending_inputs, s.exit,
       static_cast<std::uint64_t>(s.current_hart), s.quantum_left, s.slices, s.clock, s.trap_count, s.pc_watch_hit);
    ar(static_cast<std::uint64_t>(s.traps.size()));
    for (const auto& t : s.traps) ar(t.icount, t.hart, t.cause, t.pc, t.tval, t.to);
    std::uint64_t pages = 0;
    s.ram.for_each_page([&](std::size_t, const Ram::Page&) { ++pages; });
    ar(pages);
    s.ram.for_each_page([&](std::size_t index, const Ram::Page& page) {
      ar(static_cast<std::uint32_t>(index));
      ar(cereal::binary_data(page.data(), page.size()));
    });
  }
  if (!out) throw Error(Errc::io, "cannot write snapshot file", {path, {}, {}});
}

MachineSnapshot load_snapshot(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot open snapshot file", {path, {}, {}});
  char m[sizeof magic] = {};
  in.read(m, sizeof m);
  if (!in || std::memcmp(m, magic, sizeof magic) != 0) throw Error(Errc::bad_log, "not a retrace snapshot", {path, 0, {}});
  MachineSnapshot s;
  try {
    cereal::PortableBinaryInputArchive ar(in);
    std::uint32_t version = 0;
    ar(version);
    if (version != snapshot_version)
      throw Error(Errc::bad_log, fmt::format("snapshot version {}; this retrace reads {}", version, snapshot_version));
    std::uint64_t current = 0, pages = 0;
    ar(s.icount, s.harts, s.clint, s.uart, s.plic, s.rtc, s.drives, s.rng, s.pending_inputs, s.exit, current, s.quantum_left, s.slices,
       s.clock, s.trap_count, s.pc_watch_hit);
    if (s.clock.share < 1 || s.clock.share > VirtualClock::max_share || s.clock.base_units >= VirtualClock::units_per_ns ||
        s.clock.base_icount > s.icount)
      throw Error(Errc::bad_log, fmt::format("virtual clock: share {}, {} units, since icount {} (now {})", s.clock.share,
                                             s.clock.base_units, s.clock.base_icount, s.icount));
    std::uint64_t ntraps = 0;
    ar(ntraps);
    if (ntraps > Machine::trap_log_limit) throw Error(Errc::bad_log, fmt::format("{} traps", ntraps));
    s.traps.resize(static_cast<std::size_t>(ntraps));
    for (auto& t : s.traps) ar(t.icount, t.hart, t.cause, t.pc, t.tval, t.to);
    if (s.harts.empty() || s.harts.size() > 8) throw Error(Errc::bad_log, fmt::format("{} harts", s.harts.size()));
    s.current_hart = static_cast<std::size_t>(current % s.harts.size());
    ar(pages);
    if (pages > (16ull << 30) / Ram::page_size) throw Error(Errc::bad_log, fmt::format("{} pages", pages));
    std::vector<std::shared_ptr<Ram::Chunk>> chunks;
    for (std::uint64_t k = 0; k < pages; ++k) {
      std::uint32_t index = 0;
      ar(index);
      const std::size_t c = index >> Ram::chunk_shift;
      if (c >= (16ull << 30) / Ram::page_size / Ram::chunk_pages + 1) throw Error(Errc::bad_log, fmt::format("page {}", index));
      if (chunks.size() <= c) chunks.resize(c + 1);
      if (!chunks[c]) chunks[c] = std::make_shared<Ram::Chunk>();
      auto page = std::make_shared<Ram::Page>();
      ar(cereal::binary_data(page->data(), page->size()));
      chunks[c]->pages[index & (Ram::chunk_pages - 1)] = std::move(page);
    }
    s.ram.chunks.assign(chunks.begin(), chunks.end());
  } catch (const Error& e) {
    throw Error(Errc::bad_log, "bad snapshot: " + e.message(), {path, {}, {}});
  } catch (const std::exception& e) {
    throw Error(Errc::bad_log, std::string("bad snapshot: ") + e.what(), {path, {}, {}});
  }
  return s;
}

} // namespace retrace
