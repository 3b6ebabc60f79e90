#pragma once
/// \file
/// The flattened device tree of a machine, generated from its MachineSpec with libfdt, with the
/// nodes, compatible strings and properties QEMU's virt board provides, so OpenSBI, U-Boot and
/// Linux probe the machine as they probe QEMU's.

#include "retrace/machine/machine_spec.hpp"

#include <cstdint>
#include <vector>

namespace retrace {

/// The DTB for `spec` (a blob ready to copy into guest memory).
[[nodiscard]] std::vector<std::uint8_t> build_fdt(const MachineSpec& spec);

} // namespace retrace
