#pragma once
/// \file
/// The GDB remote serial protocol's framing: `$packet#xx` with a two-digit checksum, `+`/`-`
/// acknowledgements (until no-ack mode), `}` escapes, and the 0x03 interrupt byte. Reads are
/// bounded: a packet longer than max_packet, a bad checksum or a stray byte is an error or is
/// ignored, never a crash.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace retrace::gdb {

inline constexpr std::size_t max_packet = 16384;

/// Hex helpers for packet payloads.
[[nodiscard]] std::string to_hex(std::string_view bytes);
[[nodiscard]] std::optional<std::string> from_hex(std::string_view hex);
/// A little-endian value as 2*size hex digits (register values in g/p replies).
[[nodiscard]] std::string le_hex(std::uint64_t value, unsigned size);
/// Parses a hex number; nullopt unless the whole string is hex digits (1..16 of them).
[[nodiscard]] std::optional<std::uint64_t> parse_hex(std::string_view s);

/// One end of a connection: file descriptors to read and write (a socket, or stdin/stdout).
class Connection {
public:
  Connection(int in_fd, int out_fd) : m_in(in_fd), m_out(out_fd) {}

  /// What read() got.
  struct Incoming {
    enum Kind { packet, interrupt, closed } kind = closed;
    std::string data; ///< the packet's payload, unescaped
  };
  /// Blocks for the next packet (acknowledging it unless in no-ack mode) or an interrupt.
  Incoming read();
  /// True (and consumed) if the next byte waiting is an interrupt (0x03), or the client has gone;
  /// used while continuing. Other waiting bytes are left for read().
  bool interrupt_pending();
  /// Sends a packet and, unless in no-ack mode, waits for its '+' (resending on '-').
  void send(std::string_view payload);
  void set_no_ack() { m_no_ack = true; }
  [[nodiscard]] bool closed() const noexcept { return m_closed; }

private:
  int get_byte(); // -1 at end
  int m_in, m_out;
  bool m_no_ack = false;
  bool m_closed = false;
  std::string m_buffer;
  std::size_t m_pos = 0;
};

} // namespace retrace::gdb
