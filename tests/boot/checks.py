"""Assertions on a boot log, shared by the boot tests (and the test that
checks a deliberately broken kernel makes them fail)."""
import emulators


def explain(run):
    tail = "\n".join(run.log.splitlines()[-25:])
    return f"(log: {run.log_path}, {run.seconds:.1f}s, timed out: {run.timed_out})\n{tail}"


def expect_lines(run, *needles):
    for needle in needles:
        assert needle in run.log, f"missing {needle!r} {explain(run)}"


def expect_status(run, status):
    assert not run.timed_out, f"emulator timed out {explain(run)}"
    assert run.status == status, f"exit status {run.status}, expected {status} {explain(run)}"


def expect_clean_boot(run, protocol):
    """The banner, the loader, memory, CPU, backend and a passing boot self-test."""
    expect_lines(run, "[core] Plinth ", f"[boot] boot protocol {protocol}",
                 "[boot] usable memory:", "[paging] W^X page tables live",
                 "[cpu] virtualization backend:", "[core] ready",
                 "[test] self-test boot: PASS")
    expect_status(run, emulators.PASS)
    assert "PANIC" not in run.log, f"unexpected panic {explain(run)}"
