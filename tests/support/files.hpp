#pragma once
// Whole files as strings, for tests that damage logs byte by byte.
#include <fstream>
#include <iterator>
#include <string>

namespace retrace::test {

inline std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
inline void write_bytes(const std::string& path, const std::string& b) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

} // namespace retrace::test
