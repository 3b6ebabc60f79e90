#pragma once
/// \file
/// Lockstep: the same run on a fast engine (the translator or the block engine,
/// LockstepOptions::engine) and on the reference interpreter, compared as they go, to the first
/// instruction after which they differ. This is how the fast engines are checked against the
/// one-instruction-at-a-time interpreter (docs/performance.md).
///
/// Both machines run in chunks of varying length (so that block boundaries, budget cuts and
/// quanta fall in different places); after each chunk every hart's architectural state, the
/// icount, the stop reason and the UART output are compared, and every `digest_every`
/// instructions the whole-machine digest (RAM and devices too). When a chunk ends different,
/// both are rebuilt, run to the start of that chunk, and the instruction count inside it is
/// bisected to the first one after which the states differ.
///
/// Example:
/// \code
///   auto log = retrace::LogReader::read("run.rlog");
///   auto r = retrace::lockstep(log);
///   if (r.difference) std::cerr << r.difference->describe() << "\n";
/// \endcode
#include "retrace/machine/machine.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace retrace {

class LogReader;

/// Where the two engines first disagreed.
struct LockstepDifference {
  std::uint64_t icount = 0; ///< the first instruction count at which the states differ
  std::size_t hart = 0;     ///< the hart that ran the instruction that made them differ
  std::uint64_t pc = 0;     ///< that instruction's address (the pc both had before it)
  std::string what;         ///< the first differing item, with both values
  /// One line: "after instruction N (hart H, pc 0x...): WHAT".
  [[nodiscard]] std::string describe() const;
};

struct LockstepOptions {
  std::uint64_t stop = ~std::uint64_t{0};    ///< compare up to this icount (or the run's end)
  std::uint64_t digest_every = 1'000'000;    ///< full digests this often (RAM, devices)
  std::uint64_t max_chunk = 4096;            ///< chunk lengths are drawn from 1..max_chunk
  Machine::Engine engine = Machine::Engine::jit; ///< the engine held to the reference interpreter
};

struct LockstepResult {
  std::uint64_t icount = 0;   ///< how far the two agreed (the end, if no difference)
  RunResult end;              ///< how the reference run stopped
  std::uint64_t chunks = 0;   ///< comparisons of hart state
  std::uint64_t digests = 0;  ///< comparisons of whole-machine digests
  std::optional<LockstepDifference> difference;
};

/// Lockstep over machines from `make`, which must build the same machine (inputs scheduled)
/// each time it is called.
[[nodiscard]] LockstepResult lockstep(const std::function<std::unique_ptr<Machine>()>& make,
                                      const LockstepOptions& options = {});
/// Lockstep over a recorded run: both machines are rebuilt from the log, fed its inputs and
/// follow its schedule, and run to its end.
[[nodiscard]] LockstepResult lockstep(const LogReader& log, LockstepOptions options = {});

/// The first difference between two harts' states, or empty if they are equal; `other_name`
/// names the second in the message ("x5: reference 0x1, blocks 0x2").
[[nodiscard]] std::string hart_state_difference(const HartState& reference, const HartState& other,
                                                const char* other_name = "blocks");

} // namespace retrace
