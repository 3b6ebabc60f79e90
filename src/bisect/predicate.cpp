// The predicate language of `retrace bisect --until`.
#include "retrace/bisect/predicate.hpp"

#include "retrace/detail/int128.hpp"
#include "retrace/error.hpp"

#include <array>
#include <charconv>
#include <fmt/format.h>

namespace retrace {
namespace {

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw Error(Errc::bad_argument, fmt::format("predicate '{}': {}", text, why));
}

std::uint64_t number_or_symbol(std::string_view s, std::string_view text, const ElfFile* symbols) {
  std::uint64_t v = 0;
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const std::string_view digits = hex ? s.substr(2) : s;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
  if (ec == std::errc() && p == digits.data() + digits.size() && !digits.empty()) return v;
  if (symbols)
    if (auto a = symbols->symbol(s)) return *a;
  fail(text, fmt::format("'{}' is neither a number nor a symbol of the guest", s));
}

std::int64_t signed_number(std::string_view s, std::string_view text) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  const std::string_view digits = hex ? s.substr(2) : s;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
  if (ec != std::errc() || p != digits.data() + digits.size() || digits.empty())
    fail(text, fmt::format("'{}' is not a number", s));
  return neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
}

struct CauseName {
  const char* name;
  std::uint64_t cause;
};
constexpr std::array<CauseName, 18> causes = {{
    {"misaligned-fetch", 0}, {"fetch-fault", 1}, {"illegal", 2}, {"breakpoint", 3}, {"misaligned-load", 4},
    {"load-fault", 5}, {"misaligned-store", 6}, {"store-fault", 7}, {"ecall-u", 8}, {"ecall-s", 9},
    {"ecall-m", 11}, {"fetch-page-fault", 12}, {"load-page-fault", 13}, {"store-page-fault", 15},
    {"software", (1ull << 63) | 3}, {"timer", (1ull << 63) | 7}, {"external", (1ull << 63) | 11},
    {"supervisor-timer", (1ull << 63) | 5},
}};

} // namespace

Predicate pc_reached(std::uint64_t pc, std::string text) {
  return {std::move(text), [](const Machine& m) { return m.pc_watch_hit().has_value(); }, pc};
}

Predicate uart_contains(std::string needle) {
  std::string text = "uart~" + needle;
  return {std::move(text), [needle = std::move(needle)](const Machine& m) {
            return m.uart().output().find(needle) != std::string::npos;
          }, std::nullopt};
}

Predicate trap_taken(std::uint64_t cause) {
  std::string text = fmt::format("trap=={:#x}", cause);
  for (const auto& c : causes)
    if (c.cause == cause) text = fmt::format("trap=={}", c.name);
  return {std::move(text), [cause](const Machine& m) {
            for (const auto& t : m.traps())
              if (t.cause == cause) return true;
            return false;
          }, std::nullopt};
}

Predicate exited() {
  return {"exited", [](const Machine& m) { return m.exit_status().has_value(); }, std::nullopt};
}

Predicate custom(std::string text, std::function<bool(const Machine&)> holds) {
  return {std::move(text), std::move(holds), std::nullopt};
}

Predicate parse_predicate(std::string_view text, const ElfFile* symbols) {
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t == "exited") return exited();
  if (t.starts_with("uart~")) {
    if (t.size() == 5) fail(text, "uart~ needs the text to look for");
    return uart_contains(std::string(t.substr(5)));
  }
  if (t.starts_with("pc==")) {
    const auto pc = number_or_symbol(t.substr(4), text, symbols);
    return pc_reached(pc, std::string(t));
  }
  if (t.starts_with("trap==")) {
    const std::string_view c = t.substr(6);
    for (const auto& n : causes)
      if (c == n.name) return trap_taken(n.cause);
    return trap_taken(number_or_symbol(c, text, nullptr));
  }
  // TYPE[WHERE] OP VALUE
  const auto open = t.find('['), close = t.find(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    fail(text, "expected pc==X, uart~TEXT, trap==CAUSE, exited, or TYPE[SYMBOL] OP VALUE (e.g. u32[counter]>10)");
  const std::string_view type = t.substr(0, open);
  const std::string_view where = t.substr(open + 1, close - open - 1);
  std::string_view rest = t.substr(close + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::string_view op;
  for (std::string_view o : {"==", "!=", "<=", ">=", "<", ">"})
    if (rest.starts_with(o)) {
      op = o;
      break;
    }
  if (op.empty()) fail(text, "expected one of == != < <= > >= after the ]");
  std::string_view value_text = rest.substr(op.size());
  while (!value_text.empty() && value_text.front() == ' ') value_text.remove_prefix(1);
  const std::int64_t value = signed_number(value_text, text);
  const std::uint64_t addr = number_or_symbol(where, text, symbols);
  unsigned size = 0;
  bool is_signed = false;
  if (type == "u8") size = 1;
  else if (type == "u16") size = 2;
  else if (type == "u32") size = 4;
  else if (type == "u64") size = 8;
  else if (type == "i8") size = 1, is_signed = true;
  else if (type == "i16") size = 2, is_signed = true;
  else if (type == "i32") size = 4, is_signed = true;
  else if (type == "i64") size = 8, is_signed = true;
  else fail(text, fmt::format("unknown type '{}' (u8 u16 u32 u64 i8 i16 i32 i64)", type));
  const std::string opcode(op);
  auto holds = [addr, size, is_signed, opcode, value](const Machine& m) {
    std::uint64_t raw = 0;
    if (!m.read_memory(addr, &raw, size)) return false;
    const unsigned bits = size * 8;
    const detail::i128 v = is_signed && bits < 64 ? static_cast<detail::i128>(static_cast<std::int64_t>(raw << (64 - bits)) >> (64 - bits))
                       : is_signed            ? static_cast<detail::i128>(static_cast<std::int64_t>(raw))
                                              : static_cast<detail::i128>(raw);
    const detail::i128 w = value;
    if (opcode == "==") return v == w;
    if (opcode == "!=") return v != w;
    if (opcode == "<") return v < w;
    if (opcode == "<=") return v <= w;
    if (opcode == ">") return v > w;
    return v >= w;
  };
  return {std::string(t), holds, std::nullopt};
}

} // namespace retrace
