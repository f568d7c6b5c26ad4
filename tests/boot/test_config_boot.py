"""The configuration file at boot: a `.toml` boot module describes the guests
(docs/config.md). The kernel's messages must be those of tools/plinth-cfg."""
import os
import re
import subprocess

import pytest

import emulators
from checks import expect_lines, expect_status, explain

ROOT = emulators.ROOT
GUESTS = os.path.join(ROOT, "build", "guests")
TOOL = os.path.join(ROOT, "build", "plinth-cfg")
INVALID = os.path.join(ROOT, "tests", "config", "invalid")

THREE_GUESTS = """\
[hypervisor]
log_level = "info"

[[guest]]
name = "one"
kernel = "/guests/exits.bin"
memory = "16M"

[[guest]]
name = "bad"
kernel = "/guests/exits.bin"
memory = "12X"

[[guest]]
name = "two"
kernel = "/guests/isolation.bin"
memory = 16
"""


def tool_messages(path):
    if not os.path.exists(TOOL):
        subprocess.run(["make", "-s", "build/plinth-cfg"], cwd=ROOT, check=True)
    out = subprocess.run([TOOL, "check", path], capture_output=True, text=True)
    return [l for l in out.stdout.splitlines() if l.strip()]


def test_three_guests_one_invalid(qemu, tmp_path):
    cfg = tmp_path / "plinth.toml"
    cfg.write_text(THREE_GUESTS)
    initrd = f"{cfg},{GUESTS}/exits.bin,{GUESTS}/isolation.bin"
    run = qemu("test=guests", extra=["-initrd", initrd], memory="512M", timeout=90)
    expect_status(run, emulators.PASS)
    expect_lines(run, 'plinth.toml:12:10: memory: "12X" is not a size (use e.g. 512M)',
                 "[guest one] RESULT passed=32 failed=0", "[guest two] RESULT passed=7 failed=0")
    assert "bad: guest" not in run.log, explain(run)
    for message in tool_messages(str(cfg)):
        assert f"[config] error: {message}" in run.log, f"kernel differs from plinth-cfg: {message}"


@pytest.mark.parametrize("name", ["bad-size", "autostart-type", "bad-escape"])
def test_kernel_and_tool_agree_through_grub(qemu_iso, name):
    """The same file through GRUB (multiboot2 module): the same messages."""
    path = os.path.join(INVALID, name + ".toml")
    run = qemu_iso("test=boot", modules=[(path, "")])
    expect_status(run, emulators.PASS)
    messages = tool_messages(path)
    assert messages, f"plinth-cfg found nothing wrong in {path}"
    for message in messages:
        assert f"[config] error: {message}" in run.log, \
            f"kernel differs from plinth-cfg: {message} {explain(run)}"


def test_builtin_demo_without_a_config_file(qemu):
    """No .toml module: the built-in demo (core/demo.toml) runs its guests
    from the boot modules, as `make run` does; one whose files are missing
    (here the Linux guest) is reported and the other runs."""
    run = qemu("test=guests", extra=["-initrd", f"{GUESTS}/exits.bin"], timeout=90)
    expect_status(run, emulators.PASS)
    expect_lines(run, "using the built-in demo configuration", "demo.toml: 2 guest(s) described, 0 error(s)",
                 'guest linux: kernel "vmlinuz" is not among the boot modules',
                 "[guest exits] RESULT passed=32 failed=0")


def test_builtin_demo_without_its_images(qemu):
    """`qemu -kernel plinth.elf` alone: the demo says what it misses, no error."""
    run = qemu("test=boot")
    expect_status(run, emulators.PASS)
    expect_lines(run, "none of the demo's guest files (core/demo.toml) is a boot module",
                 "ready: no guests configured")
    assert "[config] error" not in run.log, explain(run)


def test_hypervisor_log_level_applies(qemu, tmp_path):
    """[hypervisor] log_level = "debug" shows debug lines; the command line's
    loglevel= wins over the file."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text('[hypervisor]\nlog_level = "debug"\n\n[[guest]]\nname = "exits"\n'
                   'kernel = "exits.bin"\n')
    initrd = f"{cfg},{GUESTS}/exits.bin"
    run = qemu("test=guests", extra=["-initrd", initrd], timeout=90)
    expect_status(run, emulators.PASS)
    debug_line = "vcpu 0: VMCB"  # arch/x86/svm/svm_vcpu.c, at debug level
    assert debug_line in run.log, f"no debug line {explain(run)}"
    quiet = qemu("test=guests loglevel=info", extra=["-initrd", initrd], timeout=90)
    expect_status(quiet, emulators.PASS)
    expect_lines(quiet, "log_level ignored: the command line's loglevel= wins")
    assert debug_line not in quiet.log, explain(quiet)


def test_reserve_keeps_memory_from_guests(qemu, tmp_path):
    """[hypervisor] reserve: a guest that would eat into it is refused, with
    the numbers; a guest that fits beside it runs."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text('[hypervisor]\nreserve = "400M"\n\n'
                   '[[guest]]\nname = "big"\nkernel = "exits.bin"\nmemory = "128M"\n\n'
                   '[[guest]]\nname = "small"\nkernel = "exits.bin"\nmemory = "16M"\n')
    run = qemu("test=guests", extra=["-initrd", f"{cfg},{GUESTS}/exits.bin"], memory="512M",
               timeout=90)
    expect_status(run, emulators.PASS)
    expect_lines(run, "memory kept for the hypervisor (reserve): 400 MiB",
                 "[guest small] RESULT passed=32 failed=0")
    assert re.search(r"big: not enough memory for 128 MiB of RAM \(\d+ MiB free, 400 MiB of it "
                     r"kept for the hypervisor by reserve\)", run.log), explain(run)


def test_guest_serial_routing(qemu, tmp_path):
    """serial = "com2" gives a guest the host's second serial port, bytes as
    they are; "none" drops its output; both still run to their end."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text('[[guest]]\nname = "own"\nkernel = "exits.bin"\nserial = "com2"\n\n'
                   '[[guest]]\nname = "quiet"\nkernel = "exits.bin"\nserial = "none"\n')
    com2 = tmp_path / "com2.log"
    run = qemu("test=guests", serial_files=[str(com2)], timeout=90,
               extra=["-initrd", f"{cfg},{GUESTS}/exits.bin"])
    expect_status(run, emulators.PASS)
    expect_lines(run, "own stopped: exited with code 0", "quiet stopped: exited with code 0")
    assert "[guest own]" not in run.log and "[guest quiet]" not in run.log, explain(run)
    own = com2.read_text(errors="replace")
    assert "RESULT passed=32 failed=0" in own and "[guest" not in own, own[-2000:]
