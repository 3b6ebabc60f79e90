#pragma once
/// \file
/// The declarative description of a machine. A MachineSpec plus the images it names is all a
/// replay needs to rebuild the machine, so it is serializable (cereal) and compared whole.
///
/// Example:
/// \code
///   retrace::MachineSpec spec;
///   spec.kernel = "hello.elf";      // -kernel; with bios "none" the ROM jumps straight to it
///   spec.ram_size = 64 << 20;
///   retrace::Machine m(spec);
/// \endcode

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace retrace {

/// A raw image copied into RAM at a physical address before reset (QEMU's
/// `-device loader,file=F,addr=A`).
struct RawLoad {
  std::string path;
  std::uint64_t address = 0;
  template <class A>
  void serialize(A& ar) { ar(path, address); }
  friend bool operator==(const RawLoad&, const RawLoad&) = default;
};

/// What to build: harts, RAM, images and the time base. Device addresses are virt's.
struct MachineSpec {
  unsigned harts = 1;
  std::uint64_t ram_base = 0x8000'0000;
  std::uint64_t ram_size = 128ull << 20; ///< QEMU virt's default
  /// `-bios`: "none" (default: no firmware), or an ELF or raw image loaded at ram_base.
  std::string bios = "none";
  /// `-kernel`: an ELF (loaded at its physical addresses) or a raw image. With bios "none" a
  /// raw kernel goes to ram_base; with firmware, to the first 2 MiB boundary after it.
  std::string kernel;
  /// More raw images at fixed addresses (data, a ramdisk, a second program), loaded after the
  /// bios and kernel.
  std::vector<RawLoad> loads;
  /// Raw disk images, each a virtio-blk device in the next virtio-mmio slot (0x1000_1000, IRQ 1,
  /// then 0x1000_2000, IRQ 2, ...), as QEMU's -drive file=F,if=virtio. The files are only read.
  std::vector<std::string> drives;
  /// Virtual nanoseconds per instruction; mtime (10 MHz) = icount * ns_per_insn / 100.
  std::uint64_t ns_per_insn = 1;
  /// Instructions a hart runs before the next one gets its turn (multi-hart round-robin).
  std::uint64_t quantum = 1000;

  template <class A>
  void serialize(A& ar) { ar(harts, ram_base, ram_size, bios, kernel, loads, drives, ns_per_insn, quantum); }
  friend bool operator==(const MachineSpec&, const MachineSpec&) = default;
};

} // namespace retrace
