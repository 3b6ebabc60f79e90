#!/usr/bin/env python3
"""Benchmark (not a test): wall time from start to U-Boot's "=>" prompt, for retrace and for
QEMU, on Debian's OpenSBI fw_jump + S-mode U-Boot, in one run. Both get the same console
session: a key at the autoboot countdown, then the prompt is the finish line.

    python3 tests/bench/boot_to_prompt.py build/default/runner/retrace [runs]
"""
import os, select, subprocess, sys, time

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"


def time_to_prompt(cmd, key_on_countdown):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out, sent = b"", False
    try:
        while time.monotonic() - start < 120:
            r, _, _ = select.select([p.stdout], [], [], 0.05)
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
            if key_on_countdown and not sent and b"Hit any key to stop autoboot" in out:
                p.stdin.write(b" ")
                p.stdin.flush()
                sent = True
            if b"=> " in out:
                return time.monotonic() - start
        return None
    finally:
        p.kill()
        p.wait()


def main():
    retrace = sys.argv[1] if len(sys.argv) > 1 else "build/default/runner/retrace"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    # retrace answers the countdown itself (--when), as a test does; QEMU gets the key on stdin.
    retrace_cmd = [retrace, "run", "-b", OPENSBI, "-k", UBOOT, "--max-insns", "3000000000",
                   "--when", "Hit any key to stop autoboot:  2= "]
    qemu_cmd = ["qemu-system-riscv64", "-M", "virt", "-bios", OPENSBI, "-kernel", UBOOT, "-nographic",
                "-monitor", "none", "-serial", "stdio"]
    for name, cmd, key in (("retrace", retrace_cmd, False), ("qemu", qemu_cmd, True),
                           ("qemu -icount shift=0", qemu_cmd + ["-icount", "shift=0"], True)):
        times = sorted(t for t in (time_to_prompt(cmd, key) for _ in range(runs)) if t is not None)
        if times:
            print(f"{name:22s} boot to '=>': median {times[len(times) // 2]:.2f} s  (runs: {', '.join(f'{t:.2f}' for t in times)})")
        else:
            print(f"{name:22s} did not reach the prompt")


if __name__ == "__main__":
    main()
