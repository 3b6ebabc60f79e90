// ISA strings: parsing "rv64gc_zba_zbb" into an ExtSet and printing one back.
#include "retrace/isa/extensions.hpp"

#include "retrace/error.hpp"

#include <cctype>
#include <fmt/format.h>
#include <optional>

namespace retrace::isa {
namespace {

std::optional<Ext> find(std::string_view name) {
  for (const auto& n : ext_names)
    if (!n.name.empty() && n.name == name) return n.ext;
  return std::nullopt;
}

[[noreturn]] void fail(std::string_view isa, const std::string& why) {
  throw Error(Errc::bad_argument, fmt::format("ISA string '{}': {}", isa, why));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Skips a version suffix ("2", "2p1") at s[k]; returns the index after it.
std::size_t skip_version(std::string_view s, std::size_t k) {
  std::size_t j = k;
  while (j < s.size() && is_digit(s[j])) ++j;
  if (j > k && j + 1 < s.size() && s[j] == 'p' && is_digit(s[j + 1])) {
    j += 2;
    while (j < s.size() && is_digit(s[j])) ++j;
  }
  return j;
}

} // namespace

std::string ExtSet::known_names() {
  std::string s;
  for (const auto& n : ext_names) {
    if (n.name.empty()) continue;
    if (!s.empty()) s += ' ';
    s += n.name;
    if (n.ext == Ext::c) s += " g";
  }
  return s;
}

ExtSet ExtSet::parse(std::string_view text) {
  std::string s(text);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.rfind("rv32", 0) == 0 || s.rfind("rv128", 0) == 0) fail(text, "retrace implements RV64 only");
  if (s.rfind("rv64", 0) != 0) fail(text, "must start with rv64 (e.g. rv64gc or rv64imac_zicsr_zba)");
  std::uint64_t b = 0;
  std::size_t k = 4;
  if (k >= s.size() || (s[k] != 'i' && s[k] != 'g'))
    fail(text, s.size() > k && s[k] == 'e' ? "RV64E is not implemented" : "the base must be i or g (rv64i..., rv64g...)");
  // Single letters, up to the first underscore. A multi-letter name may also follow a letter
  // directly ("rv64gczba" is not valid, so it needs the underscore, as the spec says).
  while (k < s.size() && s[k] != '_') {
    const char c = s[k];
    if (c == 'g') {
      for (Ext e : {Ext::i, Ext::m, Ext::a, Ext::f, Ext::d, Ext::zicsr, Ext::zifencei}) b |= bit(e);
    } else if (c == 'z' || c == 's' || c == 'x') {
      fail(text, fmt::format("multi-letter extensions must follow an underscore (near '{}')", s.substr(k)));
    } else if (auto e = find(std::string_view(&s[k], 1))) {
      b |= bit(*e);
    } else {
      fail(text, fmt::format("extension '{}' is not implemented (retrace knows: {})", c, known_names()));
    }
    k = skip_version(s, k + 1);
  }
  // Underscore-separated names; a token that is not multi-letter is more single letters.
  while (k < s.size()) {
    ++k; // the underscore
    std::size_t end = s.find('_', k);
    if (end == std::string::npos) end = s.size();
    std::string_view tok(s.data() + k, end - k);
    if (tok.empty()) fail(text, "empty extension name (two underscores, or one at the end)");
    if (const auto whole = find(tok); whole && tok.size() > 1) { // names with digits (sv48) first
      b |= bit(*whole);
      k = end;
      continue;
    }
    std::size_t name_end = 0;
    while (name_end < tok.size() && !is_digit(tok[name_end])) ++name_end;
    const std::string_view name = tok.substr(0, name_end);
    if (skip_version(tok, name_end) != tok.size() || name.empty())
      fail(text, fmt::format("cannot read extension '{}'", tok));
    if (name[0] == 'z' || name[0] == 's' || name[0] == 'x') {
      const auto e = find(name);
      if (!e) fail(text, fmt::format("extension '{}' is not implemented (retrace knows: {})", name, known_names()));
      b |= bit(*e);
    } else {
      for (char c : name) {
        if (c == 'g') {
          for (Ext e : {Ext::i, Ext::m, Ext::a, Ext::f, Ext::d, Ext::zicsr, Ext::zifencei}) b |= bit(e);
        } else if (auto e = find(std::string_view(&c, 1))) {
          b |= bit(*e);
        } else {
          fail(text, fmt::format("extension '{}' is not implemented (retrace knows: {})", c, known_names()));
        }
      }
    }
    k = end;
  }
  const ExtSet set(b);
  if (set.contains(Ext::d) && !set.contains(Ext::f)) fail(text, "d requires f");
  if (set.contains(Ext::zfhmin) && !set.contains(Ext::f)) fail(text, "zfhmin requires f");
  if (set.contains(Ext::f) && !set.contains(Ext::zicsr)) fail(text, "f requires zicsr");
  return set;
}

std::string ExtSet::to_string(bool use_g) const {
  std::string s = "rv64";
  const bool g = use_g && contains(Ext::m) && contains(Ext::a) && contains(Ext::f) && contains(Ext::d) &&
                 contains(Ext::zicsr) && contains(Ext::zifencei);
  if (g) s += 'g';
  for (const auto& n : ext_names) {
    if (n.name.size() != 1 || !contains(n.ext)) continue;
    if (g && n.ext != Ext::c) continue; // i, m, a, f, d are in g
    s += n.name;
  }
  for (const auto& n : ext_names) {
    if (n.name.size() <= 1 || !contains(n.ext)) continue;
    if (g && (n.ext == Ext::zicsr || n.ext == Ext::zifencei)) continue;
    s += '_';
    s += n.name;
  }
  return s;
}

} // namespace retrace::isa
