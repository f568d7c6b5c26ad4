"""The credit scheduler on (emulated) CPUs: CPU-bound test guests share the
pCPUs by weight and are preempted although they never exit on their own; an
I/O-bound guest that sleeps on HC_SET_TIMER wakes promptly beside them.

burn guests report `progress t=MSms units=N` every 250 ms of HC_CLOCK time
(tests/guests/burn.c). Under QEMU the runs use -icount shift=0: guest time
then counts instructions, so the shares depend on Plinth's scheduling alone,
not on how the host schedules QEMU's threads.
"""
import os
import re
import select
import subprocess
import time

import pytest

import emulators
from checks import expect_status, explain

GUESTS = os.path.join(emulators.ROOT, "build", "guests")
WEIGHTS = {"light1": 256, "heavy": 512, "light2": 256}   # 1:2:1
WINDOW_MS = 1500  # compare the guests at the same point of their run
TOLERANCE = 0.10  # the issue's +-10 %


def config(tmp_path, extra=""):
    text = extra
    for name, weight in WEIGHTS.items():
        text += f'[[guest]]\nname = "{name}"\nkernel = "burn.bin"\nweight = {weight}\n\n'
    path = tmp_path / "plinth.toml"
    path.write_text(text)
    return str(path)


def units_at(run, name, t_ms):
    m = re.search(rf"\[guest {name}\] progress t={t_ms}ms units=(\d+)", run.log)
    assert m, f"guest {name} reported no progress at {t_ms} ms {explain(run)}"
    return int(m.group(1))


def expect_weighted_shares(run):
    units = {n: units_at(run, n, WINDOW_MS) for n in WEIGHTS}
    total_units, total_weight = sum(units.values()), sum(WEIGHTS.values())
    for name, weight in WEIGHTS.items():
        share, want = units[name] / total_units, weight / total_weight
        assert abs(share / want - 1) <= TOLERANCE, \
            f"{name}: {share:.3f} of the work, want {want:.3f} +-10% ({units}) {explain(run)}"
    return units


@pytest.mark.alone
def test_weights_on_two_cpus_qemu(qemu, tmp_path):
    """Three burners 1:2:1 on two AMD-V pCPUs: the heavy one gets a pCPU to
    itself in effect, the light ones share the other."""
    run = qemu("test=guests", smp=2, memory="256M", timeout=240,
               extra=["-initrd", f"{config(tmp_path)},{GUESTS}/burn.bin"])
    expect_status(run, emulators.PASS)
    assert "[smp] CPU 1" in run.log, f"the second CPU did not come up {explain(run)}"
    expect_weighted_shares(run)


def test_one_cpu_preempts_burners_qemu(qemu, tmp_path):
    """On one pCPU the burners never exit by themselves: only the host timer
    preempts them, and the shares still follow the weights."""
    run = qemu("test=guests", smp=1, memory="256M", timeout=240,
               extra=["-icount", "shift=0", "-initrd", f"{config(tmp_path)},{GUESTS}/burn.bin"])
    expect_status(run, emulators.PASS)
    expect_weighted_shares(run)


def test_sleeper_wakes_promptly_qemu(qemu, tmp_path):
    """An I/O-bound guest beside two burners on one pCPU: it wakes within a
    millisecond of its timer (BOOST) every time."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text('[[guest]]\nname = "sleeper"\nkernel = "sleeper.bin"\n\n'
                   '[[guest]]\nname = "burn1"\nkernel = "burn.bin"\n\n'
                   '[[guest]]\nname = "burn2"\nkernel = "burn.bin"\n')
    run = qemu("test=guests", smp=1, memory="256M", timeout=240,
               extra=["-icount", "shift=0", "-initrd",
                      f"{cfg},{GUESTS}/burn.bin,{GUESTS}/sleeper.bin"])
    expect_status(run, emulators.PASS)
    assert "[guest sleeper] PASS sleep-wakes" in run.log, explain(run)
    m = re.search(r"\[guest sleeper\] wake latency max=(\d+)us avg=(\d+)us", run.log)
    assert m and int(m.group(1)) <= 1000, f"sleeper woke late {explain(run)}"


def test_weights_on_two_cpus_bochs(request, tmp_path):
    """VT-x: the same three burners on Bochs with two CPUs (its preemption
    timer ends their slices). Bochs' clock follows its instruction count."""
    run = request.getfixturevalue("bochs")(
        "test=guests", modules=[config(tmp_path), os.path.join(GUESTS, "burn.bin")],
        smp=2, timeout=600)
    expect_status(run, emulators.PASS)
    assert "[smp] CPU 1" in run.log, f"the second CPU did not come up {explain(run)}"
    units = expect_weighted_shares(run)
    print("bochs shares", units)


def test_stats_command_on_the_serial_console(kernel, tmp_path):
    """The management console's `stats` (docs/console.md), typed while guests
    run, prints every guest's scheduling statistics at once."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text('[[guest]]\nname = "busy"\nkernel = "burn.bin"\n')
    cmd = emulators.qemu_command(kernel=kernel, cmdline="test=guests", extra=[
        "-serial", "stdio", "-initrd", f"{cfg},{GUESTS}/burn.bin"])
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    seen = b""
    want = re.compile(rb"\[sched\] busy: weight 256, cap 0%, running")
    try:
        deadline = time.monotonic() + 60
        pressed = False
        # Once the console is opened the run goes on after the guest ends: stop at the answer.
        while time.monotonic() < deadline and not want.search(seen):
            if select.select([proc.stdout], [], [], 0.5)[0]:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                seen += chunk
            if not pressed and b"progress t=250ms" in seen:
                proc.stdin.write(b"stats\r")
                proc.stdin.flush()
                pressed = True
    finally:
        proc.kill()
        proc.wait()
    log = seen.decode("utf-8", "replace")
    assert pressed, f"the guest never reported progress:\n{log[-2000:]}"
    assert "plinth> stats" in log, log[-3000:]
    before_end = log.split("[guest] busy stopped")[0]
    assert re.search(r"\[sched\] statistics at \d+ ms on 1 CPU", before_end), log[-3000:]
    assert re.search(r"\[sched\] busy: weight 256, cap 0%, running", before_end), log[-3000:]


def test_guest_tsc_starts_near_zero(qemu, tmp_path):
    """Each guest's TSC counts from its creation (a TSC offset), not from the
    machine's reset: at its start it is below the time Plinth has run."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text('[[guest]]\nname = "clock"\nkernel = "burn.bin"\n')
    run = qemu("test=guests", extra=["-initrd", f"{cfg},{GUESTS}/burn.bin"], timeout=60)
    expect_status(run, emulators.PASS)
    khz = int(re.search(r"\[time\] TSC (\d+) kHz", run.log).group(1))
    m = re.search(r"burn-clock: HC_CLOCK reads (\d+) ns, RDTSC (\d+) at start", run.log)
    assert m, explain(run)
    clock_ns, tsc = int(m.group(1)), int(m.group(2))
    tsc_ns = tsc * 1000000 // khz
    assert tsc_ns < clock_ns, f"guest TSC {tsc_ns} ns >= Plinth's clock {clock_ns} ns {explain(run)}"
