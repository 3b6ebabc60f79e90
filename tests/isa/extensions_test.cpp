// Tests for include/retrace/isa/extensions.hpp: ISA strings parse into the sets they name,
// print back canonically, bad ones give a clear error, and a set survives a cereal round trip.
#include "retrace/isa/extensions.hpp"

#include "retrace/error.hpp"

#include <cereal/archives/binary.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>

namespace {

using retrace::isa::Ext;
using retrace::isa::ExtSet;

std::string parse_error(const std::string& isa) {
  try {
    (void)ExtSet::parse(isa);
  } catch (const retrace::Error& e) {
    EXPECT_EQ(e.code(), retrace::Errc::bad_argument);
    return e.what();
  }
  return "(no error)";
}

TEST(ExtSet, DefaultIsEverythingAndBaseIsAlwaysThere) {
  EXPECT_EQ(ExtSet{}, ExtSet::all());
  for (const auto& n : retrace::isa::ext_names) EXPECT_TRUE(ExtSet{}.contains(n.ext)) << n.name;
  EXPECT_TRUE(ExtSet::base().contains(Ext::i));
  EXPECT_TRUE(ExtSet::base().contains(Ext::priv));
  EXPECT_FALSE(ExtSet::base().contains(Ext::m));
  EXPECT_TRUE(ExtSet::rv64gc().without(Ext::i).contains(Ext::i)); // cannot be removed
  EXPECT_FALSE(ExtSet::all().without(Ext::zbb).contains(Ext::zbb));
  EXPECT_TRUE(ExtSet::base().with(Ext::zba).contains(Ext::zba));
}

TEST(ExtSet, ParsesIsaStrings) {
  const ExtSet gc = ExtSet::parse("rv64gc");
  EXPECT_EQ(gc, ExtSet::rv64gc());
  for (Ext e : {Ext::i, Ext::m, Ext::a, Ext::f, Ext::d, Ext::c, Ext::zicsr, Ext::zifencei}) EXPECT_TRUE(gc.contains(e));
  for (Ext e : {Ext::zba, Ext::zbb, Ext::zbc, Ext::zbs, Ext::zicond, Ext::zfhmin}) EXPECT_FALSE(gc.contains(e));
  EXPECT_EQ(ExtSet::parse("rv64imafdc_zicsr_zifencei"), gc);
  EXPECT_EQ(ExtSet::parse("RV64GC"), gc);
  EXPECT_EQ(ExtSet::parse("rv64i2p1m2p0a2p1f2p2d2p2c2p0_zicsr2p0_zifencei2p0"), gc); // versions ignored
  EXPECT_EQ(ExtSet::parse("rv64gc_zba_zbb"), gc.with(Ext::zba).with(Ext::zbb));
  EXPECT_EQ(ExtSet::parse("rv64i"), ExtSet::base());
  EXPECT_EQ(ExtSet::parse("rv64i_m_a"), ExtSet::base().with(Ext::m).with(Ext::a)); // letters after underscores
  const ExtSet imac = ExtSet::parse("rv64imac_zicsr");
  EXPECT_FALSE(imac.contains(Ext::f));
  EXPECT_FALSE(imac.contains(Ext::zifencei));
  EXPECT_TRUE(imac.contains(Ext::c));
}

TEST(ExtSet, PrintsCanonicallyAndRoundTrips) {
  EXPECT_EQ(ExtSet::rv64gc().to_string(), "rv64gc");
  EXPECT_EQ(ExtSet::rv64gc().to_string(false), "rv64imafdc_zicsr_zifencei");
  EXPECT_EQ(ExtSet::parse("rv64gc_zbb_zba").to_string(), "rv64gc_zba_zbb");
  EXPECT_EQ(ExtSet::parse("rv64imac_zicsr").to_string(), "rv64imac_zicsr");
  EXPECT_EQ(ExtSet::base().to_string(), "rv64i");
  EXPECT_THAT(ExtSet::all().to_string(), ::testing::StartsWith("rv64gc_"));
  for (const ExtSet set : {ExtSet::all(), ExtSet::rv64gc(), ExtSet::base(), ExtSet::parse("rv64imafd_zicsr_zbs"),
                           ExtSet::all().without(Ext::c), ExtSet::all().without(Ext::zifencei)}) {
    EXPECT_EQ(ExtSet::parse(set.to_string()), set) << set.to_string();
    EXPECT_EQ(ExtSet::parse(set.to_string(false)), set) << set.to_string(false);
  }
}

TEST(ExtSet, BadStringsSayWhatIsWrong) {
  EXPECT_THAT(parse_error("rv32gc"), ::testing::HasSubstr("RV64 only"));
  EXPECT_THAT(parse_error("gc"), ::testing::HasSubstr("must start with rv64"));
  EXPECT_THAT(parse_error("rv64e"), ::testing::HasSubstr("RV64E"));
  EXPECT_THAT(parse_error("rv64mac"), ::testing::HasSubstr("base must be i or g"));
  EXPECT_THAT(parse_error("rv64gcv"), ::testing::HasSubstr("extension 'v' is not implemented"));
  EXPECT_THAT(parse_error("rv64gc_zfoo"), ::testing::HasSubstr("extension 'zfoo' is not implemented"));
  EXPECT_THAT(parse_error("rv64gc_zfh"), ::testing::HasSubstr("retrace knows: i m a f d c g"));
  EXPECT_THAT(parse_error("rv64gc__zba"), ::testing::HasSubstr("empty extension name"));
  EXPECT_THAT(parse_error("rv64gc_"), ::testing::HasSubstr("empty extension name"));
  EXPECT_THAT(parse_error("rv64gczba"), ::testing::HasSubstr("must follow an underscore"));
  EXPECT_THAT(parse_error("rv64imad_zicsr"), ::testing::HasSubstr("d requires f"));
  EXPECT_THAT(parse_error("rv64imac_zicsr_zfhmin"), ::testing::HasSubstr("zfhmin requires f"));
  EXPECT_THAT(parse_error("rv64imaf"), ::testing::HasSubstr("f requires zicsr"));
  EXPECT_THAT(parse_error("rv64gc_zba2x"), ::testing::HasSubstr("cannot read extension 'zba2x'"));
  EXPECT_THAT(parse_error("rv64gc_zfoo"), ::testing::HasSubstr("ISA string 'rv64gc_zfoo'"));
}

TEST(ExtSet, CerealRoundTrip) {
  for (const ExtSet set : {ExtSet::all(), ExtSet::rv64gc(), ExtSet::base(), ExtSet::parse("rv64gc_zbs_zicond")}) {
    std::stringstream ss;
    {
      cereal::BinaryOutputArchive out(ss);
      out(set);
    }
    ExtSet back = ExtSet::base();
    cereal::BinaryInputArchive in(ss);
    in(back);
    EXPECT_EQ(back, set) << set.to_string();
  }
}

} // namespace
