// libFuzzer target: the text forms of outside input: --drive options, --rtc times and bisection
// predicates. Each either parses or throws retrace::Error.
#include "retrace/bisect/predicate.hpp"
#include "retrace/error.hpp"
#include "retrace/machine/machine_spec.hpp"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)retrace::parse_drive(text);
  } catch (const retrace::Error&) {
  }
  try {
    (void)retrace::parse_rtc_epoch(text);
  } catch (const retrace::Error&) {
  }
  try {
    (void)retrace::parse_predicate(text, nullptr);
  } catch (const retrace::Error&) {
  }
  return 0;
}
