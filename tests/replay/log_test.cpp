// Tests for include/retrace/replay/log.hpp: round trips, and every kind of damage read as a
// valid prefix plus an error naming the offset.
#include "retrace/replay/log.hpp"

#include "files.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iterator>
#include <random>

namespace {

using namespace retrace;
using ::testing::HasSubstr;

LogHeader header() {
  LogHeader h;
  h.retrace_version = "test";
  h.spec.kernel = "k.elf";
  h.spec.loads.push_back({"d.bin", 0x80100000});
  h.images.push_back({"kernel", "k.elf", 123, 0xabcdef});
  h.seed = 42;
  h.digest_interval = 1000;
  h.label = "unit";
  return h;
}

using test::bytes_of;
using test::write_bytes;

// A log with 10000 inputs (three chunks) and an end.
std::string make_log() {
  // one file per test: ctest runs tests in parallel processes
  const std::string path =
      ::testing::TempDir() + "/unit-" + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".rlog";
  LogWriter w(path, header());
  for (std::uint64_t i = 0; i < 10'000; ++i) {
    w.input(i * 10, {InputEvent::uart_rx, std::string(1 + i % 3, static_cast<char>('a' + i % 26))});
    if (i % 1000 == 999) w.digest(i * 10, i * 7919);
  }
  w.end(100'000, StopReason::exited, 3);
  return path;
}

TEST(Log, RoundTrip) {
  const auto log = LogReader::read(make_log());
  EXPECT_FALSE(log.error());
  const auto& h = log.header();
  EXPECT_EQ(h.format_version, log_format_version);
  EXPECT_EQ(h.spec.kernel, "k.elf");
  ASSERT_EQ(h.spec.loads.size(), 1u);
  EXPECT_EQ(h.spec.loads[0].address, 0x80100000u);
  ASSERT_EQ(h.images.size(), 1u);
  EXPECT_EQ(h.images[0].xxh3, 0xabcdefu);
  EXPECT_EQ(h.seed, 42u);
  EXPECT_EQ(h.label, "unit");
  ASSERT_EQ(log.records().size(), 10'000u + 10u + 1u);
  EXPECT_EQ(log.records()[5].event.data, "fff"); // input 5: 1 + 5 % 3 copies of 'f'
  ASSERT_NE(log.end(), nullptr);
  EXPECT_EQ(log.end()->status, 3u);
  EXPECT_EQ(log.end()->reason, StopReason::exited);
}

TEST(Log, EveryTruncationReadsAValidPrefix) {
  const std::string full = bytes_of(make_log());
  const std::string path = ::testing::TempDir() + "/cut.rlog";
  std::size_t last_count = 0;
  int header_errors = 0, prefix_reads = 0;
  for (std::size_t len = 0; len < full.size(); len += (len < 200 ? 1 : 37)) {
    write_bytes(path, full.substr(0, len));
    try {
      const auto log = LogReader::read(path);
      ++prefix_reads;
      ASSERT_TRUE(log.error().has_value()) << "a cut log must say so, at " << len;
      EXPECT_EQ(log.error()->code(), Errc::bad_log);
      EXPECT_TRUE(log.error()->context().offset.has_value());
      // a cut inside the index after the end record keeps every record
      if (log.end() != nullptr) {
        EXPECT_THAT(log.error()->message(), HasSubstr("not a valid index"));
      }
      EXPECT_GE(log.records().size(), last_count); // a longer prefix never reads fewer records
      last_count = log.records().size();
    } catch (const Error& e) {
      ++header_errors;
      EXPECT_EQ(e.code(), Errc::bad_log) << e.what();
      EXPECT_THAT(e.what(), HasSubstr(path));
    }
  }
  EXPECT_GT(header_errors, 10);
  EXPECT_GT(prefix_reads, 10);
  EXPECT_GT(last_count, 8000u); // the first chunks survive a cut in the last one
}

TEST(Log, IndexListsEveryChunkAndIsReadFromTheEnd) {
  const std::string path = make_log();
  const auto log = LogReader::read(path);
  ASSERT_FALSE(log.error());
  ASSERT_GE(log.index().size(), 3u); // 10010 records: at least three chunks
  std::uint64_t records = 0;
  for (const auto& e : log.index()) records += e.records;
  EXPECT_EQ(records, log.records().size());
  EXPECT_EQ(log.index().back().last_icount, 100'000u);
  const auto from_end = LogReader::read_index(path);
  ASSERT_EQ(from_end.size(), log.index().size());
  for (std::size_t k = 0; k < from_end.size(); ++k) {
    EXPECT_EQ(from_end[k].offset, log.index()[k].offset);
    EXPECT_EQ(from_end[k].first_icount, log.index()[k].first_icount);
  }
  // the first icount of chunk k is found without reading the chunks before it
  const std::string b = bytes_of(path);
  EXPECT_EQ(b.substr(from_end[1].offset, 4), "CHNK");
}

TEST(Log, CorruptionIsCaughtByChecksums) {
  const std::string full = bytes_of(make_log());
  const std::string path = ::testing::TempDir() + "/bad.rlog";
  std::mt19937 rng(3);
  int caught = 0;
  for (int k = 0; k < 300; ++k) {
    std::string b = full;
    const std::size_t at = rng() % b.size();
    b[at] = static_cast<char>(b[at] ^ (1 + rng() % 255));
    write_bytes(path, b);
    try {
      const auto log = LogReader::read(path);
      if (log.error()) ++caught;
      EXPECT_TRUE(log.error().has_value()) << "flipped byte " << at << " went unnoticed";
    } catch (const Error& e) {
      ++caught;
      EXPECT_EQ(e.code(), Errc::bad_log);
    }
  }
  EXPECT_EQ(caught, 300);
}

TEST(Log, GarbageAndWrongVersionsAreClearErrors) {
  const std::string path = ::testing::TempDir() + "/garbage.rlog";
  write_bytes(path, "this is not a log at all, not even close");
  try {
    (void)LogReader::read(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a retrace log (bad magic)"));
    EXPECT_EQ(e.context().offset, 0u);
  }
  std::string b = bytes_of(make_log());
  b[12] = 99; // format version
  write_bytes(path, b);
  try {
    (void)LogReader::read(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("log format version 99; this retrace reads version " + std::to_string(log_format_version)));
  }
  EXPECT_THROW((void)LogReader::read("/nonexistent.rlog"), Error);
}

TEST(Log, RandomBytesAfterAValidHeaderNeverCrash) {
  const std::string full = bytes_of(make_log());
  const std::string path = ::testing::TempDir() + "/fuzz.rlog";
  // header length + 20 + 8 is where chunks begin
  const std::size_t chunks_at = 20 + (static_cast<unsigned char>(full[16]) | static_cast<unsigned char>(full[17]) << 8) + 8;
  std::mt19937_64 rng(5);
  for (int k = 0; k < 200; ++k) {
    std::string b = full.substr(0, chunks_at);
    // a plausible chunk header with random sizes, then random payload
    const std::uint32_t words[4] = {0x4b4e4843, static_cast<std::uint32_t>(rng() % 4096),
                                    static_cast<std::uint32_t>(rng()), static_cast<std::uint32_t>(rng())};
    b.append(reinterpret_cast<const char*>(words), sizeof words);
    for (int i = 0; i < 8 + static_cast<int>(rng() % 5000); ++i) b.push_back(static_cast<char>(rng()));
    write_bytes(path, b);
    const auto log = LogReader::read(path);
    EXPECT_TRUE(log.error().has_value());
    EXPECT_TRUE(log.records().empty());
  }
}

} // namespace
