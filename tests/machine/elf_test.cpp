// Tests for include/retrace/machine/elf.hpp.
#include "retrace/error.hpp"
#include "retrace/machine/elf.hpp"

#include "guests.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using retrace::ElfFile;
using retrace::Errc;
using retrace::Error;
using ::testing::HasSubstr;

TEST(ElfFile, ReadsHelloHeader) {
  const auto elf = ElfFile::load(retrace::test::guest_fixture("hello").elf);
  EXPECT_EQ(elf.machine(), 243); // EM_RISCV
  EXPECT_TRUE(elf.is_64bit());
  EXPECT_EQ(elf.entry(), 0x8000'0000u);
  EXPECT_EQ(elf.flags() & 0x6, 0x4u); // EF_RISCV_FLOAT_ABI_DOUBLE: lp64d
  ASSERT_FALSE(elf.segments().empty());
  EXPECT_EQ(elf.segments().front().paddr, 0x8000'0000u);
  EXPECT_EQ(elf.symbol("_start"), 0x8000'0000u);
  ASSERT_TRUE(elf.symbol("main").has_value());
  const auto where = elf.symbolize(*elf.symbol("main") + 4);
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->first->name, "main");
  EXPECT_EQ(where->second, 4u);
}

Error parse_error(std::vector<std::uint8_t> bytes) {
  try {
    (void)ElfFile::parse(std::move(bytes), "test.elf");
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "parse accepted a bad ELF";
  return Error(Errc::io, "none");
}

TEST(ElfFile, RejectsGarbage) {
  const auto e = parse_error({'n', 'o', 't', ' ', 'e', 'l', 'f'});
  EXPECT_EQ(e.code(), Errc::bad_elf);
  EXPECT_THAT(e.what(), HasSubstr("test.elf"));
  EXPECT_THAT(e.what(), HasSubstr("bad magic"));
}

TEST(ElfFile, RejectsEmptyFile) { EXPECT_EQ(parse_error({}).code(), Errc::bad_elf); }

TEST(ElfFile, RejectsEveryTruncation) {
  // Every prefix of a real ELF is either rejected cleanly or (when the cut is past the
  // program headers and segments) accepted; none crashes.
  const auto full = ElfFile::load(retrace::test::guest_fixture("hello").elf).bytes();
  int rejected = 0;
  for (std::size_t len = 0; len < full.size(); len += (len < 256 ? 1 : 97)) {
    try {
      (void)ElfFile::parse({full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len)}, "cut.elf");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::bad_elf) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 64);
}

TEST(ElfFile, RejectsOtherMachines) {
  auto bytes = ElfFile::load(retrace::test::guest_fixture("hello").elf).bytes();
  bytes[18] = 62; // EM_X86_64
  bytes[19] = 0;
  const auto e = parse_error(bytes);
  EXPECT_THAT(e.message(), HasSubstr("not a RISC-V ELF (e_machine 62)"));
  EXPECT_EQ(e.context().offset, 18u);
}

TEST(ElfFile, RejectsSegmentPastEndOfFile) {
  auto bytes = ElfFile::load(retrace::test::guest_fixture("hello").elf).bytes();
  // Corrupt the first PT_LOAD entry's p_filesz and p_memsz (ELF64 layout).
  auto le = [&](std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t(bytes[at + i]) << (8 * i);
    return v;
  };
  const std::uint64_t phoff = le(32, 8), phentsize = le(54, 2), phnum = le(56, 2);
  std::uint64_t load = 0;
  for (std::uint64_t i = 0; i < phnum && !load; ++i)
    if (le(phoff + i * phentsize, 4) == 1) load = phoff + i * phentsize; // PT_LOAD
  ASSERT_NE(load, 0u);
  for (int i = 0; i < 8; ++i) {
    bytes[load + 32 + i] = 0xff; // p_filesz
    bytes[load + 40 + i] = 0xff; // p_memsz
  }
  const auto e = parse_error(bytes);
  EXPECT_THAT(e.message(), HasSubstr("past the end of the file"));
}

TEST(ElfFile, MissingFileIsAnIoError) {
  try {
    (void)ElfFile::load("/nonexistent/guest.elf");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::io);
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/guest.elf"));
  }
}

} // namespace
