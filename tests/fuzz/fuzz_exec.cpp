// libFuzzer target: the executor on arbitrary code. The input is copied into RAM at the reset
// vector's target and run for up to 20000 instructions three times: on the reference
// interpreter, the block engine and the translator. None may crash or hang (a hostile guest),
// and all must end in the same state (a difference aborts, so the fuzzer reports it with the input).
#include "retrace/machine/machine.hpp"
#include "retrace/replay/digest.hpp"
#include "retrace/replay/lockstep.hpp"

#include <cstdio>
#include <cstdlib>

#include "fuzz_support.hpp"

namespace {

// A machine needs a kernel image; the input then replaces what it loaded.
const std::string& placeholder_kernel() {
  static const std::string path = [] {
    const std::uint32_t nop = 0x00000013;
    return retrace::fuzz::scratch_file(reinterpret_cast<const std::uint8_t*>(&nop), sizeof nop, "-kernel.bin");
  }();
  return path;
}

std::unique_ptr<retrace::Machine> machine(const std::uint8_t* data, std::size_t size, retrace::Machine::Engine e) {
  retrace::MachineSpec spec;
  spec.kernel = placeholder_kernel();
  spec.ram_size = 1 << 20;
  auto m = std::make_unique<retrace::Machine>(spec);
  m->set_engine(e);
  m->set_trap_loop_threshold(0);
  m->bus().write_ram(m->bus().ram_base(), data, std::min<std::size_t>(size, 64 << 10));
  return m;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::uint64_t budget = 20'000;
  auto ref = machine(data, size, retrace::Machine::Engine::reference);
  auto blk = machine(data, size, retrace::Machine::Engine::blocks);
  auto jit = machine(data, size, retrace::Machine::Engine::jit);
  const auto ra = ref->run(budget);
  for (auto* other : {blk.get(), jit.get()}) {
    const auto rb = other->run(budget);
    const char* name = retrace::Machine::engine_name(other->engine());
    const auto what = retrace::hart_state_difference(ref->hart(0).state(), other->hart(0).state(), name);
    if (ra.reason != rb.reason || ra.icount != rb.icount || !what.empty() ||
        retrace::state_digest(*ref) != retrace::state_digest(*other)) {
      std::fprintf(stderr, "%s and reference differ after %llu / %llu instructions: %s\n", name,
                   static_cast<unsigned long long>(ra.icount), static_cast<unsigned long long>(rb.icount),
                   what.empty() ? "stop reason or machine digest" : what.c_str());
      std::abort();
    }
  }
  return 0;
}
