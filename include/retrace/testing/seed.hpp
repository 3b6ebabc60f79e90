#pragma once
/// \file
/// Randomness from one seed: every consumer derives its own named stream, so adding a new
/// consumer never shifts the numbers another one sees, and a run is a pure function of its seed.
///
/// Example:
/// \code
///   retrace::Rng jitter = retrace::Rng::derive(seed, "input-jitter");
///   std::uint64_t delay = jitter.below(1000);
/// \endcode

#include <cstdint>
#include <string_view>

namespace retrace {

/// A small, fast, deterministic generator (xoshiro256**), seeded through splitmix64.
class Rng {
public:
  explicit Rng(std::uint64_t seed) noexcept {
    for (auto& w : m_s) w = splitmix(seed);
  }
  /// The stream called `name` of run seed `seed`.
  [[nodiscard]] static Rng derive(std::uint64_t seed, std::string_view name) noexcept;

  /// The next 64 random bits.
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
  }
  /// Uniform in [0, bound) (0 when bound is 0), without modulo bias.
  std::uint64_t below(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
    std::uint64_t v;
    do v = next();
    while (v >= limit);
    return v % bound;
  }
  /// Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept { return lo + below(hi - lo + 1); }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t m_s[4];
};

} // namespace retrace
