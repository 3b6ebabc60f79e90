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

#include "retrace/isa/extensions.hpp"

#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cstdint>
#include <string>
#include <string_view>
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

/// A scripted I/O error: the first `count` requests of a drive that complete at or after icount
/// `at_icount` fail with VIRTIO_BLK_S_IOERR (no data moves).
struct IoFault {
  std::uint64_t at_icount = 0;
  std::uint32_t count = 1;
  template <class A>
  void serialize(A& ar) { ar(at_icount, count); }
  friend bool operator==(const IoFault&, const IoFault&) = default;
};

/// A virtio-blk disk: a raw image (only ever read) and how the device behaves. Timing and
/// seeded errors come from MachineSpec::seed, so they are the same on every replay.
struct DriveSpec {
  std::string path;
  /// Virtual nanoseconds from the driver's notify to the request's completion (0: at once).
  std::uint64_t latency_ns = 0;
  /// Each request takes up to this many more nanoseconds, drawn from the seed.
  std::uint64_t jitter_ns = 0;
  /// Each request fails with VIRTIO_BLK_S_IOERR with this probability, in parts per million,
  /// drawn from the seed.
  std::uint32_t error_ppm = 0;
  /// Scripted failures.
  std::vector<IoFault> faults;

  DriveSpec() = default;
  DriveSpec(std::string image) : path(std::move(image)) {} // NOLINT: a path is a plain drive
  template <class A>
  void serialize(A& ar) { ar(path, latency_ns, jitter_ns, error_ppm, faults); }
  friend bool operator==(const DriveSpec&, const DriveSpec&) = default;
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
  /// `-initrd`: an initramfs (a cpio archive, compressed or not) placed in RAM as QEMU's virt
  /// places it (the kernel's load address plus min(RAM / 2, 128 MiB)); `/chosen` gets
  /// `linux,initrd-start` and `linux,initrd-end`. Needs a kernel.
  std::string initrd;
  /// `-append`: the kernel command line, as `/chosen/bootargs`.
  std::string append;
  /// `-dtb`: boot with this device tree blob instead of the generated one. As QEMU, `/chosen`
  /// still gets bootargs (with `append`) and the initrd's range.
  std::string dtb;
  /// `-cpu`: the ISA the harts implement, as an ISA string ("rv64gc", "rv64gc_zba_zbb", ...);
  /// empty: everything retrace implements (docs/machine.md). The device tree says the same.
  std::string cpu;
  /// More raw images at fixed addresses (data, a ramdisk, a second program), loaded after the
  /// bios and kernel.
  std::vector<RawLoad> loads;
  /// Raw disk images, each a virtio-blk device in the next virtio-mmio slot (0x1000_1000, IRQ 1,
  /// then 0x1000_2000, IRQ 2, ...), as QEMU's -drive file=F,if=virtio. The files are only read.
  std::vector<DriveSpec> drives;
  /// A virtio-rng device in the slot after the drives (QEMU's -device virtio-rng-device).
  bool rng = false;
  /// The rng's bytes come from `rng_key` rather than the seed. resolve_host_inputs() fills the
  /// key from host entropy; the log records the key, so a replay reads the same bytes.
  bool rng_from_host = false;
  std::uint64_t rng_key = 0;
  /// The goldfish RTC reads rtc_epoch_ns (Unix time in ns) plus virtual time.
  std::uint64_t rtc_epoch_ns = 1'767'225'600ull * 1'000'000'000ull; // 2026-01-01T00:00:00Z
  /// resolve_host_inputs() sets rtc_epoch_ns from the host clock; the log records it.
  bool rtc_from_host = false;
  /// The seed devices draw from (disk latency jitter, seeded I/O errors, the rng's bytes). The
  /// test runner sets it to the run's seed.
  std::uint64_t seed = 0;
  /// Virtual nanoseconds per instruction of one hart (1..1e9). With one hart, mtime (10 MHz)
  /// = icount * ns_per_insn / 100; with several, harts that can run share the time
  /// (VirtualClock), so each one runs at this speed.
  std::uint64_t ns_per_insn = 1;
  /// Instructions a hart runs before the next one gets its turn (multi-hart round-robin).
  std::uint64_t quantum = 1000;
  /// Schedule chaos (multi-hart, docs/scheduling.md): with chaos_max_quantum > 0 every quantum's
  /// length is drawn from [chaos_min_quantum, chaos_max_quantum] with the seed, so preemption
  /// lands on other instructions for every seed; with chaos_order the next hart is drawn too
  /// (among those that can run) instead of taken round-robin.
  std::uint64_t chaos_min_quantum = 1;
  std::uint64_t chaos_max_quantum = 0;
  bool chaos_order = false;
  /// Whether turns are drawn from the seed. Only drawn turns are recorded in a log: without
  /// chaos the schedule is a function of the machine's state, and a replay recomputes it.
  [[nodiscard]] bool has_chaos() const noexcept { return harts > 1 && (chaos_max_quantum > 0 || chaos_order); }

  template <class A>
  void serialize(A& ar) {
    ar(harts, ram_base, ram_size, bios, kernel, initrd, append, dtb, cpu, loads, drives, rng, rng_from_host, rng_key, rtc_epoch_ns, rtc_from_host, seed,
       ns_per_insn, quantum, chaos_min_quantum, chaos_max_quantum, chaos_order);
  }
  friend bool operator==(const MachineSpec&, const MachineSpec&) = default;
};

/// The extensions the spec's harts implement: ExtSet::parse(spec.cpu), or every extension
/// retrace implements when spec.cpu is empty. Throws retrace::Error for a bad ISA string.
[[nodiscard]] isa::ExtSet cpu_extensions(const MachineSpec& spec);

/// Reads the host inputs a spec asks for, and only those: the host clock for rtc_from_host,
/// host entropy for rng_from_host. The result names them as plain values, so the run (and
/// its log) no longer depends on the host. Call it once, before building the machine.
[[nodiscard]] MachineSpec resolve_host_inputs(MachineSpec spec);

/// A drive from its command-line form `IMAGE[,latency=NS][,jitter=NS][,error-ppm=N]
/// [,fail-at=ICOUNT[*COUNT]]...` (retrace run --drive). Throws retrace::Error naming the bad part.
[[nodiscard]] DriveSpec parse_drive(std::string_view text);

/// Bytes from a size as QEMU's `-m` spells it: a number with an optional K, M, G or T suffix
/// (powers of 1024; "256M", "1G", "0x8000000"); a number without a suffix means MiB, as with
/// `-m`, unless `plain_bytes`. Throws retrace::Error for anything else or an overflow.
[[nodiscard]] std::uint64_t parse_size(std::string_view text, bool plain_bytes = false);

/// Unix time in ns from `SECONDS` or `YYYY-MM-DDTHH:MM:SSZ` (retrace run --rtc). Throws
/// retrace::Error for anything else.
[[nodiscard]] std::uint64_t parse_rtc_epoch(std::string_view text);

} // namespace retrace
