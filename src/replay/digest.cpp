// State digests: cereal's portable binary form of each state struct (so padding and host
// layout never leak into the hash), then the non-zero RAM pages with their addresses.
#include "retrace/replay/digest.hpp"

#include "retrace/machine/machine.hpp"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <sstream>
#include <xxhash.h>

namespace retrace {

std::uint64_t state_digest(const Machine& cm) {
  auto& m = const_cast<Machine&>(cm); // only read below
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  {
    std::ostringstream os;
    {
      cereal::PortableBinaryOutputArchive ar(os);
      ar(m.icount());
      for (std::size_t h = 0; h < m.hart_count(); ++h) ar(m.hart(h).state());
      ar(m.clint().state(), m.uart().state(), m.plic().state(), m.rtc().state());
      for (std::size_t d = 0; d < m.drive_count(); ++d) ar(m.drive(d).state());
      if (m.rng()) ar(m.rng()->state());
      // With several harts the schedule is state too: a replay recomputes it (unless the log
      // has chaos draws) and a wrong turn must show at the next digest, not much later.
      if (m.hart_count() > 1)
        ar(m.clock().state(), static_cast<std::uint64_t>(m.current_hart()), m.quantum_left(), m.slices());
    }
    const std::string bytes = os.str();
    XXH3_64bits_update(st, bytes.data(), bytes.size());
  }
  static constexpr std::uint8_t zero[Ram::page_size] = {};
  m.bus().ram().for_each_page([&](std::uint64_t offset, const std::uint8_t* data) {
    if (std::memcmp(data, zero, Ram::page_size) == 0) return; // untouched and zero pages hash alike
    XXH3_64bits_update(st, &offset, sizeof offset);
    XXH3_64bits_update(st, data, Ram::page_size);
  });
  const std::uint64_t d = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return d;
}

} // namespace retrace
