"""The test guests (tests/guests/) under Plinth: `test=guests` runs every boot
module as a guest until all have stopped, then ends the emulator with PASS.

Each guest prints `PASS name: detail` / `FAIL name: detail` lines and
`RESULT passed=N failed=M`, which Plinth logs as `[guest NAME] ...`; when a
guest stops Plinth logs `[guest] NAME stopped ...` with its exit counts.

Each test writes a plinth.toml describing its guests (docs/config.md). QEMU
boots Plinth with -kernel, the file and the images as multiboot1 modules
(-initrd "PATH,..."); Bochs boots a GRUB ISO with them as multiboot2 modules.
"""
import datetime
import os
import re

import pytest

import emulators
from checks import explain, expect_status

GUEST_DIR = os.path.join(emulators.ROOT, "build", "guests")

BACKENDS = [
    pytest.param("qemu", id="qemu-svm"),
    pytest.param("bochs", id="bochs-vmx"),
]

# The checks each guest reports (tests/guests/*.c); all must PASS.
EXITS = [
    "cpuid-hypervisor-bit", "cpuid-no-vmx", "cpuid-no-svm", "cpuid-hv-signature",
    "cpuid-hv-features",
    "hc-guest-id", "hc-yield", "hc-unknown", "hc-console-bad-gpa", "hc-console-too-long",
    "io-in8", "io-in16", "io-in32", "io-out", "io-rep-insb", "io-rep-outsb",
    "msr-pat", "msr-tsc", "msr-efer", "msr-efer-svme-gp", "msr-unknown-read-gp",
    "msr-unknown-write-gp",
    "s2-read-ones", "s2-write-dropped", "s2-ram-end",
    "irq-masked", "irq-window", "irq-hlt", "irq-bad-vector", "irq-no-spurious",
    "exc-db-single-step",
    "hc-console-write",
]
HOSTILE_COMMON = [
    "msr-wild-vm-hsave-pa", "msr-wild-vm-cr", "msr-wild-feature-control", "msr-wild-random",
    "far-gpa-512g", "far-gpa-1012g", "gpa-below-4g",
    "hv-window-no-image", "hv-window-zero", "ram-no-image",
    "hc-console-wrap", "hc-raise-irq-range",
    "storm-cpuid", "storm-io",
]
HOSTILE_SVM = ["ud-vmrun", "ud-vmload", "ud-vmsave", "ud-clgi", "ud-stgi", "ud-skinit",
               "ud-invlpga"]
HOSTILE_VMX = ["ud-vmxon", "ud-vmclear", "ud-vmptrld", "ud-vmptrst", "ud-vmread",
               "ud-vmwrite", "ud-vmlaunch", "ud-vmresume", "ud-vmxoff", "ud-invept",
               "ud-invvpid", "ud-vmfunc"]
REALMODE = ["realmode-start", "realmode-hypercall", "realmode-long"]
RTC = ["rtc-read", "rtc-format", "rtc-not-1970", "rtc-ticks"]
ISOLATION = ["iso-guest-id", "iso-yield", "iso-own-intact", "iso-scan-works", "iso-no-foreign",
             "iso-own-found", "iso-beyond-ram"]

QEMU_TIMEOUT = 90
BOCHS_TIMEOUT = 240


def image(name):
    path = os.path.join(GUEST_DIR, name + ".bin")
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run `make guests` (make test builds it first)")
    return path


def write_config(request, guests):
    """A plinth.toml for `guests`, a list of (image, "key=value ..."): the
    guest is named after its image and its kernel is IMAGE.bin unless name=
    or kernel= say otherwise."""
    text = ""
    for name, args in guests:
        keys = dict(a.split("=", 1) for a in args.split())
        text += f'[[guest]]\nname = "{keys.pop("name", name)}"\n'
        text += f'kernel = "{keys.pop("kernel", name + ".bin")}"\n'
        text += "".join(f'{k} = "{v}"\n' for k, v in keys.items()) + "\n"
    path = request.getfixturevalue("tmp_path") / "plinth.toml"
    path.write_text(text)
    return str(path)


def boot(request, backend, guests, cpu=None, qemu_args=(), rtc_start=None):
    """Boot Plinth with test=guests and `guests` (see write_config);
    qemu_args go to QEMU's command line, rtc_start (a datetime, UTC) sets
    Bochs' RTC."""
    files = [write_config(request, guests)] + sorted({image(name) for name, _ in guests})
    if backend == "qemu":
        return request.getfixturevalue("qemu")(
            "test=guests", extra=["-initrd", ",".join(files)] + list(qemu_args),
            timeout=QEMU_TIMEOUT)
    kw = {"cpu": cpu} if cpu else {}
    if rtc_start:
        kw["rtc_start"] = rtc_start.replace(tzinfo=datetime.timezone.utc).timestamp()
    return request.getfixturevalue("bochs")("test=guests", modules=files, timeout=BOCHS_TIMEOUT, **kw)


def guest_lines(run, name):
    """What guest `name` printed: the text after `[guest NAME] `."""
    tag = f"[guest {name}] "
    return [l[len(tag):] for l in run.log.splitlines() if l.startswith(tag)]


def expect_report(run, name, expected):
    """Every expected check passed, none failed, and RESULT agrees."""
    lines = guest_lines(run, name)
    assert lines, f"guest {name} printed nothing {explain(run)}"
    fails = [l for l in lines if l.startswith("FAIL")]
    assert not fails, f"guest {name} failed:\n" + "\n".join(fails) + f"\n{explain(run)}"
    passed = {m.group(1) for m in map(re.compile(r"PASS ([\w.-]+):").match, lines) if m}
    missing = [c for c in expected if c not in passed]
    assert not missing, f"guest {name}: no PASS for {missing} {explain(run)}"
    results = [m for m in map(re.compile(r"RESULT passed=(\d+) failed=(\d+)$").match, lines) if m]
    assert results, f"guest {name}: no RESULT line {explain(run)}"
    n_pass, n_fail = int(results[-1].group(1)), int(results[-1].group(2))
    assert n_fail == 0 and n_pass == sum(l.startswith("PASS ") for l in lines), \
        f"guest {name}: {results[-1].group(0)} disagrees with its lines {explain(run)}"


def plinth_lines(run, name):
    """Plinth's own lines about guest `name`: `[guest] NAME ...`."""
    pattern = re.compile(r"\[guest\] " + re.escape(name) + r"\b")
    return [l for l in run.log.splitlines() if pattern.match(l)]


def expect_stopped(run, *names):
    """Plinth logged that each guest stopped, and its exit counts by reason."""
    for name in names:
        lines = plinth_lines(run, name)
        assert any("stopped" in l for l in lines), \
            f"no '[guest] {name} ... stopped' line {explain(run)}"
        assert any(re.search(r"\w=\d+", l) for l in lines), \
            f"no exit statistics (reason=count) for guest {name} {explain(run)}"


def expect_finished(run):
    """Every guest stopped and Plinth ended the run itself."""
    expect_status(run, emulators.PASS)
    assert "PANIC" not in run.log, f"unexpected panic {explain(run)}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_guest_exits(request, backend):
    run = boot(request, backend, [("exits", "memory=16M")])
    expect_finished(run)
    expect_report(run, "exits", EXITS)
    expect_stopped(run, "exits")


@pytest.mark.parametrize("backend", BACKENDS)
def test_guest_realmode(request, backend):
    run = boot(request, backend, [("realmode", "mode=real memory=16M")])
    expect_finished(run)
    expect_report(run, "realmode", REALMODE)
    expect_stopped(run, "realmode")


@pytest.mark.parametrize("backend", BACKENDS)
def test_guest_hostile(request, backend):
    """hostile ends in a triple fault; Plinth stops it and still runs exits."""
    run = boot(request, backend, [("hostile", "memory=16M"), ("exits", "memory=16M")])
    expect_finished(run)
    ud = HOSTILE_SVM if backend == "qemu" else HOSTILE_VMX
    expect_report(run, "hostile", ud + HOSTILE_COMMON)
    expect_stopped(run, "hostile", "exits")
    # Plinth's own lines about hostile (not hostile's output) name the cause.
    assert any(re.search(r"triple.fault|shutdown", l, re.I) for l in plinth_lines(run, "hostile")), \
        f"no line saying hostile stopped on a triple fault / shutdown {explain(run)}"
    expect_report(run, "exits", EXITS)
    # hostile runs for seconds: the scheduler's deadlines end its runs, as
    # LAPIC timer interrupts (external-interrupt exits) on AMD-V and as
    # preemption-timer exits on VT-x.
    stats = " ".join(l for l in plinth_lines(run, "hostile") if "exits:" in l)
    assert re.search(r"(extint|timer)=[1-9]", stats), f"no timer-forced exits {explain(run)}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_guest_isolation(request, backend):
    run = boot(request, backend, [("isolation", "name=iso1 memory=16M"),
                                  ("isolation", "name=iso2 memory=16M")])
    expect_finished(run)
    for name in ("iso1", "iso2"):
        expect_report(run, name, ISOLATION)
    expect_stopped(run, "iso1", "iso2")
    # Two guests, two ids.
    ids = [re.search(r"guest id (\d+)", " ".join(guest_lines(run, n))) for n in ("iso1", "iso2")]
    assert all(ids) and ids[0].group(1) != ids[1].group(1), \
        f"iso1 and iso2 need different guest ids {explain(run)}"


def test_guests_bochs_svm(request):
    """A second SVM implementation: Bochs' `ryzen` has NRIP save and
    flush-by-ASID, which QEMU's TCG lacks, so the other branches run here.
    hostile is left out: Bochs resets the machine on a guest triple fault
    instead of exiting with SHUTDOWN."""
    run = boot(request, "bochs", [("exits", "memory=16M"), ("realmode", "mode=real memory=2M"),
                                  ("isolation", "name=iso1"), ("isolation", "name=iso2")],
               cpu="ryzen")
    expect_finished(run)
    assert "nrips=yes" in run.log, explain(run)
    expect_report(run, "exits", EXITS)
    expect_report(run, "realmode", REALMODE)
    for name in ("iso1", "iso2"):
        expect_report(run, name, ISOLATION)
    expect_stopped(run, "exits", "realmode", "iso1", "iso2")


def test_guest_from_elf_and_a_lying_image(request, tmp_path):
    """exits loaded from its ELF file runs as the flat one does; an ELF whose
    program headers point past its end is refused with a message naming it,
    and does not stop the other guest."""
    elf = image("exits").replace(".bin", ".elf")
    data = bytearray(open(elf, "rb").read())
    data[0x20:0x28] = (len(data) + 4096).to_bytes(8, "little")  # e_phoff past the end
    liar = tmp_path / "liar.elf"
    liar.write_bytes(bytes(data))
    config = write_config(request, [("exits", "name=exitself kernel=exits.elf format=elf"),
                                    ("liar", "kernel=liar.elf")])
    run = request.getfixturevalue("qemu")("test=guests", extra=["-initrd", f"{config},{elf},{liar}"],
                                          timeout=QEMU_TIMEOUT)
    expect_finished(run)
    expect_report(run, "exitself", EXITS)
    assert re.search(r"liar: .*program header", run.log), f"no error naming liar {explain(run)}"
    assert "liar: guest" not in run.log, f"the lying image was started {explain(run)}"


@pytest.mark.parametrize("backend", ["qemu", "bochs"])
def test_guest_rtc_date(request, backend):
    """Plinth reads the machine's RTC at boot and the guests' RTCs start
    from it: the emulator's RTC (QEMU -rtc base=, Bochs clock: time0=) is
    set to a date of our choosing, which must come out of Plinth's log line
    and out of the guest's own CMOS reads. The RTC runs on from that date
    while the boot takes its time, so both may be minutes later, never
    earlier."""
    chosen = datetime.datetime(2030, 5, 17, 10, 20, 30)
    slack = datetime.timedelta(minutes=10)
    run = boot(request, backend, [("rtc", "memory=16M")], rtc_start=chosen,
               qemu_args=["-rtc", "base=" + chosen.strftime("%Y-%m-%dT%H:%M:%S")])
    expect_finished(run)
    expect_report(run, "rtc", RTC)
    expect_stopped(run, "rtc")

    host = re.search(r"^\[time\] host RTC: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$", run.log, re.M)
    assert host, f"no '[time] host RTC: ... UTC' line {explain(run)}"
    host_time = datetime.datetime.strptime(host.group(1), "%Y-%m-%d %H:%M:%S")
    assert chosen <= host_time <= chosen + slack, \
        f"Plinth read {host_time} from an RTC set to {chosen} {explain(run)}"

    dates = [m for m in map(re.compile(r"rtc date (\S+ \S+) ").match, guest_lines(run, "rtc")) if m]
    assert dates, f"the rtc guest printed no date {explain(run)}"
    guest_time = datetime.datetime.strptime(dates[0].group(1), "%Y-%m-%d %H:%M:%S")
    assert host_time <= guest_time <= host_time + slack, \
        f"the guest's RTC says {guest_time}, the host's said {host_time} {explain(run)}"
