#pragma once
/// \file
/// The one error type of retrace. Bad input (a malformed ELF, a corrupt log, a garbage gdb
/// packet, a hostile guest) never aborts the process: it becomes a retrace::Error carrying a
/// code, a message and where it happened (file, byte offset, icount), and the CLI turns it
/// into a clear message and exit status 2.
///
/// Example:
/// \code
///   try {
///     auto elf = retrace::ElfFile::load("guest.elf");
///   } catch (const retrace::Error& e) {
///     std::cerr << e.what() << '\n';   // "guest.elf: not a RISC-V ELF (e_machine 62) [bad_elf]"
///   }
/// \endcode

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace retrace {

/// What kind of thing went wrong; stable, so tests and tools can match on it.
enum class Errc {
  io,           ///< a file could not be opened, read or written
  bad_elf,      ///< an ELF file is malformed or not for this machine
  bad_image,    ///< a raw image or disk image does not fit the machine
  bad_spec,     ///< a machine spec is inconsistent
  bad_log,      ///< a replay log is corrupt, truncated or of another version
  bad_packet,   ///< a gdb remote-protocol packet is malformed
  bad_argument, ///< a caller passed an invalid value
  unsupported,  ///< valid input that retrace does not implement
};

/// Name of an Errc, e.g. "bad_elf".
[[nodiscard]] constexpr const char* to_string(Errc c) noexcept {
  switch (c) {
  case Errc::io: return "io";
  case Errc::bad_elf: return "bad_elf";
  case Errc::bad_image: return "bad_image";
  case Errc::bad_spec: return "bad_spec";
  case Errc::bad_log: return "bad_log";
  case Errc::bad_packet: return "bad_packet";
  case Errc::bad_argument: return "bad_argument";
  case Errc::unsupported: return "unsupported";
  }
  return "unknown";
}

/// Where an error happened; every part is optional.
struct ErrorContext {
  std::string file;                 ///< file the error is about
  std::optional<std::uint64_t> offset; ///< byte offset within that file
  std::optional<std::uint64_t> icount; ///< instruction count in the run
};

/// retrace's exception type: code + message + context, with what() formatted for a person.
class Error : public std::runtime_error {
public:
  Error(Errc code, const std::string& message, ErrorContext context = {})
      : std::runtime_error(format(code, message, context)), m_code(code), m_message(message),
        m_context(std::move(context)) {}

  [[nodiscard]] Errc code() const noexcept { return m_code; }
  /// The message without the context decoration.
  [[nodiscard]] const std::string& message() const noexcept { return m_message; }
  [[nodiscard]] const ErrorContext& context() const noexcept { return m_context; }

private:
  static std::string format(Errc code, const std::string& message, const ErrorContext& c) {
    std::string s;
    if (!c.file.empty()) s += c.file + ": ";
    if (c.offset) s += "offset " + std::to_string(*c.offset) + ": ";
    if (c.icount) s += "icount " + std::to_string(*c.icount) + ": ";
    s += message;
    s += " [";
    s += to_string(code);
    s += "]";
    return s;
  }

  Errc m_code;
  std::string m_message;
  ErrorContext m_context;
};

} // namespace retrace
