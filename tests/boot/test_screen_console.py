"""The management console on the screen, typed at on the PS/2 keyboard
(docs/console.md). QEMU (TCG, AMD-V) boots Plinth by -kernel, so the screen
is the BIOS's 80x25 VGA text mode; keys go in through the QEMU monitor's
`sendkey`, the screen is read back from the text memory at 0xB8000 (and, in
one test, from a screendump of the UEFI GOP framebuffer). The
serial line gets no input at all (a file), so everything the console does
here was typed on the keyboard. The guest is `echo` (tests/guests/echo.c):
it never ends and answers like a tiny shell, with the escape sequences a
real shell sends. Each step waits for its answer on the screen (TCG is
slow, CI machines are busy) with a generous deadline."""
import os
import re
import subprocess
import tempfile
import time

import emulators
from test_screen import FB_LINE, Monitor, decode_fb

GUESTS = os.path.join(emulators.ROOT, "build", "guests")
# "hunter2" under a fixed salt, as in tests/boot/test_console.py.
PASSWORD = "hunter2"
HASH = ("sha256$00112233445566778899aabbccddeeff$"
        "ff36637cf1fad2ac4081c1697c9671120c011374d9ac340bb11d39b18cb7172a")
CONFIG = (f'[hypervisor]\nlog_level = "info"\n[console]\nadmin_password_hash = "{HASH}"\n'
          '[[guest]]\nname = "echo"\nkernel = "echo.bin"\n')
COLS, ROWS = 80, 25
VGA_GREEN = 0x02  # ESC [ 32 m on black
STEP_SECONDS = 90

# QEMU key names (sendkey) for what the US layout types.
KEY_NAMES = {" ": "spc", "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right",
             ";": "semicolon", "'": "apostrophe", ",": "comma", ".": "dot", "/": "slash",
             "\\": "backslash", "`": "grave_accent", "\r": "ret", "\b": "backspace",
             "\t": "tab"}
SHIFTED = {"!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7", "*": "8",
           "(": "9", ")": "0", "_": "minus", "+": "equal", "{": "bracket_left",
           "}": "bracket_right", ":": "semicolon", '"': "apostrophe", "<": "comma",
           ">": "dot", "?": "slash", "|": "backslash", "~": "grave_accent"}


def key_name(ch):
    if ch.islower() or ch.isdigit():
        return ch
    if ch.isupper():
        return "shift-" + ch.lower()
    if ch in SHIFTED:
        return "shift-" + KEY_NAMES.get(SHIFTED[ch], SHIFTED[ch])
    return KEY_NAMES[ch]


class ScreenConsole:
    """Plinth in QEMU: serial output to a file, the monitor on a Unix socket."""

    def __init__(self, tmp_path, log_path, sock, extra=(), **kw):
        self.tmp_path = tmp_path
        self.log_path = log_path
        self.serial = tmp_path / "com1.log"
        self.fb_size = None  # (cols, rows) of a framebuffer console, once known
        cmd = emulators.qemu_command(
            extra=["-serial", f"file:{self.serial}",
                   "-monitor", f"unix:{sock},server,nowait", *extra], **kw)
        self.proc = subprocess.Popen(cmd, cwd=tmp_path, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.sock = sock
        self.mon = None

    def close(self):
        if self.mon and self.proc.poll() is None:
            try:
                self.mon.quit()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        with open(self.log_path, "w") as f:
            f.write(self.serial_text())

    def serial_text(self):
        return self.serial.read_text("latin-1").replace("\r", "") if self.serial.exists() else ""

    def wait_serial(self, needle, seconds=180):
        deadline = time.monotonic() + seconds
        while needle not in self.serial_text():
            assert self.proc.poll() is None, f"QEMU ended waiting for {needle!r}\n{self.tail()}"
            assert time.monotonic() < deadline, f"no {needle!r} on the serial line\n{self.tail()}"
            time.sleep(0.5)
        if self.mon is None:
            self.mon = Monitor(self.sock, time.monotonic() + 60)

    def tail(self):
        return f"(log: {self.log_path}) serial line ends:\n" + \
            "\n".join(self.serial_text().splitlines()[-15:])

    def screen(self):
        """Rows of (characters, attributes): VGA text memory, or a framebuffer's
        screendump read with Plinth's font (attributes: colour names)."""
        if self.fb_size:
            self.mon.command("screendump screen.ppm")
            grid = decode_fb(self.tmp_path / "screen.ppm", *self.fb_size)
            return [("".join(ch for ch, _ in row).rstrip(), [c for _, c in row]) for row in grid]
        self.mon.command("pmemsave 0xb8000 4000 vga.bin")
        data = (self.tmp_path / "vga.bin").read_bytes()
        assert len(data) == COLS * ROWS * 2
        return [(data[r * COLS * 2:(r + 1) * COLS * 2:2].decode("latin-1").rstrip(),
                 data[r * COLS * 2 + 1:(r + 1) * COLS * 2:2]) for r in range(ROWS)]

    def wait_prompt(self, prompt, what):
        """The last line on the screen is `prompt` and nothing typed after it."""
        return self.wait_screen(re.escape(prompt.rstrip()), what, last=True)

    def rows(self):
        return [text for text, _ in self.screen()]

    def wait_screen(self, pattern, what, last=False):
        """Poll the screen until a row matches `pattern` (a regex for the
        whole row, trailing blanks cut); with `last`, only the last row that
        is not blank counts (where the cursor is). Returns its attributes."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + STEP_SECONDS
        while True:
            shown = self.screen()
            rows = [r for r in shown if r[0]]
            for text, attrs in rows[-1:] if last else rows:
                if regex.fullmatch(text):
                    return attrs
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError(f"{what}: no row matching {pattern!r} on the screen:\n" +
                                     "\n".join(f"  |{t}" for t, _ in shown) + "\n" + self.tail())
            time.sleep(0.5)

    def type(self, text):
        for ch in text:
            self.mon.command(f"sendkey {key_name(ch)} 20")
            time.sleep(0.05)


def start(tmp_path, log_path, short, extra=(), **kw):
    return ScreenConsole(tmp_path, log_path, os.path.join(short, "sock"), extra, **kw)


def test_keyboard_types_at_the_console_on_the_screen(kernel, tmp_path, log_path):
    assert os.path.exists(os.path.join(GUESTS, "echo.bin")), "run `make guests` first"
    cfg = tmp_path / "plinth.toml"
    cfg.write_text(CONFIG)
    with tempfile.TemporaryDirectory(prefix="mon") as short:  # Unix socket paths are short
        con = start(tmp_path, log_path, short, ["-initrd", f"{cfg},{GUESTS}/echo.bin"],
                    kernel=kernel)
        try:
            drive(con)
        finally:
            con.close()


def drive(con):
    con.wait_serial("[guest echo] ready")
    assert "[console] screen: PS/2 keyboard (US layout)" in con.serial_text(), con.tail()
    assert not any(r.startswith("plinth>") for r in con.rows()), "a prompt before any key"

    # The first key opens the console; Backspace edits the line.
    con.type("\r")
    con.wait_prompt("plinth> ", "the prompt after Enter")
    con.type("helpx\b")
    con.wait_screen(r"plinth> help", "the typed line, its last letter erased", last=True)
    con.type("\r")
    con.wait_screen(r"  sched +set its scheduler weight.*", "help's last line")
    con.wait_prompt("plinth> ", "the prompt after help")

    con.type("list\r")
    con.wait_screen(r"echo +1 running +1 +16M .*", "the guest in list")

    # Ctrl-C drops a half-typed line.
    con.type("list")
    con.mon.command("sendkey ctrl-c 20")
    con.wait_screen(r"plinth> list\^C", "Ctrl-C")

    # A wrong password and a right one; neither is echoed.
    con.type("login\r")
    con.wait_prompt("password: ", "the password question")
    con.type("wrong\r")
    con.wait_screen(r"error: login: wrong password \(1 of 3 tries\)", "a wrong password")
    con.type("login\r")
    con.wait_prompt("password: ", "the password question again")
    con.type(PASSWORD + "\r")
    con.wait_screen(r"ok: admin", "the right password")
    con.wait_prompt("plinth# ", "the admin prompt")
    assert not any("wrong" in r or PASSWORD in r for r in con.rows() if "password" not in r)

    # The guest's terminal: its output raw, escapes interpreted or dropped.
    con.type("console echo\r")
    con.wait_screen(r"\[attached to echo; \^\] leaves\]", "attaching")
    con.wait_prompt("echo$ ", "the guest's prompt")
    con.type("Hi, {there}!\r")
    attrs = con.wait_screen(r"echo: Hi, \{there\}!", "the guest's answer")
    assert attrs[len("echo: ")] == VGA_GREEN, f"not green: attributes {list(attrs[:20])}"
    shown = con.rows()
    assert not any("\x1b" in r or "[6n" in r or "]0;" in r or "[32m" in r for r in shown), \
        "an escape sequence was drawn:\n" + "\n".join(shown)

    # Ctrl-] (the console's escape key) comes back to the prompt.
    con.mon.command("sendkey ctrl-bracket_right 20")
    con.wait_screen(r"\[detached from echo\]", "Ctrl-]")
    con.wait_prompt("plinth# ", "the prompt after detaching")

    # The serial line showed the same session: both are one console.
    serial = con.serial_text()
    for line in ("plinth> helpx\b \b\n", "error: login: wrong password (1 of 3 tries)",
                 "echo: \x1b[32mHi, {there}!", "[detached from echo]"):
        assert line in serial, f"{line!r} not on the serial line\n{con.tail()}"


def test_no_i8042_leaves_the_screen_log_only(kernel, tmp_path, log_path):
    """A PC without a keyboard controller (its status port reads 0xff): no
    wait, no keyboard, the screen shows the log as before."""
    with tempfile.TemporaryDirectory(prefix="mon") as short:
        con = start(tmp_path, log_path, short, ["-machine", "pc,i8042=off"], kernel=kernel)
        try:
            con.wait_serial("[core] idle")
            assert ("[console] screen: no keyboard (no i8042 controller (status port 0x64 "
                    "reads 0xff)); the screen shows the log only") in con.serial_text(), con.tail()
            con.wait_screen(r"\[core\] idle", "the log on the screen")
        finally:
            con.close()


def test_keyboard_console_on_a_uefi_framebuffer(kernel, tmp_path, log_path):
    """The same terminal drawn on the GOP framebuffer (GRUB under OVMF): the
    keyboard opens the console, list answers, login works, the guest's
    colours show."""
    assert os.path.exists(os.path.join(GUESTS, "echo.bin")), "run `make guests` first"
    cfg = tmp_path / "plinth.toml"
    cfg.write_text(CONFIG)
    iso = emulators.make_iso(kernel, "", [str(cfg), os.path.join(GUESTS, "echo.bin")])
    with tempfile.TemporaryDirectory(prefix="mon") as short:
        con = start(tmp_path, log_path, short, iso=iso, firmware="uefi")
        try:
            con.wait_serial("[guest echo] ready", seconds=300)
            m = FB_LINE.search(con.serial_text())
            assert m, f"no framebuffer console\n{con.tail()}"
            con.fb_size = (int(m.group(1)), int(m.group(2)))
            con.type("\r")
            con.wait_prompt("plinth> ", "the prompt after Enter")
            con.type("list\r")
            con.wait_screen(r"echo +1 running +1 +16M .*", "the guest in list")
            con.type("login\r" + PASSWORD + "\r")
            con.wait_prompt("plinth# ", "the admin prompt")
            con.type("console echo\r")
            con.wait_prompt("echo$ ", "the guest's prompt")
            con.type("ok\r")
            colours = con.wait_screen(r"echo: ok", "the guest's answer")
            assert colours[len("echo: ")] == "green", colours[:10]
        finally:
            con.close()
