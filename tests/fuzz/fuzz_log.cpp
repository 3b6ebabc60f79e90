// libFuzzer target: the log reader (LogReader::read, read_index) on arbitrary bytes. Every
// outcome must be a retrace::Error or a log whose records can be walked; nothing else.
#include "retrace/error.hpp"
#include "retrace/replay/log.hpp"

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = retrace::fuzz::scratch_file(data, size, ".rlog");
  try {
    const auto log = retrace::LogReader::read(path);
    std::uint64_t sum = 0;
    for (const auto& r : log.records()) sum += r.icount + r.event.data.size();
    if (const auto* e = log.end()) sum += e->icount;
    for (const auto& e : log.index()) sum += e.offset;
    (void)log.header().spec.kernel.size();
    if (sum == 42) std::fputc(' ', stderr); // keep the walk
  } catch (const retrace::Error&) {
  }
  try {
    (void)retrace::LogReader::read_index(path);
  } catch (const retrace::Error&) {
  }
  return 0;
}
