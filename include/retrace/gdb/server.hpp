#pragma once
/// \file
/// A GDB remote-protocol server over a replay: gdb (gdb-multiarch) attaches to any icount of a
/// recorded run and steps and continues forwards and backwards (reverse-stepi,
/// reverse-continue), with breakpoints, watchpoints, harts as threads and `monitor` commands.
/// A replay cannot be changed, so register and memory writes are refused.
///
/// Example:
/// \code
///   auto log = retrace::LogReader::read("seed-12.rlog");
///   retrace::gdb::Server server(log, {.start_icount = 36624});
///   retrace::gdb::Connection conn(0, 1);      // stdin/stdout: `target remote | retrace gdb ...`
///   server.serve(conn);
/// \endcode

#include "retrace/gdb/rsp.hpp"
#include "retrace/gdb/timeline.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace retrace::gdb {

struct ServerOptions {
  std::uint64_t start_icount = 0;             ///< where the session starts
  std::uint64_t snapshot_spacing = Timeline::default_spacing;
};

class Server {
public:
  Server(const LogReader& log, ServerOptions options = {});

  /// Serves one client until it detaches, kills the session or disconnects.
  void serve(Connection& conn);
  /// Handles one packet and returns the reply (for tests; serve() uses it).
  std::string handle(const std::string& packet, Connection* conn = nullptr);

  [[nodiscard]] Timeline& timeline() noexcept { return m_timeline; }
  /// The gdb register-number -> value mapping, for tests.
  [[nodiscard]] std::optional<std::uint64_t> read_register(unsigned regnum);
  [[nodiscard]] const std::string& target_xml() const noexcept { return m_target_xml; }

private:
  struct Watch {
    char kind; // '2' write, '3' read, '4' access
    std::uint64_t addr, len;
  };
  std::string stop_reply(const std::string& reason = {});
  /// Forward until hart `step_hart` (if any) has executed one instruction, or a hart whose
  /// events count (`active`: empty = every hart) hits a breakpoint or watchpoint.
  std::string resume_forward(Connection* conn, std::optional<unsigned> step_hart, const std::vector<bool>& active);
  std::string step_forward() { return resume_forward(nullptr, m_thread - 1, {}); }
  std::string continue_forward(Connection* conn) { return resume_forward(conn, std::nullopt, {}); }
  std::string step_backward();
  std::string continue_backward(Connection* conn);
  std::string monitor(const std::string& command);
  std::string read_memory(std::uint64_t addr, std::uint64_t len);
  Hart& current_hart();
  bool next_access_hits(const Hart& h, bool want_read, bool want_write, std::uint64_t& hit_addr);
  std::string watched_bytes();

  const LogReader& m_log;
  Timeline m_timeline;
  std::set<std::uint64_t> m_breakpoints;
  std::vector<Watch> m_watches;
  unsigned m_thread = 1; // gdb thread id = hart + 1
  bool m_done = false;
  std::string m_target_xml;
};

} // namespace retrace::gdb
