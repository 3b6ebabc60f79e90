// The one place a spec's host inputs are read: before a run, never inside one. What is read
// becomes a plain value in the spec, which the log header records, so replays never ask the
// host again.
#include "retrace/machine/machine_spec.hpp"

#include <chrono>
#include <random>

namespace retrace {

MachineSpec resolve_host_inputs(MachineSpec spec) {
  if (spec.rtc_from_host) {
    const auto now = std::chrono::system_clock::now().time_since_epoch(); // host-time-ok: resolved into the spec
    spec.rtc_epoch_ns = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
  }
  if (spec.rng && spec.rng_from_host) {
    std::random_device dev; // host-time-ok (host entropy): resolved into the spec, then recorded
    spec.rng_key = (std::uint64_t{dev()} << 32) | dev();
  }
  return spec;
}

} // namespace retrace
