#pragma once
/// \file
/// Declarative invariants over guest memory: a typed value at a symbol or address, compared
/// with a constant, gives an Invariant whose description uses the predicate syntax of
/// `retrace bisect` ("u32[counter] <= 10").
///
/// Example:
/// \code
///   s.invariant(retrace::u32_at("counter") <= 10);
///   s.invariant(retrace::u64_at(0x8000'1000) != 0);
/// \endcode

#include "retrace/machine/machine.hpp"
#include "retrace/testing/scenario.hpp"

#include <cstdint>
#include <fmt/format.h>
#include <functional>
#include <string>
#include <variant>

namespace retrace {

/// A T in guest memory, at a symbol of the ELF or at a physical address.
template <class T>
class MemoryProbe {
public:
  MemoryProbe(std::string type_name, std::string symbol) : m_type(std::move(type_name)), m_where(std::move(symbol)) {}
  MemoryProbe(std::string type_name, std::uint64_t address) : m_type(std::move(type_name)), m_where(address) {}

  /// The value now.
  [[nodiscard]] T value(const Machine& m) const {
    const std::uint64_t addr =
        std::holds_alternative<std::string>(m_where) ? m.symbol_address(std::get<std::string>(m_where)) : std::get<std::uint64_t>(m_where);
    return m.read<T>(addr);
  }
  /// "u32[counter]" or "u32[0x80001000]".
  [[nodiscard]] std::string text() const {
    return std::holds_alternative<std::string>(m_where) ? fmt::format("{}[{}]", m_type, std::get<std::string>(m_where))
                                                        : fmt::format("{}[{:#x}]", m_type, std::get<std::uint64_t>(m_where));
  }

  friend Invariant operator<=(const MemoryProbe& p, T v) { return p.make("<=", v, [v](T x) { return x <= v; }); }
  friend Invariant operator<(const MemoryProbe& p, T v) { return p.make("<", v, [v](T x) { return x < v; }); }
  friend Invariant operator>=(const MemoryProbe& p, T v) { return p.make(">=", v, [v](T x) { return x >= v; }); }
  friend Invariant operator>(const MemoryProbe& p, T v) { return p.make(">", v, [v](T x) { return x > v; }); }
  friend Invariant operator==(const MemoryProbe& p, T v) { return p.make("==", v, [v](T x) { return x == v; }); }
  friend Invariant operator!=(const MemoryProbe& p, T v) { return p.make("!=", v, [v](T x) { return x != v; }); }

private:
  template <class F>
  Invariant make(const char* op, T v, F f) const {
    MemoryProbe self = *this;
    return {fmt::format("{} {} {}", text(), op, v), [self, f](const Machine& m) { return f(self.value(m)); }};
  }
  std::string m_type;
  std::variant<std::string, std::uint64_t> m_where;
};

inline MemoryProbe<std::uint8_t> u8_at(std::string symbol) { return {"u8", std::move(symbol)}; }
inline MemoryProbe<std::uint16_t> u16_at(std::string symbol) { return {"u16", std::move(symbol)}; }
inline MemoryProbe<std::uint32_t> u32_at(std::string symbol) { return {"u32", std::move(symbol)}; }
inline MemoryProbe<std::uint64_t> u64_at(std::string symbol) { return {"u64", std::move(symbol)}; }
inline MemoryProbe<std::int32_t> i32_at(std::string symbol) { return {"i32", std::move(symbol)}; }
inline MemoryProbe<std::int64_t> i64_at(std::string symbol) { return {"i64", std::move(symbol)}; }
inline MemoryProbe<std::uint32_t> u32_at(std::uint64_t address) { return {"u32", address}; }
inline MemoryProbe<std::uint64_t> u64_at(std::uint64_t address) { return {"u64", address}; }

} // namespace retrace
