// Tests for include/retrace/devices/sifive_test.hpp and htif.hpp.
#include "retrace/devices/htif.hpp"
#include "retrace/devices/sifive_test.hpp"

#include <gtest/gtest.h>

namespace {

TEST(SifiveTest, PassFailReset) {
  retrace::SifiveTest t;
  bool attention = false;
  t.attention = &attention;
  t.store(0, 4, 0x5555);
  ASSERT_TRUE(t.request);
  EXPECT_EQ(t.request->kind, retrace::FinishRequest::exit);
  EXPECT_EQ(t.request->status, 0u);
  EXPECT_TRUE(attention);
  t.request.reset();
  t.store(0, 4, (42u << 16) | 0x3333);
  EXPECT_EQ(t.request->status, 42u);
  t.request.reset();
  t.store(0, 4, 0x7777);
  EXPECT_EQ(t.request->kind, retrace::FinishRequest::reset);
  t.request.reset();
  t.store(0, 4, 0x1234); // anything else is ignored
  EXPECT_FALSE(t.request);
  t.store(4, 4, 0x5555); // other offsets too
  EXPECT_FALSE(t.request);
}

TEST(Htif, ExitAndConsole) {
  retrace::Bus bus(0x8000'0000, 1 << 20);
  const std::uint64_t tohost = 0x8000'1000, fromhost = 0x8000'1008;
  retrace::Htif htif(bus, tohost, fromhost);
  bus.watch(tohost, 8, htif);
  std::string out;
  htif.console = [&](char c) { out += c; };
  bus.store(tohost, 8, (1ull << 56) | (1ull << 48) | 'A');
  EXPECT_EQ(out, "A");
  std::uint64_t v = 1;
  bus.load(tohost, 8, v);
  EXPECT_EQ(v, 0u); // acknowledged
  bus.load(fromhost, 8, v);
  EXPECT_EQ(v, (1ull << 56) | (1ull << 48));
  EXPECT_FALSE(htif.request);
  bus.store(tohost, 8, (5u << 1) | 1);
  ASSERT_TRUE(htif.request);
  EXPECT_EQ(htif.request->status, 5u);
}

} // namespace
