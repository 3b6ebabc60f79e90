#pragma once
// What the engine tests share (engine_test.cpp, priv_engine_test.cpp): a raw kernel image from
// words, a machine on one engine, and lockstep of both fast engines against the reference.
#include "retrace/machine/machine.hpp"
#include "retrace/replay/lockstep.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace retrace::test {

inline std::string image(const std::string& name, const std::vector<std::uint32_t>& words) {
  const std::string path = ::testing::TempDir() + "/engine-" + name + ".bin";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(words.data()), static_cast<std::streamsize>(words.size() * 4));
  return path;
}

inline std::unique_ptr<Machine> machine(const std::string& kernel, Machine::Engine engine) {
  MachineSpec spec;
  spec.kernel = kernel;
  spec.ram_size = 16 << 20;
  auto m = std::make_unique<Machine>(spec);
  m->set_engine(engine);
  return m;
}

constexpr Machine::Engine all_engines[] = {Machine::Engine::reference, Machine::Engine::blocks, Machine::Engine::jit};
constexpr Machine::Engine fast_engines[] = {Machine::Engine::blocks, Machine::Engine::jit};

// Every engine ends in the same state as the reference, also when stopped every few
// instructions (so blocks are cut by the budget at every possible point).
inline void expect_lockstep(const std::string& kernel, std::uint64_t stop) {
  for (auto engine : fast_engines) {
    for (std::uint64_t chunk : {3u, 64u, 4096u}) {
      LockstepOptions o;
      o.engine = engine;
      o.stop = stop;
      o.max_chunk = chunk;
      o.digest_every = 97;
      const auto r = lockstep([&] { return machine(kernel, engine); }, o);
      EXPECT_FALSE(r.difference) << Machine::engine_name(engine) << ", chunks up to " << chunk << ": "
                                 << r.difference->describe();
      EXPECT_EQ(r.icount, stop);
    }
  }
}

} // namespace retrace::test
