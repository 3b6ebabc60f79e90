// `retrace`: one CLI for everything a machine or a log can do. Errors from bad input are
// retrace::Error and end in a one-line message and exit status 2.
#include "retrace/bisect/bisect.hpp"
#include "retrace/error.hpp"
#include "retrace/gdb/server.hpp"
#include "retrace/isa/disasm.hpp"
#include "retrace/machine/elf.hpp"
#include "retrace/machine/machine.hpp"
#include "retrace/replay/log.hpp"
#include "retrace/replay/pack.hpp"
#include "retrace/detail/parallel.hpp"
#include "retrace/replay/lockstep.hpp"
#include "retrace/replay/replay.hpp"
#include "retrace/version.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

namespace {

int cmd_elf(const std::string& path) {
  const auto elf = retrace::ElfFile::load(path);
  fmt::print("{}: RISC-V ELF{} entry {:#x} flags {:#x}\n", elf.path(), elf.is_64bit() ? 64 : 32,
             elf.entry(), elf.flags());
  for (const auto& s : elf.segments())
    fmt::print("  LOAD paddr {:#010x} vaddr {:#010x} filesz {:#x} memsz {:#x} {}{}{}\n", s.paddr,
               s.vaddr, s.data.size(), s.memsz, (s.flags & 4) ? 'r' : '-', (s.flags & 2) ? 'w' : '-',
               (s.flags & 1) ? 'x' : '-');
  fmt::print("  {} symbols\n", elf.symbols().size());
  return 0;
}

struct RunOptions {
  retrace::MachineSpec spec;
  std::uint64_t max_insns = 0; // 0: no limit
  bool trace = false;
  std::vector<std::string> inputs; // "ICOUNT:TEXT"
  std::vector<std::string> loads;  // "FILE@ADDR"
  std::string record;              // log path
  std::vector<std::string> when;   // "OUTPUT=REPLY", expect-style, in order
  std::vector<std::string> drives; // "IMAGE[,latency=NS,...]"
  std::string rng;                 // "", "seed" or "host"
  std::string rtc;                 // "", SECONDS, ISO date, or "host"
  std::string chaos;               // "", or "MIN..MAX" quantum bounds
  bool stats = false;              // print the instruction count and speed at the end
  std::string engine = "jit";      // or "blocks" or "reference"
  bool perf_map = false;            // --perf-map: /tmp/perf-PID.map for perf report
  std::string ram;                 // "", or a size as QEMU's -m takes it
  std::string dump_dtb;            // write the device tree here and exit (QEMU's dumpdtb=)
};

// --engine: which interpreter runs the harts (they agree; see `retrace lockstep`).
retrace::Machine::Engine parse_engine(const std::string& e) {
  if (e == "blocks") return retrace::Machine::Engine::blocks;
  if (e == "reference") return retrace::Machine::Engine::reference;
  if (e == "jit") return retrace::Machine::Engine::jit;
  throw retrace::Error(retrace::Errc::bad_argument, "--engine takes 'jit', 'blocks' or 'reference', not '" + e + "'");
}

// Exit statuses of `retrace run` that are not the guest's own.
constexpr int exit_limit = 124; // --max-insns reached (as timeout(1))
constexpr int exit_idle = 125;  // every hart waits for an interrupt that cannot come
constexpr int exit_trap_loop = 126; // the same trap at the same pc, over and over

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char c = s[++i];
      out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c == '0' ? '\0' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

int cmd_run(RunOptions& o) {
  if (!o.ram.empty()) o.spec.ram_size = retrace::parse_size(o.ram);
  for (const auto& l : o.loads) {
    const auto at = l.rfind('@');
    std::uint64_t addr = 0;
    try {
      if (at == std::string::npos || at == 0) throw std::invalid_argument(l);
      std::size_t used = 0;
      addr = std::stoull(l.substr(at + 1), &used, 0);
      if (used != l.size() - at - 1) throw std::invalid_argument(l);
    } catch (const std::exception&) {
      throw retrace::Error(retrace::Errc::bad_argument, "--load takes FILE@ADDRESS, not '" + l + "'");
    }
    o.spec.loads.push_back({l.substr(0, at), addr});
  }
  for (const auto& d : o.drives) o.spec.drives.push_back(retrace::parse_drive(d));
  if (!o.rng.empty()) {
    if (o.rng != "seed" && o.rng != "host")
      throw retrace::Error(retrace::Errc::bad_argument, "--rng takes 'seed' or 'host', not '" + o.rng + "'");
    o.spec.rng = true;
    o.spec.rng_from_host = o.rng == "host";
  }
  if (!o.chaos.empty()) {
    const auto dots = o.chaos.find("..");
    try {
      if (dots == std::string::npos) throw std::invalid_argument(o.chaos);
      std::size_t a = 0, b = 0;
      o.spec.chaos_min_quantum = std::stoull(o.chaos.substr(0, dots), &a);
      o.spec.chaos_max_quantum = std::stoull(o.chaos.substr(dots + 2), &b);
      if (a != dots || b != o.chaos.size() - dots - 2) throw std::invalid_argument(o.chaos);
    } catch (const std::exception&) {
      throw retrace::Error(retrace::Errc::bad_argument, "--chaos takes MIN..MAX instructions per quantum, not '" + o.chaos + "'");
    }
  }
  if (o.rtc == "host") o.spec.rtc_from_host = true;
  else if (!o.rtc.empty()) o.spec.rtc_epoch_ns = retrace::parse_rtc_epoch(o.rtc);
  o.spec = retrace::resolve_host_inputs(std::move(o.spec)); // the only host reads; the log records the values
  retrace::Machine m(o.spec);
  if (!o.dump_dtb.empty()) { // as QEMU's -machine dumpdtb=FILE: the tree the guest would boot with
    const auto& dtb = m.boot_dtb();
    std::ofstream f(o.dump_dtb, std::ios::binary);
    if (!f || !f.write(reinterpret_cast<const char*>(dtb.data()), static_cast<std::streamsize>(dtb.size())) || !f.flush())
      throw retrace::Error(retrace::Errc::io, "cannot write the device tree", {o.dump_dtb, {}, {}});
    fmt::print(stderr, "retrace: wrote the device tree ({} bytes) to {}\n", dtb.size(), o.dump_dtb);
    return 0;
  }
  m.set_engine(parse_engine(o.engine));
  // perf's convention for code it cannot find in a file: /tmp/perf-PID.map, START SIZE NAME.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> perf_map(nullptr, &std::fclose);
  if (o.perf_map) {
    const std::string path = fmt::format("/tmp/perf-{}.map", ::getpid());
    perf_map.reset(std::fopen(path.c_str(), "w"));
    if (!perf_map) throw retrace::Error(retrace::Errc::io, "cannot write the perf map", {path, {}, {}});
    m.set_perf_map(perf_map.get());
  }
  std::FILE* out = stdout;
  std::setvbuf(out, nullptr, _IONBF, 0); // a console: prompts without a newline must show at once
  // Expect-style console script: when the output ends with the next pattern, send its reply.
  std::vector<std::pair<std::string, std::string>> script;
  for (const auto& w : o.when) {
    const auto eq = w.rfind('='); // the last '=': prompts such as U-Boot's "=> " contain one
    if (eq == std::string::npos || eq == 0)
      throw retrace::Error(retrace::Errc::bad_argument, "--when takes OUTPUT=REPLY, not '" + w + "'");
    script.emplace_back(unescape(w.substr(0, eq)), unescape(w.substr(eq + 1)));
  }
  std::size_t step = 0;
  m.uart().on_output([out, &m, &script, &step](char c) {
    std::fputc(c, out);
    if (c == '\n') std::fflush(out);
    if (step < script.size()) {
      const auto& text = m.uart().output();
      const auto& pattern = script[step].first;
      if (text.size() >= pattern.size() && text.compare(text.size() - pattern.size(), pattern.size(), pattern) == 0)
        m.schedule(m.icount() + 1, {retrace::InputEvent::uart_rx, script[step++].second});
    }
  });
  for (const auto& in : o.inputs) {
    const auto colon = in.find(':');
    std::uint64_t at = 0;
    try {
      if (colon == std::string::npos) throw std::invalid_argument(in);
      at = std::stoull(in.substr(0, colon), nullptr, 0);
    } catch (const std::exception&) {
      throw retrace::Error(retrace::Errc::bad_argument, "--input takes ICOUNT:TEXT, not '" + in + "'");
    }
    m.schedule(at, {retrace::InputEvent::uart_rx, unescape(in.substr(colon + 1))});
  }
  if (o.trace) {
    m.on_step([&m](const retrace::Hart& h) {
      std::string line = fmt::format("{:>10} {} {:016x}: ", m.icount(), h.hartid(), h.last_pc());
      if (h.last_length() == 0) {
        line += "(fetch fault)";
      } else {
        auto text = retrace::isa::disassemble(h.last_raw(), h.last_pc());
        if (const auto tab = text.find('\t'); tab != std::string::npos) text[tab] = ' ';
        line += h.last_length() == 2 ? fmt::format("{:04x}     {:<32}", h.last_raw(), text)
                                     : fmt::format("{:08x} {:<32}", h.last_raw(), text);
      }
      const auto& w = h.last_write();
      if (w.kind == retrace::Hart::LastWrite::x)
        line += fmt::format(" {}={:#x}", retrace::isa::xreg_name(w.reg), w.value);
      else if (w.kind == retrace::Hart::LastWrite::f)
        line += fmt::format(" {}={:#x}", retrace::isa::freg_name(w.reg), w.value);
      if (h.last_step_trapped()) line += fmt::format(" trap mcause={:#x}", h.last_trap_cause());
      fmt::print(stderr, "{}\n", line);
    });
  }
  const std::uint64_t stop = o.max_insns ? o.max_insns : ~std::uint64_t{0};
  std::unique_ptr<retrace::Recorder> recorder;
  if (!o.record.empty()) recorder = std::make_unique<retrace::Recorder>(m, o.record, retrace::RecordOptions{"retrace run", o.spec.seed});
  // --stats measures the run from outside; nothing inside the run sees the host clock
  const auto started = std::chrono::steady_clock::now(); // host-time-ok
  const auto r = recorder ? recorder->run(stop) : m.run(stop);
  if (o.stats) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); // host-time-ok
    fmt::print(stderr, "retrace: {} instructions in {:.3f} s ({:.1f} M instructions/s)\n", r.icount, s,
               s > 0 ? static_cast<double>(r.icount) / s / 1e6 : 0.0);
  }
  if (recorder) {
    recorder->finish(r);
    fmt::print(stderr, "retrace: recorded {} instructions to {}\n", r.icount, o.record);
  }
  std::fflush(out);
  switch (r.reason) {
  case retrace::StopReason::exited: {
    // A process status has 8 bits; keep a failure a failure.
    const int status = static_cast<int>(r.status & 0xff);
    return r.status != 0 && status == 0 ? 1 : status;
  }
  case retrace::StopReason::limit:
    fmt::print(stderr, "retrace: stopped at icount {} (--max-insns), pc {:#x}\n", r.icount, m.hart(0).state().pc);
    return exit_limit;
  case retrace::StopReason::idle:
    fmt::print(stderr, "retrace: at icount {} every hart waits for an interrupt that nothing can raise\n", r.icount);
    return exit_idle;
  case retrace::StopReason::trap_loop: {
    const auto& t = m.traps().back();
    fmt::print(stderr, "retrace: at icount {} hart {} keeps taking the same trap (mcause {:#x}) at pc {:#x}\n", r.icount,
               t.hart, t.cause, t.pc);
    return exit_trap_loop;
  }
  case retrace::StopReason::requested: return 0;
  }
  return 0;
}

const char* reason_text(retrace::StopReason r) { return retrace::to_string(r); }

// A log path, or a pack unpacked into a fresh directory under the system's temp dir that is
// removed again when this goes out of scope.
struct ResolvedLog {
  std::string path, tmpdir;
  explicit ResolvedLog(const std::string& given) : path(given) {
    if (!retrace::is_pack(given)) return;
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/retrace-unpack-XXXXXX";
    if (!mkdtemp(dir.data())) throw retrace::Error(retrace::Errc::io, "cannot create a directory to unpack into", {dir, {}, {}});
    tmpdir = dir;
    try {
      path = retrace::unpack(given, dir);
    } catch (...) { // the destructor will not run: clean up here
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      throw;
    }
  }
  ~ResolvedLog() {
    std::error_code ec;
    if (!tmpdir.empty()) std::filesystem::remove_all(tmpdir, ec);
  }
  ResolvedLog(const ResolvedLog&) = delete;
  ResolvedLog& operator=(const ResolvedLog&) = delete;
};

int cmd_replay(const std::string& given, std::uint64_t to, bool quiet, const std::string& engine) {
  const ResolvedLog resolved(given);
  const std::string& path = resolved.path;
  const auto log = retrace::LogReader::read(path);
  if (log.error()) fmt::print(stderr, "retrace: warning: {}; replaying the valid prefix\n", log.error()->what());
  retrace::Replayer replay(log);
  replay.machine().set_engine(parse_engine(engine));
  if (!quiet)
    replay.machine().uart().on_output([](char c) {
      std::fputc(c, stdout);
      if (c == '\n') std::fflush(stdout);
    });
  const auto r = replay.run(to ? to : ~std::uint64_t{0});
  std::fflush(stdout);
  if (r.diverged) {
    fmt::print(stderr, "retrace: replay diverged between icount {} (last matching digest) and {} (first differing)\n",
               r.diverged_after, r.diverged_by);
    return 1;
  }
  const auto* end = log.end();
  if (to && to < replay.end_icount()) {
    fmt::print(stderr, "retrace: replayed to icount {}: {} digests matched\n", r.result.icount, r.digests_checked);
    return 0;
  }
  if (!end) {
    fmt::print(stderr, "retrace: replayed the valid prefix to icount {}: {} digests matched\n", r.result.icount,
               r.digests_checked);
    return 1;
  }
  if (!r.matches_recording()) {
    fmt::print(stderr, "retrace: replay ended at icount {} ({}), the recording at {} ({})\n", r.result.icount,
               reason_text(r.result.reason), end->icount, reason_text(end->reason));
    return 1;
  }
  fmt::print(stderr, "retrace: replay matches the recording: {} instructions, {} inputs, {} digests; {}{}\n",
             end->icount, r.inputs, r.digests_checked, reason_text(end->reason),
             end->reason == retrace::StopReason::exited ? fmt::format(" with status {}", end->status) : "");
  return 0;
}

int cmd_lockstep(const std::string& given, std::uint64_t to, std::uint64_t chunk, std::uint64_t digest_every,
                 const std::string& engine) {
  const ResolvedLog resolved(given);
  const auto log = retrace::LogReader::read(resolved.path);
  if (log.error()) fmt::print(stderr, "retrace: warning: {}; comparing the valid prefix\n", log.error()->what());
  retrace::LockstepOptions options;
  if (to) options.stop = to;
  if (chunk) options.max_chunk = chunk;
  if (digest_every) options.digest_every = digest_every;
  options.engine = parse_engine(engine);
  const char* name = options.engine == retrace::Machine::Engine::jit ? "the translator (jit)" : "the block engine";
  if (options.engine == retrace::Machine::Engine::reference)
    throw retrace::Error(retrace::Errc::bad_argument, "lockstep compares --engine jit or blocks with the reference interpreter");
  const auto r = retrace::lockstep(log, options);
  if (r.difference) {
    fmt::print(stderr, "retrace: {} differs from the reference interpreter {}\n", name, r.difference->describe());
    return 1;
  }
  fmt::print(stderr,
             "retrace: lockstep: {} and the reference interpreter agree on all {} instructions ({} state "
             "comparisons, {} machine digests); the run {}\n",
             name, r.icount, r.chunks, r.digests, reason_text(r.end.reason));
  return 0;
}

int cmd_dump(const std::string& given, bool json) {
  const ResolvedLog resolved(given);
  const auto log = retrace::LogReader::read(resolved.path);
  const auto& h = log.header();
  if (json) {
    nlohmann::json j;
    j["format_version"] = h.format_version;
    j["retrace_version"] = h.retrace_version;
    j["label"] = h.label;
    j["seed"] = h.seed;
    j["digest_interval"] = h.digest_interval;
    j["spec"] = {{"harts", h.spec.harts}, {"ram_base", h.spec.ram_base}, {"ram_size", h.spec.ram_size},
                 {"bios", h.spec.bios}, {"kernel", h.spec.kernel}, {"ns_per_insn", h.spec.ns_per_insn},
                 {"quantum", h.spec.quantum}, {"initrd", h.spec.initrd}, {"append", h.spec.append},
                 {"dtb", h.spec.dtb}, {"cpu", h.spec.cpu}};
    for (const auto& l : h.spec.loads) j["spec"]["loads"].push_back({{"path", l.path}, {"address", l.address}});
    for (const auto& d : h.spec.drives) {
      nlohmann::json dj = {{"path", d.path}, {"latency_ns", d.latency_ns}, {"jitter_ns", d.jitter_ns},
                           {"error_ppm", d.error_ppm}, {"faults", nlohmann::json::array()}};
      for (const auto& f : d.faults) dj["faults"].push_back({{"at_icount", f.at_icount}, {"count", f.count}});
      j["spec"]["drives"].push_back(dj);
    }
    j["spec"]["rng"] = h.spec.rng;
    if (h.spec.rng_from_host) j["spec"]["rng_key_from_host"] = fmt::format("{:016x}", h.spec.rng_key);
    j["spec"]["rtc_epoch_ns"] = h.spec.rtc_epoch_ns;
    j["spec"]["rtc_from_host"] = h.spec.rtc_from_host;
    j["spec"]["seed"] = h.spec.seed;
    j["spec"]["chaos"] = {{"min_quantum", h.spec.chaos_min_quantum}, {"max_quantum", h.spec.chaos_max_quantum},
                          {"order", h.spec.chaos_order}};
    for (const auto& i : h.images)
      j["images"].push_back({{"role", i.role}, {"path", i.path}, {"size", i.size}, {"xxh3", fmt::format("{:016x}", i.xxh3)}});
    j["records"] = nlohmann::json::array();
    for (const auto& r : log.records()) {
      nlohmann::json e = {{"icount", r.icount}};
      if (r.kind == retrace::LogRecord::input) {
        e["kind"] = "uart_rx";
        e["data"] = r.event.data;
      } else if (r.kind == retrace::LogRecord::schedule) {
        e["kind"] = "schedule";
        e["hart"] = r.decision.hart;
        e["quantum"] = r.decision.quantum;
      } else if (r.kind == retrace::LogRecord::digest) {
        e["kind"] = "digest";
        e["digest"] = fmt::format("{:016x}", r.digest_value);
      } else {
        e["kind"] = "end";
        e["reason"] = reason_text(r.reason);
        e["status"] = r.status;
      }
      j["records"].push_back(e);
    }
    if (log.error()) j["error"] = log.error()->what();
    fmt::print("{}\n", j.dump(2));
    return log.error() ? 1 : 0;
  }
  fmt::print("log format {} written by retrace {} ({})\n", h.format_version, h.retrace_version, h.label);
  fmt::print("machine: {} hart(s), {} MiB RAM, bios {}, kernel {}, {} ns per instruction; seed {}; digest every {} "
             "instructions\n",
             h.spec.harts, h.spec.ram_size >> 20, h.spec.bios, h.spec.kernel.empty() ? "-" : h.spec.kernel,
             h.spec.ns_per_insn, h.seed, h.digest_interval);
  if (!h.spec.initrd.empty()) fmt::print("initrd: {}\n", h.spec.initrd);
  if (!h.spec.append.empty()) fmt::print("command line: {}\n", h.spec.append);
  if (!h.spec.dtb.empty()) fmt::print("device tree: {}\n", h.spec.dtb);
  if (!h.spec.cpu.empty()) fmt::print("cpu: {}\n", h.spec.cpu);
  for (std::size_t k = 0; k < h.spec.drives.size(); ++k) {
    const auto& d = h.spec.drives[k];
    std::string faults;
    for (const auto& f : d.faults) faults += fmt::format(", fail {} at icount {}", f.count, f.at_icount);
    fmt::print("drive {}: {}, latency {} ns, jitter {} ns, error rate {} ppm{}\n", k, d.path, d.latency_ns, d.jitter_ns,
               d.error_ppm, faults);
  }
  if (h.spec.rng)
    fmt::print("virtio-rng: {}\n", h.spec.rng_from_host ? fmt::format("host entropy, recorded key {:016x}", h.spec.rng_key)
                                                         : fmt::format("from device seed {}", h.spec.seed));
  if (h.spec.harts > 1)
    fmt::print("schedule: quantum {}{}{}\n", h.spec.quantum,
               h.spec.chaos_max_quantum ? fmt::format(", chaos {}..{}", h.spec.chaos_min_quantum, h.spec.chaos_max_quantum) : "",
               h.spec.chaos_order ? ", drawn order" : "");
  fmt::print("rtc: starts at {} ns since 1970{}\n", h.spec.rtc_epoch_ns, h.spec.rtc_from_host ? " (the host's clock, recorded)" : "");
  for (const auto& i : h.images) fmt::print("image {}: {} ({} bytes, xxh3 {:016x})\n", i.role, i.path, i.size, i.xxh3);
  for (const auto& r : log.records()) {
    if (r.kind == retrace::LogRecord::input) {
      std::string shown;
      for (unsigned char c : r.event.data) shown += (c >= 32 && c < 127 && c != '\\') ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
      fmt::print("{:>14} input uart0 \"{}\"\n", r.icount, shown);
    } else if (r.kind == retrace::LogRecord::schedule) {
      fmt::print("{:>14} schedule hart {} for up to {} instructions\n", r.icount, r.decision.hart, r.decision.quantum);
    } else if (r.kind == retrace::LogRecord::digest) {
      fmt::print("{:>14} digest {:016x}\n", r.icount, r.digest_value);
    } else {
      fmt::print("{:>14} end {}{}\n", r.icount, reason_text(r.reason),
                 r.reason == retrace::StopReason::exited ? fmt::format(" status {}", r.status) : "");
    }
  }
  if (log.error()) {
    fmt::print(stderr, "retrace: {}\n", log.error()->what());
    return 1;
  }
  return 0;
}

// Replays many logs in parallel: one line per log, exit 0 only if every replay matches.
int cmd_replay_all(const std::vector<std::string>& paths, unsigned jobs) {
  struct Outcome {
    bool ok = false;
    std::string line;
  };
  std::vector<Outcome> out(paths.size());
  auto one = [&](std::size_t i) {
    try {
      const ResolvedLog resolved(paths[i]);
      const auto log = retrace::LogReader::read(resolved.path);
      retrace::Replayer replay(log);
      const auto r = replay.run();
      if (r.diverged)
        out[i] = {false, fmt::format("DIVERGED between icount {} and {}", r.diverged_after, r.diverged_by)};
      else if (log.error())
        out[i] = {false, fmt::format("DAMAGED ({}); the valid prefix replayed to icount {}", log.error()->message(),
                                     r.result.icount)};
      else if (!r.matches_recording())
        out[i] = {false, fmt::format("DIFFERENT END at icount {} ({})", r.result.icount, reason_text(r.result.reason))};
      else
        out[i] = {true, fmt::format("ok: {} instructions, {} digests, {}", r.result.icount, r.digests_checked,
                                    reason_text(log.end()->reason))};
    } catch (const std::exception& e) {
      out[i] = {false, std::string("ERROR: ") + e.what()};
    }
  };
  retrace::detail::parallel_for(jobs, paths.size(), one);
  std::size_t bad = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    fmt::print("{}: {}\n", paths[i], out[i].line);
    bad += !out[i].ok;
  }
  fmt::print("{} of {} replays match their recording\n", paths.size() - bad, paths.size());
  return bad ? 1 : 0;
}

// `retrace gdb`: a GDB remote-protocol server over the replay of a log.
int cmd_gdb(const std::string& given, std::optional<std::uint64_t> at, bool at_failure, bool use_stdio, int port) {
  const ResolvedLog resolved(given);
  const auto log = retrace::LogReader::read(resolved.path);
  if (log.error()) fmt::print(stderr, "retrace gdb: warning: {}; the valid prefix is available\n", log.error()->what());
  std::uint64_t start = at.value_or(0);
  if (at_failure) {
    // just before the instruction the runner's report named, else the end of the recording
    std::ifstream report(given + ".report.json");
    start = ~std::uint64_t{0};
    if (report) {
      try {
        const auto j = nlohmann::json::parse(report);
        if (j.value("found", false)) start = j["icount"].get<std::uint64_t>() - 1;
      } catch (const std::exception&) {
      }
    }
  }
  retrace::gdb::Server server(log, {start});
  if (use_stdio) {
    fmt::print(stderr, "retrace gdb: {} at icount {} of {}\n", given, server.timeline().icount(), server.timeline().end());
    retrace::gdb::Connection conn(0, 1);
    server.serve(conn);
    return 0;
  }
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) throw retrace::Error(retrace::Errc::io, "cannot create a socket");
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // 127.0.0.1 only
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 1) != 0) {
    ::close(listener);
    throw retrace::Error(retrace::Errc::io, fmt::format("cannot listen on 127.0.0.1:{}: {}", port, std::strerror(errno)));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  fmt::print(stderr, "retrace gdb: {} at icount {} of {}; listening on 127.0.0.1:{}\n"
                     "  in gdb-multiarch: target remote 127.0.0.1:{}\n",
             given, server.timeline().icount(), server.timeline().end(), ntohs(addr.sin_port), ntohs(addr.sin_port));
  const int client = ::accept(listener, nullptr, nullptr);
  ::close(listener); // one client per session: a second one is refused
  if (client < 0) throw retrace::Error(retrace::Errc::io, "accept failed");
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  retrace::gdb::Connection conn(client, client);
  server.serve(conn);
  ::close(client);
  return 0;
}

int cmd_bisect(const std::string& given, const std::string& until, const std::string& diff_with, bool json,
               const std::string& html, std::size_t context, std::uint64_t interval,
               const std::vector<std::string>& symbols) {
  const ResolvedLog resolved(given);
  const std::string& path = resolved.path;
  const auto log = retrace::LogReader::read(path);
  if (log.error()) fmt::print(stderr, "retrace: warning: {}; searching the valid prefix\n", log.error()->what());
  // Symbols for the predicate come from the recorded kernel (or bios) ELF.
  std::unique_ptr<retrace::ElfFile> elf;
  for (const auto& img : log.header().images)
    if (img.role == "kernel" || (img.role == "bios" && !elf)) {
      try {
        elf = std::make_unique<retrace::ElfFile>(retrace::ElfFile::load(img.path));
      } catch (const retrace::Error&) { // a raw image has no symbols
      }
    }
  if (!diff_with.empty()) {
    const ResolvedLog other(diff_with);
    const auto log_b = retrace::LogReader::read(other.path);
    const auto d = retrace::diff_runs(log, log_b, {interval, context, {}});
    if (json) fmt::print("{}\n", retrace::diff_json(d, path, diff_with).dump(2));
    else fmt::print("{}", retrace::format_diff_report(d, given, diff_with));
    return d.differ ? 0 : 1;
  }
  const auto predicate = retrace::parse_predicate(until, elf.get());
  const auto r = retrace::bisect(log, predicate, {interval, context, symbols});
  if (!html.empty()) {
    std::ofstream out(html);
    out << retrace::report_html(r, given);
    if (!out) throw retrace::Error(retrace::Errc::io, "cannot write the HTML report", {html, {}, {}});
  }
  if (json) fmt::print("{}\n", retrace::report_json(r, path).dump(2));
  else fmt::print("{}", retrace::format_report(r, path));
  return r.found ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"retrace: deterministic record, replay and bisection for RISC-V guests"};
  app.set_version_flag("--version", std::string("retrace ") + retrace::version_string);
  app.require_subcommand(1);

  std::string elf_path;
  auto* elf = app.add_subcommand("elf", "Validate a guest ELF and show what would be loaded");
  elf->add_option("file", elf_path, "ELF file")->required();

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a guest: UART to stdout, exit status = the guest's");
  run_cmd->add_option("--kernel,-k", run.spec.kernel, "Kernel image (ELF, or raw binary), as QEMU's -kernel");
  run_cmd->add_option("--bios,-b", run.spec.bios, "Firmware image, or 'none' (default), as QEMU's -bios")
      ->capture_default_str();
  run_cmd->add_option("--max-insns", run.max_insns, "Stop after this many instructions (exit status 124)");
  run_cmd->add_option("--ram,-m", run.ram, "RAM size as QEMU's -m: 256M, 1G, or MiB without a suffix (default 128M)");
  run_cmd->add_option("--initrd", run.spec.initrd, "Initramfs (cpio) placed in RAM as QEMU's -initrd, named in /chosen");
  run_cmd->add_option("--append", run.spec.append, "Kernel command line (/chosen/bootargs), as QEMU's -append");
  run_cmd->add_option("--dtb", run.spec.dtb, "Boot with this device tree blob instead of the generated one (QEMU's -dtb)");
  run_cmd->add_option("--dump-dtb", run.dump_dtb, "Write the device tree the guest would boot with to FILE and exit");
  run_cmd->add_option("--cpu", run.spec.cpu,
                      "ISA the harts implement, as an ISA string (rv64gc, rv64gc_zba_zbb, ...; default: all, docs/machine.md)");
  run_cmd->add_option("--harts,--smp", run.spec.harts, "Number of harts")->capture_default_str();
  run_cmd->add_flag("--trace", run.trace, "Print every instruction to stderr: icount, hart, pc, disassembly, register written");
  run_cmd->add_option("--input", run.inputs, "UART input ICOUNT:TEXT (C escapes in TEXT), repeatable");
  run_cmd->add_option("--load", run.loads, "Raw image FILE@ADDRESS copied into RAM, repeatable (QEMU's -device loader)");
  run_cmd->add_option("--drive", run.drives,
                      "Raw disk image as a virtio-blk device (read-only file, writes to an overlay); repeatable. "
                      "Options after commas: latency=NS, jitter=NS, error-ppm=N, fail-at=ICOUNT[*COUNT]")
      ->type_name("IMAGE[,OPT=V...]");
  run_cmd->add_option("--seed", run.spec.seed, "Seed for device randomness: disk jitter and errors, virtio-rng, rng-seed")
      ->capture_default_str();
  run_cmd->add_flag("--stats", run.stats, "At the end, print the instruction count and the speed to stderr");
  run_cmd->add_flag("--perf-map", run.perf_map,
                    "Write /tmp/perf-PID.map naming each translated block's guest addresses, for perf report on the host");
  run_cmd->add_option("--engine", run.engine,
                      "Engine: 'jit' (blocks translated to x86-64), 'blocks' (threaded interpreter) or 'reference' (one "
                      "instruction at a time); all give the same result")
      ->capture_default_str();
  auto* rng_opt = run_cmd->add_option("--rng", run.rng, "Add a virtio-rng device: 'seed' (bytes from --seed) or 'host' (host entropy, recorded)")
      ->expected(0, 1);
  run_cmd->add_option("--quantum", run.spec.quantum, "Instructions per turn of a hart (multi-hart)")->capture_default_str();
  run_cmd->add_option("--chaos", run.chaos, "Schedule chaos: each quantum drawn from MIN..MAX instructions with --seed")
      ->type_name("MIN..MAX");
  run_cmd->add_flag("--chaos-order", run.spec.chaos_order, "Schedule chaos: draw the next hart too (with --seed)");
  run_cmd->add_option("--rtc", run.rtc, "RTC start time: SECONDS or YYYY-MM-DDTHH:MM:SSZ (default 2026-01-01T00:00:00Z), or 'host' (recorded)");
  run_cmd->add_option("--record", run.record, "Record the run to this log file (see `retrace replay`, `retrace dump`)");
  run_cmd->add_option("--when", run.when,
                      "Expect-style console: when the output ends with OUTPUT, send REPLY (C escapes; split at the last '='); "
                      "repeatable, in order")
      ->type_name("OUTPUT=REPLY");

  std::string log_path;
  std::uint64_t replay_to = 0;
  bool replay_quiet = false;
  auto* replay_cmd = app.add_subcommand("replay", "Replay a log: rebuild the machine from it, feed its inputs, check every digest");
  replay_cmd->add_option("log", log_path, "Log file")->required();
  replay_cmd->add_option("--to", replay_to, "Stop at this icount");
  replay_cmd->add_flag("--quiet,-q", replay_quiet, "Do not print the guest's UART output");
  std::string replay_engine = "jit";
  replay_cmd->add_option("--engine", replay_engine, "Engine: 'jit', 'blocks' or 'reference'")->capture_default_str();

  std::uint64_t lockstep_to = 0, lockstep_chunk = 0, lockstep_digest = 0;
  auto* lockstep_cmd = app.add_subcommand(
      "lockstep", "Replay a log on a fast engine and the reference interpreter side by side; report the first difference");
  lockstep_cmd->add_option("log", log_path, "Log file")->required();
  std::string lockstep_engine = "jit";
  lockstep_cmd->add_option("--engine", lockstep_engine, "The engine to compare with the reference: 'jit' or 'blocks'")
      ->capture_default_str();
  lockstep_cmd->add_option("--to", lockstep_to, "Stop comparing at this icount");
  lockstep_cmd->add_option("--chunk", lockstep_chunk, "Longest run between comparisons (default 4096)");
  lockstep_cmd->add_option("--digest-every", lockstep_digest, "Compare RAM and devices this often (default 1000000)");

  std::string until;
  bool bisect_json = false;
  std::size_t bisect_context = 10;
  std::uint64_t bisect_interval = 0;
  auto* bisect_cmd = app.add_subcommand("bisect", "Find the first instruction after which a predicate holds in a recorded run");
  bisect_cmd->add_option("log", log_path, "Log file")->required();
  std::string diff_with;
  auto* until_opt = bisect_cmd->add_option("--until", until,
                         "Predicate: pc==SYMBOL|ADDR, uart~TEXT, TYPE[SYMBOL|ADDR] OP VALUE (u32[counter]>10), "
                         "trap==CAUSE, exited");
  auto* diff_opt = bisect_cmd->add_option("--diff", diff_with, "Another log: find the first instruction where the runs differ");
  until_opt->excludes(diff_opt);
  bisect_cmd->callback([&] {
    if (until.empty() && diff_with.empty()) throw CLI::RequiredError("--until or --diff");
  });
  bisect_cmd->add_flag("--json", bisect_json, "Report as JSON");
  std::string bisect_html;
  bisect_cmd->add_option("--html", bisect_html, "Also write the report as an HTML page with a timeline");
  bisect_cmd->add_option("--context", bisect_context, "Instructions to show before the one found")->capture_default_str();
  bisect_cmd->add_option("--interval", bisect_interval, "Instructions between first-pass snapshots (default: run/64)");
  std::vector<std::string> bisect_symbols;
  bisect_cmd->add_option("--symbols", bisect_symbols,
                         "ELF to name the instruction with, wherever its code runs (found by matching bytes), or at "
                         "FILE@OFFSET; repeatable. For raw firmware (u-boot.bin: give uboot.elf) and relocated code")
      ->type_name("FILE[@OFFSET]");

  std::string pack_out;
  auto* pack_cmd = app.add_subcommand("pack", "Bundle a log and its images into one file that replays anywhere");
  pack_cmd->add_option("log", log_path, "Log file")->required();
  pack_cmd->add_option("-o,--output", pack_out, "Pack file (default: LOG with .rpack)");

  std::uint64_t gdb_at = 0;
  bool gdb_at_failure = false, gdb_stdio = false;
  int gdb_port = 1234;
  auto* gdb_cmd = app.add_subcommand("gdb", "Serve gdb (remote protocol) over the replay of a log, forwards and backwards");
  gdb_cmd->add_option("log", log_path, "Log file (or pack)")->required();
  auto* gdb_at_opt = gdb_cmd->add_option("--at", gdb_at, "Start at this icount (default 0)");
  gdb_cmd->add_flag("--at-failure", gdb_at_failure, "Start just before the instruction the log's report names")->excludes(gdb_at_opt);
  auto* stdio_opt = gdb_cmd->add_flag("--stdio", gdb_stdio, "Talk on stdin/stdout (gdb: target remote | retrace gdb LOG --stdio)");
  gdb_cmd->add_option("--port", gdb_port, "TCP port on 127.0.0.1 (0: any free one)")->capture_default_str()->excludes(stdio_opt);

  std::vector<std::string> all_logs;
  unsigned all_jobs = 0;
  auto* replay_all_cmd = app.add_subcommand("replay-all", "Replay many logs in parallel and check each against its recording");
  replay_all_cmd->add_option("logs", all_logs, "Log files")->required();
  replay_all_cmd->add_option("--jobs,-j", all_jobs, "Parallel replays (default: all cores)");

  bool dump_json = false;
  auto* dump_cmd = app.add_subcommand("dump", "Print a log's header and every record");
  dump_cmd->add_option("log", log_path, "Log file")->required();
  dump_cmd->add_flag("--json", dump_json, "As JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (*elf) return cmd_elf(elf_path);
    if (*run_cmd) {
      if (rng_opt->count() && run.rng.empty()) run.rng = "seed"; // a bare --rng
      return cmd_run(run);
    }
    if (*replay_cmd) return cmd_replay(log_path, replay_to, replay_quiet, replay_engine);
    if (*lockstep_cmd) return cmd_lockstep(log_path, lockstep_to, lockstep_chunk, lockstep_digest, lockstep_engine);
    if (*dump_cmd) return cmd_dump(log_path, dump_json);
    if (*replay_all_cmd) return cmd_replay_all(all_logs, all_jobs);
    if (*gdb_cmd)
      return cmd_gdb(log_path, gdb_at_opt->count() ? std::optional<std::uint64_t>(gdb_at) : std::nullopt, gdb_at_failure,
                     gdb_stdio, gdb_port);
    if (*pack_cmd) {
      const std::string out = pack_out.empty() ? log_path + ".rpack" : pack_out;
      retrace::write_pack(log_path, out);
      fmt::print(stderr, "retrace: packed {} and its images into {}\n", log_path, out);
      return 0;
    }
    if (*bisect_cmd) return cmd_bisect(log_path, until, diff_with, bisect_json, bisect_html, bisect_context, bisect_interval,
                                          bisect_symbols);
  } catch (const retrace::Error& e) {
    fmt::print(stderr, "retrace: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "retrace: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
