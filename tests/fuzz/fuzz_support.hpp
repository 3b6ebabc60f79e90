#pragma once
// Shared by the libFuzzer targets: a scratch file per process (the readers under test take
// paths), and a small guest for the targets that need a machine or a log.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace retrace::fuzz {

/// Writes the input to this process's scratch file and returns its path.
inline std::string scratch_file(const std::uint8_t* data, std::size_t size, const char* suffix) {
  const std::string path = "/tmp/retrace-fuzz-" + std::to_string(::getpid()) + suffix;
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  return path;
}

} // namespace retrace::fuzz
