// Boot options as QEMU spells them (machine_spec.hpp, fdt.hpp): sizes, the initrd's placement
// and its /chosen range, the command line, a given device tree, and the errors for bad files.
#include "retrace/error.hpp"
#include "retrace/machine/fdt.hpp"
#include "retrace/machine/machine.hpp"

#include "guests.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libfdt.h>

namespace {

using namespace retrace;
using ::testing::HasSubstr;

std::string write_file(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string chosen_string(const std::vector<std::uint8_t>& dtb, const char* prop) {
  const int chosen = fdt_path_offset(dtb.data(), "/chosen");
  if (chosen < 0) return "<no /chosen>";
  int len = 0;
  const auto* p = static_cast<const char*>(fdt_getprop(dtb.data(), chosen, prop, &len));
  return p ? std::string(p, static_cast<std::size_t>(len > 0 ? len - 1 : 0)) : "<none>";
}

std::uint64_t chosen_cell(const std::vector<std::uint8_t>& dtb, const char* prop) {
  const int chosen = fdt_path_offset(dtb.data(), "/chosen");
  int len = 0;
  const auto* p = static_cast<const fdt32_t*>(fdt_getprop(dtb.data(), chosen, prop, &len));
  if (!p) return ~std::uint64_t{0};
  return len == 8 ? (std::uint64_t{fdt32_to_cpu(p[0])} << 32) | fdt32_to_cpu(p[1]) : fdt32_to_cpu(p[0]);
}

MachineSpec hello_spec() {
  MachineSpec s;
  s.kernel = test::guest_fixture("hello").elf;
  return s;
}

TEST(ParseSize, AsQemusDashM) {
  EXPECT_EQ(parse_size("256M"), 256ull << 20);
  EXPECT_EQ(parse_size("1G"), 1ull << 30);
  EXPECT_EQ(parse_size("1g"), 1ull << 30);
  EXPECT_EQ(parse_size("512"), 512ull << 20); // no suffix: MiB, as -m
  EXPECT_EQ(parse_size("64K"), 64ull << 10);
  EXPECT_EQ(parse_size("0x8000000B"), 0x8000000ull);
  EXPECT_EQ(parse_size("4096", true), 4096u);
  for (const char* bad : {"", "M", "12Q", "-5M", "1.5G", "99999999999999T"})
    EXPECT_THROW((void)parse_size(bad), Error) << bad;
  try {
    (void)parse_size("12Q");
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("'12Q'"));
  }
}

TEST(BootOptions, InitrdGoesWhereQemuPutsItAndChosenSaysWhere) {
  const std::string initrd = write_file("initrd.cpio", std::string(12345, 'x'));
  for (std::uint64_t ram : {128ull << 20, 512ull << 20}) {
    auto s = hello_spec();
    s.ram_size = ram;
    s.initrd = initrd;
    s.append = "console=ttyS0 quiet";
    Machine m(s);
    // the kernel's entry (hello: 0x80000000) + min(RAM / 2, 128 MiB)
    const std::uint64_t start = 0x8000'0000 + std::min<std::uint64_t>(ram / 2, 128ull << 20);
    EXPECT_EQ(chosen_cell(m.boot_dtb(), "linux,initrd-start"), start);
    EXPECT_EQ(chosen_cell(m.boot_dtb(), "linux,initrd-end"), start + 12345);
    EXPECT_EQ(chosen_string(m.boot_dtb(), "bootargs"), "console=ttyS0 quiet");
    EXPECT_EQ(m.read<std::uint8_t>(start), 'x');
    EXPECT_EQ(m.read<std::uint8_t>(start + 12344), 'x');
    EXPECT_EQ(fdt_check_full(m.boot_dtb().data(), m.boot_dtb().size()), 0);
  }
}

TEST(BootOptions, NoInitrdNoAppendMeansNoChosenProperties) {
  Machine m(hello_spec());
  EXPECT_EQ(chosen_string(m.boot_dtb(), "bootargs"), "<none>");
  EXPECT_EQ(chosen_cell(m.boot_dtb(), "linux,initrd-start"), ~std::uint64_t{0});
  EXPECT_EQ(chosen_string(m.boot_dtb(), "stdout-path"), "/soc/serial@10000000");
}

TEST(BootOptions, BadInitrdsAreClearErrorsBeforeTheRun) {
  auto s = hello_spec();
  s.initrd = "/nonexistent/initrd.cpio";
  EXPECT_THAT([&] { Machine m(s); }, ::testing::ThrowsMessage<Error>(HasSubstr("cannot open initrd")));
  s.initrd = write_file("empty.cpio", "");
  EXPECT_THAT([&] { Machine m(s); }, ::testing::ThrowsMessage<Error>(HasSubstr("empty initrd")));
  // 64 MiB + 1 at 0x84000000 in 128 MiB of RAM: past the end
  s.initrd = write_file("huge.cpio", std::string((64u << 20) + 1, 'h'));
  EXPECT_THAT([&] { Machine m(s); },
              ::testing::ThrowsMessage<Error>(::testing::AllOf(HasSubstr("does not fit in RAM"), HasSubstr("huge.cpio"))));
  // it fits in RAM but runs into the device tree at the top
  s.initrd = write_file("big.cpio", std::string((64u << 20) - 4096, 'b'));
  EXPECT_THAT([&] { Machine m(s); }, ::testing::ThrowsMessage<Error>(HasSubstr("overlaps the device tree")));
  // an initrd or a command line without a kernel, as QEMU refuses them
  MachineSpec nokernel;
  nokernel.bios = test::guest_fixture("hello").elf;
  nokernel.initrd = write_file("small.cpio", "abc");
  EXPECT_THAT([&] { Machine m(nokernel); }, ::testing::ThrowsMessage<Error>(HasSubstr("needs a kernel")));
  nokernel.initrd.clear();
  nokernel.append = "console=ttyS0";
  EXPECT_THAT([&] { Machine m(nokernel); }, ::testing::ThrowsMessage<Error>(HasSubstr("needs a kernel")));
}

TEST(BootOptions, AGivenDeviceTreeIsUsedAndGetsChosen) {
  // the generated tree, written out and given back, with a property of our own added
  auto blob = build_fdt(hello_spec());
  blob.resize(blob.size() + 256);
  ASSERT_EQ(fdt_open_into(blob.data(), blob.data(), static_cast<int>(blob.size())), 0);
  ASSERT_EQ(fdt_setprop_string(blob.data(), 0, "retrace,test", "given"), 0);
  ASSERT_EQ(fdt_pack(blob.data()), 0);
  blob.resize(fdt_totalsize(blob.data()));
  auto s = hello_spec();
  s.dtb = write_file("given.dtb", std::string(blob.begin(), blob.end()));
  s.append = "from the command line";
  Machine m(s);
  int len = 0;
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(m.boot_dtb().data(), 0, "retrace,test", &len)), "given");
  EXPECT_EQ(chosen_string(m.boot_dtb(), "bootargs"), "from the command line");
  EXPECT_EQ(m.run(1'000'000).reason, StopReason::exited);
  EXPECT_EQ(m.uart().output(), "hello from the guest\n");
}

TEST(BootOptions, BrokenDeviceTreesAreRefusedNamingTheFile) {
  const auto good = build_fdt(hello_spec());
  auto s = hello_spec();
  s.dtb = "/nonexistent/tree.dtb";
  EXPECT_THAT([&] { Machine m(s); }, ::testing::ThrowsMessage<Error>(HasSubstr("cannot open device tree")));
  s.dtb = write_file("text.dtb", "not a device tree at all");
  EXPECT_THAT([&] { Machine m(s); }, ::testing::ThrowsMessage<Error>(HasSubstr("no FDT magic")));
  s.dtb = write_file("truncated.dtb", std::string(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)));
  EXPECT_THAT([&] { Machine m(s); },
              ::testing::ThrowsMessage<Error>(::testing::AllOf(HasSubstr("truncated.dtb"), HasSubstr("claims"))));
  auto corrupt = good;
  for (std::size_t k = 0x40; k < corrupt.size(); k += 7) corrupt[k] ^= 0x5a; // the structure block
  s.dtb = write_file("corrupt.dtb", std::string(corrupt.begin(), corrupt.end()));
  EXPECT_THAT([&] { Machine m(s); },
              ::testing::ThrowsMessage<Error>(::testing::AllOf(HasSubstr("corrupt.dtb"), HasSubstr("device tree"))));
}

TEST(BootOptions, TheTreeSaysWhatTheCpuHas) {
  auto s = hello_spec();
  const auto all = build_fdt(s);
  const int cpu = fdt_path_offset(all.data(), "/cpus/cpu@0");
  ASSERT_GE(cpu, 0);
  int len = 0;
  const std::string isa = static_cast<const char*>(fdt_getprop(all.data(), cpu, "riscv,isa", &len));
  EXPECT_THAT(isa, ::testing::StartsWith("rv64imafdc_"));
  for (const char* e : {"_zba", "_zbb", "_zbs", "_zicbom", "_zicboz", "_sstc", "_svpbmt", "_svinval", "_zihintpause"})
    EXPECT_THAT(isa, HasSubstr(e));
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(all.data(), cpu, "mmu-type", &len)), "riscv,sv57");
  EXPECT_NE(fdt_getprop(all.data(), cpu, "riscv,cboz-block-size", &len), nullptr);
  const auto* exts = static_cast<const char*>(fdt_getprop(all.data(), cpu, "riscv,isa-extensions", &len));
  ASSERT_NE(exts, nullptr);
  EXPECT_EQ(std::string(exts), "i"); // the list starts with the base, one NUL-separated name each
  s.cpu = "rv64gc";
  const auto gc = build_fdt(s);
  const int cpu_gc = fdt_path_offset(gc.data(), "/cpus/cpu@0");
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(gc.data(), cpu_gc, "riscv,isa", &len)), "rv64imafdc_zicsr_zifencei");
  EXPECT_STREQ(static_cast<const char*>(fdt_getprop(gc.data(), cpu_gc, "mmu-type", &len)), "riscv,sv39");
  EXPECT_EQ(fdt_getprop(gc.data(), cpu_gc, "riscv,cboz-block-size", &len), nullptr);
  s.cpu = "rv64gc_zbq";
  EXPECT_THAT([&] { Machine m(s); }, ::testing::ThrowsMessage<Error>(HasSubstr("zbq")));
}

} // namespace
