"""Plinth's own UEFI loader (boot/efi/, build/BOOTX64.EFI) on the USB stick
(tools/mkusb.sh -l), under OVMF with the stick behind an xHCI controller:
it runs the configured guests, hands the kernel the same boot information
GRUB's multiboot2 does on the same machine, and reports a bad kernel file
on the console and waits instead of resetting."""
import os
import re
import socket
import subprocess
import time

import pytest

import emulators
from checks import expect_lines, expect_status, explain
from test_usb import SMALL, boot_usb, esp, mkusb, mtools

ROOT = emulators.ROOT
LOADER = os.path.join(ROOT, "build", "BOOTX64.EFI")
KERNEL = os.path.join(ROOT, "build", "plinth.elf")
UEFI_TIMEOUT = 150
# OVMF reaches the loader in about 5 s of TCG time; this leaves margin.
WAIT_TIMEOUT = 60
# OVMF's boot manager says this when a boot program returns (with an error).
RETURNED = "BdsDxe: failed to start Boot"


def loader():
    if not os.path.exists(LOADER):
        pytest.fail("build/BOOTX64.EFI is missing: run `make efi`")
    return LOADER


def test_own_loader_runs_the_configured_guests(tmp_path, log_path):
    img = mkusb(tmp_path, SMALL, loader=loader())
    run = boot_usb(img, log_path, firmware="uefi", timeout=UEFI_TIMEOUT)
    expect_status(run, emulators.PASS)
    expect_lines(run, "Plinth loader: Plinth UEFI loader ",
                 "Plinth loader: \\plinth\\plinth.elf: 0x200000-",
                 "Plinth loader: 2 module(s) from \\plinth",
                 "Plinth loader: starting the kernel",
                 "[boot] boot protocol UEFI, loader 'Plinth UEFI loader ",
                 "[boot] cmdline 'test=guests'",
                 "bytes '/plinth/plinth.toml'", "bytes '/plinth/exits.bin'",
                 "[boot] ACPI RSDP: OEM", "[boot] EFI system table at",
                 "[boot] EFI memory map:",
                 "[config] plinth.toml: 1 guest(s) described, 0 error(s)",
                 "[paging] W^X page tables live",
                 "[guest exits] RESULT passed=32 failed=0")
    assert "'/plinth/plinth.elf'" not in run.log, explain(run)
    assert "PANIC" not in run.log, explain(run)


def test_own_loader_modules_stay_out_of_the_frame_allocator(tmp_path, log_path):
    """test=mm takes every frame the allocator has and checks none lies in
    the image or a module: the loader's module pages are kept out of the
    free memory as GRUB's are, although the firmware map calls them usable."""
    img = mkusb(tmp_path, SMALL, cmdline="test=mm", loader=loader())
    run = boot_usb(img, log_path, firmware="uefi", timeout=UEFI_TIMEOUT)
    expect_status(run, emulators.PASS)
    expect_lines(run, "[boot] boot protocol UEFI", "[boot] cmdline 'test=mm'",
                 "bytes '/plinth/exits.bin'", "[test] self-test mm: PASS")


def test_own_loader_retries_exit_boot_services(tmp_path, log_path):
    """The test build changes the memory map once after reading it, so its
    first ExitBootServices fails on the stale key: it reads the map again,
    exits on the second try and the kernel boots as usual."""
    stale = os.path.join(ROOT, "build", "test", "BOOTX64-stale-key.EFI")
    if not os.path.exists(stale):
        pytest.fail("build/test/BOOTX64-stale-key.EFI is missing: run `make efi-test-loader`")
    img = mkusb(tmp_path, SMALL, loader=stale)
    run = boot_usb(img, log_path, firmware="uefi", timeout=UEFI_TIMEOUT)
    expect_status(run, emulators.PASS)
    expect_lines(run, "(test build: ExitBootServices attempts 2)'",
                 "[guest exits] RESULT passed=32 failed=0")
    assert "Plinth loader: error" not in run.log, explain(run)


def test_stick_with_own_loader_still_boots_grub_under_bios(tmp_path, log_path):
    """-l replaces only the UEFI boot program: BIOS still gets GRUB."""
    img = mkusb(tmp_path, SMALL, loader=loader())
    run = boot_usb(img, log_path, firmware="bios", timeout=90)
    expect_status(run, emulators.PASS)
    expect_lines(run, "[boot] boot protocol multiboot2, loader 'GRUB",
                 "[guest exits] RESULT passed=32 failed=0")


MODULE = re.compile(r"\[boot\] module \d+: 0x[0-9a-f]+-0x[0-9a-f]+ (\d+) bytes '([^']*)'$")


def summary(run):
    """boot_info_log's lines, by kind."""
    lines = [l for l in run.log.splitlines() if l.startswith("[boot] ")]
    pick = lambda prefix: [l for l in lines if l.startswith("[boot] " + prefix)]
    modules = []
    for line in pick("module "):
        m = MODULE.match(line)
        assert m, f"module line not in the expected form: {line!r} {explain(run)}"
        modules.append((m.group(2), int(m.group(1))))
    return {
        "protocol": pick("boot protocol"),
        "cmdline": pick("cmdline"),
        "memory": pick("mem ") + pick("usable memory") + pick("memory map truncated"),
        "modules": sorted(modules),
        "framebuffer": pick("framebuffer"),
        "rsdp": pick("ACPI RSDP"),
        "system table": pick("EFI system table"),
        "EFI map": pick("EFI memory map"),
    }


def test_own_loader_boot_info_matches_grub(tmp_path, log_path):
    """The same machine (OVMF, 256 MiB, one stick's files) booted by GRUB's
    multiboot2 and by Plinth's loader: the kernel's boot summaries agree."""
    (tmp_path / "grub").mkdir()
    (tmp_path / "own").mkdir()
    grub_img = mkusb(tmp_path / "grub", SMALL)
    own_img = mkusb(tmp_path / "own", SMALL, loader=loader())
    grub = boot_usb(grub_img, log_path.replace(".log", "-grub.log"), firmware="uefi",
                    timeout=UEFI_TIMEOUT)
    own = boot_usb(own_img, log_path, firmware="uefi", timeout=UEFI_TIMEOUT)
    expect_status(grub, emulators.PASS)
    expect_status(own, emulators.PASS)
    g, o = summary(grub), summary(own)
    context = f"\nGRUB: {grub.log_path}\nown loader: {own.log_path}"

    # Differ by design: who loaded the kernel, and how.
    assert g["protocol"] and g["protocol"][0].startswith(
        "[boot] boot protocol multiboot2, loader 'GRUB"), context
    assert o["protocol"] == ["[boot] boot protocol UEFI, loader 'Plinth UEFI loader "
                             f"{plinth_version()}'"], context
    # Same by design. The typed memory map is compared whole: each loader's
    # own allocations turn conventional memory into loader data, which is
    # usable either way, so after normalising nothing may differ.
    for key in ("cmdline", "memory", "framebuffer", "rsdp", "system table"):
        assert g[key] == o[key], f"{key} differs:\nGRUB: {g[key]}\nown:  {o[key]}{context}"
        assert o[key], f"no {key} lines{context}"
    # Modules: same names and sizes. Addresses differ (each loader picks free
    # pages) and so does the order (GRUB's wildcard follows the directory,
    # Plinth's loader sorts by name).
    assert g["modules"] == o["modules"], f"modules differ: {g['modules']} / {o['modules']}{context}"
    assert ("/plinth/exits.bin", os.path.getsize(os.path.join(ROOT, "build", "guests",
                                                               "exits.bin"))) in o["modules"]
    # The raw EFI descriptor count differs: the loaders' allocations split
    # the firmware's descriptors differently. Both must pass it on.
    assert g["EFI map"] and o["EFI map"], context


def plinth_version():
    with open(os.path.join(ROOT, "include", "plinth", "kernel.h")) as f:
        return re.search(r'PLINTH_VERSION "([^"]+)"', f.read()).group(1)


def damage_missing(part, tmp_path):
    mtools("mdel", "-i", part, "::/plinth/plinth.elf")
    return "Plinth loader: error: \\plinth\\plinth.elf is missing on this partition"


def damage_truncated(part, tmp_path):
    """The first 8 KiB only, as after an interrupted copy."""
    cut = tmp_path / "cut" / "plinth.elf"
    cut.parent.mkdir()
    with open(KERNEL, "rb") as f:
        cut.write_bytes(f.read(8192))
    mtools("mcopy", "-o", "-i", part, str(cut), "::/plinth/plinth.elf")
    return ("Plinth loader: error: \\plinth\\plinth.elf: program header 0: "
            "segment extends past the end of the file (truncated?)")


def damage_not_elf(part, tmp_path):
    bad = tmp_path / "bad" / "plinth.elf"
    bad.parent.mkdir()
    bad.write_text("this is not a kernel\n" * 100)
    mtools("mcopy", "-o", "-i", part, str(bad), "::/plinth/plinth.elf")
    return ("Plinth loader: error: \\plinth\\plinth.elf: not an ELF file "
            "(no \\177ELF magic at the start)")


PROMPT = "Plinth loader: press any key to return to the firmware."
# How long a failed loader must keep waiting after its prompt.
STILL_WAITING = 8


def serial_text(path):
    if not os.path.exists(path):
        return ""
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace").replace("\r", "")


def wait_for(path, needle, deadline, proc):
    while time.monotonic() < deadline and proc.poll() is None:
        text = serial_text(path)
        if needle in text:
            return text
        time.sleep(0.5)
    text = serial_text(path)
    if needle in text:
        return text
    ended = f"QEMU ended (status {proc.poll()})" if proc.poll() is not None else "timed out"
    pytest.fail(f"{needle!r} did not appear ({ended}); {path}:\n{text[-2000:]}")


class WaitingLoader:
    """QEMU with OVMF and the stick, a monitor socket to type keys with; the
    serial log goes to log_path. Ended on exit (the loader waits forever)."""

    def __init__(self, img, log_path, monitor):
        usb = ["-device", "qemu-xhci", "-drive", f"if=none,id=stick,format=raw,file={img}",
               "-device", "usb-storage,drive=stick"]
        self.log_path, self.monitor = log_path, monitor
        if os.path.exists(log_path):  # an earlier run's log would be read until QEMU truncates it
            os.remove(log_path)
        cmd = emulators.qemu_command(firmware="uefi", extra=[
            "-serial", f"file:{log_path}", "-monitor", f"unix:{monitor},server,nowait", *usb])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def wait_for(self, needle, timeout=WAIT_TIMEOUT):
        return wait_for(self.log_path, needle, time.monotonic() + timeout, self.proc)

    def still_waiting(self):
        """After the prompt: some seconds later QEMU still runs (-no-reboot
        ends it on a reset) and the firmware has not got control back."""
        text = self.wait_for(PROMPT)
        time.sleep(STILL_WAITING)
        assert self.proc.poll() is None, f"QEMU ended: a reset? see {self.log_path}"
        text = serial_text(self.log_path)
        assert RETURNED not in text, f"the loader returned without a key: see {self.log_path}"
        return text

    def press_enter(self):
        """Through the monitor; waits for its reply, since QEMU drops a
        command whose connection closes before it ran."""
        with socket.socket(socket.AF_UNIX) as mon:
            mon.settimeout(WAIT_TIMEOUT)
            mon.connect(self.monitor)
            self._read_prompt(mon)
            mon.sendall(b"sendkey ret\n")
            self._read_prompt(mon)

    @staticmethod
    def _read_prompt(mon):
        got = b""
        while not got.endswith(b"(qemu) "):
            data = mon.recv(4096)
            assert data, f"QEMU's monitor closed; it said {got[-200:]!r}"
            got += data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


@pytest.mark.parametrize("damage", [damage_missing, damage_truncated, damage_not_elf],
                         ids=["missing", "truncated", "not-elf"])
def test_own_loader_reports_a_bad_kernel_and_waits(tmp_path, log_path, damage):
    img = mkusb(tmp_path, SMALL, loader=loader())
    message = damage(esp(img), tmp_path)
    with WaitingLoader(img, log_path, str(tmp_path / "monitor.sock")) as qemu:
        text = qemu.still_waiting()
    assert text.count(message) == 1, f"missing {message!r}: see {log_path}"
    assert text.count(PROMPT) == 1, log_path
    assert text.count("Plinth loader: Plinth UEFI loader ") == 1, \
        f"the loader ran more than once: see {log_path}"
    assert "[core] Plinth" not in text, log_path


def test_own_loader_reports_not_enough_memory(tmp_path, log_path):
    """A module larger than the machine's RAM (256 MiB): the loader names it."""
    huge = tmp_path / "files" / "huge.bin"
    huge.parent.mkdir()
    with open(huge, "wb") as f:
        f.truncate(300 << 20)
    img = mkusb(tmp_path, SMALL, loader=loader(), files=[str(huge)])
    message = ("Plinth loader: error: \\plinth\\huge.bin: not enough memory below 4 GiB "
               "for its 307200 KiB: out of resources")
    with WaitingLoader(img, log_path, str(tmp_path / "monitor.sock")) as qemu:
        text = qemu.still_waiting()
    assert text.count(message) == 1, f"missing {message!r}: see {log_path}"
    assert "[core] Plinth" not in text, log_path


def test_own_loader_returns_to_the_firmware_on_a_key(tmp_path, log_path):
    """A key press (QEMU's monitor types Enter on the PS/2 keyboard) after the
    message returns to OVMF's boot manager with an error."""
    img = mkusb(tmp_path, SMALL, loader=loader())
    damage_missing(esp(img), tmp_path)
    with WaitingLoader(img, log_path, str(tmp_path / "monitor.sock")) as qemu:
        qemu.still_waiting()
        qemu.press_enter()
        text = qemu.wait_for(RETURNED)
    assert ": Load Error" in text.split(RETURNED, 1)[1].splitlines()[0], \
        f"the loader should return EFI_LOAD_ERROR: see {log_path}"
    assert text.count("Plinth loader: Plinth UEFI loader ") == 1, log_path
