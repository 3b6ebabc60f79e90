#include "random_stream.hpp"

#include "retrace/isa/encoding.hpp"
#include "retrace/isa/insn.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <vector>

namespace retrace::test {

std::string make_random_stream(std::uint64_t seed, std::size_t words, StreamMode mode) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint32_t> w;
  using namespace retrace::isa;
  constexpr unsigned t0 = 5, t1 = 6, t2 = 7, t3 = 28, t4 = 29;
  w.push_back(enc_u(0, t0, 0x17));            // auipc t0, 0
  w.push_back(enc_i(0x305, t0, 1, 0, 0x73));  // csrw mtvec, t0 (user mode: patched to the handler)
  const std::size_t set_mtvec = w.size() - 1;
  w.push_back(enc_u(0x6000, t1, 0x37));       // lui t1, 6 (FS = dirty)
  w.push_back(enc_i(0x300, t1, 2, 0, 0x73));  // csrs mstatus, t1
  constexpr unsigned data_base = 18, code_base = 22; // s2..s5 into the data area, s6 into the stream
  if (mode != StreamMode::user) {
    // Every trap restarts the stream here. MTIP always pending (mtimecmp = 0) and enabled in
    // mie, so a random WFI wakes at once.
    w.push_back(enc_u(0x2004000, t2, 0x37));  // lui t2, 0x2004
    w.push_back(enc_s(0, 0, t2, 3, 0x23));    // sd zero, 0(t2)
    w.push_back(enc_i(0x80, 0, 0, t1, 0x13)); // li t1, 0x80
    w.push_back(enc_i(0x304, t1, 2, 0, 0x73)); // csrs mie, t1
    if (mode == StreamMode::machine) {
      // Debug triggers the body armed (through its random CSR writes) are disarmed again, so
      // that most of the stream runs on the fast engines rather than through step().
      w.push_back(enc_i(0x7a0, 0, 1, 0, 0x73));  // csrw tselect, zero
      w.push_back(enc_i(0x7a1, 0, 1, 0, 0x73));  // csrw tdata1, zero
      w.push_back(enc_i(0x7a0, 1, 5, 0, 0x73));  // csrwi tselect, 1
      w.push_back(enc_i(0x7a1, 0, 1, 0, 0x73));  // csrw tdata1, zero
    }
    if (mode == StreamMode::integer || mode == StreamMode::mmio) {
      w.push_back(enc_u(0x80000, data_base, 0x37)); // lui s2, 0x80: 512 KiB past the stream
      w.push_back(enc_r(0, t0, data_base, 0, data_base, 0x33)); // add s2, s2, t0
      for (unsigned r = data_base + 1; r < code_base; ++r)
        w.push_back(enc_i(static_cast<std::int64_t>(r - data_base) * 0x3f8, data_base, 0, r, 0x13)); // addi sN, s2, k*1016
      w.push_back(enc_i(0x400, t0, 0, code_base, 0x13)); // addi s6, t0, 1024: into the body
      w.push_back(enc_i(0x80, 0, 0, t3, 0x13));          // li t3, 0x80 (MTIE, for mmio mode)
      // Go on at a point of the body that depends on minstret, so that a trap does not send
      // the stream down the same path again and again.
      w.push_back(enc_i(0xb02, 0, 2, t4, 0x73));  // csrr t4, minstret
      w.push_back(enc_i(50, t4, 1, t4, 0x13));    // slli t4, t4, 50
      w.push_back(enc_i(48, t4, 5, t4, 0x13));    // srli t4, t4, 48  (a multiple of 4 below 64 KiB)
      w.push_back(enc_r(0, t0, t4, 0, t4, 0x33)); // add t4, t4, t0
      w.push_back(enc_i(0, t4, 0, 0, 0x67));      // jr t4
    }
  } else {
    // Boot, once. No interrupt enabled: in U-mode a pending one would be taken at once,
    // forever (and a WFI in U-mode is illegal anyway). PMP: [0, body) no access from U, so this
    // code stays intact; everything above it read, write and execute.
    w[set_mtvec] = 0x00000013;                     // nop (mtvec is set below)
    const std::size_t addi_body = w.size();
    w.push_back(0);                                // addi t1, t0, BODY (patched below)
    w.push_back(enc_i(2, t1, 5, t2, 0x13));        // srli t2, t1, 2
    w.push_back(enc_i(0x3b0, t2, 1, 0, 0x73));     // csrw pmpaddr0, t2   (TOR top of entry 0)
    w.push_back(enc_i(-1, 0, 0, t2, 0x13));        // li t2, -1
    w.push_back(enc_i(0x3b1, t2, 1, 0, 0x73));     // csrw pmpaddr1, t2   (TOR top of entry 1)
    w.push_back(enc_u(0x1000, t2, 0x37));          // lui t2, 1
    w.push_back(enc_i(-0xf8, t2, 0, t2, 0x13));    // addi t2, t2, -248: 0x0f08 (entry 0 TOR, entry 1 TOR|RWX)
    w.push_back(enc_i(0x3a0, t2, 1, 0, 0x73));     // csrw pmpcfg0, t2
    w.push_back(enc_u(0x2000, t2, 0x37));          // lui t2, 2
    w.push_back(enc_i(-0x800, t2, 0, t2, 0x13));   // addi t2, t2, -2048: 0x1800 (MPP)
    w.push_back(enc_i(0x300, t2, 3, 0, 0x73));     // csrc mstatus, t2   (MPP = U)
    w.push_back(enc_i(0xf0, 0, 0, t2, 0x13));      // li t2, 0xf0: CBIE = 11, CBCFE, CBZE
    w.push_back(enc_i(0x30a, t2, 1, 0, 0x73));     // csrw menvcfg, t2   (U-mode may run the CBOs)
    w.push_back(enc_i(0x10a, t2, 1, 0, 0x73));     // csrw senvcfg, t2
    const std::size_t addi_handler = w.size();
    w.push_back(0);                                // addi t2, t0, HANDLER (patched below)
    w.push_back(enc_i(0x305, t2, 1, 0, 0x73));     // csrw mtvec, t2
    // The trap handler (also entered once at boot, with mcause 0). Where to return: somewhere
    // in the body after reset, a fetch fault (1) or a zero word (illegal with mtval 0: the
    // stream was left for empty RAM); otherwise 2 bytes past the trapping instruction, so the
    // body goes on (sometimes mid-instruction) instead of repeating its first instructions.
    const std::size_t handler = w.size();
    w.push_back(enc_u(0, t0, 0x17));               // auipc t0, 0
    w.push_back(enc_i(-static_cast<std::int64_t>(handler * 4), t0, 0, t0, 0x13)); // addi t0, t0, -HANDLER
    w.push_back(enc_i(0x342, 0, 2, t1, 0x73));     // csrr t1, mcause
    w.push_back(enc_i(-2, t1, 0, t3, 0x13));       // addi t3, t1, -2
    w.push_back(enc_r(0, t3, 0, 3, t3, 0x33));     // snez t3, t3        (cause != 2)
    w.push_back(enc_i(0x343, 0, 2, t4, 0x73));     // csrr t4, mtval
    w.push_back(enc_r(0, t4, t3, 6, t3, 0x33));    // or t3, t3, t4
    w.push_back(enc_i(1, t3, 3, t3, 0x13));        // seqz t3, t3        (illegal zero word)
    w.push_back(enc_i(2, t1, 3, t2, 0x13));        // sltiu t2, t1, 2    (reset or fetch fault)
    w.push_back(enc_r(0, t3, t2, 6, t2, 0x33));    // or t2, t2, t3
    w.push_back(enc_i(0x341, 0, 2, t4, 0x73));     // csrr t4, mepc
    w.push_back(enc_i(2, t4, 0, t4, 0x13));        // addi t4, t4, 2
    w.push_back(enc_b(24, 0, t2, 0, 0x63));        // beqz t2, 1f
    // Restart at a point of the body that depends on minstret, so that the body is not run
    // again and again from one place.
    w.push_back(enc_i(0xb02, 0, 2, t4, 0x73));     // csrr t4, minstret
    w.push_back(enc_i(49, t4, 1, t4, 0x13));       // slli t4, t4, 49
    w.push_back(enc_i(48, t4, 5, t4, 0x13));       // srli t4, t4, 48   (an even offset below 64 KiB)
    w.push_back(enc_r(0, t0, t4, 0, t4, 0x33));    // add t4, t4, t0
    const std::size_t restart = w.size();
    w.push_back(0);                                // addi t4, t4, BODY (patched below)
    w.push_back(enc_i(0x341, t4, 1, 0, 0x73));     // 1: csrw mepc, t4
    // Base registers of the compressed loads and stores (sp, s0, s1, a0) point into the body,
    // so that many accesses succeed (and some stores rewrite code about to run).
    w.push_back(enc_u(0x8000, 2, 0x37));           // lui sp, 8
    w.push_back(enc_r(0, t0, 2, 0, 2, 0x33));      // add sp, sp, t0
    w.push_back(enc_i(0x100, 2, 0, 8, 0x13));      // addi s0, sp, 256
    w.push_back(enc_i(-0x100, 2, 0, 9, 0x13));     // addi s1, sp, -256
    w.push_back(enc_i(0x7f0, 2, 0, 10, 0x13));     // addi a0, sp, 2032
    w.push_back(0x30200073);                       // mret
    const auto body = static_cast<std::int64_t>(w.size() * 4);
    w[addi_body] = enc_i(body, t0, 0, t1, 0x13);
    w[addi_handler] = enc_i(static_cast<std::int64_t>(handler * 4), t0, 0, t2, 0x13);
    w[restart] = enc_i(body, t4, 0, t4, 0x13);
  }
  // Integer mode's rows: what a block holds, by kind.
  std::vector<const InsnInfo*> alu, loads, stores, branches, fp;
  for (const auto& row : insn_table) {
    // what a block holds on its context: I, M, the bit-manipulation extensions, Zicond
    const bool integer = row.ext == Ext::i || row.ext == Ext::m || row.ext == Ext::zba || row.ext == Ext::zbb ||
                         row.ext == Ext::zbc || row.ext == Ext::zbs || row.ext == Ext::zicond;
    if ((integer && row.format == Format::load) || row.format == Format::fload) loads.push_back(&row);
    else if ((integer && row.format == Format::store) || row.format == Format::fstore) stores.push_back(&row);
    else if (row.format == Format::branch) branches.push_back(&row);
    else if (integer && row.op != Op::jal && row.op != Op::jalr && row.op != Op::ecall && row.op != Op::ebreak &&
             row.op != Op::fence_i)
      alu.push_back(&row);
    else if (row.ext == Ext::f || row.ext == Ext::d || row.ext == Ext::zfhmin) fp.push_back(&row);
  }
  const auto pick = [&](const std::vector<const InsnInfo*>& rows) {
    const auto& row = *rows[rng() % rows.size()];
    return (static_cast<std::uint32_t>(rng()) & ~row.mask) | row.match;
  };
  // rd (bits 11:7) away from t0 and the base registers, so accesses keep finding memory.
  const auto safe_rd = [](std::uint32_t v) {
    const unsigned rd = (v >> 7) & 31;
    if (rd == 5 || (rd >= data_base && rd <= code_base)) v = (v & ~(31u << 7)) | ((rd ^ 8u) << 7);
    return v;
  };
  const auto base = [&] { return rng() % 32 == 0 ? code_base : data_base + static_cast<unsigned>(rng() % 4); };
  // Mmio mode: the devices of the virt machine (machine.hpp), and two places with none.
  struct Window {
    std::uint64_t base, size;
  };
  constexpr Window windows[] = {
      {0x1000, 0xf000},         // reset ROM
      {0x10'0000, 0x1000},      // test finisher
      {0x10'1000, 0x1000},      // RTC
      {0x200'0000, 0x10000},    // CLINT
      {0xc00'0000, 0x60'0000},  // PLIC
      {0x1000'0000, 0x100},     // UART
      {0x1000'1000, 0x8000},    // virtio slots
      {0x3000'0000, 0x1000},    // nothing
      {0x7fff'f000, 0x1000},    // nothing, just below RAM
  };
  std::vector<const InsnInfo*> accesses;
  for (const auto& row : insn_table)
    if (row.format == Format::load || row.format == Format::store || row.format == Format::fload ||
        row.format == Format::fstore || row.format == Format::amo || row.format == Format::lr)
      accesses.push_back(&row);
  while (w.size() < words && mode == StreamMode::mmio) {
    const auto kind = rng() % 16;
    if (kind < 11) { // t1 = a device address; one access through it
      const auto& win = windows[rng() % std::size(windows)];
      const std::uint64_t off = rng() % 4 ? rng() % std::min<std::uint64_t>(win.size, 0x100) : rng() % win.size;
      const auto addr = static_cast<std::int64_t>((win.base + off) & ~(rng() % 2 ? std::uint64_t{7} : std::uint64_t{0}));
      const std::int64_t hi = (addr + 0x800) & ~std::int64_t{0xfff};
      w.push_back(enc_u(hi, t1, 0x37));                 // lui t1, hi
      w.push_back(enc_i(addr - hi, t1, 0, t1, 0x13));   // addi t1, t1, lo
      const auto& row = *accesses[rng() % accesses.size()];
      std::uint32_t v = (static_cast<std::uint32_t>(rng()) & ~row.mask) | row.match;
      v = (v & ~(31u << 15)) | (t1 << 15);              // rs1 = t1
      if (row.format == Format::load || row.format == Format::fload) v &= 0x000fffffu; // offset 0
      if (row.format == Format::store || row.format == Format::fstore) v &= 0x01fff07fu;
      if (row.format != Format::store && row.format != Format::fstore) { // rd: an a register
        v = (v & ~(31u << 7)) | ((10u + static_cast<std::uint32_t>(rng() % 8)) << 7);
      }
      if (row.format != Format::load && row.format != Format::fload && row.format != Format::lr) { // rs2: an a register
        v = (v & ~(31u << 20)) | ((10u + static_cast<std::uint32_t>(rng() % 8)) << 20);
      }
      w.push_back(v);
    } else if (kind < 14) { // a value: a random a register mixed with random bits
      const unsigned rd = 10 + static_cast<unsigned>(rng() % 8), rs = 10 + static_cast<unsigned>(rng() % 8);
      const auto imm = static_cast<std::int64_t>(rng() % 4096) - 2048;
      switch (rng() % 3) {
      case 0: w.push_back(enc_i(imm, rs, 0, rd, 0x13)); break;          // addi
      case 1: w.push_back(enc_i(imm, rs, 4, rd, 0x13)); break;          // xori
      default: w.push_back(enc_i(rng() % 64, rs, 1, rd, 0x13)); break;  // slli
      }
    } else if (kind < 15) { // interrupts: enable some in mie, and MIE in mstatus, or not
      const unsigned rs = 10 + static_cast<unsigned>(rng() % 8);
      w.push_back(enc_i(0x304, rs, rng() % 2 ? 1 : 3, 0, 0x73));        // csrw or csrc mie, aN
      w.push_back(enc_i(0x304, t3, 2, 0, 0x73));                        // csrs mie, t3: MTIE stays, so
                                                                         // a WFI wakes (mtimecmp is 0)
      w.push_back(enc_i(0x300, 8, rng() % 2 ? 6 : 7, 0, 0x73));         // csrsi or csrci mstatus, 8
    } else {
      w.push_back(0x10500073);                                           // wfi
    }
  }
  while (w.size() < words) {
    if (mode == StreamMode::integer) {
      const auto kind = rng() % 32;
      std::uint32_t v;
      if (kind < 18) {
        v = safe_rd(pick(alu));
      } else if (kind < 22) { // load: base register, offset 0..1023
        v = safe_rd(pick(loads));
        v = (v & 0x000fffffu & ~(31u << 15)) | (base() << 15) | (static_cast<std::uint32_t>(rng() % 1024) << 20);
      } else if (kind < 26) { // store
        const auto imm = static_cast<std::uint32_t>(rng() % 1024);
        v = pick(stores);
        v = (v & ~(31u << 15) & ~(31u << 7) & 0x01ffffffu) | (base() << 15) | ((imm & 31) << 7) | ((imm >> 5) << 25);
      } else if (kind < 29) { // a short forward branch: 4..64 bytes, to a word
        v = pick(branches) & ~0xfe000f80u;
        const auto off = static_cast<std::uint32_t>(4 + 4 * (rng() % 16));
        v |= ((off >> 1) & 15) << 8 | ((off >> 5) & 63) << 25;
      } else if (kind < 30) { // jal forward 4..64 bytes, to a word, link in a safe register
        const auto off = static_cast<std::uint32_t>(4 + 4 * (rng() % 16));
        v = safe_rd(0x6fu | (static_cast<std::uint32_t>(rng() % 32) << 7) | (((off >> 1) & 0x3ff) << 21));
      } else if (kind < 31) {
        v = pick(fp);
      } else {
        auto half = [&] {
          auto h = static_cast<std::uint32_t>(rng() & 0xffff);
          return (h & 3) == 3 ? (h & ~1u) : h;
        };
        v = half() | (half() << 16);
      }
      w.push_back(v);
      continue;
    }
    const auto kind = rng() % 16;
    // The privileged CSRs behind Sstc, the CMO enables, Svpbmt, the counters and Sdtrig (M-mode
    // only: in U-mode every CSR access is illegal anyway), written and read with random values.
    static constexpr unsigned priv_csrs[] = {0x14d, 0x30a, 0x10a, 0x7a0, 0x7a1, 0x7a2, 0x7a4, 0x7a5,
                                             0xb00, 0xb02, 0x320, 0x180, 0x344, 0x304, 0x106, 0x747};
    if (mode == StreamMode::machine && kind == 11 && rng() % 2) {
      const unsigned f3 = 1 + static_cast<unsigned>(rng() % 3);   // csrrw, csrrs, csrrc
      const unsigned rs = 10 + static_cast<unsigned>(rng() % 8), rd = 10 + static_cast<unsigned>(rng() % 8);
      if (rng() % 4 == 0) {
        // Arm a trigger (mcontrol6, random kinds, modes and match), sometimes with tcontrol.MTE
        // so that it fires in M-mode: the fast engines then step, until a trap's prologue
        // disarms it.
        const auto fields = static_cast<std::int64_t>(rng() & 0x1df); // match 0..3, M, S, U, exec, store, load
        w.push_back(enc_i(3, 0, 0, rd, 0x13));                       // li rd, 3
        w.push_back(enc_i(61, rd, 1, rd, 0x13));                     // slli rd, rd, 61: type 6
        w.push_back(enc_i(fields, rd, 6, rd, 0x13));                 // ori rd, rd, fields
        w.push_back(enc_i(0x7a0, static_cast<unsigned>(rng() % 2), 5, 0, 0x73)); // csrwi tselect, 0 or 1
        w.push_back(enc_i(0x7a2, rs, 1, 0, 0x73));                   // csrw tdata2, rs
        w.push_back(enc_i(0x7a1, rd, 1, 0, 0x73));                   // csrw tdata1, rd
        if (rng() % 2) w.push_back(enc_i(0x7a5, 8, 5, 0, 0x73));     // csrwi tcontrol, 8 (MTE)
      } else {
        w.push_back(enc_i(priv_csrs[rng() % std::size(priv_csrs)], rs, f3, rd, 0x73));
      }
    } else if (kind < 12) { // a table row with random operand bits
      const auto& row = insn_table[rng() % insn_table.size()];
      std::uint32_t v = (static_cast<std::uint32_t>(rng()) & ~row.mask) | row.match;
      // keep most jumps and branches short so the stream is not left at once
      if (row.format == Format::jal || row.format == Format::branch || row.format == Format::jalr)
        v &= 0x00ffffffu | row.mask;
      w.push_back(v);
    } else if (kind < 15) { // two compressed instructions (low bits != 11)
      auto half = [&] {
        auto h = static_cast<std::uint32_t>(rng() & 0xffff);
        return (h & 3) == 3 ? (h & ~1u) : h;
      };
      w.push_back(half() | (half() << 16));
    } else { // garbage
      w.push_back(static_cast<std::uint32_t>(rng()));
    }
  }
  const std::string path = ::testing::TempDir() + "/stream-" + std::to_string(seed) +
                           (mode == StreamMode::user ? "-u" : mode == StreamMode::integer ? "-i" : mode == StreamMode::mmio ? "-m" : "") + ".bin";
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(w.data()), static_cast<std::streamsize>(w.size() * 4));
  return path;
}

} // namespace retrace::test
