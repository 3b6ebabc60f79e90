#pragma once
/// \file
/// Sets of ISA extensions, and ISA strings ("rv64gc_zba_zbb") to name them. A hart executes
/// only the instructions of the extensions in its set (Hart::set_extensions); any other
/// instruction is an illegal-instruction exception, in every engine, as on a core without it.
/// A test pins what its guest may use this way, e.g. `--cpu rv64gc` for a kernel that must
/// not assume the bit-manipulation extensions.
///
/// Example:
/// \code
///   auto set = retrace::isa::ExtSet::parse("rv64gc_zba_zbb");   // throws retrace::Error
///   assert(set.contains(retrace::isa::Ext::zba) && !set.contains(retrace::isa::Ext::zbc));
///   assert(set.to_string() == "rv64gc_zba_zbb");
///   hart.set_extensions(set);
/// \endcode

#include "retrace/isa/encoding.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace retrace::isa {

/// An extension's name in ISA strings, in canonical order (single letters in "imafdc" order,
/// then the Z extensions by category, as the unprivileged spec orders them).
struct ExtName {
  Ext ext;
  std::string_view name;
};
inline constexpr std::array ext_names = {
    ExtName{Ext::i, "i"},           ExtName{Ext::m, "m"},           ExtName{Ext::a, "a"},
    ExtName{Ext::f, "f"},           ExtName{Ext::d, "d"},           ExtName{Ext::c, "c"},
    ExtName{Ext::zicbom, "zicbom"}, ExtName{Ext::zicbop, "zicbop"}, ExtName{Ext::zicboz, "zicboz"},
    ExtName{Ext::zicond, "zicond"}, ExtName{Ext::zicsr, "zicsr"},
    ExtName{Ext::zifencei, "zifencei"}, ExtName{Ext::zihintpause, "zihintpause"},
    ExtName{Ext::zfhmin, "zfhmin"}, ExtName{Ext::zba, "zba"},       ExtName{Ext::zbb, "zbb"},
    ExtName{Ext::zbc, "zbc"},       ExtName{Ext::zbs, "zbs"},
    // S extensions; sv48 and sv57 are the satp modes the MMU offers above Sv39 (not ISA-string
    // names in the spec, but how a hart's set says which modes it has)
    ExtName{Ext::sstc, "sstc"},     ExtName{Ext::svinval, "svinval"}, ExtName{Ext::svpbmt, "svpbmt"},
    ExtName{Ext::sv48, "sv48"},     ExtName{Ext::sv57, "sv57"},
    ExtName{Ext::priv, ""}, // the privileged instructions (mret, wfi, ...): always present
};

/// The name of `e` in ISA strings ("zba"); empty for Ext::priv.
[[nodiscard]] constexpr std::string_view name_of(Ext e) {
  for (const auto& n : ext_names)
    if (n.ext == e) return n.name;
  return {};
}

/// A set of extensions: a value type (a bitmask over Ext), part of a hart's state. I and the
/// privileged instructions are always in it: no RISC-V hart lacks them.
class ExtSet {
public:
  /// Every extension retrace implements (what a hart starts with).
  constexpr ExtSet() : ExtSet(all()) {}

  /// Every extension retrace implements.
  [[nodiscard]] static constexpr ExtSet all() {
    std::uint64_t b = 0;
    for (const auto& n : ext_names) b |= bit(n.ext);
    return ExtSet(b);
  }
  /// RV64GC: I, M, A, F, D, C, Zicsr and Zifencei, what QEMU's and most cores' base profile has.
  [[nodiscard]] static constexpr ExtSet rv64gc() {
    return ExtSet(bit(Ext::i) | bit(Ext::m) | bit(Ext::a) | bit(Ext::f) | bit(Ext::d) | bit(Ext::c) |
                  bit(Ext::zicsr) | bit(Ext::zifencei) | bit(Ext::priv));
  }
  /// Only what every hart has: I and the privileged instructions.
  [[nodiscard]] static constexpr ExtSet base() { return ExtSet(bit(Ext::i) | bit(Ext::priv)); }

  /// Parses an ISA string: "rv64", then single-letter extensions (i or g first; g stands for
  /// imafd_zicsr_zifencei), then multi-letter ones separated by underscores, e.g.
  /// "rv64imac_zicsr_zba" or "RV64GC_Zbb". Version suffixes ("2p1") are accepted and ignored.
  /// Throws retrace::Error (bad_argument) naming what is wrong: not rv64, an extension retrace
  /// does not know or implement (with the list of those it does), a missing dependency
  /// (d without f, zfhmin without f, f without zicsr).
  [[nodiscard]] static ExtSet parse(std::string_view isa);
  /// The canonical ISA string, "rv64gc_zba_zbb" (with `use_g`, g replaces imafd_zicsr_zifencei
  /// when all of them are present). parse(to_string()) gives the same set back.
  [[nodiscard]] std::string to_string(bool use_g = true) const;
  /// The names parse() accepts, for messages and --help ("i m a f d c g zicbop ...").
  [[nodiscard]] static std::string known_names();

  [[nodiscard]] constexpr bool contains(Ext e) const { return (m_bits & bit(e)) != 0; }
  [[nodiscard]] constexpr ExtSet with(Ext e) const { return ExtSet(m_bits | bit(e)); }
  /// The set without `e` (I and priv cannot be removed).
  [[nodiscard]] constexpr ExtSet without(Ext e) const { return ExtSet((m_bits & ~bit(e)) | base_bits()); }
  [[nodiscard]] constexpr std::uint64_t bits() const { return m_bits; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(m_bits);
    m_bits |= base_bits(); // whatever was read, I and priv stay
  }
  friend constexpr bool operator==(const ExtSet&, const ExtSet&) = default;

private:
  explicit constexpr ExtSet(std::uint64_t b) : m_bits(b | base_bits()) {}
  static constexpr std::uint64_t bit(Ext e) { return std::uint64_t{1} << static_cast<unsigned>(e); }
  static constexpr std::uint64_t base_bits() { return bit(Ext::i) | bit(Ext::priv); }
  std::uint64_t m_bits;
};

namespace detail {
constexpr bool every_row_has_a_named_extension() {
  for (const auto& row : insn_table)
    if (static_cast<unsigned>(row.ext) >= 64 || !ExtSet::all().contains(row.ext)) return false;
  return true;
}
} // namespace detail
static_assert(detail::every_row_has_a_named_extension(), "an Ext of the instruction table lacks a row in ext_names");

} // namespace retrace::isa
