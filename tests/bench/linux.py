#!/usr/bin/env python3
"""Benchmark (not a test): Linux 6.1 + busybox under OpenSBI on retrace and on QEMU, in one run.

    python3 tests/bench/linux.py build/default [runs] [harts,...] [engines,...]

For 1, 2 and 4 harts (or the list given), each emulator boots the benchmark initramfs
(guest-fixtures/linux/linux-bench.cpio) to busybox's prompt, then runs the shell workload
(guest-fixtures/linux/bench/bench.sh): 200 fork+exec of /bin/true, a page-fault-heavy program
(64 MiB touched, freed, twice), a pipe ping-pong of 2000 round trips between two processes and a
CPU-bound user program (CRC-32), then powers off. Each phase ends with a marker line on the
console; a phase's time is the host time between its markers as they arrive on the console.
Runs are interleaved (retrace engines, QEMU, QEMU -icount shift=0, then again), the figures are
medians, and every emulator must print the same checksums. The table is docs/performance.md's.
"""
import os, re, select, statistics, subprocess, sys, time

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.elf"
PROMPT = b"/ # "
PHASES = ["boot", "forkexec", "pagefault", "pingpong", "cpu"]
MARKERS = [PROMPT, b"bench: forkexec done", b"bench: pagefault done", b"bench: pingpong done", b"bench: cpu done"]


LIMIT = float(os.environ.get("BENCH_LIMIT", "120"))  # seconds a run may take before it counts as not finished


def session(cmd, type_at_prompt):
    """Runs cmd for at most LIMIT s; returns (marker times from the start, console output, stderr)."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err, stamps, typed = b"", b"", [], False
    open_files = [p.stdout, p.stderr]
    try:
        while open_files and time.monotonic() - start < LIMIT:
            r, _, _ = select.select(open_files, [], [], 0.05)
            for f in r:
                chunk = os.read(f.fileno(), 65536)
                if not chunk:
                    open_files.remove(f)
                elif f is p.stdout:
                    out += chunk
                else:
                    err += chunk
            while len(stamps) < len(MARKERS) and MARKERS[len(stamps)] in out:
                stamps.append(time.monotonic() - start)
            if type_at_prompt and stamps and not typed:
                p.stdin.write(b"sh /etc/bench.sh\n")
                p.stdin.flush()
                typed = True
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return stamps, out.decode(errors="replace"), err.decode(errors="replace")


def commands(build, harts):
    kernel, fs = f"{build}/linux/Image", f"{build}/guest-fixtures/linux/linux-bench.cpio"
    qemu = ["qemu-system-riscv64", "-M", "virt", "-m", "256M", "-smp", str(harts), "-bios", OPENSBI,
            "-kernel", kernel, "-initrd", fs, "-append", "console=ttyS0", "-nographic", "-monitor", "none",
            "-serial", "stdio"]
    # retrace types the command itself (--when), as a test does; QEMU gets it on stdin.
    def retrace(engine):
        return [f"{build}/runner/retrace", "run", "-b", OPENSBI, "-k", kernel, "--initrd", fs, "--append",
                "console=ttyS0", "-m", "256M", "--harts", str(harts), "--engine", engine, "--stats",
                "--max-insns", "20000000000", "--when", "/ # =sh /etc/bench.sh\\n"]
    return retrace, qemu


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/default"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    hart_counts = [int(h) for h in sys.argv[3].split(",")] if len(sys.argv) > 3 else [1, 2, 4]
    engines = sys.argv[4].split(",") if len(sys.argv) > 4 else ["jit", "blocks"]
    # The benchmark's initramfs is not part of the default build: build it (once, cached) here.
    subprocess.run(["cmake", "--build", build, "--target", "initramfs-linux-bench"], check=True,
                   stdout=subprocess.DEVNULL)
    for harts in hart_counts:
        retrace, qemu = commands(build, harts)
        who = [(f"retrace {e}", retrace(e), False) for e in engines]
        who += [("qemu", qemu, True), ("qemu -icount shift=0", qemu + ["-icount", "shift=0"], True)]
        times = {name: [] for name, _, _ in who}
        insns = {}
        checks = {}
        for _ in range(runs):
            for name, cmd, type_it in who:
                stamps, out, err = session(cmd, type_it)
                if len(stamps) != len(MARKERS):
                    if name.startswith("retrace"):
                        sys.exit(f"{name} ({harts} harts) stopped after {len(stamps)} of {len(MARKERS)} markers:\n"
                                 f"{out[-1500:]}\n{err[-1500:]}")
                    # QEMU -icount with several harts can take far longer: what did not finish counts as inf
                    print(f"  {name} ({harts} harts): {len(stamps)} of {len(MARKERS)} phases in {LIMIT:.0f} s", flush=True)
                    stamps = stamps + [float("inf")] * (len(MARKERS) - len(stamps))
                    out = ""
                phases = [stamps[0]] + [b - a if b != float("inf") else b for a, b in zip(stamps, stamps[1:])]
                times[name].append(phases)
                sums = re.findall(r"(\w+) checksum (\S+)", out)
                if out:
                    checks.setdefault(tuple(sums), []).append(name)
                m = re.search(r"(\d+) instructions", err)
                if m:
                    insns[name] = int(m.group(1))
        if len(checks) != 1:
            sys.exit(f"checksums differ ({harts} harts): {checks}")
        print(f"\n{harts} hart(s); checksums {' '.join(f'{k}={v}' for k, v in next(iter(checks)))}")
        for name in insns:
            print(f"  {name}: {insns[name]:,} instructions in all")
        print(f"  {'phase':<10}" + "".join(f"{n:>22}" for n, _, _ in who))
        med = {n: [statistics.median(r[i] for r in times[n]) for i in range(len(PHASES))] for n in times}
        for i, phase in enumerate(PHASES + ["total"]):
            cells = []
            for n, _, _ in who:
                v = sum(med[n]) if phase == "total" else med[n][i]
                cells.append(f"{v:>21.2f}s" if v != float("inf") else f"{'> ' + str(int(LIMIT)) + ' s':>22}")
            print(f"  {phase:<10}" + "".join(cells))
        first = who[0][0]
        for ref in ("qemu", "qemu -icount shift=0"):
            ratios = [med[ref][i] / med[first][i] for i in range(len(PHASES))]
            if float("inf") in med[ref]:
                print(f"  {first} speed vs {ref}: {ref} did not finish in {LIMIT:.0f} s")
                continue
            print(f"  {first} speed vs {ref}: " + ", ".join(f"{p} {r:.2f}x" for p, r in zip(PHASES, ratios))
                  + f", total {sum(med[ref]) / sum(med[first]):.2f}x")


if __name__ == "__main__":
    main()
