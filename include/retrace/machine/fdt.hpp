#pragma once
/// \file
/// The flattened device tree of a machine, generated from its MachineSpec with libfdt, with the
/// nodes, compatible strings and properties QEMU's virt board provides, so OpenSBI, U-Boot and
/// Linux probe the machine as they probe QEMU's.

#include "retrace/machine/machine_spec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace retrace {

/// Where the boot loader put things the tree must point at.
struct BootInfo {
  std::uint64_t initrd_start = 0, initrd_end = 0; ///< [start, end) of the initrd; 0, 0: none
};

/// The DTB generated for `spec` (a blob ready to copy into guest memory), with `/chosen`
/// completed by set_chosen().
[[nodiscard]] std::vector<std::uint8_t> build_fdt(const MachineSpec& spec, const BootInfo& boot = {});

/// The tree `spec` boots with: spec.dtb's contents when it names a file (checked with
/// read_dtb(), then given the same `/chosen` properties as QEMU's -dtb gets), else build_fdt().
[[nodiscard]] std::vector<std::uint8_t> boot_fdt(const MachineSpec& spec, const BootInfo& boot = {});

/// A device tree blob from a file, checked whole (header, structure, strings) by libfdt before
/// any guest sees it. Throws retrace::Error naming the file (and the offset, for a header that
/// claims more bytes than the file has).
[[nodiscard]] std::vector<std::uint8_t> read_dtb(const std::string& path);

/// Sets what QEMU's virt writes into `/chosen` at boot: `bootargs` from spec.append (when not
/// empty) and `linux,initrd-start`/`-end` from `boot` (32-bit cells, as QEMU 7.2 writes them,
/// or 64-bit above 4 GiB). Creates `/chosen` when the tree has none.
void set_chosen(std::vector<std::uint8_t>& blob, const MachineSpec& spec, const BootInfo& boot);

} // namespace retrace
