// The GDB remote-protocol server over a Timeline.
#include "retrace/gdb/server.hpp"

#include "retrace/bisect/bisect.hpp"
#include "retrace/cpu/csr.hpp"
#include "retrace/isa/decode.hpp"
#include "retrace/isa/disasm.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>
#include <fmt/format.h>
#include <sstream>

namespace retrace::gdb {
namespace {

constexpr unsigned regnum_pc = 32, regnum_f0 = 33, regnum_csr0 = 65;

std::string make_target_xml() {
  std::string x = R"(<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
<architecture>riscv:rv64</architecture>
<feature name="org.gnu.gdb.riscv.cpu">
)";
  static const char* const names[32] = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0",
                                        "a1",   "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                        "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};
  for (unsigned i = 0; i < 32; ++i)
    x += fmt::format(R"(<reg name="{}" bitsize="64" type="{}" regnum="{}"/>)"
                     "\n",
                     names[i], i == 1 ? "code_ptr" : i == 2 ? "data_ptr" : "int", i);
  x += R"(<reg name="pc" bitsize="64" type="code_ptr" regnum="32"/>
</feature>
<feature name="org.gnu.gdb.riscv.fpu">
<union id="riscv_double"><field name="float" type="ieee_single"/><field name="double" type="ieee_double"/></union>
)";
  for (unsigned i = 0; i < 32; ++i)
    x += fmt::format(R"(<reg name="{}" bitsize="64" type="riscv_double" regnum="{}"/>)"
                     "\n",
                     isa::freg_name(i), regnum_f0 + i);
  x += R"(<reg name="fflags" bitsize="32" type="int" regnum="66"/>
<reg name="frm" bitsize="32" type="int" regnum="67"/>
<reg name="fcsr" bitsize="32" type="int" regnum="68"/>
</feature>
<feature name="org.gnu.gdb.riscv.csr">
)";
  for (unsigned n = 0; n < 4096; ++n) {
    if (n <= 3) continue; // fflags, frm, fcsr are in the fpu feature
    const auto name = csr::name(n);
    if (!name) continue;
    if ((n >= 0x3a0 && n <= 0x3af && (n & 1)) || (n >= 0x3a4 && n <= 0x3af) || (n >= 0x3c0 && n <= 0x3ef)) continue;
    if ((n >= 0xc80 && n <= 0xc9f) || (n >= 0xb80 && n <= 0xb9f) || (n >= 0x720 && n <= 0x73f)) continue; // RV32 only
    x += fmt::format(R"(<reg name="{}" bitsize="64" type="int" regnum="{}"/>)"
                     "\n",
                     *name, regnum_csr0 + n);
  }
  x += R"(<reg name="priv" bitsize="8" type="int" regnum="4161"/>
</feature>
</target>
)";
  return x;
}

// The memory access the instruction at the hart's pc is about to make, if any.
struct Access {
  std::uint64_t addr = 0;
  unsigned size = 0;
  bool read = false, write = false;
};
std::optional<Access> predict_access(Hart& h) {
  std::uint32_t raw = 0;
  if (!h.debug_read(h.state().pc, &raw, 2)) return std::nullopt;
  if ((raw & 3) == 3 && !h.debug_read(h.state().pc, &raw, 4)) return std::nullopt;
  const auto d = isa::decode(raw);
  if (d.op == isa::Op::illegal) return std::nullopt;
  const auto& info = isa::info(d.op);
  const auto& x = h.state().x;
  const auto i = d.insn;
  const unsigned f3 = i.funct3();
  Access a;
  switch (info.format) {
  case isa::Format::load: a = {x[i.rs1()] + static_cast<std::uint64_t>(i.imm_i()), 1u << (f3 & 3), true, false}; break;
  case isa::Format::fload: a = {x[i.rs1()] + static_cast<std::uint64_t>(i.imm_i()), f3 == 2 ? 4u : 8u, true, false}; break;
  case isa::Format::store: a = {x[i.rs1()] + static_cast<std::uint64_t>(i.imm_s()), 1u << (f3 & 3), false, true}; break;
  case isa::Format::fstore: a = {x[i.rs1()] + static_cast<std::uint64_t>(i.imm_s()), f3 == 2 ? 4u : 8u, false, true}; break;
  case isa::Format::lr: a = {x[i.rs1()], f3 == 2 ? 4u : 8u, true, false}; break;
  case isa::Format::amo: a = {x[i.rs1()], f3 == 2 ? 4u : 8u, d.op != isa::Op::sc_w && d.op != isa::Op::sc_d, true}; break;
  default: return std::nullopt;
  }
  return a;
}

} // namespace

Server::Server(const LogReader& log, ServerOptions options)
    : m_log(log), m_timeline(log, options.snapshot_spacing), m_target_xml(make_target_xml()) {
  m_timeline.seek(options.start_icount);
}

Hart& Server::current_hart() {
  auto& m = m_timeline.machine();
  return m.hart(std::min<std::size_t>(m_thread - 1, m.hart_count() - 1));
}

std::optional<std::uint64_t> Server::read_register(unsigned n) {
  const auto& s = current_hart().state();
  if (n < 32) return s.x[n];
  if (n == regnum_pc) return s.pc;
  if (n >= regnum_f0 && n < regnum_f0 + 32) return s.f[n - regnum_f0];
  if (n == 4161) return static_cast<std::uint64_t>(s.priv);
  if (n >= regnum_csr0 && n < regnum_csr0 + 4096) {
    std::uint64_t v = 0;
    // fflags/frm/fcsr read even with the FPU off: the debugger sees the stored bits
    const unsigned c = n - regnum_csr0;
    if (c >= 1 && c <= 3) return c == 1 ? (s.fcsr & 31) : c == 2 ? ((s.fcsr >> 5) & 7) : (s.fcsr & 0xff);
    if (current_hart().debug_read_csr(c, v)) return v;
  }
  return std::nullopt;
}

std::string Server::stop_reply(const std::string& reason) {
  return fmt::format("T05thread:{:x};{}", m_thread, reason);
}

std::string Server::read_memory(std::uint64_t addr, std::uint64_t len) {
  len = std::min<std::uint64_t>(len, 4096);
  std::string bytes(static_cast<std::size_t>(len), '\0');
  std::size_t got = 0;
  // as much as is readable, as gdb expects (a short reply), or an error if nothing is
  while (got < len && current_hart().debug_read(addr + got, bytes.data() + got, 1)) ++got;
  if (got == 0 && len > 0) return "E14";
  return to_hex(std::string_view(bytes.data(), got));
}

bool Server::next_access_hits(const Hart& ch, bool want_read, bool want_write, std::uint64_t& hit) {
  auto& h = const_cast<Hart&>(ch);
  const auto a = predict_access(h);
  if (!a) return false;
  for (const auto& w : m_watches) {
    const bool kind_ok = (w.kind == '3' && a->read && want_read) || (w.kind == '4' && (a->read || a->write)) ||
                         (w.kind == '2' && a->write && want_write);
    if (kind_ok && a->addr < w.addr + w.len && a->addr + a->size > w.addr) {
      hit = w.addr;
      return true;
    }
  }
  return false;
}

std::string Server::watched_bytes() {
  std::string all;
  for (const auto& w : m_watches) {
    if (w.kind != '2') continue;
    std::string b(static_cast<std::size_t>(w.len), '\0');
    (void)current_hart().debug_read(w.addr, b.data(), b.size());
    all += b;
  }
  return all;
}

std::string Server::resume_forward(Connection* conn, std::optional<unsigned> step_hart, const std::vector<bool>& active) {
  // A replay cannot hold one hart while another runs: every hart runs as the recording did.
  // What gdb's per-thread actions change is which harts' events end the resume: the stepped
  // hart's next instruction, and breakpoints and watchpoints of the harts gdb resumed. (gdb
  // steps RISC-V threads with temporary breakpoints; a hit by a hart it did not resume is not
  // a stop it asked for.)
  auto& t = m_timeline;
  if (t.icount() >= t.end()) return stop_reply("replaylog:end;");
  auto counts = [&](unsigned hart) { return active.empty() || (hart < active.size() && active[hart]); };
  std::string reason;
  std::string old_values = watched_bytes();
  std::uint64_t steps = 0;
  bool interrupted = false, stepped = false;
  std::optional<unsigned> pending_read_hart;
  std::uint64_t pending_read_addr = 0;
  t.run_until([&](const Hart& h) {
    const unsigned id = h.hartid();
    if (step_hart && id == *step_hart) {
      m_thread = id + 1;
      stepped = true;
      return true;
    }
    if (!counts(id)) return false;
    if (pending_read_hart && *pending_read_hart == id) { // the predicted read happened
      m_thread = id + 1;
      reason = fmt::format("rwatch:{:x};", pending_read_addr);
      return true;
    }
    if (!m_watches.empty()) {
      const std::string now = watched_bytes();
      if (now != old_values) { // a write changed watched memory
        std::size_t off = 0;
        for (const auto& w : m_watches) {
          if (w.kind != '2') continue;
          if (now.compare(off, w.len, old_values, off, w.len) != 0) {
            reason = fmt::format("watch:{:x};", w.addr);
            break;
          }
          off += w.len;
        }
        m_thread = id + 1;
        return true;
      }
      std::uint64_t hit = 0;
      if (next_access_hits(h, true, false, hit)) {
        pending_read_hart = id;
        pending_read_addr = hit;
      }
    }
    // checked after each step, so the instruction the continue starts on always runs
    if (m_breakpoints.count(h.state().pc)) {
      m_thread = id + 1;
      reason = "swbreak:;";
      return true;
    }
    if (conn && (++steps & 0xffff) == 0 && conn->interrupt_pending()) {
      interrupted = true;
      return true;
    }
    return false;
  }, t.end());
  if (interrupted) return fmt::format("T02thread:{:x};", m_thread);
  if (!stepped && reason.empty() && t.icount() >= t.end()) return stop_reply("replaylog:end;");
  return stop_reply(reason);
}

std::string Server::step_backward() {
  auto& t = m_timeline;
  if (t.icount() == 0) return stop_reply("replaylog:begin;");
  if (t.machine().hart_count() == 1) {
    t.seek(t.icount() - 1);
    if (t.icount() == 0) return stop_reply("replaylog:begin;");
    return stop_reply();
  }
  // Several harts: back to just before the current thread's own last instruction, which may
  // lie before other harts' steps. A hart's (pc, minstret, mcause, priv) changes exactly when it
  // steps, so the last icount where they differ from now is that point.
  const unsigned hart = m_thread - 1;
  auto key = [&] {
    const auto& st = t.machine().hart(hart).state();
    return std::tuple{st.pc, st.minstret, st.mcause, st.scause, st.priv};
  };
  const std::uint64_t k = t.icount();
  const auto now = key();
  std::uint64_t hi = k;
  while (hi > 0) {
    const std::uint64_t from = ((hi - 1) / t.spacing()) * t.spacing();
    std::optional<std::uint64_t> found;
    t.scan(from, hi, [&](std::uint64_t i) {
      if (key() != now) found = i; // the last one in the range wins
    });
    if (found) {
      t.seek(*found);
      if (t.icount() == 0) return stop_reply("replaylog:begin;");
      return stop_reply();
    }
    hi = from;
  }
  t.seek(0); // this hart has not stepped since the start
  return stop_reply("replaylog:begin;");
}

std::string Server::continue_backward(Connection* conn) {
  auto& t = m_timeline;
  std::uint64_t k = t.icount();
  while (k > 0) {
    if (conn && conn->interrupt_pending()) { // Ctrl-C: stop where the search has got to
      t.seek(k);
      return fmt::format("T02thread:{:x};", m_thread);
    }
    const std::uint64_t from = ((k - 1) / t.spacing()) * t.spacing();
    std::optional<std::uint64_t> found;
    std::string reason;
    std::string previous;
    bool have_previous = false;
    t.scan(from, k + (m_watches.empty() ? 0 : 1), [&](std::uint64_t i) {
      // a write between i-1 and i: stop before it, at i-1
      if (!m_watches.empty()) {
        const std::string now = watched_bytes();
        if (have_previous && now != previous && i - 1 < k) {
          found = i - 1;
          reason = fmt::format("watch:{:x};", m_watches.front().addr);
        }
        previous = now;
        have_previous = true;
      }
      if (i >= k) return;
      auto& m = t.machine();
      for (std::size_t h = 0; h < m.hart_count(); ++h)
        if (m_breakpoints.count(m.hart(h).state().pc)) {
          found = i;
          reason = "swbreak:;";
          m_thread = static_cast<unsigned>(h) + 1;
        }
      std::uint64_t hit = 0;
      if (!m_watches.empty() && next_access_hits(m.hart(0), true, false, hit)) {
        found = i;
        reason = fmt::format("rwatch:{:x};", hit);
      }
    });
    if (found) {
      t.seek(*found);
      return stop_reply(reason);
    }
    k = from;
  }
  t.seek(0);
  return stop_reply("replaylog:begin;");
}

std::string Server::monitor(const std::string& command) {
  std::istringstream in(command);
  std::string verb;
  in >> verb;
  auto& t = m_timeline;
  if (verb == "icount") return fmt::format("icount {} of {}\n", t.icount(), t.end());
  if (verb == "seek") {
    std::string arg;
    in >> arg;
    std::uint64_t target = 0;
    try {
      target = std::stoull(arg, nullptr, 0);
    } catch (const std::exception&) {
      return "usage: monitor seek ICOUNT\n";
    }
    t.seek(target);
    return fmt::format("at icount {}\n", t.icount());
  }
  if (verb == "snapshots") {
    const auto all = t.snapshot_icounts();
    std::string s = fmt::format("{} snapshots, every {} instructions:", all.size(), t.spacing());
    for (std::size_t i = 0; i < all.size() && i < 50; ++i) s += fmt::format(" {}", all[i]);
    if (all.size() > 50) s += " ...";
    return s + "\n";
  }
  if (verb == "bisect") {
    std::string rest;
    std::getline(in, rest);
    try {
      const auto p = parse_predicate(rest, t.machine().symbols());
      const auto r = bisect(m_log, p);
      if (!r.found) return fmt::format("'{}' never holds in this run\n", p.text);
      t.seek(r.icount - 1);
      return fmt::format("'{}' first holds after instruction {}; now at {}, just before it: {:#x} {}\n", p.text, r.icount,
                         t.icount(), r.instruction.pc, r.instruction.disassembly);
    } catch (const std::exception& e) {
      return std::string(e.what()) + "\n";
    }
  }
  return "retrace monitor commands:\n"
         "  icount             where the replay is, and where it ends\n"
         "  seek ICOUNT        go to an icount (forwards or backwards)\n"
         "  snapshots          the snapshots held for stepping back\n"
         "  bisect PREDICATE   go to just before the first instruction after which PREDICATE holds\n"
         "                     (pc==SYMBOL, uart~TEXT, u32[SYMBOL]>N, trap==CAUSE, exited)\n";
}

std::string Server::handle(const std::string& p, Connection* conn) {
  if (p.empty()) return {};
  auto& t = m_timeline;
  auto& m = t.machine();
  const char c = p[0];
  if (p.rfind("qSupported", 0) == 0)
    return "PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;ReverseStep+;ReverseContinue+;vContSupported+;"
           "QStartNoAckMode+";
  if (p == "QStartNoAckMode") {
    if (conn) {
      conn->send("OK");
      conn->set_no_ack();
      return "\x01"; // already replied
    }
    return "OK";
  }
  if (p == "?") return stop_reply();
  if (p == "qAttached") return "1";
  if (p == "qC") return fmt::format("QC{:x}", m_thread);
  if (p == "qfThreadInfo") {
    std::string s = "m";
    for (std::size_t h = 0; h < m.hart_count(); ++h) s += fmt::format("{}{:x}", h ? "," : "", h + 1);
    return s;
  }
  if (p == "qsThreadInfo") return "l";
  if (p.rfind("qThreadExtraInfo,", 0) == 0) {
    const auto id = parse_hex(p.substr(17));
    return to_hex(fmt::format("hart {}", id ? *id - 1 : 0));
  }
  if (c == 'T') {
    const auto id = parse_hex(p.substr(1));
    return id && *id >= 1 && *id <= m.hart_count() ? "OK" : "E01";
  }
  if (c == 'H' && p.size() >= 2) {
    const std::string id = p.substr(2);
    if (id == "0" || id == "-1") return "OK";
    const auto v = parse_hex(id);
    if (!v || *v < 1 || *v > m.hart_count()) return "E01";
    m_thread = static_cast<unsigned>(*v);
    return "OK";
  }
  if (p.rfind("qXfer:features:read:target.xml:", 0) == 0) {
    const auto args = p.substr(31);
    const auto comma = args.find(',');
    const auto off = parse_hex(args.substr(0, comma)), len = comma == std::string::npos ? std::nullopt : parse_hex(args.substr(comma + 1));
    if (!off || !len) return "E00";
    if (*off >= m_target_xml.size()) return "l";
    const std::string part = m_target_xml.substr(static_cast<std::size_t>(*off), static_cast<std::size_t>(*len));
    return (*off + part.size() >= m_target_xml.size() ? "l" : "m") + part;
  }
  if (c == 'g') {
    std::string s;
    const auto& st = current_hart().state();
    for (unsigned i = 0; i < 32; ++i) s += le_hex(st.x[i], 8);
    s += le_hex(st.pc, 8);
    return s;
  }
  if (c == 'p') {
    const auto n = parse_hex(p.substr(1));
    if (!n) return "E00";
    const auto v = read_register(static_cast<unsigned>(*n));
    const unsigned size = (*n >= 66 && *n <= 68) ? 4 : (*n == 4161 ? 1 : 8);
    return v ? le_hex(*v, size) : std::string(2 * size, 'x');
  }
  if (c == 'G' || c == 'P' || c == 'M' || c == 'X') return "E03"; // a replay is read-only
  if (c == 'm') {
    const auto comma = p.find(',');
    if (comma == std::string::npos) return "E00";
    const auto addr = parse_hex(p.substr(1, comma - 1)), len = parse_hex(p.substr(comma + 1));
    if (!addr || !len) return "E00";
    return read_memory(*addr, *len);
  }
  if ((c == 'Z' || c == 'z') && p.size() > 3) {
    const char kind = p[1];
    const auto rest = p.substr(3);
    const auto comma = rest.find(',');
    const auto addr = parse_hex(rest.substr(0, comma)), len = comma == std::string::npos ? std::nullopt : parse_hex(rest.substr(comma + 1));
    if (!addr || !len) return "E00";
    if (kind == '0' || kind == '1') {
      if (c == 'Z') m_breakpoints.insert(*addr);
      else m_breakpoints.erase(*addr);
      return "OK";
    }
    if (kind == '2' || kind == '3' || kind == '4') {
      if (*len == 0 || *len > 64) return "E01";
      if (c == 'Z') m_watches.push_back({kind, *addr, *len});
      else
        std::erase_if(m_watches, [&](const Watch& w) { return w.kind == kind && w.addr == *addr && w.len == *len; });
      return "OK";
    }
    return "";
  }
  if (p == "vCont?") return "vCont;c;C;s;S";
  if (p.rfind("vCont;", 0) == 0) {
    // ;ACTION[:THREAD]... : the first action that names a hart applies to it, one without a
    // thread to every hart not named before (gdb: "vCont;s:1;c" steps thread 1, runs the rest).
    const std::size_t n = m.hart_count();
    std::vector<char> action(n, 0);
    std::size_t pos = 5;
    while (pos < p.size() && p[pos] == ';') {
      const std::size_t next = p.find(';', pos + 1);
      const std::string part = p.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
      pos = next == std::string::npos ? p.size() : next;
      if (part.empty()) return "E01";
      const char a = static_cast<char>(std::tolower(static_cast<unsigned char>(part[0])));
      if (a != 'c' && a != 's') return "E01";
      const auto colon = part.find(':');
      if (colon == std::string::npos || part.substr(colon + 1) == "-1") {
        for (auto& x : action)
          if (!x) x = a;
        continue;
      }
      const auto tid = parse_hex(part.substr(colon + 1));
      if (!tid || *tid < 1 || *tid > n) return "E01";
      if (!action[*tid - 1]) action[*tid - 1] = a;
    }
    std::optional<unsigned> step;
    std::vector<bool> active(n, false);
    for (std::size_t h = 0; h < n; ++h) {
      if (action[h] == 's' && !step) step = static_cast<unsigned>(h);
      active[h] = action[h] == 'c';
    }
    return resume_forward(conn, step, active);
  }
  if (c == 's') return step_forward();
  if (c == 'c') return continue_forward(conn);
  if (p == "bs") return step_backward();
  if (p == "bc") return continue_backward(conn);
  if (p.rfind("qRcmd,", 0) == 0) {
    const auto text = from_hex(p.substr(6));
    if (!text) return "E01";
    const std::string out = monitor(*text);
    if (conn) {
      conn->send("O" + to_hex(out));
      return "OK";
    }
    return "O" + to_hex(out);
  }
  if (p == "qOffsets") return "Text=0;Data=0;Bss=0";
  if (p.rfind("qSymbol", 0) == 0) return "OK";
  if (c == 'D') {
    m_done = true;
    return "OK";
  }
  if (c == 'k') {
    m_done = true;
    return "\x01";
  }
  return {}; // not supported: the empty reply
}

void Server::serve(Connection& conn) {
  while (!m_done && !conn.closed()) {
    const auto in = conn.read();
    if (in.kind == Connection::Incoming::closed) break;
    if (in.kind == Connection::Incoming::interrupt) {
      conn.send(fmt::format("T02thread:{:x};", m_thread));
      continue;
    }
    std::string reply;
    try {
      reply = handle(in.data, &conn);
    } catch (const std::exception& e) {
      reply = "E01"; // never let one bad request end the session
    }
    if (reply != "\x01") conn.send(reply);
  }
}

} // namespace retrace::gdb
