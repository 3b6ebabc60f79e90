// RSP framing over file descriptors.
#include "retrace/gdb/rsp.hpp"

#include <cerrno>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

namespace retrace::gdb {

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    auto v = parse_hex(hex.substr(i, 2));
    if (!v) return std::nullopt;
    out.push_back(static_cast<char>(*v));
  }
  return out;
}

std::string le_hex(std::uint64_t value, unsigned size) {
  std::string out;
  for (unsigned i = 0; i < size; ++i) out += fmt::format("{:02x}", (value >> (8 * i)) & 0xff);
  return out;
}

std::optional<std::uint64_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 16) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

int Connection::get_byte() {
  if (m_pos < m_buffer.size()) return static_cast<unsigned char>(m_buffer[m_pos++]);
  if (m_closed) return -1;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(m_in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      m_closed = true;
      return -1;
    }
    m_buffer.assign(buf, static_cast<std::size_t>(n));
    m_pos = 0;
    return static_cast<unsigned char>(m_buffer[m_pos++]);
  }
}

bool Connection::interrupt_pending() {
  if (m_pos >= m_buffer.size()) {
    pollfd p{m_in, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP))) return false;
    char buf[4096];
    const ssize_t n = ::read(m_in, buf, sizeof buf);
    if (n <= 0) {
      m_closed = true;
      return true; // the client went away: stop what we are doing
    }
    m_buffer.assign(buf, static_cast<std::size_t>(n));
    m_pos = 0;
  }
  if (m_buffer[m_pos] == '\x03') { // consume the interrupt: it is answered by the stop reply
    ++m_pos;
    return true;
  }
  return false; // something else is waiting: it is read as the next packet
}

Connection::Incoming Connection::read() {
  for (;;) {
    int c = get_byte();
    if (c < 0) return {Incoming::closed, {}};
    if (c == 0x03) return {Incoming::interrupt, {}};
    if (c != '$') continue; // acks and noise between packets
    std::string data;
    bool escaped = false, too_long = false;
    for (;;) {
      c = get_byte();
      if (c < 0) return {Incoming::closed, {}};
      if (c == '#') break;
      if (data.size() >= max_packet) too_long = true;
      if (too_long) continue;
      if (escaped) {
        data.push_back(static_cast<char>(c ^ 0x20));
        escaped = false;
      } else if (c == '}') {
        escaped = true;
      } else {
        data.push_back(static_cast<char>(c));
      }
    }
    const int h = get_byte(), l = get_byte();
    if (h < 0 || l < 0) return {Incoming::closed, {}};
    const char sum_text[2] = {static_cast<char>(h), static_cast<char>(l)};
    const auto sum = parse_hex(std::string_view(sum_text, 2));
    // The checksum covers the bytes as sent; recompute it over the escaped form.
    unsigned computed = 0;
    for (unsigned char ch : data) {
      if (ch == '$' || ch == '#' || ch == '}' || ch == '*') computed += '}' + (ch ^ 0x20);
      else computed += ch;
    }
    const bool ok = !too_long && sum && (*sum == (computed & 0xff) || m_no_ack);
    if (!m_no_ack) {
      const char reply = ok ? '+' : '-';
      (void)!::write(m_out, &reply, 1);
    }
    if (ok) return {Incoming::packet, std::move(data)};
  }
}

void Connection::send(std::string_view payload) {
  std::string frame = "$";
  unsigned sum = 0;
  for (unsigned char c : payload) {
    if (c == '$' || c == '#' || c == '}' || c == '*') {
      frame.push_back('}');
      frame.push_back(static_cast<char>(c ^ 0x20));
      sum += '}' + (c ^ 0x20);
    } else {
      frame.push_back(static_cast<char>(c));
      sum += c;
    }
  }
  frame += fmt::format("#{:02x}", sum & 0xff);
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::size_t off = 0;
    while (off < frame.size()) {
      const ssize_t n = ::write(m_out, frame.data() + off, frame.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        m_closed = true;
        return;
      }
      off += static_cast<std::size_t>(n);
    }
    if (m_no_ack) return;
    const int ack = get_byte();
    if (ack == '+' || ack < 0) return;
    if (ack == 0x03 || ack == '$') { // an interrupt or the next packet: the reply got through
      m_buffer.insert(m_pos, 1, static_cast<char>(ack));
      return;
    }
  }
}

} // namespace retrace::gdb
