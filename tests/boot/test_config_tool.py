"""tools/plinth-cfg: the configuration parser on the host (no emulator).

- every tests/config/invalid/*.toml gives exactly its .expected lines, exit 1;
- every tests/config/valid/*.toml, and a generated corpus of random valid
  files (fixed seed), dumps to JSON equal to what Python's tomllib reads.
"""
import fcntl
import glob
import hashlib
import json
import os
import random
import re
import subprocess
import tomllib

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "build", "plinth-cfg")
CONFIG = os.path.join(ROOT, "tests", "config")
GENERATED = 200


@pytest.fixture(scope="session")
def tool():
    # Incremental: rebuilds when the parser changed.
    cmd = ["make", "-s", "-C", ROOT]
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    # pytest-xdist workers each run this: one make at a time.
    with open(os.path.join(ROOT, "build", ".plinth-cfg.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(cmd + ["build/plinth-cfg"], check=True)
    return TOOL


def run(tool, *args):
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=30)


INVALID = sorted(glob.glob(os.path.join(CONFIG, "invalid", "*.toml")))
# The built-in demo configuration (core/demo.toml) must be valid too.
VALID = sorted(glob.glob(os.path.join(CONFIG, "valid", "*.toml"))) + \
    [os.path.join(ROOT, "core", "demo.toml")]


def test_enough_invalid_files():
    assert len(INVALID) >= 30
    for path in INVALID:
        assert os.path.exists(path[:-5] + ".expected"), path


@pytest.mark.parametrize("path", INVALID, ids=os.path.basename)
def test_invalid(tool, path):
    with open(path[:-5] + ".expected") as f:
        expected = f.read()
    r = run(tool, "check", path)
    assert r.stdout == expected
    assert r.returncode == 1


@pytest.mark.parametrize("path", VALID, ids=os.path.basename)
def test_valid_matches_tomllib(tool, path):
    r = run(tool, "check", path)
    assert (r.stdout, r.returncode) == ("", 0)
    r = run(tool, "dump", path)
    assert r.returncode == 0, r.stderr
    with open(path, "rb") as f:
        assert json.loads(r.stdout) == tomllib.load(f)


def test_usage_and_io_errors(tool, tmp_path):
    assert run(tool).returncode == 2
    assert run(tool, "lint", str(tmp_path)).returncode == 2
    assert run(tool, "check", str(tmp_path / "missing.toml")).returncode == 2


# ---- random valid files from the subset grammar -----------------------------
CHARS = "abcXYZ019 _-./=,:;!?'\"\\\t\n\u00e9\u20ac\u4e2d\U0001F600#[]{}"


def enc_string(rng, s):
    """s as a TOML basic or literal string, in a random valid spelling."""
    if rng.random() < 0.3 and not any(c in s for c in "'\n\t\\") and s.isprintable():
        return "'" + s + "'"
    out = []
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append(rng.choice(["\\t", "\t"]))
        elif ord(c) < 0x10000 and rng.random() < 0.2:
            out.append(("\\u%04x" if rng.random() < 0.5 else "\\u%04X") % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def enc_int(rng, n):
    if n >= 0 and rng.random() < 0.2:
        return hex(n)
    s = str(abs(n))
    if len(s) > 1 and rng.random() < 0.3:
        i = rng.randrange(1, len(s))
        s = s[:i] + "_" + s[i:]
    if n < 0:
        return "-" + s
    return ("+" if rng.random() < 0.1 else "") + s


def rand_text(rng, maxlen):
    return "".join(rng.choice(CHARS) for _ in range(rng.randrange(maxlen)))


def rand_array(rng, items):
    parts = [enc_int(rng, x) for x in items]
    if rng.random() < 0.5:
        return "[" + ", ".join(parts) + "]"
    body = "".join("\n  " + p + "," + (" # c" if rng.random() < 0.3 else "") for p in parts)
    return "[" + body + "\n]"


def rand_guest(rng, name):
    keys = {
        "name": lambda: enc_string(rng, name),
        "kernel": lambda: enc_string(rng, "/g/" + rand_text(rng, 40)),
        "initrd": lambda: enc_string(rng, rand_text(rng, 40)),
        "cmdline": lambda: enc_string(rng, rand_text(rng, 80)),
        "memory": lambda: rng.choice([
            enc_int(rng, rng.randrange(1, 65537)),
            enc_string(rng, "%d%s" % (rng.randrange(1, 4097), rng.choice("Mm"))),
            enc_string(rng, "%dG" % rng.randrange(1, 65)),
            enc_string(rng, "%dK" % (4 * rng.randrange(256, 100000))),
        ]),
        "vcpus": lambda: enc_int(rng, rng.randrange(1, 5)),
        "weight": lambda: enc_int(rng, rng.randrange(1, 65536)),
        "cap": lambda: enc_int(rng, rng.randrange(0, 401)),
        "cpus": lambda: rand_array(rng, rng.sample(range(256), rng.randrange(0, 8))),
        "format": lambda: enc_string(rng, rng.choice(["auto", "bzimage", "multiboot", "elf", "flat"])),
        "autostart": lambda: rng.choice(["true", "false"]),
        "on_crash": lambda: enc_string(rng, rng.choice(["restart", "destroy", "preserve"])),
        "serial": lambda: enc_string(rng, rng.choice(["console", "com1", "com2", "com3", "com4", "none"])),
    }
    chosen = ["name", "kernel"] + [k for k in keys if k not in ("name", "kernel") and rng.random() < 0.6]
    rng.shuffle(chosen)
    lines = []
    for k in chosen:
        v = keys[k]()
        if k == "format" and "mode" not in chosen and "flat" in v and rng.random() < 0.5:
            lines.append("mode = " + enc_string(rng, rng.choice(["prot32", "real"])))
        lines.append(k + rng.choice([" = ", "=", "\t=  "]) + v)
    return lines


def rand_reserve(rng):
    return rng.choice([
        enc_int(rng, rng.choice([0, rng.randrange(0, 65537)])),
        enc_string(rng, "%d%s" % (rng.randrange(0, 4097), rng.choice("Mm"))),
        enc_string(rng, "%dG" % rng.randrange(0, 65)),
        enc_string(rng, "%d%s" % (4 * rng.randrange(0, 100000), rng.choice("Kk"))),
        enc_string(rng, "0"),
    ])


def rand_hypervisor(rng):
    """The keys of a valid [hypervisor], in a random order: the tick and
    the rate limit within the slice (30 ms when the file does not set it)."""
    hv = {
        "console": lambda: enc_string(rng, rng.choice(["com1", "com2", "com3", "com4"]) +
                                      rng.choice(["", ",115200", ",9600", ",38400"])),
        "log_level": lambda: enc_string(rng, rng.choice(["error", "warn", "info", "debug"])),
        "scheduler": lambda: enc_string(rng, "credit"),
        "sched_slice_ms": None,
        "sched_tick_ms": lambda: enc_int(rng, rng.choice([1, slice_ms, rng.randrange(1, slice_ms + 1)])),
        "sched_ratelimit_us": lambda: enc_int(rng, rng.choice(
            [0, min(100000, slice_ms * 1000), rng.randrange(0, min(100000, slice_ms * 1000) + 1)])),
        "reserve": lambda: rand_reserve(rng),
        "console_escape": lambda: enc_string(rng, "^" + rng.choice("ABCDEFGKLNOPQRSTUVWXYZ\\]^_abcxyz")),
        "console_buffer": lambda: rng.choice([
            enc_int(rng, rng.choice([0, 1])),
            enc_string(rng, "%dK" % (4 * rng.randrange(0, 257))),
            enc_string(rng, rng.choice(["0", "1M", "16k", "4096"])),
        ]),
    }
    chosen = [k for k in hv if rng.random() < 0.7]
    slice_ms = 30
    if "sched_slice_ms" in chosen:
        slice_ms = rng.choice([1, 1000, rng.randrange(1, 1001), rng.randrange(1, 60)])
        hv["sched_slice_ms"] = lambda: enc_int(rng, slice_ms)
    if rng.random() < 0.5:
        rng.shuffle(chosen)
    return ["%s%s%s" % (k, rng.choice([" = ", "="]), hv[k]()) for k in chosen]


def rand_hash(rng):
    salt = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 33)))
    digest = hashlib.sha256(salt + rand_text(rng, 20).encode()).hexdigest()
    return "sha256$%s$%s" % (salt.hex(), digest)


def rand_console(rng):
    con = {
        "admin_password_hash": lambda: enc_string(rng, rand_hash(rng)),
        "lockout_seconds": lambda: enc_int(rng, rng.choice([1, 60, 86400, rng.randrange(1, 86401)])),
    }
    chosen = [k for k in con if rng.random() < 0.7]
    rng.shuffle(chosen)
    return ["%s%s%s" % (k, rng.choice([" = ", "="]), con[k]()) for k in chosen]


def rand_config(rng):
    out = []
    if rng.random() < 0.3:
        out.append("# generated")
    tables = ["guest"] * rng.randrange(0, 6)
    if rng.random() < 0.7:
        tables.insert(rng.randrange(len(tables) + 1), "hypervisor")
    if rng.random() < 0.4:
        tables.insert(rng.randrange(len(tables) + 1), "console")
    names = rng.sample(range(1000), len(tables))
    for t, n in zip(tables, names):
        out.append("")
        if t == "hypervisor":
            out.append("[hypervisor]" + (" # hv" if rng.random() < 0.3 else ""))
            out.extend(rand_hypervisor(rng))
        elif t == "console":
            out.append("[console]")
            out.extend(rand_console(rng))
        else:
            out.append(rng.choice(["[[guest]]", "[[ guest ]]", "  [[guest]]  # g"]))
            name = rng.choice(["g", "web-", "db_", "v.m"]) + str(n)
            out.extend(rand_guest(rng, name))
    eol = "\r\n" if rng.random() < 0.2 else "\n"
    return eol.join(out) + (eol if rng.random() < 0.8 else "")


def test_generated_match_tomllib(tool, tmp_path):
    rng = random.Random(6)
    hv_keys, con_keys = set(), set()
    for i in range(GENERATED):
        text = rand_config(rng)
        path = tmp_path / ("gen%03d.toml" % i)
        path.write_bytes(text.encode())
        want = tomllib.loads(text.replace("\r\n", "\n"))
        hv_keys |= set(want.get("hypervisor", {}))
        con_keys |= set(want.get("console", {}))
        r = run(tool, "dump", str(path))
        assert r.returncode == 0, "%s: %s\n%s" % (path, r.stderr, text)
        assert json.loads(r.stdout) == want, text
    assert hv_keys == {"console", "log_level", "scheduler", "sched_slice_ms",
                       "sched_tick_ms", "sched_ratelimit_us", "reserve",
                       "console_escape", "console_buffer"}
    assert con_keys == {"admin_password_hash", "lockout_seconds"}


MUTATED = 1000
MUTATIONS = [b"", b" ", b"\n", b"\r\n", b"\r", b"=", b"#", b"[", b"]", b"[[", b"]]",
             b",", b".", b'"', b"'", b"\\", b"\\u", b"\\u0000", b"\\uD800", b"\\x", b"0",
             b"0x", b"_", b"-", b"+", b"1.5", b"e5", b":", b"{", b"}", b"true", b"name",
             b"guest", b"'''", b'"""', b"\t", b"\x00", b"\x01", b"\x7f", "\u00e9".encode(),
             b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"inf", b"1979-05-27", b"00", b"1__0"]


def mutate(rng, data):
    for _ in range(rng.randrange(1, 4)):
        i = rng.randrange(len(data) + 1)
        j = min(len(data), i + rng.choice([0, 0, 1, 2, 5]))
        data = data[:i] + rng.choice(MUTATIONS) + data[j:]
    return data


def test_mutated_never_misparsed(tool, tmp_path):
    """Whatever plinth-cfg accepts, tomllib reads the same way; whatever
    tomllib refuses, plinth-cfg refuses too (it may refuse more: a subset)."""
    rng = random.Random(66)
    accepted = 0
    for i in range(MUTATED):
        data = mutate(rng, rand_config(rng).encode())
        text = data.decode("utf-8", "backslashreplace")
        path = tmp_path / ("mut%04d.toml" % i)
        path.write_bytes(data)
        try:
            want = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            want = None
        r = run(tool, "dump", str(path))
        assert r.returncode in (0, 1), r.stderr
        if r.returncode == 0:
            accepted += 1
            assert want is not None, "accepted what tomllib refuses:\n" + text
            assert json.loads(r.stdout) == want, text
    assert accepted > 50


def test_dump_keeps_valid_guests(tool, tmp_path):
    """A guest with an error is left out of the dump, the others stay."""
    path = tmp_path / "mixed.toml"
    path.write_text('[[guest]]\nname = "a"\nkernel = "k"\nvcpus = 0\n'
                    '[[guest]]\nname = "b"\nkernel = "k"\n')
    r = run(tool, "dump", str(path))
    assert r.returncode == 1
    assert r.stderr == "mixed.toml:4:9: vcpus: 0 is out of range (1-4)\n"
    assert json.loads(r.stdout) == {"guest": [{"name": "b", "kernel": "k"}]}
    r = run(tool, "check", str(path))
    assert (r.stdout, r.returncode) == ("mixed.toml:4:9: vcpus: 0 is out of range (1-4)\n", 1)


def test_dump_hypervisor_cross_checks(tool, tmp_path):
    """A tick or rate limit longer than the slice is an error at its value,
    and left out of the dump (it falls back to its default)."""
    path = tmp_path / "hv.toml"
    path.write_text('[hypervisor]\nsched_tick_ms = 8\nsched_ratelimit_us = 900\n'
                    'sched_slice_ms = 5\nreserve = 64\n')
    r = run(tool, "dump", str(path))
    assert r.returncode == 1
    assert r.stderr == "hv.toml:2:17: sched_tick_ms: 8 is more than sched_slice_ms (5)\n"
    assert json.loads(r.stdout) == {"hypervisor": {"sched_ratelimit_us": 900,
                                                   "sched_slice_ms": 5, "reserve": 64}}


def test_passwd_writes_a_hash_the_parser_accepts(tool, tmp_path):
    """plinth-cfg passwd: the [console] lines, a random 16-byte salt, SHA-256
    of salt || password; the parser takes the result back."""
    r = subprocess.run([tool, "passwd"], input="s3cret pass\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "[console]"
    m = re.fullmatch(r'admin_password_hash = "sha256\$([0-9a-f]{32})\$([0-9a-f]{64})"', lines[1])
    assert m, r.stdout
    assert hashlib.sha256(bytes.fromhex(m[1]) + b"s3cret pass").hexdigest() == m[2]
    again = subprocess.run([tool, "passwd"], input="s3cret pass\n", capture_output=True, text=True)
    assert again.stdout != r.stdout  # a new salt each time
    path = tmp_path / "pw.toml"
    path.write_text(r.stdout)
    assert json.loads(run(tool, "dump", str(path)).stdout) == tomllib.loads(r.stdout)
    for text in ("\n", ""):
        r = subprocess.run([tool, "passwd"], input=text, capture_output=True, text=True)
        assert r.returncode == 1 and r.stdout == "" and "password" in r.stderr


def test_console_errors(tool, tmp_path):
    path = tmp_path / "con.toml"
    path.write_text('[console]\nadmin_password_hash = "sha256$00$11"\nlockout_seconds = 0\n'
                    '[hypervisor]\nconsole_escape = "^M"\nconsole_buffer = "2M"\n'
                    '[console]\n')
    r = run(tool, "check", str(path))
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "con.toml:2:23: admin_password_hash: not a password hash: the hash must be 64 "
        "lower-case hex digits (make one with `plinth-cfg passwd`)",
        "con.toml:3:19: lockout_seconds: 0 is out of range (1-86400)",
        'con.toml:5:18: console_escape: "^M" is needed by terminals (NUL, backspace, tab, '
        "line ends, escape)",
        'con.toml:6:18: console_buffer: "2M" is out of range (0-1M)',
        "con.toml:7:2: console: duplicate table (first at line 1)",
    ]


def test_many_errors_are_counted(tool, tmp_path):
    path = tmp_path / "many.toml"
    path.write_text("".join("k%d = 1\n" % i for i in range(40)))
    r = run(tool, "check", str(path))
    lines = r.stdout.splitlines()
    assert r.returncode == 1 and len(lines) == 33
    assert lines[-1] == "many.toml: 8 more errors not shown"
