// The device tree, node by node as QEMU 7.2's virt board writes it (hw/riscv/virt.c), for what
// retrace emulates. Phandles: cpu h = 1 + 2h, its interrupt controller 2 + 2h, the PLIC 2N+1,
// the test device 2N+2.
#include "retrace/machine/fdt.hpp"

#include "retrace/error.hpp"

#include <array>
#include <fstream>
#include <fmt/format.h>
#include <libfdt.h>
#include <string>
#include <vector>
#include <xxhash.h>

namespace retrace {
namespace {

class Writer {
public:
  explicit Writer(int size) : m_buf(static_cast<std::size_t>(size)) { check(fdt_create(m_buf.data(), size)); }
  void check(int rc) {
    if (rc < 0) throw Error(Errc::bad_spec, std::string("device tree: ") + fdt_strerror(rc));
  }
  void begin(const std::string& name) { check(fdt_begin_node(m_buf.data(), name.c_str())); }
  void end() { check(fdt_end_node(m_buf.data())); }
  void prop(const char* name) { check(fdt_property(m_buf.data(), name, nullptr, 0)); }
  void prop(const char* name, const std::string& s) {
    check(fdt_property(m_buf.data(), name, s.c_str(), static_cast<int>(s.size() + 1)));
  }
  // a list of strings, NUL-separated
  void strings(const char* name, std::initializer_list<const char*> list) {
    strings(name, std::vector<std::string>(list.begin(), list.end()));
  }
  void strings(const char* name, const std::vector<std::string>& list) {
    std::string all;
    for (const auto& s : list) {
      all += s;
      all.push_back('\0');
    }
    check(fdt_property(m_buf.data(), name, all.data(), static_cast<int>(all.size())));
  }
  void u32(const char* name, std::uint32_t v) { check(fdt_property_u32(m_buf.data(), name, v)); }
  void cells(const char* name, std::initializer_list<std::uint32_t> v) {
    std::vector<fdt32_t> be;
    for (auto x : v) be.push_back(cpu_to_fdt32(x));
    check(fdt_property(m_buf.data(), name, be.data(), static_cast<int>(be.size() * 4)));
  }
  void cells(const char* name, const std::vector<std::uint32_t>& v) {
    std::vector<fdt32_t> be;
    for (auto x : v) be.push_back(cpu_to_fdt32(x));
    check(fdt_property(m_buf.data(), name, be.data(), static_cast<int>(be.size() * 4)));
  }
  void reg(std::uint64_t addr, std::uint64_t size) {
    cells("reg", {static_cast<std::uint32_t>(addr >> 32), static_cast<std::uint32_t>(addr),
                  static_cast<std::uint32_t>(size >> 32), static_cast<std::uint32_t>(size)});
  }
  std::vector<std::uint8_t> finish() {
    check(fdt_finish(m_buf.data()));
    check(fdt_pack(m_buf.data()));
    m_buf.resize(fdt_totalsize(m_buf.data()));
    return m_buf;
  }
  void start_tree() {
    check(fdt_finish_reservemap(m_buf.data()));
    begin("");
  }

private:
  std::vector<std::uint8_t> m_buf;
};

} // namespace

std::vector<std::uint8_t> build_fdt(const MachineSpec& spec, const BootInfo& boot) {
  const unsigned n = spec.harts;
  const std::uint32_t plic_phandle = 2 * n + 1, test_phandle = 2 * n + 2;
  // What the CPU has, in both of the ways kernels read it: the ISA string (Linux 6.1 parses
  // its multi-letter extensions, e.g. sstc, svpbmt, zicbom) and the list of names that
  // kernels from 6.6 prefer. The satp modes are the mmu-type, not ISA-string names.
  const isa::ExtSet ext = cpu_extensions(spec);
  std::string isa_string = "rv64";
  std::vector<std::string> isa_extensions;
  for (const auto& n : isa::ext_names) {
    if (!ext.contains(n.ext) || n.name.empty() || n.ext == isa::Ext::sv48 || n.ext == isa::Ext::sv57) continue;
    isa_string += n.name.size() == 1 ? std::string(n.name) : "_" + std::string(n.name);
    isa_extensions.emplace_back(n.name);
  }
  const char* mmu_type = ext.contains(isa::Ext::sv57)   ? "riscv,sv57"
                         : ext.contains(isa::Ext::sv48) ? "riscv,sv48"
                                                        : "riscv,sv39";
  Writer w(64 * 1024);
  w.start_tree();
  w.u32("#address-cells", 2);
  w.u32("#size-cells", 2);
  w.prop("compatible", "riscv-virtio");
  w.prop("model", "riscv-virtio,qemu");

  w.begin("chosen");
  w.prop("stdout-path", "/soc/serial@10000000");
  // Linux takes entropy from here (QEMU puts host randomness): 32 bytes drawn from the run's
  // seed, so each seed boots with its own entropy and a replay with the same.
  {
    std::vector<std::uint32_t> seed_cells;
    for (std::uint64_t k = 0; k < 4; ++k) {
      const std::uint64_t v = XXH3_64bits_withSeed(&k, sizeof k, spec.seed ^ 0x72672d73656564ull); // "rg-seed"
      seed_cells.push_back(static_cast<std::uint32_t>(v >> 32));
      seed_cells.push_back(static_cast<std::uint32_t>(v));
    }
    w.cells("rng-seed", seed_cells);
  }
  w.end();

  w.begin("poweroff");
  w.u32("value", 0x5555);
  w.u32("offset", 0);
  w.u32("regmap", test_phandle);
  w.prop("compatible", "syscon-poweroff");
  w.end();
  w.begin("reboot");
  w.u32("value", 0x7777);
  w.u32("offset", 0);
  w.u32("regmap", test_phandle);
  w.prop("compatible", "syscon-reboot");
  w.end();

  w.begin(fmt::format("memory@{:x}", spec.ram_base));
  w.prop("device_type", "memory");
  w.reg(spec.ram_base, spec.ram_size);
  w.end();

  w.begin("cpus");
  w.u32("#address-cells", 1);
  w.u32("#size-cells", 0);
  w.u32("timebase-frequency", 10'000'000);
  for (unsigned h = 0; h < n; ++h) {
    w.begin(fmt::format("cpu@{:x}", h));
    w.u32("phandle", 1 + 2 * h);
    w.prop("device_type", "cpu");
    w.u32("reg", h);
    w.prop("status", "okay");
    w.prop("compatible", "riscv");
    w.prop("riscv,isa", isa_string);
    w.strings("riscv,isa-extensions", isa_extensions);
    w.prop("mmu-type", mmu_type);
    if (ext.contains(isa::Ext::zicbom)) w.u32("riscv,cbom-block-size", 64);
    if (ext.contains(isa::Ext::zicboz)) w.u32("riscv,cboz-block-size", 64);
    w.begin("interrupt-controller");
    w.u32("#interrupt-cells", 1);
    w.prop("interrupt-controller");
    w.prop("compatible", "riscv,cpu-intc");
    w.u32("phandle", 2 + 2 * h);
    w.end();
    w.end();
  }
  w.begin("cpu-map");
  w.begin("cluster0");
  for (unsigned h = 0; h < n; ++h) {
    w.begin(fmt::format("core{}", h));
    w.u32("cpu", 1 + 2 * h);
    w.end();
  }
  w.end();
  w.end();
  w.end(); // cpus

  w.begin("soc");
  w.u32("#address-cells", 2);
  w.u32("#size-cells", 2);
  w.prop("compatible", "simple-bus");
  w.prop("ranges");

  w.begin("rtc@101000");
  w.u32("interrupts", 11);
  w.u32("interrupt-parent", plic_phandle);
  w.reg(0x101000, 0x1000);
  w.prop("compatible", "google,goldfish-rtc");
  w.end();

  w.begin("serial@10000000");
  w.u32("interrupts", 10);
  w.u32("interrupt-parent", plic_phandle);
  w.u32("clock-frequency", 0x384000);
  w.reg(0x1000'0000, 0x100);
  w.prop("compatible", "ns16550a");
  w.end();

  w.begin("test@100000");
  w.u32("phandle", test_phandle);
  w.reg(0x100000, 0x1000);
  w.strings("compatible", {"sifive,test1", "sifive,test0", "syscon"});
  w.end();

  for (int k = 7; k >= 0; --k) { // QEMU lists them from the last slot down
    const std::uint64_t base = 0x1000'1000 + 0x1000 * static_cast<std::uint64_t>(k);
    w.begin(fmt::format("virtio_mmio@{:x}", base));
    w.u32("interrupts", static_cast<std::uint32_t>(1 + k));
    w.u32("interrupt-parent", plic_phandle);
    w.reg(base, 0x1000);
    w.prop("compatible", "virtio,mmio");
    w.end();
  }

  w.begin("plic@c000000");
  w.u32("phandle", plic_phandle);
  w.u32("riscv,ndev", 95);
  w.reg(0xc00'0000, 0x60'0000);
  std::vector<std::uint32_t> plic_irqs;
  for (unsigned h = 0; h < n; ++h) plic_irqs.insert(plic_irqs.end(), {2 + 2 * h, 11, 2 + 2 * h, 9}); // M and S external
  w.cells("interrupts-extended", plic_irqs);
  w.prop("interrupt-controller");
  w.strings("compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  w.u32("#address-cells", 0);
  w.u32("#interrupt-cells", 1);
  w.end();

  w.begin("clint@2000000");
  std::vector<std::uint32_t> clint_irqs;
  for (unsigned h = 0; h < n; ++h) clint_irqs.insert(clint_irqs.end(), {2 + 2 * h, 3, 2 + 2 * h, 7}); // M software, M timer
  w.cells("interrupts-extended", clint_irqs);
  w.reg(0x200'0000, 0x10000);
  w.strings("compatible", {"sifive,clint0", "riscv,clint0"});
  w.end();

  w.end(); // soc
  w.end(); // root
  auto blob = w.finish();
  set_chosen(blob, spec, boot);
  return blob;
}

void set_chosen(std::vector<std::uint8_t>& blob, const MachineSpec& spec, const BootInfo& boot) {
  auto check = [](int rc) {
    if (rc < 0) throw Error(Errc::bad_spec, std::string("device tree: ") + fdt_strerror(rc));
    return rc;
  };
  const std::size_t room = blob.size() + spec.append.size() + 256;
  std::vector<std::uint8_t> out(room);
  check(fdt_open_into(blob.data(), out.data(), static_cast<int>(room)));
  int chosen = fdt_path_offset(out.data(), "/chosen");
  if (chosen == -FDT_ERR_NOTFOUND) chosen = fdt_add_subnode(out.data(), 0, "chosen");
  check(chosen);
  if (!spec.append.empty()) check(fdt_setprop_string(out.data(), chosen, "bootargs", spec.append.c_str()));
  if (boot.initrd_end) {
    if (boot.initrd_end <= 0xffff'ffffu) {
      check(fdt_setprop_u32(out.data(), chosen, "linux,initrd-start", static_cast<std::uint32_t>(boot.initrd_start)));
      check(fdt_setprop_u32(out.data(), chosen, "linux,initrd-end", static_cast<std::uint32_t>(boot.initrd_end)));
    } else {
      check(fdt_setprop_u64(out.data(), chosen, "linux,initrd-start", boot.initrd_start));
      check(fdt_setprop_u64(out.data(), chosen, "linux,initrd-end", boot.initrd_end));
    }
  }
  check(fdt_pack(out.data()));
  out.resize(fdt_totalsize(out.data()));
  blob = std::move(out);
}

std::vector<std::uint8_t> read_dtb(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "cannot open device tree", {path, {}, {}});
  constexpr std::size_t max_dtb = 16u << 20;
  std::vector<std::uint8_t> bytes;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    bytes.insert(bytes.end(), buf, buf + in.gcount());
    if (bytes.size() > max_dtb)
      throw Error(Errc::bad_image, fmt::format("device tree larger than {} MiB", max_dtb >> 20), {path, {}, {}});
  }
  if (in.bad()) throw Error(Errc::io, "cannot read device tree", {path, {}, {}});
  if (bytes.size() < sizeof(fdt_header) || fdt_magic(bytes.data()) != FDT_MAGIC)
    throw Error(Errc::bad_image, "not a device tree blob (no FDT magic d00dfeed)", {path, 0, {}});
  if (fdt_totalsize(bytes.data()) > bytes.size())
    throw Error(Errc::bad_image,
                fmt::format("device tree header claims {} bytes, the file has {}", fdt_totalsize(bytes.data()), bytes.size()),
                {path, 4, {}});
  if (const int rc = fdt_check_full(bytes.data(), bytes.size()); rc < 0)
    throw Error(Errc::bad_image, std::string("malformed device tree: ") + fdt_strerror(rc), {path, {}, {}});
  bytes.resize(fdt_totalsize(bytes.data()));
  return bytes;
}

std::vector<std::uint8_t> boot_fdt(const MachineSpec& spec, const BootInfo& boot) {
  if (spec.dtb.empty()) return build_fdt(spec, boot);
  auto blob = read_dtb(spec.dtb);
  try {
    set_chosen(blob, spec, boot);
  } catch (const Error& e) {
    throw Error(Errc::bad_image, e.message(), {spec.dtb, {}, {}});
  }
  return blob;
}

} // namespace retrace
