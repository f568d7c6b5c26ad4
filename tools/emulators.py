"""Run Plinth in QEMU or Bochs and collect its serial output.

Shared by `make run`, `make run-bochs` (tools/run-*.py) and the boot tests
(tests/boot/). Every run has a timeout; the serial log is kept on disk.
"""
import dataclasses
import hashlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OVMF = "/usr/share/ovmf/OVMF.fd"
SVM_CPU = "qemu64,+svm,+npt"
EXIT_LINE = re.compile(r"emulator exit status (\d+)")
PASS, FAIL, PANIC = 0, 1, 2


@dataclasses.dataclass
class Run:
    log: str           # serial output, CRs removed
    status: int | None  # Plinth's exit status (PASS/FAIL/PANIC), None if none
    timed_out: bool
    seconds: float
    log_path: str

    def lines(self, prefix):
        return [l for l in self.log.splitlines() if l.startswith(prefix)]


def _status_from_log(log):
    found = EXIT_LINE.findall(log)
    return int(found[-1]) if found else None


def _finish(serial_text, timed_out, started, log_path, emulator_note=None):
    """The Run; `emulator_note` (how the emulator itself ended) is added to
    the log when the run reached no exit status, to tell a crash of the
    emulator from a reset of the machine."""
    text = serial_text.replace("\r", "")
    status = _status_from_log(text)
    if status is None and not timed_out and emulator_note:
        text += ("" if text.endswith("\n") or not text else "\n") + emulator_note + "\n"
    with open(log_path, "w") as f:
        f.write(text)
    return Run(text, status, timed_out, time.monotonic() - started, log_path)


def make_iso(kernel, cmdline="", modules=(), cache_dir=None):
    """A GRUB ISO booting `kernel` with `cmdline`; cached by content.

    A module is a path (its module string is the file name) or a (path, args)
    tuple (module string: the file name, then args).
    """
    cache_dir = cache_dir or os.path.join(ROOT, "build", "test", "iso")
    os.makedirs(cache_dir, exist_ok=True)
    with_args = [m for m in modules if isinstance(m, tuple)]
    paths = [m[0] if isinstance(m, tuple) else m for m in modules]
    h = hashlib.sha256()
    # The ISO's grub.cfg comes from mkiso.sh (or this file): a change there is a new ISO.
    for path in (kernel, *paths, os.path.join(ROOT, "tools", "mkiso.sh"), os.path.abspath(__file__)):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(cmdline.encode())
    if with_args:
        h.update(repr([m if isinstance(m, tuple) else (m, "") for m in modules]).encode())
    iso = os.path.join(cache_dir, h.hexdigest()[:16] + ".iso")
    if not os.path.exists(iso):
        tmp = iso + f".{os.getpid()}.tmp"
        if with_args:
            _mkiso_module_args(tmp, kernel, cmdline,
                               [m if isinstance(m, tuple) else (m, "") for m in modules])
        else:
            subprocess.run(["sh", os.path.join(ROOT, "tools", "mkiso.sh"), tmp, kernel,
                            cmdline, *modules], check=True)
        os.replace(tmp, iso)
    return iso


def _mkiso_module_args(out, kernel, cmdline, modules):
    """tools/mkiso.sh's ISO, with `module2 /modules/FILE BASENAME ARGS` lines.

    Each module gets its own file on the ISO, so one image can be a module
    twice with different arguments.
    """
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "boot", "grub"))
        os.makedirs(os.path.join(tmp, "modules"))
        shutil.copy(kernel, os.path.join(tmp, "boot", "plinth.elf"))
        modlines = ""
        for i, (path, args) in enumerate(modules):
            base = os.path.basename(path)
            shutil.copy(path, os.path.join(tmp, "modules", f"{i}-{base}"))
            modlines += f"\n\tmodule2 /modules/{i}-{base} {base} {args}".rstrip()
        with open(os.path.join(tmp, "boot", "grub", "grub.cfg"), "w") as f:
            f.write("serial --unit=0 --speed=115200\n"
                    "terminal_input serial console\n"
                    "terminal_output serial console\n"
                    "set timeout=0\n"
                    "set default=0\n"
                    'menuentry "Plinth" {\n'
                    '\tif [ "$grub_platform" = efi ]; then\n'
                    "\t\tinsmod all_video\n"
                    "\tfi\n"
                    f"\tmultiboot2 /boot/plinth.elf {cmdline}{modlines}\n"
                    "\tboot\n"
                    "}\n")
        proc = subprocess.run(["grub-mkrescue", "-o", out, tmp], capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"grub-mkrescue failed:\n{proc.stdout}{proc.stderr}")


def qemu_command(*, kernel=None, iso=None, cmdline="", cpu=SVM_CPU, memory="256M",
                 firmware="bios", smp=1, extra=()):
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", cpu, "-m", memory,
           "-smp", str(smp), "-display", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if firmware == "uefi":
        cmd += ["-bios", OVMF]
    if kernel:
        cmd += ["-kernel", kernel]
        if cmdline:
            cmd += ["-append", cmdline]
    if iso:
        cmd += ["-cdrom", iso, "-boot", "d"]
    return cmd + list(extra)


def _qemu_end_note(proc, resets):
    """How QEMU ended, for a run without a test status: its exit code and
    stderr (a signal is QEMU's own crash), and whether it logged a triple
    fault (-d cpu_reset), which -no-reboot turns into the end of the run
    (other resets, e.g. through the keyboard controller, log nothing)."""
    err = proc.stderr.decode("utf-8", "replace").strip()[-1500:]
    note = f"[emulator] QEMU ended with exit code {proc.returncode} and no test status"
    if os.path.exists(resets) and "Triple fault" in open(resets, errors="replace").read():
        note += ": QEMU logged a triple fault"
    return f"{note}; its stderr:\n{err}" if err else note


def _ended_in_machine_reset(run):
    """QEMU reset the machine (exit code 0 under -no-reboot) before any test
    status, with no panic from Plinth."""
    return (run.status is None and not run.timed_out and "PANIC" not in run.log
            and "[emulator] QEMU ended with exit code 0 and no test status" in run.log)


def run_qemu(log_path, timeout=60, serial_files=(), **kw):
    """Boot in QEMU with COM1 captured; extra serial ports go to serial_files.

    Under QEMU 7.2's multi-threaded TCG an SMP run now and then ends in a
    machine reset: a CPU triple-faults in the instant after VMRUN returns,
    with the guest's TR still loaded, on a page fault reading the IDT's
    double-fault entry, which is mapped. That happens in about 1 run in
    200 of three burners on two CPUs on a busy host. It is an open problem,
    an emulator race or Plinth's event delivery (docs/design.md). An SMP
    run that ends in such a reset is run once more; the first log is kept
    as LOG.reset and the new log says so.
    """
    run = _run_qemu_once(log_path, timeout, serial_files, **kw)
    if kw.get("smp", 1) > 1 and _ended_in_machine_reset(run):
        os.replace(log_path, log_path + ".reset")
        again = _run_qemu_once(log_path, timeout, serial_files, **kw)
        note = (f"[emulator] an earlier run of this test ended in a machine reset "
                f"(docs/design.md); its log: {log_path}.reset\n")
        with open(log_path, "a") as f:
            f.write(note)
        run = dataclasses.replace(again, log=again.log + note)
    return run


def _run_qemu_once(log_path, timeout, serial_files, **kw):
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        com1 = os.path.join(tmp, "com1.log")
        extra = ["-serial", f"file:{com1}"]
        for path in serial_files:
            extra += ["-serial", f"file:{path}"]
        # With -d cpu_reset QEMU says "Triple fault" when one ends the run.
        resets = os.path.join(tmp, "cpu-reset.log")
        extra += ["-d", "cpu_reset", "-D", resets]
        cmd = qemu_command(extra=extra + list(kw.pop("extra", ())), **kw)
        timed_out, note = False, None
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=timeout)
            note = _qemu_end_note(proc, resets)
        except subprocess.TimeoutExpired:
            timed_out = True
        serial = open(com1, "rb").read().decode("utf-8", "replace") if os.path.exists(com1) else ""
    return _finish(serial, timed_out, started, log_path, note)


BOCHSRC = """\
megs: {megs}
cpu: model={cpu}, count={count}, ips=200000000
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, {serial}
display_library: term
speaker: enabled=0
sound: driver=dummy
log: {bochslog}
panic: action=fatal
clock: sync=none, time0={time0}
"""


def _free_loopback_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stream_socket(port, deadline, follow):
    """Read Bochs' serial socket until it closes or the deadline passes."""
    chunks = []
    while time.monotonic() < deadline:
        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        return ""
    with conn:
        while time.monotonic() < deadline:
            conn.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                data = conn.recv(4096)
            except (socket.timeout, OSError):
                break
            if not data:
                break
            text = data.decode("utf-8", "replace")
            chunks.append(text)
            follow(text)
    return "".join(chunks)


# Bochs' only working display here (`term`) mirrors the VGA text screen to a
# pseudo-terminal with curses; Plinth's screen console scrolling its log there
# floods it and Bochs crawls (a 2-minute Linux boot took over 15). The screen
# console is tested under QEMU (tests/boot/test_screen.py); Bochs runs leave it
# off unless the command line already says where the console goes.
def bochs_cmdline(cmdline):
    return cmdline if "console=" in cmdline else ("console=noscreen " + cmdline).strip()


def run_bochs(iso, log_path, cpu="corei7_skylake_x", megs=256, smp=1, timeout=120,
              follow=None, rtc_start=None):
    """Boot an ISO in Bochs (needs a pseudo-terminal: run under `script`).

    `smp` is the number of CPUs (bochsrc `cpu: count=`), as for run_qemu.
    `rtc_start` (seconds since 1970, UTC) sets the RTC's date; else it is
    the host's (bochsrc `clock: time0=`).

    Bochs' exit status means nothing here (its shutdown port is a 'panic'):
    the result is read from the serial log. With `follow`, the serial port is
    a loopback socket streamed to follow() as it arrives (Bochs buffers its
    file output until it exits); otherwise a file.
    """
    started = time.monotonic()
    iso = os.path.abspath(iso)  # Bochs runs in a temporary directory
    with tempfile.TemporaryDirectory() as tmp:
        serial_file = os.path.join(tmp, "serial.log")
        port = _free_loopback_port() if follow else None
        serial = (f"mode=socket-server, dev=127.0.0.1:{port}" if follow
                  else f"mode=file, dev={serial_file}")
        bochslog = os.path.join(tmp, "bochs.log")
        rc = os.path.join(tmp, "bochsrc")
        with open(rc, "w") as f:
            f.write(BOCHSRC.format(megs=megs, cpu=cpu, count=smp, iso=iso, serial=serial,
                                   bochslog=bochslog,
                                   time0="utc" if rtc_start is None else int(rtc_start)))
        cont = os.path.join(tmp, "cont.rc")
        with open(cont, "w") as f:
            f.write("c\n")
        env = dict(os.environ, TERM="xterm", TZ="UTC")  # time0 is read as local time
        proc = subprocess.Popen(["script", "-qfec", f"bochs -q -f {rc} -rc {cont}", "/dev/null"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env, cwd=tmp,
                                start_new_session=True)
        deadline = started + timeout
        text = _stream_socket(port, deadline, follow) if follow else ""
        timed_out = False
        while proc.poll() is None:
            if time.monotonic() > deadline:
                timed_out = True
                os.killpg(proc.pid, 9)
                proc.wait()
                break
            time.sleep(0.1)
        if not follow and os.path.exists(serial_file):
            text = open(serial_file, "rb").read().decode("utf-8", "replace")
        if (timed_out or _status_from_log(text) is None) and os.path.exists(bochslog):
            shutil.copy(bochslog, log_path + ".bochs.log")
    return _finish(text, timed_out, started, log_path)
