// Tests for include/retrace/mem/ram.hpp: paging, and copy-on-write sharing with snapshots.
#include "retrace/mem/ram.hpp"

#include <gtest/gtest.h>

namespace {

using retrace::Ram;

std::uint32_t read32(const Ram& r, std::uint64_t at) {
  std::uint32_t v = 0;
  r.read(at, &v, 4);
  return v;
}
void write32(Ram& r, std::uint64_t at, std::uint32_t v) { r.write(at, &v, 4); }

TEST(Ram, UntouchedReadsZeroAndWritesStick) {
  Ram r(64 << 20);
  EXPECT_EQ(read32(r, 0x1234), 0u);
  EXPECT_EQ(r.pages_in_use(), 0u);
  write32(r, 0xffe, 0xdeadbeef); // crosses a page boundary
  EXPECT_EQ(read32(r, 0xffe), 0xdeadbeefu);
  EXPECT_EQ(r.pages_in_use(), 2u);
  r.clear();
  EXPECT_EQ(read32(r, 0xffe), 0u);
}

TEST(Ram, SnapshotSharesUntilWritten) {
  Ram r(64 << 20);
  for (std::uint64_t p = 0; p < 1000; ++p) write32(r, p * 4096, static_cast<std::uint32_t>(p));
  const auto snap = r.snapshot();
  // a snapshot is one pointer per 2 MiB chunk, however many pages are in use
  EXPECT_EQ(snap.chunks.size(), (64u << 20) / (2u << 20) + 1);
  EXPECT_EQ(r.pages_shared(), 1000u);
  write32(r, 7 * 4096, 99);
  EXPECT_EQ(r.pages_shared(), 999u); // exactly one page copied
  EXPECT_EQ(read32(r, 7 * 4096), 99u);
  EXPECT_EQ(snap.page(7)->at(0), 7u); // the snapshot still has the old contents
  write32(r, 5000 * 4096, 1);         // a new page in a new chunk
  EXPECT_EQ(snap.page(5000), nullptr);
  r.restore(snap);
  EXPECT_EQ(read32(r, 7 * 4096), 7u);
  EXPECT_EQ(read32(r, 5000 * 4096), 0u);
  EXPECT_EQ(r.pages_in_use(), 1000u);
  // snapshots of snapshots: each keeps its own view
  write32(r, 1 * 4096, 11);
  const auto second = r.snapshot();
  write32(r, 1 * 4096, 12);
  EXPECT_EQ(snap.page(1)->at(0), 1u);
  EXPECT_EQ(second.page(1)->at(0), 11u);
  EXPECT_EQ(read32(r, 1 * 4096), 12u);
  std::size_t visited = 0;
  second.for_each_page([&](std::size_t, const Ram::Page&) { ++visited; });
  EXPECT_EQ(visited, 1000u);
}

// A page a TLB entry was made from (mark_table): a write to it moves the generation, which
// drops every TLB entry and with them every mark; writes elsewhere, and reads, do not.
TEST(Ram, AWriteToAMarkedPageTableMovesTheGenerationOnce) {
  Ram r(64 << 20);
  write32(r, 0x3000, 1);
  write32(r, 0x5000, 1);
  const auto marks = r.code_marks();
  r.mark_table(0x3008);
  EXPECT_TRUE(r.page_has_table(0x3ff8));
  EXPECT_FALSE(r.page_has_table(0x4000));
  EXPECT_EQ(r.code_marks(), marks + 1); // stores to the page must be seen from now on
  r.mark_table(0x3010);
  EXPECT_EQ(r.code_marks(), marks + 1);
  const auto gen = r.generation();
  write32(r, 0x5000, 2); // another page
  EXPECT_EQ(read32(r, 0x3000), 1u);
  EXPECT_EQ(r.generation(), gen);
  EXPECT_TRUE(r.note_write(0x3ffc, 4)); // a hart's store through its own page pointer
  EXPECT_EQ(r.generation(), gen + 1);
  EXPECT_FALSE(r.page_has_table(0x3000)); // the TLB entries are gone, and with them the mark
  write32(r, 0x3000, 3);
  EXPECT_EQ(r.generation(), gen + 1);
  r.mark_table(0x3000);
  const auto snap = r.snapshot(); // moves the generation: marks made before it are stale
  EXPECT_FALSE(r.page_has_table(0x3000));
  r.mark_table(0x3000);
  write32(r, 0x2ffe, 0xabcd1234); // straddles into the marked page
  EXPECT_FALSE(r.page_has_table(0x3000));
  EXPECT_EQ(snap.page(3)->at(0), 3u);
}

// An OS reuses pages that held code for data: a write to decoded code drops that page's
// blocks only (its code stamp moves), and the page is data until its code is decoded again.
TEST(Ram, AWriteToDecodedCodeMovesOnlyItsPagesStamp) {
  Ram r(1 << 20);
  r.mark_code(0x3000, 16);
  r.mark_code(0x5000, 16);
  const auto a = r.code_stamp(0x3000), b = r.code_stamp(0x5000);
  EXPECT_FALSE(r.note_write(0x3040, 4)); // another line of the same page: not code
  EXPECT_EQ(r.code_stamp(0x3000), a);
  EXPECT_TRUE(r.note_write(0x3008, 4));
  EXPECT_NE(r.code_stamp(0x3000), a);
  EXPECT_EQ(r.code_stamp(0x3ff0), r.code_stamp(0x3000)); // one stamp for the whole page
  EXPECT_EQ(r.code_stamp(0x5000), b);
  EXPECT_FALSE(r.page_has_code(0x3000)); // its marks went with it
  EXPECT_TRUE(r.page_has_code(0x5000));
  const auto a2 = r.code_stamp(0x3000);
  EXPECT_FALSE(r.note_write(0x3008, 4)); // data now: no further drops
  EXPECT_EQ(r.code_stamp(0x3000), a2);
  EXPECT_EQ(r.code_writes(), 1u);
  const auto snap = r.snapshot();
  r.restore(snap); // a restore drops every page's blocks
  EXPECT_NE(r.code_stamp(0x5000), b);
}

} // namespace
