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
    started = time.monotonic()
    serial = tmp_path / "com1.log"
    sock = tmp_path / "monitor.sock"
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
            mon = Monitor(str(sock), deadline)
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


def expected_screen(log, cols, rows, step=1):
    """What the screen must show: the log from the screen console's own line
    on, through the same rules as drivers/text_screen.c (a newline ends a
    line, wrapping waits for the next character, at the bottom the top
    `step` lines scroll off)."""
    start = log.index("[console] screen: ")
    grid = [[" "] * cols for _ in range(rows)]
    row = col = 0
    wrap = False

    def newline():
        nonlocal row, col, wrap
        col, wrap = 0, False
        if row + 1 < rows:
            row += 1
        else:
            del grid[:step]
            grid.extend([" "] * cols for _ in range(step))
            row = rows - step

    for ch in log[start:]:
        if ch == "\n":
            newline()
            continue
        assert " " <= ch <= "~", f"unexpected byte {ch!r} in the log"
        if wrap:
            newline()
        grid[row][col] = ch
        if col + 1 < cols:
            col += 1
        else:
            wrap = True
    return ["".join(r).rstrip() for r in grid]


def read_ppm(path):
    data = path.read_bytes()
    fields = data.split(maxsplit=4)
    assert fields[0] == b"P6" and fields[3] == b"255", fields[:4]
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4]
    assert len(pixels) == width * height * 3
    return width, height, pixels


def decode_fb(path, cols, rows):
    """The text on a screendump: each 8x16 cell matched against the font
    (every font row drawn twice), ink exactly light grey on black."""
    width, _, px = read_ppm(path)
    lines, stray = [], []
    for r in range(rows):
        text = ""
        for c in range(cols):
            bits = []
            for y in range(16):
                base = ((r * 16 + y) * width + c * 8) * 3
                row_bits = 0
                for x in range(8):
                    rgb = tuple(px[base + 3 * x: base + 3 * x + 3])
                    if rgb not in (GREY, BLACK):
                        stray.append((c * 8 + x, r * 16 + y, rgb))
                    row_bits = row_bits << 1 | (rgb != BLACK)
                bits.append(row_bits)
            doubled = all(bits[2 * i] == bits[2 * i + 1] for i in range(8))
            text += GLYPH_CHARS.get(tuple(bits[0::2]), "?") if doubled else "?"
        lines.append(text.rstrip())
    return lines, stray


def decode_vga(path, cols, rows):
    data = path.read_bytes()
    assert len(data) == cols * rows * 2
    chars = "".join(chr(b) for b in data[0::2])
    attrs = set(data[1::2])
    return [chars[r * cols:(r + 1) * cols].rstrip() for r in range(rows)], attrs


def compare(run, shown, expected):
    bad = [f"row {i}: screen {s!r}\n        log    {e!r}"
           for i, (s, e) in enumerate(zip(shown, expected)) if s != e]
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
    shown, stray = decode_fb(tmp_path / "screen.ppm", cols, rows)
    assert not stray, f"pixels neither grey ink nor black: {stray[:5]}"
    # framebuffers scroll by a quarter of the screen (FB_SCROLL_FRACTION)
    compare(run, shown, expected_screen(run.log, cols, rows, step=max(rows // 4, 1)))
    assert any(l.startswith("[core] idle") for l in shown)


def check_vga_text(run, tmp_path):
    m = screen_geometry(run, VGA_LINE)
    cols, rows = int(m.group(1)), int(m.group(2))
    assert m.group(3) == "b8000"
    shown, attrs = decode_vga(tmp_path / "vga.bin", cols, rows)
    return shown, attrs, expected_screen(run.log, cols, rows)


def test_seabios_grub_vga_text_shows_the_log(kernel, tmp_path, log_path):
    """GRUB on SeaBIOS keeps the VGA text mode and says so (EGA text framebuffer)."""
    iso = emulators.make_iso(kernel, "")
    run = boot_and_grab(tmp_path, log_path, "[core] idle", ["pmemsave 0xb8000 4000 vga.bin"],
                        iso=iso)
    assert not run.timed_out, f"no '[core] idle' {explain(run)}"
    assert "80x25 VGA text at 0xb8000 (from the boot loader)" in run.log, explain(run)
    shown, attrs, expected = check_vga_text(run, tmp_path)
    assert attrs == {0x07}, attrs  # light grey on black throughout
    compare(run, shown, expected)


def test_multiboot1_bios_text_mode_shows_the_log(kernel, tmp_path, log_path):
    """QEMU -kernel gives no framebuffer: the BIOS data area's text mode is used."""
    run = boot_and_grab(tmp_path, log_path, "[core] idle", ["pmemsave 0xb8000 4000 vga.bin"],
                        kernel=kernel)
    assert not run.timed_out, f"no '[core] idle' {explain(run)}"
    assert "VGA text at 0xb8000 (BIOS text mode)" in run.log, explain(run)
    shown, _, expected = check_vga_text(run, tmp_path)
    compare(run, shown, expected)


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
    shown, _, expected = check_vga_text(run, tmp_path)
    compare(run, shown, expected)
    assert any(l.startswith("[panic]") for l in shown), shown
    assert any("system halted" in l for l in shown), shown


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
