// Packs: a log plus its images in one zstd frame. Unpacking rewrites the log's header to
// point at the unpacked images and checks their content hashes.
#include "retrace/replay/pack.hpp"

#include "retrace/error.hpp"
#include "retrace/replay/log.hpp"

#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <xxhash.h>
#include <zstd.h>

namespace retrace {
namespace {

constexpr char magic[12] = {'R', 'E', 'T', 'R', 'A', 'C', 'E', '-', 'P', 'A', 'C', 'K'};
constexpr std::uint32_t pack_version = 1;
constexpr std::uint64_t max_pack = 4ull << 30;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot open", {path, {}, {}});
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint64_t get(const std::string& b, std::size_t& at, int bytes, const std::string& path) {
  if (b.size() - at < static_cast<std::size_t>(bytes)) throw Error(Errc::bad_log, "truncated pack", {path, at, {}});
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t(static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)])) << (8 * i);
  at += static_cast<std::size_t>(bytes);
  return v;
}

} // namespace

void write_pack(const std::string& log_path, const std::string& pack_path) {
  const auto log = LogReader::read(log_path);
  std::string body;
  put(body, 1 + log.header().images.size(), 4);
  auto add = [&](const std::string& name, const std::string& bytes) {
    put(body, name.size(), 4);
    body += name;
    put(body, bytes.size(), 8);
    body += bytes;
  };
  add("log", slurp(log_path));
  for (const auto& img : log.header().images) {
    const std::string bytes = slurp(img.path);
    if (XXH3_64bits(bytes.data(), bytes.size()) != img.xxh3)
      throw Error(Errc::bad_image, "image changed since the recording: not packing it", {img.path, {}, {}});
    add(img.role + ":" + std::filesystem::path(img.path).filename().string(), bytes);
  }
  std::string packed(ZSTD_compressBound(body.size()), '\0');
  const auto n = ZSTD_compress(packed.data(), packed.size(), body.data(), body.size(), 9);
  if (ZSTD_isError(n)) throw Error(Errc::io, std::string("zstd: ") + ZSTD_getErrorName(n), {pack_path, {}, {}});
  packed.resize(n);
  std::ofstream out(pack_path, std::ios::binary);
  out.write(magic, sizeof magic);
  std::string head;
  put(head, pack_version, 4);
  out << head << packed;
  if (!out) throw Error(Errc::io, "cannot write pack", {pack_path, {}, {}});
}

bool is_pack(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char m[sizeof magic] = {};
  in.read(m, sizeof m);
  return in && std::memcmp(m, magic, sizeof magic) == 0;
}

std::string unpack(const std::string& pack_path, const std::string& dir) {
  const std::string b = slurp(pack_path);
  if (b.size() < sizeof magic + 4 || std::memcmp(b.data(), magic, sizeof magic) != 0)
    throw Error(Errc::bad_log, "not a retrace pack", {pack_path, 0, {}});
  std::size_t at = sizeof magic;
  const auto version = get(b, at, 4, pack_path);
  if (version != pack_version)
    throw Error(Errc::bad_log, fmt::format("pack version {}; this retrace reads {}", version, pack_version), {pack_path, 12, {}});
  const auto content = ZSTD_getFrameContentSize(b.data() + at, b.size() - at);
  if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN || content > max_pack)
    throw Error(Errc::bad_log, "damaged pack (bad zstd frame)", {pack_path, at, {}});
  std::string body(static_cast<std::size_t>(content), '\0');
  const auto got = ZSTD_decompress(body.data(), body.size(), b.data() + at, b.size() - at);
  if (ZSTD_isError(got) || got != content) throw Error(Errc::bad_log, "damaged pack (does not decompress)", {pack_path, at, {}});

  std::size_t p = 0;
  const auto count = get(body, p, 4, pack_path);
  if (count < 1 || count > 1025) throw Error(Errc::bad_log, fmt::format("{} entries", count), {pack_path, {}, {}});
  std::vector<std::pair<std::string, std::string>> entries;
  for (std::uint64_t k = 0; k < count; ++k) {
    const auto nlen = get(body, p, 4, pack_path);
    if (body.size() - p < nlen) throw Error(Errc::bad_log, "truncated entry name", {pack_path, {}, {}});
    std::string name = body.substr(p, static_cast<std::size_t>(nlen));
    p += static_cast<std::size_t>(nlen);
    const auto size = get(body, p, 8, pack_path);
    if (body.size() - p < size) throw Error(Errc::bad_log, "truncated entry", {pack_path, {}, {}});
    entries.emplace_back(std::move(name), body.substr(p, static_cast<std::size_t>(size)));
    p += static_cast<std::size_t>(size);
  }
  std::filesystem::create_directories(dir);
  const std::string original_log = dir + "/packed.rlog";
  std::ofstream(original_log, std::ios::binary) << entries[0].second;
  const auto log = LogReader::read(original_log);
  if (log.header().images.size() != entries.size() - 1)
    throw Error(Errc::bad_log, "the pack's images do not match its log", {pack_path, {}, {}});
  // Write the images and point a rewritten header at them.
  LogHeader header = log.header();
  for (std::size_t i = 0; i < header.images.size(); ++i) {
    auto& img = header.images[i];
    const std::string& bytes = entries[i + 1].second;
    if (XXH3_64bits(bytes.data(), bytes.size()) != img.xxh3)
      throw Error(Errc::bad_log, fmt::format("packed {} image does not match the log's hash", img.role), {pack_path, {}, {}});
    const std::string file = fmt::format("{}/{}-{}", dir, i, std::filesystem::path(img.path).filename().string());
    std::ofstream(file, std::ios::binary) << bytes;
    // the spec names the same file in the same role
    if (img.role == "kernel") {
      header.spec.kernel = file;
    } else if (img.role == "bios") {
      header.spec.bios = file;
    } else if (img.role == "initrd") {
      header.spec.initrd = file;
    } else if (img.role == "dtb") {
      header.spec.dtb = file;
    } else if (img.role == "drive") {
      for (auto& d : header.spec.drives)
        if (d.path == img.path) d.path = file;
    } else {
      for (auto& l : header.spec.loads)
        if (l.path == img.path) l.path = file;
    }
    img.path = file;
  }
  const std::string out = dir + "/run.rlog";
  {
    LogWriter w(out, header);
    for (const auto& r : log.records()) {
      if (r.kind == LogRecord::input) w.input(r.icount, r.event);
      else if (r.kind == LogRecord::digest) w.digest(r.icount, r.digest_value);
      else if (r.kind == LogRecord::schedule) w.schedule(r.decision);
      else w.end(r.icount, r.reason, r.status);
    }
  }
  std::filesystem::remove(original_log);
  return out;
}

} // namespace retrace
