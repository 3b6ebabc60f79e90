#pragma once
// Seeded streams of mostly-valid instructions (every row of the instruction table, so RV64GC and
// the bit-manipulation, Zicond and Zfhmin extensions, with random operand bits; compressed words;
// raw garbage), written as a raw kernel image for a test machine.
#include <cstddef>
#include <cstdint>
#include <string>

namespace retrace::test {

/// Where the stream's instructions run.
enum class StreamMode {
  machine, ///< M-mode; every trap restarts the stream (its prologue re-arms FS and MTIP)
  user,    ///< U-mode behind PMP: the prologue (M-mode, not writable from U) takes every trap
           ///< and resumes the body in U-mode just past the trapping instruction (or somewhere
           ///< else in it after a fetch fault), so fetches, loads and stores go through the TLB
           ///< and PMP paths
  integer, ///< M-mode, dense in what blocks hold: integer instructions (rd never one of the
           ///< base registers), loads and stores (FP too) through base registers into a data area
           ///< (and now and then into the stream itself), short forward branches and jumps,
           ///< some FP; a trap restarts it as in `machine`
  mmio,    ///< M-mode, a hostile guest for the devices: loads, stores, AMOs and FP accesses
           ///< of every width at random offsets of every device (and of unmapped space and the
           ///< ROM) with random values, random interrupt enables, WFI; a trap restarts it as in
           ///< `integer`
};

/// Writes the stream for `seed` (`words` 32-bit words, prologue included) to a temporary
/// file and returns its path.
std::string make_random_stream(std::uint64_t seed, std::size_t words, StreamMode mode = StreamMode::machine);

} // namespace retrace::test
