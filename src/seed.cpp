// Named streams: the stream's name is hashed together with the run seed (xxHash), so streams
// are independent of each other and of the order they are created in.
#include "retrace/testing/seed.hpp"

#include <xxhash.h>

namespace retrace {

Rng Rng::derive(std::uint64_t seed, std::string_view name) noexcept {
  return Rng(XXH3_64bits_withSeed(name.data(), name.size(), seed));
}

} // namespace retrace
