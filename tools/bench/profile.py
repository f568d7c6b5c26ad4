#!/usr/bin/env python3
"""Where Plinth's instructions per exit go (docs/bench.md), by function.

Boots the bench guest under Plinth twice, running one exit loop (`only=OP`)
with two iteration counts, with QEMU logging every translation block it
executes in Plinth's .text (-d exec,in_asm,nochain -dfilter). Instructions
per function = executions of each block x its length; the difference of the
two runs divided by the difference of the iteration counts is the cost of
one exit, without boot and shutdown. Blocks are counted by their start
address: a REP string instruction would count once per block here.

  tools/bench/profile.py cpuid            (ops: cpuid pio hypercall mmio hlt_wake)

Slow (minutes) and needs several GB in build/bench/ for the logs, deleted
afterwards. Not part of `make bench`.
"""
import argparse
import bisect
import collections
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402


def symbols():
    funcs = []
    start = end = None
    for line in run.run_cmd(["nm", "-n", "--defined-only", run.KERNEL]).splitlines():
        addr, kind, name = line.split()[:3]
        if name == "_text_start":
            start = int(addr, 16)
        elif name == "_text_end":
            end = int(addr, 16)
        if kind in "tT":
            funcs.append((int(addr, 16), name))
    return funcs, start, end


def profile_log(path, funcs):
    """Instructions executed per function in one -d exec,in_asm log."""
    addrs = [a for a, _ in funcs]
    length, runs = {}, collections.Counter()
    block, count = None, 0
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("Trace "):
                # Trace 0: 0x7f.. [00000000/0000000000201234/00000000/ff000000] ...
                runs[int(line.split("/", 2)[1], 16)] += 1
            elif line.startswith("0x"):
                if block is None:
                    block = int(line.split(":", 1)[0], 16)
                count += 1
            elif line.startswith("IN:") or not line.strip():
                if block is not None:
                    length[block] = count
                block, count = None, 0
    per_fn = collections.Counter()
    for pc, n in runs.items():
        i = bisect.bisect_right(addrs, pc) - 1
        per_fn[funcs[i][1] if i >= 0 else "?"] += n * length.get(pc, 0)
    return per_fn


def one_run(op, iters, text, out):
    log = os.path.join(out, f"profile-{op}-{iters}.qemu.log")
    cfg = (f'[[guest]]\nname = "bench"\nkernel = "bench.bin"\nmemory = "{run.GUEST_MEMORY}"\n'
           f'cmdline = "iters={iters} only={op}"\n')
    serial = os.path.join(out, f"profile-{op}-{iters}.log")
    with open(serial + ".toml", "w") as f:
        f.write(cfg)
    text_log = run.qemu(["-m", "256M", "-kernel", run.KERNEL, "-append", "test=guests",
                         "-initrd", f"{serial}.toml,{run.BENCH_GUEST}",
                         "-d", "exec,in_asm,nochain", "-dfilter", f"{text[0]:#x}..{text[1]:#x}",
                         "-D", log], 1800, serial)
    m = [x for x in run.BENCH_LINE.finditer(text_log) if x.group(1) == op]
    if not m:
        raise run.BenchError(f"no BENCH line for {op} in {serial}")
    return log, int(m[0].group(3))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("op", choices=run.EXIT_OPS)
    ap.add_argument("--iters", default="100,300", help="the two iteration counts (default 100,300)")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    low, high = (int(x) for x in args.iters.split(","))
    if not 0 < low < high:
        ap.error("--iters: two counts, the first smaller")
    funcs, start, end = symbols()
    out = os.path.join(run.BUILD, "bench")
    os.makedirs(out, exist_ok=True)
    counts, ticks = [], []
    for iters in (low, high):
        log, t = one_run(args.op, iters, (start, end), out)
        ticks.append(t)
        try:
            counts.append(profile_log(log, funcs))
        finally:
            os.remove(log)
    diff = {k: (counts[1][k] - counts[0][k]) / (high - low) for k in set(counts[0]) | set(counts[1])}
    # The loop's own TSC difference bounds what one iteration can cost: a
    # function above it differs between the two runs for another reason
    # (e.g. how much guest memory was scrubbed before QEMU ended).
    per_iter = (ticks[1] - ticks[0]) / (high - low)
    outside = {k: v for k, v in diff.items() if v > per_iter}
    inside = {k: v for k, v in diff.items() if k not in outside}
    total = sum(inside.values())
    print(f"Plinth instructions per {args.op} exit, by function (blocks x length); the loop "
          f"measured {per_iter:.1f} instructions per iteration, guest included:")
    for name, v in sorted(inside.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"  {v:9.1f}  {100 * v / total:5.1f}%  {name}")
    print(f"  {total:9.1f}  total in Plinth's text")
    for name, v in outside.items():
        print(f"  left out, more than one iteration costs: {name} ({v:.1f}; not on the exit path)")


if __name__ == "__main__":
    main()
