#include "guests.hpp"

#include <stdexcept>

namespace retrace::test {

const std::vector<GuestFixture>& guest_fixtures() {
  static const std::vector<GuestFixture> all = {
#include "guest_manifest.inc"
  };
  return all;
}

std::vector<GuestFixture> qemu_fixtures() {
  std::vector<GuestFixture> out;
  for (const auto& g : guest_fixtures())
    if (g.qemu) out.push_back(g);
  return out;
}

const GuestFixture& guest_fixture(const std::string& name) {
  for (const auto& g : guest_fixtures())
    if (name == g.name) return g;
  throw std::runtime_error("no guest fixture called " + name);
}

} // namespace retrace::test
