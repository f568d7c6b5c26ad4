"""The management console on the serial port (docs/console.md), driven the
way a person or a script would: pexpect types into QEMU's serial line (TCG,
AMD-V) and reads the answers. Two Debian Linux guests with busybox shells
(tests/boot/test_linux.py fetches the files).

- an admin session: every command, typing into each guest's shell, pause
  (its CPU % drops to 0 while the other takes the CPU), a weight change
  (the share moves), stop (memory back in the pool), start, restart, with
  `list --json` checked after each step;
- on two CPUs, where a guest being paused, stopped or restarted runs on the
  other CPU than the console's: each guest keeps its own CPU throughout;
- an observer session: admin commands refused, wrong passwords refused and
  login locked after three, then unlocked after lockout_seconds.
"""
import json
import os
import re
import time

import pexpect
import pytest

import emulators
from test_linux import linux_files  # noqa: F401 (fixture)

# "hunter2" under a fixed salt (the same vector as tests/unit/test_sha256.c).
PASSWORD = "hunter2"
HASH = ("sha256$00112233445566778899aabbccddeeff$"
        "ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a")
CMDLINE = "console=ttyS0 noapic nolapic acpi=off quiet plinth.shell"
SHELL = "PLINTH-LINUX-SHELL"
SHELL_READY = r"Enter 'help' for a list of built-in commands"  # the last line before its prompt
PROMPT = r"plinth[>#] "
ESCAPE = "\x1d"  # Ctrl-]
BUSY = "while :; do :; done &"


def config(names, lockout=60, later=()):
    """Linux guests `names`, and `later` ones with autostart = false."""
    text = (f'[hypervisor]\nlog_level = "info"\n[console]\nlockout_seconds = {lockout}\n'
            f'admin_password_hash = "{HASH}"\n')
    for name in (*names, *later):
        text += (f'[[guest]]\nname = "{name}"\nkernel = "vmlinuz"\ninitrd = "initramfs.cpio.gz"\n'
                 f'cmdline = "{CMDLINE}"\nmemory = "128M"\n')
        if name in later:
            text += "autostart = false\n"
    return text


class Console:
    """Plinth booted in QEMU with its COM1 on a pseudo-terminal."""

    def __init__(self, kernel, files, tmp_path, log_path, text, smp=1):
        cfg = tmp_path / "plinth.toml"
        cfg.write_text(text)
        vmlinuz, initrd = files
        cmd = emulators.qemu_command(kernel=kernel, memory="768M", smp=smp,
                                     extra=["-serial", "stdio", "-monitor", "none",
                                            "-initrd", f"{cfg},{vmlinuz},{initrd}"])
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.p = pexpect.spawn(cmd[0], cmd[1:], encoding="utf-8", codec_errors="replace",
                               timeout=120)
        self.p.logfile_read = self.log

    def close(self):
        self.p.terminate(force=True)
        self.log.close()

    def expect(self, pattern, timeout=120):
        try:
            return self.p.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            self.log.flush()
            # The last lines that are not blank, escapes shown: a CI report keeps only a part.
            text = open(self.log_path, errors="replace").read()[-8000:].replace("\r", "")
            tail = "\n".join(repr(l)[1:-1] for l in text.split("\n") if l.strip())
            raise AssertionError(f"waiting for {pattern!r}: {type(e).__name__} "
                                 f"(log: {self.log_path}); its last lines:\n"
                                 f"{tail[-2500:]}") from None

    def open(self):
        self.p.send("\r")
        self.expect("plinth> ")

    def cmd(self, line, timeout=60):
        """Run a line at the prompt: the text between the echo and the next prompt."""
        self.p.send(line + "\r")
        self.expect(re.escape(line) + r"\r*\n", timeout)
        self.expect(PROMPT + "|password: ", timeout)
        return self.p.before.replace("\r", "")

    def json(self, line):
        out = self.cmd(line)
        found = [l for l in out.splitlines() if l.startswith("{")]
        assert len(found) == 1, f"{line}: no single JSON line in:\n{out}"
        return json.loads(found[0])

    def guests(self):
        status = self.json("list --json")
        return {g["name"]: g for g in status["guests"]}, status

    def login(self, password):
        self.p.send("login\r")
        self.expect("password: ")
        self.p.send(password + "\r")
        self.expect(PROMPT)
        return self.p.before.replace("\r", "")

    def type_into(self, name, line, answer):
        """Attach to a guest, type a line into its shell, wait for answer, detach."""
        self.p.send(f"console {name}\r")
        self.expect(rf"\[attached to {name}; \^\] leaves\]")
        self.p.send(line + "\r")
        self.expect(answer)
        self.p.send(ESCAPE)
        self.expect(rf"\[detached from {name}\]")
        self.expect("plinth# ")


@pytest.fixture
def console(kernel, linux_files, tmp_path, log_path):  # noqa: F811
    sessions = []

    def boot(text, smp=1):
        c = Console(kernel, linux_files, tmp_path, log_path, text, smp)
        sessions.append(c)
        return c
    yield boot
    for c in sessions:
        c.close()


def stop(c, name):
    """stop NAME, then list --json until it is stopped (the CPU that ran it may scrub it)."""
    out = c.cmd(f"stop {name}")
    assert re.search(rf"ok: {name} stop(ped, memory scrubbed and returned|ping: )", out), out
    return wait_share(c, lambda g: g[name]["state"] == "stopped", f"{name} stopped", seconds=60)


def wait_share(c, check, what, seconds=20):
    """list --json until check(guests) holds (CPU % is over the last second)."""
    deadline = time.monotonic() + seconds
    while True:
        time.sleep(1.5)
        guests, _ = c.guests()
        if check(guests):
            return guests
        assert time.monotonic() < deadline, f"{what}: {guests}"


@pytest.mark.alone
def test_console_admin_session(console):
    c = console(config(["left", "right"]))
    c.expect(SHELL_READY, timeout=300)
    c.expect(SHELL_READY, timeout=300)
    c.open()

    # Observer: looks, may not act.
    out = c.cmd("help")
    for name in ("list", "top", "info", "console", "log", "stats", "version", "login",
                 "logout", "start", "stop", "restart", "pause", "resume", "sched"):
        assert f"  {name} " in out, out
    assert re.search(r"Plinth \d+\.\d+\.\d+ on AMD-V", c.cmd("version"))
    assert "usage: sched NAME [weight=W] [cap=C]" in c.cmd("help sched")
    out = c.cmd("list")
    assert re.search(r"left +1 running +1 +128M", out) and re.search(r"right +2 running", out), out
    guests, status = c.guests()
    assert [guests[n]["state"] for n in ("left", "right")] == ["running", "running"], guests
    assert "stop: needs the admin role" in c.cmd("stop left")
    assert "error: unknown command 'frobnicate'" in c.cmd("frobnicate")
    assert "error: info: no guest named 'nosuch'" in c.cmd("info nosuch")
    assert "error: info: missing argument" in c.cmd("info")
    log = c.cmd("log")
    assert "end of the log" in log and "[guest left] " + SHELL in log, log[-2000:]

    assert "wrong password (1 of 3 tries)" in c.login("not-it")
    assert "ok: admin" in c.login(PASSWORD)

    # Type into each guest's shell; leave a busy loop running in both.
    c.type_into("left", "echo left-$((6*7))", "left-42")
    c.type_into("right", "echo right-$((6*8))", "right-48")
    c.type_into("left", BUSY + " echo busy-$((2+3))", "busy-5")
    c.type_into("right", BUSY + " echo busy-$((2+3))", "busy-5")
    wait_share(c, lambda g: all(30 <= g[n]["cpu_pct"] <= 70 for n in ("left", "right")),
               "two busy guests share the CPU")

    # Pause: its CPU % drops to 0, the other takes the CPU.
    assert "ok: left paused" in c.cmd("pause left")
    g = wait_share(c, lambda g: g["left"]["cpu_pct"] == 0 and g["right"]["cpu_pct"] >= 85,
                   "left paused")
    assert g["left"]["state"] == "paused"
    assert "error: pause left: it is already paused" in c.cmd("pause left")
    assert "ok: left resumed" in c.cmd("resume left")
    wait_share(c, lambda g: all(30 <= g[n]["cpu_pct"] <= 70 for n in ("left", "right")),
               "left resumed")

    # Weight 768 against 256: left gets about 3/4 of the CPU.
    assert "error: sched: weight=0 is not a number in 1-65535" in c.cmd("sched left weight=0")
    assert "ok: left weight 768 cap 0" in c.cmd("sched left weight=768")
    g = wait_share(c, lambda g: g["left"]["cpu_pct"] >= 62 and g["right"]["cpu_pct"] <= 38,
                   "weight 768 vs 256")
    assert g["left"]["weight"] == 768
    info = c.json("info left --json")
    assert info["guest"]["name"] == "left" and info["vcpu_cpu_pct"][0] >= 50, info
    assert info["exits_per_s_total"] > 0 and "io" in info["exits_per_s"], info
    out = c.cmd("info right")
    assert "right: guest 2, running" in out and "weight 256" in out, out

    # Stop: memory back in the pool, the other guest goes on.
    _, before = c.guests()
    stop(c, "right")
    guests, after = c.guests()
    assert guests["right"]["state"] == "stopped" and guests["right"]["cpu_pct"] == 0
    assert after["memory_free_mib"] - before["memory_free_mib"] >= 127, (before, after)
    wait_share(c, lambda g: g["left"]["cpu_pct"] >= 85, "left alone")
    assert "error: console: right is not running" in c.cmd("console right")

    # Start it again from its image; it boots to its shell beside the busy one.
    assert "ok: right started" in c.cmd("start right")
    assert "error: start right: it is running" in c.cmd("start right")
    c.expect(r"\[guest right\] " + SHELL_READY, timeout=300)
    c.p.send("\r")
    c.expect("plinth# ")
    guests, restarted = c.guests()
    assert guests["right"]["state"] == "running" and guests["right"]["id"] == 2
    assert restarted["memory_free_mib"] <= after["memory_free_mib"] - 127
    c.type_into("right", "echo again-$((7*7))", "again-49")

    # Restart the busy one: fresh memory, its busy loop is gone, right unaffected.
    assert "ok: left restarting" in c.cmd("restart left")
    c.expect(r"\[guest left\] " + SHELL_READY, timeout=300)
    c.p.send("\r")
    c.expect("plinth# ")
    guests, _ = c.guests()
    assert guests["left"]["state"] == "running" and guests["left"]["uptime_s"] < 60, guests
    assert guests["right"]["state"] == "running"
    wait_share(c, lambda g: g["left"]["cpu_pct"] < 30, "left restarted without its loop")

    # top refreshes each second until a key.
    c.p.send("top\r")
    c.expect("top at")
    c.expect("top at", timeout=30)
    c.p.send("q")
    c.expect("plinth# ")
    assert "ok: observer" in c.cmd("logout")
    assert "needs the admin role" in c.cmd("resume left")


def test_console_observer_and_lockout(console):
    c = console(config(["solo"], lockout=4, later=["later"]))
    c.expect(r"\[guest solo\] " + SHELL_READY, timeout=300)
    c.open()
    for line in ("stop solo", "pause solo", "restart solo", "start solo",
                 "sched solo weight=5"):
        assert "needs the admin role (login first)" in c.cmd(line), line

    # Read-only attach: output is shown, typing does not reach the guest.
    c.p.send("console solo\r")
    c.expect(r"\[attached to solo, read-only \(login to type\); \^\] leaves\]")
    c.p.send("echo typed-$((5*5))\r")
    c.expect(r"\[read-only: login as admin to type\]")
    # Attached, the guest's output comes out raw: had the line reached its shell, it would answer.
    assert c.p.expect(["typed-25", pexpect.TIMEOUT], timeout=5) == 1, "an observer typed into solo"
    c.p.send(ESCAPE)
    c.expect(r"\[detached from solo\]")
    c.expect("plinth> ")

    assert "wrong password (1 of 3 tries)" in c.login("a")
    assert "wrong password (2 of 3 tries)" in c.login("b")
    assert "wrong password; admin login locked for 4s" in c.login("c")
    out = c.cmd("login")
    assert re.search(r"error: login: locked for \ds more after 3 wrong passwords", out), out
    assert "needs the admin role" in c.cmd("stop solo")
    time.sleep(5)
    assert "ok: admin" in c.login(PASSWORD)

    # A configured guest that was never started (autostart = false) starts now.
    guests, before = c.guests()
    assert guests["solo"]["state"] == "running"
    assert (guests["later"]["state"], guests["later"]["id"]) == ("stopped", 0), guests
    assert re.search(r"later +- +stopped", c.cmd("list"))
    assert "ok: later started" in c.cmd("start later")
    # Its boot log arrives while a command is half typed: each log line erases
    # the prompt line and draws it again below, so the command reads whole.
    c.p.send("ver")
    c.expect(r"\r\x1b\[K\[guest later\] [^\r\n]*\r*\nplinth# ver")
    c.expect(r"\[guest later\] " + SHELL_READY, timeout=300)
    c.p.send("sion\r")
    c.expect(r"plinth# version\r*\n")
    c.expect("plinth# ")
    guests, after = c.guests()
    assert (guests["later"]["state"], guests["later"]["id"]) == ("running", 2), guests
    assert before["memory_free_mib"] - after["memory_free_mib"] >= 128
    out = c.cmd("start nosuch")
    assert "error: start nosuch: no guest of that name in the configuration" in out, out


@pytest.mark.alone
def test_console_lifecycle_on_two_cpus(console, log_path):
    """Each busy guest has a CPU of its own: acting on one (often while it runs
    on the CPU the console does not use, so an IPI takes it off) leaves the
    other at full speed.

    A Linux guest that crashes meanwhile (a triple fault, or a kernel panic
    from a fault inside its own fault handler) is the open event-delivery
    problem of SMP runs under QEMU TCG (docs/design.md): that log is kept as
    LOG.crash and the session runs once more; a second crash fails the test.
    """
    first = console(config(["left", "right"]), smp=2)
    try:
        lifecycle_on_two_cpus(first)
    except AssertionError:
        first.close()
        text = open(log_path, errors="replace").read()
        if "triple fault (shutdown)" not in text and "Kernel panic" not in text:
            raise
        os.replace(log_path, log_path + ".crash")
        print(f"a guest crashed (its log: {log_path}.crash): the session once more")
        lifecycle_on_two_cpus(console(config(["left", "right"]), smp=2))


def lifecycle_on_two_cpus(c):
    """The two-CPU session itself (test_console_lifecycle_on_two_cpus)."""
    c.expect(SHELL_READY, timeout=300)
    c.expect(SHELL_READY, timeout=300)
    c.open()
    assert "ok: admin" in c.login(PASSWORD)
    assert "2 CPU(s)" in c.cmd("version")
    c.type_into("left", BUSY + " echo busy-$((2+3))", "busy-5")
    c.type_into("right", BUSY + " echo busy-$((2+3))", "busy-5")
    both = lambda g: all(g[n]["cpu_pct"] >= 85 for n in ("left", "right"))  # noqa: E731
    wait_share(c, both, "a CPU each")
    for _ in range(3):
        assert "ok: left paused" in c.cmd("pause left")
        wait_share(c, lambda g: g["left"]["cpu_pct"] == 0 and g["right"]["cpu_pct"] >= 85,
                   "left paused")
        assert "ok: left resumed" in c.cmd("resume left")
        wait_share(c, both, "left resumed")
    _, before = c.guests()
    stop(c, "right")
    guests, after = c.guests()
    assert guests["right"]["state"] == "stopped"
    assert after["memory_free_mib"] - before["memory_free_mib"] >= 127, (before, after)
    wait_share(c, lambda g: g["left"]["cpu_pct"] >= 85, "left unaffected by the stop")
    assert "ok: left restarting" in c.cmd("restart left")
    c.expect(r"\[guest left\] " + SHELL_READY, timeout=300)
    c.p.send("\r")
    c.expect("plinth# ")
    guests, _ = c.guests()
    assert guests["left"]["state"] == "running" and guests["right"]["state"] == "stopped"
    assert "ok: right started" in c.cmd("start right")
    c.expect(r"\[guest right\] " + SHELL_READY, timeout=300)
    c.p.send("\r")
    c.expect("plinth# ")
    c.type_into("right", "echo back-$((3*3))", "back-9")
    c.type_into("left", "echo back-$((4*4))", "back-16")
    guests, _ = c.guests()
    assert [guests[n]["state"] for n in ("left", "right")] == ["running", "running"]

