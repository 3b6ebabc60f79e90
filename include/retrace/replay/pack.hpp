#pragma once
/// \file
/// Packs: one self-contained file holding a log and every image it names, so a failing run can
/// be replayed on another machine. Layout (little-endian): magic "RETRACE-PACK", u32 version,
/// then one zstd frame holding u32 entry count and per entry: u32 name length, name, u64 size,
/// bytes. Entry 0 is the log; the others are its images in header order.
///
/// Example:
/// \code
///   retrace::write_pack("seed-12.rlog", "seed-12.rpack");
///   // elsewhere:
///   std::string log = retrace::open_log_or_pack("seed-12.rpack", "/tmp/unpacked");
/// \endcode

#include <string>

namespace retrace {

/// Writes a pack of `log_path` and its images to `pack_path`. Throws retrace::Error.
void write_pack(const std::string& log_path, const std::string& pack_path);
/// True if `path` starts with the pack magic.
[[nodiscard]] bool is_pack(const std::string& path);
/// Unpacks into `dir` (created if needed): the images, and a copy of the log whose header
/// points at them. Returns that log's path. Throws retrace::Error for a damaged pack.
[[nodiscard]] std::string unpack(const std::string& pack_path, const std::string& dir);

} // namespace retrace
