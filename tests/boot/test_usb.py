"""The USB stick image (tools/mkusb.sh, `make usb`): booted as a USB mass
storage device behind an xHCI controller, by GRUB for BIOS under SeaBIOS and
by GRUB for UEFI under OVMF; its configuration, /plinth/plinth.toml on the
FAT32 EFI system partition, edited with mtools as a user would from any OS."""
import os
import struct
import subprocess

import pytest

import emulators
from checks import expect_lines, expect_status, explain

ROOT = emulators.ROOT
GUESTS = os.path.join(ROOT, "build", "guests")
TOOL = os.path.join(ROOT, "build", "plinth-cfg")

SMALL = """\
[hypervisor]
log_level = "info"

[[guest]]
name = "exits"
kernel = "exits.bin"
memory = "16M"
"""

# A valid guest and one with a bad size: the bad one is reported and skipped.
INVALID = """\
[hypervisor]
log_level = "info"

[[guest]]
name = "good"
kernel = "/plinth/exits.bin"
memory = "16M"

[[guest]]
name = "bad"
kernel = "exits.bin"
memory = "12X"
"""


def mkusb(tmp_path, config_text, cmdline="test=guests", files=None, kernel=None, loader=None):
    """The stick image; with `loader` (a BOOTX64.EFI) that is its UEFI boot program."""
    kernel = kernel or os.path.join(ROOT, "build", "plinth.elf")
    if not os.path.exists(kernel):
        pytest.fail("build/plinth.elf is missing: run `make`")
    files = files or [os.path.join(GUESTS, "exits.bin")]
    config = tmp_path / "plinth.toml"
    config.write_text(config_text)
    img = tmp_path / "plinth-usb.img"
    options = ["-a", cmdline] + (["-l", loader] if loader else [])
    subprocess.run(["sh", os.path.join(ROOT, "tools", "mkusb.sh"), *options, str(img),
                    kernel, str(config), *files], check=True)
    return str(img)


def esp(img):
    """The mtools drive spec of the image's EFI system partition (GPT entry 2)."""
    with open(img, "rb") as f:
        f.seek(512)
        header = f.read(92)
        assert header[:8] == b"EFI PART", "no GPT header at LBA 1"
        entries_lba, _, entry_size = struct.unpack_from("<QII", header, 72)
        f.seek(entries_lba * 512 + entry_size)
        first_lba = struct.unpack_from("<Q", f.read(entry_size), 32)[0]
    return f"{img}@@{first_lba * 512}"


def mtools(*args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    return subprocess.run(list(args), check=True, capture_output=True, text=True, env=env).stdout


def boot_usb(img, log_path, firmware="bios", timeout=90):
    usb = ["-device", "qemu-xhci", "-drive", f"if=none,id=stick,format=raw,file={img}",
           "-device", "usb-storage,drive=stick"]
    return emulators.run_qemu(log_path, firmware=firmware, timeout=timeout, extra=usb)


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_usb_stick_runs_the_configured_guests(tmp_path, log_path, firmware):
    img = mkusb(tmp_path, SMALL)
    run = boot_usb(img, log_path, firmware=firmware, timeout=120 if firmware == "uefi" else 90)
    expect_status(run, emulators.PASS)
    expect_lines(run, "[boot] boot protocol multiboot2, loader 'GRUB",
                 "[boot] cmdline 'test=guests'",
                 "'/plinth/plinth.toml'", "'/plinth/exits.bin'",
                 "[config] plinth.toml: 1 guest(s) described, 0 error(s)",
                 "[guest exits] RESULT passed=32 failed=0")
    if firmware == "uefi":
        expect_lines(run, "[boot] EFI system table at")
    # grub.cfg's loop loads every file of /plinth/ but the kernel itself.
    assert "'/plinth/plinth.elf'" not in run.log, explain(run)
    assert "PANIC" not in run.log, explain(run)


def test_config_edited_on_the_stick(tmp_path, log_path):
    """Rename the guest and change its memory in /plinth/plinth.toml on the
    image, as a user would on any OS: the boot follows the edited file."""
    img = mkusb(tmp_path, SMALL)
    part = esp(img)
    text = mtools("mtype", "-i", part, "::/plinth/plinth.toml")
    assert 'name = "exits"' in text
    edited = tmp_path / "edited.toml"
    edited.write_text(text.replace('name = "exits"', 'name = "renamed"')
                          .replace('memory = "16M"', 'memory = "24M"'))
    mtools("mcopy", "-o", "-i", part, str(edited), "::/plinth/plinth.toml")
    run = boot_usb(img, log_path)
    expect_status(run, emulators.PASS)
    expect_lines(run, "[guest] renamed: guest 1 created: flat image, 24 MiB RAM",
                 "[guest renamed] RESULT passed=32 failed=0")
    assert "[guest exits]" not in run.log, explain(run)


def test_config_error_on_the_stick(tmp_path, log_path):
    """An invalid value written into /plinth/plinth.toml: the kernel prints the
    error with its line and column (as plinth-cfg does) and runs the rest."""
    img = mkusb(tmp_path, SMALL)
    (tmp_path / "edit").mkdir()
    bad = tmp_path / "edit" / "plinth.toml"
    bad.write_text(INVALID)
    mtools("mcopy", "-o", "-i", esp(img), str(bad), "::/plinth/plinth.toml")
    run = boot_usb(img, log_path)
    expect_status(run, emulators.PASS)
    message = 'plinth.toml:12:10: memory: "12X" is not a size (use e.g. 512M)'
    expect_lines(run, f"[config] error: {message}", "[guest good] RESULT passed=32 failed=0")
    assert "[guest bad]" not in run.log, explain(run)
    if os.path.exists(TOOL):
        out = subprocess.run([TOOL, "check", "plinth.toml"], cwd=bad.parent,
                             capture_output=True, text=True).stdout
        assert message in out, f"plinth-cfg says otherwise: {out}"
