#pragma once
/// \file
/// gmock matchers for guest test outcomes; they compose with the usual matchers.
///
/// Example:
/// \code
///   EXPECT_THAT(outcome, retrace::ExitedWith(0));
///   EXPECT_THAT(outcome, retrace::UartOutput(testing::HasSubstr("ok")));
///   EXPECT_THAT(outcome, retrace::TookTrap(retrace::Cause::kIllegalInstruction));
///   EXPECT_THAT(outcome, testing::AllOf(retrace::Passed(), retrace::FinalIcount(testing::Lt(1'000'000u))));
/// \endcode

#include "retrace/testing/run.hpp"

#include <gmock/gmock.h>

namespace retrace {

/// Trap causes as mcause values (interrupts have bit 63 set).
enum class Cause : std::uint64_t {
  kInstructionMisaligned = 0,
  kInstructionAccessFault = 1,
  kIllegalInstruction = 2,
  kBreakpoint = 3,
  kLoadMisaligned = 4,
  kLoadAccessFault = 5,
  kStoreMisaligned = 6,
  kStoreAccessFault = 7,
  kEcallFromU = 8,
  kEcallFromS = 9,
  kEcallFromM = 11,
  kInstructionPageFault = 12,
  kLoadPageFault = 13,
  kStorePageFault = 15,
  kSupervisorSoftwareInterrupt = (1ull << 63) | 1,
  kMachineSoftwareInterrupt = (1ull << 63) | 3,
  kSupervisorTimerInterrupt = (1ull << 63) | 5,
  kMachineTimerInterrupt = (1ull << 63) | 7,
  kSupervisorExternalInterrupt = (1ull << 63) | 9,
  kMachineExternalInterrupt = (1ull << 63) | 11,
};

/// The guest exited (finisher or HTIF) with `status`.
MATCHER_P(ExitedWith, status, "exited with status " + ::testing::PrintToString(status)) {
  if (arg.reason != StopReason::exited) {
    *result_listener << "it " << arg.describe();
    return false;
  }
  *result_listener << "exit status " << arg.exit_status;
  return arg.exit_status == static_cast<std::uint32_t>(status);
}

/// Exited with status 0 and broke no invariant.
MATCHER(Passed, "passed (exited with status 0, no invariant broken)") { return arg.passed(); }

/// The run ended for `reason` (StopReason::idle for a hang, trap_loop, ...).
MATCHER_P(StoppedBy, reason, std::string("stopped by ") + to_string(reason)) {
  *result_listener << "it " << arg.describe();
  return arg.reason == reason;
}

/// UART 0's output matches `m` (e.g. HasSubstr("ok"), Eq("hello\n")).
MATCHER_P(UartOutput, m, "UART output " + ::testing::DescribeMatcher<std::string>(m)) {
  const bool ok = ::testing::ExplainMatchResult(m, arg.uart, result_listener);
  if (!ok) {
    const std::string tail = arg.uart.size() > 2000 ? "..." + arg.uart.substr(arg.uart.size() - 2000) : arg.uart;
    *result_listener << "the output is " << ::testing::PrintToString(tail);
  }
  return ok;
}

/// The final icount matches `m`.
MATCHER_P(FinalIcount, m, "final icount " + ::testing::DescribeMatcher<std::uint64_t>(m)) {
  return ::testing::ExplainMatchResult(m, arg.icount, result_listener);
}

/// Some trap taken during the run had `cause`.
MATCHER_P(TookTrap, cause, "took a trap with mcause " + ::testing::PrintToString(static_cast<std::uint64_t>(cause))) {
  for (const auto& t : arg.traps)
    if (t.cause == static_cast<std::uint64_t>(cause)) {
      *result_listener << "at icount " << t.icount << ", pc 0x" << std::hex << t.pc;
      return true;
    }
  *result_listener << arg.traps.size() << " traps, none with that cause";
  return false;
}

/// The run broke the invariant described as `description`.
MATCHER_P(BrokeInvariant, description, std::string("broke the invariant '") + description + "'") {
  return arg.invariant_violated && *arg.invariant_violated == description;
}

} // namespace retrace
