#pragma once
// The guest fixtures built by guest-fixtures/, with what any virt machine must show for them.
#include <string>
#include <vector>

namespace retrace::test {

struct GuestFixture {
  const char* name;
  const char* elf;
  const char* bin;
  const char* expect_output; ///< substring of the UART output
  int expect_exit;           ///< the guest's exit status; -1: it never exits
  bool qemu;                 ///< runs on QEMU's virt too (false: needs HTIF)
  const char* input;         ///< UART input the guest reads (QEMU: stdin; retrace: at icount 0)
};

/// Every registered guest, in registration order.
const std::vector<GuestFixture>& guest_fixtures();
/// The fixtures that also run on QEMU's virt.
std::vector<GuestFixture> qemu_fixtures();
/// The fixture called `name`; throws if there is none.
const GuestFixture& guest_fixture(const std::string& name);

} // namespace retrace::test

#include <ostream>
namespace retrace::test {
/// gtest prints a fixture by name in parameterized test output.
inline void PrintTo(const GuestFixture& g, std::ostream* os) { *os << g.name; }
/// A fixture name as a gtest parameter name ("priv-vm" -> "priv_vm").
inline std::string test_name(std::string name) {
  for (auto& c : name)
    if (c == '-') c = '_';
  return name;
}
} // namespace retrace::test
