#pragma once
/// \file
/// Monotone predicates over machine state, for bisection: once one holds, it holds for the
/// rest of the run. Built in C++ or parsed from a small language (`retrace bisect --until`):
///
///   pc==SYMBOL  pc==0xADDR        the first instruction executed there (any hart)
///   uart~TEXT                     UART 0's output contains TEXT
///   TYPE[SYMBOL|0xADDR] OP VALUE  a value in memory; TYPE u8 u16 u32 u64 i8 i16 i32 i64,
///                                 OP == != < <= > >=  (e.g. u32[counter]>10)
///   trap==CAUSE                   a trap of that cause was taken: illegal, breakpoint,
///                                 misaligned-fetch/load/store, fetch-fault, load-fault,
///                                 store-fault, ecall-u/s/m, fetch-page-fault,
///                                 load-page-fault, store-page-fault, timer, software,
///                                 external, or a number (interrupts with bit 63)
///   exited                        the guest finished
///
/// Example:
/// \code
///   auto p = retrace::parse_predicate("u32[counter]>10", machine.symbols());
///   if (p.watch_pc) machine.watch_pc(*p.watch_pc);
///   bool now = p.holds(machine);
/// \endcode

#include "retrace/machine/elf.hpp"
#include "retrace/machine/machine.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace retrace {

/// A monotone predicate over a machine.
struct Predicate {
  std::string text;                              ///< as a person reads it
  std::function<bool(const Machine&)> holds;     ///< true from the first icount where it holds on
  std::optional<std::uint64_t> watch_pc;         ///< for pc predicates: what Machine::watch_pc needs
};

/// Parses the predicate language above. Symbols come from `symbols` (may be null). Throws
/// retrace::Error (bad_argument) saying what was expected where.
[[nodiscard]] Predicate parse_predicate(std::string_view text, const ElfFile* symbols);

/// The first instruction executed at `pc`.
[[nodiscard]] Predicate pc_reached(std::uint64_t pc, std::string text);
/// UART 0's output contains `needle`.
[[nodiscard]] Predicate uart_contains(std::string needle);
/// A trap with mcause `cause` has been taken.
[[nodiscard]] Predicate trap_taken(std::uint64_t cause);
/// The guest has exited.
[[nodiscard]] Predicate exited();
/// Any C++ callable over the machine (it must be monotone over the run).
[[nodiscard]] Predicate custom(std::string text, std::function<bool(const Machine&)> holds);

} // namespace retrace
