// libFuzzer target: the gdb server. The input is split at newlines into packet payloads, which
// a fresh server over a small recorded run handles in turn (every command: registers, memory,
// breakpoints, stepping and continuing both ways, vCont, monitor). The framing layer reads
// the raw input too, as bytes from a client.
#include "retrace/error.hpp"
#include "retrace/gdb/rsp.hpp"
#include "retrace/gdb/server.hpp"
#include "retrace/isa/insn.hpp"
#include "retrace/replay/log.hpp"
#include "retrace/replay/replay.hpp"

#include "fuzz_support.hpp"

#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

namespace {

// A guest that counts in a loop and stores the count: 10000 instructions, recorded once.
const retrace::LogReader& small_log() {
  static const auto log = [] {
    using namespace retrace::isa;
    const std::vector<std::uint32_t> code = {
        enc_u(0, 5, 0x17),             // auipc t0, 0
        enc_i(0, 0, 0, 6, 0x13),       // li t1, 0
        enc_i(1, 6, 0, 6, 0x13),       // 1: addi t1, t1, 1
        enc_s(256, 6, 5, 3, 0x23),     // sd t1, 256(t0)
        enc_j(-8, 0, 0x6f),            // j 1b
    };
    const std::string image = "/tmp/retrace-fuzz-gdb-" + std::to_string(::getpid()) + ".bin";
    std::FILE* f = std::fopen(image.c_str(), "wb");
    std::fwrite(code.data(), 4, code.size(), f);
    std::fclose(f);
    retrace::MachineSpec spec;
    spec.kernel = image;
    spec.ram_size = 1 << 20;
    retrace::Machine m(spec);
    const std::string path = image + ".rlog";
    retrace::Recorder rec(m, path, {"fuzz", 0, 1000});
    rec.finish(rec.run(10'000));
    return std::make_unique<retrace::LogReader>(retrace::LogReader::read(path));
  }();
  return *log;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0; // a long session only repeats what short ones do
  retrace::gdb::Server server(small_log());
  std::string packet;
  for (std::size_t i = 0; i <= size; ++i) {
    if (i == size || data[i] == '\n') {
      try {
        (void)server.handle(packet);
      } catch (const retrace::Error&) {
      }
      packet.clear();
    } else {
      packet.push_back(static_cast<char>(data[i]));
    }
  }
  // The framing: the same bytes as a client's stream.
  const std::string path = retrace::fuzz::scratch_file(data, size, ".rsp");
  const int in = ::open(path.c_str(), O_RDONLY);
  const int out = ::open("/dev/null", O_WRONLY);
  if (in >= 0 && out >= 0) {
    retrace::gdb::Connection conn(in, out);
    conn.set_no_ack();
    for (int k = 0; k < 64 && !conn.closed(); ++k)
      if (conn.read().kind == retrace::gdb::Connection::Incoming::closed) break;
  }
  if (in >= 0) ::close(in);
  if (out >= 0) ::close(out);
  return 0;
}
