#pragma once
/// \file
/// Bisection: the least icount at which a monotone predicate holds over a recorded run, and
/// what the instruction at that icount did. The first replay takes snapshots every so often and
/// checks the predicate at each; then a binary search inside the one interval where it turned
/// true restores the nearest snapshot and runs forward, snapshotting as it goes.
///
/// Example:
/// \code
///   auto log = retrace::LogReader::read("seed-12.rlog");
///   retrace::Replayer replay(log);
///   auto p = retrace::parse_predicate("uart~FAIL", replay.machine().symbols());
///   auto found = retrace::bisect(log, p);
///   std::cout << retrace::format_report(found, "seed-12.rlog");
/// \endcode

#include "retrace/bisect/predicate.hpp"
#include "retrace/replay/log.hpp"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace retrace {

struct BisectOptions {
  std::uint64_t snapshot_interval = 0; ///< instructions between first-pass snapshots; 0: end/64
  std::size_t context = 10;            ///< instructions to show before the found one
  /// More ELF files to name the instruction with, as `FILE` (wherever its code runs: found by
  /// matching bytes, see SymbolFile) or `FILE@OFFSET` (running address - link address). They
  /// come before the guest's own ELF: for firmware loaded raw (u-boot.bin + uboot.elf), or
  /// code that relocated itself.
  std::vector<std::string> symbol_files;
};

/// One executed instruction, for the report's context.
struct TraceLine {
  std::uint64_t icount = 0;
  unsigned hart = 0;
  std::uint64_t pc = 0;
  std::uint32_t raw = 0;
  std::string disassembly;
  bool trapped = false;
  std::uint64_t cause = 0;
};

struct RegisterChange {
  std::string name;
  std::uint64_t before = 0, after = 0;
};

struct MemoryChange {
  std::uint64_t address = 0;
  std::vector<std::uint8_t> before, after;
};

/// What the bisection found.
struct BisectResult {
  std::string predicate;
  bool found = false;
  bool holds_at_start = false;         ///< true before the first instruction: nothing to find
  std::uint64_t icount = 0;            ///< the step after which the predicate first holds
  TraceLine instruction;               ///< that step
  std::string symbol;                  ///< "main+0x12"
  std::string source;                  ///< "ringbuf.c:77", from DWARF
  std::string symbol_file;             ///< the BisectOptions::symbol_files entry that named it, if one did
  std::int64_t symbol_offset = 0;      ///< where that file's code runs: running address - link address
  std::uint64_t link_address = 0;      ///< the instruction's address in that file (pc - symbol_offset)
  bool symbol_file_has_lines = true;   ///< false: the file has no DWARF line table (no source line possible)
  std::vector<RegisterChange> registers;
  std::vector<MemoryChange> memory;
  std::vector<TraceLine> before;       ///< the instructions just before it
  std::vector<LogRecord> inputs_before; ///< the last inputs delivered before it
  std::vector<LogRecord> inputs;       ///< every input of the run (first 10000), for the timeline
  std::vector<TrapRecord> traps;       ///< traps up to where the first pass stopped, for the timeline
  std::size_t probes = 0;              ///< predicate evaluations
  std::uint64_t instructions_run = 0;  ///< instructions executed by the search
  std::size_t snapshots = 0;
  std::uint64_t end_icount = 0;        ///< where the recording ends
};

/// Where two recorded runs first differ.
struct DiffResult {
  bool differ = false;
  bool registers_only = false;       ///< the images differ, so only hart state is compared
  std::uint64_t icount = 0;          ///< the first step after which the states differ
  TraceLine a, b;                    ///< what each run executed at that step
  std::vector<RegisterChange> registers; ///< before = run A's value, after = run B's
  std::vector<MemoryChange> memory;      ///< before = run A's bytes, after = run B's
  std::vector<std::string> devices;      ///< devices whose state differs ("uart", "clint", "plic")
  std::vector<std::pair<std::string, std::string>> inputs; ///< A's and B's input at that icount, if they differ
  std::vector<TraceLine> before;     ///< run A's instructions just before it
  std::uint64_t end_a = 0, end_b = 0;
  std::size_t probes = 0;
  std::uint64_t instructions_run = 0;
};

/// Finds the first step after which the runs recorded in `a` and `b` are in different states
/// (everything a digest covers; only the harts' state when their images differ). Assumes that
/// once runs differ they stay different, which holds unless they converge again.
[[nodiscard]] DiffResult diff_runs(const LogReader& a, const LogReader& b, BisectOptions options = {});
[[nodiscard]] std::string format_diff_report(const DiffResult& d, const std::string& path_a, const std::string& path_b);
[[nodiscard]] nlohmann::json diff_json(const DiffResult& d, const std::string& path_a, const std::string& path_b);

/// Finds the first icount where `p` holds in the run recorded in `log`.
[[nodiscard]] BisectResult bisect(const LogReader& log, const Predicate& p, BisectOptions options = {});

/// The report for a person (terminal text), with the commands to replay to it.
[[nodiscard]] std::string format_report(const BisectResult& r, const std::string& log_path);
/// The same as JSON, for tools.
[[nodiscard]] nlohmann::json report_json(const BisectResult& r, const std::string& log_path);
/// The same as one self-contained HTML page with a timeline of the run (inputs, interrupts,
/// traps, the instruction found), to open from CI artifacts.
[[nodiscard]] std::string report_html(const BisectResult& r, const std::string& log_path);

} // namespace retrace
