#pragma once
/// \file
/// The replay log: everything needed to rebuild and re-run a recorded run, and to prove the
/// re-run is the same. Layout (docs/log-format.md has it byte by byte):
///
///   preamble  "RETRACE-LOG\n" magic, format version, header length, header, header checksum
///   chunks    each: "CHNK", compressed size, raw size, record count, xxh3 of the compressed
///             bytes, then zstd-compressed cereal records (inputs, digests, the end)
///
/// A crash loses at most the chunk being written; a truncated or corrupt log reads as its
/// valid prefix plus an error naming the byte offset.
///
/// Example:
/// \code
///   retrace::LogWriter w("run.rlog", header);
///   w.input(5000, {retrace::InputEvent::uart_rx, "x"});
///   w.digest(1 << 24, retrace::state_digest(machine));
///   w.end(icount, retrace::StopReason::exited, 0);
///   auto log = retrace::LogReader::read("run.rlog");   // log.records(), log.error()
/// \endcode

#include "retrace/error.hpp"
#include "retrace/machine/machine.hpp"
#include "retrace/machine/machine_spec.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace retrace {

/// The log format version this retrace writes and reads. Rule: any change to the layout or to
/// a record's encoding bumps it, and so does any change to the scheduler or to virtual time
/// (a log without chaos does not record its turns: the replay recomputes them); readers refuse
/// other versions with a clear error.
inline constexpr std::uint32_t log_format_version = 7; // 5: digests cover each hart's extension set;
                                                       // 6: PLIC/UART/RTC state as QEMU's interrupts need;
                                                       // 7: harts share virtual time, turns recorded only
                                                       //    under chaos, multi-hart digests cover the schedule

/// An image the run used, identified by content.
struct ImageHash {
  std::string role; ///< "bios", "kernel", "initrd", "dtb", "load" or "drive"
  std::string path;
  std::uint64_t size = 0;
  std::uint64_t xxh3 = 0;
};

/// What a replay needs before the first instruction.
struct LogHeader {
  std::uint32_t format_version = log_format_version;
  std::string retrace_version;
  MachineSpec spec;
  std::vector<ImageHash> images;
  std::uint64_t seed = 0;
  std::uint64_t digest_interval = 0; ///< instructions between digests
  std::string label;                 ///< what recorded it ("retrace run", a test's name)
};

/// One record of the stream.
struct LogRecord {
  enum Kind : std::uint8_t { input = 1, digest = 2, end = 3, schedule = 4 };
  Kind kind = input;
  std::uint64_t icount = 0;
  InputEvent event;              ///< kind == input
  std::uint64_t digest_value = 0; ///< kind == digest
  StopReason reason = StopReason::limit; ///< kind == end
  std::uint32_t status = 0;              ///< kind == end
  ScheduleDecision decision;             ///< kind == schedule (decision.icount == icount)
};

/// The content hashes of the images a spec names (for the header, and to check on replay).
[[nodiscard]] std::vector<ImageHash> hash_images(const MachineSpec& spec);

/// One chunk's place in the file, from the index written after the end record.
struct LogIndexEntry {
  std::uint64_t offset = 0;      ///< file offset of the chunk's header
  std::uint64_t first_icount = 0;
  std::uint64_t last_icount = 0;
  std::uint32_t records = 0;
};

/// Writes a log. Records are buffered and written a chunk at a time; the destructor flushes.
class LogWriter {
public:
  LogWriter(const std::string& path, const LogHeader& header);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void input(std::uint64_t icount, const InputEvent& e);
  void digest(std::uint64_t icount, std::uint64_t value);
  void end(std::uint64_t icount, StopReason reason, std::uint32_t status);
  void schedule(const ScheduleDecision& d);
  /// Writes the buffered records as a chunk now.
  void flush();
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

  static constexpr std::size_t chunk_records = 4096;
  static constexpr std::size_t chunk_digests = 16;

private:
  void add(LogRecord r);
  void write_index();
  std::string m_path;
  std::FILE* m_file = nullptr;
  std::uint64_t m_offset = 0; // where the next chunk starts
  std::vector<LogIndexEntry> m_index;
  std::vector<LogRecord> m_pending;
  std::size_t m_pending_digests = 0;
};

/// A log as read from disk: the header, the valid records, and what stopped the reading.
class LogReader {
public:
  /// Reads `path`. Throws retrace::Error (io, bad_log) only if the header itself is unusable;
  /// damage after it ends the records early and is reported by error().
  static LogReader read(const std::string& path);

  [[nodiscard]] const LogHeader& header() const noexcept { return m_header; }
  [[nodiscard]] const std::vector<LogRecord>& records() const noexcept { return m_records; }
  /// Why reading stopped before a clean end (truncation, corruption), with the file offset.
  [[nodiscard]] const std::optional<Error>& error() const noexcept { return m_error; }
  /// The chunk index (complete logs have one; empty for a log cut before its end).
  [[nodiscard]] const std::vector<LogIndexEntry>& index() const noexcept { return m_index; }
  /// Reads only the header and the index, from the end of the file, without the chunks.
  /// Throws retrace::Error if the log has no valid index (a log that did not end cleanly).
  static std::vector<LogIndexEntry> read_index(const std::string& path);
  /// The end record, if the log has one.
  [[nodiscard]] const LogRecord* end() const noexcept {
    return !m_records.empty() && m_records.back().kind == LogRecord::end ? &m_records.back() : nullptr;
  }

private:
  LogHeader m_header;
  std::vector<LogRecord> m_records;
  std::vector<LogIndexEntry> m_index;
  std::optional<Error> m_error;
};

} // namespace retrace
