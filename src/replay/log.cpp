// Log I/O. Records are encoded with cereal's portable binary archive, a chunk at a time, then
// compressed with zstd and checksummed with xxh3. Every length read from a file is bounded
// before anything is allocated, so a damaged or hostile log is an error, never a crash.
#include "retrace/replay/log.hpp"

#include "retrace/version.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <xxhash.h>
#include <zstd.h>

namespace retrace {
namespace {

constexpr char magic[12] = {'R', 'E', 'T', 'R', 'A', 'C', 'E', '-', 'L', 'O', 'G', '\n'};
constexpr std::uint32_t chunk_magic = 0x4b4e4843; // "CHNK"
constexpr std::uint32_t index_magic = 0x58444e49; // "INDX"
constexpr char trailer_magic[8] = {'R', 'T', 'R', 'C', 'I', 'D', 'X', '\0'};
constexpr std::size_t max_header = 16u << 20;
constexpr std::size_t max_chunk = 64u << 20;
constexpr std::size_t max_string = 16u << 20;

// --- bounded encodings ---------------------------------------------------------------------

template <class A>
void save_string(A& ar, const std::string& s) {
  ar(cereal::make_size_tag(static_cast<cereal::size_type>(s.size())));
  ar(cereal::binary_data(s.data(), s.size()));
}
template <class A>
void load_string(A& ar, std::string& s) {
  cereal::size_type n = 0;
  ar(cereal::make_size_tag(n));
  if (n > max_string) throw Error(Errc::bad_log, fmt::format("a string of {} bytes", n));
  s.resize(static_cast<std::size_t>(n));
  ar(cereal::binary_data(s.data(), s.size()));
}
template <class A>
void save_spec(A& ar, const MachineSpec& s) {
  ar(s.harts, s.ram_base, s.ram_size);
  save_string(ar, s.bios);
  save_string(ar, s.kernel);
  save_string(ar, s.initrd);
  save_string(ar, s.append);
  save_string(ar, s.dtb);
  save_string(ar, s.cpu);
  ar(static_cast<std::uint32_t>(s.loads.size()));
  for (const auto& l : s.loads) {
    save_string(ar, l.path);
    ar(l.address);
  }
  ar(static_cast<std::uint32_t>(s.drives.size()));
  for (const auto& d : s.drives) {
    save_string(ar, d.path);
    ar(d.latency_ns, d.jitter_ns, d.error_ppm, static_cast<std::uint32_t>(d.faults.size()));
    for (const auto& f : d.faults) ar(f.at_icount, f.count);
  }
  ar(static_cast<std::uint8_t>(s.rng), static_cast<std::uint8_t>(s.rng_from_host), s.rng_key, s.rtc_epoch_ns,
     static_cast<std::uint8_t>(s.rtc_from_host), s.seed);
  ar(s.ns_per_insn, s.quantum, s.chaos_min_quantum, s.chaos_max_quantum, static_cast<std::uint8_t>(s.chaos_order));
}
template <class A>
void load_spec(A& ar, MachineSpec& s) {
  ar(s.harts, s.ram_base, s.ram_size);
  load_string(ar, s.bios);
  load_string(ar, s.kernel);
  load_string(ar, s.initrd);
  load_string(ar, s.append);
  load_string(ar, s.dtb);
  load_string(ar, s.cpu);
  std::uint32_t n = 0;
  ar(n);
  if (n > 1024) throw Error(Errc::bad_log, fmt::format("{} raw loads", n));
  s.loads.resize(n);
  for (auto& l : s.loads) {
    load_string(ar, l.path);
    ar(l.address);
  }
  std::uint32_t drives = 0;
  ar(drives);
  if (drives > 8) throw Error(Errc::bad_log, fmt::format("{} drives", drives));
  s.drives.resize(drives);
  for (auto& d : s.drives) {
    load_string(ar, d.path);
    std::uint32_t faults = 0;
    ar(d.latency_ns, d.jitter_ns, d.error_ppm, faults);
    if (faults > 1024) throw Error(Errc::bad_log, fmt::format("{} scripted faults on a drive", faults));
    d.faults.resize(faults);
    for (auto& f : d.faults) ar(f.at_icount, f.count);
  }
  std::uint8_t rng = 0, rng_host = 0, rtc_host = 0;
  ar(rng, rng_host, s.rng_key, s.rtc_epoch_ns, rtc_host, s.seed);
  s.rng = rng != 0;
  s.rng_from_host = rng_host != 0;
  s.rtc_from_host = rtc_host != 0;
  std::uint8_t chaos_order = 0;
  ar(s.ns_per_insn, s.quantum, s.chaos_min_quantum, s.chaos_max_quantum, chaos_order);
  s.chaos_order = chaos_order != 0;
}

template <class A>
void save_header(A& ar, const LogHeader& h) {
  ar(h.format_version);
  save_string(ar, h.retrace_version);
  save_spec(ar, h.spec);
  ar(static_cast<std::uint32_t>(h.images.size()));
  for (const auto& i : h.images) {
    save_string(ar, i.role);
    save_string(ar, i.path);
    ar(i.size, i.xxh3);
  }
  ar(h.seed, h.digest_interval);
  save_string(ar, h.label);
}
template <class A>
void load_header(A& ar, LogHeader& h) {
  ar(h.format_version);
  if (h.format_version != log_format_version)
    throw Error(Errc::bad_log, fmt::format("log format version {}; this retrace reads version {}", h.format_version,
                                           log_format_version));
  load_string(ar, h.retrace_version);
  load_spec(ar, h.spec);
  std::uint32_t n = 0;
  ar(n);
  if (n > 1024) throw Error(Errc::bad_log, fmt::format("{} images", n));
  h.images.resize(n);
  for (auto& i : h.images) {
    load_string(ar, i.role);
    load_string(ar, i.path);
    ar(i.size, i.xxh3);
  }
  ar(h.seed, h.digest_interval);
  load_string(ar, h.label);
}

template <class A>
void save_record(A& ar, const LogRecord& r) {
  ar(static_cast<std::uint8_t>(r.kind), r.icount);
  switch (r.kind) {
  case LogRecord::input:
    ar(static_cast<std::uint8_t>(r.event.kind));
    save_string(ar, r.event.data);
    break;
  case LogRecord::digest: ar(r.digest_value); break;
  case LogRecord::end: ar(static_cast<std::uint8_t>(r.reason), r.status); break;
  case LogRecord::schedule: ar(r.decision.hart, r.decision.quantum); break;
  }
}
template <class A>
void load_record(A& ar, LogRecord& r) {
  std::uint8_t kind = 0;
  ar(kind, r.icount);
  switch (kind) {
  case LogRecord::input: {
    std::uint8_t ek = 0;
    ar(ek);
    if (ek != InputEvent::uart_rx) throw Error(Errc::bad_log, fmt::format("unknown input kind {}", ek));
    r.event.kind = static_cast<InputEvent::Kind>(ek);
    load_string(ar, r.event.data);
    break;
  }
  case LogRecord::digest: ar(r.digest_value); break;
  case LogRecord::end: {
    std::uint8_t reason = 0;
    ar(reason, r.status);
    if (reason > static_cast<std::uint8_t>(StopReason::requested))
      throw Error(Errc::bad_log, fmt::format("unknown stop reason {}", reason));
    r.reason = static_cast<StopReason>(reason);
    break;
  }
  case LogRecord::schedule:
    ar(r.decision.hart, r.decision.quantum);
    if (r.decision.hart >= 8 || r.decision.quantum == 0)
      throw Error(Errc::bad_log, fmt::format("schedule record: hart {}, quantum {}", r.decision.hart, r.decision.quantum));
    r.decision.icount = r.icount;
    break;
  default: throw Error(Errc::bad_log, fmt::format("unknown record kind {}", kind));
  }
  r.kind = static_cast<LogRecord::Kind>(kind);
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint32_t get_u32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t(static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)])) << (8 * i);
  return v;
}
std::uint64_t get_u64(const std::string& b, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)])) << (8 * i);
  return v;
}

std::uint64_t hash_file(const std::string& path, std::uint64_t& size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot open image", {path, {}, {}});
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size = bytes.size();
  return XXH3_64bits(bytes.data(), bytes.size());
}

} // namespace

std::vector<ImageHash> hash_images(const MachineSpec& spec) {
  std::vector<ImageHash> out;
  auto add = [&](const char* role, const std::string& path) {
    ImageHash h{role, path, 0, 0};
    h.xxh3 = hash_file(path, h.size);
    out.push_back(h);
  };
  if (spec.bios != "none") add("bios", spec.bios);
  if (!spec.kernel.empty()) add("kernel", spec.kernel);
  if (!spec.initrd.empty()) add("initrd", spec.initrd);
  if (!spec.dtb.empty()) add("dtb", spec.dtb);
  for (const auto& l : spec.loads) add("load", l.path);
  for (const auto& d : spec.drives) add("drive", d.path);
  return out;
}

// --- writer ------------------------------------------------------------------------------------

LogWriter::LogWriter(const std::string& path, const LogHeader& header) : m_path(path) {
  m_file = std::fopen(path.c_str(), "wb");
  if (!m_file) throw Error(Errc::io, std::string("cannot create log: ") + std::strerror(errno), {path, {}, {}});
  std::ostringstream hs;
  {
    cereal::PortableBinaryOutputArchive ar(hs);
    save_header(ar, header);
  }
  const std::string hb = hs.str();
  std::string pre(magic, sizeof magic);
  put_u32(pre, log_format_version);
  put_u32(pre, static_cast<std::uint32_t>(hb.size()));
  pre += hb;
  put_u64(pre, XXH3_64bits(hb.data(), hb.size()));
  if (std::fwrite(pre.data(), 1, pre.size(), m_file) != pre.size() || std::fflush(m_file) != 0)
    throw Error(Errc::io, "cannot write log header", {path, {}, {}});
  m_offset = pre.size();
}

LogWriter::~LogWriter() {
  try {
    flush();
  } catch (...) { // a destructor must not throw; the data written so far stays readable
  }
  if (m_file) std::fclose(m_file);
}

void LogWriter::add(LogRecord r) {
  const bool is_digest = r.kind == LogRecord::digest;
  m_pending.push_back(std::move(r));
  if (is_digest) ++m_pending_digests;
  // A chunk closes after chunk_records records, or after chunk_digests digests, so a killed
  // recorder loses a bounded stretch of the run even when inputs are rare.
  if (m_pending.size() >= chunk_records || m_pending_digests >= chunk_digests) flush();
}

void LogWriter::input(std::uint64_t icount, const InputEvent& e) {
  LogRecord r;
  r.kind = LogRecord::input;
  r.icount = icount;
  r.event = e;
  add(std::move(r));
}
void LogWriter::schedule(const ScheduleDecision& d) {
  LogRecord r;
  r.kind = LogRecord::schedule;
  r.icount = d.icount;
  r.decision = d;
  add(std::move(r));
}
void LogWriter::digest(std::uint64_t icount, std::uint64_t value) {
  LogRecord r;
  r.kind = LogRecord::digest;
  r.icount = icount;
  r.digest_value = value;
  add(std::move(r));
}
void LogWriter::end(std::uint64_t icount, StopReason reason, std::uint32_t status) {
  LogRecord r;
  r.kind = LogRecord::end;
  r.icount = icount;
  r.reason = reason;
  r.status = status;
  add(std::move(r));
  flush();
  write_index();
}

// The index: "INDX", entry count, entries (offset, first icount, last icount, records), the
// xxh3 of all that, then a fixed trailer (index offset, "RTRCIDX\0") to find it from the end.
void LogWriter::write_index() {
  std::string b;
  put_u32(b, index_magic);
  put_u32(b, static_cast<std::uint32_t>(m_index.size()));
  for (const auto& e : m_index) {
    put_u64(b, e.offset);
    put_u64(b, e.first_icount);
    put_u64(b, e.last_icount);
    put_u32(b, e.records);
  }
  put_u64(b, XXH3_64bits(b.data(), b.size()));
  put_u64(b, m_offset);
  b.append(trailer_magic, sizeof trailer_magic);
  if (std::fwrite(b.data(), 1, b.size(), m_file) != b.size() || std::fflush(m_file) != 0)
    throw Error(Errc::io, "cannot write log index", {m_path, {}, {}});
}

void LogWriter::flush() {
  if (m_pending.empty() || !m_file) return;
  std::ostringstream rs;
  {
    cereal::PortableBinaryOutputArchive ar(rs);
    for (const auto& r : m_pending) save_record(ar, r);
  }
  const std::string raw = rs.str();
  std::string packed(ZSTD_compressBound(raw.size()), '\0');
  const std::size_t n = ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), 3);
  if (ZSTD_isError(n)) throw Error(Errc::io, std::string("zstd: ") + ZSTD_getErrorName(n), {m_path, {}, {}});
  packed.resize(n);
  std::string chunk;
  put_u32(chunk, chunk_magic);
  put_u32(chunk, static_cast<std::uint32_t>(packed.size()));
  put_u32(chunk, static_cast<std::uint32_t>(raw.size()));
  put_u32(chunk, static_cast<std::uint32_t>(m_pending.size()));
  put_u64(chunk, XXH3_64bits(packed.data(), packed.size()));
  chunk += packed;
  if (std::fwrite(chunk.data(), 1, chunk.size(), m_file) != chunk.size() || std::fflush(m_file) != 0)
    throw Error(Errc::io, "cannot write log chunk", {m_path, {}, {}});
  m_index.push_back({m_offset, m_pending.front().icount, m_pending.back().icount,
                     static_cast<std::uint32_t>(m_pending.size())});
  m_offset += chunk.size();
  m_pending.clear();
  m_pending_digests = 0;
}

// --- reader ------------------------------------------------------------------------------------

LogReader LogReader::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot open log", {path, {}, {}});
  const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bad = [&](std::uint64_t offset, const std::string& msg) { return Error(Errc::bad_log, msg, {path, offset, {}}); };

  LogReader log;
  if (b.size() < sizeof magic + 8 || std::memcmp(b.data(), magic, sizeof magic) != 0)
    throw bad(0, "not a retrace log (bad magic)");
  const std::uint32_t version = get_u32(b, 12);
  if (version != log_format_version)
    throw bad(12, fmt::format("log format version {}; this retrace reads version {}", version, log_format_version));
  const std::uint32_t hlen = get_u32(b, 16);
  if (hlen > max_header || b.size() < 20 + std::size_t{hlen} + 8) throw bad(16, "truncated log header");
  const std::string hb = b.substr(20, hlen);
  if (XXH3_64bits(hb.data(), hb.size()) != get_u64(b, 20 + hlen)) throw bad(20, "log header checksum mismatch");
  try {
    std::istringstream hs(hb);
    cereal::PortableBinaryInputArchive ar(hs);
    load_header(ar, log.m_header);
  } catch (const Error& e) {
    throw bad(20, "bad log header: " + e.message());
  } catch (const std::exception& e) {
    throw bad(20, std::string("bad log header: ") + e.what());
  }

  std::size_t off = 20 + std::size_t{hlen} + 8;
  std::vector<LogIndexEntry> seen; // the chunks as read, to check the index against
  while (off < b.size()) {
    if (!log.m_records.empty() && log.m_records.back().kind == LogRecord::end) {
      // only the index may follow the end record
      std::size_t at = off;
      auto parse_index = [&]() -> std::optional<std::vector<LogIndexEntry>> {
        if (b.size() - at < 8 || get_u32(b, at) != index_magic) return std::nullopt;
        const std::uint32_t n = get_u32(b, at + 4);
        const std::size_t body = 8 + std::size_t{n} * 28;
        if (n > b.size() / 28 || b.size() - at < body + 8 + 16) return std::nullopt;
        if (XXH3_64bits(b.data() + at, body) != get_u64(b, at + body)) return std::nullopt;
        if (get_u64(b, at + body + 8) != at || std::memcmp(b.data() + at + body + 16, trailer_magic, 8) != 0)
          return std::nullopt;
        if (at + body + 24 != b.size()) return std::nullopt;
        std::vector<LogIndexEntry> idx(n);
        for (std::uint32_t k = 0; k < n; ++k) {
          const std::size_t e = at + 8 + std::size_t{k} * 28;
          idx[k] = {get_u64(b, e), get_u64(b, e + 8), get_u64(b, e + 16), get_u32(b, e + 24)};
        }
        return idx;
      };
      const auto idx = parse_index();
      bool matches = idx && idx->size() == seen.size();
      for (std::size_t k = 0; matches && k < seen.size(); ++k)
        matches = (*idx)[k].offset == seen[k].offset && (*idx)[k].first_icount == seen[k].first_icount &&
                  (*idx)[k].last_icount == seen[k].last_icount && (*idx)[k].records == seen[k].records;
      if (matches) log.m_index = *idx;
      else log.m_error = bad(off, "data after the end record is not a valid index");
      break;
    }
    if (b.size() - off < 24) {
      log.m_error = bad(off, "truncated chunk header");
      break;
    }
    const std::uint32_t cm = get_u32(b, off), csize = get_u32(b, off + 4), rsize = get_u32(b, off + 8),
                        count = get_u32(b, off + 12);
    const std::uint64_t sum = get_u64(b, off + 16);
    if (cm != chunk_magic) {
      log.m_error = bad(off, "bad chunk magic");
      break;
    }
    if (csize > max_chunk || rsize > max_chunk || count > rsize / 9) { // a record is at least 9 bytes
      log.m_error = bad(off, fmt::format("implausible chunk sizes ({} compressed, {} raw, {} records)", csize, rsize, count));
      break;
    }
    if (b.size() - off - 24 < csize) {
      log.m_error = bad(off, fmt::format("truncated chunk: {} of {} bytes present", b.size() - off - 24, csize));
      break;
    }
    const char* payload = b.data() + off + 24;
    if (XXH3_64bits(payload, csize) != sum) {
      log.m_error = bad(off, "chunk checksum mismatch");
      break;
    }
    std::string raw(rsize, '\0');
    const std::size_t got = ZSTD_decompress(raw.data(), raw.size(), payload, csize);
    if (ZSTD_isError(got) || got != rsize) {
      log.m_error = bad(off, "chunk does not decompress");
      break;
    }
    std::vector<LogRecord> records;
    try {
      std::istringstream rs(raw);
      cereal::PortableBinaryInputArchive ar(rs);
      records.resize(count);
      std::uint64_t last = log.m_records.empty() ? 0 : log.m_records.back().icount;
      for (auto& r : records) {
        load_record(ar, r);
        if (r.icount < last) throw Error(Errc::bad_log, "records out of icount order");
        last = r.icount;
      }
    } catch (const std::exception& e) {
      log.m_error = bad(off, std::string("bad chunk: ") + e.what());
      break;
    }
    if (!records.empty())
      seen.push_back({off, records.front().icount, records.back().icount, static_cast<std::uint32_t>(records.size())});
    log.m_records.insert(log.m_records.end(), records.begin(), records.end());
    off += 24 + csize;
  }
  if (!log.m_error && !log.end())
    log.m_error = bad(b.size(), "the log has no end record (the recorder stopped before the run ended)");
  return log;
}

std::vector<LogIndexEntry> LogReader::read_index(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(Errc::io, "cannot open log", {path, {}, {}});
  const auto size = static_cast<std::uint64_t>(in.tellg());
  const auto bad = [&](std::uint64_t at, const std::string& m) { return Error(Errc::bad_log, m, {path, at, {}}); };
  if (size < 16) throw bad(0, "no index (the log is too short)");
  std::string tail(16, '\0');
  in.seekg(static_cast<std::streamoff>(size - 16));
  in.read(tail.data(), 16);
  if (std::memcmp(tail.data() + 8, trailer_magic, 8) != 0) throw bad(size - 8, "no index (the log did not end cleanly)");
  const std::uint64_t at = get_u64(tail, 0);
  if (at >= size - 16 || size - 16 - at < 16) throw bad(size - 16, "implausible index offset");
  std::string b(static_cast<std::size_t>(size - at), '\0');
  in.seekg(static_cast<std::streamoff>(at));
  in.read(b.data(), static_cast<std::streamsize>(b.size()));
  if (get_u32(b, 0) != index_magic) throw bad(at, "bad index magic");
  const std::uint32_t n = get_u32(b, 4);
  const std::size_t body = 8 + std::size_t{n} * 28;
  if (b.size() != body + 8 + 16) throw bad(at, "index size does not match its count");
  if (XXH3_64bits(b.data(), body) != get_u64(b, body)) throw bad(at, "index checksum mismatch");
  std::vector<LogIndexEntry> idx(n);
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::size_t e = 8 + std::size_t{k} * 28;
    idx[k] = {get_u64(b, e), get_u64(b, e + 8), get_u64(b, e + 16), get_u32(b, e + 24)};
  }
  return idx;
}

} // namespace retrace
