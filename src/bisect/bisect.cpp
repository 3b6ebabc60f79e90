// Bisection over a recorded run, and its report.
#include "retrace/bisect/bisect.hpp"

#include "retrace/isa/disasm.hpp"
#include "retrace/machine/dwarf.hpp"
#include "retrace/machine/symbol_file.hpp"
#include "retrace/error.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/replay.hpp"

#include <algorithm>
#include <cereal/archives/portable_binary.hpp>
#include <sstream>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace retrace {
namespace {

TraceLine line_of(const Hart& h, std::uint64_t icount) {
  TraceLine t;
  t.icount = icount;
  t.hart = h.hartid();
  t.pc = h.last_pc();
  t.raw = h.last_raw();
  t.disassembly = h.last_length() ? isa::disassemble(h.last_raw(), h.last_pc()) : "(fetch fault)";
  if (const auto tab = t.disassembly.find('\t'); tab != std::string::npos) t.disassembly[tab] = ' ';
  t.trapped = h.last_step_trapped();
  t.cause = h.last_trap_cause();
  return t;
}

std::vector<RegisterChange> register_changes(const HartState& a, const HartState& b) {
  std::vector<RegisterChange> out;
  for (unsigned r = 1; r < 32; ++r)
    if (a.x[r] != b.x[r]) out.push_back({std::string(isa::xreg_name(r)), a.x[r], b.x[r]});
  for (unsigned r = 0; r < 32; ++r)
    if (a.f[r] != b.f[r]) out.push_back({std::string(isa::freg_name(r)), a.f[r], b.f[r]});
  const std::pair<const char*, std::uint64_t HartState::*> csrs[] = {
      {"mstatus", &HartState::mstatus}, {"mepc", &HartState::mepc}, {"mcause", &HartState::mcause},
      {"mtval", &HartState::mtval},     {"sepc", &HartState::sepc}, {"scause", &HartState::scause},
      {"stval", &HartState::stval},     {"satp", &HartState::satp}, {"mip", &HartState::mip}};
  for (const auto& [name, field] : csrs)
    if (a.*field != b.*field) out.push_back({name, a.*field, b.*field});
  if (a.fcsr != b.fcsr) out.push_back({"fcsr", a.fcsr, b.fcsr});
  if (a.priv != b.priv) out.push_back({"priv", static_cast<std::uint64_t>(a.priv), static_cast<std::uint64_t>(b.priv)});
  return out;
}

// Byte ranges that differ between two RAM snapshots (only pages that were copied can differ;
// chunks and pages still shared are skipped without reading them).
std::vector<MemoryChange> memory_changes(const Ram::Snapshot& a, const Ram::Snapshot& b, std::uint64_t ram_base) {
  std::vector<MemoryChange> out;
  static const Ram::Page zero{};
  const std::size_t chunks = std::max(a.chunks.size(), b.chunks.size());
  for (std::size_t c = 0; c < chunks; ++c) {
    const auto* ca = c < a.chunks.size() ? a.chunks[c].get() : nullptr;
    const auto* cb = c < b.chunks.size() ? b.chunks[c].get() : nullptr;
    if (ca == cb) continue;
    for (std::size_t j = 0; j < Ram::chunk_pages; ++j) {
      const Ram::Page* before = ca && ca->pages[j] ? ca->pages[j].get() : &zero;
      const Ram::Page* after = cb && cb->pages[j] ? cb->pages[j].get() : &zero;
      if (before == after) continue;
      const std::uint64_t index = (c << Ram::chunk_shift) | j;
      for (std::size_t k = 0; k < Ram::page_size; ++k) {
        if ((*before)[k] == (*after)[k]) continue;
        std::size_t e = k;
        while (e < Ram::page_size && (*before)[e] != (*after)[e]) ++e;
        // widen to the naturally aligned 8 bytes around it, for a readable report
        const std::size_t lo = k & ~std::size_t{7}, hi = std::min<std::size_t>((e + 7) & ~std::size_t{7}, Ram::page_size);
        MemoryChange m;
        m.address = ram_base + (index << Ram::page_shift) + lo;
        m.before.assign(before->begin() + static_cast<std::ptrdiff_t>(lo), before->begin() + static_cast<std::ptrdiff_t>(hi));
        m.after.assign(after->begin() + static_cast<std::ptrdiff_t>(lo), after->begin() + static_cast<std::ptrdiff_t>(hi));
        out.push_back(std::move(m));
        k = hi - 1;
        if (out.size() >= 16) return out;
      }
    }
  }
  return out;
}

template <class State>
std::string bytes_of(const State& st) {
  std::ostringstream os;
  {
    cereal::PortableBinaryOutputArchive ar(os);
    ar(st);
  }
  return os.str();
}

std::string inputs_at(const LogReader& log, std::uint64_t icount) {
  std::string s;
  for (const auto& r : log.records())
    if (r.kind == LogRecord::input && r.icount == icount) s += r.event.data;
  return s;
}

} // namespace

namespace {

// The first of `files` whose code is at the found pc names it (see BisectOptions::symbol_files).
void name_with_symbol_files(BisectResult& r, Machine& m, const std::vector<std::string>& files) {
  const std::uint64_t pc = r.instruction.pc;
  Hart& h = m.hart(r.instruction.hart);
  for (const auto& spec : files) {
    std::string path = spec;
    std::optional<std::int64_t> offset;
    if (const auto at = spec.rfind('@'); at != std::string::npos && at > 0) {
      std::size_t used = 0;
      const std::string num = spec.substr(at + 1);
      try {
        const bool neg = !num.empty() && num[0] == '-';
        const auto v = std::stoull(neg ? num.substr(1) : num, &used, 0);
        if (used != num.size() - (neg ? 1 : 0)) throw std::invalid_argument(num);
        offset = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
        path = spec.substr(0, at);
      } catch (const std::exception&) {
        throw Error(Errc::bad_argument, fmt::format("symbol file '{}': the part after '@' must be an offset", spec));
      }
    }
    const auto file = SymbolFile::load(path);
    if (!offset) offset = file.find_offset(pc, [&](std::uint64_t a, void* dst, std::size_t n) { return h.debug_read(a, dst, n); });
    if (!offset) continue;
    // The file's code is running here: that alone says where in the file, named or not.
    const auto where = file.locate(pc, *offset);
    r.symbol = where.symbol;
    r.source = where.source;
    r.link_address = pc - static_cast<std::uint64_t>(*offset);
    r.symbol_file = path;
    r.symbol_offset = *offset;
    r.symbol_file_has_lines = file.has_lines();
    return;
  }
}

} // namespace

BisectResult bisect(const LogReader& log, const Predicate& p, BisectOptions options) {
  BisectResult r;
  r.predicate = p.text;
  Replayer replay(log);
  Machine& m = replay.machine();
  r.end_icount = replay.end_icount();
  m.watch_pc(p.watch_pc);
  auto check = [&] {
    ++r.probes;
    return p.holds(m);
  };
  if (check()) {
    r.holds_at_start = true;
    return r;
  }

  // First pass: forward, snapshotting and checking every `interval` instructions.
  const std::uint64_t interval =
      options.snapshot_interval ? options.snapshot_interval : std::max<std::uint64_t>(1000, r.end_icount / 64);
  std::vector<MachineSnapshot> snaps;
  snaps.push_back(m.snapshot());
  bool found = false;
  while (m.icount() < r.end_icount) {
    const std::uint64_t from = m.icount();
    const auto rr = m.run(std::min(r.end_icount, from + interval));
    r.instructions_run += m.icount() - from;
    if (check()) {
      found = true;
      break;
    }
    if (rr.reason != StopReason::limit) break; // the run ended here
    snaps.push_back(m.snapshot());
  }
  r.snapshots = snaps.size();
  r.traps = m.traps();
  for (const auto& rec : log.records())
    if (rec.kind == LogRecord::input && r.inputs.size() < 10'000) r.inputs.push_back(rec);
  if (!found) return r;

  // Binary search in (lo, hi]: the predicate is false at lo and true at hi.
  std::uint64_t hi = m.icount();
  MachineSnapshot lo_snap = snaps.back();
  while (hi - lo_snap.icount > 1) {
    const std::uint64_t mid = lo_snap.icount + (hi - lo_snap.icount) / 2;
    m.restore(lo_snap);
    m.run(mid);
    r.instructions_run += mid - lo_snap.icount;
    if (check()) {
      hi = mid;
    } else {
      lo_snap = m.snapshot();
      ++r.snapshots;
    }
  }
  r.found = true;
  r.icount = hi;

  // The context: the instructions before it, then the step itself, with before/after states.
  const std::uint64_t context_from = hi > options.context + 1 ? hi - options.context - 1 : 0;
  const MachineSnapshot* start = &snaps.front();
  for (const auto& s : snaps)
    if (s.icount <= context_from) start = &s;
  m.restore(*start);
  m.run(context_from);
  std::vector<TraceLine> lines;
  m.on_step([&](const Hart& h) { lines.push_back(line_of(h, m.icount())); });
  m.run(hi - 1);
  const MachineSnapshot before = m.snapshot();
  m.run(hi);
  m.on_step(nullptr);
  const MachineSnapshot after = m.snapshot();
  if (!lines.empty()) {
    r.instruction = lines.back();
    lines.pop_back();
  }
  r.before = std::move(lines);
  const unsigned hart = r.instruction.hart;
  if (hart < before.harts.size()) r.registers = register_changes(before.harts[hart], after.harts[hart]);
  r.memory = memory_changes(before.ram, after.ram, m.bus().ram_base());
  if (const ElfFile* elf = m.symbols()) {
    if (auto where = elf->symbolize(r.instruction.pc))
      r.symbol = where->second ? fmt::format("{}+{:#x}", where->first->name, where->second) : where->first->name;
    SourceLines lines_of(*elf);
    if (auto loc = lines_of.find(r.instruction.pc)) r.source = loc->describe();
  }
  name_with_symbol_files(r, m, options.symbol_files);
  for (const auto& rec : log.records())
    if (rec.kind == LogRecord::input && rec.icount <= hi) r.inputs_before.push_back(rec);
  if (r.inputs_before.size() > 5) r.inputs_before.erase(r.inputs_before.begin(), r.inputs_before.end() - 5);
  return r;
}

std::string format_report(const BisectResult& r, const std::string& log_path) {
  if (r.holds_at_start) return fmt::format("retrace bisect: '{}' already holds before the first instruction\n", r.predicate);
  if (!r.found)
    return fmt::format("retrace bisect: '{}' never holds in this run ({} instructions; {} probes)\n", r.predicate,
                       r.end_icount, r.probes);
  std::string s;
  const auto& i = r.instruction;
  s += fmt::format("retrace bisect: '{}' first holds after instruction {} (of {})\n\n", r.predicate, r.icount, r.end_icount);
  s += fmt::format("  hart {}  pc {:#x}", i.hart, i.pc);
  if (!r.symbol.empty()) s += fmt::format(" <{}>", r.symbol);
  if (!r.source.empty()) s += fmt::format("  {}", r.source);
  if (!r.symbol_file.empty()) {
    s += fmt::format("\n  in {} at link address {:#x}{}{}{}", r.symbol_file, r.link_address,
                     r.symbol_offset ? fmt::format(" (its code runs {:#x} bytes higher)", static_cast<std::uint64_t>(r.symbol_offset))
                                     : std::string(),
                     r.symbol.empty() ? "; no symbol of the file covers it" : "",
                     r.symbol_file_has_lines ? "" : "; the file has no DWARF line table, so no source line");
  }
  s += fmt::format("\n  {:08x}  {}\n", i.raw, i.disassembly);
  if (i.trapped) s += fmt::format("  it trapped: mcause {:#x}\n", i.cause);
  for (const auto& c : r.registers) s += fmt::format("    {:<8} {:#018x} -> {:#018x}\n", c.name, c.before, c.after);
  for (const auto& c : r.memory) {
    s += fmt::format("    mem {:#x}:", c.address);
    for (auto b : c.before) s += fmt::format(" {:02x}", b);
    s += " ->";
    for (auto b : c.after) s += fmt::format(" {:02x}", b);
    s += "\n";
  }
  if (!r.before.empty()) {
    s += "\n  the instructions before it:\n";
    for (const auto& t : r.before)
      s += fmt::format("    {:>12}  hart {}  {:#x}  {}{}\n", t.icount, t.hart, t.pc, t.disassembly,
                       t.trapped ? fmt::format("   (trap {:#x})", t.cause) : "");
  }
  if (!r.inputs_before.empty()) {
    s += "\n  the last inputs before it:\n";
    for (const auto& in : r.inputs_before) {
      std::string shown;
      for (unsigned char c : in.event.data) shown += c >= 32 && c < 127 ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
      s += fmt::format("    {:>12}  uart0 \"{}\"\n", in.icount, shown);
    }
  }
  s += fmt::format("\n  search: {} probes, {} instructions replayed, {} snapshots\n", r.probes, r.instructions_run, r.snapshots);
  s += fmt::format("  replay to just before it:  retrace replay {} --to {}\n", log_path, r.icount - 1);
  s += fmt::format("  replay through it:         retrace replay {} --to {}\n", log_path, r.icount);
  s += fmt::format("  debug it, forwards and backwards:\n"
                   "    retrace gdb {} --at {} --port 1234\n"
                   "    gdb-multiarch -ex 'target remote 127.0.0.1:1234'   (with the guest's ELF: file ...)\n",
                   log_path, r.icount - 1);
  if (!r.symbol_file.empty())
    s += fmt::format("    in gdb, the symbols where the code runs:  add-symbol-file {} -o {:#x}\n", r.symbol_file,
                     static_cast<std::uint64_t>(r.symbol_offset));
  return s;
}

namespace {
std::string html_escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    switch (c) {
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '&': out += "&amp;"; break;
    case '"': out += "&quot;"; break;
    default:
      if (static_cast<unsigned char>(c) < 32 && c != '\n') out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
      else out += c;
    }
  }
  return out;
}
} // namespace

std::string report_html(const BisectResult& r, const std::string& log_path) {
  const double end = static_cast<double>(std::max<std::uint64_t>(r.end_icount, 1));
  const double width = 1000, left = 110;
  auto x = [&](std::uint64_t icount) { return left + width * static_cast<double>(icount) / end; };
  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="170" font-family="monospace" font-size="11">)", left + width + 20);
  // lanes: inputs, interrupts, exceptions, the finding
  const char* lanes[] = {"inputs", "interrupts", "exceptions", "found"};
  for (int i = 0; i < 4; ++i) {
    const int y = 30 + 35 * i;
    svg += fmt::format(R"(<text x="4" y="{}">{}</text><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ccc"/>)", y + 4, lanes[i],
                       left, y, left + width, y);
  }
  for (const auto& in : r.inputs)
    svg += fmt::format(R"(<line x1="{0:.1f}" y1="22" x2="{0:.1f}" y2="38" stroke="#2a7"><title>icount {1}: uart0 "{2}"</title></line>)",
                       x(in.icount), in.icount, html_escape(in.event.data));
  for (const auto& t : r.traps) {
    const bool irq = t.cause >> 63;
    const int y = irq ? 65 : 100;
    svg += fmt::format(R"(<circle cx="{:.1f}" cy="{}" r="3" fill="{}"><title>icount {}: hart {} mcause {:#x} at pc {:#x}</title></circle>)",
                       x(t.icount), y, irq ? "#37c" : "#c73", t.icount, t.hart, t.cause, t.pc);
  }
  if (r.found)
    svg += fmt::format(R"(<line x1="{0:.1f}" y1="10" x2="{0:.1f}" y2="150" stroke="#d00" stroke-width="2"><title>icount {1}: {2}</title></line>)",
                       x(r.icount), r.icount, html_escape(r.instruction.disassembly));
  svg += fmt::format(R"(<text x="{}" y="165">0</text><text x="{}" y="165" text-anchor="end">{}</text></svg>)", left,
                     left + width, r.end_icount);
  std::string html = R"(<!doctype html><html><head><meta charset="utf-8"><title>retrace report</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1200px}pre{background:#f6f6f6;padding:1em;overflow-x:auto}
h1{font-size:1.3em}.k{color:#555}</style></head><body>)";
  html += fmt::format("<h1>retrace: {}</h1>", html_escape(r.predicate));
  html += fmt::format("<p class=k>log <code>{}</code> &middot; {} instructions recorded</p>", html_escape(log_path), r.end_icount);
  html += "<h2>Timeline</h2>" + svg;
  html += "<p class=k>green: inputs; blue: interrupts; orange: exceptions; red: the instruction found. Hover for details.</p>";
  html += "<h2>Finding</h2><pre>" + html_escape(format_report(r, log_path)) + "</pre>";
  html += "</body></html>\n";
  return html;
}

nlohmann::json report_json(const BisectResult& r, const std::string& log_path) {
  auto line = [](const TraceLine& t) {
    return nlohmann::json{{"icount", t.icount}, {"hart", t.hart}, {"pc", t.pc}, {"raw", t.raw},
                          {"disassembly", t.disassembly}, {"trapped", t.trapped}, {"cause", t.cause}};
  };
  nlohmann::json j = {{"log", log_path},       {"predicate", r.predicate}, {"found", r.found},
                      {"holds_at_start", r.holds_at_start}, {"end_icount", r.end_icount}, {"probes", r.probes},
                      {"instructions_run", r.instructions_run}, {"snapshots", r.snapshots}};
  if (!r.found) return j;
  j["icount"] = r.icount;
  j["instruction"] = line(r.instruction);
  j["symbol"] = r.symbol;
  if (!r.symbol_file.empty())
    j["symbol_file"] = {{"path", r.symbol_file}, {"offset", r.symbol_offset}, {"link_address", r.link_address},
                        {"has_lines", r.symbol_file_has_lines}};
  j["source"] = r.source;
  for (const auto& c : r.registers) j["registers"].push_back({{"name", c.name}, {"before", c.before}, {"after", c.after}});
  for (const auto& c : r.memory) j["memory"].push_back({{"address", c.address}, {"before", c.before}, {"after", c.after}});
  j["before"] = nlohmann::json::array();
  for (const auto& t : r.before) j["before"].push_back(line(t));
  for (const auto& in : r.inputs_before) j["inputs_before"].push_back({{"icount", in.icount}, {"uart0", in.event.data}});
  j["replay_command"] = fmt::format("retrace replay {} --to {}", log_path, r.icount - 1);
  j["gdb_command"] = fmt::format("retrace gdb {} --at {} --port 1234", log_path, r.icount - 1);
  return j;
}

DiffResult diff_runs(const LogReader& la, const LogReader& lb, BisectOptions options) {
  DiffResult d;
  Replayer ra(la), rb(lb);
  Machine &a = ra.machine(), &b = rb.machine();
  d.end_a = ra.end_icount();
  d.end_b = rb.end_icount();
  bool same_images = la.header().images.size() == lb.header().images.size();
  for (std::size_t i = 0; same_images && i < la.header().images.size(); ++i)
    same_images = la.header().images[i].xxh3 == lb.header().images[i].xxh3;
  d.registers_only = !same_images;
  auto same = [&] {
    ++d.probes;
    if (a.icount() != b.icount()) return false;
    if (!d.registers_only) return state_digest(a) == state_digest(b);
    for (std::size_t h = 0; h < std::min(a.hart_count(), b.hart_count()); ++h)
      if (!(a.hart(h).state() == b.hart(h).state())) return false;
    return a.hart_count() == b.hart_count();
  };
  if (!same()) { // different from the start
    d.differ = true;
    return d;
  }
  const std::uint64_t end = std::min(d.end_a, d.end_b);
  const std::uint64_t interval = options.snapshot_interval ? options.snapshot_interval : std::max<std::uint64_t>(1000, end / 64);
  std::vector<std::pair<MachineSnapshot, MachineSnapshot>> snaps;
  snaps.emplace_back(a.snapshot(), b.snapshot());
  bool found = false;
  while (a.icount() < end) {
    const std::uint64_t from = a.icount(), to = std::min(end, from + interval);
    a.run(to);
    b.run(to);
    d.instructions_run += 2 * (a.icount() - from);
    if (!same()) {
      found = true;
      break;
    }
    if (a.icount() < to) break;
    snaps.emplace_back(a.snapshot(), b.snapshot());
  }
  if (!found) {
    d.differ = d.end_a != d.end_b; // the same all the way, but one run is longer
    d.icount = end;
    return d;
  }
  std::uint64_t hi = a.icount();
  auto lo = snaps.back();
  while (hi - lo.first.icount > 1) {
    const std::uint64_t mid = lo.first.icount + (hi - lo.first.icount) / 2;
    a.restore(lo.first);
    b.restore(lo.second);
    a.run(mid);
    b.run(mid);
    d.instructions_run += 2 * (mid - lo.first.icount);
    if (same()) lo = {a.snapshot(), b.snapshot()};
    else hi = mid;
  }
  d.differ = true;
  d.icount = hi;
  // Run A's context, then the step in both, and compare.
  const std::uint64_t context_from = hi > options.context + 1 ? hi - options.context - 1 : 0;
  const auto* start = &snaps.front();
  for (const auto& sp : snaps)
    if (sp.first.icount <= context_from) start = &sp;
  a.restore(start->first);
  a.run(context_from);
  std::vector<TraceLine> lines;
  a.on_step([&](const Hart& h) { lines.push_back(line_of(h, a.icount())); });
  a.run(hi);
  a.on_step(nullptr);
  if (!lines.empty()) {
    d.a = lines.back();
    lines.pop_back();
  }
  d.before = std::move(lines);
  b.restore(lo.second);
  b.on_step([&](const Hart& h) { d.b = line_of(h, b.icount()); });
  b.run(hi);
  b.on_step(nullptr);
  for (std::size_t h = 0; h < std::min(a.hart_count(), b.hart_count()); ++h) {
    auto changes = register_changes(a.hart(h).state(), b.hart(h).state());
    for (auto& c : changes) {
      if (a.hart_count() > 1) c.name = fmt::format("hart{}.{}", h, c.name);
      d.registers.push_back(std::move(c));
    }
  }
  if (a.hart(0).state().pc != b.hart(0).state().pc)
    d.registers.push_back({"pc", a.hart(0).state().pc, b.hart(0).state().pc});
  if (!d.registers_only) d.memory = memory_changes(a.snapshot().ram, b.snapshot().ram, a.bus().ram_base());
  if (bytes_of(a.uart().state()) != bytes_of(b.uart().state())) d.devices.push_back("uart");
  if (bytes_of(a.clint().state()) != bytes_of(b.clint().state())) d.devices.push_back("clint");
  if (bytes_of(a.plic().state()) != bytes_of(b.plic().state())) d.devices.push_back("plic");
  // An input delivered at this boundary may be the whole difference.
  for (std::uint64_t at : {hi - 1, hi}) {
    const auto ia = inputs_at(la, at), ib = inputs_at(lb, at);
    if (ia != ib) d.inputs.emplace_back(ia, ib);
  }
  return d;
}

std::string format_diff_report(const DiffResult& d, const std::string& path_a, const std::string& path_b) {
  if (!d.differ)
    return fmt::format("retrace bisect --diff: the runs are the same for all {} instructions\n", d.end_a);
  if (d.icount == 0 && d.a.icount == 0) return "retrace bisect --diff: the runs differ before the first instruction\n";
  if (d.a.disassembly.empty())
    return fmt::format("retrace bisect --diff: the runs are the same until {} instructions, where one ends ({} vs {})\n",
                       d.icount, d.end_a, d.end_b);
  std::string s = fmt::format("retrace bisect --diff: the runs first differ after instruction {}{}\n\n", d.icount,
                              d.registers_only ? " (images differ: comparing hart state only)" : "");
  s += fmt::format("  A {}: hart {} pc {:#x}  {}\n", path_a, d.a.hart, d.a.pc, d.a.disassembly);
  s += fmt::format("  B {}: hart {} pc {:#x}  {}\n", path_b, d.b.hart, d.b.pc, d.b.disassembly);
  auto shown = [](const std::string& text) {
    std::string out;
    for (unsigned char c : text) out += c >= 32 && c < 127 ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
    return out;
  };
  for (const auto& [ia, ib] : d.inputs)
    s += fmt::format("  the runs received different input here: A \"{}\", B \"{}\"\n", shown(ia), shown(ib));
  for (const auto& dev : d.devices) s += fmt::format("  {} state differs\n", dev);
  for (const auto& c : d.registers) s += fmt::format("    {:<10} A {:#018x}  B {:#018x}\n", c.name, c.before, c.after);
  for (const auto& c : d.memory) {
    s += fmt::format("    mem {:#x}  A", c.address);
    for (auto x : c.before) s += fmt::format(" {:02x}", x);
    s += "  B";
    for (auto x : c.after) s += fmt::format(" {:02x}", x);
    s += "\n";
  }
  if (!d.before.empty()) {
    s += "\n  run A just before it:\n";
    for (const auto& t : d.before) s += fmt::format("    {:>12}  hart {}  {:#x}  {}\n", t.icount, t.hart, t.pc, t.disassembly);
  }
  s += fmt::format("\n  search: {} comparisons, {} instructions replayed\n", d.probes, d.instructions_run);
  s += fmt::format("  replay either to just before it:  retrace replay LOG --to {}\n", d.icount - 1);
  return s;
}

nlohmann::json diff_json(const DiffResult& d, const std::string& path_a, const std::string& path_b) {
  auto line = [](const TraceLine& t) {
    return nlohmann::json{{"icount", t.icount}, {"hart", t.hart}, {"pc", t.pc}, {"raw", t.raw}, {"disassembly", t.disassembly}};
  };
  nlohmann::json j = {{"a", path_a}, {"b", path_b}, {"differ", d.differ}, {"icount", d.icount},
                      {"registers_only", d.registers_only}, {"end_a", d.end_a}, {"end_b", d.end_b},
                      {"probes", d.probes}, {"instructions_run", d.instructions_run}};
  if (!d.differ) return j;
  j["instruction_a"] = line(d.a);
  j["instruction_b"] = line(d.b);
  for (const auto& c : d.registers) j["registers"].push_back({{"name", c.name}, {"a", c.before}, {"b", c.after}});
  for (const auto& c : d.memory) j["memory"].push_back({{"address", c.address}, {"a", c.before}, {"b", c.after}});
  j["devices"] = d.devices;
  for (const auto& [ia, ib] : d.inputs) j["inputs"].push_back({{"a", ia}, {"b", ib}});
  return j;
}

} // namespace retrace
