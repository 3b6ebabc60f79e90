// Tests for include/retrace/isa/encoding.hpp, decode.hpp and disasm.hpp: the table is sound,
// every row decodes to itself, compressed words expand as the C extension says, and the
// disassembly of every instruction matches Debian's riscv64-unknown-elf-objdump.
#include "retrace/isa/decode.hpp"
#include "retrace/isa/disasm.hpp"

#include "subprocess.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <random>
#include <regex>
#include <sstream>

namespace {

using namespace retrace::isa;

TEST(Decode, EveryRowDecodesToItself) {
  std::mt19937 rng(1);
  for (const auto& row : insn_table) {
    for (int k = 0; k < 64; ++k) {
      const std::uint32_t w = (static_cast<std::uint32_t>(rng()) & ~row.mask) | row.match;
      EXPECT_EQ(decode_op(w), row.op) << row.name << " " << std::hex << w;
    }
  }
}

TEST(Decode, KnownWords) {
  EXPECT_EQ(decode(0x00a50533).op, Op::add);  // add a0,a0,a0
  EXPECT_EQ(decode(0x02c5c533).op, Op::div);  // div a0,a1,a2
  EXPECT_EQ(decode(0xffffffff).op, Op::illegal);
  EXPECT_EQ(decode(0x00000000).op, Op::illegal); // c.unimp
  const auto c = decode(0x4505);                 // c.li a0,1
  EXPECT_EQ(c.op, Op::addi);
  EXPECT_EQ(c.length, 2);
  EXPECT_EQ(c.insn.bits, 0x00100513u);           // addi a0,zero,1
  EXPECT_EQ(decode(0x8082).insn.bits, 0x00008067u); // c.jr ra -> jalr zero,0(ra)
  EXPECT_EQ(decode(0x9002).insn.bits, 0x00100073u); // c.ebreak
  EXPECT_EQ(decode(0x1141).insn.bits, 0xff010113u); // c.addi16sp sp,-16 -> addi sp,sp,-16
}

TEST(Decode, ReservedCompressedEncodingsAreIllegal) {
  EXPECT_EQ(expand_compressed(0x0000), 0u); // c.addi4spn with nzuimm = 0
  EXPECT_EQ(expand_compressed(0x6101), 0u); // c.addi16sp with nzimm = 0
  EXPECT_EQ(expand_compressed(0x6081), 0u); // c.lui ra, 0
  EXPECT_EQ(expand_compressed(0x2001), 0u); // c.addiw with rd = 0
  EXPECT_EQ(expand_compressed(0x4002), 0u); // c.lwsp with rd = 0
  EXPECT_EQ(expand_compressed(0x6002), 0u); // c.ldsp with rd = 0
  EXPECT_EQ(expand_compressed(0x8002), 0u); // c.jr with rs1 = 0
  EXPECT_EQ(expand_compressed(0x9c41), 0u); // reserved quadrant-1 ALU op
}

TEST(Decode, ImmediatesSignExtend) {
  EXPECT_EQ(Insn{0xfff00513}.imm_i(), -1);                     // addi a0,zero,-1
  EXPECT_EQ(Insn{0xfe000ee3}.imm_b(), -4);                     // beq zero,zero,-4
  EXPECT_EQ(Insn{0xffdff06f}.imm_j(), -4);                     // j -4
  EXPECT_EQ(Insn{0xfea43c23}.imm_s(), -8);                     // sd a0,-8(s0)
  EXPECT_EQ(Insn{0x800002b7}.imm_u(), -0x80000000ll);          // lui t0,0x80000
  EXPECT_EQ(decode(0xbfdd).insn.imm_j(), -10);                 // c.j -10
}

TEST(Decode, BitManipulationAndZfhminWords) {
  EXPECT_EQ(decode(0x20c5a533).op, Op::sh1add);    // sh1add a0,a1,a2
  EXPECT_EQ(decode(0x0805853b).op, Op::add_uw);    // zext.w a0,a1
  EXPECT_EQ(decode(0x0805c53b).op, Op::zext_h);    // zext.h a0,a1
  EXPECT_EQ(decode(0x6b85d513).op, Op::rev8);      // rev8 a0,a1
  EXPECT_EQ(decode(0x63f5d513).op, Op::rori);      // rori a0,a1,0x3f
  EXPECT_EQ(decode(0x4bf5d513).op, Op::bexti);     // bexti a0,a1,0x3f
  EXPECT_EQ(decode(0x0ec5d533).op, Op::czero_eqz); // czero.eqz a0,a1,a2
  EXPECT_EQ(decode(0x00059507).op, Op::flh);       // flh fa0,0(a1)
  EXPECT_EQ(decode(0x4405f553).op, Op::fcvt_h_s);  // fcvt.h.s fa0,fa1
  EXPECT_EQ(decode(0x0100000f).op, Op::fence);     // pause: a FENCE hint
  EXPECT_EQ(decode(0x0215e013).op, Op::ori);       // prefetch.r 32(a1): an ORI hint
  // Near misses stay illegal: zext.h with rs2 != 0, rev8 with another immediate, roriw with shamt[5]
  EXPECT_EQ(decode(0x0815c53b).op, Op::illegal);
  EXPECT_EQ(decode(0x6b95d513).op, Op::illegal);
  EXPECT_EQ(decode(0x6205d51b).op, Op::illegal);
  EXPECT_EQ(decode(0x6035951b).op, Op::illegal); // clzw-like with rs2 = 3 (no such count)
}

TEST(Disasm, NewExtensions) {
  const std::pair<std::uint32_t, const char*> cases[] = {
      {0x20c5a533, "sh1add\ta0,a1,a2"},     {0x08c5853b, "add.uw\ta0,a1,a2"},   {0x0805853b, "zext.w\ta0,a1"},
      {0x0bf5951b, "slli.uw\ta0,a1,0x3f"},  {0x60059513, "clz\ta0,a1"},         {0x6025951b, "cpopw\ta0,a1"},
      {0x0805c53b, "zext.h\ta0,a1"},        {0x2875d513, "orc.b\ta0,a1"},       {0x6b85d513, "rev8\ta0,a1"},
      {0x6015d513, "rori\ta0,a1,0x1"},      {0x61f5d51b, "roriw\ta0,a1,0x1f"},  {0x0ac5a533, "clmulr\ta0,a1,a2"},
      {0x2bf59513, "bseti\ta0,a1,0x3f"},    {0x4805d513, "bexti\ta0,a1,0x0"},   {0x0ec5d533, "czero.eqz\ta0,a1,a2"},
      {0x0ec5f533, "czero.nez\ta0,a1,a2"},  {0xffe59507, "flh\tfa0,-2(a1)"},    {0x00b59327, "fsh\tfa1,6(a1)"},
      {0xe4058553, "fmv.x.h\ta0,fa1"},      {0xf4058553, "fmv.h.x\tfa0,a1"},    {0x40258553, "fcvt.s.h\tfa0,fa1"},
      {0x4405f553, "fcvt.h.s\tfa0,fa1"},    {0x44059553, "fcvt.h.s\tfa0,fa1,rtz"}, {0x42258553, "fcvt.d.h\tfa0,fa1"},
      {0x4415f553, "fcvt.h.d\tfa0,fa1"},    {0x0100000f, "pause"},              {0x0005e013, "prefetch.i\t0(a1)"},
      {0x0215e013, "prefetch.r\t32(a1)"},   {0xfc35e013, "prefetch.w\t-64(a1)"}, {0x0075e013, "ori\tzero,a1,7"},
  };
  for (const auto& [w, text] : cases) EXPECT_EQ(disassemble(w, 0x80000000), text) << std::hex << w;
}

// The extensions objdump is told about (through the object's ISA attribute): all of retrace's
// that binutils 2.40 knows (not Zicond, which it does not).
constexpr const char* objdump_march = "rv64gc_zicbom_zicboz_zicbop_zihintpause_zfhmin_zba_zbb_zbc_zbs_svinval";

// Assembles `bytes` as .insn directives (2 or 4 bytes each, by their low bits) into an object
// whose ISA attribute names objdump_march, runs objdump -d over it and returns its text for
// each offset.
std::map<std::uint64_t, std::string> objdump(const std::vector<std::uint8_t>& bytes) {
  const std::string src = ::testing::TempDir() + "/disasm.s", obj = ::testing::TempDir() + "/disasm.o";
  {
    std::ofstream out(src);
    for (std::size_t k = 0; k < bytes.size();) {
      const bool wide = (bytes[k] & 3) == 3;
      std::uint32_t v = 0;
      for (std::size_t b = 0; b < (wide ? 4u : 2u); ++b) v |= std::uint32_t{bytes[k + b]} << (8 * b);
      out << ".insn " << (wide ? 4 : 2) << ", 0x" << std::hex << v << std::dec << "\n";
      k += wide ? 4 : 2;
    }
  }
  const auto as = retrace::test::run_process(
      {"riscv64-unknown-elf-as", std::string("-march=") + objdump_march, "-o", obj, src}, {}, std::chrono::seconds(60));
  EXPECT_EQ(as.exit_status, 0) << as.err.substr(0, 2000);
  const auto r = retrace::test::run_process({"riscv64-unknown-elf-objdump", "-d", obj}, {}, std::chrono::seconds(60));
  std::map<std::uint64_t, std::string> out;
  std::istringstream in(r.out);
  std::string line;
  static const std::regex re(R"(^\s*([0-9a-f]+):\t[0-9a-f]+\s*\t(.*)$)");
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_match(line, m, re)) out[std::stoull(m[1].str(), nullptr, 16)] = m[2].str();
  return out;
}

// objdump prints targets of jumps and branches with 0x and the nearest symbol (<.text+0x...>),
// and appends "# 0x..." comments with addresses it computed from earlier instructions.
std::string normalize(std::string s) {
  if (const auto hash = s.find(" # "); hash != std::string::npos) s.resize(hash);
  if (const auto sym = s.find(" <.text"); sym != std::string::npos) s.resize(sym); // targets in the object
  // binutils 2.40 (Debian 12) prints addi, xori, slli, ... as add, xor, sll with an immediate; newer binutils
  // and llvm-objdump print addi, as retrace does.
  // The same for Zbb's rori/roriw and Zbs's bseti, bclri, binvi, bexti (ror, bset, ... with an immediate).
  static const std::regex alu_imm(
      R"(^(add|xor|or|and|slt|sltu|sll|srl|sra|ror|bset|bclr|binv|bext)(w?)\t(\w+),(\w+),(-?\d+|0x[0-9a-f]+)$)");
  s = std::regex_replace(s, alu_imm, "$1i$2\t$3,$4,$5");
  static const std::regex csr_imm(R"(^(csrrw|csrrs|csrrc|csrw|csrs|csrc)\t(.*),(\d+)$)");
  s = std::regex_replace(s, csr_imm, "$1i\t$2,$3");
  static const std::regex target(R"(0x([0-9a-f]+)$)");
  static const std::regex jumpy(R"(^(j|jal|beq|bne|blt|bge|bltu|bgeu|beqz|bnez|blez|bgez|bltz|bgtz)\t)");
  if (std::regex_search(s, jumpy)) s = std::regex_replace(s, target, "$1");
  return s;
}

TEST(Disasm, MatchesObjdumpForEveryInstruction) {
  ASSERT_TRUE(retrace::test::have_program("riscv64-unknown-elf-objdump"));
  std::mt19937 rng(7);
  std::vector<std::uint32_t> words;
  for (const auto& row : insn_table)
    for (int k = 0; k < 24; ++k) {
      if (row.ext == Ext::zicond) break; // binutils 2.40 does not know it: Disasm.NewExtensions checks it
      std::uint32_t w = (static_cast<std::uint32_t>(rng()) & ~row.mask) | row.match;
      if (row.format == Format::f_r4 || row.format == Format::f_rrr || row.format == Format::f_rr ||
          row.format == Format::f_to_x || row.format == Format::x_to_f) {
        constexpr unsigned valid_rm[] = {0, 1, 2, 3, 4, 7};
        w = (w & ~0x7000u) | (valid_rm[rng() % 6] << 12);
        if (row.op == Op::fcvt_d_s || row.op == Op::fcvt_d_w || row.op == Op::fcvt_d_wu || row.op == Op::fcvt_s_h ||
            row.op == Op::fcvt_d_h)
          w &= ~0x7000u;
      }
      // fence with fm, rd or rs1 set is reserved (retrace executes it as a fence; objdump prints
      // .4byte), fence.i's fields too
      if (row.format == Format::fence) w &= 0x0ff0007f;
      if (row.op == Op::fence_i) w = row.match;
      // CSRs: the ones retrace names (objdump knows every standard CSR; retrace prints the
      // number of those it does not implement)
      if (row.format == Format::csr || row.format == Format::csri) {
        static constexpr unsigned known[] = {0x001, 0x002, 0x003, 0xc00, 0xc01, 0xc02, 0xc05, 0x100, 0x104, 0x105,
                                             0x106, 0x10a, 0x140, 0x141, 0x142, 0x143, 0x144, 0x180, 0xf11, 0xf14,
                                             0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x30a, 0x320, 0x340,
                                             0x341, 0x342, 0x343, 0x344, 0x34a, 0x3a0, 0x3a2, 0x3b0, 0x3bf, 0x3ef,
                                             0xb00, 0xb02, 0xb1f, 0x323, 0x33f};
        w = (w & 0x000fffffu) | (known[rng() % std::size(known)] << 20);
      }
      words.push_back(w);
    }
  std::vector<std::uint8_t> bytes;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> at;
  for (auto w : words) {
    at.emplace_back(bytes.size(), w);
    for (int b = 0; b < 4; ++b) bytes.push_back(static_cast<std::uint8_t>(w >> (8 * b)));
  }
  // and compressed words
  for (int k = 0; k < 3000; ++k) {
    auto h = static_cast<std::uint32_t>(rng() & 0xffff);
    if ((h & 3) == 3) continue;
    if (expand_compressed(static_cast<std::uint16_t>(h)) == 0) continue;
    at.emplace_back(bytes.size(), h);
    bytes.push_back(static_cast<std::uint8_t>(h));
    bytes.push_back(static_cast<std::uint8_t>(h >> 8));
  }
  const auto theirs = objdump(bytes);
  int mismatches = 0;
  for (const auto& [off, w] : at) {
    const auto it = theirs.find(off);
    ASSERT_NE(it, theirs.end()) << "objdump printed nothing at " << off;
    const std::string ours = disassemble(w, off);
    if (normalize(it->second) != ours && ++mismatches <= 40)
      ADD_FAILURE() << std::hex << w << ": objdump '" << it->second << "' retrace '" << ours << "'";
  }
  EXPECT_EQ(mismatches, 0) << "of " << at.size();
}

} // namespace
