// Tests for the text forms in include/retrace/machine/machine_spec.hpp (retrace run --drive,
// --rtc) and for resolve_host_inputs.
#include "retrace/error.hpp"
#include "retrace/machine/machine_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using retrace::parse_drive;
using retrace::parse_rtc_epoch;
using ::testing::HasSubstr;

std::string refusal(auto f) {
  try {
    f();
  } catch (const retrace::Error& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(SpecText, DriveOptions) {
  const auto d = parse_drive("disk.img,latency=50000,jitter=100,error-ppm=250,fail-at=7,fail-at=900*3");
  EXPECT_EQ(d.path, "disk.img");
  EXPECT_EQ(d.latency_ns, 50000u);
  EXPECT_EQ(d.jitter_ns, 100u);
  EXPECT_EQ(d.error_ppm, 250u);
  ASSERT_EQ(d.faults.size(), 2u);
  EXPECT_EQ(d.faults[0], (retrace::IoFault{7, 1}));
  EXPECT_EQ(d.faults[1], (retrace::IoFault{900, 3}));
  EXPECT_EQ(parse_drive("plain.img"), retrace::DriveSpec("plain.img"));
}

TEST(SpecText, BadDriveOptionsSayWhatIsWrong) {
  EXPECT_THAT(refusal([] { (void)parse_drive(",latency=1"); }), HasSubstr("needs an image path"));
  EXPECT_THAT(refusal([] { (void)parse_drive("d.img,speed=1"); }), HasSubstr("unknown drive option 'speed'"));
  EXPECT_THAT(refusal([] { (void)parse_drive("d.img,latency=fast"); }), HasSubstr("latency must be a non-negative integer, not 'fast'"));
  EXPECT_THAT(refusal([] { (void)parse_drive("d.img,latency=-5"); }), HasSubstr("latency"));
  EXPECT_THAT(refusal([] { (void)parse_drive("d.img,error-ppm=2000000"); }), HasSubstr("at most 1000000"));
  EXPECT_THAT(refusal([] { (void)parse_drive("d.img,fail-at=5*0"); }), HasSubstr("count must be"));
  EXPECT_THAT(refusal([] { (void)parse_drive("d.img,fail-at"); }), HasSubstr("fail-at must be"));
}

TEST(SpecText, RtcEpochs) {
  EXPECT_EQ(parse_rtc_epoch("0"), 0u);
  EXPECT_EQ(parse_rtc_epoch("1767225600"), 1'767'225'600'000'000'000ull);
  EXPECT_EQ(parse_rtc_epoch("2026-01-01T00:00:00Z"), 1'767'225'600'000'000'000ull);
  EXPECT_EQ(parse_rtc_epoch("2030-06-01T12:00:00Z"), 1'906'545'600'000'000'000ull);
  EXPECT_THAT(refusal([] { (void)parse_rtc_epoch("yesterday"); }), HasSubstr("SECONDS or YYYY-MM-DDTHH:MM:SSZ"));
  EXPECT_THAT(refusal([] { (void)parse_rtc_epoch("2026-01-01"); }), HasSubstr("not '2026-01-01'"));
  EXPECT_THAT(refusal([] { (void)parse_rtc_epoch("99999999999999999999"); }), HasSubstr("RTC epoch"));
}

TEST(HostInputs, OnlyWhatTheSpecAsksFor) {
  retrace::MachineSpec s;
  s.rng = true;
  EXPECT_EQ(retrace::resolve_host_inputs(s), s); // nothing asked: nothing read
  s.rng_from_host = true;
  s.rtc_from_host = true;
  const auto a = retrace::resolve_host_inputs(s), b = retrace::resolve_host_inputs(s);
  EXPECT_NE(a.rng_key, b.rng_key);           // 64 bits of host entropy each time
  EXPECT_GT(a.rtc_epoch_ns, 1'767'225'600'000'000'000ull); // the host's clock is past 2026-01-01
  EXPECT_TRUE(a.rtc_from_host);              // still says where the values came from
}

} // namespace
