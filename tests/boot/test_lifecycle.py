"""What happens when a guest ends (docs/guests.md): on_crash = restart makes
it again from its image with fresh memory (at most GUEST_RESTART_LIMIT times
in a row), preserve keeps its memory, destroy (the default) and a clean exit
give the memory back at once; the other guests are not affected."""
import os
import re

import emulators
from checks import expect_lines, expect_status, explain

GUESTS = os.path.join(emulators.ROOT, "build", "guests")
RESTART_LIMIT = 3

CONFIG = """\
[[guest]]
name = "again"
kernel = "crash.bin"
on_crash = "restart"

[[guest]]
name = "kept"
kernel = "crash.bin"
on_crash = "preserve"

[[guest]]
name = "gone"
kernel = "crash.bin"

[[guest]]
name = "fine"
kernel = "exits.bin"
"""


def test_on_crash(qemu, tmp_path):
    cfg = tmp_path / "plinth.toml"
    cfg.write_text(CONFIG)
    run = qemu("test=guests", smp=2, timeout=120,
               extra=["-initrd", f"{cfg},{GUESTS}/crash.bin,{GUESTS}/exits.bin"])
    expect_status(run, emulators.PASS)
    log = run.log
    # again: booted 1 + RESTART_LIMIT times, each time on zeroed RAM with the same id.
    boots = re.findall(r"\[guest again\] PASS crash-fresh-ram: .* \(guest id (\d+)\)", log)
    assert len(boots) == 1 + RESTART_LIMIT and len(set(boots)) == 1, f"{boots} {explain(run)}"
    assert "[guest again] FAIL" not in log, explain(run)
    for n in range(1, RESTART_LIMIT + 1):
        expect_lines(run, f"again: restarting (on_crash = restart, restart {n} of at most "
                          f"{RESTART_LIMIT} in a row)")
    expect_lines(run, f"again: crashed {RESTART_LIMIT + 1} times in a row: not restarted again",
                 "kept: memory kept for inspection (on_crash = preserve, 16 MiB)",
                 "[guest fine] RESULT passed=32 failed=0")
    # Memory of gone and fine comes back as soon as they end; kept's only at the very end.
    end = log.index("all guests have stopped")
    assert log.find("gone: memory scrubbed and returned") in range(0, end), explain(run)
    assert log.find("fine: memory scrubbed and returned") in range(0, end), explain(run)
    assert log.find("kept: memory scrubbed and returned") > end, explain(run)
