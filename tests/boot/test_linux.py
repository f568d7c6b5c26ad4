"""A stock Debian Linux kernel with a busybox initramfs as a Plinth guest
(docs/linux.md). tools/fetch-linux.sh gets the files with apt-get download
on first use (build/linux/, never committed)."""
import datetime
import os
import re
import subprocess

import pytest

import emulators
from checks import expect_lines, expect_status, explain

LINUX = os.path.join(emulators.ROOT, "build", "linux")
CMDLINE = "console=ttyS0 noapic nolapic acpi=off"


@pytest.fixture(scope="session")
def linux_files():
    proc = subprocess.run(["sh", "tools/fetch-linux.sh"], cwd=emulators.ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"tools/fetch-linux.sh failed:\n{proc.stdout}{proc.stderr}")
    return os.path.join(LINUX, "vmlinuz"), os.path.join(LINUX, "initramfs.cpio.gz")


def linux_guest(name, cmdline=CMDLINE, extra=""):
    return (f'[[guest]]\nname = "{name}"\nkernel = "vmlinuz"\ninitrd = "initramfs.cpio.gz"\n'
            f'cmdline = "{cmdline}"\nmemory = "128M"\n{extra}\n')


def boot_linux(qemu, tmp_path, files, config, smp=1, timeout=240, qemu_args=()):
    cfg = tmp_path / "plinth.toml"
    cfg.write_text(config)
    kernel, initrd = files
    return qemu("test=guests", smp=smp, memory="768M", timeout=timeout,
                extra=["-initrd", f"{cfg},{kernel},{initrd}"] + list(qemu_args))


def expect_linux_ran(run, name):
    expect_lines(run, f"[guest {name}] PLINTH-LINUX-INIT-OK", f"[guest {name}] file-roundtrip: ok",
                 f"[guest {name}] PLINTH-LINUX-DONE",
                 f"[guest] {name} stopped: halted with interrupts disabled (exit code 0)")
    assert re.search(rf"\[guest {name}\] Linux \S+ 6\.\S+ .* x86_64", run.log), explain(run)


def test_linux_guest_qemu(qemu, tmp_path, linux_files):
    """One Linux guest reaches /init, prints its marker and powers off; Plinth
    reports that it ended cleanly. Its clock starts at the machine's date
    (QEMU's RTC is set to one of ours; the boot may take minutes)."""
    chosen = datetime.datetime(2030, 5, 17, 10, 20, 30)
    run = boot_linux(qemu, tmp_path, linux_files, linux_guest("linux"),
                     qemu_args=["-rtc", "base=" + chosen.strftime("%Y-%m-%dT%H:%M:%S")])
    expect_status(run, emulators.PASS)
    expect_linux_ran(run, "linux")
    expect_lines(run, "[guest linux] [    0.000000] Command line: " + CMDLINE)
    m = re.search(r"\[guest linux\] .*rtc_cmos.* setting system clock to (\S+) UTC", run.log)
    assert m, f"Linux did not set its clock from the RTC {explain(run)}"
    linux_time = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    assert chosen <= linux_time <= chosen + datetime.timedelta(minutes=10), \
        f"Linux's RTC said {linux_time}, the machine's was set to {chosen} {explain(run)}"


def test_two_linux_guests_side_by_side(qemu, tmp_path, linux_files):
    """Two Linux guests on two CPUs, each with its own console."""
    run = boot_linux(qemu, tmp_path, linux_files, linux_guest("left") + linux_guest("right"), smp=2)
    expect_status(run, emulators.PASS)
    for name in ("left", "right"):
        expect_linux_ran(run, name)


def test_linux_panic_restart_and_destroy(qemu, tmp_path, linux_files):
    """init exits: the kernel panics and asks for a reboot. With on_crash =
    restart it is started again (at most 3 times in a row), with destroy it
    stays stopped; a third guest goes on unaffected."""
    panic = CMDLINE + " plinth.panic panic=-1"
    config = (linux_guest("phoenix", panic, 'on_crash = "restart"') +
              linux_guest("dodo", panic, 'on_crash = "destroy"') + linux_guest("steady"))
    run = boot_linux(qemu, tmp_path, linux_files, config, smp=2, timeout=400)
    expect_status(run, emulators.PASS)
    expect_linux_ran(run, "steady")
    for name in ("phoenix", "dodo"):
        expect_lines(run, f"[guest {name}] PLINTH-LINUX-PANIC", f"{name} stopped: asked for a reboot")
    expect_lines(run, "phoenix: restarting (on_crash = restart, restart 1 of at most 3 in a row)",
                 "phoenix: crashed 4 times in a row: not restarted again")
    assert "dodo: restarting" not in run.log, explain(run)
    assert run.log.count("[guest dodo] PLINTH-LINUX-PANIC") == 1, explain(run)


def test_linux_guest_bochs_vmx(request, tmp_path, linux_files):
    """The same Linux guest on VT-x (Bochs corei7_skylake_x): about 110 s."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text(linux_guest("linux"))
    kernel, initrd = linux_files
    run = request.getfixturevalue("bochs")("test=guests", modules=[str(cfg), kernel, initrd],
                                            megs=512, timeout=1800)
    expect_status(run, emulators.PASS)
    expect_linux_ran(run, "linux")
