// Text forms of spec parts, as the command line takes them. Each error names the text.
#include "retrace/error.hpp"
#include "retrace/machine/machine_spec.hpp"

#include <charconv>
#include <ctime>
#include <fmt/format.h>

namespace retrace {
namespace {

std::uint64_t number(std::string_view v, std::string_view what, std::string_view whole) {
  std::uint64_t out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc{} || end != v.data() + v.size())
    throw Error(Errc::bad_argument, fmt::format("{} must be a non-negative integer, not '{}' (in '{}')", what, v, whole));
  return out;
}

} // namespace

isa::ExtSet cpu_extensions(const MachineSpec& spec) {
  return spec.cpu.empty() ? isa::ExtSet::all() : isa::ExtSet::parse(spec.cpu);
}

std::uint64_t parse_size(std::string_view text, bool plain_bytes) {
  std::string_view digits = text;
  unsigned shift = plain_bytes ? 0 : 20;
  if (!digits.empty()) {
    const char unit = digits.back();
    const std::string_view units = "KMGT";
    if (const auto k = units.find(static_cast<char>(unit & ~0x20)); k != std::string_view::npos) {
      shift = 10 * static_cast<unsigned>(k + 1);
      digits.remove_suffix(1);
    } else if (unit == 'B' || unit == 'b') {
      shift = 0;
      digits.remove_suffix(1);
    }
  }
  std::uint64_t n = 0;
  const bool hex = digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
  const auto body = hex ? digits.substr(2) : digits;
  const auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), n, hex ? 16 : 10);
  if (body.empty() || ec != std::errc{} || end != body.data() + body.size())
    throw Error(Errc::bad_argument, fmt::format("a size is a number with an optional K, M, G or T suffix, not '{}'", text));
  if (shift && n > (~std::uint64_t{0} >> shift))
    throw Error(Errc::bad_argument, fmt::format("size '{}' is too large", text));
  return n << shift;
}

DriveSpec parse_drive(std::string_view text) {
  DriveSpec d;
  std::size_t pos = text.find(',');
  d.path = std::string(text.substr(0, pos));
  if (d.path.empty()) throw Error(Errc::bad_argument, fmt::format("a drive needs an image path (in '{}')", text));
  while (pos != std::string_view::npos) {
    const std::size_t next = text.find(',', pos + 1);
    const auto part = text.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    pos = next;
    const auto eq = part.find('=');
    const auto key = part.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    if (key == "latency") {
      d.latency_ns = number(value, "latency", text);
    } else if (key == "jitter") {
      d.jitter_ns = number(value, "jitter", text);
    } else if (key == "error-ppm") {
      const auto ppm = number(value, "error-ppm", text);
      if (ppm > 1'000'000) throw Error(Errc::bad_argument, fmt::format("error-ppm is at most 1000000 (in '{}')", text));
      d.error_ppm = static_cast<std::uint32_t>(ppm);
    } else if (key == "fail-at") {
      const auto star = value.find('*');
      IoFault f{number(value.substr(0, star), "fail-at", text), 1};
      if (star != std::string_view::npos) {
        const auto count = number(value.substr(star + 1), "fail-at's count", text);
        if (count == 0 || count > 0xffffffffu)
          throw Error(Errc::bad_argument, fmt::format("fail-at's count must be 1..4294967295 (in '{}')", text));
        f.count = static_cast<std::uint32_t>(count);
      }
      d.faults.push_back(f);
    } else {
      throw Error(Errc::bad_argument,
                  fmt::format("unknown drive option '{}' (latency, jitter, error-ppm, fail-at) in '{}'", key, text));
    }
  }
  return d;
}

std::uint64_t parse_rtc_epoch(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    const auto s = number(text, "the RTC epoch", text);
    if (s > 18'000'000'000ull) throw Error(Errc::bad_argument, fmt::format("RTC epoch {} s is past the year 2540", s));
    return s * 1'000'000'000ull;
  }
  std::tm tm{};
  const std::string t(text);
  const char* end = ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end != '\0')
    throw Error(Errc::bad_argument, fmt::format("the RTC epoch is SECONDS or YYYY-MM-DDTHH:MM:SSZ, not '{}'", text));
  const std::time_t secs = ::timegm(&tm);
  if (secs < 0) throw Error(Errc::bad_argument, fmt::format("the RTC epoch '{}' is before 1970", text));
  return static_cast<std::uint64_t>(secs) * 1'000'000'000ull;
}

} // namespace retrace
