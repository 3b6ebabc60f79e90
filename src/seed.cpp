// Named streams: the stream's name is hashed together with the run seed (xxHash), so streams
// are independent of each other and of the order they are created in. Keyed draws likewise.
#include "retrace/detail/draw.hpp"
#include "retrace/testing/seed.hpp"

#include <xxhash.h>

namespace retrace {

Rng Rng::derive(std::uint64_t seed, std::string_view name) noexcept {
  return Rng(XXH3_64bits_withSeed(name.data(), name.size(), seed));
}

std::uint64_t detail::keyed_draw(std::uint64_t key, std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t in[2] = {a, b};
  return XXH3_64bits_withSeed(in, sizeof in, key);
}

} // namespace retrace
