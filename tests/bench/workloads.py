#!/usr/bin/env python3
"""Benchmark (not a test): retrace's speed on our own CPU-bound guest workloads against QEMU's,
in one run. Each workload (guest-fixtures/bench/workloads.c) runs on retrace, on QEMU with
`-icount shift=0` (QEMU's deterministic mode, as its record/replay uses) and on plain QEMU.

    python3 tests/bench/workloads.py build/default/runner/retrace build/default/guest-fixtures [runs]

Instructions are retrace's exact count (`retrace run --stats`); the guests are deterministic and
CPU-bound, so QEMU executes the same instructions. Each emulator's time is the median wall time
of `runs` runs minus its start-up cost (the median time of hello, which exits at once), so the
figures are instructions per second of execution. The table is docs/performance.md's.
"""
import re, statistics, subprocess, sys, time

WORKLOADS = [(1, "lists"), (2, "matmul"), (3, "crc32"), (4, "tokenizer"), (5, "bytecode")]


def timed(cmd):
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    elapsed = time.monotonic() - start
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return elapsed, p.stdout.decode(), p.stderr.decode()


def median_time(cmd, runs):
    results = [timed(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), results[0]


def qemu(elf, icount):
    cmd = ["qemu-system-riscv64", "-M", "virt", "-bios", "none", "-kernel", elf, "-nographic",
           "-monitor", "none", "-serial", "stdio"]
    return cmd + (["-icount", "shift=0"] if icount else [])


def main():
    retrace, guests = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    empty = f"{guests}/hello.elf"  # prints a line and exits: start-up and shut-down only
    base = {
        "retrace": median_time([retrace, "run", "-k", empty], runs)[0],
        "qemu-icount": median_time(qemu(empty, True), runs)[0],
        "qemu": median_time(qemu(empty, False), runs)[0],
    }
    print(f"start-up (subtracted): retrace {base['retrace']*1000:.0f} ms, "
          f"qemu -icount shift=0 {base['qemu-icount']*1000:.0f} ms, qemu {base['qemu']*1000:.0f} ms")
    print(f"{'workload':<10} {'instructions':>13} {'retrace M/s':>12} {'qemu-icount M/s':>16} {'qemu M/s':>10}"
          f" {'vs icount':>10} {'vs qemu':>8}")
    ratios_icount, ratios_plain = [], []
    for n, name in WORKLOADS:
        elf = f"{guests}/bench-w{n}.elf"
        t_r, (_, out_r, err_r) = median_time([retrace, "run", "-k", elf, "--stats"], runs)
        m = re.search(r"(\d+) instructions", err_r)
        if not m:
            sys.exit(f"no instruction count from retrace --stats: {err_r}")
        insns = int(m.group(1))
        t_qi, (_, out_qi, _) = median_time(qemu(elf, True), runs)
        t_q, (_, out_q, _) = median_time(qemu(elf, False), runs)
        check = re.search(r"checksum \w+", out_r).group(0)
        for out, who in ((out_qi, "qemu -icount"), (out_q, "qemu")):
            if check not in out:
                sys.exit(f"{name}: {who} printed another checksum than retrace ({check}): {out}")
        ips = {k: insns / max(t - base[k], 1e-6) for k, t in (("retrace", t_r), ("qemu-icount", t_qi), ("qemu", t_q))}
        ri, rp = ips["retrace"] / ips["qemu-icount"], ips["retrace"] / ips["qemu"]
        ratios_icount.append(ri)
        ratios_plain.append(rp)
        print(f"{name:<10} {insns:>13,} {ips['retrace']/1e6:>12.1f} {ips['qemu-icount']/1e6:>16.1f}"
              f" {ips['qemu']/1e6:>10.1f} {ri:>9.3f}x {rp:>7.3f}x")
    gi, gp = statistics.geometric_mean(ratios_icount), statistics.geometric_mean(ratios_plain)
    print(f"{'geomean':<10} {'':>13} {'':>12} {'':>16} {'':>10} {gi:>9.3f}x {gp:>7.3f}x")


if __name__ == "__main__":
    main()
