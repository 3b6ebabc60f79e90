// Lockstep between a fast engine and the reference interpreter (replay/lockstep.hpp).
#include "retrace/replay/lockstep.hpp"

#include "retrace/detail/draw.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/log.hpp"
#include "retrace/replay/replay.hpp"

#include <fmt/format.h>

namespace retrace {

namespace {

std::string reason_name(const RunResult& r) {
  return fmt::format("{} at {}{}", to_string(r.reason), r.icount,
                     r.reason == StopReason::exited ? fmt::format(" (status {})", r.status) : "");
}

struct Pair {
  std::unique_ptr<Machine> ref, blk;
};

Pair make_pair(const std::function<std::unique_ptr<Machine>()>& make, Machine::Engine engine) {
  Pair p{make(), make()};
  p.ref->set_engine(Machine::Engine::reference);
  p.blk->set_engine(engine);
  return p;
}

// The first difference between the two machines after runs that ended with ra and rb.
std::string difference(Machine& a, Machine& b, const RunResult& ra, const RunResult& rb, bool digest) {
  const char* name = Machine::engine_name(b.engine());
  if (ra.reason != rb.reason || ra.icount != rb.icount || ra.status != rb.status)
    return fmt::format("the run stopped differently: reference {}, {} {}", reason_name(ra), name, reason_name(rb));
  for (std::size_t h = 0; h < a.hart_count(); ++h)
    if (auto d = hart_state_difference(a.hart(h).state(), b.hart(h).state(), name); !d.empty())
      return fmt::format("hart {}: {}", h, d);
  const auto& oa = a.uart().output();
  const auto& ob = b.uart().output();
  if (oa != ob) return fmt::format("UART output: reference {} bytes, {} {} bytes", oa.size(), name, ob.size());
  if (digest) {
    const auto da = state_digest(a), db = state_digest(b);
    if (da != db) return fmt::format("machine digest (RAM or devices): reference {:016x}, {} {:016x}", da, name, db);
  }
  return {};
}

} // namespace

std::string LockstepDifference::describe() const {
  return fmt::format("after instruction {} (hart {}, pc {:#x}): {}", icount, hart, pc, what);
}

std::string hart_state_difference(const HartState& r, const HartState& o, const char* other) {
  for (unsigned i = 0; i < 32; ++i)
    if (r.x[i] != o.x[i]) return fmt::format("x{}: reference {:#x}, {} {:#x}", i, r.x[i], other, o.x[i]);
  for (unsigned i = 0; i < 32; ++i)
    if (r.f[i] != o.f[i]) return fmt::format("f{}: reference {:#x}, {} {:#x}", i, r.f[i], other, o.f[i]);
#define RETRACE_FIELD(name)                                                                                           \
  if (r.name != o.name)                                                                                               \
    return fmt::format(#name ": reference {:#x}, {} {:#x}", static_cast<std::uint64_t>(r.name), other,               \
                       static_cast<std::uint64_t>(o.name));
  RETRACE_FIELD(pc)
  RETRACE_FIELD(priv)
  RETRACE_FIELD(waiting)
  RETRACE_FIELD(mstatus)
  RETRACE_FIELD(misa)
  RETRACE_FIELD(medeleg)
  RETRACE_FIELD(mideleg)
  RETRACE_FIELD(mie)
  RETRACE_FIELD(mip)
  RETRACE_FIELD(mtvec)
  RETRACE_FIELD(stvec)
  RETRACE_FIELD(mscratch)
  RETRACE_FIELD(sscratch)
  RETRACE_FIELD(mepc)
  RETRACE_FIELD(sepc)
  RETRACE_FIELD(mcause)
  RETRACE_FIELD(scause)
  RETRACE_FIELD(mtval)
  RETRACE_FIELD(stval)
  RETRACE_FIELD(satp)
  RETRACE_FIELD(mcounteren)
  RETRACE_FIELD(scounteren)
  RETRACE_FIELD(menvcfg)
  RETRACE_FIELD(senvcfg)
  RETRACE_FIELD(mcountinhibit)
  RETRACE_FIELD(mcycle)
  RETRACE_FIELD(minstret)
  RETRACE_FIELD(fcsr)
  RETRACE_FIELD(reservation)
  RETRACE_FIELD(reservation_valid)
  RETRACE_FIELD(stimecmp)
  RETRACE_FIELD(tselect)
  RETRACE_FIELD(tcontrol)
#undef RETRACE_FIELD
  for (unsigned i = 0; i < r.tdata1.size(); ++i) {
    if (r.tdata1[i] != o.tdata1[i])
      return fmt::format("tdata1 of trigger {}: reference {:#x}, {} {:#x}", i, r.tdata1[i], other, o.tdata1[i]);
    if (r.tdata2[i] != o.tdata2[i])
      return fmt::format("tdata2 of trigger {}: reference {:#x}, {} {:#x}", i, r.tdata2[i], other, o.tdata2[i]);
  }
  if (r.ext != o.ext) return fmt::format("extensions: reference {}, {} {}", r.ext.to_string(), other, o.ext.to_string());
  for (unsigned i = 0; i < 16; ++i) {
    if (r.pmpcfg[i] != o.pmpcfg[i])
      return fmt::format("pmpcfg entry {}: reference {:#x}, {} {:#x}", i, r.pmpcfg[i], other, o.pmpcfg[i]);
    if (r.pmpaddr[i] != o.pmpaddr[i])
      return fmt::format("pmpaddr{}: reference {:#x}, {} {:#x}", i, r.pmpaddr[i], other, o.pmpaddr[i]);
  }
  return {};
}

LockstepResult lockstep(const std::function<std::unique_ptr<Machine>()>& make, const LockstepOptions& options) {
  LockstepResult result;
  Pair m = make_pair(make, options.engine);
  std::uint64_t next_digest = options.digest_every;
  const std::uint64_t max_chunk = std::max<std::uint64_t>(options.max_chunk, 1);
  for (;;) {
    const std::uint64_t start = m.ref->icount();
    if (start >= options.stop) break;
    // Chunk lengths from a fixed keyed sequence: varied, and the same on every run.
    const std::uint64_t len = 1 + detail::keyed_draw(0x6c6f636b73746570ull, result.chunks, 0) % max_chunk; // "lockstep"
    const std::uint64_t target = std::min(options.stop, start + len);
    const RunResult ra = m.ref->run(target);
    const RunResult rb = m.blk->run(target);
    ++result.chunks;
    const bool digest = ra.icount >= next_digest || ra.reason != StopReason::limit || target == options.stop;
    if (digest) {
      ++result.digests;
      while (next_digest <= ra.icount) next_digest += options.digest_every;
    }
    auto what = difference(*m.ref, *m.blk, ra, rb, digest);
    if (what.empty()) {
      result.icount = ra.icount;
      result.end = ra;
      if (ra.reason != StopReason::limit) break;
      continue;
    }

    // Different after [start, target): find the first instruction count at which they differ,
    // from fresh machines brought to `start` (where they agreed).
    Pair p = make_pair(make, options.engine);
    p.ref->run(start);
    p.blk->run(start);
    const auto snap_ref = p.ref->snapshot();
    const auto snap_blk = p.blk->snapshot();
    auto differ_at = [&](std::uint64_t at, bool with_digest) {
      p.ref->restore(snap_ref);
      p.blk->restore(snap_blk);
      const RunResult a = p.ref->run(at), b = p.blk->run(at);
      return difference(*p.ref, *p.blk, a, b, with_digest);
    };
    std::uint64_t lo = start, hi = target;
    while (hi - lo > 1) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      if (differ_at(mid, digest).empty()) lo = mid;
      else hi = mid;
    }
    LockstepDifference d;
    d.icount = hi;
    d.what = differ_at(hi, digest);
    if (d.what.empty()) d.what = what; // only visible over the whole chunk (should not happen)
    // Which instruction: step the reference from lo to hi and note who ran.
    p.ref->restore(snap_ref);
    p.ref->run(lo);
    p.ref->on_step([&](const Hart& h) {
      d.hart = h.hartid();
      d.pc = h.last_pc();
    });
    p.ref->run(hi);
    p.ref->on_step(nullptr);
    result.icount = lo;
    result.end = ra;
    result.difference = d;
    break;
  }
  return result;
}

LockstepResult lockstep(const LogReader& log, LockstepOptions options) {
  const auto schedule = recorded_schedule(log);
  const std::uint64_t end = log.records().empty() ? 0 : log.records().back().icount;
  options.stop = std::min(options.stop, end);
  return lockstep([&] { return machine_for_log(log, &schedule); }, options);
}

} // namespace retrace
