// libFuzzer target: boot options from outside files. The input is a RAM size (byte 0), an
// initrd size (bytes 1-4, up to a little past RAM's end) and a device tree blob (the rest),
// given as --ram, --initrd and --dtb. Either the machine is refused with retrace::Error before
// it runs, or it starts with a tree that libfdt checks whole and an initrd wholly in RAM below
// the tree; anything else aborts.
#include "retrace/error.hpp"
#include "retrace/machine/fdt.hpp"
#include "retrace/machine/machine.hpp"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <libfdt.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::string temp_path(const char* name) { return "/tmp/retrace-fuzz-boot-" + std::to_string(getpid()) + "-" + name; }

void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
}

// A sparse file of `size` bytes: an initrd as large as RAM costs nothing to write.
void sized_file(const std::string& path, std::uint64_t size) {
  const int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0 || ftruncate(fd, static_cast<off_t>(size)) != 0) std::abort();
  if (size) {
    const char x = 'x';
    if (pwrite(fd, &x, 1, static_cast<off_t>(size - 1)) != 1) std::abort();
  }
  close(fd);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5) return 0;
  static const std::string kernel = [] {
    const std::string path = temp_path("kernel.bin");
    const std::uint8_t loop[] = {0x6f, 0x00, 0x00, 0x00}; // j .
    write_bytes(path, loop, sizeof loop);
    return path;
  }();
  retrace::MachineSpec spec;
  spec.kernel = kernel;
  spec.ram_size = static_cast<std::uint64_t>(1 + data[0] % 32) << 20; // 1..32 MiB
  const std::uint64_t initrd_size =
      (std::uint64_t{data[1]} | std::uint64_t{data[2]} << 8 | std::uint64_t{data[3]} << 16 | std::uint64_t{data[4]} << 24) %
      (spec.ram_size + (4u << 20));
  spec.initrd = temp_path("initrd");
  sized_file(spec.initrd, initrd_size);
  if (size > 5) {
    spec.dtb = temp_path("tree.dtb");
    write_bytes(spec.dtb, data + 5, size - 5);
  }
  spec.append = "console=ttyS0";
  try {
    retrace::Machine m(spec);
    const auto& dtb = m.boot_dtb();
    if (fdt_check_full(dtb.data(), dtb.size()) != 0) std::abort(); // a guest must never get a broken tree
    const int chosen = fdt_path_offset(dtb.data(), "/chosen");
    if (chosen < 0 || !fdt_getprop(dtb.data(), chosen, "linux,initrd-start", nullptr)) std::abort();
    (void)m.run(1000);
  } catch (const retrace::Error&) {
  }
  return 0;
}
