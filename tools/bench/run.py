#!/usr/bin/env python3
"""`make bench`: Plinth's benchmark suite (docs/bench.md).

Runs, two at a time (the machine has 2 cores):
  - the exit benchmark guest (tests/guests/bench.c) under Plinth and directly
    under QEMU, both with -icount shift=0 (TSC = retired instructions);
  - a Linux guest to its /init marker under Plinth and directly under QEMU;
  - the host programs bench-host (footprint, stage-2 mapper, config parser)
    and schedsim bench (pick-next).
Writes build/bench/results.json (one object per figure: name, value, unit,
target, met, note), prints a table, and a PNG chart of the exit costs when
gnuplot or matplotlib is available. Instruction counts are deterministic;
the host figures are wall-clock times on this machine, reported only.

  tools/bench/run.py                    the full suite
  tools/bench/run.py --smoke            tiny counts (tests/boot/test_bench_smoke.py)
  tools/bench/run.py --markdown build/bench/results.json   the README's table
"""
import argparse
import concurrent.futures
import json
import os
import threading
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import emulators  # noqa: E402

ROOT = emulators.ROOT
BUILD = os.path.join(ROOT, "build")
KERNEL = os.path.join(BUILD, "plinth.elf")
BENCH_GUEST = os.path.join(BUILD, "guests", "bench.bin")
LINUX_DIR = os.path.join(BUILD, "linux")
LINUX_CMDLINE = "console=ttyS0 noapic nolapic acpi=off"
# Deterministic time: guest time counts instructions, idle time is skipped
# (not slept), and the RTC starts at a fixed date and runs on that clock.
ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "base=2025-01-01T00:00:00,clock=vm"]
GUEST_MEMORY = "16M"
LINUX_MEMORY = "128M"

# Targets from issue 10: hypervisor instructions per exit, boot ratio, footprint.
EXIT_OPS = ("cpuid", "pio", "hypercall", "mmio", "hlt_wake")
EXIT_TARGETS = {"cpuid": 150, "hypercall": 150, "pio": 300, "mmio": 300, "hlt_wake": 300}
EXIT_WHAT = {
    "cpuid": "CPUID leaf 0",
    "pio": "IN from COM1's LSR (emulated UART)",
    "hypercall": "HC_GUEST_ID (bare: a NOP in its place)",
    "mmio": "load from GPA 0xC0000000 (no RAM, no device)",
    "hlt_wake": "HC_SET_TIMER already due + STI;HLT + interrupt (bare: LAPIC self-IPI)",
}
LINUX_RATIO_TARGET = 1.05
PER_GUEST_4G_TARGET = 64 * 1024

BENCH_LINE = re.compile(r"BENCH op=(\w+) iters=(\d+) ticks=(\d+)")
BOOT_COST = re.compile(r"boot cost: (\d+) TSC ticks from Plinth's entry \(TSC (\d+)\) to the first "
                       r"guest entry \((\S+), guest TSC (\d+)\)")
EXITS = re.compile(r"\[guest\] (\S+) vcpu0 exits: total=(\d+)((?: [\w-]+=\d+)*)")
AT_REST = re.compile(r"at rest, no guests left:\n(?:.*\n)*?.*frames: \d+ MiB free of \d+ MiB, (\d+) KiB in use\n"
                     r".*heap: (\d+) bytes in (\d+) live objects, (\d+) pages held")
FRAME_META = re.compile(r"frame metadata: (\d+) KiB")
LINUX_TSC = re.compile(r"PLINTH-LINUX-TSC (\d+)")
FIGURE = re.compile(r"FIGURE (\S+) (\S+) (\S+) ?(.*)")


class BenchError(Exception):
    pass


def figure(name, value, unit, target=None, note="", lower_is_better=True):
    met = None
    if target is not None and value is not None:
        met = value <= target if lower_is_better else value >= target
    return {"name": name, "value": value, "unit": unit, "target": target, "met": met, "note": note}


LOCAL_LINKS_LOCK = threading.Lock()


def local(path, out):
    """`path` as a name in `out` (a symbolic link). QEMU runs in `out` and is
    given such names: its multiboot loader passes file names on to Plinth
    (kernel command line, module strings), and names of the same length in
    every results directory keep Plinth's instruction counts the same."""
    name = os.path.basename(path)
    link = os.path.join(out, name)
    target = os.path.abspath(path)
    with LOCAL_LINKS_LOCK:  # the benchmarks run in threads and share files
        if os.path.lexists(link) and os.readlink(link) != target:
            os.remove(link)
        if not os.path.lexists(link):
            os.symlink(target, link)
    return name


def qemu(args, timeout, log_path, until=None):
    """Run QEMU in log_path's directory with COM1 to log_path; with `until`,
    stop it once a line matches."""
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", emulators.SVM_CPU, "-smp", "1",
           "-display", "none", "-no-reboot", "-monitor", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log_path}"] + ICOUNT + args
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=os.path.dirname(log_path))
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None:
            if time.monotonic() > deadline:
                raise BenchError(f"QEMU timed out after {timeout}s: {' '.join(cmd)}; log {log_path}")
            if until and os.path.exists(log_path) and re.search(until, read(log_path)):
                break
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return read(log_path)


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace").replace("\r", "")


def plinth_run(config_text, modules, memory, timeout, log_path):
    out = os.path.dirname(log_path)
    cfg = os.path.basename(log_path).replace(".log", ".toml")
    with open(os.path.join(out, cfg), "w") as f:
        f.write(config_text)
    log = qemu(["-m", memory, "-kernel", local(KERNEL, out), "-append", "test=guests",
                "-initrd", ",".join([cfg] + [local(m, out) for m in modules])], timeout, log_path)
    if "self-test guests: PASS" not in log:
        raise BenchError(f"the run under Plinth did not pass; see {log_path}")
    return log


def exit_ticks(log, where):
    ticks = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in BENCH_LINE.finditer(log)}
    missing = [op for op in ("nop",) + EXIT_OPS if op not in ticks]
    if missing or "FAIL" in log:
        raise BenchError(f"the bench guest {where} reported no figure for {missing} or failed a check")
    return ticks


def run_exits_plinth(iters, out):
    cfg = (f'[[guest]]\nname = "bench"\nkernel = "bench.bin"\nmemory = "{GUEST_MEMORY}"\n'
           f'cmdline = "iters={iters}"\n')
    log = plinth_run(cfg, [BENCH_GUEST], "256M", 600, os.path.join(out, "exits-plinth.log"))
    return log


def run_exits_bare(iters, out):
    log_path = os.path.join(out, "exits-bare.log")
    return qemu(["-m", GUEST_MEMORY, "-kernel", local(BENCH_GUEST, out), "-append", f"iters={iters}"],
                300, log_path)


def run_linux_plinth(out):
    cfg = (f'[[guest]]\nname = "linux"\nkernel = "vmlinuz"\ninitrd = "initramfs.cpio.gz"\n'
           f'cmdline = "{LINUX_CMDLINE}"\nmemory = "{LINUX_MEMORY}"\n')
    return plinth_run(cfg, [os.path.join(LINUX_DIR, "vmlinuz"),
                            os.path.join(LINUX_DIR, "initramfs.cpio.gz")],
                      "768M", 900, os.path.join(out, "linux-plinth.log"))


# The bare run stops at the kernel's 32-bit entry (startup_32, where Plinth
# starts it too) under gdb, runs three instructions there that store the TSC,
# then puts everything back and lets the kernel go: TSC at the marker minus
# that is Linux's own boot, without SeaBIOS and the real-mode setup.
STUB_ADDR, STUB_DATA = 0x6000, 0x6100
STUB = bytes([0x0F, 0x31,                          # rdtsc
              0xA3, 0x00, 0x61, 0x00, 0x00,        # mov %eax, 0x6100
              0x89, 0x15, 0x04, 0x61, 0x00, 0x00])  # mov %edx, 0x6104
STUB_INSNS = 3
KERNEL_ENTRY = 0x100000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_linux_bare(out):
    log_path = os.path.join(out, "linux-bare.log")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        stub, orig = os.path.join(tmp, "stub.bin"), os.path.join(tmp, "orig.bin")
        with open(stub, "wb") as f:
            f.write(STUB)
        script = os.path.join(tmp, "entry.gdb")
        with open(script, "w") as f:
            f.write(f"""set pagination off
set confirm off
target remote 127.0.0.1:{port}
hbreak *{KERNEL_ENTRY:#x}
continue
delete
dump binary memory {orig} {STUB_ADDR:#x} {STUB_DATA + 16:#x}
set $saved_rax = $rax
set $saved_rdx = $rdx
restore {stub} binary {STUB_ADDR:#x}
set $pc = {STUB_ADDR:#x}
hbreak *{STUB_ADDR + len(STUB):#x}
continue
delete
printf "ENTRY-TSC %u %u\\n", *(unsigned int *){STUB_DATA:#x}, *(unsigned int *){STUB_DATA + 4:#x}
restore {orig} binary {STUB_ADDR:#x}
set $rax = $saved_rax
set $rdx = $saved_rdx
set $pc = {KERNEL_ENTRY:#x}
detach
""")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", emulators.SVM_CPU, "-smp", "1",
               "-m", LINUX_MEMORY, "-display", "none", "-no-reboot", "-monitor", "none",
               "-serial", f"file:{log_path}", "-kernel", local(os.path.join(LINUX_DIR, "vmlinuz"), out),
               "-initrd", local(os.path.join(LINUX_DIR, "initramfs.cpio.gz"), out),
               "-append", LINUX_CMDLINE,
               "-gdb", f"tcp:127.0.0.1:{port}", "-S"] + ICOUNT
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=out)
        try:
            gdb = None
            for _ in range(50):  # until QEMU listens
                gdb = subprocess.run(["gdb", "-batch", "-nx", "-x", script], capture_output=True,
                                     text=True, timeout=300)
                if "ENTRY-TSC" in gdb.stdout or "Connection refused" not in gdb.stdout + gdb.stderr:
                    break
                time.sleep(0.2)
            m = re.search(r"ENTRY-TSC (\d+) (\d+)", gdb.stdout)
            if not m:
                raise BenchError(f"gdb did not stop Linux at {KERNEL_ENTRY:#x}:\n{gdb.stdout}{gdb.stderr}")
            entry = int(m.group(1)) | int(m.group(2)) << 32
            deadline = time.monotonic() + 600
            while not (os.path.exists(log_path) and re.search(r"PLINTH-LINUX-DONE|System halted",
                                                              read(log_path))):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"bare Linux did not reach its end marker; see {log_path}")
                time.sleep(0.2)
        finally:
            proc.kill()
            proc.wait()
    return read(log_path), entry


def run_cmd(args):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def exit_counts(log, name):
    for m in EXITS.finditer(log):
        if m.group(1) == name:
            counts = {"total": int(m.group(2))}
            counts.update((k, int(v)) for k, v in re.findall(r"([\w-]+)=(\d+)", m.group(3)))
            return counts
    raise BenchError(f"no exit statistics for guest {name} in the log")


def image_size():
    out = run_cmd(["size", KERNEL]).splitlines()[1].split()
    return int(out[0]), int(out[1]), int(out[2])


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def collect(args, out):
    figs = []
    jobs = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        jobs["exits_plinth"] = pool.submit(run_exits_plinth, args.iters, out)
        jobs["exits_bare"] = pool.submit(run_exits_bare, args.iters, out)
        if not args.no_linux:
            jobs["linux_plinth"] = pool.submit(run_linux_plinth, out)
            jobs["linux_bare"] = pool.submit(run_linux_bare, out)
        # Host timings after the emulators, so they do not share the CPUs with them.
        results = {k: j.result() for k, j in jobs.items()}
    host = run_cmd([os.path.join(BUILD, "bench-host"), "footprint"])
    host += run_cmd([os.path.join(BUILD, "bench-host"), "stage2", str(args.host_repeat)])
    host += run_cmd([os.path.join(BUILD, "bench-host"), "config", str(args.host_repeat * 10)])
    sched = run_cmd([os.path.join(BUILD, "schedsim"), "bench"] +
                    ([str(args.host_repeat * 1000)] if args.smoke else []))

    # ---- Exit costs -----------------------------------------------------------
    nested = exit_ticks(results["exits_plinth"], "under Plinth")
    bare = exit_ticks(results["exits_bare"], "bare")
    iters = args.iters
    for where, ticks in (("bare", bare), ("plinth", nested)):
        per = ticks["nop"][1] / iters
        figs.append(figure(f"calibration.nop_loop_{where}", round(per, 2), "ticks/iter", None,
                           "3 instructions per iteration: TSC counts instructions"))
    for op in EXIT_OPS:
        n, b = nested[op][1], bare[op][1]
        figs.append(figure(f"exit.{op}", round((n - b) / iters, 1), "instructions/exit",
                           EXIT_TARGETS[op],
                           f"{EXIT_WHAT[op]}; nested {n} - bare {b} ticks over {iters} iterations"))
    counts = exit_counts(results["exits_plinth"], "bench")
    figs.append(figure("exit.bench_guest_exits", counts["total"], "exits", None,
                       " ".join(f"{k}={v}" for k, v in counts.items() if k != "total")))

    # ---- Boot cost and memory at rest (from the exit run's log) -------------------
    m = BOOT_COST.search(results["exits_plinth"])
    if not m:
        raise BenchError("no boot cost line in the log under Plinth")
    figs.append(figure("boot.plinth_entry_to_first_guest", int(m.group(1)), "instructions", None,
                       f"{GUEST_MEMORY} guest; firmware and loader before Plinth's entry: {m.group(2)}"))
    m = AT_REST.search(results["exits_plinth"])
    meta = FRAME_META.search(results["exits_plinth"])
    if not m or not meta:
        raise BenchError("no memory statistics at rest in the log under Plinth")
    text, data, bss = image_size()
    rest = text + data + bss + int(meta.group(1)) * 1024 + int(m.group(1)) * 1024
    figs.append(figure("footprint.image_text", text, "bytes", None, "size(1): .text + .rodata"))
    figs.append(figure("footprint.image_data", data, "bytes"))
    figs.append(figure("footprint.image_bss", bss, "bytes", None, "boot stacks and page tables"))
    figs.append(figure("footprint.frames_in_use_at_rest", int(m.group(1)) * 1024, "bytes", None,
                       f"1 CPU, after every guest stopped; heap {m.group(2)} bytes in {m.group(3)} "
                       f"objects, {m.group(4)} pages held"))
    figs.append(figure("footprint.memory_at_rest", rest, "bytes", None,
                       f"image + frame metadata {meta.group(1)} KiB + frames in use (1 CPU)"))

    # ---- Linux --------------------------------------------------------------------
    if not args.no_linux:
        log = results["linux_plinth"]
        m, t = BOOT_COST.search(log), LINUX_TSC.search(log)
        if not m or not t:
            raise BenchError("Linux under Plinth: no boot cost line or no TSC marker")
        nested_linux = int(t.group(1)) - int(m.group(4))
        blog, entry = results["linux_bare"]
        t = LINUX_TSC.search(blog)
        if not t:
            raise BenchError("bare Linux: no TSC marker")
        bare_linux = int(t.group(1)) - entry - STUB_INSNS
        figs.append(figure("boot.linux_bare", bare_linux, "instructions", None,
                           f"startup_32 to /init's marker, {LINUX_MEMORY}, directly under QEMU"))
        figs.append(figure("boot.linux_plinth", nested_linux, "instructions", None,
                           "first guest instruction to /init's marker under Plinth"))
        figs.append(figure("boot.linux_ratio", round(nested_linux / bare_linux, 4), "ratio",
                           LINUX_RATIO_TARGET, "Plinth / bare"))
        counts = exit_counts(log, "linux")
        figs.append(figure("boot.linux_exits", counts["total"], "exits", None,
                           " ".join(f"{k}={v}" for k, v in counts.items() if k != "total")))
        figs.append(figure("boot.linux_hypervisor_per_exit",
                           round((nested_linux - bare_linux) / counts["total"], 1),
                           "instructions/exit", None,
                           "(Plinth - bare) / exits, idle time included"))

    # ---- Host: footprint and timings ------------------------------------------------
    host_figs = {}
    for line in host.splitlines():
        m = FIGURE.match(line)
        if m:
            host_figs[m.group(1)] = (float(m.group(2)), m.group(3), m.group(4))
    for name, (value, unit, note) in host_figs.items():
        target = None
        if name == "footprint.per_guest.4G.2m":
            target = PER_GUEST_4G_TARGET
        if name.startswith("host."):
            note += f"; {cpu_model()}"
        figs.append(figure(name, int(value) if value.is_integer() else value, unit, target, note))
    for m in re.finditer(r"^\s+(\d+)\s+([\d.]+)\s+\d+\s*$", sched, re.M):
        figs.append(figure(f"host.sched_pick_next_{m.group(1)}", float(m.group(2)), "ns/call", None,
                           f"schedsim bench, {m.group(1)} vCPUs on 4 pCPUs; {cpu_model()}"))
    if not any(f["name"].startswith("host.sched_pick_next") for f in figs):
        raise BenchError(f"no figures in schedsim bench's output:\n{sched}")
    return figs


def compare(figs, previous_path):
    """Say which instruction counts changed since the last run."""
    try:
        with open(previous_path) as f:
            prev = {p["name"]: p["value"] for p in json.load(f)["figures"]}
    except (OSError, ValueError, KeyError, TypeError):
        return []
    lines = []
    for fig in figs:
        if fig["unit"] in ("instructions/exit", "instructions", "ticks/iter") and fig["name"] in prev:
            old, new = prev[fig["name"]], fig["value"]
            lines.append(f"  {fig['name']}: " + ("same" if old == new else f"{old} -> {new}"))
    return lines


def table(figs):
    rows = [("figure", "value", "unit", "target", "met")]
    for f in figs:
        met = "" if f["met"] is None else ("yes" if f["met"] else "NO")
        rows.append((f["name"], str(f["value"]), f["unit"], "" if f["target"] is None else f"<= {f['target']}", met))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


README_SKIP = ("calibration.", "footprint.stage2_pages.", "footprint.struct_guest",
               "footprint.svm_vcpu", "footprint.vmx_vcpu", "footprint.frames_in_use")


def markdown(results_path):
    """The README's table (its "Performance" section) from a results.json."""
    with open(results_path) as f:
        figs = json.load(f)["figures"]
    lines = ["| figure | value | unit | target | met |", "| --- | ---: | --- | --- | --- |"]
    for fig in figs:
        if fig["name"].startswith(README_SKIP):
            continue
        value = f"{fig['value']:,}" if isinstance(fig["value"], int) else str(fig["value"])
        target = "" if fig["target"] is None else f"<= {fig['target']:,}"
        met = "" if fig["met"] is None else ("yes" if fig["met"] else "**no**")
        lines.append(f"| `{fig['name']}` | {value} | {fig['unit']} | {target} | {met} |")
    return "\n".join(lines)


def chart(figs, path):
    """Exit costs as a bar chart, with gnuplot or matplotlib when present."""
    bars = [(f["name"][5:], f["value"], f["target"]) for f in figs if f["name"].startswith("exit.")
            and f["unit"] == "instructions/exit"]
    if shutil.which("gnuplot"):
        data = "".join(f'"{n}" {v} {t}\n' for n, v, t in bars)
        script = (f'set terminal png size 800,480\nset output "{path}"\n'
                  'set style data histograms\nset style fill solid\nset ylabel "instructions per exit"\n'
                  'set title "Plinth: hypervisor instructions per exit (QEMU TCG, -icount)"\n'
                  'plot "-" using 2:xtic(1) title "measured", "-" using 3 title "target"\n'
                  f"{data}e\n{data}e\n")
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
        return "gnuplot"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(8, 4.8))
    xs = range(len(bars))
    ax.bar([x - 0.2 for x in xs], [b[1] for b in bars], 0.4, label="measured")
    ax.bar([x + 0.2 for x in xs], [b[2] for b in bars], 0.4, label="target")
    ax.set_xticks(list(xs), [b[0] for b in bars])
    ax.set_ylabel("instructions per exit")
    ax.legend()
    fig.savefig(path)
    return "matplotlib"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iters", type=int, default=10000, help="iterations per exit loop (default 10000)")
    ap.add_argument("--host-repeat", type=int, default=20, help="host benchmark repetitions")
    ap.add_argument("--smoke", action="store_true", help="tiny counts: iters 50, host repeat 1")
    ap.add_argument("--no-linux", action="store_true", help="skip the Linux boot")
    ap.add_argument("--out", default=os.path.join(BUILD, "bench"), help="results directory")
    ap.add_argument("--markdown", metavar="RESULTS_JSON",
                    help="only print the README's table of that results.json")
    args = ap.parse_args()
    if args.markdown:
        print(markdown(args.markdown))
        return
    if args.smoke:
        args.iters, args.host_repeat = 50, 1
    if args.iters < 1 or args.host_repeat < 1:
        ap.error("--iters and --host-repeat must be at least 1")
    for path in [KERNEL, BENCH_GUEST, os.path.join(BUILD, "bench-host"), os.path.join(BUILD, "schedsim")] + \
            ([] if args.no_linux else [os.path.join(LINUX_DIR, "vmlinuz"),
                                       os.path.join(LINUX_DIR, "initramfs.cpio.gz")]):
        if not os.path.exists(path):
            sys.exit(f"bench: {path} is missing (make bench builds it)")
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    try:
        figs = collect(args, args.out)
    except (BenchError, subprocess.TimeoutExpired) as e:
        sys.exit(f"bench: {e}")
    result_path = os.path.join(args.out, "results.json")
    changes = compare(figs, result_path)
    meta = {"machine": f"{cpu_model()}, {os.cpu_count()} CPUs", "qemu": run_cmd(
        ["qemu-system-x86_64", "--version"]).splitlines()[0], "iters": args.iters,
            "seconds": round(time.monotonic() - started, 1)}
    with open(result_path, "w") as f:
        json.dump({"meta": meta, "figures": figs}, f, indent=1)
    print(table(figs))
    print(f"\n{len(figs)} figures in {meta['seconds']} s on {meta['machine']}; {meta['qemu']}")
    targets = [f for f in figs if f["met"] is not None]
    print(f"targets met: {sum(f['met'] for f in targets)} of {len(targets)}; "
          f"not met: {', '.join(f['name'] for f in targets if not f['met']) or 'none'}")
    if changes:
        print("instruction counts against the previous results.json:\n" + "\n".join(changes))
    png = os.path.join(args.out, "exits.png")
    how = chart(figs, png)
    print(f"chart: {png} ({how})" if how else "chart: none (neither gnuplot nor matplotlib is installed)")
    print(f"results: {result_path}")


if __name__ == "__main__":
    main()
