"""The screen console: QEMU with its standard VGA card and no window. Once
Plinth is idle (or halted by a panic), the screen is read through the QEMU
monitor (HMP) and compared with the serial log, which carries the same
lines: a screendump decoded with Plinth's own font (tools/mkfont.py reads
drivers/font/plinth8x8.txt) for a framebuffer, the text memory at 0xB8000
for VGA text mode. One boot per test, no guests."""
import os
import re
import socket
import subprocess
import tempfile
import time

import emulators
import mkfont
from checks import explain

FONT = mkfont.load_font(os.path.join(emulators.ROOT, "drivers", "font", "plinth8x8.txt"))
GLYPH_CHARS = {tuple(rows): chr(code) for code, rows in FONT.items() if code != "box"}
GREY, BLACK = (0xAA, 0xAA, 0xAA), (0, 0, 0)
SCREEN_LINE = re.compile(r"\[console\] screen: .*?(\d+)x(\d+) (?:characters|VGA text)")
FB_LINE = re.compile(r"\[console\] screen: \d+x\d+x\d+ framebuffer at \S+, (\d+)x(\d+) characters")
VGA_LINE = re.compile(r"\[console\] screen: (\d+)x(\d+) VGA text at 0x([0-9a-f]+)")


class Monitor:
    """QEMU's human monitor on a Unix socket: one command, its output."""

    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.sock.settimeout(30)
        self._until_prompt()

    def _until_prompt(self):
        data = b""
        while not data.endswith(b"(qemu) "):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.decode("latin-1")

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self._until_prompt()

    def quit(self):
        """Ask QEMU to exit and wait until it closes the monitor."""
        self.sock.sendall(b"quit\n")
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            pass
        self.sock.close()


def boot_and_grab(tmp_path, log_path, until, commands, timeout=180, exit_device=True, **kw):
    """Boot, wait for `until` in the serial log, run HMP commands (relative
    file names land in tmp_path), quit. Returns the Run."""
    with tempfile.TemporaryDirectory(prefix="mon") as short:  # Unix socket paths are short
        return _boot_and_grab(tmp_path, os.path.join(short, "sock"), log_path, until,
                              commands, timeout, exit_device, **kw)


def _boot_and_grab(tmp_path, sock, log_path, until, commands, timeout, exit_device, **kw):
    started = time.monotonic()
    serial = tmp_path / "com1.log"
    extra = ["-serial", f"file:{serial}", "-monitor", f"unix:{sock},server,nowait",
             *kw.pop("extra", ())]
    cmd = emulators.qemu_command(extra=extra, **kw)
    if not exit_device:  # without it, a panicking self-test halts instead of ending QEMU
        i = cmd.index("isa-debug-exit,iobase=0xf4,iosize=0x04")
        del cmd[i - 1:i + 1]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = started + timeout
    timed_out = True
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            text = serial.read_text("latin-1") if serial.exists() else ""
            if until in text:
                timed_out = False
                break
            time.sleep(0.5)
        if not timed_out:
            mon = Monitor(sock, deadline)
            for c in commands:
                mon.command(c)
            mon.quit()
            proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = serial.read_text("latin-1") if serial.exists() else ""
    return emulators._finish(text, timed_out, started, log_path)


# LOG_PANIC lines (the dump, and the self-test's exit status) are red like errors.
LEVEL_COLOUR = [(re.compile(r"\[[^\]]+\] error: |\[panic\]|\[test\] emulator exit status"), "red"),
                (re.compile(r"\[[^\]]+\] warning: "), "yellow")]
RGB = {"grey": GREY, "red": (0xFF, 0x55, 0x55), "yellow": (0xFF, 0xFF, 0x55), "green": (0, 0xAA, 0)}
VGA_ATTR = {"grey": 0x07, "red": 0x0C, "yellow": 0x0E}


def line_colour(line):
    """Errors and panic-level lines light red, warnings yellow (core/console_screen.c)."""
    for pattern, colour in LEVEL_COLOUR:
        if pattern.match(line):
            return colour
    return "grey"


def expected_screen(log, cols, rows):
    """What the screen must show, as rows of (character, colour): the log from
    the screen console's own line on, through the same rules as
    drivers/text_screen.c (a newline ends a line, wrapping waits for the
    next character, at the bottom a quarter of the rows scroll off at once,
    TEXT_SCROLL_FRACTION)."""
    step = max(rows // 4, 1)
    start = log.index("[console] screen: ")
    blank = (" ", "grey")
    grid = [[blank] * cols for _ in range(rows)]
    row = col = 0
    wrap = False

    def newline():
        nonlocal row, col, wrap
        col, wrap = 0, False
        if row + 1 < rows:
            row += 1
        else:
            del grid[:step]
            grid.extend([blank] * cols for _ in range(step))
            row = rows - step

    for line in log[start:].splitlines():
        colour = line_colour(line)
        for ch in line:
            assert " " <= ch <= "~", f"unexpected byte {ch!r} in the log"
            if wrap:
                newline()
            grid[row][col] = (ch, colour)
            if col + 1 < cols:
                col += 1
            else:
                wrap = True
        newline()
    return grid


def text_rows(grid):
    return ["".join(ch for ch, _ in r).rstrip() for r in grid]


def ink_rows(grid):
    """Each row's characters other than blanks, with their colours."""
    return [[(ch, colour) for ch, colour in r if ch != " "] for r in grid]


def read_ppm(path):
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P6" and fields[3] == b"255", fields[:4]
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4]
    assert len(pixels) == width * height * 3
    return width, height, pixels


def decode_fb(path, cols, rows):
    """The screen on a screendump, as rows of (character, colour): each 8x16
    cell matched against the font (every font row drawn twice), its ink one
    of the console's colours, on black."""
    width, _, px = read_ppm(path)
    by_rgb = {rgb: name for name, rgb in RGB.items()}
    grid = []
    for r in range(rows):
        cells = []
        for c in range(cols):
            bits, inks = [], set()
            for y in range(16):
                base = ((r * 16 + y) * width + c * 8) * 3
                row_bits = 0
                for x in range(8):
                    rgb = tuple(px[base + 3 * x: base + 3 * x + 3])
                    if rgb != BLACK:
                        inks.add(rgb)
                    row_bits = row_bits << 1 | (rgb != BLACK)
                bits.append(row_bits)
            doubled = all(bits[2 * i] == bits[2 * i + 1] for i in range(8))
            ch = GLYPH_CHARS.get(tuple(bits[0::2]), "?") if doubled else "?"
            if not inks:
                cells.append((ch, "grey"))
            elif len(inks) == 1 and inks.copy().pop() in by_rgb:
                cells.append((ch, by_rgb[inks.pop()]))
            else:
                cells.append((ch, f"mixed {sorted(inks)}"))
        grid.append(cells)
    return grid


def decode_vga(path, cols, rows):
    """VGA text memory as rows of (character, colour)."""
    data = path.read_bytes()
    assert len(data) == cols * rows * 2
    by_attr = {a: name for name, a in VGA_ATTR.items()}
    cells = [(chr(data[i]), by_attr.get(data[i + 1], f"attr {data[i + 1]:#x}"))
             for i in range(0, len(data), 2)]
    return [cells[r * cols:(r + 1) * cols] for r in range(rows)]


def compare(run, shown, expected):
    """Same text row by row, and every visible character in its colour."""
    bad = [f"row {i}: screen {s!r}\n        log    {e!r}"
           for i, (s, e) in enumerate(zip(text_rows(shown), text_rows(expected))) if s != e]
    bad += [f"row {i}: colours {s}\n        expected {e}"
            for i, (s, e) in enumerate(zip(ink_rows(shown), ink_rows(expected))) if s != e]
    assert not bad, "the screen differs from the log:\n" + "\n".join(bad[:8]) + "\n" + explain(run)


def screen_geometry(run, pattern):
    m = pattern.search(run.log)
    assert m, f"no matching screen line {explain(run)}"
    return m


def test_ovmf_gop_framebuffer_shows_the_log(kernel, tmp_path, log_path):
    """GRUB under OVMF passes the GOP framebuffer: the pixels spell the log."""
    iso = emulators.make_iso(kernel, "")
    run = boot_and_grab(tmp_path, log_path, "[core] idle", ["screendump screen.ppm"],
                        iso=iso, firmware="uefi", timeout=240)
    assert not run.timed_out, f"no '[core] idle' {explain(run)}"
    m = screen_geometry(run, FB_LINE)
    cols, rows = int(m.group(1)), int(m.group(2))
    shown = decode_fb(tmp_path / "screen.ppm", cols, rows)
    compare(run, shown, expected_screen(run.log, cols, rows))
    assert any(l.startswith("[core] idle") for l in text_rows(shown))


def check_vga_text(run, tmp_path):
    m = screen_geometry(run, VGA_LINE)
    cols, rows = int(m.group(1)), int(m.group(2))
    assert m.group(3) == "b8000"
    return decode_vga(tmp_path / "vga.bin", cols, rows), expected_screen(run.log, cols, rows)


def test_seabios_grub_vga_text_shows_the_log(kernel, tmp_path, log_path):
    """GRUB on SeaBIOS keeps the VGA text mode and says so (EGA text framebuffer)."""
    iso = emulators.make_iso(kernel, "")
    run = boot_and_grab(tmp_path, log_path, "[core] idle", ["pmemsave 0xb8000 4000 vga.bin"],
                        iso=iso)
    assert not run.timed_out, f"no '[core] idle' {explain(run)}"
    assert "80x25 VGA text at 0xb8000 (from the boot loader)" in run.log, explain(run)
    shown, expected = check_vga_text(run, tmp_path)
    compare(run, shown, expected)


def test_multiboot1_bios_text_mode_shows_the_log(kernel, tmp_path, log_path):
    """QEMU -kernel gives no framebuffer: the BIOS data area's text mode is
    used. A bad cpus= gives a warning, which is yellow."""
    run = boot_and_grab(tmp_path, log_path, "[core] idle", ["pmemsave 0xb8000 4000 vga.bin"],
                        kernel=kernel, cmdline="cpus=lots")
    assert not run.timed_out, f"no '[core] idle' {explain(run)}"
    assert "VGA text at 0xb8000 (BIOS text mode)" in run.log, explain(run)
    shown, expected = check_vga_text(run, tmp_path)
    compare(run, shown, expected)
    assert any(("c", "yellow") in r for r in ink_rows(shown)), "no yellow warning on the screen"


def test_noscreen_leaves_the_screen_alone(kernel, tmp_path, log_path):
    run = boot_and_grab(tmp_path, log_path, "[core] idle", ["pmemsave 0xb8000 4000 vga.bin"],
                        kernel=kernel, cmdline="console=noscreen")
    assert not run.timed_out, f"no '[core] idle' {explain(run)}"
    assert "[console] screen: off (console=noscreen)" in run.log, explain(run)
    text = (tmp_path / "vga.bin").read_bytes()[0::2].decode("latin-1")
    assert "[core]" not in text and "[boot]" not in text, text


def test_panic_dump_reaches_the_screen(kernel, tmp_path, log_path):
    """A panic writes through the sinks in panic mode: the dump is on the
    screen too. No isa-debug-exit device, so QEMU stays up after the dump."""
    run = boot_and_grab(tmp_path, log_path, "system halted", ["pmemsave 0xb8000 4000 vga.bin"],
                        kernel=kernel, cmdline="test=panic", exit_device=False)
    assert not run.timed_out, f"no 'system halted' {explain(run)}"
    shown, expected = check_vga_text(run, tmp_path)
    compare(run, shown, expected)
    rows = text_rows(shown)
    assert any(l.startswith("[panic]") for l in rows), rows
    assert any("system halted" in l for l in rows), rows
    assert ("s", "red") in ink_rows(shown)[rows.index("[panic] system halted")]


def test_config_noscreen_turns_it_off(kernel, tmp_path, log_path):
    """[hypervisor] console = "com1+noscreen": the screen stops at that line."""
    cfg = tmp_path / "plinth.toml"
    cfg.write_text('[hypervisor]\nconsole = "com1+noscreen"\n')
    run = boot_and_grab(tmp_path, log_path, "[core] idle", ["pmemsave 0xb8000 4000 vga.bin"],
                        kernel=kernel, extra=["-initrd", str(cfg)])
    assert not run.timed_out, f"no '[core] idle' {explain(run)}"
    assert "[console] screen: off (console=noscreen)" in run.log, explain(run)
    text = (tmp_path / "vga.bin").read_bytes()[0::2].decode("latin-1")
    assert "[console] screen: 80x25 VGA text" in text, text  # it was on until then
    assert "[core] idle" not in text and "[mm]" not in text, text
